"""The fleet list at hundreds of databases: grouped by server or environment, worst first, one page at a time.

Groups come worst first (the worst status among their databases, then how many are at it, then the name), and so
do the databases inside a group; the page is cut from that order (``metrics.paging``), so page 1 holds what needs
attention most, and a group that runs past the end of a page continues on the next."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from metrics.databases.checks import STATUS_ORDER, DatabaseHealth, worst
from metrics.paging import ListPage

DATABASES_PER_PAGE = 50  # rows the browser is sent at once
NO_SERVER = "server unknown"  # a database without a DSN (or read through an exporter)
NO_ENVIRONMENT = "no environment"
_RANK = {status: rank for rank, status in enumerate(STATUS_ORDER)}


class FleetGrouping(StrEnum):
    """How the fleet list is grouped; the value is what the control shows and the link carries (?db_group=)."""

    NONE = "no grouping"
    SERVER = "server"
    ENVIRONMENT = "environment"


def group_name(health: DatabaseHealth, grouping: FleetGrouping) -> str:
    if grouping is FleetGrouping.SERVER:
        return health.server or NO_SERVER
    if grouping is FleetGrouping.ENVIRONMENT:
        return health.environment or NO_ENVIRONMENT
    return ""


@dataclass(frozen=True)
class FleetGroup:
    """One server's or environment's databases, worst first, with how many are at each status."""

    name: str
    databases: tuple[DatabaseHealth, ...]

    @property
    def status(self) -> str:
        return worst(h.status for h in self.databases)

    @property
    def counts(self) -> dict[str, int]:
        """Databases per status, worst first, leaving out statuses none has."""
        counts = {status: 0 for status in reversed(STATUS_ORDER)}
        for health in self.databases:
            counts[health.status] += 1
        return {status: count for status, count in counts.items() if count}


def _worst_first(healths: Iterable[DatabaseHealth]) -> list[DatabaseHealth]:
    return sorted(healths, key=lambda h: (-_RANK[h.status], h.database))


def group_fleet(healths: Iterable[DatabaseHealth], grouping: FleetGrouping) -> list[FleetGroup]:
    """The databases in groups, worst group first, each worst first; one unnamed group without grouping."""
    groups: dict[str, list[DatabaseHealth]] = {}
    for health in healths:
        groups.setdefault(group_name(health, grouping), []).append(health)
    built = [FleetGroup(name, tuple(_worst_first(members))) for name, members in groups.items()]
    return sorted(built, key=lambda g: (-_RANK[g.status], -g.counts.get(g.status, 0), g.name))


def order_fleet(groups: Sequence[FleetGroup]) -> list[DatabaseHealth]:
    """Every database of the groups in the order the list shows them."""
    return [health for group in groups for health in group.databases]


@dataclass(frozen=True)
class PageSection:
    """The part of one group that falls on the page; ``continued``: the group began on an earlier page."""

    group: FleetGroup
    databases: tuple[DatabaseHealth, ...]
    continued: bool


def page_sections(groups: Sequence[FleetGroup], page: ListPage) -> list[PageSection]:
    """The groups' databases on ``page`` (cut from ``order_fleet``), one section per group."""
    sections, offset = [], 0
    for group in groups:
        first, last = max(page.start, offset), min(page.end, offset + len(group.databases))
        if first < last:
            shown = group.databases[first - offset : last - offset]
            sections.append(PageSection(group, shown, continued=first > offset))
        offset += len(group.databases)
    return sections
