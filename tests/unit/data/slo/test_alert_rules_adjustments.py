"""Budget adjustments in the generated rules: a tier of a covered SLO is silenced from an adjustment's start until
its long window has moved past the adjustment's end; other SLOs and spans already over are left as they were."""

from datetime import UTC, datetime, timedelta
from pathlib import Path

from data.slo.alert_rules import burn_rate_rules
from data.slo.catalog import load_catalog
from metrics.slo.adjustments import Adjustment, AdjustmentCategory, Scope

AT = datetime(2026, 11, 24, 14, 0, tzinfo=UTC)
CATALOG = load_catalog(Path(__file__).resolve().parents[4] / "config" / "slos")
H = timedelta(hours=1)


def adjustment(start, end, slos=("checkout-availability",), recurrence=None):
    return Adjustment(AdjustmentCategory.MAINTENANCE, "db", start, end, Scope(slos=slos), "kim", AT, recurrence, id=1)


def rules_of(rule_file, slo):
    group = next(g for g in rule_file["groups"] if g["name"] == f"slo-burn-{slo}")
    return {rule["labels"]["long_window"]: rule for rule in group["rules"]}


def test_a_planned_window_silences_each_tier_until_its_long_window_has_passed_the_end():
    start, end = AT + 2 * H, AT + 4 * H
    rules = rules_of(burn_rate_rules(CATALOG.slos, AT, adjustments=[adjustment(start, end)]), "checkout-availability")
    s = int(start.timestamp())
    assert f"(vector(time()) >= {s} and vector(time()) < {int((end + H).timestamp())})" in rules["1h"]["expr"]
    assert f"(vector(time()) >= {s} and vector(time()) < {int((end + 3 * 24 * H).timestamp())})" in rules["3d"]["expr"]
    assert "\nunless on()\n" in rules["1h"]["expr"]


def test_slos_the_adjustment_does_not_cover_keep_their_rules():
    plain = rules_of(burn_rate_rules(CATALOG.slos, AT), "payments-availability")
    adjusted = rules_of(
        burn_rate_rules(CATALOG.slos, AT, adjustments=[adjustment(AT + H, AT + 2 * H)]), "payments-availability"
    )
    assert plain == adjusted


def test_a_window_whose_long_window_has_already_passed_is_not_in_the_rules():
    rules = rules_of(
        burn_rate_rules(CATALOG.slos, AT, adjustments=[adjustment(AT - 5 * H, AT - 3 * H)]), "checkout-availability"
    )
    assert "unless" not in rules["1h"]["expr"]  # ended 3 h ago: the 1-hour window is past it
    assert "unless" in rules["6h"]["expr"]  # its 6-hour window still holds it


def test_a_weekly_recurrence_gives_one_span_per_occurrence_within_the_horizon():
    first = AT + 2 * H
    rules = rules_of(
        burn_rate_rules(CATALOG.slos, AT, adjustments=[adjustment(first, first + H, recurrence="FREQ=DAILY")]),
        "checkout-availability",
    )
    assert rules["1h"]["expr"].count("vector(time()) >= ") == 7  # the next 7 days
