"""The report's long windows from the store's daily rollups (``metrics.slo.long_windows``): which SLOs and windows
can be summed from stored days, the one store read, and the source's read of only their edges. A day-long window
(the 1d tier) holds no whole day but is cut at midnight: its part after midnight is every long window's tail.

Read directly, and said so (``StoredWindowUse.direct``): SLOs that count slices or points, split SLOs (the store has
no per-value days), SLOs a budget adjustment touches (its events come out of whole windows), SLOs read from the demo
history, and any SLO with a whole day the store does not hold yet.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa

from data.settings import Settings
from data.slo.sources import CountsResult, Exclusions, SloSource
from metrics.slo.definitions import EventCounts, SloDefinition
from metrics.slo.long_windows import (
    StoredWindowUse,
    WindowSplit,
    combined_counts,
    split_at_midnight,
    split_window,
)
from metrics.slo.report import requested_windows
from metrics.trends.rollups import counted_fingerprint


@dataclass(frozen=True)
class StoredDays:
    """Where the daily rollups are and whose days they count."""

    engine: sa.Engine
    time_zone: str


def stored_days_for(settings: Settings) -> StoredDays | None:
    """The settings' store and team time zone when a Prometheus is configured (the demo has no stored days), unless
    ``SLO_WINDOWS_FROM_ROLLUPS`` is off; None otherwise."""
    if settings.prometheus is None or not settings.windows_from_rollups:
        return None
    from data.store import shared_engine

    return StoredDays(shared_engine(settings.database_url), settings.team_timezone)


def _reads_parts(source: SloSource, slo: SloDefinition) -> bool:
    own = source.source_for(slo) if hasattr(source, "source_for") else source
    return not own.is_demo


def _why_direct(source: SloSource, slo: SloDefinition, exclusions: Exclusions) -> str | None:
    if not slo.counts_events:
        return f"counts {slo.unit}"
    if slo.split_by:
        return "split by " + ", ".join(slo.split_by)
    if slo.name in exclusions:
        return "budget adjusted"
    try:
        if not _reads_parts(source, slo):
            return "demo data"
    except Exception as error:  # a DataSource the catalog no longer defines: the direct read names it
        return str(error)
    return None


def window_counts_with_stored_days(
    source: SloSource,
    slos: Sequence[SloDefinition],
    at: datetime,
    exclusions: Exclusions,
    stored: StoredDays,
) -> tuple[CountsResult, StoredWindowUse]:
    """``source.window_counts`` with each long window of the SLOs that can be summed from stored days read as its
    edges only, plus the stored days: one store query, and the source's usual number of queries."""
    from data.trends.store import stored_event_days

    splits: dict[str, dict[str, WindowSplit]] = {}
    direct: dict[str, str] = {}
    for slo in slos:
        reason = _why_direct(source, slo, exclusions)
        if reason is not None:
            direct[slo.name] = reason
            continue
        keyed = {}
        for key, window in requested_windows(slo, at).items():
            split = split_window(at - window, at, stored.time_zone)
            if split is None and window >= timedelta(days=1):
                split = split_at_midnight(at - window, at, stored.time_zone)
            if split is not None:
                keyed[key] = split
        if keyed:
            splits[slo.name] = keyed
    needed = [day for keyed in splits.values() for split in keyed.values() for day in split.days]
    try:
        fingerprints = {slo.name: counted_fingerprint(slo) for slo in slos if slo.name in splits}
        days = stored_event_days(stored.engine, fingerprints, min(needed), max(needed)) if needed else {}
    except sa.exc.SQLAlchemyError as error:  # the store is down or not migrated: every window is read whole
        direct.update(dict.fromkeys(splits, f"the store could not be read ({type(error).__name__})"))
        splits, days = {}, {}
    missing: set = set()
    for name in list(splits):
        mine = days.get(name, {})
        absent = {day for split in splits[name].values() for day in split.days if day not in mine}
        if absent:
            missing |= absent
            direct[name] = f"{len(absent)} day(s) not stored"
            del splits[name]
    partial = {name: {key: split.edges for key, split in keyed.items()} for name, keyed in splits.items()}
    if partial:
        result = source.window_counts(list(slos), at, exclusions or None, partial=partial)
    elif exclusions:
        result = source.window_counts(list(slos), at, exclusions)
    else:
        result = source.window_counts(list(slos), at)
    days_read = 0
    for name, keyed in splits.items():
        if name in result.errors:
            continue
        counts = result.counts.setdefault(name, {})
        for key, split in keyed.items():
            mine = {day: None if days[name][day] is None else EventCounts(*days[name][day]) for day in split.days}
            days_read += len(mine)
            counts[key] = combined_counts(split.days, mine, counts.get(key))
    use = StoredWindowUse(
        stored.time_zone,
        from_days={name: tuple(keyed) for name, keyed in splits.items() if name not in result.errors},
        direct=direct,
        missing_days=tuple(sorted(missing)),
        days_read=days_read,
    )
    return result, use
