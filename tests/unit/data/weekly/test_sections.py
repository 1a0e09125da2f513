"""The weekly review's sections carry their kind: what goes above a table is chosen by kind, not by its heading."""

from __future__ import annotations

from data.weekly.export import SectionKind, fleet_counts, section_caption, sections
from tests.unit.metrics.weekly.test_review import MIXED, review


def by_kind(weekly, kind: SectionKind):
    [section] = [s for s in sections(weekly) if s.kind is kind]
    return section


def test_the_at_risk_section_is_captioned_with_how_it_was_read():
    weekly = review(MIXED)
    assert section_caption(weekly, by_kind(weekly, SectionKind.SLOS_AT_RISK)) == weekly.readings_note


def test_incidents_without_rows_have_no_caption():
    weekly = review(MIXED)
    assert section_caption(weekly, by_kind(weekly, SectionKind.INCIDENTS)) is None


def test_without_snapshots_the_fleet_section_has_no_counts():
    weekly = review(MIXED)
    assert fleet_counts(weekly, by_kind(weekly, SectionKind.DATABASE_FLEET)) == {}


def test_only_the_fleet_section_has_counts():
    weekly = review(MIXED)
    assert all(fleet_counts(weekly, s) == {} for s in sections(weekly) if s.kind is not SectionKind.DATABASE_FLEET)
