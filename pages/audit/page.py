"""Audit trail: every write the app made, who made it, as what role, when. Newest first.

``?what=`` (tracker_item, incident, dba_record, weekly_note, daily_rollups, ...) and ``?who=`` narrow it, so a
view can be shared. The same rows as ``python cli.py audit`` (both read ``data.audit.service.audit_listing``).
Layout and widgets only.
"""

from datetime import timedelta

import pandas as pd
import streamlit as st

from data.audit.service import audit_listing
from data.store import shared_engine
from metrics.audit.rows import AUDIT_COLUMNS
from pages.common import loaders, widgets

DAYS_SHOWN = 90
ROWS_SHOWN = 2000

settings = loaders.settings()
st.title("Audit trail")
st.caption(
    f"Every write of the last {DAYS_SHOWN} days, newest first: tracker items and reviews, incidents, DBA "
    "records, weekly notes, imports and collector runs. Nothing here can be edited. Times in "
    f"{settings.team_timezone}; the same from `python cli.py audit`."
)

store_problem = loaders.migrate_store(settings.database_url)
if store_problem:
    st.error(store_problem, icon=":material/database:")
    st.stop()

with widgets.guarded_panel("audit trail"):
    since = settings.now() - timedelta(days=DAYS_SHOWN)
    listing = audit_listing(shared_engine(settings.database_url), settings.team_timezone, since=since, limit=ROWS_SHOWN)
    frame = pd.DataFrame(listing.rows, columns=list(AUDIT_COLUMNS))
    # ``?what=`` and ``?who=``: one multiselect each, kept in the query string; nothing picked means everything.
    shown = frame
    for column, (name, label, placeholder) in zip(
        st.columns(2), (("what", "What", "Everything"), ("who", "Who", "Everyone"))
    ):
        options = sorted(set(frame[name]))
        picked = column.multiselect(
            label,
            options,
            key=f"audit_{name}",
            placeholder=placeholder,
            default=[v for v in st.query_params.get_all(name) if v in options],
        )
        if picked:
            st.query_params[name] = picked
            shown = shown[shown[name].isin(picked)]
        elif name in st.query_params:
            del st.query_params[name]
    if shown.empty:
        widgets.show_empty_state(
            "No writes recorded yet." if frame.empty else "No entry matches these filters.",
            "Every change made on the pages or by the command line lands here."
            if frame.empty
            else "Clear a filter to see more.",
        )
    else:
        st.dataframe(
            shown,
            hide_index=True,
            key="audit_table",
            column_config={"details": st.column_config.TextColumn("details", width="large")},
        )
        caption, download = st.columns([4, 1], vertical_alignment="center")
        caption.caption(
            f"{len(shown)} of {len(frame)} entries" + (f" (the newest {ROWS_SHOWN})" if listing.truncated else "")
        )
        widgets.show_csv_download(
            widgets.csv_download_bytes(shown), file_name="audit-trail.csv", where=download, width="stretch"
        )
