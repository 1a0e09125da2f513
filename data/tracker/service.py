"""The revisit tracker's steps, run the same way by the page and by ``cli.py tracker due`` / ``collect tracker-due``.

- ``read_due_queue``: the due queue at an instant. Reads only.
- ``check_revisits``: the revisit check. Stores "due" on parked items whose date or trigger came (the one write an
  automatic check makes), then returns the queue as it now stands.

Readings come from a ``ReadingsFor``: a function of the database names the open items' triggers read. The page
passes its cached loaders; the CLI passes ``source_readings_for`` (straight from the sources at ``--at``).

The revisit check never undoes anyone's work: it only moves items that are still parked at the version it
evaluated (``data.tracker.store.mark_due``); an item someone changed meanwhile is left alone until the next check.
A trigger a review acknowledged while keeping the item parked does not make it due again until the next revisit
date or a worse reading (``metrics.tracker.acknowledgements``).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa

from data.settings import Settings
from data.slo.catalog import Catalog
from data.slo.long_windows import stored_days_for
from data.slo.service import load_report, make_source
from data.tracker.signals import (
    discovered_database_names,
    known_database_names,
    known_names,
    probe_reading_provider,
    tracker_readings,
)
from data.tracker.store import acknowledgements_by_item, list_items, mark_due
from metrics.access import VIA_SYSTEM, Actor, Role
from metrics.tracker.due import DueEntry, due_queue, items_to_mark, wanted_databases
from metrics.tracker.items import TrackerItem
from metrics.tracker.rules import KnownNames
from metrics.tracker.triggers import Readings

# The app applying an item's own revisit rule, whoever happens to look: not a person's edit.
REVISIT_CHECK_ACTOR = Actor("revisit check (automatic)", Role.EDITOR, VIA_SYSTEM)

# Readings for the databases the open items' triggers name.
ReadingsFor = Callable[[Collection[str]], Readings]


@dataclass(frozen=True)
class DueQueue:
    """The tracker at one instant: every item, the readings its triggers were evaluated against, and the queue."""

    items: list[TrackerItem]
    readings: Readings
    entries: list[DueEntry]


def read_due_queue(engine: sa.Engine, readings_for: ReadingsFor, today: date) -> DueQueue:
    """Every item and the due queue now, with the triggers reviews acknowledged; stores nothing."""
    items = list_items(engine)
    readings = readings_for(wanted_databases(items))
    return DueQueue(items, readings, due_queue(items, readings, today, acknowledgements_by_item(engine)))


def mark_due_items(engine: sa.Engine, entries: Iterable[DueEntry], now: datetime) -> list[int]:
    """Store "due" on parked items whose date or trigger has come, with the reason and reading that fired.
    Returns the ids that came due."""
    return mark_due(engine, items_to_mark(entries), actor=REVISIT_CHECK_ACTOR, now=now)


def check_revisits(
    engine: sa.Engine, readings_for: ReadingsFor, today: date, now: datetime
) -> tuple[DueQueue, list[int]]:
    """The revisit check: mark what came due, and the queue as stored afterwards (re-read only when something
    changed). Returns the queue and the ids that came due."""
    queue = read_due_queue(engine, readings_for, today)
    marked = mark_due_items(engine, queue.entries, now)
    if marked:
        items = list_items(engine)
        entries = due_queue(items, queue.readings, today, acknowledgements_by_item(engine))
        queue = DueQueue(items, queue.readings, entries)
    return queue, marked


def link_names(settings: Settings, catalog: Catalog | None) -> KnownNames:
    """SLOs and services of the catalog (none when it cannot be read), databases of databases.toml and those its
    server entries found that the store has snapshots of: what new links and triggers may name, on the page and in
    an import alike."""
    slos = [slo.name for slo in catalog.slos] if catalog else []
    services = catalog.service_names() if catalog else []
    databases = known_database_names(settings.databases_path) | discovered_database_names(settings)
    return known_names(slos, services, databases)


def source_readings_for(settings: Settings, slos: Sequence, at: datetime) -> ReadingsFor:
    """Readings straight from the sources at ``at``: the SLO report of ``slos`` (none when there are no SLOs) and
    the database probes of databases.toml. For the CLI; the page passes its cached loaders instead."""

    def read(names: Collection[str]) -> Readings:
        from data.slo_adjustments.service import adjustments_in_force

        adjustments = adjustments_in_force(settings) if slos else ()
        source = make_source(settings, demo_end=at, slos=slos)
        report = load_report(source, slos, at, adjustments, stored_days_for(settings)) if slos else None
        return tracker_readings(report, at, wanted_databases=names, database_readings=probe_reading_provider(settings))

    return read
