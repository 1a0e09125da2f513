"""The fleet list's groups and pages: worst group first, worst first inside, sections cut from one order."""

from __future__ import annotations

from metrics.databases.checks import DatabaseHealth
from metrics.databases.fleet_list import FleetGrouping, group_fleet, order_fleet, page_sections
from metrics.paging import list_page


def health(name: str, status: str, server: str = "", environment: str = "") -> DatabaseHealth:
    return DatabaseHealth(name, "postgresql", status, [], None, environment=environment, server=server)


FLEET = [
    health("a", "ok", "s1", "prod"),
    health("b", "warn", "s1", "prod"),
    health("c", "ok", "s2", "test"),
    health("d", "critical", "s2", "test"),
    health("e", "ok", "", ""),
    health("f", "critical", "s3", "prod"),
    health("g", "critical", "s3", "prod"),
]


def test_groups_come_worst_first_then_by_how_many_are_at_it_then_by_name():
    groups = group_fleet(FLEET, FleetGrouping.SERVER)
    assert [g.name for g in groups] == ["s3", "s2", "s1", "server unknown"]
    assert [h.database for h in order_fleet(groups)] == ["f", "g", "d", "c", "b", "a", "e"]
    assert groups[1].counts == {"critical": 1, "ok": 1}


def test_without_grouping_it_is_one_list_worst_first():
    [group] = group_fleet(FLEET, FleetGrouping.NONE)
    assert [h.database for h in group.databases] == ["d", "f", "g", "b", "a", "c", "e"]


def test_a_page_is_cut_into_sections_and_a_group_crossing_pages_is_continued():
    groups = group_fleet(FLEET, FleetGrouping.ENVIRONMENT)  # prod (f g b a), test (d c), no environment (e)
    sections = page_sections(groups, list_page(len(FLEET), 2, 3))
    assert [(s.group.name, [h.database for h in s.databases], s.continued) for s in sections] == [
        ("prod", ["a"], True),
        ("test", ["d", "c"], False),
    ]
