"""One stored record per form submission: the idempotency key a form's save carries.

A form gets a key when it is first drawn; the store keeps the key with the write (unique), so a double click, or a
second submit of the browser's copy of a cleared form, is refused as already saved instead of stored twice. The
tracker's create and review forms, the DBA record form and the SLO review form use it (``store_once``: the whole
save, said the same way on every form)."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar

import streamlit as st

T = TypeVar("T")


def _token_key(prefix: str) -> str:
    """Outside the form's ``<prefix>_`` keys, so clearing the form after a save keeps it."""
    return f"submission_token_{prefix}"


def _spent_key(prefix: str) -> str:
    return f"submission_spent_{prefix}"


def ensure_submission_token(prefix: str) -> str:
    """The form's idempotency key, created when the form is first drawn."""
    return st.session_state.setdefault(_token_key(prefix), uuid.uuid4().hex)


def _fingerprint(values: Mapping[str, Any]) -> str:
    return hashlib.sha256(repr(sorted(values.items())).encode()).hexdigest()


def submission_token(prefix: str, values: Mapping[str, Any]) -> str:
    """The key to store this submission under. A saved token stays while the form is submitted again with the
    values it stored (a second click, even one carrying the browser's copy of the cleared form), so the store
    refuses it as already saved; other values are a new submission and get a new token."""
    token = ensure_submission_token(prefix)
    spent = st.session_state.get(_spent_key(prefix))
    if spent is not None and spent[0] == token and spent[1] != _fingerprint(values):
        token = st.session_state[_token_key(prefix)] = uuid.uuid4().hex
    return token


def mark_spent(prefix: str, token: str, values: Mapping[str, Any]) -> None:
    """The token was stored with these values: the same values again are the same submission."""
    st.session_state[_spent_key(prefix)] = (token, _fingerprint(values))


def store_once(
    prefix: str,
    entry: Mapping[str, Any],
    *,
    what: str,
    database_url,
    save: Callable[[str], T | None],
    already: type[Exception],
    refusals: tuple[type[Exception], ...],
    fields: Iterable[str] = (),
) -> T | None:
    """Store ``entry`` once, under the form's idempotency key: ``save(token)`` writes it. A repeat the store refuses
    (``already``) reads as already saved, a refusal (``refusals``: a rule, a role, a missing name) as "Not recorded —
    why", and a store that cannot be written is said by ``store_write``; in each case the form keeps what was
    typed. Once stored, the form's ``fields`` (``<prefix>_<field>`` keys) are emptied for the next entry."""
    from pages.common.store_writes import store_write
    from pages.common.widgets import plain

    token = submission_token(prefix, entry)
    stored = None
    with store_write(what, database_url):
        try:
            stored = save(token)
        except already as repeated:
            message = str(repeated)
            st.info(f"{plain(message[0].upper() + message[1:])}.", icon=":material/done_all:")
        except refusals as error:
            st.error(f"Not recorded — {plain(str(error))}", icon=":material/error:")
    if stored is not None:
        mark_spent(prefix, token, entry)
        for name in fields:
            st.session_state.pop(f"{prefix}_{name}", None)
    return stored
