"""Probe every configured database in parallel under one deadline, and turn what each probe read into checks.

One unreachable or slow database never slows the others: each probe runs in its own thread with its engine's
connect timeout and the session's statement timeout, and the fleet waits at most ``deadline_s`` in all; a database
still being probed then is reported as "no answer within the deadline" while the rest are shown.

A server entry (``discover = true``) is listed first, on one of its server's connections; each database it watches
is then probed like a listed one, all under the same deadline, at most ``max_connections`` at once on that server
and ``max_parallel_probes`` in the whole fleet (``data.deadline.LimitedRunner``).

This is the function the revisit tracker calls for its "a database check at warn or critical" trigger:
``probe_fleet(settings, config, deadline_s) -> list[DatabaseHealth]``.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import partial

from data.databases.config import DatabaseConfig, DatabaseTarget, ProbeOptions
from data.databases.probes.common import ProbeError, as_dsn, engine_of_dsn
from data.deadline import CallState, LimitedRunner, Outcome, run_within
from data.secrets import Dsn, redact
from metrics.databases.checks import (
    CRITICAL,
    UNKNOWN,
    CacheCounters,
    CheckResult,
    DatabaseHealth,
    DbaRecord,
    ProbeData,
    ProbeState,
    build_health,
    check_dba_records,
    down_result,
    evaluate_probe,
    recent_cache_counters,
)
from metrics.databases.custom import evaluate_custom_checks
from metrics.databases.forecast import CAPACITY_CHECK, CapacityForecast, check_capacity

log = logging.getLogger(__name__)
# The previous probe's cache counters per database, so the hit ratio covers the minutes since then (this process).
_last_cache_counters: dict[tuple[str, int], CacheCounters] = {}
_counters_lock = threading.Lock()


def use_recent_cache_counters(target: DatabaseTarget, dsn: Dsn | None, probe: ProbeData, at: datetime) -> None:
    """Replace cumulative cache counters by those since this process's previous probe of the database, if usable.

    Keyed by name and the DSN's fingerprint, so a database pointed elsewhere starts afresh."""
    if probe.cache_hits is None or probe.cache_reads is None:
        return
    current = CacheCounters(probe.cache_hits, probe.cache_reads, at)
    with _counters_lock:
        key = (target.name, dsn.fingerprint() if dsn else target.selector)
        previous = _last_cache_counters.get(key)
        _last_cache_counters[key] = current
    recent = recent_cache_counters(previous, current, target.thresholds.cache_hit_min_reads)
    if recent is not None:
        minutes = max((at - previous.at).total_seconds() / 60, 1)
        probe.cache_hits, probe.cache_reads = recent
        probe.cache_scope = f"over the last {minutes:.0f} min (since the previous probe)"


@dataclass
class StoreContext:
    """What the store adds to live numbers: DBA records, sizes 7 days ago (for growth) and capacity forecasts."""

    records: dict[str, list[DbaRecord]] = field(default_factory=dict)
    size_7d_ago: dict[str, int] = field(default_factory=dict)
    forecasts: dict[str, CapacityForecast] = field(default_factory=dict)
    problem: str | None = None  # the store could not be read: records show as unknown


def run_probe(
    target: DatabaseTarget,
    dsn: Dsn | None,
    options: ProbeOptions,
    prometheus=None,
    deadline_at: float | None = None,
) -> ProbeData:
    """Read one database through its source, its custom checks last (each cut short to end before ``deadline_at``,
    monotonic); raises ProbeError with a message that names no secret."""
    if target.source == "prometheus":
        from data.databases.probes.prometheus_exporter import probe_exporter

        return probe_exporter(prometheus, target)
    engine = engine_of_dsn(dsn)
    if (engine == "postgresql") != (target.engine == "postgresql"):
        raise ProbeError(f"its DSN is a {engine} URL but databases.toml says engine = {target.engine!r}")
    arguments = {
        "connect_timeout_s": options.connect_timeout_s,
        "statement_timeout_s": options.statement_timeout_s,
        "custom_checks": target.checks,
        "deadline_at": deadline_at,
    }
    if engine == "postgresql":
        from data.databases.probes.postgres import probe_postgres

        return probe_postgres(dsn, target.thresholds, **arguments)
    from data.databases.probes.mysql import probe_mysql

    return probe_mysql(dsn, target.thresholds, **arguments)


def _labels(target: DatabaseTarget) -> dict[str, str]:
    return {"environment": target.environment, "role": target.role, "owner": target.owner, "source": target.source}


def health_from_probe(
    target: DatabaseTarget, probe: ProbeData, probed_at: datetime, store: StoreContext | None, today: date
) -> DatabaseHealth:
    """Checks of what the probe read, plus the DBA records check when the store was consulted."""
    size_7d_ago = None if store is None else store.size_7d_ago.get(target.name)
    checks = evaluate_probe(probe, target.thresholds, role=target.role, size_7d_ago=size_7d_ago)
    checks += evaluate_custom_checks(target.checks, probe)
    if store is not None:
        checks.append(records_check(target, store, today))
        checks.append(capacity_check(target, store, probe))
    return build_health(target.name, probe.engine, checks, probed_at, probe=probe, **_labels(target))


def capacity_check(target: DatabaseTarget, store: StoreContext, probe: ProbeData | None = None) -> CheckResult:
    """The forecast from the stored snapshots; a tablespace this probe could not measure is that item's "cannot
    tell"."""
    if store.problem:
        return CheckResult(CAPACITY_CHECK, UNKNOWN, None, f"cannot tell: {store.problem}")
    forecast = store.forecasts.get(target.name)
    if forecast is None:
        return CheckResult(CAPACITY_CHECK, UNKNOWN, None, "cannot tell: no forecast was read for it")
    unmeasured = {t.name: t.unreadable for t in (probe.tablespaces or []) if t.size_bytes is None} if probe else {}
    return check_capacity(forecast, unmeasured)


def records_check(target: DatabaseTarget, store: StoreContext, today: date) -> CheckResult:
    if store.problem:
        return CheckResult("dba_records", UNKNOWN, None, f"cannot tell: {store.problem}")
    return check_dba_records(store.records.get(target.name, []), target.record_intervals, today)


def unprobed_health(
    target: DatabaseTarget,
    reason: str,
    probed_at: datetime | None,
    store: StoreContext | None,
    today: date,
    state: ProbeState = ProbeState.FAILED,
) -> DatabaseHealth:
    """A database with no numbers: down (critical, records still checked), or not configured (unknown, nothing else:
    a database nobody watches yet has no status to raise)."""
    configured = state is not ProbeState.NOT_CONFIGURED
    checks = [down_result(target.name, reason, CRITICAL if configured else UNKNOWN)]
    if configured and store is not None:
        checks.append(records_check(target, store, today))
    return build_health(
        target.name, target.engine, checks, probed_at, error=reason, probe_state=state, **_labels(target)
    )


def not_configured_reason(target: DatabaseTarget) -> str:
    return f"not configured: set {target.dsn_variable} (or [databases] {target.name} in .streamlit/secrets.toml)"


def load_store_context(settings, targets: list[DatabaseTarget], now: datetime) -> StoreContext:
    """Records, week-old sizes and forecasts from the store; a store that cannot be read leaves them unknown, never
    fails."""
    names = [t.name for t in targets]
    try:
        from data.databases.capacity import capacity_forecasts
        from data.databases.store import latest_records_by_database, sizes_at

        return StoreContext(
            records=latest_records_by_database(settings.database_url, names),
            size_7d_ago=sizes_at(settings.database_url, names, now),
            forecasts=capacity_forecasts(settings.database_url, targets, now),
        )
    except Exception as error:  # any driver or schema problem: say so on the records check, keep the probes
        log.warning("store unavailable for DBA records: %s", type(error).__name__)
        return StoreContext(problem=f"the store cannot be read ({type(error).__name__}); run `cli.py migrate`")


def dsn_of(settings, target: DatabaseTarget) -> Dsn | None:
    """The DSN a target is probed through: its own, or for a database a server entry found, the entry's with the
    database name changed. None when none is set (or the server entry's cannot be read)."""
    if not target.server:
        return settings.dsn_for(target.name)
    server_dsn = settings.dsn_for(target.server)
    if not server_dsn or server_dsn.problem:
        return None
    return server_dsn.with_database(target.database_name)


def server_label(target: DatabaseTarget, dsn: Dsn | None) -> str:
    """The server a database lives on, as the fleet groups it: a server entry's name, else host:port of its DSN."""
    if target.server or target.discover:
        return target.server or target.name
    if not dsn or dsn.problem:
        return ""
    return f"{dsn.host or 'localhost'}{f':{dsn.port}' if dsn.port else ''}"


def list_databases(entry: DatabaseTarget, dsn: Dsn, options: ProbeOptions) -> list[str]:
    """The names of the databases on a server entry's server (before include/exclude); raises ProbeError."""
    arguments = {"connect_timeout_s": options.connect_timeout_s, "statement_timeout_s": options.statement_timeout_s}
    engine = engine_of_dsn(dsn)
    if (engine == "postgresql") != (entry.engine == "postgresql"):
        raise ProbeError(f"its DSN is a {engine} URL but databases.toml says engine = {entry.engine!r}")
    if engine == "postgresql":
        from data.databases.probes.postgres import list_databases as list_postgres

        return list_postgres(dsn, **arguments)
    from data.databases.probes.mysql import list_databases as list_mysql

    return list_mysql(dsn, **arguments)


@dataclass(frozen=True)
class Found:
    """What a server entry's listing found: every database it listed, and those it watches with their probes."""

    listed: int
    probes: list[tuple[DatabaseTarget, Dsn, int]]  # target, DSN, the probe's ticket in the runner


@dataclass
class _Row:
    """One entry of the fleet on its way to a health: a probe's ticket, a listing's ticket, or a health already."""

    target: DatabaseTarget
    dsn: Dsn | None = None
    ticket: int | None = None
    health: DatabaseHealth | None = None
    reason: str = ""  # a reason it has no numbers, with its state
    state: ProbeState = ProbeState.FAILED


def probe_fleet(
    settings,
    config: DatabaseConfig,
    deadline_s: float | None = None,
    *,
    names: list[str] | None = None,
    with_store: bool = True,
) -> list[DatabaseHealth]:
    """Every configured database's health, in configuration order (a server entry's databases in its place, by name),
    within ``deadline_s`` (default: the config's).

    Databases without a DSN are "unknown: not configured" (in demo mode: the demo's, ``data.databases.demo``);
    unreachable ones "critical: cannot connect ..."; ones still probing at the deadline "critical: no answer within
    the deadline"; a server entry whose server cannot be listed is one row, "cannot list databases: ...". At most
    ``max_parallel_probes`` probes run at once, and at most a server entry's ``max_connections`` on its server (its
    listing included). ``names``: only these (a server entry's name: all it finds). Never raises for one database.
    """
    deadline_s = config.probe.deadline_s if deadline_s is None else deadline_s
    entries = [
        t
        for t in config.databases
        if names is None or t.name in names or (t.discover and any(n.startswith(f"{t.name}/") for n in names))
    ]
    now = settings.now()
    today = now.date()
    prometheus = getattr(settings, "prometheus", None)
    runner = LimitedRunner(
        config.probe.max_parallel_probes,
        {t.name: t.max_connections for t in entries if t.discover},
        thread_name_prefix="db-probe",
    )
    started = time.monotonic()
    deadline_at = started + deadline_s

    def probe_call(target: DatabaseTarget, dsn: Dsn | None):
        return partial(run_probe, target, dsn, config.probe, prometheus, deadline_at)

    def list_and_queue(entry: DatabaseTarget, dsn: Dsn) -> Found:
        listed = list_databases(entry, dsn, config.probe)
        watched = [
            entry.found(name)
            for name in listed
            if entry.watches(name) and (names is None or entry.name in names or f"{entry.name}/{name}" in names)
        ]
        probes = []
        for target in watched:
            found_dsn = dsn.with_database(target.database_name)
            probes.append((target, found_dsn, runner.submit(probe_call(target, found_dsn), entry.name)))
        return Found(len(listed), probes)

    rows: list[_Row] = []
    for target in entries:
        dsn = dsn_of(settings, target)
        if target.discover:
            if not dsn:
                rows.append(_Row(target, reason=not_configured_reason(target), state=ProbeState.NOT_CONFIGURED))
            else:
                rows.append(_Row(target, dsn, runner.submit(partial(list_and_queue, target, dsn), target.name)))
        elif target.source == "prometheus":
            if prometheus is None:
                reason = 'not configured: source = "prometheus" needs PROMETHEUS_URL'
                rows.append(_Row(target, reason=reason, state=ProbeState.NOT_CONFIGURED))
            else:
                rows.append(_Row(target, None, runner.submit(probe_call(target, None))))
        elif not dsn and getattr(settings, "is_demo", False):
            from data.databases.demo import demo_health

            rows.append(_Row(target, health=demo_health(target, now)))
        elif not dsn:
            rows.append(_Row(target, reason=not_configured_reason(target), state=ProbeState.NOT_CONFIGURED))
        else:
            rows.append(_Row(target, dsn, runner.submit(probe_call(target, dsn))))

    if runner.submitted:
        runner.wait(deadline_s)  # stragglers end on their own timeouts
        rows = [found for row in rows for found in _found_rows(row, runner, deadline_s)]
        log.info("probed %d databases in %.2f s", runner.submitted, time.monotonic() - started)
    store = load_store_context(settings, [row.target for row in rows], now) if with_store else None
    return [_health_of_row(row, runner, deadline_s, now, store, today) for row in rows]


def _found_rows(row: _Row, runner: LimitedRunner, deadline_s: float) -> list[_Row]:
    """A server entry's row as the rows of the databases it found (by name), or as one row saying why there are
    none; any other row as it is."""
    if not row.target.discover or row.ticket is None:
        return [row]
    outcome = runner.outcome(row.ticket)
    entry = row.target
    if outcome.state is CallState.UNFINISHED:
        reason = f"cannot list databases: no answer within the probe deadline of {deadline_s:g} s"
    elif outcome.error is not None:
        if not isinstance(outcome.error, ProbeError):
            log.error("listing the databases of %s failed", entry.name, exc_info=outcome.error)
        cause = str(outcome.error) if isinstance(outcome.error, ProbeError) else type(outcome.error).__name__
        reason = f"cannot list databases: {redact(cause)}"
    elif not outcome.value.probes:
        found: Found = outcome.value
        reason = (
            f"no database to watch: the server lists {found.listed}, none that include/exclude let through"
            if found.listed
            else "no database to watch: the server lists none the probe's user may see"
        )
        return [_Row(entry, row.dsn, reason=reason, state=ProbeState.NOT_CONFIGURED)]
    else:
        return [_Row(t, dsn, ticket) for t, dsn, ticket in sorted(outcome.value.probes, key=lambda p: p[0].name)]
    return [_Row(entry, row.dsn, reason=reason, state=ProbeState.FAILED)]


def _health_of_row(row: _Row, runner: LimitedRunner, deadline_s: float, now, store, today) -> DatabaseHealth:
    server = server_label(row.target, row.dsn)
    if row.health is not None:
        health = row.health
    elif row.ticket is None:
        probed_at = None if row.state is ProbeState.NOT_CONFIGURED else now
        health = unprobed_health(row.target, row.reason, probed_at, store, today, row.state)
    else:
        health = _health_of_outcome(row.target, row.dsn, runner.outcome(row.ticket), deadline_s, now, store, today)
    health.server = server
    return health


def _health_of_outcome(target, dsn, outcome: Outcome, deadline_s: float, now, store, today) -> DatabaseHealth:
    """One probe's outcome as a health: late, refused, broken or answered."""
    if outcome.state is CallState.UNFINISHED:
        reason = f"no answer within the probe deadline of {deadline_s:g} s"
        return unprobed_health(target, reason, now, store, today)
    if isinstance(outcome.error, ProbeError):
        return unprobed_health(target, str(outcome.error), now, store, today)
    if outcome.error is not None:  # a bug or an unexpected driver error: one line, no secret
        log.error("probe of %s failed", target.name, exc_info=outcome.error)
        reason = f"the probe failed unexpectedly ({type(outcome.error).__name__})"
        return unprobed_health(target, reason, now, store, today)
    use_recent_cache_counters(target, dsn, outcome.value, now)
    return health_from_probe(target, outcome.value, now, store, today)


def probe_dsn(
    dsn: Dsn | str,
    name: str = "adhoc",
    deadline_s: float = 10.0,
    options: ProbeOptions | None = None,
    target: DatabaseTarget | None = None,
    now: datetime | None = None,
) -> DatabaseHealth:
    """One database by DSN (``cli.py db-health --dsn``): no configuration, default thresholds, no DBA records."""

    options = options or ProbeOptions(deadline_s=deadline_s)
    now = now or datetime.now(UTC)
    dsn = as_dsn(dsn)
    engine = engine_of_dsn(dsn)
    target = target or DatabaseTarget(name=name, engine=engine, record_intervals={})
    [outcome] = run_within(
        [partial(run_probe, target, dsn, options)], deadline_s, thread_name_prefix="db-probe"
    ).outcomes
    if outcome.state is CallState.UNFINISHED:
        raise ProbeError(f"no answer within the probe deadline of {deadline_s:g} s")
    probe = outcome.result()  # ProbeError propagates
    checks = evaluate_probe(probe, target.thresholds, role=target.role)
    return build_health(target.name, probe.engine, checks, now, probe=probe, **_labels(target))
