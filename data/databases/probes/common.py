"""What every probe shares: DSNs read once (``data.secrets.Dsn``), and errors a person can act on that never quote a
password (every message passes through ``data.secrets.redact``)."""

from __future__ import annotations

import contextlib
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.pool import NullPool

from data.secrets import Dsn, redact
from metrics.databases.checks import INSUFFICIENT_PRIVILEGE, truncate_query
from metrics.databases.custom import (
    ERROR,
    ITEMS_SHOWN,
    NOT_RUN,
    ROW_LIMIT,
    TIMED_OUT,
    WROTE,
    CustomCheck,
    CustomReading,
)

PROBE_APPLICATION_NAME = "reliability-dashboard-probe"
CUSTOM_DEADLINE_MARGIN_S = 1.0  # kept free before the fleet's deadline, so custom checks never cost the probe
MIN_CUSTOM_TIMEOUT_S = 0.2  # less time left than this: the check is not started
_SCHEMES = {
    "postgresql": "postgresql+psycopg",
    "postgres": "postgresql+psycopg",
    "postgresql+psycopg": "postgresql+psycopg",
    "mysql": "mysql+pymysql",
    "mariadb": "mysql+pymysql",
    "mysql+pymysql": "mysql+pymysql",
    "mariadb+pymysql": "mysql+pymysql",
}


class ProbeError(Exception):
    """A probe could not run: the message names the cause, and is redacted so it never holds a DSN or password."""

    def __init__(self, message: str) -> None:
        super().__init__(redact(message))


def as_dsn(dsn: Dsn | str) -> Dsn:
    return Dsn.of(dsn)


def normalise_dsn(dsn: Dsn | str) -> sa.URL:
    """The SQLAlchemy URL to connect with, with the driver this app uses (psycopg, PyMySQL); raises ProbeError for
    a DSN that cannot be read or names another engine."""
    dsn = as_dsn(dsn)
    if dsn.problem:
        raise ProbeError(dsn.problem)
    if dsn.scheme not in _SCHEMES:
        raise ProbeError(f"unsupported DSN scheme {dsn.scheme!r}: use postgresql://, mysql:// or mariadb://")
    return dsn.sqlalchemy_url(drivername=_SCHEMES[dsn.scheme])


def engine_of_dsn(dsn: Dsn | str) -> str:
    """``postgresql`` or ``mysql`` from the DSN's scheme (MariaDB is told apart once connected)."""
    return "postgresql" if normalise_dsn(dsn).drivername.startswith("postgresql") else "mysql"


def explain_connect_error(error: BaseException, dsn: Dsn | str, connect_timeout_s: float) -> str:
    """One readable line for a failed connection: refused, timed out, authentication, unknown database."""
    text = str(getattr(error, "orig", None) or error)
    lowered = text.lower()
    where = as_dsn(dsn).where()
    if "refused" in lowered or "can't connect" in lowered and "111" in lowered:
        return f"cannot connect to {where}: connection refused (is the server running?)"
    if "timeout" in lowered or "timed out" in lowered:
        return f"cannot connect to {where}: no answer within {connect_timeout_s:g} s"
    if "password" in lowered or "authentication" in lowered or "access denied" in lowered:
        return f"cannot connect to {where}: authentication failed (check the user and password in its DSN)"
    if "does not exist" in lowered or "unknown database" in lowered:
        return f"cannot connect to {where}: the database does not exist"
    if "could not translate host name" in lowered or "name or service not known" in lowered:
        return f"cannot connect to {where}: unknown host"
    first = redact(text.strip().splitlines()[0] if text.strip() else type(error).__name__)
    return f"cannot connect to {where}: {first[:200]}"


def explain_query_error(error: BaseException) -> str:
    """A failed probe query in a few words: privilege, timeout, or the driver's first line."""
    text = str(getattr(error, "orig", None) or error)
    lowered = text.lower()
    if "permission denied" in lowered or "access denied" in lowered or "command denied" in lowered:
        return "<insufficient privilege>"
    if (
        "statement timeout" in lowered
        or "max_statement_time" in lowered
        or "maximum statement execution time" in lowered
    ):
        return "the query hit the probe's statement timeout"
    if "lock timeout" in lowered or "lock wait timeout" in lowered:
        return "the query waited for a lock past the probe's lock timeout (a table is locked exclusively)"
    first = text.strip().splitlines()[0] if text.strip() else type(error).__name__
    return redact(first)[:200]


def read_section(probe, checks: tuple[str, ...], read) -> None:
    """Run one group of queries; a failure marks its checks unavailable with the reason, and the probe goes on."""
    try:
        read()
    except sa.exc.DBAPIError as error:
        reason = explain_query_error(error)
        for check in checks:
            probe.unavailable[check] = reason


ENGINES_KEPT = 1024  # one per DSN and timeouts: a fleet of hundreds of databases, with room for DSN changes
_engines: OrderedDict[tuple, sa.Engine] = OrderedDict()
_engines_lock = threading.Lock()


def probe_engine_for(
    make_engine: Callable[[Dsn, float, float], sa.Engine],
    dsn: Dsn,
    connect_timeout_s: float,
    statement_timeout_s: float,
) -> sa.Engine:
    """The engine for ``dsn`` and these timeouts, made once and kept (least recently used beyond ENGINES_KEPT go).

    Its pool keeps no connection (``NullPool``: each probe opens and closes its own, so an unreachable server leaves
    nothing behind); what is kept is SQLAlchemy's dialect, set up on the first connection with a few queries of its
    own: about 20 ms per probe, most of it Python, which on a fleet of hundreds held the GIL longer than the probes'
    own reading. Keyed by the DSN's fingerprint, so a changed password gets a new engine."""
    key = (make_engine.__module__, make_engine.__qualname__, dsn.fingerprint(), connect_timeout_s, statement_timeout_s)
    with _engines_lock:
        engine = _engines.get(key)
        if engine is not None:
            _engines.move_to_end(key)
            return engine
    engine = make_engine(dsn, connect_timeout_s, statement_timeout_s)
    with _engines_lock:
        kept = _engines.setdefault(key, engine)
        _engines.move_to_end(key)
        while len(_engines) > ENGINES_KEPT:
            _engines.popitem(last=False)[1].dispose()
    if kept is not engine:
        engine.dispose()
    return kept


@contextlib.contextmanager
def probe_connection(
    make_engine: Callable[[Dsn, float, float], sa.Engine],
    dsn: Dsn,
    connect_timeout_s: float,
    statement_timeout_s: float,
) -> Iterator[sa.Connection]:
    """One probe's own connection, closed afterwards; a failure to connect becomes a ProbeError a person can act on."""
    engine = probe_engine_for(make_engine, dsn, connect_timeout_s, statement_timeout_s)
    try:
        connection = engine.connect()
    except sa.exc.DBAPIError as error:
        raise ProbeError(explain_connect_error(error, dsn, connect_timeout_s)) from None
    with connection:
        yield connection


def read_basics(read: Callable[[], object]) -> object:
    """The probe's first query: a failure here means the server answered but cannot be read at all."""
    try:
        return read()
    except sa.exc.DBAPIError as error:
        raise ProbeError(f"the server answered but cannot be read: {explain_query_error(error)}") from None


def probe_engine(dsn: Dsn | str, connect_timeout_s: float, **connect_args) -> sa.Engine:
    """An engine for one probe: no pool kept, autocommit, the connect timeout (whole seconds, at least 1) and the
    engine's own ``connect_args``."""
    return sa.create_engine(
        normalise_dsn(dsn),
        poolclass=NullPool,
        isolation_level="AUTOCOMMIT",
        connect_args={"connect_timeout": max(int(round(connect_timeout_s)), 1), **connect_args},
    )


STATEMENTS_READ = 200  # the top statements by total time the history keeps per snapshot; the check shows 10
STATEMENT_TEXT_STORED = 1000  # characters of normalised query text kept in the history


def statement_row(queryid, calls, total_ms, rows, query: str | None) -> dict:
    """One row of the top statements by total time, as the slow statements check reads it."""
    return {
        "queryid": queryid,
        "calls": int(calls),
        "total_ms": round(float(total_ms), 1),
        "mean_ms": round(float(total_ms) / max(int(calls), 1), 2),
        "rows": int(rows or 0),
        "query": truncate_query(query),
    }


def statement_counter(queryid, calls, total_ms, rows, query: str | None, counted_since=None) -> dict:
    """One statement's cumulative counters as the statement history stores them (longer text than the check's);
    ``counted_since``: the server's reset time for them, kept as text and only ever compared for a change."""
    return {
        "statement_key": str(queryid),
        "query_text": truncate_query(query, STATEMENT_TEXT_STORED),
        "calls": int(calls),
        "total_time_ms": float(total_ms),
        "rows": int(rows or 0),
        "counted_since": None if counted_since is None else str(counted_since),
    }


def timed_probe(
    make_engine: Callable[[Dsn, float, float], sa.Engine],
    dsn: Dsn | str,
    connect_timeout_s: float,
    statement_timeout_s: float,
    read: Callable[[sa.Connection], object],
):
    """``read(connection)`` on the probe's own connection; the ProbeData it returns carries how long it all took."""
    started = time.monotonic()
    with probe_connection(make_engine, as_dsn(dsn), connect_timeout_s, statement_timeout_s) as connection:
        probe = read(connection)
    probe.duration_s = time.monotonic() - started
    return probe


def explain_custom_error(error: BaseException, timeout_s: float) -> CustomReading:
    """Why a custom check's query gave nothing: it tried to write, ran out of time, or the server's first line (never
    a DSN or password)."""
    text = str(getattr(error, "orig", None) or error)
    args = getattr(error, "args", ())
    if len(args) == 2 and isinstance(args[0], int) and isinstance(args[1], str):  # PyMySQL: (code, message)
        text = args[1]
    lowered = text.lower()
    if getattr(error, "sqlstate", None) == "25006" or "read-only transaction" in lowered or "read only" in lowered:
        reason = "the query tries to write; the read-only transaction refused it and nothing was written"
        return CustomReading(error=reason, cause=WROTE)
    if (
        "statement timeout" in lowered
        or "max_statement_time" in lowered
        or "maximum statement execution time" in lowered
    ):
        return CustomReading(error=f"the query ran past its statement timeout of {timeout_s:g} s", cause=TIMED_OUT)
    if "permission denied" in lowered or "access denied" in lowered or "command denied" in lowered:
        return CustomReading(error=f"{INSUFFICIENT_PRIVILEGE}: {redact(text.strip().splitlines()[0])[:200]}")
    first = text.strip().splitlines()[0] if text.strip() else type(error).__name__
    return CustomReading(error=redact(first)[:200], cause=ERROR)


def read_custom_checks(
    connection: sa.Connection,
    checks: tuple[CustomCheck, ...],
    *,
    start: Callable[[object, float], None],
    execute: Callable[[object, str], None],
    statement_timeout_s: float,
    deadline_at: float | None,
) -> dict[str, CustomReading]:
    """Run each custom check on the probe's connection, each in its own transaction: ``start(cursor, timeout_s)``
    opens it READ ONLY with the check's statement timeout, ``execute(cursor, sql)`` runs the query, and it is always
    rolled back. Each check's timeout is the probe's, cut to what is left before ``deadline_at`` (monotonic) less a
    margin, so a slow check never makes the whole probe miss the fleet's deadline. A failure is that check's only."""
    raw = connection.connection.dbapi_connection
    errors = connection.dialect.loaded_dbapi.Error
    readings: dict[str, CustomReading] = {}
    for check in checks:
        timeout_s = statement_timeout_s
        if deadline_at is not None:
            timeout_s = min(timeout_s, deadline_at - time.monotonic() - CUSTOM_DEADLINE_MARGIN_S)
        if timeout_s < MIN_CUSTOM_TIMEOUT_S:
            readings[check.name] = CustomReading(
                error="not run: too little time was left before the probe's deadline (the checks before it used it)",
                cause=NOT_RUN,
            )
            continue
        readings[check.name] = _read_custom(raw, check.sql, start, execute, timeout_s, errors)
    return readings


def _read_custom(raw, sql: str, start, execute, timeout_s: float, errors) -> CustomReading:
    cursor = raw.cursor()
    try:
        start(cursor, timeout_s)
        execute(cursor, sql)
        if cursor.description is None:
            return CustomReading(error="the statement returned no result (a check returns a value or rows)")
        columns = tuple(str(d[0]) for d in cursor.description)
        rows = cursor.fetchmany(ROW_LIMIT + 1)
        kept = tuple(tuple(plain_value(value) for value in row) for row in rows[:ITEMS_SHOWN])
        return CustomReading(columns, kept, len(rows))
    except errors as error:
        return explain_custom_error(error, timeout_s)
    finally:
        try:
            cursor.execute("ROLLBACK")
        except errors:
            pass  # the connection is gone: the next check says so itself
        cursor.close()


def plain_value(value: object) -> object:
    """A value a check's row may keep: numbers and text as they are, bytes as text, anything else (dates, UUIDs,
    ranges) as its text, so a reading can be cached, copied and printed whatever column types the query returned."""
    if value is None or isinstance(value, (bool, int, float, Decimal, str)):
        return value
    if isinstance(value, (bytes, bytearray, memoryview)):
        raw = bytes(value)
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            return "\\x" + raw.hex()
    return str(value)


def list_databases_with(
    make_engine: Callable[[Dsn, float, float], sa.Engine],
    dsn: Dsn | str,
    query: sa.TextClause,
    connect_timeout_s: float,
    statement_timeout_s: float,
    leave_out: frozenset[str] = frozenset(),
) -> list[str]:
    """The names ``query`` lists on the server (its first column), sorted, less ``leave_out``: one short connection
    of the server's budget. Raises ProbeError naming the cause, never the DSN's password."""
    with probe_connection(make_engine, as_dsn(dsn), connect_timeout_s, statement_timeout_s) as connection:
        rows = read_basics(lambda: connection.execute(query).all())
    return sorted(str(row[0]) for row in rows if str(row[0]) not in leave_out)
