"""Writes to the store that fail because the store is down: one clear message, never a traceback, and what the
person typed stays in the form.

``store_write("save the incident", settings.database_url)`` wraps a write; a driver error (the server is down, the
network is gone, the file is locked, the schema is missing) ends the block with the message on the page. Forms keep
their content: they are drawn with ``clear_on_submit=False`` and cleared only after a successful save. The message
names the store by its kind, host and database, and quotes no SQL, no parameters, no user, password or DSN.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from dataclasses import dataclass

import streamlit as st
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

from data.secrets import SecretUrl, redact

log = logging.getLogger(__name__)

STORE_ERRORS = (OperationalError, InterfaceError, DBAPIError)  # DBAPIError: every error the driver raised
NOT_SAVED = "your edit was not saved; it is still in the form"


def is_store_error(error: BaseException) -> bool:
    return isinstance(error, STORE_ERRORS)


def driver_detail(error: BaseException, database_url: str | SecretUrl | None = None) -> str:
    """The driver's first line (never SQLAlchemy's, which quotes the statement and its parameters), redacted.

    Reading ``database_url`` teaches ``redact`` its password, even for a URL the settings never saw."""
    SecretUrl.of(database_url)
    original = getattr(error, "orig", None) or error
    text = str(original).strip().splitlines()[0] if str(original).strip() else type(original).__name__
    return redact(text)[:300]


def store_name(database_url: str | SecretUrl | None = None) -> str:
    """ "the PostgreSQL store on db-host:5432 (database reliability)": which store, without user, password or DSN."""
    url = SecretUrl.of(database_url or "")
    if url.problem:
        return "the store"
    backend = url.backend
    if backend == "sqlite":
        return f"the SQLite store {url.database or '(in memory)'}"
    names = {"postgresql": "PostgreSQL", "mysql": "MySQL", "mariadb": "MariaDB"}
    where = f"{url.host or 'localhost'}" + (f":{url.port}" if url.port else "")
    return f"the {names.get(backend, backend)} store on {where}" + (
        f" (database {url.database})" if url.database else ""
    )


def store_failure_message(
    what: str, error: BaseException, database_url: str | None = None, kept: str = NOT_SAVED
) -> str:
    """ "The store is unreachable: your edit was not saved; it is still in the form. Could not save the incident:
    the PostgreSQL store on db:5432 (database reliability) said "connection refused" (OperationalError). …" """
    unreachable = isinstance(error, (OperationalError, InterfaceError)) or not isinstance(error, DBAPIError)
    headline = "The store is unreachable" if unreachable else "The store refused the write"
    return (
        f"**{headline}: {kept}.** Could not {what}: {store_name(database_url)} said "
        f"\u201c{driver_detail(error, database_url)}\u201d ({type(getattr(error, 'orig', None) or error).__name__}). "
        "Try again once it is back; nothing was stored."
    )


def store_read_message(
    what: str, error: BaseException, database_url: str | None = None, rest: str = "The rest of the page still works."
) -> str:
    """For a panel that cannot read the store: what is missing, why, and what still works."""
    where = store_name(database_url)
    return (
        f"**The store is unreachable: {what} cannot be shown.** {where[0].upper()}{where[1:]} said "
        f"\u201c{driver_detail(error, database_url)}\u201d. {rest}"
    )


@dataclass
class StoreWrite:
    """What a ``store_write`` block learns: ``failed`` holds the message when the write did not happen."""

    failed: str | None = None

    @property
    def ok(self) -> bool:
        return self.failed is None


@contextlib.contextmanager
def store_write(what: str, database_url: str | None = None, kept: str = NOT_SAVED) -> Iterator[StoreWrite]:
    """Run a write; a store error becomes the message on the page (``st.error``) and ``outcome.failed``.

    Usage::

        with store_write("save the incident", settings.database_url) as outcome:
            save_incidents(...)
            st.success("saved")          # skipped when the write failed
        if outcome.ok: ...
    """
    outcome = StoreWrite()
    try:
        yield outcome
    except STORE_ERRORS as error:
        log.warning("store write failed (%s): %s", what, type(error).__name__)  # no URL, no SQL, no parameters
        outcome.failed = store_failure_message(what, error, database_url, kept)
        st.error(outcome.failed, icon=":material/database:")
