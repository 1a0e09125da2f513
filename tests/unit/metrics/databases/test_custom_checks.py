"""Custom checks: which SQL text may be a check, and the status a reading gets against its thresholds."""

from __future__ import annotations

import math
from decimal import Decimal

import pytest

from metrics.databases.checks import ProbeData
from metrics.databases.custom import (
    ACTIONS,
    ITEMS_SHOWN,
    NOT_RUN,
    ROW_LIMIT,
    TIMED_OUT,
    WROTE,
    CustomCheck,
    CustomReading,
    evaluate_custom,
    evaluate_custom_checks,
    level,
    sql_problem,
)


def check(**fields) -> CustomCheck:
    values = {"name": "pending", "engine": "postgresql", "sql": "SELECT 1", "description": "Orders pending"}
    return CustomCheck(**{**values, **fields})


def value_reading(value, column: str = "count") -> CustomReading:
    return CustomReading((column,), ((value,),), 1)


# --- which SQL may be a check --------------------------------------------------------------------------------------


def test_one_select_with_a_trailing_semicolon_and_comments_is_a_check():
    assert sql_problem("-- pending orders\nSELECT count(*) FROM orders /* all */ ;\n", "postgresql") is None


def test_two_statements_are_refused_with_their_count():
    assert sql_problem("SELECT 1; DELETE FROM orders", "postgresql").startswith("holds 2 statements")


@pytest.mark.parametrize(
    ("sql", "engine"),
    [
        ("SELECT 'a;b' AS semicolon_in_a_string", "postgresql"),
        ("SELECT 'it''s; fine'", "postgresql"),
        ("SELECT E'\\'; still inside'", "postgresql"),
        ('SELECT 1 AS "odd;name"', "postgresql"),
        ("SELECT $$;$$, $tag$ ; $tag$", "postgresql"),
        ("SELECT 1 -- ; a comment\n", "postgresql"),
        ("SELECT 1 /* ; /* nested ; */ still a comment ; */", "postgresql"),
        ("SELECT 'it\\'s; fine'", "mariadb"),
        ("SELECT `odd;name` FROM t", "mariadb"),
        ("SELECT 1 # ; a comment\n", "mariadb"),
    ],
)
def test_a_semicolon_inside_quotes_or_comments_does_not_end_the_statement(sql, engine):
    assert sql_problem(sql, engine) is None


def test_a_semicolon_after_a_closed_string_ends_the_statement():
    assert sql_problem("SELECT 'a'; SELECT 'b'", "mariadb").startswith("holds 2 statements")


def test_empty_sql_or_only_comments_is_refused():
    assert sql_problem("  -- nothing\n ; ", "postgresql").startswith("is empty")


@pytest.mark.parametrize(
    ("sql", "word"),
    [
        ("COMMIT", "COMMIT"),
        ("set statement_timeout = 0", "SET"),
        ("SET STATEMENT max_statement_time=0 FOR SELECT 1", "SET"),
        ("LOCK TABLES orders WRITE", "LOCK"),
        ("PREPARE TRANSACTION 'held'", "PREPARE"),
        ("/* a note */ (KILL 42)", "KILL"),
    ],
)
def test_transaction_control_session_settings_and_locks_are_refused(sql, word):
    assert sql_problem(sql, "mariadb") == (
        f"starts with {word}: transaction control, session settings, locks and prepared statements are refused "
        "(the check runs inside the probe's read-only transaction, under its timeouts)"
    )


@pytest.mark.parametrize("sql", ["SELECT /*+ MAX_EXECUTION_TIME(100000) */ 1", "SELECT 1 /*!; DELETE FROM t */"])
def test_mysql_executable_comments_and_optimizer_hints_are_refused(sql):
    assert "executable comment" in sql_problem(sql, "mysql")


def test_a_postgresql_comment_starting_with_an_exclamation_mark_is_only_a_comment():
    assert sql_problem("SELECT 1 /*! a note */", "postgresql") is None


# --- thresholds ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"), [(9.99, "ok"), (10, "warn"), (99, "warn"), (100, "critical"), (1e9, "critical")]
)
def test_above_a_threshold_is_reached_at_or_over_it(value, expected):
    assert level(value, 10, 100, "above") == expected


@pytest.mark.parametrize(
    ("value", "expected"), [(3, "ok"), (2, "warn"), (1.5, "warn"), (1, "critical"), (0, "critical")]
)
def test_below_a_threshold_is_reached_at_or_under_it(value, expected):
    assert level(value, 2, 1, "below") == expected


def test_a_check_with_only_a_critical_threshold_never_warns():
    assert [level(v, None, 5) for v in (4, 5)] == ["ok", "critical"]


def test_a_check_without_thresholds_shows_its_value_for_information():
    result = evaluate_custom(check(), value_reading(42))
    assert (result.status, result.value) == ("info", 42.0)
    assert "no thresholds: shown for information" in result.detail


# --- readings ------------------------------------------------------------------------------------------------------


def test_a_value_over_warn_warns_with_unit_thresholds_description_and_action():
    result = evaluate_custom(
        check(unit="orders", warn=10, critical=100, action="Restart the payment worker", title="Pending orders"),
        value_reading(Decimal("12")),
    )
    assert (result.id, result.status, result.value, result.title) == ("pending", "warn", 12.0, "Pending orders")
    assert result.detail == "12 orders (warn ≥ 10, critical ≥ 100). Orders pending"
    assert result.action == "Restart the payment worker"


def test_the_action_is_left_out_while_the_check_is_ok():
    assert evaluate_custom(check(warn=10, action="Do something"), value_reading(1)).action == ""


def test_numeric_text_is_a_value_since_show_status_returns_text():
    assert evaluate_custom(check(warn=10), value_reading("12")).value == 12.0


def test_of_several_columns_the_one_named_value_is_judged():
    reading = CustomReading(("Variable_name", "Value"), (("Threads_running", "7"),), 1)
    assert evaluate_custom(check(warn=5), reading).value == 7.0


@pytest.mark.parametrize(
    ("reading", "reason"),
    [
        (CustomReading(("n",), (), 0), "needs exactly one row, the query returned 0 rows"),
        (CustomReading(("n",), ((1,), (2,)), 2), "needs exactly one row, the query returned 2 rows"),
        (CustomReading(("a", "b"), ((1, 2),), 1), "the row has 2 columns"),
        (value_reading(None), "the query returned NULL"),
        (value_reading("lots"), "the value is not a number: 'lots'"),
        (value_reading(math.inf), "the value is not a number"),
    ],
)
def test_a_value_check_without_one_number_cannot_tell_and_says_why(reading, reason):
    result = evaluate_custom(check(warn=1), reading)
    assert result.status == "unknown" and result.value is None
    assert result.detail.startswith("cannot tell: ") and reason in result.detail


def test_a_rows_check_counts_the_rows_and_keeps_the_first_ones_as_items():
    rows = tuple((i, f"table_{i}") for i in range(ITEMS_SHOWN))
    reading = CustomReading(("id", "name"), rows, 25)
    result = evaluate_custom(check(kind="rows", warn=1), reading)
    assert (result.status, result.value) == ("warn", 25.0)
    assert result.detail.startswith("25 rows (warn ≥ 1)")
    assert result.items[0] == {"id": 0, "name": "table_0"} and len(result.items) == ITEMS_SHOWN


def test_a_rows_check_past_the_row_limit_says_so_and_judges_the_limit():
    reading = CustomReading(("id",), ((1,),), ROW_LIMIT + 1)
    result = evaluate_custom(check(kind="rows", critical=ROW_LIMIT), reading)
    assert (result.status, result.value) == ("critical", float(ROW_LIMIT))
    assert result.detail.startswith(f"{ROW_LIMIT:,} rows or more")


def test_a_rows_check_that_returns_no_row_is_zero():
    result = evaluate_custom(check(kind="rows", warn=1), CustomReading(("id",), (), 0))
    assert (result.status, result.value, result.detail[:6]) == ("ok", 0.0, "0 rows")


def test_items_keep_values_as_text_a_json_document_can_hold():
    reading = CustomReading(("when", "ratio", "note"), (("2026-12-01", math.nan, "x" * 500),), 1)
    [item] = evaluate_custom(check(kind="rows"), reading).items
    assert item["ratio"] == "nan" and len(item["note"]) == 200


@pytest.mark.parametrize("cause", [WROTE, TIMED_OUT, NOT_RUN])
def test_a_failed_query_cannot_tell_with_its_reason_and_the_action_for_its_cause(cause):
    result = evaluate_custom(check(warn=1), CustomReading(error="the reason", cause=cause))
    assert (result.status, result.value) == ("unknown", None)
    assert result.detail == "cannot tell: the reason. Orders pending"
    assert result.action == ACTIONS[cause]


def test_checks_are_judged_in_configuration_order_and_one_the_probe_did_not_run_cannot_tell():
    probe = ProbeData(engine="postgresql", version="PostgreSQL 16", custom={"b": value_reading(1)})
    results = evaluate_custom_checks((check(name="b"), check(name="a")), probe)
    assert [(r.id, r.status) for r in results] == [("b", "info"), ("a", "unknown")]
    assert results[1].detail.startswith("cannot tell: not run by this probe")
