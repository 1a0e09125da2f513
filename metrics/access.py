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
        raise MissingName(
            f"say who you are before you {action} (your name in the sidebar): every change is "
            "recorded under it. Nothing was saved."
        )
    if len(name) > NAME_MAX_LENGTH or any(ord(character) < 32 for character in name):
        raise MissingName(
            f"the name to record must be at most {NAME_MAX_LENGTH} characters with no control "
            "characters. Nothing was saved."
        )
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


def email_is_verified(claims: Mapping[str, Any]) -> bool:
    """Whether the provider vouches for the ``email`` claim: ``email_verified`` is the boolean true, or the string
    "true" in any case (some providers send strings). Absent, false, "false", "0", 1, "yes" or anything else is
    not verified: the app fails closed rather than guess what a provider meant."""
    value = claims.get("email_verified")
    return value is True or (isinstance(value, str) and value.lower() == "true")


def verified_email(claims: Mapping[str, Any]) -> str | None:
    """The ``email`` claim when the provider vouches for it, else None."""
    email = claims.get("email")
    if not isinstance(email, str) or not email.strip() or not email_is_verified(claims):
        return None
    return email.strip()


def _claim_text(claims: Mapping[str, Any], name: str) -> str:
    value = claims.get(name)
    return value.strip() if isinstance(value, str) else ""


def identity_name(claims: Mapping[str, Any]) -> str | None:
    """The name a signed-in person's writes are attributed to: the verified address, otherwise
    ``"sub <subject> at <issuer>"`` (the ``sub`` and ``iss`` claims, unique together by OIDC's rules). None without
    a subject, whatever else the claims say (every valid ID token has one: its absence means a claim set nobody
    can vouch for), and None without an issuer when the name would be the subject form.

    The subject form has spaces, so it is never a valid address, and an issuer is a URL without spaces, so the text
    after the last " at " is always the issuer. Display names (``name``, ``preferred_username``, ``nickname``) are
    whatever the person typed at the provider and never become an identity."""
    subject, issuer = _claim_text(claims, "sub"), _claim_text(claims, "iss")
    if not subject:
        return None
    if address := verified_email(claims):
        return address
    if not issuer or any(character.isspace() for character in issuer):
        return None
    return f"sub {subject} at {issuer}"


DISPLAY_NAME_CLAIMS = ("name", "preferred_username", "nickname")


def unverified_display_name(claims: Mapping[str, Any]) -> str | None:
    """A name to show beside a subject identity so people recognise it; only ever a label, never an identity."""
    for claim in DISPLAY_NAME_CLAIMS:
        if text := _claim_text(claims, claim):
            return text
    return None


def role_for(claims: Mapping[str, Any], rules: RoleRules) -> Role | None:
    """The highest role the rules grant this person; ``default_role`` when none does.

    Address and domain rules (``[members]``) look only at a verified address (``verified_email``), so nobody gains
    a role by registering someone else's address at a provider that does not check it. Claim rules apply without
    one: the provider asserts the claim itself."""
    granted: list[Role] = []
    address = (verified_email(claims) or "").lower()
    if address:
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
