"""Revisit tracker: the long-standing problems once judged beyond the team, why each was parked, what would make it
worth another look, and every look since.

Opens on the due queue (date-due, then signal-due items, each with the reason), then every item with filters and
search, the aging figures and import/export; "New item" at the top opens the create form in a dialog.
``?item=<id>`` opens one item: every field, the live status of what it links to, its triggers against their
readings, the review timeline, and the forms to edit, change state and record a review. Layout and widgets only:
rules in ``metrics``, storage in ``data``.
"""

from dataclasses import replace

import streamlit as st

from data.store import shared_engine
from data.tracker.demo import seed_demo_items
from data.tracker.service import check_revisits
from data.tracker.store import acknowledgements_by_item, audit_trail, get_item, review_counts, reviews_for
from data.tracker.transfer import export_items
from metrics.access import Role
from metrics.tracker.acknowledgements import describe_acknowledgement
from metrics.tracker.due import evaluate_item
from metrics.tracker.items import item_id_from_link
from metrics.tracker.listing import ITEMS_PER_PAGE, ItemOrder, list_page, order_items
from metrics.tracker.rules import DUE, OPEN_STATES, OWNER_ROLES, PARKED, STATE_LABELS, STATES, priority
from pages.common import identity, loaders, widgets
from pages.common.charts import PLOTLY_CONFIG
from pages.common.store_writes import STORE_ERRORS, store_read_message
from pages.tracker import forms as tracker_forms
from pages.tracker import loaders as tracker_loaders
from pages.tracker import widgets as tracker_widgets

settings = loaders.settings()  # app.py has already shown invalid settings and stopped
engine = shared_engine(settings.database_url)
now = tracker_loaders.now(settings)
today = tracker_loaders.today(settings)
catalog = tracker_loaders.catalog_or_none(settings)
known = tracker_loaders.known(settings, catalog)
actor = identity.current_actor(settings)
context = tracker_forms.FormContext(engine=engine, known=known, now=now, today=today, settings=settings)
can_edit, can_import = actor.can(Role.EDITOR), actor.can(Role.ADMIN)


def show_change_forms(item) -> None:
    """Record a review, change state, edit: on the item page, and from the item as last read when the store is down."""
    with (
        st.expander("Record a review", icon=":material/rate_review:", key=f"tracker_review_open_{item.id}"),
        widgets.guarded_panel("review form"),
    ):
        tracker_forms.show_review_form(context, item)
    with (
        st.expander("Change state", icon=":material/swap_horiz:", key=f"tracker_state_open_{item.id}"),
        widgets.guarded_panel("state form"),
    ):
        tracker_forms.show_state_form(context, item)
    with (
        st.expander("Edit", icon=":material/edit:", key=f"tracker_edit_open_{item.id}"),
        widgets.guarded_panel("edit form"),
    ):
        tracker_forms.show_edit_form(context, item)


NEW_ITEM_OPEN_KEY = "tracker_new_dialog_open"  # set by the "New item" button; the dialog stays until saved or cancelled


def open_new_item() -> None:
    st.session_state[NEW_ITEM_OPEN_KEY] = True


def close_new_item() -> None:
    st.session_state.pop(NEW_ITEM_OPEN_KEY, None)


@st.dialog("New item", width="large", dismissible=False, icon=":material/add:")
def new_item_dialog() -> None:
    """The create form in a modal. Not dismissible by a click beside it or Escape, so a careless click never throws
    away what was typed: it closes on a save, or on Cancel."""
    created = tracker_forms.key(tracker_forms.CREATE_PREFIX, "created_id") in st.session_state
    if created or not st.session_state.get(NEW_ITEM_OPEN_KEY):
        close_new_item()
        st.rerun()  # the whole page, without the dialog: the list shows what was created
    if not actor.name:
        st.info("Enter your name in the sidebar first: every change is recorded under it.", icon=":material/badge:")
    with widgets.guarded_panel("new item form"):
        tracker_forms.show_create_form(context)
    st.button("Cancel", on_click=close_new_item, key="tracker_new_cancel", icon=":material/close:")


def show_new_item_button() -> None:
    """At the top of the list, beside the title: the first thing an editor looks for."""
    if can_edit:
        st.button("New item", type="primary", icon=":material/add:", on_click=open_new_item, key="tracker_new_item")
    else:
        identity.read_only_note(actor, Role.EDITOR, "Creating items")


def show_without_store(message: str) -> None:
    """The store cannot be read: say so, and still draw the form being used, so what was typed stays (a save says
    plainly that it was refused); then stop."""
    st.title("Revisit tracker", anchor=False)
    st.error(message, icon=":material/database:")
    if not can_edit:
        st.stop()
    selected_id = item_id_from_link(st.query_params.get("item"))
    base = (
        st.session_state.get(tracker_forms.key(tracker_forms.edit_prefix(selected_id), "base"))
        if selected_id is not None
        else None
    )
    if base is not None:  # the item as this session last read it
        st.subheader(f"#{base.id} · {tracker_widgets.plain(base.title)} (as last read)", anchor=False)
        show_change_forms(base)
    elif not selected_id and st.session_state.get(NEW_ITEM_OPEN_KEY):
        new_item_dialog()  # the dialog was open: it stays, with what was typed
    st.stop()


store_problem = loaders.migrate_store(settings.database_url)
if store_problem:
    show_without_store(store_problem)


def open_item(item_id: int) -> None:
    st.query_params["item"] = str(item_id)


def close_item() -> None:
    st.query_params.pop("item", None)


def seed_demo() -> None:
    try:
        count = seed_demo_items(
            engine, actor=identity.current_actor(settings), now=now, team_timezone=settings.team_timezone
        )
        st.session_state["tracker_seeded"] = f"Loaded {count} demo items."
    except Exception as error:  # shown on the page, never a traceback
        st.session_state["tracker_seeded"] = f"The demo items could not be loaded: {type(error).__name__}."


# --- data and evaluation --------------------------------------------------------------------------------------------

try:
    # The revisit check, on every view: parked items whose date or trigger came are stored as due (only items
    # still parked at the version read; nobody's change is undone), and the queue shown is the one stored.
    tracker, _ = check_revisits(engine, tracker_loaders.readings_for(settings, catalog), today, now)
    items, readings, queue = tracker.items, tracker.readings, tracker.entries
    context = replace(context, readings=readings)  # a keep-parked review acknowledges what the page shows
    readings_problem = tracker_loaders.readings_problem(readings)
    counts = review_counts(engine)
except STORE_ERRORS as error:
    show_without_store(
        store_read_message(
            "the tracker",
            error,
            settings.database_url,
            rest="Nothing can be saved until it is back; what you typed stays in the form below.",
        )
    )
item_ages = tracker_widgets.ages(items, counts, today)


def show_freshness() -> None:
    source = readings.slo_source + (" · " + readings.database_source if readings.databases else "")
    text = widgets.freshness_text(readings.at, settings.team_timezone, source, now=now)  # the app's clock
    if now - readings.at > widgets.STALE_AFTER:  # the rule freshness_text marks "stale" by
        st.warning(text, icon=":material/schedule:")
    else:
        st.caption(text)
    if readings_problem:
        st.warning(
            f'{readings_problem}. Triggers on those signals read "no reading yet" until they answer.',
            icon=":material/cloud_off:",
        )


# --- the item page --------------------------------------------------------------------------------------------------


def show_item_headline(item, entry) -> None:
    """State, priority and aging figures, then why the item is due (when it is)."""
    age = item_ages[item.id]
    with widgets.guarded_panel("item headline"):
        columns = st.columns([4, 2, 2, 3, 3])
        columns[0].metric("State", tracker_widgets.state_badge(item.state, short=True), border=True)
        columns[1].metric(
            "Priority",
            priority(item.impact, item.urgency),
            border=True,
            help=f"impact {item.impact} × urgency {item.urgency}",
        )
        columns[2].metric("Age", f"{age.age_days} d", border=True)
        columns[3].metric(
            "Since last review", "never" if age.days_since_review is None else f"{age.days_since_review} d", border=True
        )
        columns[4].metric("Times revisited", age.times_revisited, border=True)
    if item.state in (DUE, PARKED) and entry.reasons:
        for reason in entry.reasons:
            st.warning(
                f"Due: {reason.text}" + (f" · {reason.source}" if reason.source else ""),
                icon=":material/notification_important:",
            )
    for acknowledgement in entry.acknowledged:
        st.info(f"Trigger {widgets.plain(describe_acknowledgement(acknowledgement))}", icon=":material/done_all:")


def item_facts(item) -> dict[str, str]:
    return {
        "Owner": f"{item.owner_role} · {item.owner or 'nobody named'}",
        "Impact / urgency": f"{item.impact} / {item.urgency}",
        "Root cause": item.root_cause_confidence,
        "Decided": tracker_widgets.decision_text(item.decided_by, item.decided_on),
        "Revisit on": tracker_widgets.day_text(item.revisit_on),
        "Cadence": f"every {item.cadence_days} d" if item.cadence_days else "none",
        "Last reviewed": tracker_widgets.day_text(item.last_reviewed_at),
        "Resolution": (item.resolution_code or "—").replace("_", " "),
        "External reference": item.external_reference or "—",
        "Services": ", ".join(item.services) or "—",
        "Created": tracker_widgets.day_text(item.created_at),
        "Version": str(item.version),
    }


def show_item_details(item) -> None:
    left, right = st.columns([3, 2])
    with left:
        tracker_widgets.show_text_field("Problem statement", item.problem_statement)
        tracker_widgets.show_text_field(
            f"Why it was judged beyond the team ({item.why_parked_category})", item.why_parked
        )
        holds = {None: "unknown", True: "still holds", False: "no longer holds"}[item.workaround_holds]
        tracker_widgets.show_text_field(f"Workaround ({holds})", item.workaround)
    with right:
        facts = item_facts(item)
        st.dataframe(
            {"detail": list(facts), "value": list(facts.values())},
            hide_index=True,
            key="tracker_item_facts",
            height=35 * (len(facts) + 1) + 3,
        )


def show_linked(panel: str, heading: str, names, frame, none_text: str, links=None, **dataframe_options) -> None:
    """One "linked ..." panel: its table when the item names any, else what the item does without. ``links``: the
    table's link columns, opened in place (``widgets.drilldown_table``)."""
    with widgets.guarded_panel(panel):
        st.markdown(f"**{heading}**")
        if names and links:
            widgets.drilldown_table(frame(), links, hide_index=True, **dataframe_options)
            st.caption(f"{widgets.DRILLDOWN_HINT}.")
        elif names:
            st.dataframe(frame(), hide_index=True, **dataframe_options)
        else:
            st.caption(none_text)


def slo_report():
    """The SLO report at the readings' instant (cached, shared with the SLO pages); None without SLOs."""
    return loaders.report(settings, catalog, readings.at) if catalog and catalog.slos else None


def show_item_live_status(item, entry) -> None:
    """What the item links to, live, and each trigger against its reading."""
    show_linked(
        "linked SLOs",
        "Linked SLOs",
        item.slos,
        lambda: tracker_widgets.linked_slo_frame(item.slos, slo_report()),
        "No SLO linked.",
        links={"SLO": "slo"},
        column_config={"SLO": st.column_config.TextColumn("SLO", help="Select the row to open the SLO's drill-down")},
        key="tracker_item_slos",
    )
    show_linked(
        "linked databases",
        "Linked databases",
        item.databases,
        lambda: tracker_widgets.linked_database_frame(item.databases, readings.databases, readings.database_source),
        "No database linked.",
        key="tracker_item_databases",
    )
    with widgets.guarded_panel("triggers"):
        st.markdown("**Revisit triggers**")
        if entry.evaluations:
            st.dataframe(tracker_widgets.trigger_frame(entry.evaluations), hide_index=True, key="tracker_item_triggers")
        else:
            st.caption("No triggers: only the revisit date brings this item back.")
        unreadable = len(item.triggers) - len(entry.evaluations)
        if unreadable:
            st.warning(f"{unreadable} stored trigger(s) could not be read; edit the item to fix them.")


def show_item_history(item) -> None:
    with widgets.guarded_panel("review timeline"):
        st.markdown("**Review timeline**")
        tracker_widgets.review_timeline(reviews_for(engine, item.id), settings.team_timezone)
    with widgets.guarded_panel("audit trail"):
        st.markdown("**Audit trail**")
        st.dataframe(
            tracker_widgets.audit_frame(audit_trail(engine, item.id), settings.team_timezone),
            hide_index=True,
            key="tracker_item_audit",
        )


def show_item_changes(item) -> None:
    if not can_edit:
        identity.read_only_note(actor, Role.EDITOR, "Editing, changing state and recording reviews")
        return
    if not actor.name:
        st.info(
            "Enter your name in the sidebar to make changes: every change is recorded under it.",
            icon=":material/badge:",
        )
    show_change_forms(item)


def show_item(item_id_text: str) -> None:
    st.button("All items", icon=":material/arrow_back:", type="tertiary", on_click=close_item)
    item_id = item_id_from_link(item_id_text)
    item = get_item(engine, item_id) if item_id is not None else None
    if item is None:
        st.error(
            f"There is no tracker item {widgets.literal(item_id_text)}. Pick one from the list.",
            icon=":material/search_off:",
        )
        return
    st.title(f"#{item.id} · {tracker_widgets.plain(item.title)}", anchor=False)
    show_freshness()
    entry = evaluate_item(item, readings, today, acknowledgements_by_item(engine, [item.id]).get(item.id, []))
    show_item_headline(item, entry)
    details, live, history, change = st.tabs(
        ["Details", "Live status and triggers", "Reviews and audit trail", "Edit, change state, review"],
        key=f"tracker_item_tabs_{item.id}",
    )
    with details, widgets.guarded_panel("item details"):
        show_item_details(item)
    with live:
        show_item_live_status(item, entry)
    with history:
        show_item_history(item)
    with change:
        show_item_changes(item)


# --- the list page --------------------------------------------------------------------------------------------------


SORT_HELP = (
    "The whole list is sorted, then shown a page at a time. Never-reviewed items lead 'longest unreviewed'; "
    "items without a revisit date end 'next revisit'."
)
DUE_CARDS = 20  # cards drawn before "Show all": each is a bordered block with a button, hundreds would stall a load


def show_due_queue() -> None:
    st.subheader(f"Due for revisit ({len(queue)})", anchor=False)
    if not queue:
        st.caption("Nothing is due: no revisit date has come and no trigger has fired.")
        return
    shown = queue
    if len(queue) > DUE_CARDS:
        everything = st.toggle(
            f"Show all {len(queue)} due items", key="tracker_due_all", help=f"The {DUE_CARDS} most urgent show first"
        )
        shown = queue if everything else queue[:DUE_CARDS]
    for entry in shown:
        tracker_widgets.show_due_entry(entry, settings.team_timezone, open_item)
    if len(shown) < len(queue):
        st.caption(f"The {DUE_CARDS} most urgent of {len(queue)} due items; `cli.py tracker due` lists them all.")


def show_aging() -> None:
    st.subheader("Aging", anchor=False)
    open_items = [item for item in items if item.state in OPEN_STATES]
    columns = st.columns(4)
    columns[0].metric("Open items", len(open_items), border=True)
    columns[1].metric(
        "Overdue revisits",
        sum(1 for item in open_items if item_ages[item.id].overdue_days),
        border=True,
        help="Open items past their revisit date",
    )
    columns[2].metric(
        "Never reviewed", sum(1 for item in open_items if item_ages[item.id].days_since_review is None), border=True
    )
    oldest = max((item_ages[item.id].age_days for item in open_items), default=0)
    columns[3].metric("Oldest open item", f"{oldest} d", border=True)
    st.plotly_chart(
        tracker_widgets.aging_figure(items, item_ages), theme=None, config=PLOTLY_CONFIG, key="tracker_aging_chart"
    )


def show_all_items() -> None:
    st.subheader(f"All items ({len(items)})", anchor=False)
    services = sorted({name for item in items for name in item.services} | set(known.services))
    databases = sorted({name for item in items for name in item.databases} | set(known.databases))
    # Every filter lives in the URL (?state=due&role=DBA&search=vendor): any view can be shared as a link.
    first, second, third = st.columns(3)
    states = first.multiselect(
        "State", STATES, key="state", format_func=STATE_LABELS.get, placeholder="All states", bind="query-params"
    )
    roles = second.multiselect("Owner role", OWNER_ROLES, key="role", placeholder="All roles", bind="query-params")
    minimum_age = third.number_input(
        "Older than (days)", min_value=0, value=0, step=30, key="older_than", bind="query-params"
    )
    fourth, fifth, sixth = st.columns(3)
    chosen_services = fourth.multiselect(
        "Service", services, key="service", placeholder="All services", bind="query-params"
    )
    chosen_databases = fifth.multiselect(
        "Database", databases, key="database", placeholder="All databases", bind="query-params"
    )
    search = sixth.text_input(
        "Search", key="search", placeholder="words in title, problem, workaround…", bind="query-params"
    )
    shown = tracker_widgets.filter_items(
        items,
        item_ages,
        states=states,
        roles=roles,
        services=chosen_services,
        databases=chosen_databases,
        minimum_age_days=int(minimum_age or 0),
        search=search,
    )
    if not shown:
        widgets.show_empty_state("No item matches these filters.", "Clear a filter or the search to see more.")
        return
    order_column, page_column, _ = st.columns([2, 1, 3], vertical_alignment="bottom")
    order = order_column.selectbox(
        "Sort by", [str(order) for order in ItemOrder], key="sort", bind="query-params", help=SORT_HELP
    )
    shown = order_items(shown, item_ages, ItemOrder(order))
    asked = (
        page_column.number_input("Page", min_value=1, value=1, step=1, key="list_page", bind="query-params")
        if len(shown) > ITEMS_PER_PAGE
        else 1
    )
    rows = list_page(len(shown), int(asked or 1))
    frame = tracker_widgets.items_frame(shown, item_ages)
    widgets.drilldown_table(
        frame.iloc[rows.start : rows.end].reset_index(drop=True),
        {"item": "item"},
        hide_index=True,
        column_config=tracker_widgets.items_column_config(),
        key="tracker_items",
    )
    caption, download = st.columns([4, 1], vertical_alignment="center")
    paging = (
        f"Page {rows.number} of {rows.pages}: {rows.caption} matching ({len(items):,} in all); "
        "the download holds every matching item. Click a column to sort this page"
        if rows.pages > 1
        else f"{len(shown)} of {len(items)} items. Click a column to sort"
    )
    caption.caption(f"{paging}. Select a row to open its item.")
    widgets.show_csv_download(
        tracker_widgets.table_csv(frame),
        file_name=f"tracker-items-{today.isoformat()}.csv",
        label="Download table",
        where=download,
        width="stretch",
        key="tracker_table_csv",
    )


def show_import_export() -> None:
    with st.expander("Import and export", icon=":material/import_export:", key="tracker_import_open"):
        st.caption(
            "The same format as `cli.py tracker export` / `tracker import`. In CSV, cells a spreadsheet "
            "would run as a formula start with an extra `'`, which import removes."
        )
        stamp = today.isoformat()
        for column, (export_format, mime) in zip(
            st.columns(2), (("csv", "text/csv"), ("json", "application/json")), strict=True
        ):
            column.download_button(
                f"Export {export_format.upper()}",
                export_items(engine, export_format).encode("utf-8"),
                file_name=f"tracker-{stamp}.{export_format}",
                mime=mime,
                icon=":material/download:",
                key=f"tracker_export_{export_format}",
            )
        if can_import:
            tracker_forms.show_import_form(context)
        else:
            identity.read_only_note(actor, Role.ADMIN, "Importing")


def show_created() -> None:
    """What the dialog just created, with a way into it."""
    created = st.session_state.pop(tracker_forms.key(tracker_forms.CREATE_PREFIX, "created_id"), None)
    if created is None:
        return
    message_column, button_column = st.columns([4, 1], vertical_alignment="center")
    with message_column:
        tracker_forms.pop_success(tracker_forms.CREATE_PREFIX)
    button_column.button(
        f"Open item #{created}",
        on_click=open_item,
        args=(created,),
        key="tracker_open_created",
        icon=":material/open_in_new:",
        width="stretch",
    )


def show_list() -> None:
    title_column, button_column = st.columns([5, 1], vertical_alignment="bottom")
    title_column.title("Revisit tracker", anchor=False)
    with button_column:
        show_new_item_button()
    show_freshness()
    show_created()
    seeded = st.session_state.pop("tracker_seeded", None)
    if seeded:
        st.info(seeded, icon=":material/science:")
    if not items:
        widgets.show_empty_state(
            "No tracker items yet.",
            "Create the first one with New item, import a CSV or JSON export, "
            "or load a dozen demo items to see how the tracker works.",
        )
        if can_import:
            st.button("Load demo items", on_click=seed_demo, icon=":material/science:", key="tracker_seed_demo")
    else:
        with widgets.guarded_panel("due queue"):
            show_due_queue()
        with widgets.guarded_panel("item list"):
            show_all_items()
        with widgets.guarded_panel("aging"):
            show_aging()
    with widgets.guarded_panel("import and export"):
        show_import_export()
    if can_edit and st.session_state.get(NEW_ITEM_OPEN_KEY):
        new_item_dialog()


selected = st.query_params.get("item")
if selected:
    show_item(selected)
else:
    show_list()
