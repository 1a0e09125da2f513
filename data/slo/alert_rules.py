"""The SLO burn tiers as Prometheus alerting rules, so Prometheus evaluates them and keeps their firing history in
its ``ALERTS`` series.

Why here and not in ``metrics``: this is PromQL text, and the app's PromQL is written in ``data`` (``data.slo.promql``),
from the same sub-expressions the Prometheus source counts windows with, so a rule and the SLO burn page agree.
Nothing here does I/O; the caller dumps the dict as YAML (``rules_yaml``).

One alert, ``SLOBurnRate``, per SLO and tier, labelled ``slo``, ``service``, ``severity`` (page or ticket),
``long_window`` and ``short_window``. Its expression is the SRE Workbook's multiwindow rule, event-weighted::

    bad(long) / total(long) > threshold × (1 − target)  and  bad(short) / total(short) > threshold × (1 − target)

with the threshold scaled to the SLO's period (14.4 / 6 / 3 / 1 for 30 days). Choices:

- No ``for:``: the short window already makes the alert stop soon after the burn does, and the long one keeps a
  blip from firing; the Workbook's rules have none. The history then starts when the condition held.
- No minimum-traffic guard: a quiet service whose few requests fail fires like a busy one. Out of scope here, as on
  the SLO burn page; no events at all is no data, and an empty ratio never fires.
- Calendar periods (``1M``, ``1w`` calendar) change length; their thresholds are the period's that contains the
  generation instant (``at``), so regenerate the file when a period starts (from cron), as for a changed catalog.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import yaml

from data.slo.promql import counter_expressions
from metrics.formatting import format_burn_rate, format_percent, format_target
from metrics.slo.alerts import DEFAULT_TIERS, AlertTier
from metrics.slo.definitions import SloDefinition, format_prometheus_duration, parse_duration
from metrics.slo.periods import current_period

ALERT_NAME = "SLOBurnRate"
GROUP_PREFIX = "slo-burn-"
RULE_LABELS = ("slo", "service", "severity", "long_window", "short_window")


def _number(value: float) -> str:
    """A float as PromQL reads it, without binary noise: 1 − 0.999 is written 0.001."""
    return f"{value:.12g}"


def template_literal(text: str) -> str:
    """Text shown verbatim in an annotation: annotations are Go templates, where ``{{`` opens an action."""
    return text.replace("{{", '{{ "{{" }}')


def error_ratio_expression(slo: SloDefinition, window: str) -> str:
    """Bad over total events in ``window``, weighted by events (never an average of ratios)."""
    counts = counter_expressions(slo.indicator, parse_duration(window))
    return f"{counts['bad']} / {counts['total']}"


def tier_expression(slo: SloDefinition, tier: AlertTier, threshold: float) -> str:
    limit = f"{_number(threshold)} * {_number(slo.error_budget)}"
    return (
        f"(\n  {error_ratio_expression(slo, tier.long_window)}\n  > {limit}\n)\nand\n"
        f"(\n  {error_ratio_expression(slo, tier.short_window)}\n  > {limit}\n)"
    )


def tier_rule(slo: SloDefinition, tier: AlertTier, at: datetime) -> dict:
    period = current_period(slo.time_window, at)
    threshold = tier.threshold(period.length)
    name = template_literal(slo.display_name or slo.name)
    budget_share = format_percent(tier.budget_fraction, decimals=0)
    period_text = f"target {format_target(slo.target)} over {slo.time_window.label}"
    if not slo.time_window.is_rolling:
        period_text += (
            f"; the period {period.start.date().isoformat()} to {period.end.date().isoformat()} lasts "
            f"{format_prometheus_duration(period.length)}"
        )
    return {
        "alert": ALERT_NAME,
        "expr": tier_expression(slo, tier, threshold),
        "labels": {
            "slo": slo.name,
            "service": slo.service,
            "severity": tier.severity,
            "long_window": tier.long_window,
            "short_window": tier.short_window,
        },
        "annotations": {
            "summary": (
                f"{name} burns its error budget over {format_burn_rate(threshold)} "
                f"({tier.long_window} and {tier.short_window})"
            ),
            "description": (
                f"The error ratio over {tier.long_window} and over {tier.short_window} is above "
                f"{format_burn_rate(threshold)} the error budget of {format_target(slo.error_budget)} "
                f"({period_text}): at this rate "
                f"{budget_share} of the period's budget goes in {tier.long_window}. Error ratio over "
                f"{tier.long_window}: {{{{ $value | humanizePercentage }}}}."
            ),
        },
    }


def burn_rate_rules(slos: Sequence[SloDefinition], at: datetime, tiers: Sequence[AlertTier] = DEFAULT_TIERS) -> dict:
    """A Prometheus rule file: one group per SLO (groups are evaluated in parallel), one rule per tier."""
    return {
        "groups": [
            {"name": f"{GROUP_PREFIX}{slo.name}", "rules": [tier_rule(slo, tier, at) for tier in tiers]} for slo in slos
        ]
    }


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
