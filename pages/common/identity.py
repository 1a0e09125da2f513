"""Who is using this session, and as what role.

Two modes:

- **Sign-in** (OpenID Connect through ``st.login``) when ``[auth]`` is configured in ``.streamlit/secrets.toml``.
  Nobody sees a page before signing in; the role comes from ``config/access.toml`` (e-mail, domain or an ID-token
  claim). Who someone is comes from ``metrics.access.identity_name``: a verified address, else issuer and subject,
  never a display name.
- **Local mode** otherwise: one person at their own machine, with the role ``local_role`` (admin by default) and
  the name they type in the sidebar for attribution, remembered by their browser (a cookie) so a reload, a deep
  link or a new tab does not forget it. Not for shared deployments, and the sidebar says so.

Pages ask ``current_actor()`` and hide what the role may not do; the store refuses it anyway (``metrics.access``).
"""

from __future__ import annotations

import getpass
import json
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import unquote

import streamlit as st

from data.access import AccessConfigError, load_role_rules
from data.settings import Settings
from metrics.access import (
    VIA_LOCAL,
    VIA_OIDC,
    Actor,
    Role,
    RoleRules,
    identity_name,
    role_for,
    unverified_display_name,
    verified_email,
)
from pages.common.widgets import literal

NAME_KEY = "identity_name"  # survives page changes (widget state does not)
_NAME_INPUT_KEY = "identity_name_input"
_NAME_TO_REMEMBER_KEY = "identity_name_to_remember"
NAME_COOKIE = "reliability_dashboard_name"  # local mode only: the browser keeps the typed name for a year
NAME_MAX_CHARS = 100
LOCAL_MODE_NOTE = "Local mode: no sign-in. For one person on their own machine, not for shared deployments."


@dataclass(frozen=True)
class SessionIdentity:
    mode: str  # "oidc" or "local"
    actor: Actor | None  # None: signed out, or signed in with no role or nothing to attribute writes to
    logged_in: bool = False
    name: str | None = None  # metrics.access.identity_name; None when the claims identify nobody
    verified_address: bool = False  # the name is an address the provider vouches for
    display_name: str | None = None  # the provider's unverified label, shown beside a subject name only
    problem: str | None = None  # the access configuration could not be read: everyone is a viewer until fixed

    @property
    def signed_in(self) -> bool:
        return self.mode == "oidc" and self.logged_in

    @property
    def no_access(self) -> bool:
        return self.signed_in and self.actor is None


def sign_in_configured() -> bool:
    """True when ``[auth]`` is in Streamlit's secrets: then everyone signs in."""
    try:
        return bool(st.secrets.get("auth"))
    except Exception:  # no secrets file at all: Streamlit raises instead of answering False
        return False


def _mtime(path: Path) -> int | None:
    try:
        return path.stat().st_mtime_ns
    except OSError:
        return None


@st.cache_resource(show_spinner=False, max_entries=4)
def _cached_rules(path: str, mtime: int | None) -> tuple[RoleRules | None, str | None]:
    try:
        return load_role_rules(Path(path)), None
    except AccessConfigError as error:
        problems = "; ".join(error.problems)
        return None, (f"{Path(path).name} could not be read ({problems}): everyone is a viewer until it is fixed.")


def role_rules(settings: Settings) -> tuple[RoleRules, str | None]:
    """The configured rules, reread when the file changes; a broken file fails closed (all viewers)."""
    rules, problem = _cached_rules(str(settings.access_path), _mtime(settings.access_path))
    if rules is None:
        return RoleRules(default_role=Role.VIEWER, local_role=Role.VIEWER), problem
    return rules, None


def _signed_in_claims() -> dict | None:
    try:
        if not st.user.is_logged_in:
            return None
        return dict(st.user.to_dict())
    except Exception:  # no [auth]: st.user has nothing to say
        return None


def resolve(settings: Settings) -> SessionIdentity:
    rules, problem = role_rules(settings)
    if sign_in_configured():
        claims = _signed_in_claims()
        if claims is None:
            return SessionIdentity("oidc", None, problem=problem)
        name = identity_name(claims)
        verified = verified_email(claims) is not None
        role = role_for(claims, rules) if name else None
        actor = Actor(name, role, VIA_OIDC) if name and role is not None else None
        return SessionIdentity(
            "oidc",
            actor,
            logged_in=True,
            name=name,
            verified_address=verified,
            display_name=None if verified else unverified_display_name(claims),
            problem=problem,
        )
    typed = str(st.session_state.get(_NAME_INPUT_KEY) or st.session_state.get(NAME_KEY) or _remembered_name()).strip()
    return SessionIdentity("local", Actor(typed, rules.local_role, VIA_LOCAL), problem=problem)


def _remembered_name() -> str:
    """The name this browser typed last time (local mode), or ""; a cookie that is not a plain name is ignored."""
    try:
        raw = st.context.cookies.get(NAME_COOKIE)
    except Exception:  # no browser behind this session (a bare script run)
        return ""
    if not isinstance(raw, str):  # AppTest answers with a stand-in object, not a cookie
        return ""
    name = unquote(raw).strip()
    if len(name) > NAME_MAX_CHARS or any(not character.isprintable() for character in name):
        return ""
    return name


def _store_name_in_browser(name: str) -> None:
    """Set the name cookie from the page itself (SameSite=Strict, this path only, one year; cleared when emptied)."""
    value = json.dumps(name).replace("</", "<\\/")
    lifetime = 365 * 86400 if name else 0
    st.html(
        "<script>document.cookie = "
        f"'{NAME_COOKIE}=' + encodeURIComponent({value}) + '; path=/; max-age={lifetime}; SameSite=Strict';</script>",
        unsafe_allow_javascript=True,
        width="content",
    )


def current_actor(settings: Settings) -> Actor:
    """The acting identity for writes; a role-less viewer when nobody is signed in (the store refuses its writes)."""
    identity = resolve(settings)
    return identity.actor or Actor("", Role.VIEWER, identity.mode)


def collector_actor(settings: Settings) -> Actor:
    """Who runs a collector from a page. In local mode before a name is typed, the machine's login name: a
    collector run is mechanical, and on one person's machine that login is who ran it."""
    actor = current_actor(settings)
    if actor.via == VIA_LOCAL and not actor.name.strip():
        try:
            login = getpass.getuser()
        except Exception:  # no login name in this environment (a container without a passwd entry)
            login = "local user"
        actor = replace(actor, name=f"{login} (local)")
    return actor


def _remember_name() -> None:
    name = str(st.session_state.get(_NAME_INPUT_KEY, "")).strip()
    st.session_state[NAME_KEY] = name
    st.session_state[_NAME_TO_REMEMBER_KEY] = name


def show_sidebar(identity: SessionIdentity) -> None:
    """Who is signed in and as what, with sign-out; or the local-mode label and the name box."""
    with st.sidebar:
        if identity.problem:
            st.error(identity.problem, icon=":material/lock:")
        if identity.mode == "oidc" and identity.actor is not None:
            st.caption(f"Signed in as {literal(identity.actor.name)} · {identity.actor.role.label}")
            if identity.display_name:
                st.caption(
                    f":material/warning: Display name from the provider, **not verified** and not your "
                    f"identity here: {literal(identity.display_name)}"
                )
            st.button("Sign out", icon=":material/logout:", on_click=st.logout, key="sign_out", type="tertiary")
            return
        if identity.mode == "local":
            if _NAME_INPUT_KEY not in st.session_state:
                st.session_state[_NAME_INPUT_KEY] = st.session_state.get(NAME_KEY) or _remembered_name()
            st.text_input(
                "Your name",
                key=_NAME_INPUT_KEY,
                placeholder="e.g. Kim Min-jun",
                on_change=_remember_name,
                max_chars=NAME_MAX_CHARS,
                help="Every change you make is recorded under this name.",
            )
            role = identity.actor.role.label if identity.actor else "viewer"
            st.caption(f":material/person: {LOCAL_MODE_NOTE} Your role: {role}.")
            if _NAME_TO_REMEMBER_KEY in st.session_state:
                _store_name_in_browser(st.session_state.pop(_NAME_TO_REMEMBER_KEY))


def show_sign_in_page() -> None:
    """What someone who has not signed in sees: nothing of the data, one button."""
    st.title("Reliability Dashboard")
    st.info("Sign in to see the team's SLOs, databases, trends and records.", icon=":material/lock:")
    if st.button("Sign in", type="primary", icon=":material/login:", key="sign_in"):
        try:
            st.login()
        except Exception as error:  # an incomplete [auth] section: say what to fix, never a traceback
            from data.secrets import redact

            st.error(
                f"Sign-in is configured but cannot start: {type(error).__name__}: "
                f"{redact(str(error).splitlines()[0])[:300] if str(error) else 'no detail'}. Check [auth] in "
                ".streamlit/secrets.toml (redirect_uri, cookie_secret, client_id, client_secret, "
                "server_metadata_url).",
                icon=":material/error:",
            )


def _no_access_message(identity: SessionIdentity) -> str:
    if identity.name is None:
        return (
            "You are signed in, but your provider sent no subject (`sub`) or issuer (`iss`) claim, so nothing "
            "you do here could be attributed to you: no access. Ask whoever runs the sign-in provider."
        )
    who = f"{literal(identity.name)} is signed in but has no role in this dashboard."
    if identity.verified_address:
        return f"{who} Ask an admin to add your address, your domain or your group to config/access.toml."
    return (
        f"{who} Your provider does not mark an e-mail address of yours as verified (`email_verified`), so "
        "only a group claim in config/access.toml can give you a role: ask an admin, or have your address "
        "verified at the provider."
    )


def show_no_access_page(identity: SessionIdentity) -> None:
    st.title("Reliability Dashboard")
    st.warning(_no_access_message(identity), icon=":material/block:")
    st.button("Sign out", icon=":material/logout:", on_click=st.logout, key="sign_out_no_access")


def read_only_note(actor: Actor, needed: Role, what: str) -> None:
    """Said in place of a form the role may not use."""
    allowed = "admins" if needed is Role.ADMIN else "editors and admins"
    st.caption(f":material/lock: {what}: only {allowed} can; your role is {actor.role.label}.")
