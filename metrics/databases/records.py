"""DBA records: what makes an entry valid. Pure: the store (``data.databases.store``) validates with it before
writing, and every message names the field."""

from __future__ import annotations

from datetime import date

from metrics.databases.checks import RECORD_KINDS

RECORD_OUTCOMES = ("ok", "partial", "failed")
NOTES_LIMIT = 2000
BY_LIMIT = 200  # the columns' sizes: a longer value is a field message, never a raw database error
LINK_LIMIT = 500


class RecordError(ValueError):
    """An invalid DBA record; the message names the field."""


def is_web_link(link: str) -> bool:
    """An http(s) URL with a host, e.g. a ticket or runbook: ``scheme://host...``, the scheme in any case."""
    scheme, colon, rest = link.strip().partition(":")
    return (
        bool(colon)
        and scheme.lower() in ("http", "https")
        and rest[:2] == "//"
        and rest[2:3] not in ("", "/", "?", "#")
    )


def validate_record(
    *,
    database: str,
    kind: str,
    done_on: date,
    recorded_by: str,
    outcome: str,
    notes: str,
    link: str,
    known_databases: list[str] | None,
    today: date,
) -> None:
    """Raise RecordError naming the first bad field."""
    if known_databases is not None and database not in known_databases:
        raise RecordError(
            f"database: {database!r} is not in databases.toml (known: {', '.join(known_databases) or 'none'})"
        )
    if kind not in RECORD_KINDS:
        raise RecordError(f"kind: {kind!r} is not one of {', '.join(RECORD_KINDS)}")
    if done_on > today:
        raise RecordError(f"date: {done_on.isoformat()} is in the future; record what has been done")
    if not recorded_by.strip():
        raise RecordError("by: say who did it")
    if len(recorded_by.strip()) > BY_LIMIT:
        raise RecordError(f"by: at most {BY_LIMIT} characters")
    if len(link.strip()) > LINK_LIMIT:
        raise RecordError(f"link: at most {LINK_LIMIT} characters")
    for field, text in (("by", recorded_by), ("notes", notes), ("link", link)):
        if "\x00" in text:
            raise RecordError(f"{field}: contains a NUL character, which no database stores as text")
    if outcome not in RECORD_OUTCOMES:
        raise RecordError(f"outcome: {outcome!r} is not one of {', '.join(RECORD_OUTCOMES)}")
    if len(notes) > NOTES_LIMIT:
        raise RecordError(f"notes: at most {NOTES_LIMIT} characters")
    if link and not is_web_link(link):
        raise RecordError("link: must be an http(s) URL, e.g. a ticket or runbook")
