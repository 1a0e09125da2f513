"""The Prometheus source: every SLO's window counts in a fixed number of batched HTTP queries.

Anything that speaks Prometheus's HTTP API (Thanos Query, Mimir, VictoriaMetrics) works the same way. Every query
names its evaluation instant (``time=``): without it Prometheus evaluates at "now" and a backfilled or lagging
server answers nothing.
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import pandas as pd
import requests
from prometheus_api_client import PrometheusApiClientException, PrometheusConnect
from urllib3.util.retry import Retry

from data.deadline import results_within
from data.secrets import SecretUrl, remember_secret
from data.slo.promql import SLO_LABEL, batched, counter_expressions
from data.slo.sources import CountsResult, SourceError, SourceTimeout
from metrics.slo.definitions import BURN_WINDOWS, EventCounts, SloDefinition
from metrics.slo.report import requested_windows

MAX_POINTS_PER_SERIES = 11_000  # Prometheus refuses range queries with more points per series
PARALLEL_QUERIES = 4


class _FormPostSession(requests.Session):
    """Sends query parameters in the POST body, where long batched queries belong, and times each answer.

    prometheus-api-client passes ``params`` even for POST, which would put a 40 kB query into the URL.
    """

    def __init__(self) -> None:
        super().__init__()
        self._lock = threading.Lock()
        self.http_queries = 0
        self.elapsed_seconds = 0.0
        self.server_seconds = 0.0

    def request(self, method, url, params=None, **kwargs):
        if method.upper() == "POST" and params and "/api/v1/query" in url:
            kwargs["data"] = params
            params = None
        response = super().request(method, url, params=params, **kwargs)
        server_seconds = 0.0
        if response.ok and "stats" in (kwargs.get("data") or params or {}):
            timings = response.json().get("data", {}).get("stats", {}).get("timings", {})
            server_seconds = float(timings.get("execTotalTime", 0.0))
        with self._lock:
            self.http_queries += 1
            self.elapsed_seconds += response.elapsed.total_seconds()
            self.server_seconds += server_seconds
        return response


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
    collect_server_timings: bool = False

    def __post_init__(self) -> None:
        """Whoever builds these settings (the environment, ``--prometheus-url``, a test) teaches ``redact`` the
        credentials, so no message about this source can quote them."""
        remember_secret(self.password, self.bearer_token)
        SecretUrl.parse(self.url)  # credentials or a token in the URL itself

    def __repr__(self) -> str:
        shown = {
            name: getattr(self, name)
            for name in ("name", "username", "verify_tls", "timeout_seconds", "cache_ttl_seconds")
        }
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


class PrometheusSource:
    is_demo = False

    def __init__(self, settings: PrometheusSettings) -> None:
        self.settings = settings
        self.description = f"{settings.name} ({SecretUrl.parse(settings.url).describe(userinfo=False)})"
        self._session = _FormPostSession()
        self._session.verify = settings.verify_tls
        headers = {"Authorization": f"Bearer {settings.bearer_token}"} if settings.bearer_token else None
        auth = (settings.username, settings.password or "") if settings.username else None
        self._client = PrometheusConnect(
            url=settings.url.rstrip("/"),
            headers=headers,
            auth=auth,
            session=self._session,
            timeout=settings.timeout_seconds,
            method="POST",
            retry=Retry(total=1, connect=1, read=0, status=0, backoff_factor=0.1),
        )
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

    # -- HTTP
    def _params(self, extra: dict) -> dict:
        params = dict(extra)
        if self.settings.collect_server_timings:
            params["stats"] = "all"
        return params

    def _call(self, function, *args, **kwargs):
        try:
            return function(*args, **kwargs)
        except requests.exceptions.Timeout:
            raise SourceTimeout(
                f"{self.description} did not answer within {self.settings.timeout_seconds:g} s; "
                "it may be overloaded: try again, or raise PROMETHEUS_TIMEOUT_SECONDS"
            ) from None
        except requests.exceptions.SSLError:
            raise SourceError(
                f"{self.description}: the TLS certificate could not be verified; set PROMETHEUS_CA_BUNDLE "
                "or PROMETHEUS_VERIFY_TLS=false"
            ) from None
        except requests.exceptions.RequestException as error:
            reason = type(error).__name__.replace("Error", " error").strip().lower()
            raise SourceError(
                f"{self.description} is unreachable ({reason}); check that it runs and that PROMETHEUS_URL is right"
            ) from None
        except PrometheusApiClientException as error:
            raise self._query_error(str(error)) from None

    def _query_error(self, text: str) -> Exception:
        if "HTTP Status Code 401" in text or "HTTP Status Code 403" in text:
            return SourceError(f"{self.description} refused the credentials; check PROMETHEUS_TOKEN or the user")
        if "HTTP Status Code 400" in text or "HTTP Status Code 422" in text:
            detail = text.split('"error":"', 1)[-1].split('"', 1)[0] if '"error":"' in text else text
            return QueryError(detail.replace("\\\\", "\\"))
        code = text.split("(", 1)[0].strip()
        return SourceError(f"{self.description} answered with an error ({code}); try again shortly")

    def instant(self, query: str, at: datetime) -> list[dict]:
        key = ("instant", query, at.timestamp())
        cached = self._cache.get(key)
        if cached is not None:
            return cached  # type: ignore[return-value]
        result = self._call(self._client.custom_query, query, params=self._params({"time": f"{at.timestamp():.3f}"}))
        self._cache.put(key, result)
        return result

    def range(self, query: str, start: datetime, end: datetime, step: timedelta) -> list[dict]:
        """A range query, split into pieces so no piece exceeds Prometheus's points-per-series limit."""
        key = ("range", query, start.timestamp(), end.timestamp(), step.total_seconds())
        cached = self._cache.get(key)
        if cached is not None:
            return cached  # type: ignore[return-value]
        merged: dict[tuple, dict] = {}
        piece_start = start
        span = step * (MAX_POINTS_PER_SERIES - 1)
        while piece_start <= end:
            piece_end = min(end, piece_start + span)
            answer = self._call(
                self._client.custom_query_range,
                query,
                piece_start,
                piece_end,
                f"{step.total_seconds():g}",
                params=self._params({}),
            )
            for series in answer:
                labels = tuple(sorted(series["metric"].items()))
                merged.setdefault(labels, {"metric": series["metric"], "values": []})["values"].extend(series["values"])
            piece_start = piece_end + step
        result = list(merged.values())
        self._cache.put(key, result)
        return result

    def alerting_rules(self) -> list[dict] | None:
        """The alerting rules the server evaluates (``/api/v1/rules?type=alert``), each with its group's name under
        ``group``; ``None`` when the server has no rules API (it answers 404), so nobody can tell what is loaded."""

        def fetch():
            response = self._session.request(
                "GET",
                f"{self._client.url}/api/v1/rules",
                params={"type": "alert"},
                headers=self._client.headers,
                auth=self._client.auth,
                timeout=self.settings.timeout_seconds,
            )
            if response.status_code == 404:
                return None
            if not response.ok:
                raise PrometheusApiClientException(f"HTTP Status Code {response.status_code} ({response.content!r})")
            groups = response.json().get("data", {}).get("groups", [])
            return [{**rule, "group": group.get("name", "")} for group in groups for rule in group.get("rules", [])]

        return self._call(fetch)

    # -- SLO counts
    def window_counts(self, slos: list[SloDefinition], at: datetime) -> CountsResult:
        """Counts for every SLO and window in 2 × (burn windows + period) queries, whatever the number of SLOs."""
        result = CountsResult()
        windows = {slo.name: requested_windows(slo, at) for slo in slos}
        keys = list(BURN_WINDOWS) + ["period"]
        healthy = list(slos)
        # One deadline for all of it, the search for a rejected query included: a slow server costs the page the
        # configured timeout once, not once per round of parallel queries.
        deadline = time.monotonic() + self.settings.timeout_seconds
        try:
            answers = self._batched_answers(healthy, windows, keys, at, deadline)
        except QueryError:
            for slo in slos:
                try:
                    self._batched_answers([slo], windows, ["5m"], at, deadline)
                except QueryError as error:
                    result.errors[slo.name] = f"Prometheus rejected the query of SLO {slo.name!r}: {error}"
            healthy = [slo for slo in slos if slo.name not in result.errors]
            answers = self._batched_answers(healthy, windows, keys, at, deadline) if healthy else {}
        for slo in slos:
            if slo.name in result.errors:
                result.counts[slo.name] = {key: None for key in keys}
                continue
            counts: dict[str, EventCounts | None] = {}
            for key in keys:
                total = answers.get((key, "total"), {}).get(slo.name)
                bad = answers.get((key, "bad"), {}).get(slo.name)
                counts[key] = None if total is None or bad is None else EventCounts(total=total, bad=bad)
            result.counts[slo.name] = counts
        return result

    def _batched_answers(
        self, slos, windows, keys, at, deadline: float | None = None
    ) -> dict[tuple[str, str], dict[str, float]]:
        """The batched queries, ``PARALLEL_QUERIES`` at a time, all answered by ``deadline`` (``time.monotonic()``;
        default: the timeout from now) or ``SourceError``. Queries still running then end on their own timeout."""
        jobs = []
        for key in keys:
            # A calendar period that began less than a second ago has no window yet: no data, not a query error.
            measurable = [slo for slo in slos if windows[slo.name][key] >= timedelta(seconds=1)]
            if not measurable:
                continue
            for kind in ("total", "bad"):
                expressions = {
                    slo.name: counter_expressions(slo.indicator, windows[slo.name][key])[kind] for slo in measurable
                }
                jobs.append(((key, kind), batched(expressions)))
        if deadline is None:
            deadline = time.monotonic() + self.settings.timeout_seconds

        def too_late(unanswered: int, total: int) -> SourceError:
            # a request's own timeout and the page's end together: one message, the page's
            return SourceError(
                f"{self.description} did not answer within {self.settings.timeout_seconds:g} s (the timeout for all "
                f"of a page's queries; {unanswered} of {total} were unanswered); it may be overloaded: try again, "
                "or raise PROMETHEUS_TIMEOUT_SECONDS"
            )

        answers = results_within(
            [lambda query=job[1]: self.instant(query, at) for job in jobs],
            deadline - time.monotonic(),
            too_late=too_late,
            timeout_errors=(SourceTimeout,),  # any other SourceError or QueryError: no need to wait for the others
            max_workers=PARALLEL_QUERIES,
            thread_name_prefix="prometheus-query",
        )
        return {job[0]: _values_by_slo(answer) for job, answer in zip(jobs, answers)}

    def event_buckets(self, slo: SloDefinition, start: datetime, end: datetime, step: timedelta) -> pd.DataFrame:
        """Events per bucket of ``step`` ending at each step from ``start`` to ``end``: columns time, total, bad."""
        expressions = counter_expressions(slo.indicator, step)
        try:
            total = self.range(expressions["total"], start, end, step)
            bad = self.range(expressions["bad"], start, end, step)
        except QueryError as error:
            raise SourceError(f"Prometheus rejected the query of SLO {slo.name!r}: {error}") from None
        total_frame = _frame(total, "total")
        bad_frame = _frame(bad, "bad")
        frame = total_frame.merge(bad_frame, on="time", how="inner")
        return frame.sort_values("time", ignore_index=True)


def _number(text: str) -> float | None:
    value = float(text)
    return value if math.isfinite(value) else None


def _values_by_slo(answer: list[dict]) -> dict[str, float]:
    values = {}
    for series in answer:
        value = _number(series["value"][1])
        if value is not None:
            values[series["metric"].get(SLO_LABEL, "")] = value
    return values


def _frame(answer: list[dict], column: str) -> pd.DataFrame:
    points = [(float(t), _number(v)) for series in answer for t, v in series["values"]]
    points = [(t, v) for t, v in points if v is not None]
    return pd.DataFrame(
        {
            "time": pd.to_datetime([t for t, _ in points], unit="s", utc=True),
            column: [v for _, v in points],
        }
    )
