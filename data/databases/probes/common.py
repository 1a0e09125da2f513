"""What every probe shares: DSNs read once (``data.secrets.Dsn``), and errors a person can act on that never quote a
password (every message passes through ``data.secrets.redact``)."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator

import sqlalchemy as sa
from sqlalchemy.pool import NullPool

from data.secrets import Dsn, redact
from metrics.databases.checks import truncate_query

PROBE_APPLICATION_NAME = "reliability-dashboard-probe"
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


@contextlib.contextmanager
def probe_connection(
    make_engine: Callable[[Dsn, float, float], sa.Engine],
    dsn: Dsn,
    connect_timeout_s: float,
    statement_timeout_s: float,
) -> Iterator[sa.Connection]:
    """One probe's own connection: a failure to connect becomes a ProbeError a person can act on, and the engine
    (its pool) is gone afterwards so an unreachable server leaves nothing behind."""
    engine = make_engine(dsn, connect_timeout_s, statement_timeout_s)
    try:
        try:
            connection = engine.connect()
        except sa.exc.DBAPIError as error:
            raise ProbeError(explain_connect_error(error, dsn, connect_timeout_s)) from None
        with connection:
            yield connection
    finally:
        engine.dispose()


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
