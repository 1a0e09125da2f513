"""Who may do what: roles, the acting identity, and the rule that maps a signed-in person to a role.

The store's write functions receive an ``Actor`` and call ``require`` before they touch anything, so a viewer
cannot write through any path (a page, the CLI, an import), not only through the buttons a page hides.

- viewer: reads every page.
- editor: also changes tracker items, DBA records, incidents and weekly notes.
- admin: also runs collectors and imports from the UI.
"""
from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any


class Role(enum.IntEnum):
    VIEWER = 1
    EDITOR = 2
    ADMIN = 3

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> Role:
        try:
            return cls[text.strip().upper()]
        except KeyError:
            raise ValueError(f"{text!r} is not a role (viewer, editor, admin)") from None


ROLE_NAMES = tuple(role.label for role in Role)

# How an identity came to the app: signed in through OIDC, the single-person local mode, the command line run by
# whoever holds the machine, or the app's own automatic rules (a parked item coming due).
VIA_OIDC, VIA_LOCAL, VIA_CLI, VIA_SYSTEM = "oidc", "local", "cli", "system"


@dataclass(frozen=True)
class Actor:
    """The acting identity: the name every write is attributed to, and the role that decides what it may do."""

    name: str
    role: Role
    via: str = VIA_OIDC

    def can(self, needed: Role) -> bool:
        return self.role >= needed

    def audit_details(self) -> dict[str, str]:
        return {"role": self.role.label, "via": self.via}


SYSTEM_ACTOR = Actor("dashboard (automatic)", Role.ADMIN, VIA_SYSTEM)


class PermissionDenied(PermissionError):
    """The actor's role does not allow this write; nothing was stored."""

    def __init__(self, actor: Actor, needed: Role, action: str) -> None:
        self.actor, self.needed, self.action = actor, needed, action
        who = actor.name or "this session"
        allowed = "admins" if needed is Role.ADMIN else "editors and admins"
        super().__init__(f"{who} ({actor.role.label}) may not {action}: only {allowed} can. Nothing was saved.")


class MissingName(ValueError):
    """A write with nobody to attribute it to (local mode before a name was entered), or a name the audit trail
    cannot hold (too long, control characters); nothing was stored."""


NAME_MAX_LENGTH = 200  # the audit trail's and the records' author columns


def require_role(actor: Actor, needed: Role, action: str) -> None:
    """``PermissionDenied`` unless the actor's role allows ``action`` (the name is checked by ``require``)."""
    if not isinstance(actor, Actor):
        raise TypeError("writes need an Actor (name and role), not a bare name")
    if not actor.can(needed):
        raise PermissionDenied(actor, needed, action)


def require(actor: Actor, needed: Role, action: str) -> str:
    """The actor's name when its role allows ``action``; raises ``PermissionDenied`` or ``MissingName``."""
    require_role(actor, needed, action)
    name = (actor.name or "").strip()
    if not name:
        raise MissingName(f"say who you are before you {action} (your name in the sidebar): every change is "
                          "recorded under it. Nothing was saved.")
    if len(name) > NAME_MAX_LENGTH or any(ord(character) < 32 for character in name):
        raise MissingName(f"the name to record must be at most {NAME_MAX_LENGTH} characters with no control "
                          "characters. Nothing was saved.")
    return name


# --- mapping a signed-in person to a role ---------------------------------------------------------------------------


@dataclass(frozen=True)
class RoleRules:
    """Configuration (``config/access.toml``): who gets which role, by e-mail, domain or an ID-token claim.

    ``members`` maps a role to addresses (``kim@example.com``) and domains (``@example.com``); ``claim_values``
    maps a role to values of the ID-token claim named ``claim`` (a string or a list, e.g. ``groups``). The highest
    role any rule grants wins. ``default_role`` is for signed-in people no rule names (None: no access).
    ``local_role`` is the role of the single person in local mode (no sign-in configured)."""

    members: Mapping[Role, tuple[str, ...]] = field(default_factory=dict)
    claim: str | None = None
    claim_values: Mapping[Role, tuple[str, ...]] = field(default_factory=dict)
    default_role: Role | None = Role.VIEWER
    local_role: Role = Role.ADMIN


def _matches_member(email: str, entry: str) -> bool:
    entry = entry.strip().lower()
    if not entry:
        return False
    if entry.startswith("@"):
        return email.endswith(entry)
    return email == entry


def _claim_values(claims: Mapping[str, Any], claim: str) -> set[str]:
    value = claims.get(claim)
    if value is None:
        return set()
    if isinstance(value, str):
        return {value}
    if isinstance(value, Iterable) and not isinstance(value, Mapping):
        return {str(item) for item in value}
    return {str(value)}


def role_for(email: str | None, claims: Mapping[str, Any], rules: RoleRules) -> Role | None:
    """The highest role the rules grant this person; ``default_role`` when none does.

    An address counts only when the provider says it is verified (``email_verified`` absent counts as verified:
    not every provider sends it), so nobody gains a role by registering someone else's address elsewhere."""
    granted: list[Role] = []
    address = (email or "").strip().lower()
    if address and claims.get("email_verified", True) is not False:
        for role, entries in rules.members.items():
            if any(_matches_member(address, entry) for entry in entries):
                granted.append(role)
    if rules.claim:
        held = _claim_values(claims, rules.claim)
        for role, values in rules.claim_values.items():
            if held & set(values):
                granted.append(role)
    if granted:
        return max(granted)
    return rules.default_role
