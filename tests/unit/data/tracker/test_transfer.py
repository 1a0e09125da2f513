"""Tracker CSV and JSON export/import without a store: hard content survives, formulas are neutralised, bad rows
are reported by row and field."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, date, datetime

import pytest

from data.tracker.store import Review, TrackerItem
from data.tracker.transfer import (
    COLUMNS,
    ImportFailed,
    export_csv,
    export_json,
    parse_items,
    protect_cell,
    unprotect_cell,
)
from metrics.tracker.rules import KnownNames

KNOWN = KnownNames(slos={"checkout-availability"}, services={"checkout"}, databases={"orders-db"})
CREATED = datetime(2025, 3, 1, 9, 30, 15, 123456, tzinfo=UTC)
HARD_TEXT = (
    'Commas, "quotes", and\nnew lines\r\nwith CRLF; 한국어 텍스트, émigré, 日本語 — <b>bold</b> '
    '<script>alert("x")</script> ' + "long " * 2000
)


def hard_item(item_id: int = 7, **overrides) -> TrackerItem:
    values = dict(
        id=item_id,
        title='=HYPERLINK("http://evil")',
        problem_statement=HARD_TEXT,
        state="parked",
        owner_role="DBA",
        owner="-Kim Min-jun",
        impact="high",
        urgency="low",
        why_parked_category="vendor",
        why_parked="+1 vendor says next major version",
        workaround="@reboot the replica",
        workaround_holds=True,
        root_cause_confidence="suspected",
        decided_by="'quoted' lead",
        decided_on=date(2025, 3, 1),
        revisit_on=date(2027, 1, 15),
        cadence_days=90,
        last_reviewed_at=None,
        resolution_code=None,
        external_reference="VENDOR-1234",
        services=["checkout"],
        slos=["checkout-availability"],
        databases=["orders-db"],
        triggers=[{"kind": "slo_budget_below", "slo": "checkout-availability", "threshold": 0.25}],
        due_reason=None,
        created_at=CREATED,
        updated_at=CREATED,
        version=3,
    )
    values.update(overrides)
    return TrackerItem(**values)


def as_items(parsed: list[dict]) -> list[TrackerItem]:
    """What the store would give back after storing the parsed rows (version starts again at 1)."""
    columns = set(TrackerItem.__dataclass_fields__)
    return [TrackerItem(**{k: v for k, v in row.items() if k in columns}) for row in parsed]


def test_csv_export_import_export_is_identical_with_hard_content():
    items = [
        hard_item(),
        hard_item(
            8,
            title="Plain",
            problem_statement="",
            workaround_holds=None,
            owner="",
            revisit_on=None,
            triggers=[],
            services=[],
            cadence_days=None,
        ),
    ]
    first = export_csv(items)
    second = export_csv(as_items(parse_items(first, "csv", KNOWN)))
    assert second == first


def test_json_export_import_export_is_identical_with_hard_content():
    first = export_json([hard_item()])
    assert export_json(as_items(parse_items(first, "json", KNOWN))) == first


def test_csv_export_has_the_documented_columns_in_order():
    header = next(csv.reader(io.StringIO(export_csv([hard_item()]))))
    assert tuple(header) == COLUMNS


@pytest.mark.parametrize("text", ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx", "'already quoted"])
def test_cells_a_spreadsheet_would_run_are_prefixed_and_restored(text):
    assert protect_cell(text) == "'" + text
    assert unprotect_cell(protect_cell(text)) == text


def test_ordinary_cells_are_left_alone():
    assert protect_cell("Failover 9 min") == "Failover 9 min"
    assert unprotect_cell("Failover 9 min") == "Failover 9 min"


def test_no_exported_csv_cell_starts_with_a_formula_character():
    rows = list(csv.reader(io.StringIO(export_csv([hard_item()]))))
    for cell in rows[1]:
        assert not cell.startswith(("=", "+", "-", "@")), cell


def test_every_bad_row_is_reported_with_its_row_number_and_field():
    text = export_csv(
        [
            hard_item(1),
            hard_item(2, title="  ", owner_role="CEO"),
            hard_item(3, revisit_on=None, triggers=[{"kind": "nope"}]),
        ]
    )
    with pytest.raises(ImportFailed) as failure:
        parse_items(text, "csv", KNOWN)
    assert failure.value.lines() == [
        "row 2, owner_role: must be one of TPM, SRE, DBA, not 'CEO'",
        "row 2, title: a title is required",
        "row 3, triggers: trigger 1: kind must be one of slo_budget_below, slo_burn_rate_above, database_check, "
        "date, not 'nope'",
    ]


def test_a_bad_date_names_the_row_and_field():
    text = export_csv([hard_item()]).replace("2027-01-15", "15/01/2027")
    with pytest.raises(ImportFailed) as failure:
        parse_items(text, "csv", KNOWN)
    assert failure.value.lines() == ["row 1, revisit_on: must be a date like 2026-12-01, not '15/01/2027'"]


def test_an_unknown_column_is_refused_before_any_row():
    with pytest.raises(ImportFailed, match="1 problem"):
        parse_items("title,state,owner_role,colour\nx,new,SRE,red\n", "csv", KNOWN)


def test_a_minimal_csv_with_only_the_required_columns_is_enough():
    [row] = parse_items("title,state,owner_role\nBatch job breaks its SLO at month end,new,TPM\n", "csv", KNOWN)
    assert (row["title"], row["impact"], row["services"]) == ("Batch job breaks its SLO at month end", "medium", [])


def test_the_same_id_twice_in_one_file_is_refused():
    with pytest.raises(ImportFailed) as failure:
        parse_items(export_csv([hard_item(5), hard_item(5)]), "csv", KNOWN)
    assert failure.value.lines() == ["row 2, id: 5 is also the id of row 1"]


def test_invalid_json_is_one_clear_problem():
    with pytest.raises(ImportFailed) as failure:
        parse_items("{not json", "json", KNOWN)
    assert failure.value.lines()[0].startswith("file: not valid JSON")


def test_json_export_names_its_format():
    payload = json.loads(export_json([hard_item()]))
    assert payload["format"] == "reliability-dashboard/tracker-items" and payload["version"] == 1
    assert list(payload["items"][0]) == [*COLUMNS, "reviews"]


def a_review(**overrides) -> Review:
    values = dict(
        id=1,
        item_id=7,
        reviewed_at=CREATED,
        reviewer="Lee Seo-yeon",
        outcome="keep_parked",
        what_changed="Vendor: <b>15.x</b> next quarter",
        next_revisit_on=date(2027, 1, 15),
        state_before="due",
        state_after="parked",
    )
    values.update(overrides)
    return Review(**values)


def test_json_carries_each_items_review_log_and_reads_it_back():
    text = export_json([hard_item()], {7: [a_review()]})
    [item] = parse_items(text, "json", KNOWN)
    [review] = item["reviews"]
    assert (review["reviewer"], review["reviewed_at"], review["next_revisit_on"]) == (
        "Lee Seo-yeon",
        CREATED,
        date(2027, 1, 15),
    )


def test_a_bad_review_in_json_names_the_row_and_the_review():
    payload = json.loads(export_json([hard_item()], {7: [a_review(), a_review(outcome="shrugged")]}))
    with pytest.raises(ImportFailed) as failure:
        parse_items(json.dumps(payload), "json", KNOWN)
    assert failure.value.lines() == [
        "row 1, reviews: review 2: outcome must be one of keep_parked, start_work, "
        "resolved, risk_accepted, duplicate, obsolete"
    ]


# --- what the fuzz pass found: each is refused as a problem naming the row and field, never another exception ----


def minimal_json(**values) -> str:
    return json.dumps({"items": [{"title": "Failover takes 9 minutes", "state": "new", "owner_role": "DBA", **values}]})


def problem_lines(text: str, import_format: str = "json") -> list[str]:
    with pytest.raises(ImportFailed) as failure:
        parse_items(text, import_format, KNOWN)
    return failure.value.lines()


def test_an_id_beyond_the_stores_32_bit_column_is_refused():
    assert problem_lines(minimal_json(id=2**31)) == [
        f"row 1, id: must be a whole number from 1 to {2**31 - 1}, not {2**31}"
    ]


def test_an_infinite_id_or_cadence_is_refused():
    text = minimal_json(id=1).replace('"id": 1', '"id": Infinity, "cadence_days": -Infinity')
    assert problem_lines(text) == [
        "row 1, cadence_days: must be a whole number of days, not -inf",
        "row 1, id: must be a whole number from 1 to 2147483647, not inf",
    ]


def test_a_title_that_is_not_text_is_refused():
    assert problem_lines(minimal_json(title=["x"])) == ["row 1, title: must be text, not ['x']"]


def test_an_empty_object_where_text_belongs_is_refused():
    assert problem_lines(minimal_json(problem_statement={})) == ["row 1, problem_statement: must be text"]


def test_a_nul_character_is_refused_because_postgresql_cannot_store_it():
    assert problem_lines(minimal_json(owner="Kim\x00")) == [
        "row 1, owner: contains a NUL character (\\x00), which the store cannot keep"
    ]


def test_an_owner_longer_than_its_column_is_refused():
    assert problem_lines(minimal_json(owner="x" * 201)) == ["row 1, owner: at most 200 characters (this one has 201)"]


def test_an_instant_whose_utc_falls_before_year_1_is_refused():
    [line] = problem_lines(minimal_json(created_at="0001-01-01T00:00:00+05:00"))
    assert line.startswith("row 1, created_at: must be an ISO 8601 instant")


def test_a_trigger_threshold_that_is_not_finite_is_refused():
    text = minimal_json(
        state="parked",
        triggers=[{"kind": "slo_burn_rate_above", "slo": "checkout-availability", "window": "1h", "threshold": 6}],
    ).replace("6}", "NaN}")
    assert problem_lines(text) == [
        "row 1, triggers: trigger 1: slo_burn_rate_above needs a finite number for threshold, not nan"
    ]


def test_a_csv_cell_over_the_csv_modules_field_limit_is_one_problem():
    [line] = problem_lines("title,state,owner_role\n" + "x" * 200_000 + ",new,SRE\n", "csv")
    assert line.startswith("row 1, row: cannot be read as CSV (field larger than field limit")


def test_json_nested_deeper_than_pythons_stack_is_one_problem():
    [line] = problem_lines("[" * 100_000)
    assert line.startswith("file: not readable JSON (RecursionError")


def test_the_title_is_stored_without_surrounding_spaces_as_the_form_stores_it():
    [row] = parse_items(minimal_json(title="  Failover takes 9 minutes  "), "json", KNOWN)
    assert row["title"] == "Failover takes 9 minutes"
