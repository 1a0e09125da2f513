"""The SLO burn tiers as Prometheus alerting rules, so Prometheus evaluates them and keeps their firing history in
its ``ALERTS`` series.

Why here and not in ``metrics``: this is PromQL text, and the app's PromQL is written in ``data`` (``data.slo.promql``),
from the same sub-expressions the Prometheus source counts windows with, so a rule and the SLO burn page agree.
Nothing here does I/O; the caller dumps the dict as YAML (``rules_yaml``).

One alert, ``SLOBurnRate``, per SLO and tier it has switched on (``SloDefinition.tiers``), labelled ``slo``,
``service``, ``severity`` (the team's name for it: page, ticket, or its own such as P1), ``urgency`` (page or
ticket, whatever the severity is called), ``long_window`` and ``short_window``. Its expression is the SRE
Workbook's multiwindow rule, event-weighted::

    bad(long) / total(long) > threshold × (1 − target)  and  bad(short) / total(short) > threshold × (1 − target)

with the Workbook's thresholds scaled to the SLO's period (14.4 / 6 / 3 / 1 for 30 days), or an AlertCondition's
burn rate and ``op`` as written. Choices:

- No ``for:`` for the Workbook's tiers: the short window already makes the alert stop soon after the burn does, and
  the long one keeps a blip from firing; the Workbook's rules have none. An AlertCondition's ``alertAfter`` is its
  ``for:``.
- A tier with a minimum-traffic guard adds ``and sum(increase(total[long])) >= N`` (and the same of the bad events
  for ``min_bad_events``), as the SLO burn page judges it; no events at all is no data, and an empty ratio never
  fires.
- Calendar periods (``1M``, ``1w`` calendar) change length; their thresholds are the period's that contains the
  generation instant (``at``), so regenerate the file when a period starts (from cron), as for a changed catalog.
- Budget adjustments: a rule cannot take the events inside an adjustment out of its windows (which part of a window
  an adjustment covers changes with every evaluation, and a rule file is fixed text), so a tier is instead silenced
  from an adjustment's start until its long window has moved past the adjustment's end:
  ``unless on() (vector(time()) >= start and vector(time()) < end + long window)``. That covers the adjustments
  in force from ``at`` to ``RULES_HORIZON`` after it (a recurring one: each occurrence, at most
  ``MAX_OCCURRENCES``): regenerate the file at least that often, and after entering or removing an adjustment. A
  real incident inside a silenced span does not page through these rules; the SLO burn page still shows it.
- Recording rules (``recording=True``, ``slo-rules --recording``): the error ratio of each window the SLO's tiers
  use, recorded as ``slo:sli_error:ratio_rate<window>`` (the name Sloth and Pyrra give it) labelled ``slo`` and
  ``service``, in the SLO's group before its alerts, so the alerts read the ratio recorded in the same evaluation
  instead of scanning the raw counters of each window again. The minimum-traffic guard still counts the raw
  events (it needs the count, not the ratio).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

import yaml

from data.slo.promql import counted_expressions, escape_label_value
from metrics.formatting import format_burn_rate, format_percent, format_target
from metrics.slo.adjustments import Adjustment, Interval, covering, expand, merge
from metrics.slo.alerts import AlertTier
from metrics.slo.definitions import SloDefinition, format_prometheus_duration, parse_duration
from metrics.slo.periods import current_period

ALERT_NAME = "SLOBurnRate"
GROUP_PREFIX = "slo-burn-"
RULE_LABELS = ("slo", "service", "severity", "long_window", "short_window")
URGENCY_LABEL = "urgency"  # page or ticket, whatever the team calls the severity
RULES_HORIZON = timedelta(days=7)  # how far ahead of ``at`` the rules silence tiers for budget adjustments
RECORDING_PREFIX = "slo:sli_error:ratio_rate"


def _number(value: float) -> str:
    """A float as PromQL reads it, without binary noise: 1 − 0.999 is written 0.001."""
    return f"{value:.12g}"


def template_literal(text: str) -> str:
    """Text shown verbatim in an annotation: annotations are Go templates, where ``{{`` opens an action."""
    return text.replace("{{", '{{ "{{" }}')


def error_ratio_expression(slo: SloDefinition, window: str) -> str:
    """Bad over total events in ``window``, weighted by events (never an average of ratios); bad over all slices
    (points) for an SLO counting those."""
    counts = counted_expressions(slo, parse_duration(window), by=slo.split_by)
    return f"{counts['bad']} / {counts['total']}"


def recording_name(window: str) -> str:
    """``slo:sli_error:ratio_rate5m``: the recorded error ratio over ``window``, written as Prometheus writes it."""
    return f"{RECORDING_PREFIX}{format_prometheus_duration(parse_duration(window))}"


def recorded_windows(tiers: Sequence[AlertTier]) -> list[str]:
    """Every window the tiers read (long and short), shortest first, each once."""
    windows = {
        format_prometheus_duration(parse_duration(w)) for tier in tiers for w in (tier.long_window, tier.short_window)
    }
    return sorted(windows, key=parse_duration)


def recording_rules(slo: SloDefinition, windows: Sequence[str]) -> list[dict]:
    """One recording rule per window: the SLO's event-weighted error ratio, labelled with the SLO and service."""
    return [
        {
            "record": recording_name(window),
            "expr": error_ratio_expression(slo, window),
            "labels": {"slo": slo.name, "service": slo.service},
        }
        for window in windows
    ]


def recorded_ratio(slo: SloDefinition, window: str) -> str:
    """The recorded error ratio of ``slo`` over ``window``, selected by its ``slo`` label."""
    return f'{recording_name(window)}{{slo="{escape_label_value(slo.name)}"}}'


def tier_expression(slo: SloDefinition, tier: AlertTier, threshold: float, recorded: bool = False) -> str:
    """The tier's multiwindow rule; ``recorded``: over the recorded ratios (``recording_rules``) instead of the raw
    counters. The guard's counts have no labels but a split SLO's, so with recorded ratios (labelled) it joins
    ``on()`` those. A split SLO's rule fires per value of its labels (``sum by (route)``), each alert carrying
    the value."""
    limit = f"{_number(threshold)} * {_number(slo.error_budget)}"
    op = tier.op.symbol
    ratio = recorded_ratio if recorded else error_ratio_expression
    expression = (
        f"(\n  {ratio(slo, tier.long_window)}\n  {op} {limit}\n)\nand\n"
        f"(\n  {ratio(slo, tier.short_window)}\n  {op} {limit}\n)"
    )
    counts = counted_expressions(slo, parse_duration(tier.long_window), by=slo.split_by)
    join = f"and on({', '.join(slo.split_by)})" if recorded else "and"
    if tier.min_events is not None:
        expression += f"\n{join}\n(\n  {counts['total']}\n  >= {tier.min_events}\n)"
    if tier.min_bad_events is not None:
        expression += f"\n{join}\n(\n  {counts['bad']}\n  >= {tier.min_bad_events}\n)"
    return expression


def silenced_spans(
    slo: SloDefinition, tier: AlertTier, at: datetime, adjustments: Sequence[Adjustment]
) -> list[Interval]:
    """When the tier is silenced for the budget adjustments covering ``slo``: each window from its start until the
    tier's long window has moved past its end, for the windows that touch [at − long window, at + horizon]."""
    long_window = parse_duration(tier.long_window)
    windows = expand(covering(adjustments, slo), at - long_window, at + RULES_HORIZON).intervals
    spans = merge(Interval(window.start, window.end + long_window) for window in windows)
    return [span for span in spans if span.end > at]


def silence_expression(spans: Sequence[Interval]) -> str:
    """``unless on() (...)``: nothing while the evaluation time is inside one of ``spans`` (whole seconds)."""
    inside = " or ".join(
        f"(vector(time()) >= {int(span.start.timestamp())} and vector(time()) < {int(span.end.timestamp())})"
        for span in spans
    )
    return f"\nunless on()\n(\n  {inside}\n)"


def tier_rule(
    slo: SloDefinition,
    tier: AlertTier,
    at: datetime,
    adjustments: Sequence[Adjustment] = (),
    recorded: bool = False,
) -> dict:
    period = current_period(slo.time_window, at)
    threshold = tier.threshold(period.length)
    name = template_literal(slo.display_name or slo.name)
    budget_share = format_percent(tier.budget_share(period.length), decimals=0)
    period_text = f"target {format_target(slo.target)} over {slo.time_window.label}"
    if not slo.time_window.is_rolling:
        period_text += (
            f"; the period {period.start.date().isoformat()} to {period.end.date().isoformat()} lasts "
            f"{format_prometheus_duration(period.length)}"
        )
    rule = {
        "alert": ALERT_NAME,
        "expr": tier_expression(slo, tier, threshold, recorded),
        "labels": {
            "slo": slo.name,
            "service": slo.service,
            "severity": tier.severity,
            URGENCY_LABEL: tier.urgency.value,
            "long_window": tier.long_window,
            "short_window": tier.short_window,
        },
        "annotations": {
            "summary": (
                f"{name}{_value_text(slo)} burns its error budget over {format_burn_rate(threshold)} "
                f"({tier.long_window} and {tier.short_window})"
            ),
            "description": (
                f"The error ratio over {tier.long_window} and over {tier.short_window} is above "
                f"{format_burn_rate(threshold)} the error budget of {format_target(slo.error_budget)} "
                f"({period_text}): at this rate "
                f"{budget_share} of the period's budget goes in {tier.long_window}. Error ratio over "
                f"{tier.long_window}: {{{{ $value | humanizePercentage }}}}." + _guard_text(tier)
            ),
        },
    }
    spans = silenced_spans(slo, tier, at, adjustments)
    if spans:
        rule["expr"] = f"(\n{rule['expr']}\n){silence_expression(spans)}"
        rule["annotations"]["description"] += (
            f" Silenced during {len(spans)} budget adjustment span(s) until {tier.long_window} after each ends."
        )
    if tier.alert_after and parse_duration(tier.alert_after).total_seconds() > 0:
        rule = {"alert": rule.pop("alert"), "expr": rule.pop("expr"), "for": tier.alert_after, **rule}
    return rule


def _value_text(slo: SloDefinition) -> str:
    """`` for route={{ $labels.route }}``: which value of a split SLO an alert is about, filled in by Prometheus."""
    if not slo.split_by:
        return ""
    return " for " + ", ".join(f"{label}={{{{ $labels.{label} }}}}" for label in slo.split_by)


def _guard_text(tier: AlertTier) -> str:
    parts = []
    if tier.min_events is not None:
        parts.append(f"at least {tier.min_events} events")
    if tier.min_bad_events is not None:
        parts.append(f"at least {tier.min_bad_events} bad events")
    return f" It fires only when the {tier.long_window} window holds {' and '.join(parts)}." if parts else ""


def burn_rate_rules(
    slos: Sequence[SloDefinition],
    at: datetime,
    tiers: Sequence[AlertTier] | None = None,
    adjustments: Sequence[Adjustment] = (),
    recording: bool = False,
) -> dict:
    """A Prometheus rule file: one group per SLO with tiers (groups are evaluated in parallel), one rule per tier it
    has switched on; ``tiers`` overrides every SLO's own. An SLO with every tier off has no group. ``adjustments``:
    budget adjustments whose spans silence the tiers of the SLOs they cover (see the module's notes).
    ``recording``: the group starts with the recording rules of its tiers' windows, and the alerts read them (rules
    of a group run in order, so each alert sees the ratios recorded in the same evaluation)."""
    groups = []
    for slo in slos:
        chosen = slo.tiers if tiers is None else tiers
        rules = [tier_rule(slo, tier, at, adjustments, recording) for tier in chosen]
        if rules and recording:
            rules = recording_rules(slo, recorded_windows(chosen)) + rules
        if rules:
            groups.append({"name": f"{GROUP_PREFIX}{slo.name}", "rules": rules})
    return {"groups": groups}


class _RuleDumper(yaml.SafeDumper):
    """Multi-line expressions as literal blocks, so the file reads like a hand-written one."""


def _string(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_RuleDumper.add_representer(str, _string)


def rules_yaml(rule_file: dict, header: str = "") -> str:
    """The rule file as YAML, after ``header`` lines written as comments."""
    comments = "".join(f"# {line}\n" if line else "#\n" for line in header.splitlines())
    return comments + yaml.dump(rule_file, Dumper=_RuleDumper, sort_keys=False, allow_unicode=True, width=10_000)
