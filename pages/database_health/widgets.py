"""Database health tables: pure builders (health results in, DataFrames out) plus the status badges they use.

Query text only ever lands in DataFrame text cells or ``st.text``: shown as typed, truncated, never rendered as
Markdown or HTML.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import timedelta
from enum import StrEnum
from urllib.parse import quote, urlencode

import pandas as pd

from metrics.databases.checks import (
    CHECK_GUIDES,
    CHECK_TITLES,
    RECORD_KIND_LABELS,
    STATUS_ORDER,
    DatabaseHealth,
    DbaRecord,
    ProbeData,
    ProbeState,
    table_size_text,
)
from metrics.databases.fleet_list import FleetGrouping, PageSection
from metrics.databases.forecast import CAPACITY_CHECK, days_text, resource_label
from metrics.databases.statements import StatementChange, format_milliseconds, mean_time_change_text
from metrics.formatting import NO_DATA, format_bytes, format_duration, format_percent
from pages.common.theme import CRITICAL, INFO, OK, WARN, StatusStyle
from pages.common.theme import NO_DATA as NO_DATA_STYLE
from pages.common.widgets import plain

UNKNOWN_STYLE = StatusStyle("unknown", NO_DATA_STYLE.symbol, "unknown", NO_DATA_STYLE.color, NO_DATA_STYLE.fill)
DB_STATUS_STYLES: dict[str, StatusStyle] = {
    "ok": OK,
    "info": INFO,
    "unknown": UNKNOWN_STYLE,
    "warn": WARN,
    "critical": CRITICAL,
}
# A database nobody gave a DSN: not a check's status, a row's word, in the unknown grey.
NOT_CONFIGURED_STYLE = StatusStyle(
    "not configured", NO_DATA_STYLE.symbol, "not configured", NO_DATA_STYLE.color, NO_DATA_STYLE.fill
)
# Worst first: the order of headline counts, filters and the fleet table.
STATUSES_WORST_FIRST = tuple(reversed(STATUS_ORDER))
STATUS_WIDTH = 130  # "○ not configured" whole
# What needs attention and the key numbers first, so they stay on screen at 1440 px; where the database runs after.
FLEET_COLUMN_ORDER = [
    "status",
    "database",
    "needs attention",
    "connections",
    "hit ratio",
    "longest query s",
    "replica lag s",
    "size",
    "growth 7d",
    "runs out in",
    "server",
    "environment",
    "role",
    "engine",
    "note",
]


class FleetExtra(StrEnum):
    """Columns the fleet leaves out until asked ("More columns"), so that at 1440 px with the sidebar open every
    column it shows is in view; the drill-down shows all of a database. The note (why a database has no fresh
    numbers, how old its stale ones are) is never one of them: it shows whenever some database has one."""

    CACHE_AND_GROWTH = "hit ratio, growth 7d"
    WHERE = "server, environment, role, engine"


_FLEET_EXTRA_COLUMNS = {
    FleetExtra.CACHE_AND_GROWTH: ("hit ratio", "growth 7d"),
    FleetExtra.WHERE: ("server", "environment", "role", "engine"),
}


def fleet_columns(frame: pd.DataFrame, extras: Iterable[FleetExtra] = ()) -> list[str]:
    """The fleet's columns in order: the default set, each extra asked for, and the note where some row has one."""
    hidden = {column for extra in FleetExtra if extra not in set(extras) for column in _FLEET_EXTRA_COLUMNS[extra]}
    if "note" not in frame.columns or not frame["note"].fillna("").astype(str).str.strip().any():
        hidden.add("note")
    return [column for column in FLEET_COLUMN_ORDER if column not in hidden]


ROW_HEIGHT = 35


def table_height(rows: int) -> int:
    """Pixels for a st.dataframe that shows every row without its own scroll bar."""
    return ROW_HEIGHT * (rows + 1) + 3


def db_status_badge(status: str) -> str:
    """ "■ critical", "▲ warn", "○ unknown", "ℹ info", "✓ ok"."""
    return DB_STATUS_STYLES.get(status, UNKNOWN_STYLE).badge


def db_status_colour(text: str) -> str:
    for style in (*DB_STATUS_STYLES.values(), NOT_CONFIGURED_STYLE):
        if str(text).startswith(style.badge):
            return f"color: {style.color}; font-weight: 600"
    return ""


def database_link(name: str, **params: str) -> str:
    """Relative link to a database's drill-down: ``?database=orders-primary``."""
    return "?" + urlencode({"database": name, **params}, quote_via=quote)


def status_counts(healths: Iterable[DatabaseHealth]) -> dict[str, int]:
    """Databases per status, worst first; one nobody gave a DSN is counted apart (``not_configured_count``), as
    its row says "not configured", not "unknown"."""
    counts = {status: 0 for status in STATUSES_WORST_FIRST}
    for health in healths:
        if health.probe_state is not ProbeState.NOT_CONFIGURED:
            counts[health.status] = counts.get(health.status, 0) + 1
    return counts


def not_configured_count(healths: Iterable[DatabaseHealth]) -> int:
    return sum(1 for health in healths if health.probe_state is ProbeState.NOT_CONFIGURED)


def _seconds_text(seconds: float | None) -> str:
    return "—" if seconds is None or pd.isna(seconds) else format_duration(timedelta(seconds=float(seconds)))


def _bytes_text(size: float | None) -> str:
    return "—" if size is None or pd.isna(size) else format_bytes(size)


def fleet_style(frame: pd.DataFrame):
    """The fleet table as shown: statuses in their colour, durations and sizes in the one style of
    ``metrics.formatting`` ("6 min", "412 GB"), the numbers underneath so the columns still sort as numbers."""
    formats = {"longest query s": _seconds_text, "replica lag s": _seconds_text, "size": _bytes_text}
    return frame.style.map(db_status_colour, subset=["status"]).format(
        {column: text for column, text in formats.items() if column in frame.columns}
    )


def filter_healths(
    healths: Iterable[DatabaseHealth], environments: Sequence[str], statuses: Sequence[str], search: str = ""
) -> list[DatabaseHealth]:
    """Databases in the selected environments and statuses (an empty selection means all) whose name, server,
    engine, environment, role or owner holds every word of ``search``, case-insensitively: on a fleet of hundreds,
    typing "orders prod" finds the production orders databases."""
    words = search.lower().split()
    return [
        h
        for h in healths
        if (not environments or h.environment in environments)
        and (not statuses or h.status in statuses)
        and all(
            word in " ".join((h.database, h.server, h.engine, h.environment, h.role, h.owner)).lower() for word in words
        )
    ]


def _value(health: DatabaseHealth, check_id: str) -> float:
    check = health.check(check_id)
    if check is None or not isinstance(check.value, (int, float)) or isinstance(check.value, bool):
        return float("nan")
    return float(check.value)


def growth_7d(health: DatabaseHealth, size_7d_ago: int | None) -> float:
    probe = health.probe
    if probe is None or not probe.database_size_bytes or not size_7d_ago:
        return float("nan")
    return probe.database_size_bytes / size_7d_ago - 1


def runs_out_text(health: DatabaseHealth) -> str:
    """The fleet's "runs out in" cell, from the capacity check: the soonest of the disk, the tablespaces and the
    sequences ("64 d 7 h (disk)", "9 d (tablespace fast_ssd)", "10 d 4 h (sequence s)"), else
    what the disk's history says ("not growing", "not enough history"); "" when there is no forecast."""
    check = health.check(CAPACITY_CHECK)
    if check is None:
        return ""
    dated = [item for item in check.items if item.get("days_left") is not None]
    if dated:
        soonest = min(dated, key=lambda item: item["days_left"])
        return f"{days_text(soonest['days_left'])} ({resource_label(soonest['resource'], soonest['name'])})"
    disk = next((item for item in check.items if item.get("resource") == "disk"), None)
    return check.detail if disk is None else disk["state"]


def fleet_status_text(health: DatabaseHealth) -> str:
    """The status column's words: a database nobody gave a DSN reads "not configured" (in grey), not "unknown"."""
    if health.probe_state is ProbeState.NOT_CONFIGURED:
        return NOT_CONFIGURED_STYLE.badge
    return db_status_badge(health.status)


def attention_text(health: DatabaseHealth) -> str:
    """The checks that are not ok, worst first, each after its status's symbol: "■ up · ▲ long_running_queries"
    (the column's help says what the symbols mean, so the cell holds more checks); "" when all are ok or the
    database is not configured (its note says what to set)."""
    if health.probe_state is ProbeState.NOT_CONFIGURED:
        return ""
    return " · ".join(f"{DB_STATUS_STYLES[c.status].symbol} {c.id}" for c in health.attention)


def stale_health_view(current: DatabaseHealth, last_good: DatabaseHealth) -> DatabaseHealth:
    """What the drill-down of a database that fails now shows: the last good probe's numbers and checks, with the
    checks known now (``up`` saying why it fails, the DBA records) in place of theirs; status and error stay
    current."""
    now_known = {check.id: check for check in current.checks}
    checks = [now_known.pop(check.id, check) for check in last_good.checks] + list(now_known.values())
    return replace(last_good, status=current.status, checks=checks, error=current.error, probed_at=current.probed_at)


def fleet_frame(
    healths: Sequence[DatabaseHealth],
    sizes_7d_ago: dict[str, int] | None = None,
    stale: Mapping[str, tuple[DatabaseHealth, str]] | None = None,
    *,
    ordered: bool = False,
) -> pd.DataFrame:
    """One row per database, worst status first (``ordered``: in the order given, e.g. grouped by server); numbers
    stay numbers (NaN = not measured) so columns sort.

    ``stale``: for a database that fails now, its last good health and the note saying how old it is; its row
    keeps today's status and failing checks but shows the last good numbers, with the note."""
    rank = {status: index for index, status in enumerate(STATUSES_WORST_FIRST)}
    stale = stale or {}
    rows = []
    in_order = healths if ordered else sorted(healths, key=lambda h: (rank.get(h.status, 0), h.database))
    for current in in_order:
        last_good, stale_note = stale.get(current.database, (None, ""))
        health = last_good or current  # where the numbers come from
        probe = health.probe
        lag = float("nan")
        if probe is not None and probe.is_replica:
            lag = float("nan") if probe.replica_lag_s is None else probe.replica_lag_s
        rows.append(
            {
                "status": fleet_status_text(current),
                "database": database_link(current.database),
                "server": current.server,
                "engine": current.engine,
                "environment": current.environment,
                "role": current.role,
                "needs attention": attention_text(current),
                "connections": _value(health, "connections"),
                "hit ratio": _value(health, "cache_hit_ratio"),
                "longest query s": _value(health, "long_running_queries"),
                "replica lag s": lag,
                "size": float("nan")
                if probe is None or probe.database_size_bytes is None
                else float(probe.database_size_bytes),
                "growth 7d": growth_7d(health, (sizes_7d_ago or {}).get(health.database)),
                "runs out in": runs_out_text(health),
                "note": " · ".join(text for text in (current.error or "", stale_note) if text),
            }
        )
    columns = [
        "status",
        "database",
        "server",
        "engine",
        "environment",
        "role",
        "needs attention",
        "connections",
        "hit ratio",
        "longest query s",
        "replica lag s",
        "size",
        "growth 7d",
        "runs out in",
        "note",
    ]
    return pd.DataFrame(rows, columns=columns)


def format_check_value(check_id: str, value) -> str:
    """A check's value for people: shares as %, seconds as durations, sizes in bytes units."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return "—"
    if check_id == "up":
        return "up"
    if isinstance(value, str):
        return value
    if check_id in ("connections", "wraparound", "sequences"):
        return format_percent(value, 1)
    if check_id == "cache_hit_ratio":
        return format_percent(value, 2)
    if check_id in ("idle_in_transaction", "long_running_queries", "replication_lag"):
        return format_duration(timedelta(seconds=float(value)))
    if check_id == "database_size":
        return format_bytes(value)
    if check_id == CAPACITY_CHECK:
        return days_text(value)
    return f"{value:g}"


def checks_frame(health: DatabaseHealth) -> pd.DataFrame:
    """Every check of one database, worst first."""
    rank = {status: index for index, status in enumerate(STATUSES_WORST_FIRST)}
    rows = [
        {
            "status": db_status_badge(c.status),
            "check": c.title or CHECK_TITLES.get(c.id, c.id),  # a custom check has its own title
            "id": c.id,
            "value": format_check_value(c.id, c.value),
            "detail": c.detail,
            "action": c.action,
            **guide_columns(c.id),
        }
        for c in sorted(health.checks, key=lambda c: rank.get(c.status, 0))
    ]
    return pd.DataFrame(rows, columns=["status", "check", "id", "value", "detail", "action", *GUIDE_COLUMNS])


GUIDE_COLUMNS = ["what it means", "what a DBA does", "documentation"]


def guide_columns(check_id: str) -> dict[str, str]:
    """A built-in check's meaning, action and documentation page; a custom check's own words are its detail and
    action, so these stay empty."""
    guide = CHECK_GUIDES.get(check_id)
    if guide is None:
        return dict.fromkeys(GUIDE_COLUMNS, "")
    return dict(zip(GUIDE_COLUMNS, (guide.meaning, guide.action, guide.docs)))


FORECAST_COLUMNS = ["status", "resource", "name", "column", "outlook", "runs out in", "runs out on", "snapshots"]


def forecast_frame(health: DatabaseHealth) -> pd.DataFrame:
    """The capacity check's resources: the disk, each tablespace (PostgreSQL), then the rising sequences, the first
    to run out first."""
    check = health.check(CAPACITY_CHECK)
    rows = [
        {
            "status": db_status_badge(item["status"]),
            "resource": item["resource"],
            "name": item["name"],
            "column": item.get("column") or "",
            "outlook": item["outlook"],
            "runs out in": days_text(item["days_left"]),
            "runs out on": item["runs_out_on"] or "—",
            "snapshots": item["snapshots"],
        }
        for item in ([] if check is None else check.items)
    ]
    return pd.DataFrame(rows, columns=FORECAST_COLUMNS)


NO_TABLESPACES_NOTE = (
    "MySQL and MariaDB have no tablespaces in PostgreSQL's sense (a directory on a disk of its own): the forecast "
    "covers the database's disk (disk_size) and its AUTO_INCREMENT columns."
)


def tablespace_note(health: DatabaseHealth) -> str | None:
    """Under a MySQL/MariaDB forecast: why no tablespace is listed (it is not an error)."""
    return NO_TABLESPACES_NOTE if health.engine in ("mysql", "mariadb") else None


def custom_rows_frames(health: DatabaseHealth) -> list[tuple[str, pd.DataFrame]]:
    """The rows each custom check returned (its first ones), titled, for the checks that kept any."""
    return [
        (f"Rows returned by {c.title} ({len(c.items)} shown)", pd.DataFrame(c.items))
        for c in health.checks
        if c.title and c.items
    ]


# A bloat check's rows: the relations with most waste first, then those without an estimate (and why).
BLOAT_COLUMNS = ["status", "relation", "table", "size", "wasted", "ratio", "pgstattuple_wasted", "locked_by"]


def items_frame(health: DatabaseHealth, check_id: str, columns: Sequence[str]) -> pd.DataFrame:
    """The items (objects involved) of one check, in the given columns."""
    check = health.check(check_id)
    rows = [] if check is None else check.items
    return pd.DataFrame([{column: item.get(column) for column in columns} for item in rows], columns=list(columns))


STATEMENT_HISTORY_COLUMNS = ["query", "total time", "change in total time", "calls", "mean time", "mean time change"]


def statement_history_frame(changes: Sequence[StatementChange], window_key: str) -> pd.DataFrame:
    """The ranked statements of a window, biggest change in total time first; query text as stored, for a text
    column (never Markdown)."""
    rows = [
        {
            "query": change.current.query_text,
            "total time": format_milliseconds(change.current.total_time_ms),
            "change in total time": ("+" if change.total_time_change_ms >= 0 else "−")
            + format_milliseconds(abs(change.total_time_change_ms)),
            "calls": change.current.calls,
            "mean time": format_milliseconds(change.current.mean_time_ms),
            "mean time change": mean_time_change_text(change, window_key),
        }
        for change in changes
    ]
    return pd.DataFrame(rows, columns=STATEMENT_HISTORY_COLUMNS)


def sessions_frame(probe: ProbeData | None) -> pd.DataFrame:
    """Every non-idle session of the database, longest running first."""
    columns = ["pid", "user", "state", "running for", "seconds", "wait", "blocked by", "query"]
    if probe is None or not probe.sessions:
        return pd.DataFrame(columns=columns)
    rows = []
    for s in sorted(probe.sessions, key=lambda s: -(s.query_seconds or s.state_seconds or 0)):
        seconds = s.state_seconds if s.state.startswith("idle in transaction") else s.query_seconds
        rows.append(
            {
                "pid": s.pid,
                "user": s.user,
                "state": s.state,
                "running for": NO_DATA if seconds is None else format_duration(timedelta(seconds=seconds)),
                "seconds": seconds,
                "wait": s.wait or "",
                "blocked by": ", ".join(map(str, s.blocked_by)),
                "query": s.query,
            }
        )
    return pd.DataFrame(rows, columns=columns)


def blocking_tree(probe: ProbeData | None) -> pd.DataFrame:
    """Blockers at the root, the sessions waiting on them indented below ("└─"), as rows of a table."""
    columns = ["session", "state", "waiting", "query"]
    if probe is None or not probe.sessions:
        return pd.DataFrame(columns=columns)
    by_pid = {s.pid: s for s in probe.sessions}
    waiting_on: dict[int, list[int]] = {}
    for s in probe.sessions:
        for blocker in s.blocked_by:
            waiting_on.setdefault(blocker, []).append(s.pid)
    roots = sorted(pid for pid in waiting_on if not (by_pid.get(pid) and by_pid[pid].blocked_by))
    rows: list[dict] = []

    def add(pid: int, depth: int, seen: set[int]) -> None:
        session = by_pid.get(pid)
        prefix = "" if depth == 0 else "   " * (depth - 1) + "└─ "
        seconds = None if session is None else session.query_seconds
        rows.append(
            {
                "session": f"{prefix}{pid}" + (" (blocking)" if depth == 0 else ""),
                "state": "" if session is None else session.state,
                "waiting": "" if depth == 0 or seconds is None else format_duration(timedelta(seconds=seconds)),
                "query": "(not in this database, or hidden)" if session is None else session.query,
            }
        )
        for child in sorted(waiting_on.get(pid, [])):
            if child not in seen:
                add(child, depth + 1, seen | {child})

    for root in roots:
        add(root, 0, {root})
    return pd.DataFrame(rows, columns=columns)


TABLES_COLUMNS = [
    "table",
    "size",
    "size bytes",
    "growth 7d",
    "growth 30d",
    "live rows",
    "dead rows",
    "last autovacuum",
    "autovacuum",
    "xid age",
]
TABLES_COLUMN_ORDER = [c for c in TABLES_COLUMNS if c != "size bytes"]  # shown; "size bytes" is for sorting


def tables_frame(probe: ProbeData | None, growth: list[dict] | None = None, limit: int = 25) -> pd.DataFrame:
    """Biggest tables with rows, dead rows, vacuum times and stored growth; a locked table's size says it is an
    estimate and who holds the lock."""
    columns = TABLES_COLUMNS
    if probe is None or not probe.tables:
        return pd.DataFrame(columns=columns)
    by_table = {row["table"]: row for row in growth or []}
    rows = []
    for t in sorted(probe.tables, key=lambda t: -(t.total_bytes or 0))[:limit]:
        stored = by_table.get(t.name, {})
        rows.append(
            {
                "table": t.name,
                "size": table_size_text(t),  # "≈ 12 MB (estimate: locked by pid 4242)" for a locked table
                "size bytes": t.total_bytes,
                "growth 7d": _signed_bytes(stored.get("growth_7d_bytes")),
                "growth 30d": _signed_bytes(stored.get("growth_30d_bytes")),
                "live rows": t.live_rows,
                "dead rows": t.dead_rows,
                "last autovacuum": "never"
                if t.last_autovacuum is None and probe.engine == "postgresql"
                else (t.last_autovacuum.strftime("%Y-%m-%d %H:%M") if t.last_autovacuum else ""),
                "autovacuum": "on" if t.autovacuum_enabled else "off",
                "xid age": t.xid_age,
            }
        )
    return pd.DataFrame(rows, columns=columns)


def _signed_bytes(value: int | None) -> str:
    if value is None:
        return NO_DATA
    return ("+" if value >= 0 else "−") + format_bytes(abs(value))


STRIKE = "\u0336"  # a combining long stroke: the grid draws on a canvas, where no CSS line-through reaches


def struck(text: str) -> str:
    return "".join(character + STRIKE for character in text)


def records_frame(records: Sequence[DbaRecord], *, strike_withdrawn: bool = False) -> pd.DataFrame:
    """The history table; a withdrawn record keeps its row with who withdrew it and why (``strike_withdrawn``: its
    kind struck through, for the page; the CSV keeps plain text)."""
    columns = ["id", "done on", "kind", "outcome", "by", "notes", "link", "recorded at", "withdrawn"]
    rows = [
        {
            "id": r.id,
            "done on": r.done_on,
            "kind": struck(RECORD_KIND_LABELS.get(r.kind, r.kind))
            if strike_withdrawn and r.withdrawn
            else RECORD_KIND_LABELS.get(r.kind, r.kind),
            "outcome": r.outcome,
            "by": r.recorded_by,
            "notes": r.notes,
            "link": r.link or None,
            "recorded at": None if r.recorded_at is None else r.recorded_at.strftime("%Y-%m-%d %H:%M UTC"),
            "withdrawn": withdrawal_text(r),
        }
        for r in records
    ]
    return pd.DataFrame(rows, columns=columns)


def withdrawal_text(record: DbaRecord) -> str:
    """ "withdrawn 2026-12-02 by lee: wrong database", or "" for a record that stands."""
    if not record.withdrawn:
        return ""
    return f"withdrawn {record.withdrawn_at:%Y-%m-%d} by {record.withdrawn_by}: {record.withdrawal_reason}"


def records_styler(frame: pd.DataFrame):
    """Withdrawn rows in the no-data grey, so the standing records read first."""

    def row_style(row: pd.Series) -> list[str]:
        grey = f"color: {NO_DATA_STYLE.color}" if row["withdrawn"] else ""
        return [grey] * len(row)

    return frame.style.apply(row_style, axis=1)


def staleness_frame(health: DatabaseHealth) -> pd.DataFrame:
    """Per record kind with an expected interval: last entry, its age, and whether it is overdue."""
    columns = ["status", "kind", "last", "age", "expected every", "by", "outcome"]
    check = health.check("dba_records")
    if check is None:
        return pd.DataFrame(columns=columns)
    rows = [
        {
            "status": db_status_badge(item["status"]),
            "kind": RECORD_KIND_LABELS.get(item["kind"], item["kind"]),
            "last": item["last"] or "never",
            "age": "—" if item["age_days"] is None else f"{item['age_days']} d",
            "expected every": f"{item['every_days']} d",
            "by": item["by"] or "",
            "outcome": item["outcome"] or "",
        }
        for item in check.items
    ]
    return pd.DataFrame(rows, columns=columns)


def unavailable_signals(health: DatabaseHealth) -> list[str]:
    """Checks the probe could not answer, with why: shown under the checks so nothing reads as healthy by silence."""
    probe = health.probe
    if probe is None:
        return []
    return [
        f"{CHECK_TITLES.get(check_id, check_id)}: {reason}"
        for check_id, reason in {**probe.unavailable, **probe.not_available}.items()
    ]


RECORD_STALENESS_COLUMNS = ["status", "database", "kind", "last", "age (days)", "expected every (days)", "by"]


def record_staleness_frame(rows: Iterable[tuple[str, dict]]) -> pd.DataFrame:
    """One row per database and record kind with an expected interval (``service.record_staleness``)."""
    return pd.DataFrame(
        [
            {
                "status": db_status_badge(item["status"]),
                "database": name,
                "kind": RECORD_KIND_LABELS[item["kind"]],
                "last": item["last"] or "never",
                "age (days)": item["age_days"],
                "expected every (days)": item["every_days"],
                "by": item["by"] or "",
            }
            for name, item in rows
        ],
        columns=RECORD_STALENESS_COLUMNS,
    )


def group_heading(part: PageSection, grouping: FleetGrouping) -> str:
    """A section's heading: "**main** (server) · 40 databases: ■ 1 critical · ✓ 39 ok", the counts of the whole
    group (all pages), its name as plain text."""
    counts = " · ".join(f"{db_status_badge(status)} {count}" for status, count in part.group.counts.items())
    size = len(part.group.databases)
    continued = " (continued from the previous page)" if part.continued else ""
    name = plain(part.group.name)
    return f"**{name}** ({grouping}) · {size} database{'s' if size != 1 else ''}: {counts}{continued}"
