"""The audit trail as people read it: one row per write, details as one short line."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

AUDIT_COLUMNS = ("when", "who", "role", "via", "action", "what", "id", "details")
DETAILS_LIMIT = 300


def _shown(value: Any) -> str:
    """A stored value as words: lists joined by commas, mappings as "key value", yes/no for booleans."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, Mapping):
        return ", ".join(f"{_label(key)} {_shown(inner)}" for key, inner in value.items())
    if isinstance(value, (list, tuple)):
        return ", ".join(_shown(inner) for inner in value)
    if isinstance(value, (str, int, float)) or value is None:
        return str(value)
    return json.dumps(value, default=str)


def _label(key: str) -> str:
    return str(key).replace("_", " ")


def _change_sentence(name: str, change: Any) -> str:
    old, new = (list(change) + [None, None])[:2] if isinstance(change, (list, tuple)) else (None, change)
    if old in (None, ""):
        return f"{_label(name)} set to {_shown(new)}"
    if new in (None, ""):
        return f"{_label(name)} cleared (was {_shown(old)})"
    return f"{_label(name)} changed from {_shown(old)} to {_shown(new)}"


def details_text(details: Mapping[str, Any]) -> str:
    """The details as short sentences: what changed first ("title changed from Old to New", "owner set to kim"),
    then the rest as "key: value"; cut to a readable length."""
    parts = []
    changes = details.get("changes")
    if isinstance(changes, Mapping):
        parts += [_change_sentence(name, change) for name, change in changes.items()]
    parts += [f"{_label(key)}: {_shown(value)}" for key, value in details.items() if key != "changes"]
    text = "; ".join(parts)
    return text if len(text) <= DETAILS_LIMIT else text[: DETAILS_LIMIT - 1] + "…"


def audit_rows(entries: Iterable[Mapping[str, Any]], team_timezone: str) -> list[dict[str, str]]:
    zone = ZoneInfo(team_timezone)
    rows = []
    for entry in entries:
        at: datetime = entry["at"]
        rows.append(
            {
                "when": at.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S"),
                "who": entry["actor"],
                "role": entry.get("role") or "",
                "via": entry.get("via") or "",
                "action": entry["action"],
                "what": entry["entity"],
                "id": str(entry["entity_id"]),
                "details": details_text(entry.get("details") or {}),
            }
        )
    return rows
