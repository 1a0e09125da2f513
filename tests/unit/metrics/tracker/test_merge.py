"""The three-way merge of two edits made from the same version: only fields both changed are conflicts."""

from __future__ import annotations

from metrics.tracker.merge import MergeChoice, MergeConflict, merge_edits

FIELDS = ("title", "owner", "workaround", "impact")
BASE = {"title": "Failover slow", "owner": "", "workaround": "", "impact": "medium"}


def test_fields_each_side_changed_alone_keep_that_sides_value():
    theirs = {**BASE, "title": "Failover takes 9 min"}
    yours = {**BASE, "owner": "bob", "workaround": "manual switch"}
    result = merge_edits(BASE, theirs, yours, FIELDS)
    assert result.merged == {
        "title": "Failover takes 9 min",
        "owner": "bob",
        "workaround": "manual switch",
        "impact": "medium",
    }
    assert result.conflicts == ()


def test_the_merge_names_which_side_each_changed_field_came_from():
    theirs = {**BASE, "title": "Failover takes 9 min"}
    yours = {**BASE, "owner": "bob", "workaround": "manual switch"}
    result = merge_edits(BASE, theirs, yours, FIELDS)
    assert (result.from_theirs, result.from_yours) == (("title",), ("owner", "workaround"))


def test_a_field_both_changed_to_different_values_is_a_conflict_holding_theirs_until_chosen():
    theirs = {**BASE, "title": "Theirs", "impact": "high"}
    yours = {**BASE, "title": "Mine", "owner": "bob"}
    result = merge_edits(BASE, theirs, yours, FIELDS)
    assert result.conflicts == (MergeConflict("title", "Failover slow", "Theirs", "Mine"),)
    assert result.merged == {"title": "Theirs", "owner": "bob", "workaround": "", "impact": "high"}


def test_a_field_both_changed_to_the_same_value_is_no_conflict():
    theirs = {**BASE, "impact": "high"}
    yours = {**BASE, "impact": "high"}
    result = merge_edits(BASE, theirs, yours, FIELDS)
    assert result.conflicts == () and result.merged["impact"] == "high"


def test_choosing_yours_for_a_conflict_keeps_every_other_merged_value():
    theirs = {**BASE, "title": "Theirs", "impact": "high"}
    yours = {**BASE, "title": "Mine", "owner": "bob"}
    resolved = merge_edits(BASE, theirs, yours, FIELDS).resolved({"title": MergeChoice.YOURS})
    assert resolved == {"title": "Mine", "owner": "bob", "workaround": "", "impact": "high"}


def test_a_conflict_without_a_choice_keeps_theirs():
    theirs = {**BASE, "title": "Theirs"}
    yours = {**BASE, "title": "Mine"}
    assert merge_edits(BASE, theirs, yours, FIELDS).resolved({})["title"] == "Theirs"


def test_list_fields_merge_as_whole_values():
    base = {"services": ["checkout"]}
    theirs = {"services": ["checkout", "orders"]}
    yours = {"services": ["checkout"]}
    assert merge_edits(base, theirs, yours, ("services",)).merged == {"services": ["checkout", "orders"]}
