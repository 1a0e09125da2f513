"""When the SLO burn tiers fired over a range: Prometheus's ``ALERTS`` series, or the demo history's own tiers.

Prometheus keeps the history of every alerting rule it evaluates in ``ALERTS`` (a point wherever an alert is
pending or firing), but only for rules it loads (``python cli.py slo-rules`` writes them) and only from the moment
they were loaded: rules never evaluate over backfilled or older data. Whether the rules are loaded comes from the
rules API; an ``ALERTS`` series for ``SLOBurnRate`` is history either way (a rule since removed still fired then).

The demo source has no Prometheus, so its history is computed the way the SLO burn page judges a tier: burn rates
over 5-minute buckets (``metrics.slo.timeseries.rolling_burn_rates``), each tier's rule at every bucket end.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta

from data.slo.alert_rules import ALERT_NAME, RULE_LABELS, URGENCY_LABEL
from data.slo.promql import escape_label_value
from data.slo.sources import SloSource
from metrics.slo.alert_history import (
    AlertKey,
    FiringInterval,
    evaluation_range,
    intervals_from_points,
    tier_firing_times_by_period,
)
from metrics.slo.alerts import Urgency
from metrics.slo.definitions import SloDefinition, parse_duration
from metrics.slo.timeseries import RECENT_STEP, rolling_burn_rates, rolling_window_events

HISTORY_SPAN = timedelta(days=90)  # what the incidents page shows, and the CLI's default
PROMETHEUS_STEP = timedelta(minutes=1)  # ALERTS is read once a minute: 90 days are 12 range queries
DEMO_STEP = RECENT_STEP
RULES_COMMAND = "python cli.py slo-rules"


@dataclass(frozen=True)
class AlertHistory:
    source: str  # the source's description
    first_evaluation: datetime
    last_evaluation: datetime
    step: timedelta
    intervals: tuple[FiringInterval, ...]  # newest first
    computed: bool  # True: computed from the demo history, not read from ALERTS
    notice: str | None = None  # why there is no history (no rules loaded), in plain words
    slos_without_rules: tuple[str, ...] = ()  # catalog SLOs the server loads no SLOBurnRate rule for
    ignored_series: int = 0  # SLOBurnRate series without the generated rules' labels (another generator's)
    covered_from: datetime | None = None  # the demo history's first instant
    query_count: int = field(default=0, compare=False)

    def to_dict(self) -> dict:
        return {
            "source": self.source,
            "computed_from_demo_history": self.computed,
            "from": self.first_evaluation.isoformat(),
            "to": self.last_evaluation.isoformat(),
            "step_seconds": self.step.total_seconds(),
            "notice": self.notice,
            "slos_without_rules": list(self.slos_without_rules),
            "ignored_series": self.ignored_series,
            "intervals": [interval.to_dict(self.last_evaluation) for interval in self.intervals],
        }


def alerts_selector(services: Sequence[str] | None = None) -> str:
    """``ALERTS{alertname="SLOBurnRate",alertstate="firing"}``, narrowed to some services if asked."""
    matchers = [f'alertname="{ALERT_NAME}"', 'alertstate="firing"']
    if services:
        alternatives = "|".join(_regex_literal(service) for service in sorted(set(services)))
        matchers.append(f'service=~"{escape_label_value(alternatives)}"')
    return "ALERTS{" + ",".join(matchers) + "}"


_RE2_SPECIAL = frozenset("\\.+*?()|[]{}^$")


def _regex_literal(text: str) -> str:
    """``text`` matched literally by an RE2 regular expression (PromQL's): its metacharacters escaped (RE2 refuses
    escapes of letters and spaces, so nothing else is)."""
    return "".join("\\" + c if c in _RE2_SPECIAL else c for c in text)


def load_alert_history(
    source: SloSource,
    slos: Sequence[SloDefinition],
    start: datetime,
    end: datetime,
    services: Sequence[str] | None = None,
    step: timedelta | None = None,
) -> AlertHistory:
    """Firing intervals of every SLO burn tier over [start, end], newest first; raises ``SourceError`` when the
    source cannot answer."""
    wanted = [slo for slo in slos if not services or slo.service in services]
    if hasattr(source, "source_for"):  # a catalog with DataSources: each SLO's firings where its rules run
        return _routed_history(source, wanted, start, end, services, step)
    if getattr(source, "is_demo", False):
        return _demo_history(source, wanted, start, end, step or DEMO_STEP)
    return _prometheus_history(source, wanted, start, end, services, step or PROMETHEUS_STEP)


def _routed_history(source, slos, start, end, services, step) -> AlertHistory:
    """The firings of each SLO read from the source it reads (``data.slo.routed.RoutedSource``): the ``ALERTS`` of
    the Prometheus its rules are loaded into. The default source failing raises, as with one source; a DataSource
    failing costs only its SLOs their history, said in the notice."""
    from data.slo.sources import SourceError

    groups, errors = source.partition(slos)
    notices = list(errors.values())
    histories = []
    for own, mine in groups:
        try:
            read = load_alert_history(own, mine, start, end, services, step)
        except SourceError as error:
            if own is source.default:
                raise
            notices.append(f"The firings of {', '.join(slo.name for slo in mine)} could not be read: {error}")
            continue
        names = {slo.name for slo in mine}
        histories.append(replace(read, intervals=tuple(i for i in read.intervals if i.key.slo in names)))
        if read.notice:
            notices.append(read.notice)
    if not histories:
        raise SourceError("; ".join(notices) or f"{source.description} could not be read")
    first = histories[0]
    intervals = sorted((i for h in histories for i in h.intervals), key=lambda i: (i.started, i.key), reverse=True)
    return replace(
        first,
        source=source.description,
        intervals=tuple(intervals),
        notice="; ".join(notices) or None,
        slos_without_rules=tuple(name for h in histories for name in h.slos_without_rules),
        ignored_series=sum(h.ignored_series for h in histories),
        query_count=sum(h.query_count for h in histories),
    )


def _prometheus_history(source, slos, start, end, services, step) -> AlertHistory:
    from data.slo.prometheus import QueryError

    queries_before = source.query_count
    first, last = evaluation_range(start, end, step)
    try:
        rules = source.alerting_rules()
    except QueryError:
        rules = None
    answer = source.range(alerts_selector(services), first, last, step)
    points: dict[AlertKey, list[datetime]] = {}
    ignored = 0
    urgencies = {
        (slo.name, tier.severity, tier.long_window, tier.short_window): tier.urgency
        for slo in slos
        for tier in slo.tiers
    }
    for series in answer:
        labels = series["metric"]
        urgency = _urgency(labels, urgencies)
        if any(not labels.get(name) for name in RULE_LABELS) or urgency is None:
            ignored += 1
            continue
        key = AlertKey(*(labels[name] for name in RULE_LABELS), urgency)
        points.setdefault(key, []).extend(datetime.fromtimestamp(float(t), tz=UTC) for t, _ in series["values"])
    intervals = tuple(intervals_from_points(points, step, first, last))
    ours = [rule for rule in rules or [] if rule.get("name") == ALERT_NAME]
    loaded = {rule.get("labels", {}).get("slo") for rule in ours}
    notice = None
    if not intervals and rules is not None and not ours:
        notice = f"no SLO burn alert rules are loaded in {source.description}: generate them with `{RULES_COMMAND}`"
    elif not intervals and rules is None and not points:
        notice = (
            f"{source.description} has no {ALERT_NAME} alerts in its ALERTS series over this range, and no rules "
            f"API to say whether the SLO burn alert rules are loaded: if not, generate them with "
            f"`{RULES_COMMAND}`"
        )
    without = tuple(slo.name for slo in slos if slo.name not in loaded) if ours else ()
    return AlertHistory(
        source.description,
        first,
        last,
        step,
        intervals,
        computed=False,
        notice=notice,
        slos_without_rules=without,
        ignored_series=ignored,
        query_count=source.query_count - queries_before,
    )


def _urgency(labels: dict[str, str], urgencies: dict[tuple[str, str, str, str], Urgency]) -> Urgency | None:
    """Whether an alert pages or tickets: its ``urgency`` label (the generated rules write one), else the catalog's
    tier of that SLO, severity and windows, else a severity that is an urgency's own word (rules written before
    severities could be renamed); ``None`` when nothing says."""
    known = {urgency.value: urgency for urgency in Urgency}
    if labels.get(URGENCY_LABEL) in known:
        return known[labels[URGENCY_LABEL]]
    tier = (labels.get("slo"), labels.get("severity"), labels.get("long_window"), labels.get("short_window"))
    return urgencies.get(tier) or known.get(labels.get("severity", ""))


def _demo_history(source, slos, start, end, step) -> AlertHistory:
    first, last = evaluation_range(start, end, step)
    points: dict[AlertKey, list[datetime]] = {}
    for slo in slos:
        longest = max(parse_duration(window) for window in slo.windows)
        buckets = source.event_buckets(slo, first - longest, last, step)
        if buckets.empty:
            continue
        rates = rolling_burn_rates(buckets, slo.target, step=step, windows=slo.windows)
        events = rolling_window_events(buckets, slo.windows, step=step)
        rates = rates[rates["time"] >= first]
        for tier, moments in tier_firing_times_by_period(rates, slo.time_window, slo.tiers, events).items():
            if moments:
                points[AlertKey.for_tier(slo.name, slo.service, tier)] = moments
    history = getattr(source, "history", None)
    return AlertHistory(
        source.description,
        first,
        last,
        step,
        tuple(intervals_from_points(points, step, first, last)),
        computed=True,
        covered_from=history.start if history is not None else None,
    )
