"""The Prometheus source: every SLO's window counts in a fixed number of batched HTTP queries.

Anything that speaks Prometheus's HTTP API (Thanos Query, Mimir, VictoriaMetrics) works the same way. Every query
names its evaluation instant (``time=``): without it Prometheus evaluates at "now" and a backfilled or lagging
server answers nothing.
"""

from __future__ import annotations

import contextlib
import json
import math
import re
import socket
import threading
import time
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import pandas as pd
import requests
import urllib3
import urllib3.connection
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from data.deadline import results_within
from data.secrets import SecretUrl, remember_secret
from data.slo.promql import (
    DEFAULT_MAX_QUERY_BYTES,
    GROUP_LABEL,
    CounterRead,
    GroupAnswer,
    GroupedQuery,
    SelectorError,
    combined_queries,
    combined_text,
    counter_expressions,
    excluded_expressions,
    excluded_slice_expressions,
    grouped_queries,
    indicator_selectors,
    slice_expressions,
)
from data.slo.shared_answers import SharedAnswers, shared_read
from data.slo.sources import CountsResult, Exclusions, Partial, SourceError, SourceTimeout
from metrics.slo.adjustments import Interval, adjusted_counts
from metrics.slo.definitions import EventCounts, SloDefinition
from metrics.slo.report import requested_windows
from metrics.slo.timeslices import counted_since, counted_unit

MAX_POINTS_PER_SERIES = 11_000  # Prometheus refuses range queries with more points per series
PARALLEL_QUERIES = 4
DEFAULT_MAX_SPLIT_VALUES = 500  # per split SLO: more is a label that exploded, said as the SLO's error
# The cap on one answer: sized for 1,000 SLOs × 500 values, a vector sample being about 90 bytes of JSON
# ({"metric":{"slo":"checkout-availability-eu-west-1"},"value":[1764000000.123,"123456.789"]}), so 45 MB,
# with room for longer names and labels.
DEFAULT_MAX_ANSWER_BYTES = 64 * 1024 * 1024
ANSWER_PIECE_BYTES = 256 * 1024


_current = threading.local()  # the deadline of the request this thread is sending, for its connection


class _Watchdog:
    """Shuts a connection's socket at its request's deadline, whatever the server does: headers and chunk sizes
    trickled a byte at a time are cut off too, not only the reads of the body (which stop by themselves)."""

    def __init__(self, sock, deadline: float) -> None:
        self.fired = False
        self._sock = sock
        self._timer = threading.Timer(max(deadline - time.monotonic(), 0.0), self._fire)
        self._timer.name = "prometheus-deadline"
        self._timer.daemon = True
        self._timer.start()

    def _fire(self) -> None:
        self.fired = True
        with contextlib.suppress(OSError):
            self._sock.shutdown(socket.SHUT_RDWR)

    def cancel(self) -> None:
        self._timer.cancel()


class _DeadlineConnection:
    """A connection that starts its request's ``_Watchdog`` before it waits for the answer."""

    def getresponse(self, *args, **kwargs):
        deadline = getattr(_current, "deadline", None)
        if deadline is not None and self.sock is not None:
            _current.watchdog = _Watchdog(self.sock, deadline)
        return super().getresponse(*args, **kwargs)


class _HttpPool(urllib3.HTTPConnectionPool):
    ConnectionCls = type("_DeadlineHTTPConnection", (_DeadlineConnection, urllib3.connection.HTTPConnection), {})


class _HttpsPool(urllib3.HTTPSConnectionPool):
    ConnectionCls = type("_DeadlineHTTPSConnection", (_DeadlineConnection, urllib3.connection.HTTPSConnection), {})


class _DeadlineAdapter(HTTPAdapter):
    def init_poolmanager(self, *args, **kwargs) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": _HttpPool, "https": _HttpsPool}


# A range selector as the app writes it (``format_prometheus_duration``): ``[30d]``, ``[90m]``, ``[3723s]``.
_RANGE = re.compile(r"\[(\d+)([smhdw])\]")
_RANGE_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


class _CountingSession(requests.Session):
    """The HTTP session of one source: it counts the queries and adds up their times, for the benchmark and the
    tests that hold the query count to its contract."""

    def __init__(self) -> None:
        super().__init__()
        self._lock = threading.Lock()
        self.http_queries = 0
        self.elapsed_seconds = 0.0
        self.server_seconds = 0.0
        self.longest_query_bytes = 0
        self.longest_range_seconds = 0

    def note_query(self, query: str) -> None:
        ranges = [int(count) * _RANGE_UNIT_SECONDS[unit] for count, unit in _RANGE.findall(query)]
        with self._lock:
            self.longest_query_bytes = max(self.longest_query_bytes, len(query.encode()))
            self.longest_range_seconds = max(self.longest_range_seconds, *ranges, 0)

    def count(self, elapsed_seconds: float, server_seconds: float) -> None:
        with self._lock:
            self.http_queries += 1
            self.elapsed_seconds += elapsed_seconds
            self.server_seconds += server_seconds


@dataclass(frozen=True, repr=False)
class PrometheusSettings:
    url: str
    name: str = "Prometheus"
    bearer_token: str | None = field(default=None, repr=False)
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    verify_tls: bool | str = True  # False, True, or a CA bundle path
    timeout_seconds: float = 10.0
    cache_ttl_seconds: float = 60.0
    max_answer_bytes: int = DEFAULT_MAX_ANSWER_BYTES
    max_query_bytes: int = DEFAULT_MAX_QUERY_BYTES
    # Sent with every request: Mimir's and Cortex's ``X-Scope-OrgID``, a proxy's own; values may be secrets.
    headers: tuple[tuple[str, str], ...] = field(default=(), repr=False)
    max_split_values: int = DEFAULT_MAX_SPLIT_VALUES
    collect_server_timings: bool = False
    # Where a person fixes the URL and the token, for messages: a catalog DataSource names its own settings.
    url_setting: str = "PROMETHEUS_URL"
    token_setting: str = "PROMETHEUS_TOKEN"

    def __post_init__(self) -> None:
        """Whoever builds these settings (the environment, ``--prometheus-url``, a test) teaches ``redact`` the
        credentials, so no message about this source can quote them."""
        remember_secret(self.password, self.bearer_token, *(value for _, value in self.headers))
        SecretUrl.parse(self.url)  # credentials or a token in the URL itself

    def __repr__(self) -> str:
        shown = {
            name: getattr(self, name)
            for name in (
                "name",
                "username",
                "verify_tls",
                "timeout_seconds",
                "cache_ttl_seconds",
                "max_answer_bytes",
                "max_query_bytes",
            )
        }
        shown["headers"] = tuple(name for name, _ in self.headers)
        fields = ", ".join(f"{name}={value!r}" for name, value in shown.items())
        return f"PrometheusSettings(url={SecretUrl.parse(self.url).describe()!r}, {fields})"


class _QueryCache:
    """Answers kept for a while, shared by every viewer of the same source: the load on Prometheus does not grow
    with the number of people watching."""

    def __init__(self, ttl_seconds: float) -> None:
        self.ttl_seconds = ttl_seconds
        self._entries: dict[tuple, tuple[float, object]] = {}
        self._lock = threading.Lock()

    def get(self, key: tuple) -> object | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None or time.monotonic() - entry[0] > self.ttl_seconds:
                return None
            return entry[1]

    def put(self, key: tuple, value: object) -> None:
        with self._lock:
            if len(self._entries) > 5000:
                self._entries.clear()
            self._entries[key] = (time.monotonic(), value)


class QueryError(Exception):
    """Prometheus answered, but refused or failed this query."""


class _PastDeadline(Exception):
    """The request's deadline passed while its answer was still arriving."""


class _TooLarge(Exception):
    def __init__(self, declared: int | None = None) -> None:
        super().__init__(declared)
        self.declared = declared  # the Content-Length, when the server announced its size


def _time_left(deadline: float) -> float:
    left = deadline - time.monotonic()
    if left <= 0:
        raise _PastDeadline
    return left


class _BoundedReader:
    """Reads an answer's body as it arrives, at most ``limit`` bytes (after gzip) and until ``deadline`` at the
    latest: every read is one ``recv`` whose socket timeout is the time left, so a server trickling a byte a second
    ends at the deadline, and one sending 200 MB is cut off at the cap instead of being held in memory."""

    def __init__(self, limit: int, deadline: float) -> None:
        self.limit = limit
        self.deadline = deadline

    def read(self, response: requests.Response) -> bytearray:
        declared = response.headers.get("Content-Length", "").strip()
        if declared.isdigit() and int(declared) > self.limit:
            raise _TooLarge(int(declared))
        encoding = response.headers.get("Content-Encoding", "identity").strip().lower()
        decoder = zlib.decompressobj(16 + zlib.MAX_WBITS) if encoding == "gzip" else None
        sock = getattr(getattr(response.raw, "connection", None), "sock", None)
        body = bytearray()
        while True:
            left = _time_left(self.deadline)
            if sock is not None:
                sock.settimeout(left)
            piece = response.raw.read1(ANSWER_PIECE_BYTES, decode_content=False)
            if not piece:
                break
            if decoder is not None:
                piece = decoder.decompress(piece, self.limit + 1 - len(body))
            body += piece
            if len(body) > self.limit or (decoder is not None and decoder.unconsumed_tail):
                raise _TooLarge
        if decoder is not None:
            body += decoder.flush()
            if len(body) > self.limit:
                raise _TooLarge
        return body  # json.loads reads a bytearray as it is: no copy


def _json_or_none(body: bytes) -> object:
    try:
        return json.loads(body)
    except (ValueError, RecursionError):
        return None


def _server_seconds(payload: dict) -> float:
    data = payload.get("data")
    timings = data.get("stats", {}).get("timings", {}) if isinstance(data, dict) else {}
    try:
        return float(timings.get("execTotalTime", 0.0)) if isinstance(timings, dict) else 0.0
    except (TypeError, ValueError):
        return 0.0


def answer_shape_problem(payload: dict, expected: str) -> str | None:
    """What is wrong with a query's answer for a ``vector`` or ``matrix`` reader, in words for a message
    ("a matrix where a vector was expected"); ``None`` when every series has the fields the reader uses."""
    data = payload.get("data")
    if payload.get("status") != "success" or not isinstance(data, dict):
        return f"status {str(payload.get('status'))[:40]!r} and no data where a {expected} was expected"
    kind, result = data.get("resultType"), data.get("result")
    if kind != expected:
        shown = f"a {kind}" if isinstance(kind, str) and kind.isidentifier() and len(kind) < 20 else "no resultType"
        return f"{shown} where a {expected} was expected"
    if not isinstance(result, list):
        return f"a {expected} without a list of series"
    sample_field = "value" if expected == "vector" else "values"
    for series in result:
        if not isinstance(series, dict) or not isinstance(series.get("metric"), dict):
            return f"a {expected} whose series have no labels (metric)"
        samples = [series.get(sample_field)] if expected == "vector" else series.get(sample_field)
        if not isinstance(samples, list) or not all(_is_sample(sample) for sample in samples):
            return f"a {expected} whose series have no [time, value] {sample_field}"
    return None


def _is_sample(sample: object) -> bool:
    if not (isinstance(sample, list) and len(sample) == 2 and isinstance(sample[0], int | float)):
        return False
    try:
        float(sample[1])
    except (TypeError, ValueError):
        return False
    return isinstance(sample[1], str)


class PrometheusSource:
    is_demo = False

    def __init__(self, settings: PrometheusSettings, answers: SharedAnswers | None = None) -> None:
        """``answers``: the store's answers shared with every app process on it (``data.slo.shared_answers``)."""
        self.settings = settings
        self.answers = answers
        self.description = f"{settings.name} ({SecretUrl.parse(settings.url).describe(userinfo=False)})"
        self._url = settings.url.rstrip("/")
        self._session = _CountingSession()
        self._session.verify = settings.verify_tls
        # gzip only: the answer is decompressed here, piece by piece, so the cap holds on what it grows to
        self._session.headers["Accept-Encoding"] = "gzip"
        self._session.headers.update(dict(settings.headers))
        if settings.bearer_token:
            self._session.headers["Authorization"] = f"Bearer {settings.bearer_token}"
        if settings.username:
            self._session.auth = (settings.username, settings.password or "")
        retry = Retry(total=1, connect=1, read=0, status=0, backoff_factor=0.1)
        self._session.mount(self._url, _DeadlineAdapter(max_retries=retry))
        self._cache = _QueryCache(settings.cache_ttl_seconds)

    # -- accounting, for the benchmark and the tests that hold the query count to its contract
    @property
    def query_count(self) -> int:
        return self._session.http_queries

    @property
    def server_seconds(self) -> float:
        return self._session.server_seconds

    @property
    def elapsed_seconds(self) -> float:
        return self._session.elapsed_seconds

    @property
    def longest_query_bytes(self) -> int:
        return self._session.longest_query_bytes

    @property
    def longest_range_seconds(self) -> int:
        """The longest range selector (``[30d]``) any query of this source asked for: how far back one read goes."""
        return self._session.longest_range_seconds

    # -- HTTP
    def _params(self, extra: dict) -> dict:
        params = dict(extra)
        if self.settings.collect_server_timings:
            params["stats"] = "all"
        return params

    def _get_json(self, path: str, params: dict, deadline: float | None = None, *, post: bool = True) -> dict | None:
        """The JSON answer of one request, read within ``deadline`` (``time.monotonic()``; at most the timeout from
        now) and ``max_answer_bytes``; ``None`` when the server has no such API (404). Queries go by POST with the
        parameters in the body, where long batched queries belong."""
        started = time.monotonic()
        deadline = min(deadline or math.inf, started + self.settings.timeout_seconds)
        status, body = self._send(path, params, deadline, post)
        if status == 404:
            return None
        if status in (401, 403):
            raise SourceError(
                f"{self.description} refused the credentials; check {self.settings.token_setting} or the user"
            )
        payload = _json_or_none(body)
        if status in (400, 422):
            detail = payload.get("error") if isinstance(payload, dict) else None
            raise QueryError(str(detail) if detail else body[:300].decode("utf-8", "replace"))
        if not 200 <= status < 400:
            raise SourceError(
                f"{self.description} answered with an error (HTTP Status Code {status}); try again shortly"
            )
        if not isinstance(payload, dict):
            raise SourceError(
                f"{self.description} answered with something that is not Prometheus JSON (HTTP {status}, "
                f"{len(body):,} bytes); check that {self.settings.url_setting} points at its HTTP API"
            )
        self._session.count(time.monotonic() - started, _server_seconds(payload))
        return payload

    def _send(self, path: str, params: dict, deadline: float, post: bool) -> tuple[int, bytearray]:
        """The status and body of one request, all of it within ``deadline`` (a ``_Watchdog`` shuts the socket
        then) and the body within ``max_answer_bytes``; ``SourceError`` for every way it can fail."""
        _current.deadline, _current.watchdog = deadline, None
        try:
            left = _time_left(deadline)
            response = self._session.request(
                "POST" if post else "GET",
                f"{self._url}{path}",
                data=params if post else None,
                params=None if post else params,
                timeout=(left, left),
                stream=True,
            )
            with response:
                body = _BoundedReader(self.settings.max_answer_bytes, deadline).read(response)
            if _current.watchdog is not None and _current.watchdog.fired:
                raise _PastDeadline  # the socket was shut mid-answer: what was read is cut short
            return response.status_code, body
        except (requests.exceptions.Timeout, urllib3.exceptions.TimeoutError, TimeoutError, _PastDeadline):
            raise self._timeout() from None
        except _TooLarge as too_large:
            raise self._too_large(too_large.declared) from None
        except (requests.exceptions.RequestException, urllib3.exceptions.HTTPError, OSError) as error:
            if _current.watchdog is not None and _current.watchdog.fired:
                raise self._timeout() from None
            raise self._unreachable(error) from None
        finally:
            if _current.watchdog is not None:
                _current.watchdog.cancel()
            _current.deadline = None

    def _unreachable(self, error: Exception) -> SourceError:
        if isinstance(error, requests.exceptions.SSLError):
            return SourceError(
                f"{self.description}: the TLS certificate could not be verified; set PROMETHEUS_CA_BUNDLE "
                "or PROMETHEUS_VERIFY_TLS=false"
            )
        reason = type(error).__name__.replace("Error", " error").strip().lower()
        return SourceError(
            f"{self.description} is unreachable ({reason}); check that it runs and that "
            f"{self.settings.url_setting} is right"
        )

    def _too_large(self, declared: int | None) -> SourceError:
        what = "more than" if declared is None else f"an answer of {declared:,} bytes (its Content-Length), over"
        return SourceError(
            f"{self.description} answered with {what} the {self.settings.max_answer_bytes:,} bytes allowed "
            "(PROMETHEUS_MAX_ANSWER_BYTES); it was refused: narrow the query or raise the cap"
        )

    def _timeout(self) -> SourceTimeout:
        return SourceTimeout(
            f"{self.description} did not answer within {self.settings.timeout_seconds:g} s; "
            "it may be overloaded: try again, or raise PROMETHEUS_TIMEOUT_SECONDS"
        )

    def _result(self, path: str, params: dict, expected: str, deadline: float | None) -> tuple[list[dict], tuple]:
        """The answer's series and its ``warnings`` (a Thanos or Mimir that answered partly says so there)."""
        payload = self._get_json(path, params, deadline)
        if payload is None:
            raise SourceError(
                f"{self.description} has no {path} API (HTTP 404); check that {self.settings.url_setting} is right"
            )
        problem = answer_shape_problem(payload, expected)
        if problem:
            raise SourceError(f"{self.description} answered with {problem}")
        return payload["data"]["result"], _warnings(payload)

    def instant(self, query: str, at: datetime, deadline: float | None = None) -> list[dict]:
        """The vector ``query`` evaluates to at ``at``, answered by ``deadline`` (``time.monotonic()``; at most the
        timeout from now)."""
        return self.instant_answer(query, at, deadline)[0]

    def instant_answer(self, query: str, at: datetime, deadline: float | None = None) -> tuple[list[dict], tuple]:
        """``instant``, with the engine's warnings about its answer (partial data), kept in the cache with it (and
        in the store's shared answers, when the source has them)."""
        key = ("instant", query, at.timestamp())
        cached = self._cache.get(key)
        if cached is not None:
            return cached  # type: ignore[return-value]

        def read() -> dict:
            self._session.note_query(query)
            params = self._params({"query": query, "time": f"{at.timestamp():.3f}"})
            result, warnings = self._result("/api/v1/query", params, "vector", deadline)
            return {"result": result, "warnings": list(warnings)}

        found = shared_read(self.answers, key, deadline or time.monotonic() + self.settings.timeout_seconds, read)
        answer = (found["result"], tuple(found["warnings"]))
        self._cache.put(key, answer)
        return answer

    def range(
        self, query: str, start: datetime, end: datetime, step: timedelta, deadline: float | None = None
    ) -> list[dict]:
        """A range query, split into pieces so no piece exceeds Prometheus's points-per-series limit, all answered
        by ``deadline`` (``time.monotonic()``; at most the timeout from now)."""
        key = ("range", query, start.timestamp(), end.timestamp(), step.total_seconds())
        cached = self._cache.get(key)
        if cached is not None:
            return cached  # type: ignore[return-value]
        if deadline is None:
            deadline = time.monotonic() + self.settings.timeout_seconds
        result = shared_read(self.answers, key, deadline, lambda: self._range(query, start, end, step, deadline))
        self._cache.put(key, result)
        return result

    def _range(self, query: str, start: datetime, end: datetime, step: timedelta, deadline: float) -> list[dict]:
        self._session.note_query(query)
        merged: dict[tuple, dict] = {}
        piece_start = start
        span = step * (MAX_POINTS_PER_SERIES - 1)
        while piece_start <= end:
            piece_end = min(end, piece_start + span)
            params = {
                "query": query,
                "start": round(piece_start.timestamp()),
                "end": round(piece_end.timestamp()),
                "step": f"{step.total_seconds():g}",
            }
            answer, _ = self._result("/api/v1/query_range", self._params(params), "matrix", deadline)
            for series in answer:
                labels = tuple(sorted(series["metric"].items()))
                merged.setdefault(labels, {"metric": series["metric"], "values": []})["values"].extend(series["values"])
            piece_start = piece_end + step
        return list(merged.values())

    def alerting_rules(self) -> list[dict] | None:
        """The alerting rules the server evaluates (``/api/v1/rules?type=alert``), each with its group's name under
        ``group``; ``None`` when the server has no rules API (it answers 404), so nobody can tell what is loaded."""
        payload = self._get_json("/api/v1/rules", {"type": "alert"}, post=False)
        if payload is None:
            return None
        groups = payload["data"].get("groups") if isinstance(payload.get("data"), dict) else None
        if not isinstance(groups, list) or not all(
            isinstance(group, dict) and isinstance(group.get("rules", []), list) for group in groups
        ):
            raise SourceError(f"{self.description} answered /api/v1/rules without a list of rule groups")
        return [
            {**rule, "group": group.get("name", "")}
            for group in groups
            for rule in group.get("rules", [])
            if isinstance(rule, dict)
        ]

    # -- SLO counts
    def window_counts(
        self,
        slos: list[SloDefinition],
        at: datetime,
        exclusions: Exclusions | None = None,
        partial: Partial | None = None,
    ) -> CountsResult:
        """Counts for every SLO and window, one query per metric and window (``grouped_queries``) whatever the
        number of SLOs: the burn windows, each other window some SLO's alert tiers read (an AlertPolicy's
        lookbackWindow) and each period length. A query the engine refuses costs the SLOs that read it their
        figures, with the engine's reason; the others still get theirs. Budget adjustments (``exclusions``) add the
        events inside each adjusted interval: the same reads ending there (``@``), grouped the same way, so they
        cost queries per distinct interval and metric, never per SLO. ``partial``: for those SLOs' window keys,
        only the events inside the given intervals (a long window's edges, ``data.slo.long_windows``), read the
        same way, and none of the rest of the window."""
        result = CountsResult()
        exclusions = exclusions or {}
        partial = partial or {}
        windows = {slo.name: requested_windows(slo, at) for slo in slos}
        slice_slos = [slo for slo in slos if not slo.counts_events]
        slos = [slo for slo in slos if slo.counts_events]
        slice_terms = _slice_terms(slice_slos, windows, at, exclusions)
        reads: list[CounterRead] = []
        read_of: dict[tuple[str, str, str], int] = {}  # (SLO, window key, role) -> its read
        inside_of: dict[tuple[str, str, str], list[int]] = {}  # -> its reads inside budget adjustments
        parts_of: dict[tuple[str, str, str], list[int]] = {}  # -> its reads of a partial window's intervals
        for slo in slos:
            try:
                selectors = indicator_selectors(slo.indicator)
            except SelectorError as error:
                result.errors[slo.name] = f"{self.description} cannot be asked for SLO {slo.name!r}: {error}"
                continue
            excluded = exclusions.get(slo.name, {})
            edges = partial.get(slo.name, {})
            for key, window in windows[slo.name].items():
                # A calendar period that began less than a second ago has no window yet: no data, not an error.
                if window < timedelta(seconds=1):
                    continue
                if key in edges:
                    for role, selector in selectors.items():
                        parts_of[(slo.name, key, role)] = list(range(len(reads), len(reads) + len(edges[key])))
                        reads.extend(
                            CounterRead(selector, part.length, slo.indicator.counter, part.end) for part in edges[key]
                        )
                    continue
                for role, selector in selectors.items():
                    read_of[(slo.name, key, role)] = len(reads)
                    reads.append(CounterRead(selector, window, slo.indicator.counter, split_by=slo.split_by))
                    # the events inside each adjusted interval of this window: the same reads, ending there
                    inside = excluded[key].intervals if key in excluded else ()
                    inside_of[(slo.name, key, role)] = list(range(len(reads), len(reads) + len(inside)))
                    reads.extend(
                        CounterRead(selector, interval.length, slo.indicator.counter, interval.end, slo.split_by)
                        for interval in inside
                    )
        queries, query_of = grouped_queries(reads)
        warnings: set[str] = set()
        # One deadline for all of it: a slow server costs the page the configured timeout once.
        deadline = time.monotonic() + self.settings.timeout_seconds
        all_answers = self._grouped_answers([*queries, *(text for *_, text in slice_terms)], at, warnings, deadline)
        answered = _Answered(reads, queries, query_of, all_answers[: len(queries)])
        self._slice_counts(slice_slos, windows, slice_terms, all_answers[len(queries) :], result)

        def events_of(position: int, name: str) -> float | None:
            refusal = answered.refusal(position)
            if refusal is not None:
                result.errors.setdefault(name, f"{self.description} rejected the query of SLO {name!r}: {refusal}")
                return None
            return answered.events(position)

        result.warnings = sorted(f"{self.description} answered partly: {warning}" for warning in warnings)
        for slo in slos:
            counts: dict[str, EventCounts | None] = {}
            raw: dict[str, EventCounts | None] = {}
            excluded = exclusions.get(slo.name, {})
            for key in windows[slo.name]:
                events: dict[str, float | None] = {}
                removed: dict[str, float | None] = {}
                for role in ("total", "bad", "good"):
                    if (slo.name, key, role) in parts_of:  # an interval without samples adds nothing
                        found = [events_of(part, slo.name) for part in parts_of[(slo.name, key, role)]]
                        found = [value for value in found if value is not None]
                        events[role] = math.fsum(found) if found else None
                        continue
                    position = read_of.get((slo.name, key, role))
                    if position is None:
                        continue
                    events[role] = events_of(position, slo.name)
                    # an interval without samples removes nothing
                    removed[role] = sum(
                        events_of(inside, slo.name) or 0.0 for inside in inside_of[(slo.name, key, role)]
                    )
                raw[key] = counts[key] = None if slo.name in result.errors else _event_counts(events)
                if key in excluded and raw[key] is not None:
                    counts[key] = adjusted_counts(raw[key], _event_counts(removed))
            result.counts[slo.name] = counts
            if excluded:
                result.raw[slo.name] = raw
            if slo.split_by and slo.name not in result.errors:
                limit = self.settings.max_split_values
                _split_counts(slo, windows[slo.name], read_of, inside_of, answered, result, limit)
        for name in result.errors:
            result.counts[name] = dict.fromkeys(windows[name])
            result.raw.pop(name, None)
        return result

    def _slice_counts(
        self,
        slos: list[SloDefinition],
        windows: dict[str, dict[str, timedelta]],
        terms: list[tuple[str, str, str, str]],
        answers: list[GroupAnswer | QueryError],
        result: CountsResult,
    ) -> None:
        """The counts of the SLOs that count slices or points, from their terms' answers (``_slice_terms``): each
        window's slices less those ending inside its budget adjustments (raw counts kept beside)."""
        found: dict[tuple[str, str, str], float | None] = {}
        inside: dict[tuple[str, str, str], float] = {}
        for (name, key, kind, part, _), answer in zip(terms, answers):
            if isinstance(answer, QueryError):
                result.errors.setdefault(name, f"{self.description} rejected the query of SLO {name!r}: {answer}")
                continue
            values = [value for _, value in answer.rows]
            if part is None:
                found[(name, key, kind)] = math.fsum(values) if values else None
            else:
                inside[(name, key, kind)] = inside.get((name, key, kind), 0.0) + math.fsum(values)
        adjusted = {name for name, *_ in inside}

        def counted(total: float | None, good: float | None) -> EventCounts | None:
            has_data = total is not None and good is not None and total > 0
            return EventCounts.from_good(total, min(max(good, 0.0), total)) if has_data else None

        for slo in slos:
            if slo.name in result.errors:
                result.counts[slo.name] = dict.fromkeys(windows[slo.name])
                continue
            counts: dict[str, EventCounts | None] = {}
            raw: dict[str, EventCounts | None] = {}
            for key in windows[slo.name]:
                total, good = found.get((slo.name, key, "total")), found.get((slo.name, key, "good"))
                raw[key] = counts[key] = counted(total, good)
                if (slo.name, key, "total") in inside and total is not None and good is not None:
                    counts[key] = counted(
                        total - inside[(slo.name, key, "total")], good - inside.get((slo.name, key, "good"), 0.0)
                    )
            result.counts[slo.name] = counts
            if slo.name in adjusted:
                result.raw[slo.name] = raw

    def _too_late(self, unanswered: int, total: int) -> SourceError:
        # a request's own timeout and the page's end together: one message, the page's
        return SourceError(
            f"{self.description} did not answer within {self.settings.timeout_seconds:g} s (the timeout for all "
            f"of a page's queries; {unanswered} of {total} were unanswered); it may be overloaded: try again, "
            "or raise PROMETHEUS_TIMEOUT_SECONDS"
        )

    def _grouped_answers(
        self, queries: list[GroupedQuery | str], at: datetime, warnings: set[str], deadline: float
    ) -> list[GroupAnswer | QueryError]:
        """Each grouped query's answer, or the engine's refusal: sent ``or``-joined in ``PARALLEL_QUERIES`` pieces
        (more where one would pass ``max_query_bytes``), side by side, all by ``deadline`` or ``SourceError``: a
        slow server costs the page the timeout once. Queries still running then end on their own timeout."""

        def ask(piece: list[int]) -> list[GroupAnswer | QueryError]:
            try:
                series, said = self.instant_answer(combined_text([queries[p] for p in piece]), at, deadline)
                warnings.update(said)
            except QueryError as error:
                if len(piece) == 1:
                    return [error]
                # which of them the engine refuses: each alone, so the others keep their figures
                return [answer for single in piece for answer in ask([single])]
            rows: list[list[tuple[dict[str, str], float]]] = [[] for _ in piece]
            for labels, value in _labelled_values(series):
                index = labels.get(GROUP_LABEL, "")
                if index.isdigit() and int(index) < len(rows):
                    rows[int(index)].append((labels, value))
            return [GroupAnswer(found) for found in rows]

        texts = [query if isinstance(query, str) else query.text for query in queries]
        pieces = combined_queries(texts, self.settings.max_query_bytes, PARALLEL_QUERIES)
        answers = results_within(
            [lambda piece=piece: ask(piece) for piece in pieces],
            deadline - time.monotonic(),
            too_late=self._too_late,
            timeout_errors=(SourceTimeout,),  # any other SourceError: no need to wait for the others
            max_workers=PARALLEL_QUERIES,
            thread_name_prefix="prometheus-query",
        )
        by_position: dict[int, GroupAnswer | QueryError] = {}
        for piece, answered in zip(pieces, answers):
            by_position.update(zip(piece, answered))
        return [by_position[position] for position in range(len(queries))]

    def interval_counts(
        self, slos: list[SloDefinition], parts: dict[str, dict[str, Sequence[Interval]]]
    ) -> dict[tuple[str, str], EventCounts]:
        """Per (SLO, part key): the events (slices, points) inside that part's intervals, in ``PARALLEL_QUERIES``
        queries whatever the number of SLOs and parts (more where one would pass ``max_query_bytes``): each term
        ends at its interval's end (``@``)."""
        by_name = {slo.name: slo for slo in slos}
        terms = [
            (name, key, intervals)
            for name, keyed in parts.items()
            if name in by_name
            for key, intervals in keyed.items()
            if intervals
        ]
        if not terms:
            return {}
        latest = max(i.end for _, _, intervals in terms for i in intervals)

        def excluded(slo: SloDefinition, intervals) -> dict[str, str]:
            if slo.counts_events:
                return excluded_expressions(slo.indicator, intervals)
            return excluded_slice_expressions(slo, intervals)

        texts = [excluded(by_name[name], intervals)[kind] for name, _, intervals in terms for kind in ("total", "bad")]
        deadline = time.monotonic() + self.settings.timeout_seconds
        answers = self._grouped_answers(texts, latest, set(), deadline)
        refused = next((answer for answer in answers if isinstance(answer, QueryError)), None)
        if refused is not None:
            raise SourceError(f"Prometheus rejected the adjusted events' query: {refused}")
        events = [math.fsum(value for _, value in answer.rows) for answer in answers]
        return {
            (name, key): EventCounts(total=events[2 * position], bad=events[2 * position + 1])
            for position, (name, key, _) in enumerate(terms)
        }

    def event_buckets(self, slo: SloDefinition, start: datetime, end: datetime, step: timedelta) -> pd.DataFrame:
        """Events per bucket of ``step`` ending at each step from ``start`` to ``end``: columns time, total, bad.
        An SLO counting slices or points gets those per bucket (none when a bucket is shorter than a slice)."""
        if slo.counts_events:
            expressions = counter_expressions(slo.indicator, step)
        else:
            expressions = slice_expressions(slo, step)
            if expressions is None:
                return _frame([], "total").assign(bad=[])
        deadline = time.monotonic() + self.settings.timeout_seconds  # both counters' queries, not each
        other = "bad" if slo.counts_events else "good"
        try:
            total = self.range(expressions["total"], start, end, step, deadline)
            counted = self.range(expressions[other], start, end, step, deadline)
        except QueryError as error:
            raise SourceError(f"Prometheus rejected the query of SLO {slo.name!r}: {error}") from None
        frame = _frame(total, "total").merge(_frame(counted, other), on="time", how="inner")
        if other == "good":
            frame = frame.assign(bad=frame["total"] - frame["good"].clip(upper=frame["total"])).drop(columns="good")
        return frame.sort_values("time", ignore_index=True)


@dataclass(frozen=True)
class _Answered:
    """The grouped queries' answers, looked up by read."""

    reads: list[CounterRead]
    queries: list[GroupedQuery]
    query_of: list[int]
    answers: list[GroupAnswer | QueryError]

    def refusal(self, position: int) -> QueryError | None:
        answer = self.answers[self.query_of[position]]
        return answer if isinstance(answer, QueryError) else None

    def events(self, position: int) -> float | None:
        return self.queries[self.query_of[position]].events(
            self.answers[self.query_of[position]], self.reads[position].selector
        )

    def events_by(self, position: int, split_by: tuple[str, ...]) -> dict[tuple[str, ...], float]:
        return self.queries[self.query_of[position]].events_by(
            self.answers[self.query_of[position]], self.reads[position].selector, split_by
        )


def _split_counts(slo, windows, read_of, inside_of, answered: _Answered, result: CountsResult, max_values: int) -> None:
    """A split SLO's counts per value of its split labels, from the same answers as its own; more values than
    ``max_values`` (``PROMETHEUS_MAX_SPLIT_VALUES``) is the SLO's error (a label that exploded), not a page of
    thousands of rows."""
    by_value: dict[tuple[str, ...], dict[str, EventCounts | None]] = {}

    def values_of(position: int) -> dict[tuple[str, ...], float]:
        return {} if answered.refusal(position) is not None else answered.events_by(position, slo.split_by)

    excluded_keys = set()
    for key in windows:
        events: dict[str, dict[tuple[str, ...], float]] = {}
        removed: dict[str, dict[tuple[str, ...], float]] = {}
        for role in ("total", "bad", "good"):
            position = read_of.get((slo.name, key, role))
            if position is None:
                continue
            events[role] = values_of(position)
            removed[role] = {}
            for inside in inside_of[(slo.name, key, role)]:
                excluded_keys.add(key)
                for value, amount in values_of(inside).items():
                    removed[role][value] = removed[role].get(value, 0.0) + amount
        # a value with total events but no series of the other counter has none of those: 0, not "no data"
        for value in events.get("total", {}):
            counts = _event_counts({role: found.get(value, 0.0) for role, found in events.items()})
            if counts is not None and key in excluded_keys:
                inside_counts = _event_counts({role: found.get(value, 0.0) for role, found in removed.items()})
                counts = adjusted_counts(counts, inside_counts)
            by_value.setdefault(value, {})[key] = counts
    if len(by_value) > max_values:
        labels = ", ".join(slo.split_by)
        result.errors[slo.name] = (
            f"SLO {slo.name!r} is split by {labels}, which has {len(by_value):,} values: over the "
            f"{max_values} this app shows (PROMETHEUS_MAX_SPLIT_VALUES); split by a label with fewer values, or "
            "narrow its selectors"
        )
        return
    result.split[slo.name] = {
        value: {key: counts.get(key) for key in windows} for value, counts in sorted(by_value.items())
    }


def _slice_terms(
    slos: list[SloDefinition], windows: dict[str, dict[str, timedelta]], at: datetime, exclusions: Exclusions
) -> list[tuple[str, str, str, int | None, str]]:
    """(SLO, window key, "total" or "good", adjusted interval or None, PromQL) for each window of each SLO counting
    slices or points, and for each budget adjustment's interval in it the slices ending there (the part of the
    interval where the window's own slices end): sent in the same ``or``-joined queries as the grouped counter
    reads, cut by length the same way."""
    terms = []
    for slo in slos:
        excluded = exclusions.get(slo.name, {})
        for key, window in windows[slo.name].items():
            expressions = slice_expressions(slo, window)
            if expressions is None:
                continue
            terms += [(slo.name, key, kind, None, text) for kind, text in expressions.items()]
            since = counted_since(at, window, counted_unit(slo))
            for part, interval in enumerate(excluded[key].intervals if key in excluded else ()):
                start = max(interval.start, since)
                if interval.end - start < timedelta(seconds=1):
                    continue
                inside = slice_expressions(slo, interval.end - start, interval.end)
                terms += [(slo.name, key, kind, part, text) for kind, text in inside.items()]
    return terms


def _number(text: str) -> float | None:
    value = float(text)
    return value if math.isfinite(value) else None


def _warnings(payload: dict) -> tuple[str, ...]:
    """What the engine said about its answer (``warnings``; newer Prometheus also ``infos``), as short text."""
    said = payload.get("warnings")
    if not isinstance(said, list):
        return ()
    return tuple(str(warning)[:300] for warning in said[:10] if isinstance(warning, str | int | float))


def _labelled_values(answer: list[dict]) -> list[tuple[dict[str, str], float]]:
    pairs = []
    for series in answer:
        value = _number(series["value"][1])
        if value is not None:
            pairs.append((series["metric"], value))
    return pairs


def _event_counts(events: dict[str, float | None]) -> EventCounts | None:
    """Total and bad events from an SLO's reads (bad as total − good when it counts good ones); ``None`` when a
    counter it needs has no series, as the batched ``total - good`` would have answered nothing."""
    total = events.get("total")
    bad = events["bad"] if "bad" in events else (None if events.get("good") is None else total - events["good"])
    return None if total is None or bad is None else EventCounts(total=total, bad=bad)


def _frame(answer: list[dict], column: str) -> pd.DataFrame:
    points = [(float(t), _number(v)) for series in answer for t, v in series["values"]]
    points = [(t, v) for t, v in points if v is not None]
    return pd.DataFrame(
        {
            "time": pd.to_datetime([t for t, _ in points], unit="s", utc=True),
            column: [v for _, v in points],
        }
    )
