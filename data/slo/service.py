"""The SLO burn report and one SLO's drill-down history, read from a source: the one place pages and the CLI
turn a catalog and a source into numbers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import pandas as pd

from data.deadline import results_within
from data.settings import Settings
from data.slo.sources import SloSource, SourceError, SourceTimeout
from metrics.slo.definitions import SloDefinition
from metrics.slo.periods import Period, current_period
from metrics.slo.report import SloReport, build_report
from metrics.slo.timeseries import RECENT_SPAN, RECENT_STEP, period_step


def load_report(source: SloSource, slos: list[SloDefinition], at: datetime) -> SloReport:
    """Every SLO's status at ``at``. An unreachable source yields a report of "no data" rows plus its error."""
    try:
        result = source.window_counts(slos, at)
    except SourceError as error:
        message = str(error)
        return build_report(
            slos, at, {}, {slo.name: message for slo in slos}, source.description, {source.description: message}
        )
    return build_report(slos, at, result.counts, result.errors, source.description)


@dataclass(frozen=True)
class SloHistory:
    slo: SloDefinition
    at: datetime
    period: Period
    period_buckets: pd.DataFrame  # hourly (or coarser) buckets from the period's start to ``at``
    recent_buckets: pd.DataFrame  # 5-minute buckets over the last six days


def load_history(source: SloSource, slo: SloDefinition, at: datetime) -> SloHistory:
    """Raises ``SourceError`` when the source cannot answer; the page shows it in the drill-down panel only.

    A source with a timeout (Prometheus) gets it once for the whole history: both ranges are asked in parallel and
    waited for at most that long in all."""
    period = current_period(slo.time_window, at)
    step = period_step(period)
    buckets_in_period = int((at - period.start) / step)
    period_start = at - step * max(buckets_in_period, 1)
    recent_start = at - RECENT_STEP * int(RECENT_SPAN / RECENT_STEP)
    ranges = [(period_start, step), (recent_start, RECENT_STEP)]
    timeout = source_timeout(source)
    if timeout is None:
        period_buckets, recent_buckets = (source.event_buckets(slo, start, at, each) for start, each in ranges)
    else:
        period_buckets, recent_buckets = within_timeout(
            [lambda start=start, each=each: source.event_buckets(slo, start, at, each) for start, each in ranges],
            timeout,
            f"{source.description} did not send the history of SLO {slo.name!r}",
        )
    return SloHistory(slo, at, period, period_buckets, recent_buckets)


def source_timeout(source: SloSource) -> float | None:
    """The time a source may take for one panel's reads in all; None for sources without one (the demo)."""
    timeout = getattr(getattr(source, "settings", None), "timeout_seconds", None)
    return float(timeout) if timeout is not None else None


def within_timeout(calls: list, timeout_s: float, what: str) -> list:
    """The calls' results, run in parallel and waited for at most ``timeout_s`` in all; the first failure
    propagates, and a call still running then raises ``SourceError`` ("<what> within 2 s (the timeout …)").
    Calls still running end on their own request timeouts, in their own threads (``data.deadline``)."""

    def too_late(unanswered: int, total: int) -> SourceError:
        return SourceError(
            f"{what} within {timeout_s:g} s (the timeout for all of a panel's queries); it may be "
            "overloaded: try again, or raise PROMETHEUS_TIMEOUT_SECONDS"
        )

    return results_within(
        calls, timeout_s, too_late=too_late, timeout_errors=(SourceTimeout,), thread_name_prefix="source-read"
    )


def parse_instant(text: str | None) -> datetime:
    """An ISO 8601 instant (naive means UTC); ``None`` means now."""
    if not text:
        return datetime.now(UTC)
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def make_source(settings: Settings, demo_end: datetime | None = None) -> SloSource:
    """Prometheus when one is configured, otherwise the demo history ending at ``demo_end`` (default: now)."""
    if settings.prometheus is not None:
        from data.slo.prometheus import PrometheusSource

        return PrometheusSource(settings.prometheus)
    from data.slo.demo import DemoSource

    return DemoSource(end=demo_end)
