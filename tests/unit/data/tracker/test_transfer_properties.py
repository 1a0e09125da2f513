"""Property-based checks of the tracker's import and export: whatever a file holds, parsing ends in items or in the
module's own ``ImportFailed`` (never another exception), and any valid items survive export → import → export
byte for byte, in CSV and in JSON. The store side (all rows or none) is in tests/integration."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from data.tracker.store import Review, TrackerItem
from data.tracker.transfer import COLUMNS, ImportFailed, export_csv, export_json, parse_items
from metrics.tracker.rules import (
    LEVELS,
    NAME_MAX_LENGTH,
    OWNER_ROLES,
    RESOLUTIONS_FOR_STATE,
    REVIEW_OUTCOMES,
    ROOT_CAUSE_CONFIDENCES,
    STATES,
    TITLE_MAX_LENGTH,
    WHY_PARKED_CATEGORIES,
    KnownNames,
)
from metrics.tracker.triggers import BURN_RATE_WINDOWS, DATABASE_LEVELS, Trigger

KNOWN = KnownNames(slos={"checkout-availability"}, services={"checkout"}, databases={"orders-db"})
FUZZ = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# --- arbitrary input ------------------------------------------------------------------------------------------------

# JSON values of any shape, including the numbers Python's json reads beyond the standard (NaN, Infinity, huge ints).
json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=30),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4),
    max_leaves=20,
)
# An item-shaped object: real column names with values of any shape, sometimes an unknown key.
item_shaped = st.dictionaries(st.sampled_from([*COLUMNS, "reviews"]), json_values, max_size=10)


def parses_or_fails_cleanly(text: str, import_format: str) -> None:
    try:
        items = parse_items(text, import_format, KNOWN)
    except ImportFailed as failure:
        assert failure.problems and all(line for line in failure.lines())
    else:
        assert items and all(isinstance(item, dict) for item in items)


@FUZZ
@given(st.text(max_size=600))
@example("title,state,owner_role\n" + "x" * 200_000 + ",new,SRE\n")  # one cell over the csv module's field limit
@example("title,state,owner_role\nx\ry,new,SRE\n")
def test_arbitrary_csv_text_parses_or_fails_with_import_failed(text):
    parses_or_fails_cleanly(text, "csv")


@FUZZ
@given(st.text(max_size=600))
@example("[" * 100_000)  # nesting deeper than Python's recursion limit
@example('{"items": [{"title": "x", "state": "new", "owner_role": "SRE", "cadence_days": ' + "9" * 5000 + "}]}")
def test_arbitrary_json_text_parses_or_fails_with_import_failed(text):
    parses_or_fails_cleanly(text, "json")


@FUZZ
@given(st.lists(item_shaped, max_size=4))
@example([{"title": "x", "state": "new", "owner_role": "SRE", "id": float("inf")}])
@example([{"title": "x", "state": "new", "owner_role": "SRE", "cadence_days": float("inf")}])
@example([{"title": ["x"], "state": "new", "owner_role": "SRE"}])
@example([{"title": "x", "state": "new", "owner_role": "SRE", "created_at": "0001-01-01T00:00:00+05:00"}])
def test_json_items_with_values_of_any_shape_parse_or_fail_with_import_failed(records):
    parses_or_fails_cleanly(json.dumps({"items": records}), "json")


@FUZZ
@given(st.lists(item_shaped, min_size=1, max_size=3))
@example([{"title": "x", "state": "new", "owner_role": "SRE", "problem_statement": {}}])  # found against the store
@example([{"title": "x", "state": "new", "owner_role": "SRE", "owner": []}])
def test_every_item_that_parses_has_text_where_the_store_keeps_text(records):
    """What the store's columns will hold: strings (title and the free-text fields) and whole numbers in range."""
    try:
        items = parse_items(json.dumps({"items": records}), "json", KNOWN)
    except ImportFailed:
        return
    for item in items:
        for name in (
            "title",
            "problem_statement",
            "owner",
            "why_parked",
            "workaround",
            "decided_by",
            "external_reference",
            "state",
            "owner_role",
            "impact",
            "urgency",
        ):
            assert isinstance(item[name], str), (name, item[name])
        assert item.get("id") is None or 1 <= item["id"] <= 2**31 - 1
        assert not any("\x00" in text for text in strings_in(item)), "PostgreSQL text cannot hold NUL"


def strings_in(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [text for entry in value.values() for text in strings_in(entry)]
    if isinstance(value, (list, tuple)):
        return [text for entry in value for text in strings_in(entry)]
    return []


# --- valid items ----------------------------------------------------------------------------------------------------

# Text a person may type: any character but NUL (PostgreSQL's text cannot hold it) and lone surrogates.
typed_text = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=40)
names = st.from_regex(r"\A[A-Za-z0-9][A-Za-z0-9_.:/-]{0,20}\Z")
instants = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC))
days = st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 1, 1))
fractions = st.floats(min_value=-1.0, max_value=1.0, allow_nan=False)
burn_rates = st.floats(min_value=0.001, max_value=1e6, allow_nan=False)
triggers = st.one_of(
    st.builds(lambda slo, t: Trigger("slo_budget_below", slo=slo, threshold=t), names, fractions),
    st.builds(
        lambda slo, w, t: Trigger("slo_burn_rate_above", slo=slo, window=w, threshold=t),
        names,
        st.sampled_from(BURN_RATE_WINDOWS),
        burn_rates,
    ),
    st.builds(
        lambda db, check, level: Trigger("database_check", database=db, check=check, level=level),
        names,
        st.none() | names,
        st.sampled_from(DATABASE_LEVELS),
    ),
    st.builds(lambda on: Trigger("date", on=on), days),
).map(Trigger.to_dict)


@st.composite
def valid_items(draw, item_id: int) -> TrackerItem:
    state = draw(st.sampled_from(STATES))
    resolution = draw(st.sampled_from(RESOLUTIONS_FOR_STATE[state])) if state in RESOLUTIONS_FOR_STATE else None
    title = draw(typed_text.map(str.strip).filter(bool).map(lambda text: text[:TITLE_MAX_LENGTH]))
    return TrackerItem(
        id=item_id,
        title=title,
        problem_statement=draw(typed_text),
        state=state,
        owner_role=draw(st.sampled_from(OWNER_ROLES)),
        owner=draw(typed_text)[:NAME_MAX_LENGTH],
        impact=draw(st.sampled_from(LEVELS)),
        urgency=draw(st.sampled_from(LEVELS)),
        why_parked_category=draw(st.sampled_from(WHY_PARKED_CATEGORIES)),
        why_parked=draw(typed_text),
        workaround=draw(typed_text),
        workaround_holds=draw(st.sampled_from([None, True, False])),
        root_cause_confidence=draw(st.sampled_from(ROOT_CAUSE_CONFIDENCES)),
        decided_by=draw(typed_text),
        decided_on=draw(st.none() | days),
        revisit_on=draw(st.none() | days),
        cadence_days=draw(st.none() | st.integers(1, 3650)),
        last_reviewed_at=draw(st.none() | instants),
        resolution_code=resolution,
        external_reference=draw(typed_text),
        services=draw(st.lists(names, unique=True, max_size=3)),
        slos=draw(st.lists(names, unique=True, max_size=3)),
        databases=draw(st.lists(names, unique=True, max_size=3)),
        triggers=draw(st.lists(triggers, max_size=3)),
        created_at=draw(instants),
        updated_at=draw(instants),
    )


item_lists = st.lists(st.integers(1, 2**31 - 1), min_size=1, max_size=4, unique=True).flatmap(
    lambda ids: st.tuples(*[valid_items(item_id) for item_id in ids]).map(list)
)


@st.composite
def reviews_of(draw, items: list[TrackerItem]) -> dict[int, list[Review]]:
    log: dict[int, list[Review]] = {}
    for item in items:
        log[item.id] = [
            Review(
                id=0,
                item_id=item.id,
                reviewed_at=draw(instants),
                reviewer=draw(typed_text.map(str.strip).filter(bool))[:NAME_MAX_LENGTH],
                outcome=draw(st.sampled_from(REVIEW_OUTCOMES)),
                what_changed=draw(typed_text),
                next_revisit_on=draw(st.none() | days),
                state_before=draw(st.sampled_from(STATES)),
                state_after=draw(st.sampled_from(STATES)),
            )
            for _ in range(draw(st.integers(0, 2)))
        ]
    return log


def as_items(parsed: list[dict]) -> list[TrackerItem]:
    """What the store gives back after storing parsed rows (the version starts again at 1)."""
    columns = set(TrackerItem.__dataclass_fields__)
    return [TrackerItem(**{k: v for k, v in row.items() if k in columns}) for row in parsed]


def as_reviews(parsed: list[dict]) -> dict[int, list[Review]]:
    return {
        row["id"]: [Review(id=0, item_id=row["id"], **review) for review in row.get("reviews", [])] for row in parsed
    }


@FUZZ
@given(item_lists)
def test_csv_export_import_export_of_valid_items_is_identical(items):
    first = export_csv(items)
    assert export_csv(as_items(parse_items(first, "csv", KNOWN))) == first


@FUZZ
@given(item_lists.flatmap(lambda items: st.tuples(st.just(items), reviews_of(items))))
def test_json_export_import_export_of_valid_items_and_reviews_is_identical(items_and_reviews):
    items, reviews = items_and_reviews
    first = export_json(items, reviews)
    parsed = parse_items(first, "json", KNOWN)
    assert export_json(as_items(parsed), as_reviews(parsed)) == first


@FUZZ
@given(item_lists, st.data())
def test_one_bad_row_anywhere_fails_the_whole_file_naming_that_row(items, data):
    position = data.draw(st.integers(0, len(items) - 1))
    broken = [
        item if index != position else TrackerItem(**{**item.as_fields(), "owner_role": "CEO"})
        for index, item in enumerate(items)
    ]
    try:
        parse_items(export_csv(broken), "csv", KNOWN)
    except ImportFailed as failure:
        assert (position + 1, "owner_role") in {(row, field) for row, field, _ in failure.problems}
    else:
        raise AssertionError("a file with an invalid row was accepted")
