"""The SLO feature's steps, run by the pages and the CLI alike: the burn report, one SLO's drill-down history and
its series, the tiers' firing history, the alert rule file and the snapshot collection. Pages and ``commands/``
call these and draw or print what they return; they hold no sequence of steps of their own."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import pandas as pd

from data.deadline import results_within
from data.settings import Settings
from data.slo.alert_history import HISTORY_SPAN, AlertHistory, load_alert_history
from data.slo.alert_rules import burn_rate_rules, rules_yaml
from data.slo.catalog import Catalog, Severity
from data.slo.long_windows import StoredDays, stored_days_for, window_counts_with_stored_days
from data.slo.shared_answers import SharedAnswers, source_identity
from data.slo.sources import SloSource, SourceError, SourceTimeout
from metrics.access import Actor
from metrics.slo.adjustments import Adjustment, adjust_buckets, covering, exclusions, expand
from metrics.slo.alert_history import firing_range
from metrics.slo.definitions import SloDefinition
from metrics.slo.periods import Period, current_period
from metrics.slo.report import PERIOD_KEY, SloReport, build_report, requested_windows
from metrics.slo.timeseries import (
    RECENT_SPAN,
    RECENT_STEP,
    SHOWN_RECENT_SPAN,
    TierHistory,
    budget_burn_down,
    period_step,
    rolling_burn_rates,
    rolling_window_events,
    sli_series,
    tier_histories,
)


def load_report(
    source: SloSource,
    slos: list[SloDefinition],
    at: datetime,
    adjustments: Sequence[Adjustment] = (),
    stored_days: StoredDays | None = None,
) -> SloReport:
    """Every SLO's status at ``at``. An unreachable source yields a report of "no data" rows plus its error.

    ``adjustments`` (budget adjustments in force): the events inside them count neither as good nor as bad in any
    window; each status keeps its raw figures beside the adjusted ones (``SloStatus.raw``). ``stored_days``: the
    windows that span whole days are summed from the daily rollups stored there plus their edges, read from the
    source (``data.slo.long_windows``); ``SloReport.long_windows`` says which."""
    excluded, covering_by_slo = adjustment_exclusions(slos, at, adjustments)
    long_windows = None
    try:
        if stored_days is not None and not source.is_demo:
            result, long_windows = window_counts_with_stored_days(source, slos, at, excluded, stored_days)
        else:
            result = source.window_counts(slos, at, excluded) if excluded else source.window_counts(slos, at)
    except SourceError as error:
        message = str(error)
        return build_report(
            slos, at, {}, {slo.name: message for slo in slos}, source.description, {source.description: message}
        )
    return build_report(
        slos,
        at,
        result.counts,
        result.errors,
        source.description,
        raw_counts_by_slo=result.raw,
        adjustments_by_slo=covering_by_slo,
        warnings=result.warnings,
        split_counts_by_slo=result.split,
        long_windows=long_windows,
    )


def adjustment_exclusions(
    slos: Sequence[SloDefinition], at: datetime, adjustments: Sequence[Adjustment]
) -> tuple[dict, dict[str, tuple[Adjustment, ...]]]:
    """Per SLO, the intervals each of its windows loses to the adjustments, and the adjustments that touch its
    period (for the "budget adjusted" mark)."""
    excluded, covering_by_slo = {}, {}
    if not adjustments:
        return excluded, covering_by_slo
    for slo in slos:
        windows = requested_windows(slo, at)
        parts = exclusions(adjustments, slo, windows, at)
        if parts:
            excluded[slo.name] = parts
            period = windows[PERIOD_KEY]
            covering_by_slo[slo.name] = tuple(
                adjustment
                for adjustment in covering(adjustments, slo)
                if expand([adjustment], at - period, at).intervals
            )
    return excluded, covering_by_slo


def split_value_slo(slo: SloDefinition, values: Sequence[tuple[str, str]]) -> SloDefinition:
    """The SLO over one value of its split labels alone (``SplitStatus.values``): each of its counters narrowed by
    ``label="value"``, not split. Its history is the value's own, read as any SLO's."""
    from dataclasses import replace

    from data.slo.promql import Matcher, SeriesSelector, parse_selector

    extra = tuple(Matcher(label, "=", value) for label, value in values)

    def narrowed(query: str | None) -> str | None:
        if query is None:
            return None
        selector = parse_selector(query)
        return str(SeriesSelector(selector.metric, selector.matchers + extra))

    indicator = slo.indicator
    narrowed_indicator = replace(
        indicator,
        total_query=narrowed(indicator.total_query),
        good_query=narrowed(indicator.good_query),
        bad_query=narrowed(indicator.bad_query),
    )
    return replace(slo, indicator=narrowed_indicator, split_by=())


@dataclass(frozen=True)
class SloHistory:
    slo: SloDefinition
    at: datetime
    period: Period
    period_buckets: pd.DataFrame  # hourly (or coarser) buckets from the period's start to ``at``
    recent_buckets: pd.DataFrame  # 5-minute buckets over the last six days


def load_history(
    source: SloSource, slo: SloDefinition, at: datetime, adjustments: Sequence[Adjustment] = ()
) -> SloHistory:
    """Raises ``SourceError`` when the source cannot answer; the page shows it in the drill-down panel only.

    A source with a timeout (Prometheus) gets it once for the whole history: both ranges are asked in parallel and
    waited for at most that long in all. ``adjustments``: the events inside those covering the SLO drop out of the
    buckets (``metrics.slo.adjustments.adjust_buckets``), so the series agree with the adjusted report."""
    period = current_period(slo.time_window, at)
    step = period_step(period)
    buckets_in_period = int((at - period.start) / step)
    period_start = at - step * max(buckets_in_period, 1)
    recent_start = at - RECENT_STEP * int(RECENT_SPAN / RECENT_STEP)
    ranges = [(period_start, step), (recent_start, RECENT_STEP)]
    # A routed source reads the SLO from its own DataSource, within that source's timeout.
    timeout = source_timeout(source.source_for(slo) if hasattr(source, "source_for") else source)
    if timeout is None:
        period_buckets, recent_buckets = (source.event_buckets(slo, start, at, each) for start, each in ranges)
    else:
        period_buckets, recent_buckets = within_timeout(
            [lambda start=start, each=each: source.event_buckets(slo, start, at, each) for start, each in ranges],
            timeout,
            f"{source.description} did not send the history of SLO {slo.name!r}",
        )
    mine = covering(adjustments, slo)
    if mine:
        excluded = expand(mine, min(period_start, recent_start) - max(step, RECENT_STEP), at).intervals
        period_buckets = adjust_buckets(period_buckets, step, excluded)
        recent_buckets = adjust_buckets(recent_buckets, RECENT_STEP, excluded)
    return SloHistory(slo, at, period, period_buckets, recent_buckets)


@dataclass(frozen=True)
class DrilldownSeries:
    """What the drill-down draws from an SLO's history (and ``slo-history`` prints)."""

    burn_rates: pd.DataFrame  # rolling burn rates per window over the recent buckets
    shown_burn_rates: pd.DataFrame  # the same since ``SHOWN_RECENT_SPAN`` before the instant: what the charts show
    tiers: list[TierHistory]  # per alert tier: firing now, since when, how often in the last day
    burn_down: pd.DataFrame  # budget remaining over the period so far
    sli: pd.DataFrame  # the SLI per period bucket


def drilldown_series(history: SloHistory) -> DrilldownSeries:
    slo, at = history.slo, history.at
    since = at - SHOWN_RECENT_SPAN
    burn_rates = rolling_burn_rates(history.recent_buckets, slo.target, windows=slo.windows)
    events = rolling_window_events(history.recent_buckets, tuple(tier.long_window for tier in slo.tiers))
    return DrilldownSeries(
        burn_rates=burn_rates,
        shown_burn_rates=burn_rates[burn_rates["time"] >= since],
        tiers=tier_histories(burn_rates, history.period.length, slo.tiers, since=since, events=events),
        burn_down=budget_burn_down(history.period_buckets, history.period, at, slo.target),
        sli=sli_series(history.period_buckets),
    )


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


class RequestError(ValueError):
    """What was asked for cannot be answered (an empty range, an unknown service, a catalog that would lose alerts);
    the message says why. ``problems``: the catalog's problems behind it, if any."""

    def __init__(self, message: str, problems: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.problems = tuple(problems)


def firing_history(
    source: SloSource,
    catalog: Catalog,
    now: datetime,
    team_timezone: str,
    first_day: date | None = None,
    last_day: date | None = None,
    services: Sequence[str] | None = None,
) -> AlertHistory:
    """When each SLO burn tier fired, from ``first_day`` (default: ``HISTORY_SPAN`` before ``now``) to the end of
    ``last_day`` (default: ``now``), days in the team's zone; ``services`` limits it (default: all). Raises
    ``RequestError`` for an empty range or an unknown service, ``SourceError`` when the source cannot answer."""
    try:
        start, end = firing_range(now, team_timezone, HISTORY_SPAN, first_day, last_day)
    except ValueError as error:
        raise RequestError(str(error)) from None
    known = catalog.service_names()
    unknown = [service for service in services or [] if service not in known]
    if unknown:
        raise RequestError(f"unknown service(s) {', '.join(unknown)}; known: {', '.join(known)}")
    return load_alert_history(source, catalog.slos, start, end, services or None)


@dataclass(frozen=True)
class RuleFile:
    text: str  # the YAML, with its header comment
    rules: int
    slos: int
    recordings: int = 0  # of ``rules``, the recording rules (``--recording``)


RULES_HEADER = (
    "Generated by `python cli.py slo-rules` from {catalog} at {generated}: one SLOBurnRate "
    "alert per SLO and tier.\nDo not edit: regenerate when the catalog changes and, for "
    "calendar SLOs, when a period starts.\nLoad it with `rule_files:` in prometheus.yml, then reload "
    "Prometheus; check it with `promtool check rules FILE`."
)
RECORDING_HEADER = (
    "\nWith --recording: each group records its tiers' error ratios as slo:sli_error:ratio_rate<window>"
    " first, and its alerts read them."
)


def alert_rule_file(
    catalog: Catalog,
    catalog_path: Path,
    at: datetime,
    adjustments: Sequence[Adjustment] = (),
    recording: bool = False,
) -> RuleFile:
    """The SLO burn tiers as a Prometheus rule file; ``at`` picks the calendar periods that scale the thresholds.

    Raises ``RequestError`` when the catalog has problems, or SLOs it cannot compute yet (either way an SLO would
    lose its alerts without a word), or defines no SLOs. Documents read but not used yet do not stop it."""
    skipped = [notice for notice in catalog.notices if notice.severity is Severity.NOT_HANDLED]
    if catalog.problems or skipped:
        findings = [*catalog.problems, *skipped]
        what = f"{len(catalog.problems)} problem(s)" if catalog.problems else f"{len(skipped)} SLO(s) not handled yet"
        raise RequestError(
            f"{catalog_path}: {what}; fix them first, so no SLO loses its alerts: nothing was written",
            [str(finding) for finding in findings],
        )
    if not catalog.slos:
        raise RequestError(f"{catalog_path} defines no SLOs: nothing was written")
    rule_file = burn_rate_rules(catalog.slos, at, adjustments=adjustments, recording=recording)
    header = RULES_HEADER.format(catalog=catalog_path, generated=at.isoformat(timespec="seconds"))
    if recording:
        header += RECORDING_HEADER
    rules = sum(len(group["rules"]) for group in rule_file["groups"])
    recordings = sum(1 for group in rule_file["groups"] for rule in group["rules"] if "record" in rule)
    return RuleFile(rules_yaml(rule_file, header), rules, len(catalog.slos), recordings)


@dataclass(frozen=True)
class SnapshotRun:
    taken_at: datetime  # the whole minute the snapshots are stored under
    stored: int  # new rows (a snapshot already stored for that minute and SLO is kept as it was)
    errors: dict[str, str]  # the report's errors: SLOs without numbers are not stored


def snapshot_rows(report: SloReport, taken_at: datetime) -> list[dict]:
    """One row per SLO with numbers (an SLO with an error has none to keep)."""
    return [
        {
            "taken_at": taken_at,
            "slo": s.slo.name,
            "service": s.slo.service,
            "target": s.slo.target,
            "period": s.slo.time_window.label,
            "sli": s.sli,
            "budget_remaining": s.budget_remaining,
            "burn_rates": s.burn_rates,
            "alert_state": s.alert_state,
            "source": report.source,
        }
        for s in report.statuses
        if s.error is None
    ]


def collect_snapshots(
    settings: Settings, slos: list[SloDefinition], at: datetime, actor: Actor, catalog: Catalog | None = None
) -> SnapshotRun:
    """Every SLO's status at ``at`` (to the minute), from the settings' source (and the ``catalog``'s DataSources),
    kept in their store (admins only)."""
    from data.slo.snapshots import save_snapshots
    from data.store import engine_for

    taken_at = at.replace(second=0, microsecond=0)
    from data.slo_adjustments.service import adjustments_in_force

    source = make_source(settings, demo_end=taken_at, catalog=catalog)
    report = load_report(source, slos, taken_at, adjustments_in_force(settings), stored_days_for(settings))
    stored = save_snapshots(engine_for(settings.database_url), snapshot_rows(report, taken_at), actor=actor)
    return SnapshotRun(taken_at, stored, dict(report.errors))


# No source holds samples before the Unix epoch, and windows reaching back from an instant near year 1 overflow.
EARLIEST_INSTANT = datetime(1970, 1, 1, tzinfo=UTC)


def parse_instant(text: str | None) -> datetime:
    """An ISO 8601 instant (naive means UTC), not before 1970; ``None`` means now. ``ValueError`` otherwise."""
    if not text:
        return datetime.now(UTC)
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    if moment < EARLIEST_INSTANT:
        raise ValueError(f"{text!r} is before 1970")
    return moment


def demo_history_end(settings: Settings, at: datetime) -> datetime:
    """Where the demo history ends when it is read at ``at``: at the app's now (``RELIABILITY_NOW`` or the clock),
    so a past instant reads the past of the very history "now" shows and its injected incidents stay where they
    happened; only an instant after now ends the history there (the demo has no future)."""
    now = settings.now()
    return at if at > now else now


def make_source(
    settings: Settings,
    demo_end: datetime | None = None,
    catalog: Catalog | None = None,
    slos: Sequence[SloDefinition] = (),
) -> SloSource:
    """Prometheus when one is configured, otherwise the demo history ending at ``demo_end`` (default: now).

    With a ``catalog`` that defines DataSources: a ``RoutedSource`` over that default and one Prometheus source per
    DataSource (its URL and headers from the catalog, its secrets and overrides from the environment,
    ``data.slo.named_sources``), so each SLO is read where its metricSourceRef says. Without: as above. ``slos``:
    for a caller holding SLOs rather than the catalog, the catalog is read when one of them names a DataSource."""
    from data.slo.prometheus import PrometheusSource

    if settings.prometheus is not None:
        default: SloSource = PrometheusSource(settings.prometheus, shared_answers_for(settings, settings.prometheus))
    else:
        from data.slo.demo import DemoSource

        default = DemoSource(end=demo_end)
    return with_data_sources(default, settings, catalog, slos)


def shared_answers_for(settings: Settings, prometheus) -> SharedAnswers | None:
    """The store's shared answers for the source ``prometheus`` (``PrometheusSettings``) when the settings share
    them (``Settings.shared_answers``; by default with a PostgreSQL or MariaDB store), else None."""
    from data.store import shared_engine
    from data.store.engine import as_sqlalchemy_url

    shared = settings.shared_answers
    if shared is None:
        shared = as_sqlalchemy_url(settings.database_url).get_backend_name() != "sqlite"
    if not shared:
        return None
    engine = shared_engine(settings.database_url)
    return SharedAnswers(engine, source_identity(prometheus), prometheus.cache_ttl_seconds)


def with_data_sources(
    default: SloSource, settings: Settings, catalog: Catalog | None = None, slos: Sequence[SloDefinition] = ()
) -> SloSource:
    """``default``, or a ``RoutedSource`` over it and the catalog's DataSources when there are any (the catalog read
    from the settings when ``slos`` name a DataSource and no catalog is given)."""
    if catalog is None and any(slo.data_source for slo in slos):
        from data.slo.catalog import load_catalog

        catalog = load_catalog(settings.catalog_path)
    if catalog is None or not catalog.data_sources:
        return default
    from data.slo.named_sources import named_source_settings
    from data.slo.prometheus import PrometheusSource
    from data.slo.routed import RoutedSource

    named = named_source_settings(
        catalog.data_sources, settings.source_options, settings.prometheus_options or settings.prometheus
    )
    return RoutedSource(
        default, {name: PrometheusSource(each, shared_answers_for(settings, each)) for name, each in named.items()}
    )
