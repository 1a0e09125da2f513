"""The rollup collector run from a page (admins), with its progress: the trends page's Collect button, and the SLO
overview's, for the days its long windows found missing."""

from __future__ import annotations

from datetime import date

import streamlit as st

from data.settings import Settings
from data.slo.catalog import Catalog
from data.store import shared_engine
from metrics.access import Actor, MissingName, PermissionDenied
from pages.common import history


def show_collection(
    settings: Settings, slo_catalog: Catalog, actor: Actor, first: date | None = None, last: date | None = None
) -> bool:
    """Run the rollup collector from the page (admins), with its progress; the same code as
    ``cli.py collect rollups``, so a run from here and one from cron store the same rows. ``first``/``last``: the
    days to collect (default: the last 90). True when it ran to the end."""
    from data.slo.sources import SourceError
    from data.trends.service import collect_rollups

    with st.status("Collecting daily rollups…", expanded=True) as status:
        bar = st.progress(0.0, text="Finding the days still missing…")

        def progress(done: int, todo: int, day: date) -> None:
            bar.progress(done / max(todo, 1), text=f"{done} of {todo} days, up to {day.isoformat()}")

        try:
            summary = collect_rollups(
                settings,
                slo_catalog.slos,
                shared_engine(settings.database_url),
                actor=actor,
                first=first,
                last=last,
                progress=progress,
            )
        except (PermissionDenied, MissingName) as error:
            status.update(label=str(error), state="error")
            return False
        except SourceError as error:
            status.update(
                label=f"Stopped: {error}. The days stored before this are kept; collect again to continue.",
                state="error",
            )
            return False
        except Exception as error:  # the store's driver errors vary: name the kind, never a DSN
            status.update(
                label=f"Stopped: the store could not be written ({type(error).__name__}). The days "
                "stored before this are kept.",
                state="error",
            )
            return False
        history.clear()
        problems = (
            f"; {len(summary.errors)} SLO(s) refused: " + "; ".join(summary.errors.values()) if summary.errors else ""
        )
        incomplete = (
            f"; {len(summary.incomplete)} (day, SLO) pair(s) not stored: the SLO's counters did not exist when the "
            "day began"
            if summary.incomplete
            else ""
        )
        status.update(
            label=f"Stored {summary.rows_stored} rows for {summary.days_stored} days "
            f"({summary.first} .. {summary.last}); {summary.already_collected} already collected, "
            f"{summary.queries} queries{incomplete}{problems}",
            state="error" if summary.errors else "complete",
            expanded=bool(summary.errors),
        )
    return True
