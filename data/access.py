"""Who gets which role once sign-in is on, from ``config/access.toml`` (or ``ACCESS_CONFIG``).

A broken file is never half-applied: ``load_role_rules`` raises ``AccessConfigError`` listing every problem, and
the app then treats everyone as a viewer until it is fixed (failing closed: nobody gains a write by a typo).
"""

from __future__ import annotations

import tomllib
from difflib import get_close_matches
from pathlib import Path
from typing import Any

from metrics.access import ROLE_NAMES, Role, RoleRules

TOP_LEVEL = ("default_role", "local_role", "members", "claim")
CLAIM_KEYS = ("name", *ROLE_NAMES)


class AccessConfigError(ValueError):
    def __init__(self, path: Path, problems: list[str]) -> None:
        self.path, self.problems = path, problems
        super().__init__(f"{path}: " + "; ".join(problems))


def _unknown(where: str, key: str, known: tuple[str, ...]) -> str:
    hint = get_close_matches(key, known, n=1)
    return f"{where}: unknown key {key!r}" + (
        f"; did you mean {hint[0]!r}?" if hint else f" (known: {', '.join(known)})"
    )


def _role(value: Any, where: str, problems: list[str], allow_none: bool) -> Role | None:
    if allow_none and value == "none":
        return None
    if isinstance(value, str):
        try:
            return Role.parse(value)
        except ValueError:
            pass
    choices = ", ".join(ROLE_NAMES) + (' or "none"' if allow_none else "")
    problems.append(f"{where}: {value!r} is not a role ({choices})")
    return None


def _string_list(value: Any, where: str, problems: list[str]) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(item, str) and item.strip() for item in value):
        problems.append(f"{where}: must be a list of non-empty strings")
        return ()
    return tuple(item.strip() for item in value)


def parse_role_rules(data: dict[str, Any], path: Path) -> RoleRules:
    problems: list[str] = []
    for key in data:
        if key not in TOP_LEVEL:
            problems.append(_unknown(path.name, key, TOP_LEVEL))
    default_role = _role(data.get("default_role", "viewer"), "default_role", problems, allow_none=True)
    local_role = _role(data.get("local_role", "admin"), "local_role", problems, allow_none=False) or Role.ADMIN

    members: dict[Role, tuple[str, ...]] = {}
    raw_members = data.get("members", {})
    if not isinstance(raw_members, dict):
        problems.append("[members]: must be a table of role = [addresses and @domains]")
        raw_members = {}
    for key, value in raw_members.items():
        if key not in ROLE_NAMES:
            problems.append(_unknown("[members]", key, ROLE_NAMES))
            continue
        entries = _string_list(value, f"[members] {key}", problems)
        for entry in entries:
            if "@" not in entry:
                problems.append(
                    f"[members] {key}: {entry!r} is neither an address (kim@example.com) nor a domain (@example.com)"
                )
        members[Role.parse(key)] = entries

    claim_name = None
    claim_values: dict[Role, tuple[str, ...]] = {}
    raw_claim = data.get("claim", {})
    if not isinstance(raw_claim, dict):
        problems.append('[claim]: must be a table with name = "groups" and role = [values]')
        raw_claim = {}
    for key, value in raw_claim.items():
        if key not in CLAIM_KEYS:
            problems.append(_unknown("[claim]", key, CLAIM_KEYS))
        elif key == "name":
            if not isinstance(value, str) or not value.strip():
                problems.append('[claim] name: must name an ID-token claim, e.g. "groups"')
            else:
                claim_name = value.strip()
        else:
            claim_values[Role.parse(key)] = _string_list(value, f"[claim] {key}", problems)
    if claim_values and claim_name is None and not any(p.startswith("[claim] name") for p in problems):
        problems.append('[claim]: role values are given but no claim name (e.g. name = "groups")')

    if problems:
        raise AccessConfigError(path, problems)
    return RoleRules(
        members=members, claim=claim_name, claim_values=claim_values, default_role=default_role, local_role=local_role
    )


def load_role_rules(path: Path) -> RoleRules:
    """The rules in ``path``; the defaults (every signed-in person a viewer, local mode admin) when it is absent."""
    if not path.exists():
        return RoleRules()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise AccessConfigError(path, [f"not valid TOML ({error})"]) from None
    return parse_role_rules(data, path)
