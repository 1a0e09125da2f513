"""Incidents (TPM): enter one through the form or import a CSV; the trends page shows counts and recovery times.

Times are entered in the team's time zone. A CSV is stored whole or not at all: every problem is listed with its row and
field. Beside them, when each SLO burn tier fired (``pages.incidents.alert_history``; ``python cli.py alerts history``).
Layout and widgets only: recording, importing and listing through ``data.incidents.service`` (what the CLI runs),
rules in ``metrics.incidents.rules``.
"""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pandas as pd
import streamlit as st

from data.incidents.service import import_incidents, recent_incidents, record_incident
from data.incidents.store import incidents_between
from data.slo.sources import SourceError
from data.store import shared_engine
from metrics.access import MissingName, PermissionDenied, Role
from metrics.formatting import format_duration
from metrics.import_limits import import_size_problem
from metrics.incidents.rules import (
    CSV_COLUMNS,
    SEVERITIES,
    Incident,
    IncidentError,
    incident_problems,
)
from metrics.slo.alerts import Urgency
from pages.common import history, identity, loaders, widgets
from pages.common.store_writes import store_write
from pages.incidents import alert_history

settings = loaders.settings()
time_zone = settings.team_timezone
zone = ZoneInfo(time_zone)
now = settings.now()

st.title("Incidents")
st.caption(
    f"Times in {time_zone}. Counts, time to acknowledge and time to resolve per week are on the "
    "Reliability trends page."
)

catalog = widgets.catalog_or_stop(settings)
services = catalog.service_names()
if not services:
    widgets.show_empty_state(
        "No services in the SLO catalog.",
        "Incidents name a service: add Service or SLO documents to the catalog first.",
    )
    st.stop()


def moment(day, clock, label: str, problems: list[str]) -> datetime | None:
    if day is None and clock is None:
        return None
    if day is None or clock is None:
        problems.append(f"{label}: give both the date and the time, or neither")
        return None
    return datetime.combine(day, clock, tzinfo=zone)


actor = identity.current_actor(settings)
can_record, can_import = actor.can(Role.EDITOR), actor.can(Role.ADMIN)
record_tab, import_tab = st.tabs(["Record an incident", "Import a CSV"])

with record_tab, widgets.guarded_panel("incident form"):
    if not can_record:
        identity.read_only_note(actor, Role.EDITOR, "Recording incidents")
    with st.form("incident", clear_on_submit=False):
        reference_column, service_column, severity_column = st.columns(3)
        reference = reference_column.text_input(
            "Incident id", placeholder="INC-2026-041", help="Your own id; saving an existing id updates that incident"
        )
        service = service_column.selectbox("Service", services)
        severity = severity_column.selectbox("Severity", SEVERITIES, index=2)
        local_now = now.astimezone(zone)
        columns = st.columns(4)
        started_day = columns[0].date_input("Started (date)", value=local_now.date())
        started_time = columns[0].time_input("Started (time)", value=time(local_now.hour, 0), step=60)
        detected_day = columns[1].date_input("Detected (date)", value=None)
        detected_time = columns[1].time_input("Detected (time)", value=None, step=60)
        acknowledged_day = columns[2].date_input("Acknowledged (date)", value=None)
        acknowledged_time = columns[2].time_input("Acknowledged (time)", value=None, step=60)
        resolved_day = columns[3].date_input("Resolved (date)", value=None)
        resolved_time = columns[3].time_input("Resolved (time)", value=None, step=60)
        summary = st.text_area("Summary", height=80)
        postmortem = st.text_input("Postmortem link", placeholder="https://…")
        submitted = st.form_submit_button("Save incident", type="primary", disabled=not can_record)
    if submitted:
        problems: list[str] = []
        started = moment(started_day, started_time, "started", problems)
        if started is None and not problems:
            problems.append("started: required")
        incident = Incident(
            reference=reference.strip(),
            service=service,
            severity=severity,
            started=started or now,
            detected=moment(detected_day, detected_time, "detected", problems),
            acknowledged=moment(acknowledged_day, acknowledged_time, "acknowledged", problems),
            resolved=moment(resolved_day, resolved_time, "resolved", problems),
            summary=summary.strip(),
            postmortem_url=postmortem.strip(),
        )
        problems += incident_problems(incident, services)
        if problems:
            st.error(
                "Not saved:\n\n" + "\n".join(f"- {widgets.plain(str(problem))}" for problem in problems),
                icon=":material/error:",
            )
        else:
            with store_write(f"save incident {incident.reference}", settings.database_url):
                try:
                    added = record_incident(
                        shared_engine(settings.database_url),
                        incident,
                        services=services,
                        actor=identity.current_actor(settings),
                        recorded_at=now,
                    )
                except (PermissionDenied, MissingName) as error:
                    st.error(f"Not saved: {error}", icon=":material/lock:")
                else:
                    history.clear_incidents()
                    st.success(
                        f"Incident {incident.reference} {'recorded' if added else 'updated'}.",
                        icon=":material/check_circle:",
                    )

with import_tab, widgets.guarded_panel("CSV import"):
    st.caption(
        f"Columns: `{','.join(CSV_COLUMNS)}` (id, service, severity and started required). Times ISO 8601; "
        f"without an offset they are {time_zone} time. Same from the command line: "
        "`python cli.py incidents import --csv FILE`."
    )
    if not can_import:
        identity.read_only_note(actor, Role.ADMIN, "Importing incidents")
    uploaded = st.file_uploader("Incidents CSV", type=["csv"], key="incidents_csv", disabled=not can_import)
    if uploaded is not None and st.button("Import", type="primary", disabled=not can_import):
        too_large, text = import_size_problem(uploaded.size, uploaded.name), None
        try:
            text = None if too_large else uploaded.getvalue().decode("utf-8")
        except UnicodeDecodeError:
            st.error("The file is not UTF-8 text; export it as CSV UTF-8 and try again.", icon=":material/error:")
        if too_large:
            st.error(f"**Nothing was imported** — {too_large}.", icon=":material/error:")
        if text is not None:
            with store_write(
                f"import {uploaded.name}",
                settings.database_url,
                kept="nothing was imported; the file is still chosen",
            ):
                try:
                    result = import_incidents(
                        shared_engine(settings.database_url),
                        text,
                        time_zone=time_zone,
                        services=services,
                        actor=identity.current_actor(settings),
                        recorded_at=now,
                    )
                except IncidentError as error:
                    st.error(
                        f"**Nothing was imported** — {len(error.problems)} problem(s):\n\n"
                        + "\n".join(f"- {widgets.plain(str(problem))}" for problem in error.problems),
                        icon=":material/error:",
                    )
                except (PermissionDenied, MissingName) as error:
                    st.error(f"Nothing was imported: {error}", icon=":material/lock:")
                else:
                    history.clear_incidents()
                    st.success(
                        f"{result.added} incidents added, {result.updated} updated.", icon=":material/check_circle:"
                    )

st.subheader("Last 90 days")
with widgets.guarded_panel("incident list"):
    recent = recent_incidents(shared_engine(settings.database_url), now)
    if not recent:
        widgets.show_empty_state("No incidents recorded in the last 90 days.", "Record one above, or import a CSV.")
    else:

        def local(value):
            return "" if value is None else value.astimezone(zone).strftime("%Y-%m-%d %H:%M")

        frame = pd.DataFrame(
            [
                {
                    "id": i.reference,
                    "service": i.service,
                    "severity": i.severity,
                    "started": local(i.started),
                    "acknowledged": local(i.acknowledged),
                    "resolved": local(i.resolved) or "open",
                    "TTA": format_duration(i.time_to_acknowledge),
                    "TTR": format_duration(i.time_to_resolve),
                    "summary": i.summary,
                    "postmortem": i.postmortem_url or None,
                }
                for i in reversed(recent)
            ]
        )
        st.dataframe(
            frame,
            hide_index=True,
            key="incident_list",
            column_config={"postmortem": st.column_config.LinkColumn("postmortem")},
        )
        widgets.show_csv_download(widgets.csv_download_bytes(frame), file_name="incidents.csv")

st.subheader("Alert firing history")
with widgets.guarded_panel("alert firing history"):
    at = loaders.evaluation_instant(now)
    try:
        firing = alert_history.history(settings, catalog, at)
    except SourceError as error:
        firing = None
        st.warning(f"The alert history could not be read: {widgets.plain(str(error))}", icon=":material/cloud_off:")
    if firing is not None:
        if firing.computed:
            covered = (
                "" if firing.covered_from is None else f" (it begins {firing.covered_from.astimezone(zone):%Y-%m-%d})"
            )
            st.caption(
                f"When each SLO burn tier fired in the last 90 days, **computed from the demo history**"
                f"{covered} with the SLO burn page's tier rules, every 5 minutes. With Prometheus this reads "
                "the `ALERTS` series of the rules `python cli.py slo-rules` generates. Times in "
                f"{time_zone}; same from the command line: `python cli.py alerts history`."
            )
        else:
            st.caption(
                f"When each SLO burn tier fired in the last 90 days, from the `ALERTS` series of "
                f"{firing.source} (read every minute). Times in {time_zone}; same from the command line: "
                "`python cli.py alerts history`."
            )
        if firing.notice:
            st.info(firing.notice[0].upper() + firing.notice[1:] + ".", icon=":material/notifications_off:")
        if firing.slos_without_rules:
            st.warning(
                f"No SLOBurnRate rule is loaded for {', '.join(firing.slos_without_rules)}: regenerate the "
                "rule file with `python cli.py slo-rules` and reload Prometheus.",
                icon=":material/warning:",
            )
        if firing.ignored_series:
            st.caption(
                f"{firing.ignored_series} SLOBurnRate series without the generated rules' labels (slo, "
                "service, severity, long_window, short_window) are left out: another generator's alerts."
            )
        timeline_incidents = incidents_between(
            shared_engine(settings.database_url), firing.first_evaluation, at + timedelta(days=1)
        )
        st.plotly_chart(
            alert_history.timeline_figure(firing, timeline_incidents, time_zone),
            config={"displaylogo": False},
            key="alert_timeline",
        )
        if not firing.intervals and not firing.notice:
            widgets.show_empty_state(
                "No SLO burn tier fired in the last 90 days.",
                "The SLO burn page shows each tier's burn rates against its threshold now.",
            )
        elif firing.intervals:
            pages = sum(interval.key.urgency is Urgency.PAGE for interval in firing.intervals)
            still = sum(interval.ended is None for interval in firing.intervals)
            st.caption(
                f"{len(firing.intervals)} firings: {pages} page, {len(firing.intervals) - pages} ticket; "
                f"{still} still firing."
            )
            frame = alert_history.history_frame(firing, time_zone)
            st.dataframe(frame, hide_index=True, key="alert_history")
            widgets.show_csv_download(
                widgets.csv_download_bytes(frame), file_name="slo-alerts.csv", key="alert_history_csv"
            )
