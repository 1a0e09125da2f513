"""One stored record per form submission: the idempotency key a form's save carries.

A form gets a key when it is first drawn; the store keeps the key with the write (unique), so a double click, or a
second submit of the browser's copy of a cleared form, is refused as already saved instead of stored twice. The
tracker's create and review forms and the DBA record form use it."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Mapping
from typing import Any

import streamlit as st


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
