"""How many queries a real Prometheus has answered, by its own count: for tests and benches asserting that the load
on Prometheus does not grow with the number of viewers. Reading /metrics is not itself a query, so it counts
nothing of its own."""

from __future__ import annotations

import re
import time
import urllib.request

QUERY_REQUESTS = re.compile(r'^prometheus_http_requests_total\{[^}]*handler="/api/v1/query[^"]*"[^}]*\}\s+(\S+)')
SETTLE_READS_S = 0.2
SETTLE_TIMEOUT_S = 10.0


def queries_answered(prometheus_url: str) -> int:
    """``prometheus_http_requests_total{handler=~"/api/v1/query.*"}`` summed over codes: every instant and range
    query any client sent, from Prometheus's /metrics."""
    with urllib.request.urlopen(f"{prometheus_url}/metrics", timeout=10) as response:
        text = response.read().decode()
    return int(sum(float(match.group(1)) for line in text.splitlines() if (match := QUERY_REQUESTS.match(line))))


def settled_queries_answered(prometheus_url: str) -> int:
    """``queries_answered`` once two reads agree: Prometheus counts a request after its handler returns, which can
    be a moment after the client has the answer."""
    deadline = time.monotonic() + SETTLE_TIMEOUT_S
    count = queries_answered(prometheus_url)
    while time.monotonic() < deadline:
        time.sleep(SETTLE_READS_S)
        again = queries_answered(prometheus_url)
        if again == count:
            return count
        count = again
    return count
