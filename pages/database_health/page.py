"""Database health: is every database healthy, and if not, what is wrong?

The fleet view lists every database in databases.toml (a server entry's: every one it found), worst first, filtered
by ``?environment=``, ``?status=`` and ``?db_search=``, grouped by ``?db_group=`` (server, environment) and sent one
page (``?db_page=``) at a time;
``?database=NAME`` opens one database's drill-down. Layout and widgets only: every step (probe, last good,
collect, records, history) is ``data.databases.service``, cached by ``pages.common.fleet`` and
``pages.database_health.loaders``; checks are ``metrics.databases.checks``, tables ``pages.database_health.widgets``.
"""

import logging
from datetime import timedelta
from difflib import get_close_matches

import streamlit as st

from data.databases import service
from metrics.access import PermissionDenied, Role
from metrics.databases.checks import CHECK_TITLES, DatabaseHealth, ProbeState
from metrics.databases.fleet_list import DATABASES_PER_PAGE, FleetGrouping, group_fleet, order_fleet, page_sections
from metrics.databases.forecast import FORECAST_WINDOW_DAYS
from metrics.databases.statements import DEFAULT_WINDOW
from metrics.formatting import format_duration
from metrics.paging import list_page
from pages.common import fleet, identity, live, loaders, theme, widgets
from pages.common.charts import PLOTLY_CONFIG
from pages.database_health import charts as db_charts
from pages.database_health import loaders as db_loaders
from pages.database_health import widgets as db_widgets
from pages.database_health.forms import show_record_form

log = logging.getLogger(__name__)
TEXT = st.column_config.TextColumn


def show_header(actor) -> tuple[bool, float | None]:
    """The title, auto-refresh (the fleet only: a drill-down stays as it was drawn), Refresh and Collect now; whether
    Collect now was pressed, and the seconds between the fleet's refreshes (None: none)."""
    title_column, live_column, collect_column, refresh_column = st.columns(
        [3.6, 2, 1.4, 1], vertical_alignment="bottom"
    )
    title_column.title("Database health")
    interval = None if selected else live.refresh_interval(settings, "database_health", where=live_column)
    if refresh_column.button(
        "Refresh", icon=":material/refresh:", help="Probe every database again now", width="stretch"
    ):
        db_loaders.clear()
        st.rerun()
    collect = collect_column.button(
        "Collect now",
        icon=":material/save:",
        width="stretch",
        disabled=not actor.can(Role.ADMIN),
        help="Store a snapshot of every database's numbers for the history charts "
        "(what `cli.py collect db-health` does from cron)" + ("" if actor.can(Role.ADMIN) else ". Admins only."),
    )
    return collect, interval


def show_config_problems() -> None:
    if config.problems:
        with st.expander(
            f":material/warning: {len(config.problems)} problem(s) in {config.path.name} — the other databases still "
            "show",
            expanded=not config.databases,
        ):
            for problem in config.problems:
                st.warning(problem)
    if not config.databases:
        where = config.path or settings.databases_path
        widgets.show_empty_state(
            f"No databases configured{'' if config.found else f': {where} does not exist'}.",
            f"Add a `[[database]]` entry (name, engine, environment, role, owner) to `{where}` — see the README — "
            "and set its DSN in `DB_DSN_<NAME>` or `[databases]` in `.streamlit/secrets.toml`.",
        )
        st.stop()


def collect_snapshots(healths: list[DatabaseHealth], probed_at) -> None:
    """Store the probe just shown (what `cli.py collect db-health` does), saying what was stored."""
    with st.status("Storing a snapshot of every database…", expanded=False) as progress:
        try:
            collection = service.collect_snapshots(
                settings, config, actor=identity.collector_actor(settings), healths=healths, at=probed_at
            )
            progress.update(
                label=f"Stored {collection.stored} snapshot(s) at "
                f"{widgets.local_time(collection.at, settings.team_timezone)}"
                + ("" if collection.stored or not collection.total else " (already stored this minute)")
                + (f"; {collection.demo_left_out} demo database(s) not stored" if collection.demo_left_out else ""),
                state="complete",
            )
            db_loaders.clear()
        except PermissionDenied as error:
            progress.update(label=str(error), state="error")
        except Exception as error:
            log.warning("snapshots not stored: %s", type(error).__name__)
            progress.update(
                label=f"Not stored: the store cannot be written ({type(error).__name__}); run `cli.py migrate`",
                state="error",
            )


settings = loaders.settings()
config = fleet.database_config(settings)
actor = identity.current_actor(settings)
selected = st.query_params.get("database")
collect_now, interval = show_header(actor)
# Consumed by the first probe after the click: the fleet part's later refreshes run with this run's globals, and
# must not store another snapshot each time.
pending_collection = [True] if collect_now else []
show_config_problems()


def read_fleet(live_line: bool = False) -> None:
    """Probe the fleet (at most once a minute, shared by every viewer: ``pages.common.fleet``) and say how fresh the
    answers are; sets the module's ``healths``, ``probed_at``, ``last_good`` and ``stale_notes``."""
    global healths, probed_at, last_good, stale_notes
    servers = sum(1 for target in config.databases if target.discover)
    listed = len(config.databases) - servers
    what = f"{listed} database(s)" + (f" and every database of {servers} server(s)" if servers else "")
    with st.spinner(f"Probing {what} (at most {config.probe.deadline_s:g} s)…"):
        healths, probed_at, last_good = fleet.fleet_health_or_last_good(settings, config)

    if pending_collection:
        pending_collection.clear()
        collect_snapshots(healths, probed_at)

    demo = [h for h in healths if service.is_demo(h)]
    real = [h for h in healths if not service.is_demo(h)]
    probed = [h for h in real if h.probe is not None]
    widgets.show_freshness(
        probed_at,
        settings.team_timezone,
        (f"live probes: {len(probed)} of {len(real)} database(s) answered" if real else "")
        + (" · " if real and demo else "")
        + (f"demo fleet: {len(demo)} database(s), not probed" if demo else ""),
        now=settings.now(),
    )
    if live_line:
        live.show_updated(settings, interval)
    stale_notes = {
        name: widgets.stale_text(shown.read_at, settings.team_timezone, now=settings.now())
        for name, shown in last_good.items()
    }
    if stale_notes:
        st.warning(
            f"{theme.WARN.symbol} **{len(stale_notes)} database(s) did not answer now.** Their status and failing "
            "checks are current; their numbers are from their last good probe:\n"
            + "\n".join(f"- **{name}**: {note}" for name, note in sorted(stale_notes.items())),
            icon=":material/history:",
        )
    unconfigured = [h for h in healths if h.probe_state is ProbeState.NOT_CONFIGURED]
    if len(unconfigured) == len(healths):
        st.info(
            "**No database is being probed yet.** None of the databases in "
            f"`{config.path.name}` has a DSN, so there are no numbers to show — nothing on this page is invented. "
            "Set one, e.g. `DB_DSN_"
            + healths[0].database.upper().replace("-", "_")
            + "=postgresql://monitor@db-host:5432/orders`, or `[databases]` in `.streamlit/secrets.toml`, then "
            "press Refresh.",
            icon=":material/link_off:",
        )
    show_demo_note(demo)


def show_demo_note(demo: list[DatabaseHealth]) -> None:
    if demo:
        st.info(f"{service.DEMO_FLEET_NOTE} Demo: {', '.join(h.database for h in demo)}.", icon=":material/science:")


def values_of(name: str, options: list[str]) -> list[str]:
    return [v for v in st.query_params.get_all(name) if v in options]


def close_drilldown() -> None:
    del st.query_params["database"]


def show_live_fleet() -> None:
    """The fleet as one part: it refreshes every ``interval`` (a probe only once the fleet's cache has expired), and
    a filter reruns only this part; its widgets keep their state across reruns."""
    read_fleet(live_line=True)
    show_fleet()


def show_fleet() -> None:
    with widgets.guarded_panel("headline counts"):
        counts = db_widgets.status_counts(healths)
        not_configured = db_widgets.not_configured_count(healths)
        columns = st.columns(len(counts) + (1 if not_configured else 0))
        for column, status in zip(columns, counts):
            style = db_widgets.DB_STATUS_STYLES[status]
            column.metric(f"{style.symbol} {status}", counts[status], border=True)
        if not_configured:
            style = db_widgets.NOT_CONFIGURED_STYLE
            columns[-1].metric(f"{style.symbol} {style.label}", not_configured, border=True)  # the banner says why
    chosen_environments, chosen_statuses = chosen_filters()
    search_column, group_column = st.columns([3, 1])
    search = search_column.text_input(
        "Search",
        key="db_search",
        placeholder="words in the name, server, engine, environment, role or owner…",
        bind="query-params",
    )
    grouping = group_column.selectbox(
        "Group by",
        [str(grouping) for grouping in FleetGrouping],
        key="db_group",
        bind="query-params",
        help="Sections per server (a server entry's name, else host:port) or environment, the worst first",
    )
    with widgets.guarded_panel("database table"):
        shown = db_widgets.filter_healths(healths, chosen_environments, chosen_statuses, search or "")
        if not shown:
            widgets.show_empty_state(
                "No database matches these filters.", "Clear a filter or the search to see more databases."
            )
            return
        show_fleet_table(shown, FleetGrouping(grouping or FleetGrouping.NONE))


def chosen_filters() -> tuple[list[str], list[str]]:
    """The environment and status filters, kept in the link (``?environment=``, ``?status=``)."""
    environments = sorted({h.environment for h in healths if h.environment})
    statuses = list(db_widgets.STATUSES_WORST_FIRST)
    left, right = st.columns(2)
    chosen_environments = left.multiselect(
        "Environment",
        environments,
        default=values_of("environment", environments),
        placeholder="All environments",
        key="db_environment",
    )
    chosen_statuses = right.multiselect(
        "Status",
        statuses,
        default=values_of("status", statuses),
        format_func=db_widgets.db_status_badge,
        placeholder="All statuses",
        key="db_status",
    )
    for name, values in (("environment", chosen_environments), ("status", chosen_statuses)):
        if values:
            st.query_params[name] = values
        elif name in st.query_params:
            del st.query_params[name]

    return chosen_environments, chosen_statuses


def show_fleet_table(shown: list[DatabaseHealth], grouping: FleetGrouping) -> None:
    """The matching databases, grouped and worst first, one page (``?db_page=``) of them sent to the browser; the
    download holds every matching database."""
    groups = group_fleet(shown, grouping)
    ordered = order_fleet(groups)
    frame = db_widgets.fleet_frame(
        ordered,
        db_loaders.sizes_7d_ago(settings, [h.database for h in ordered]),
        stale={name: (last_good[name].value, f"{theme.WARN.symbol} {note}") for name, note in stale_notes.items()},
        ordered=True,
    )
    extras_column, page_column = st.columns([4, 1], vertical_alignment="bottom")
    extras = extras_column.pills(
        "More columns",
        list(db_widgets.FleetExtra),
        selection_mode="multi",
        key="fleet_columns",
        help="The table shows what fits a laptop screen; the drill-down shows everything about one database.",
    )
    asked = (
        page_column.number_input("Page", min_value=1, value=1, step=1, key="db_page", bind="query-params")
        if len(ordered) > DATABASES_PER_PAGE
        else 1
    )
    page = list_page(len(ordered), int(asked or 1), DATABASES_PER_PAGE, noun="databases")
    columns = db_widgets.fleet_columns(frame, extras or ())  # the same columns in every section
    offset = page.start
    for index, part in enumerate(page_sections(groups, page)):
        if grouping is not FleetGrouping.NONE:
            st.markdown(db_widgets.group_heading(part, grouping))
        rows = frame.iloc[offset : offset + len(part.databases)].reset_index(drop=True)
        offset += len(part.databases)
        widgets.drilldown_table(
            rows,
            {"database": "database"},
            style=db_widgets.fleet_style,
            hide_index=True,
            placeholder="—",
            key="db_fleet" if index == 0 else f"db_fleet_{index}",
            column_order=columns,
            column_config=FLEET_COLUMN_CONFIG,
        )
    caption, download = st.columns([4, 1], vertical_alignment="center")
    paging = (
        f"Page {page.number} of {page.pages}: {page.caption} matching ({len(healths):,} in all); the download holds "
        "every matching database"
        if page.pages > 1
        else f"{len(shown)} of {len(healths)} database(s)"
    )
    caption.caption(
        f"{paging}, worst first. Select a row to open the database's checks, sessions, tables, indexes, records and "
        "history."
    )
    widgets.show_csv_download(
        widgets.csv_download_bytes(frame),
        file_name=f"database-health-{probed_at:%Y%m%dT%H%MZ}.csv",
        where=download,
        width="stretch",
    )


FLEET_COLUMN_CONFIG = {
    "status": TEXT(
        "status",
        pinned=True,
        width=db_widgets.STATUS_WIDTH,
        help="Worst of the database's checks: ■ critical, ▲ warn, ○ unknown, ℹ info, ✓ ok",
    ),
    "database": TEXT(  # not pinned: Streamlit draws pinned text faded, and this is the name to read
        "database", help="Select the row to open the database's drill-down"
    ),
    "needs attention": TEXT(
        "needs attention",
        width="medium",
        help="Checks that are not ok, worst first: ■ critical, ▲ warn, ○ unknown, ℹ info (the drill-down says why)",
    ),
    "connections": st.column_config.ProgressColumn(
        "connections",
        format="percent",
        min_value=0.0,
        max_value=1.0,
        width=90,
        color=theme.INFO.color,  # a share, not an alarm: Streamlit's default red read as "critical" at 4 %
        help="Share of usable connections in use (its check's status says when it is too high)",
    ),
    "hit ratio": st.column_config.NumberColumn(
        "hit ratio", format="percent", help="Buffer cache hit ratio (— with too little traffic)"
    ),
    # Numbers underneath (they sort as numbers), shown by metrics.formatting like every other page.
    "longest query s": st.column_config.NumberColumn("longest query"),
    "replica lag s": st.column_config.NumberColumn("replica lag", help="Replicas only"),
    "size": st.column_config.NumberColumn("size"),
    "growth 7d": st.column_config.NumberColumn(
        "growth 7d", format="percent", help="From stored snapshots (`collect db-health`)"
    ),
    "runs out in": TEXT(
        "runs out in",
        width=150,
        help=f"When the disk (disk_size), a tablespace's disk (tablespace_disk_size) or a sequence runs out, "
        f"the soonest: a least-squares line over the snapshots of "
        f"the last {FORECAST_WINDOW_DAYS} days",
    ),
    "server": TEXT("server", help="A server entry's name (discover = true), else host:port of the DSN"),
    "note": TEXT("note", width="medium", help="Why a database has no numbers"),
}


def section(title: str, caption: str | None = None) -> None:
    st.markdown(f"#### {title}")
    if caption:
        st.caption(caption)


def show_frame(frame, empty: str | None, **kwargs) -> None:
    """A table, or the empty text (None: the section's caption already says so)."""
    if frame.empty:
        if empty:
            st.caption(empty)
    else:
        st.dataframe(frame, hide_index=True, **kwargs)


def show_drilldown(name: str) -> None:
    st.button("All databases", icon=":material/arrow_back:", type="tertiary", on_click=close_drilldown)
    health: DatabaseHealth | None = next((h for h in healths if h.database == name), None)
    if health is None:
        hint = get_close_matches(name, [h.database for h in healths], n=3)
        st.error(
            f"There is no database named {widgets.literal(name)} in {config.path.name}."
            + (f" Did you mean {', '.join(f'**{h}**' for h in hint)}?" if hint else ""),
            icon=":material/search_off:",
        )
        return
    target = config.database(name)
    show_drilldown_heading(health, target)
    show_demo_note([health] if service.is_demo(health) else [])
    if name in last_good:  # it fails now, but answered before: its last good probe, marked stale
        widgets.show_source_failure(
            f"numbers from {health.database}", last_good[name], settings.team_timezone, now=settings.now()
        )
        health = db_widgets.stale_health_view(health, last_good[name].value)
    elif health.error:
        st.error(
            f"**No numbers from {widgets.plain(health.database)}:** {widgets.plain(health.error)}",
            icon=":material/cloud_off:",
        )
    with widgets.guarded_panel("checks"):
        show_checks(health)
    if health.probe is not None:
        show_probe_tabs(health)
    with widgets.guarded_panel("DBA records"):
        show_dba_records(health)
    with widgets.guarded_panel("history charts"):
        show_history(name, target.thresholds if target else None)
    with widgets.guarded_panel("statement history"):
        show_statement_history(name)


def show_drilldown_heading(health: DatabaseHealth, target) -> None:
    st.subheader(f"{health.database} · {db_widgets.db_status_badge(health.status)}")
    facts = [
        health.engine,
        health.environment,
        health.role,
        f"owner {health.owner}" if health.owner else "",
        f"source {health.source}",
    ]
    if health.probe is not None:
        facts.append(health.probe.version)
        if health.probe.uptime_s is not None:
            facts.append(f"up {format_duration(timedelta(seconds=health.probe.uptime_s))}")
        if health.probe.duration_s is not None:
            facts.append(f"probed in {health.probe.duration_s:.2f} s")
    st.caption(
        " · ".join(f for f in facts if f) + (f"  \n{target.description}" if target and target.description else "")
    )


def show_checks(health: DatabaseHealth) -> None:
    name = health.database
    section(
        "Checks",
        "Every check with its status, value, explanation and recommended action."
        + (
            f" {theme.WARN.symbol} Stale: from the last good probe at "
            f"{widgets.local_time(last_good[name].read_at, settings.team_timezone)}, except up and DBA records, "
            "which are current."
            if name in last_good
            else ""
        ),
    )
    checks = db_widgets.checks_frame(health)
    st.dataframe(
        checks.style.map(db_widgets.db_status_colour, subset=["status"]),
        hide_index=True,
        height=db_widgets.table_height(len(checks)),
        column_order=["status", "check", "value", "detail", "action", *db_widgets.GUIDE_COLUMNS],
        column_config={
            "status": TEXT("status", width=db_widgets.STATUS_WIDTH),
            "value": TEXT("value", width="small"),
            "detail": TEXT("detail", width="large"),
            "action": TEXT("action", width="medium"),
            "what it means": TEXT("what it means", width="large"),
            "what a DBA does": TEXT("what a DBA does", width="large"),
            "documentation": TEXT("documentation", width="medium", help="The page to read in the engine's manual"),
        },
    )
    forecast = db_widgets.forecast_frame(health)
    if not forecast.empty:
        with st.expander(f"Capacity forecast (least-squares line over the last {FORECAST_WINDOW_DAYS} days)"):
            st.dataframe(
                forecast.style.map(db_widgets.db_status_colour, subset=["status"]),
                hide_index=True,
                column_config={"outlook": TEXT("outlook", width="large")},
            )
            note = db_widgets.tablespace_note(health)
            if note:
                st.caption(note)
    for title, rows in db_widgets.custom_rows_frames(health):
        with st.expander(title):
            st.dataframe(rows, hide_index=True)
    missing = db_widgets.unavailable_signals(health)
    if missing:
        st.caption("Not available from this probe: " + "; ".join(missing))


def show_probe_tabs(health: DatabaseHealth) -> None:
    """One tab per part of what the probe read; each is its own guarded panel, so one failing leaves the others."""
    tabs = {
        "Sessions": ("sessions", show_sessions_tab),
        "Tables & vacuum": ("tables", show_tables_tab),
        "Indexes": ("indexes", show_indexes_tab),
        "Sequences": ("sequences", show_sequences_tab),
        "Replication": ("replication", show_replication_tab),
        "Statements": ("statements", show_statements_tab),
    }
    for tab, (panel, show) in zip(st.tabs(list(tabs)), tabs.values()):
        with tab, widgets.guarded_panel(panel):
            show(health)


def show_sessions_tab(health: DatabaseHealth) -> None:
    section("Blocked and blocking sessions", "Blockers at the root; sessions waiting on them below (└─).")
    show_frame(
        db_widgets.blocking_tree(health.probe),
        "No session waits for a lock.",
        column_config={"query": TEXT("query", width="large")},
    )
    section("Active and idle-in-transaction sessions", "Query text is truncated and shown as plain text.")
    show_frame(
        db_widgets.sessions_frame(health.probe),
        "No session is running a query or holding a transaction.",
        column_order=["pid", "user", "state", "running for", "wait", "blocked by", "query"],
        column_config={"query": TEXT("query", width="large")},
    )


def show_tables_tab(health: DatabaseHealth) -> None:
    growth: list[dict] = []
    with widgets.guarded_panel("table growth"):  # the store down: say so and log it; the live tables still show
        growth = db_loaders.table_growth(settings, health.database)
    section("Top tables by size", "Growth comes from stored snapshots (`cli.py collect db-health`).")
    show_frame(db_widgets.tables_frame(health.probe, growth), "No tables.", column_order=db_widgets.TABLES_COLUMN_ORDER)
    for check_id in ("dead_tuples", "wraparound"):
        check = health.check(check_id)
        if check is not None:
            badge = db_widgets.db_status_badge(check.status)
            st.markdown(f"**{CHECK_TITLES[check_id]}** · {badge} — {widgets.plain(check.detail)}")
    for check_id in ("table_bloat", "index_bloat", "reclaimable_space"):
        check = health.check(check_id)
        if check is not None:
            section(f"{CHECK_TITLES[check_id]} · {db_widgets.db_status_badge(check.status)}", check.detail)
            show_frame(
                db_widgets.items_frame(health, check_id, db_widgets.BLOAT_COLUMNS),
                None,
                column_config={"ratio": st.column_config.NumberColumn("wasted share", format="percent")},
            )


def show_indexes_tab(health: DatabaseHealth) -> None:
    for check_id, columns in (
        ("invalid_indexes", ["index", "table", "size", "definition"]),
        ("duplicate_indexes", ["index", "duplicate_of", "table", "size", "definition"]),
        ("unused_indexes", ["index", "table", "size", "scans", "definition"]),
    ):
        check = health.check(check_id)
        if check is None:
            continue
        section(f"{CHECK_TITLES[check_id]} · {db_widgets.db_status_badge(check.status)}", check.detail)
        show_frame(
            db_widgets.items_frame(health, check_id, columns),
            None,
            column_config={"definition": TEXT("definition", width="large"), "duplicate_of": TEXT("covered by")},
        )


def show_sequences_tab(health: DatabaseHealth) -> None:
    check = health.check("sequences")
    section(f"Sequences · {db_widgets.db_status_badge(check.status)}", check.detail)
    show_frame(
        db_widgets.items_frame(
            health, "sequences", ["status", "sequence", "column", "type", "last_value", "max_value", "used"]
        ),
        "No sequence near its limit.",
        column_config={
            "used": st.column_config.ProgressColumn(
                "used", format="percent", min_value=0.0, max_value=1.0, color=theme.INFO.color
            )
        },
    )


def show_replication_tab(health: DatabaseHealth) -> None:
    check = health.check("replication_lag")
    section(f"Replication · {db_widgets.db_status_badge(check.status)}", check.detail)
    show_frame(
        db_widgets.items_frame(health, "replication_lag", ["replica", "slot", "state", "replay_lag_s"]),
        "No replica or replication slot.",
    )


def show_statements_tab(health: DatabaseHealth) -> None:
    check = health.check("slow_statements")
    section("Top statements by total time", check.detail if check else None)
    show_frame(
        db_widgets.items_frame(health, "slow_statements", ["calls", "total_ms", "mean_ms", "rows", "query"]),
        "No statement statistics.",
        column_config={"query": TEXT("query", width="large")},
    )


STATEMENT_WINDOW_LABELS = {"1d": "1 d", "7d": "7 d", "30d": "30 d"}


def show_statement_history(name: str) -> None:
    section(
        "Statements over time",
        "From stored snapshots of the statement statistics: each statement over the window against the window "
        "before, biggest change in total time first. A statistics reset between snapshots counts from zero.",
    )
    window_key = st.radio(
        "Window",
        list(STATEMENT_WINDOW_LABELS),
        index=list(STATEMENT_WINDOW_LABELS).index(DEFAULT_WINDOW),
        format_func=STATEMENT_WINDOW_LABELS.get,
        horizontal=True,
        key="statement_window",
    )
    try:
        changes = db_loaders.statement_history(settings, name, window_key)
    except Exception as error:
        log.warning("statement history of %s not read: %s", name, type(error).__name__)
        st.warning(f"Statement history cannot be read from the store ({type(error).__name__}); run `cli.py migrate`.")
        return
    show_frame(
        db_widgets.statement_history_frame(changes, window_key),
        "No statement ran in this window (two stored snapshots are needed: `cli.py collect db-health`).",
        column_config={"query": TEXT("query", width="large")},
    )


def show_dba_records(health: DatabaseHealth) -> None:
    section("DBA records", "What no probe can see. Every entry is kept; the newest of each kind counts.")
    staleness = db_widgets.staleness_frame(health)
    if not staleness.empty:
        st.dataframe(staleness.style.map(db_widgets.db_status_colour, subset=["status"]), hide_index=True)
    try:
        entries = db_loaders.records(settings, health.database)
    except Exception as error:
        log.warning("records of %s not read: %s", health.database, type(error).__name__)
        st.warning(f"Records cannot be read from the store ({type(error).__name__}); run `cli.py migrate`.")
        entries = []
    show_frame(
        db_widgets.records_frame(entries, strike_withdrawn=True),
        "No records yet.",
        placeholder="—",
        column_config={"link": st.column_config.LinkColumn("link"), "notes": TEXT("notes", width="large")},
    )
    with st.expander("Add a record", icon=":material/add:"):
        show_record_form(settings, config, database=health.database, key="drilldown_record")


def show_history(name: str, thresholds) -> None:
    section(
        "History (30 days)",
        "From stored snapshots: run `cli.py collect db-health` from cron, or press Collect now.",
    )
    try:
        history = db_loaders.health_history(settings, name)
    except Exception as error:
        log.warning("history of %s not read: %s", name, type(error).__name__)
        st.warning(f"History cannot be read from the store ({type(error).__name__}); run `cli.py migrate`.")
        history = []
    if len(history) < 2:
        st.caption(f"{len(history) or 'No'} snapshot(s) stored so far; the charts appear from two.")
        return
    charts = (
        ("size_bytes", "Size", "bytes", thresholds and thresholds.database_size_warn_bytes, None),
        (
            "connections_share",
            "Connections in use",
            "percent",
            thresholds and thresholds.connections_warn,
            thresholds and thresholds.connections_critical,
        ),
        (
            "cache_hit_ratio",
            "Cache hit ratio",
            "percent",
            thresholds and thresholds.cache_hit_warn,
            thresholds and thresholds.cache_hit_critical,
        ),
    )
    for column, (field, title, kind, warn, critical) in zip(st.columns(len(charts)), charts):
        with column:
            st.plotly_chart(
                db_charts.history_figure(
                    history, field, title, settings.team_timezone, kind=kind, warn=warn, critical=critical
                ),
                theme=None,
                config=PLOTLY_CONFIG,
            )


if selected:
    read_fleet()
    show_drilldown(selected)
else:
    live.part(show_live_fleet, settings, interval)()
