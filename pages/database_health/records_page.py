"""DBA records: what no probe can see (verified backups, restore drills, failover tests, maintenance windows,
capacity notes), kept as history and flagged when a kind is past its expected interval.

``?database=NAME`` narrows the page to one database. Layout and widgets only.
"""

import streamlit as st

from data.databases import service
from pages.common import fleet, loaders, widgets
from pages.common.store_writes import is_store_error, store_read_message
from pages.database_health import loaders as db_loaders
from pages.database_health import widgets as db_widgets
from pages.database_health.forms import show_record_form, show_withdraw_form

settings = loaders.settings()
config = fleet.database_config(settings)
st.title("DBA records")
st.caption(
    "Every entry is a new row: nothing is overwritten, and a mistaken one is withdrawn, not deleted. A kind past "
    "its expected interval (set per database "
    "in databases.toml, `[database.record_intervals]`) is a warning on the database's status."
)

if not config.databases:
    widgets.show_empty_state(
        "No databases configured.", f"Add a `[[database]]` entry to `{config.path or settings.databases_path}` first."
    )
    st.stop()

targets = service.stored_targets(settings, config)  # a server entry: the databases found on it with snapshots
names = [t.name for t in targets]
requested = st.query_params.get("database")
if requested and requested not in names and config.database(requested) is not None:
    targets.append(config.database(requested))  # a database a server entry watches, not stored yet
    names.append(requested)
chosen = st.selectbox(
    "Database",
    ["All databases", *names],
    index=names.index(requested) + 1 if requested in names else 0,
    key="records_database",
)
if chosen == "All databases":
    if "database" in st.query_params:
        del st.query_params["database"]
    database = None
else:
    st.query_params["database"] = chosen
    database = chosen

try:
    records = db_loaders.records(settings, database)
except Exception as error:
    if is_store_error(error):
        st.error(
            store_read_message(
                "the records",
                error,
                settings.database_url,
                rest="The form below still takes an entry; saving waits for the store.",
            ),
            icon=":material/database:",
        )
    else:
        st.error(
            f"The records cannot be read from the store ({type(error).__name__}). Run `cli.py migrate` and "
            "check DATABASE_URL.",
            icon=":material/database:",
        )
    # The form still shows, so an entry being typed is kept; adding it says plainly if the store refuses.
    with widgets.guarded_panel("record form"):
        st.markdown("#### Add a record")
        show_record_form(settings, config, database=database, key="records_page_form")
    st.stop()

with widgets.guarded_panel("staleness table"):
    st.markdown("#### Staleness")
    frame = db_widgets.record_staleness_frame(
        service.record_staleness(config, records, settings.now().date(), database, targets)
    )
    if frame.empty:
        st.caption("No record kind has an expected interval for these databases.")
    else:
        st.dataframe(
            frame.style.map(db_widgets.db_status_colour, subset=["status"]),
            hide_index=True,
            placeholder="—",
            column_config={"age (days)": st.column_config.NumberColumn(format="%d")},
        )

with widgets.guarded_panel("record form"):
    st.markdown("#### Add a record")
    show_record_form(settings, config, database=database, key="records_page_form")

with widgets.guarded_panel("records table"):
    st.markdown("#### History")
    table = db_widgets.records_frame(records, strike_withdrawn=True)
    plain_table = db_widgets.records_frame(records)
    if database is None:
        for frame in (table, plain_table):
            frame.insert(1, "database", [r.database for r in records])
    if table.empty:
        widgets.show_empty_state(
            "No records yet.",
            "Add the last verified backup above, or run "
            "`cli.py db-records add --database NAME --kind backup_verified --by NAME`.",
        )
    else:
        st.dataframe(
            db_widgets.records_styler(table),
            hide_index=True,
            placeholder="—",
            column_config={
                "id": st.column_config.NumberColumn("id", format="%d", width="small"),
                "link": st.column_config.LinkColumn("link"),
            },
        )
        withdrawn = sum(1 for r in records if r.withdrawn)
        if withdrawn:
            st.caption(f"{withdrawn} withdrawn (struck through, in grey): kept in the history, no longer counted.")
        widgets.show_csv_download(widgets.csv_download_bytes(plain_table), file_name="dba-records.csv")
        with st.expander("Withdraw a mistaken record", icon=":material/undo:"):
            st.caption(
                "A withdrawn record stays in the history with who withdrew it and why, and no longer counts for its "
                "kind's staleness. Nothing is deleted."
            )
            show_withdraw_form(settings, records)
