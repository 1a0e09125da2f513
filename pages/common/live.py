"""Pages that refresh themselves for a wall screen, and parts of a page that rerun alone.

- ``refresh_interval``: the header toggle "Auto-refresh every 60 s" (on by default, ``REFRESH_SECONDS``; 0 turns
  it off for everyone) and the interval it gives, or None: paused by the person looking, turned off, or a view of
  a past instant (``?at=``), which is frozen by definition. The choice is kept per page in ``st.session_state``
  (not only in the widget's own state, which Streamlit drops while a drill-down hides the toggle).
- ``part``: a function as an ``st.fragment``, rerunning every ``interval`` seconds when one is given, and alone
  when a widget inside it changes; with ``PAGE_FRAGMENTS=false`` it is the plain function, so every interaction
  reruns the whole page (the way to measure what fragments save).
- ``show_updated``: "updated 14:05:07 · refreshes every 60 s", the sign on a wall screen that the page is live.

A refresh reads through the same cached loaders as any run, so it never asks a source more often than their TTLs
allow; widgets inside a fragment keep their state across its reruns (filters, selections, typed text).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import TypeVar
from zoneinfo import ZoneInfo

import streamlit as st

from data.settings import Settings
from metrics.formatting import format_duration

F = TypeVar("F", bound=Callable[..., object])

_PAUSED = "live_paused_{page}"  # session_state: the person paused this page's refreshes
_TOGGLE = "live_toggle_{page}"  # the toggle's own widget key


def interval_text(seconds: float) -> str:
    """ "60 s", "90 s", "5 min": how the toggle names the interval."""
    if seconds < 120 or seconds % 60:
        return f"{seconds:g} s"
    from datetime import timedelta

    return format_duration(timedelta(seconds=seconds))


def refresh_interval(settings: Settings, page: str, *, frozen: bool = False, where=None) -> float | None:
    """Draw the page's auto-refresh toggle (in ``where``, a column; default: the page) and return the seconds between
    refreshes, or None when the page does not refresh: ``frozen`` (a past instant), ``REFRESH_SECONDS=0``, fragments
    turned off, or paused by the person looking."""
    seconds = settings.refresh_seconds
    if frozen or not seconds or not settings.fragments:
        return None
    paused_key, toggle_key = _PAUSED.format(page=page), _TOGGLE.format(page=page)

    def remember() -> None:
        st.session_state[paused_key] = not st.session_state[toggle_key]

    on = (where or st).toggle(
        f"Auto-refresh every {interval_text(seconds)}",
        value=not st.session_state.get(paused_key, False),
        key=toggle_key,
        on_change=remember,
        help="Re-read the figures by themselves, for a wall screen; filters and selections stay. Turn off to pause.",
    )
    return seconds if on else None


def part(func: F, settings: Settings, interval: float | None = None) -> F:
    """``func`` as a fragment (rerun alone on its widgets, and every ``interval`` seconds when given); the plain
    function when ``PAGE_FRAGMENTS`` is off."""
    if not settings.fragments:
        return func
    return st.fragment(func, run_every=interval)


def updated_text(settings: Settings, interval: float | None, *, frozen: bool = False, now: datetime | None = None):
    """The live line: when this part was last drawn, and whether it refreshes."""
    if frozen:
        return "Frozen: a past instant (?at=) never changes, so this view does not refresh."
    local = (now or datetime.now(UTC)).astimezone(ZoneInfo(settings.team_timezone))
    stamp = f"updated {local:%H:%M:%S}"
    if interval:
        return f"{stamp} · refreshes every {interval_text(interval)}"
    if not settings.refresh_seconds or not settings.fragments:
        return f"{stamp} · auto-refresh is off (REFRESH_SECONDS=0)" if settings.fragments else stamp
    return f"{stamp} · auto-refresh paused"


def show_updated(settings: Settings, interval: float | None, *, frozen: bool = False) -> None:
    st.caption(updated_text(settings, interval, frozen=frozen))
