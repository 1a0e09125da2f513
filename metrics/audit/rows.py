"""The audit trail as people read it: one row per write, details as one short line."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

AUDIT_COLUMNS = ("when", "who", "role", "via", "action", "what", "id", "details")
DETAILS_LIMIT = 300


def details_text(details: Mapping[str, Any]) -> str:
    """``key: value; ...`` with changes as ``field: old → new``, cut to a readable length."""
    parts = []
    for key, value in details.items():
        if key == "changes" and isinstance(value, Mapping):
            for name, change in value.items():
                old, new = (change + [None, None])[:2] if isinstance(change, list) else (None, change)
                parts.append(f"{name}: {'—' if old in (None, '') else old} → {'—' if new in (None, '') else new}")
        else:
            parts.append(f"{key}: {value if isinstance(value, (str, int, float)) else json.dumps(value, default=str)}")
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
