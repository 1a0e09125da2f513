"""Revisit triggers against given readings, and the due logic."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from metrics.tracker.rules import KnownNames
from metrics.tracker.triggers import (
    DUE_BY_DATE,
    DUE_BY_SIGNAL,
    DueKind,
    DueReason,
    Readings,
    SloTriggerReading,
    Trigger,
    TriggerError,
    TriggerKind,
    becomes_due,
    due_reasons,
    due_sort_key,
    evaluate_trigger,
    format_trigger_line,
    parse_trigger_line,
    parse_trigger_lines,
    trigger_from_dict,
    validate_triggers,
)

AT = datetime(2026, 11, 24, 5, 0, tzinfo=UTC)
TODAY = date(2026, 11, 24)
READINGS = Readings(
    at=AT,
    slo_source="demo data",
    slos={
        "checkout-availability": SloTriggerReading(0.12, {"1h": 7.5, "6h": 2.0}),
        "reporting-availability": SloTriggerReading(None, {"1h": None}),
    },
    database_source="live probes",
    databases={("orders-db", "replication_lag"): "warn", ("orders-db", None): "ok"},
)
BUDGET = Trigger("slo_budget_below", slo="checkout-availability", threshold=0.25)


def test_budget_below_threshold_fires_with_the_reading_value_time_and_source():
    evaluation = evaluate_trigger(BUDGET, READINGS, TODAY)
    assert evaluation.fired
    assert (evaluation.value, evaluation.at, evaluation.source) == (0.12, AT, "demo data")
    assert evaluation.text == "budget remaining 12.0% < 25.0%"


def test_budget_above_threshold_does_not_fire():
    assert not evaluate_trigger(
        Trigger("slo_budget_below", slo="checkout-availability", threshold=0.10), READINGS, TODAY
    ).fired


def test_burn_rate_above_threshold_fires_only_for_its_window():
    assert evaluate_trigger(
        Trigger("slo_burn_rate_above", slo="checkout-availability", window="1h", threshold=6), READINGS, TODAY
    ).fired
    assert not evaluate_trigger(
        Trigger("slo_burn_rate_above", slo="checkout-availability", window="6h", threshold=6), READINGS, TODAY
    ).fired


def test_an_slo_without_data_never_fires_and_says_so():
    evaluation = evaluate_trigger(
        Trigger("slo_budget_below", slo="reporting-availability", threshold=0.5), READINGS, TODAY
    )
    assert not evaluation.fired and evaluation.value is None and evaluation.text == "no reading yet"


def test_a_database_check_at_warn_fires_a_warn_trigger_but_not_a_critical_one():
    warn = Trigger("database_check", database="orders-db", check="replication_lag", level="warn")
    critical = Trigger("database_check", database="orders-db", check="replication_lag", level="critical")
    assert evaluate_trigger(warn, READINGS, TODAY).fired
    assert not evaluate_trigger(critical, READINGS, TODAY).fired


def test_a_whole_database_trigger_reads_the_overall_status():
    evaluation = evaluate_trigger(Trigger("database_check", database="orders-db", level="warn"), READINGS, TODAY)
    assert not evaluation.fired and evaluation.value == "ok"


def test_a_database_trigger_without_readings_is_no_reading_yet():
    evaluation = evaluate_trigger(Trigger("database_check", database="orders-db", level="warn"), Readings(at=AT), TODAY)
    assert not evaluation.fired and evaluation.text == "no reading yet"


def test_a_date_trigger_fires_on_its_day():
    assert evaluate_trigger(Trigger("date", on=TODAY), READINGS, TODAY).fired
    assert not evaluate_trigger(Trigger("date", on=date(2026, 11, 25)), READINGS, TODAY).fired


def test_a_trigger_survives_a_round_trip_through_its_stored_form():
    for trigger in (
        BUDGET,
        Trigger("slo_burn_rate_above", slo="x", window="1h", threshold=14.4),
        Trigger("database_check", database="d", check=None, level="critical"),
        Trigger("date", on=TODAY),
    ):
        assert trigger_from_dict(trigger.to_dict()) == trigger


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"kind": "cpu_above"}, "kind must be one of"),
        ({"kind": "slo_budget_below", "slo": "x"}, "needs a number for threshold"),
        ({"kind": "slo_budget_below", "slo": "x", "threshold": 25}, "budget fraction"),
        ({"kind": "slo_burn_rate_above", "slo": "x", "window": "2d", "threshold": 2}, "window must be one of"),
        ({"kind": "database_check", "database": "d", "level": "info"}, "level must be warn or critical"),
        ({"kind": "date", "on": "next week"}, "on must be a date"),
        ({"kind": "date", "on": "2026-12-01", "slo": "x"}, "unknown: slo"),
    ],
)
def test_a_malformed_trigger_names_what_is_wrong(data, message):
    with pytest.raises(TriggerError, match=message):
        trigger_from_dict(data)


def test_a_trigger_on_an_unknown_slo_or_database_is_refused_by_position():
    known = KnownNames(slos={"checkout-availability"}, databases=set())
    _, problem = validate_triggers(
        [BUDGET.to_dict(), {"kind": "database_check", "database": "orders-db", "level": "warn"}], known
    )
    assert problem == "trigger 2: unknown database 'orders-db' (no databases are configured)"


def test_an_item_is_due_by_date_once_its_revisit_date_is_reached():
    reasons = due_reasons(date(2026, 11, 20), [], READINGS, TODAY)
    assert [(r.kind, r.text) for r in reasons] == [(DUE_BY_DATE, "revisit date 2026-11-20 reached (4 d ago)")]


def test_an_item_is_not_due_before_its_revisit_date():
    assert due_reasons(date(2026, 11, 25), [], READINGS, TODAY) == []


def test_a_fired_trigger_makes_an_item_due_with_its_reading_and_threshold():
    [reason] = due_reasons(None, [BUDGET], READINGS, TODAY)
    assert reason.kind == DUE_BY_SIGNAL
    assert (reason.value, reason.threshold, reason.at, reason.source) == (0.12, 0.25, AT, "demo data")
    assert reason.text == "checkout-availability budget remaining < 25.0%: budget remaining 12.0% < 25.0%"


def test_a_due_reason_survives_its_stored_form():
    [reason] = due_reasons(None, [BUDGET], READINGS, TODAY)
    assert DueReason.from_dict(reason.to_dict()) == reason


def test_only_parked_items_become_due():
    reasons = due_reasons(date(2026, 11, 20), [], READINGS, TODAY)
    assert becomes_due("parked", reasons)
    assert not becomes_due("in_progress", reasons)
    assert not becomes_due("parked", [])


def test_date_due_items_come_before_signal_due_items_whatever_their_priority():
    by_date = due_reasons(date(2026, 11, 20), [], READINGS, TODAY)
    by_signal = due_reasons(None, [BUDGET], READINGS, TODAY)
    assert due_sort_key(by_date, 3, date(2026, 11, 20)) < due_sort_key(by_signal, 0, None)


# --- typed trigger lines ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (
            "budget checkout-availability < 25%",
            {"kind": "slo_budget_below", "slo": "checkout-availability", "threshold": 0.25},
        ),
        (
            "burn checkout-availability 1h > 6",
            {"kind": "slo_burn_rate_above", "slo": "checkout-availability", "window": "1h", "threshold": 6.0},
        ),
        (
            "database orders-db replication_lag warn",
            {"kind": "database_check", "database": "orders-db", "check": "replication_lag", "level": "warn"},
        ),
        (
            "database orders-db critical",
            {"kind": "database_check", "database": "orders-db", "check": None, "level": "critical"},
        ),
        ("date 2027-01-15", {"kind": "date", "on": "2027-01-15"}),
    ],
)
def test_a_typed_trigger_line_becomes_a_trigger(line, expected):
    assert parse_trigger_line(line) == expected


def test_every_trigger_formats_to_a_line_that_reads_back_the_same():
    for trigger in (
        BUDGET,
        Trigger("slo_burn_rate_above", slo="x", window="1h", threshold=14.4),
        Trigger("database_check", database="d", check="lag", level="warn"),
        Trigger("date", on=TODAY),
    ):
        assert trigger_from_dict(parse_trigger_line(format_trigger_line(trigger))) == trigger


def test_a_bad_trigger_line_names_its_line_number_and_shows_examples():
    with pytest.raises(TriggerError, match=r"line 2: cannot read 'budget is low'.*budget checkout-availability"):
        parse_trigger_lines("date 2027-01-15\nbudget is low\n")


def test_a_well_formed_line_with_a_bad_value_names_the_field():
    with pytest.raises(TriggerError, match="line 1: window must be one of"):
        parse_trigger_lines("burn checkout-availability 2d > 6")


# --- TriggerKind and DueKind ------------------------------------------------------------------------------------


def test_a_trigger_given_its_kind_as_stored_text_holds_the_enum():
    assert Trigger("date", on=date(2027, 1, 15)).kind is TriggerKind.DATE


def test_a_trigger_of_an_unknown_kind_cannot_be_built():
    with pytest.raises(ValueError):
        Trigger("cpu_above")


@pytest.mark.parametrize("kind", list(TriggerKind))
def test_every_trigger_kind_is_stored_as_its_plain_text_name(kind):
    data = {
        TriggerKind.SLO_BUDGET_BELOW: {"kind": "slo_budget_below", "slo": "s", "threshold": 0.25},
        TriggerKind.SLO_BURN_RATE_ABOVE: {"kind": "slo_burn_rate_above", "slo": "s", "window": "1h", "threshold": 6.0},
        TriggerKind.DATABASE_CHECK: {"kind": "database_check", "database": "d", "check": None, "level": "warn"},
        TriggerKind.DATE: {"kind": "date", "on": "2027-01-15"},
    }[kind]
    stored = trigger_from_dict(data).to_dict()
    assert stored == data
    assert type(stored["kind"]) is str


def test_every_trigger_kind_can_be_evaluated_described_and_typed_as_a_line():
    for kind in TriggerKind:
        trigger = trigger_from_dict(parse_trigger_line(LINE_FOR_KIND[kind]))
        assert trigger.kind is kind
        assert evaluate_trigger(trigger, READINGS, TODAY).text
        assert trigger.describe()
        assert format_trigger_line(trigger) == LINE_FOR_KIND[kind]


LINE_FOR_KIND = {
    TriggerKind.SLO_BUDGET_BELOW: "budget checkout-availability < 25%",
    TriggerKind.SLO_BURN_RATE_ABOVE: "burn checkout-availability 1h > 6",
    TriggerKind.DATABASE_CHECK: "database orders-db replication_lag warn",
    TriggerKind.DATE: "date 2027-01-15",
}


def test_a_due_reason_read_back_keeps_its_kind_as_the_enum():
    reason = DueReason.from_dict(DueReason(DueKind.SIGNAL, "x").to_dict())
    assert reason.kind is DueKind.SIGNAL


def test_a_due_reason_with_an_unknown_stored_kind_reads_as_by_hand():
    assert DueReason.from_dict({"kind": "gut feeling", "text": "x"}).kind is DueKind.BY_HAND


def test_a_stored_due_reason_kind_is_plain_text():
    assert type(DueReason(DueKind.DATE, "x").to_dict()["kind"]) is str
