"""The tracker item's field lists (derived from the dataclass) and the one check of an item's fields."""

from __future__ import annotations

import pytest

from metrics.tracker.items import (
    EDITABLE_FIELDS,
    FIELD_DEFAULTS,
    FORM_FIELDS,
    ITEM_FIELDS,
    TRANSFER_COLUMNS,
    checked_item,
)
from metrics.tracker.rules import KnownNames

KNOWN = KnownNames(slos={"checkout-availability"}, services={"checkout"}, databases={"orders-db"})


def test_the_export_columns_are_every_field_but_the_due_reason_and_version_in_item_order():
    assert TRANSFER_COLUMNS == tuple(name for name in ITEM_FIELDS if name not in ("due_reason", "version"))
    assert TRANSFER_COLUMNS[:4] == ("id", "title", "problem_statement", "state")


def test_fields_the_store_keeps_are_not_editable():
    assert not {"id", "state", "version", "due_reason", "created_at", "updated_at"} & set(EDITABLE_FIELDS)


def test_the_edit_form_edits_everything_editable_but_the_resolution():
    assert set(EDITABLE_FIELDS) - set(FORM_FIELDS) == {"resolution_code"}


def test_checked_item_returns_triggers_in_their_stored_form():
    values = {**FIELD_DEFAULTS, "title": "t", "state": "new", "owner_role": "DBA"}
    values["triggers"] = [{"kind": "date", "on": "2027-01-15"}]
    checked, problems = checked_item(values, KNOWN, check_links=True)
    assert problems == {}
    assert checked["triggers"] == [{"kind": "date", "on": "2027-01-15"}]


def test_checked_item_names_a_trigger_list_that_is_not_a_list():
    values = {**FIELD_DEFAULTS, "title": "t", "state": "new", "owner_role": "DBA", "triggers": "soon"}
    assert checked_item(values, KNOWN, check_links=True)[1]["triggers"] == "must be a list of triggers"


def test_checked_item_names_the_bad_trigger_and_a_bad_field_together():
    values = {**FIELD_DEFAULTS, "title": "", "state": "new", "owner_role": "DBA", "triggers": [{"kind": "cpu"}]}
    problems = checked_item(values, KNOWN, check_links=True)[1]
    assert "title" in problems and problems["triggers"].startswith("trigger 1: kind must be one of")


def test_a_link_item_id_is_ascii_digits_within_the_stores_range():
    from metrics.tracker.items import MAX_ITEM_ID, item_id_from_link

    assert item_id_from_link("12") == 12 and item_id_from_link(str(MAX_ITEM_ID)) == MAX_ITEM_ID


@pytest.mark.parametrize("text", ["", None, "0", "-1", "1 OR 1=1", "²", "١٢", "18446744073709551617", "2147483648"])
def test_a_link_item_id_that_cannot_name_an_item_is_none(text):
    from metrics.tracker.items import item_id_from_link

    assert item_id_from_link(text) is None
