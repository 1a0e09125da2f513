"""Database health: the steps the database pages and ``cli.py db-health | collect db-health | db-records`` both run.

Load the fleet's configuration, probe it, fall back to each failing database's last good probe, store snapshots
for the history, read that history, and add or read DBA records. Pages cache and lay out what these return; commands
print it. Neither holds a sequence of steps of its own.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from data.databases import store as repository
from data.databases.config import DatabaseConfig, DatabaseTarget, load_database_config
from data.databases.demo import DEMO_FLEET_NOTE, is_demo  # noqa: F401  (pages and commands say demo through the service)
from data.databases.fleet import dsn_of, probe_dsn, probe_fleet
from data.databases.store import AlreadyRecorded  # noqa: F401  (the form catches it from the service)
from data.last_good import LastGoodStore
from data.secrets import Dsn
from data.settings import Settings
from metrics.access import Actor
from metrics.databases.checks import DatabaseHealth, DbaRecord, ProbeState, check_dba_records
from metrics.databases.forecast import CapacityForecast
from metrics.databases.statements import StatementChange, StatementRanking, StatementReading, rank_statements
from metrics.last_good import Shown, failed_probe_reason

log = logging.getLogger(__name__)
HISTORY_DAYS = 30


def load_config(settings: Settings, path: str | Path | None = None) -> DatabaseConfig:
    """databases.toml (``path``, or the settings' one); never raises: problems are in the result."""
    return load_database_config(Path(path) if path else settings.databases_path)


def check_fleet(
    settings: Settings, config: DatabaseConfig, deadline_s: float | None = None, names: list[str] | None = None
) -> list[DatabaseHealth]:
    """Every configured database's health (or only ``names``), in configuration order, within the deadline."""
    return probe_fleet(settings, config, deadline_s, names=names)


def check_dsn(dsn: Dsn | str, name: str, deadline_s: float, now: datetime) -> DatabaseHealth:
    """One database by DSN, with default thresholds; raises ProbeError when it cannot be read."""
    return probe_dsn(dsn, name=name, deadline_s=deadline_s, now=now)


def last_good_of_failing(
    settings: Settings,
    config: DatabaseConfig,
    healths: list[DatabaseHealth],
    probed_at: datetime,
    store: LastGoodStore,
) -> dict[str, Shown[DatabaseHealth]]:
    """Remember every answered probe in ``store``; for each database whose probe fails now and answered earlier,
    its last good health, marked stale: {name: Shown}. Kept per database and DSN."""
    stale: dict[str, Shown[DatabaseHealth]] = {}
    for health in healths:
        if health.probe_state is ProbeState.NOT_CONFIGURED or is_demo(health):
            continue  # nothing to remember, nothing to fall back on
        target = config.database(health.database)
        dsn = dsn_of(settings, target) if target is not None else None
        key = ("database", str(config.path), health.database, dsn.fingerprint() if dsn else "")
        shown = store.resolve(key, health, failed_probe_reason(health), probed_at)
        if shown.stale:
            stale[health.database] = shown
    return stale


@dataclass(frozen=True)
class Collection:
    """What a snapshot collection did: the healths stored at ``at``, how many snapshots were new (0: already stored
    this minute), how many databases answered, and how many demo healths were left out (a demo is no history)."""

    healths: list[DatabaseHealth]
    stored: int
    answered: int
    total: int
    at: datetime
    demo_left_out: int = 0

    @property
    def complete(self) -> bool:
        return self.answered == self.total


def collect_snapshots(
    settings: Settings,
    config: DatabaseConfig,
    *,
    actor: Actor,
    deadline_s: float | None = None,
    healths: list[DatabaseHealth] | None = None,
    at: datetime | None = None,
) -> Collection:
    """Store a snapshot of every database's numbers for the history charts (admins only; raises PermissionDenied).

    ``healths`` probed at ``at`` are stored as they are (the page's current probe); without them the fleet is
    probed now. Demo healths are never stored, so a demo cannot pass for a team's history."""
    if healths is None:
        healths = check_fleet(settings, config, deadline_s)
    at = settings.now() if at is None else at
    probed = [h for h in healths if not is_demo(h)]
    stored = repository.save_health_snapshots(settings.database_url, probed, at, actor=actor)
    answered = sum(1 for h in probed if h.probe is not None)
    return Collection(probed, stored, answered, len(probed), at, demo_left_out=len(healths) - len(probed))


def add_record(settings: Settings, config: DatabaseConfig, *, actor: Actor, **entry: Any) -> DbaRecord:
    """Append one DBA record for a database in databases.toml (editors; raises RecordError naming the field).

    ``entry``: database, kind, done_on, recorded_by, and optionally outcome, notes, link (``store.add_record``)."""
    known = [d.name for d in config.databases]
    database = entry.get("database")
    if isinstance(database, str) and database not in known and config.database(database) is not None:
        known.append(database)  # a database a server entry watches
    return repository.add_record(settings.database_url, actor=actor, known_databases=known, now=settings.now(), **entry)


def withdraw_record(settings: Settings, *, actor: Actor, record_id: int, reason: str) -> DbaRecord:
    """Withdraw a mistaken DBA record (editors): it stays in the history, struck through, and stops counting."""
    return repository.withdraw_record(
        settings.database_url, actor=actor, record_id=record_id, reason=reason, now=settings.now()
    )


def records(settings: Settings, database: str | None = None) -> list[DbaRecord]:
    """Every DBA record (of one database), newest first; raises if the store cannot be read."""
    return repository.list_records(settings.database_url, database)


def stored_targets(settings: Settings, config: DatabaseConfig) -> list[DatabaseTarget]:
    """The configured databases, each server entry in its place replaced by the databases found on it that the store
    has snapshots of (and the entry still watches), by name: what store-only reads (forecasts, record staleness)
    cover without probing. A server entry with no stored database yet stays as itself; so does every entry when the
    store cannot be read."""
    servers = [t.name for t in config.databases if t.discover]
    try:
        found = repository.stored_names_under(settings.database_url, servers) if servers else {}
    except Exception as error:  # no store yet: the entries as configured
        log.info("no stored databases of server entries: %s", type(error).__name__)
        found = {}
    targets = []
    for target in config.databases:
        watched = [config.database(name) for name in found.get(target.name, [])]
        watched = [t for t in watched if t is not None]
        targets += watched or [target]
    return targets


def record_staleness(
    config: DatabaseConfig,
    entries: list[DbaRecord],
    today: date,
    database: str | None = None,
    targets: list[DatabaseTarget] | None = None,
) -> list[tuple[str, dict[str, Any]]]:
    """Per configured database (or ``targets``, e.g. ``stored_targets``; or only ``database``) and record kind with
    an expected interval: (name, item of the DBA records check: status, kind, last, age_days, every_days, by)."""
    rows = []
    for target in config.databases if targets is None else targets:
        if database and target.name != database:
            continue
        mine = [r for r in entries if r.database == target.name]
        rows += [(target.name, item) for item in check_dba_records(mine, target.record_intervals, today).items]
    return rows


def health_history(settings: Settings, database: str, now: datetime) -> list[dict[str, Any]]:
    """The last 30 days of one database's stored snapshots, oldest first, each with ``connections_share`` (used over
    usable, None when unknown); raises if the store cannot be read."""
    history = repository.health_history(settings.database_url, database, now - timedelta(days=HISTORY_DAYS))
    for row in history:
        used, most = row.get("connections_used"), row.get("connections_max")
        row["connections_share"] = used / most if used is not None and most else None
    return history


def table_growth(settings: Settings, database: str, now: datetime) -> list[dict[str, Any]]:
    """Per table: newest stored size and its 7- and 30-day growth; raises if the store cannot be read."""
    return repository.table_growth(settings.database_url, database, now)


def sizes_7d_ago(settings: Settings, names: list[str]) -> dict[str, int]:
    """Each database's size a week ago from the snapshots; {} when there is no history or no store."""
    try:
        return repository.sizes_at(settings.database_url, names, settings.now())
    except Exception as error:  # no history yet or no store: growth shows as no data
        log.info("no week-old sizes: %s", type(error).__name__)
        return {}


def statement_history(
    settings: Settings,
    database: str,
    window: timedelta,
    now: datetime | None = None,
    ranking: StatementRanking = StatementRanking.TOTAL_TIME_CHANGE,
) -> list[StatementChange]:
    """One database's statements in the last ``window`` against the window before, ranked (by default by the change
    in total time), from the stored snapshots only (no probe); raises if the store cannot be read."""
    end = settings.now() if now is None else now
    rows = repository.statement_readings(settings.database_url, database, end - 2 * window)
    fields = ("taken_at", "statement_key", "query_text", "calls", "total_time_ms", "rows", "counted_since")
    readings = [StatementReading(**{name: row[name] for name in fields}) for row in rows]
    return rank_statements(readings, end, window, ranking)


def capacity_forecasts(
    settings: Settings, config: DatabaseConfig, names: list[str] | None = None, now: datetime | None = None
) -> dict[str, CapacityForecast]:
    """Each configured database's (or only ``names``') disk and sequence forecast from the stored snapshots, in
    configuration order (a server entry: each database found on it with stored snapshots, ``stored_targets``);
    raises if the store cannot be read. The same figures as the fleet's capacity check."""
    from data.databases.capacity import capacity_forecasts as read_forecasts

    targets = [t for t in stored_targets(settings, config) if names is None or t.name in names]
    covered = {t.name for t in targets}
    targets += [config.database(n) for n in names or () if n not in covered and config.database(n) is not None]
    return read_forecasts(settings.database_url, targets, settings.now() if now is None else now)
