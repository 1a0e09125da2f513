"""What every probe shares: DSN handling that never leaks a password, and errors a person can act on."""
from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Iterator

import sqlalchemy as sa
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

PROBE_APPLICATION_NAME = "reliability-dashboard-probe"
_SCHEMES = {
    "postgresql": "postgresql+psycopg", "postgres": "postgresql+psycopg", "postgresql+psycopg": "postgresql+psycopg",
    "mysql": "mysql+pymysql", "mariadb": "mysql+pymysql", "mysql+pymysql": "mysql+pymysql",
    "mariadb+pymysql": "mysql+pymysql",
}  # fmt: skip


class ProbeError(Exception):
    """A probe could not run: the message names the cause and never contains a DSN or password."""


def normalise_dsn(dsn: str) -> sa.URL:
    """A SQLAlchemy URL with the driver this app uses (psycopg, PyMySQL); raises ProbeError for anything else."""
    try:
        url = make_url(dsn.strip())
    except ArgumentError:
        raise ProbeError("the DSN is not a URL like postgresql://user@host:5432/db or mysql://user@host/db") from None
    scheme = url.drivername
    if scheme not in _SCHEMES:
        raise ProbeError(f"unsupported DSN scheme {scheme!r}: use postgresql://, mysql:// or mariadb://")
    return url.set(drivername=_SCHEMES[scheme])


def engine_of_dsn(dsn: str) -> str:
    """``postgresql`` or ``mysql`` from the DSN's scheme (MariaDB is told apart once connected)."""
    return "postgresql" if normalise_dsn(dsn).drivername.startswith("postgresql") else "mysql"


def describe_dsn(dsn: str) -> str:
    """host:port/database, the only part of a DSN that may be shown."""
    try:
        url = normalise_dsn(dsn)
    except ProbeError:
        return "<unparseable DSN>"
    port = f":{url.port}" if url.port else ""
    return f"{url.host or 'localhost'}{port}/{url.database or ''}"


def scrub(text: str, dsn: str | None) -> str:
    """Remove the DSN's password (and any URL's userinfo) from a message."""
    if dsn:
        try:
            password = make_url(dsn.strip()).password
        except ArgumentError:
            password = None
        if password:
            text = text.replace(str(password), "***")
    return re.sub(r"(\w+://)[^/@\s]+@", r"\1***@", text)


def explain_connect_error(error: BaseException, dsn: str, connect_timeout_s: float) -> str:
    """One readable line for a failed connection: refused, timed out, authentication, unknown database."""
    text = str(getattr(error, "orig", None) or error)
    lowered = text.lower()
    where = describe_dsn(dsn)
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
    first = scrub(text.strip().splitlines()[0] if text.strip() else type(error).__name__, dsn)
    return f"cannot connect to {where}: {first[:200]}"


def explain_query_error(error: BaseException, dsn: str | None = None) -> str:
    """A failed probe query in a few words: privilege, timeout, or the driver's first line."""
    text = str(getattr(error, "orig", None) or error)
    lowered = text.lower()
    if "permission denied" in lowered or "access denied" in lowered or "command denied" in lowered:
        return "<insufficient privilege>"
    if "statement timeout" in lowered or "max_statement_time" in lowered or "maximum statement execution time" in lowered:
        return "the query hit the probe's statement timeout"
    if "lock timeout" in lowered or "lock wait timeout" in lowered:
        return "the query waited for a lock past the probe's lock timeout (a table is locked exclusively)"
    first = text.strip().splitlines()[0] if text.strip() else type(error).__name__
    return scrub(first, dsn)[:200]


def read_section(probe, checks: tuple[str, ...], dsn: str, read) -> None:
    """Run one group of queries; a failure marks its checks unavailable with the reason, and the probe goes on."""
    try:
        read()
    except sa.exc.DBAPIError as error:
        reason = explain_query_error(error, dsn)
        for check in checks:
            probe.unavailable[check] = reason


@contextlib.contextmanager
def probe_connection(make_engine: Callable[[str, float, float], sa.Engine], dsn: str, connect_timeout_s: float,
                     statement_timeout_s: float) -> Iterator[sa.Connection]:
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


def read_basics(connection: sa.Connection, dsn: str, read: Callable[[], object]) -> object:
    """The probe's first query: a failure here means the server answered but cannot be read at all."""
    try:
        return read()
    except sa.exc.DBAPIError as error:
        raise ProbeError(f"the server answered but cannot be read: {explain_query_error(error, dsn)}") from None
