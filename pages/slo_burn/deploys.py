"""The drill-down's deploy form: an editor enters a deploy of the SLO's service (stored once per submission, in the
audit trail); everyone else reads why they cannot."""

from __future__ import annotations

from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

import streamlit as st

from data.settings import Settings
from data.slo_deploys import service
from metrics.access import MissingName, PermissionDenied, Role
from metrics.slo.definitions import SloDefinition
from metrics.slo.deploys import Deploy, DeployError
from pages.common import identity, widgets
from pages.common.submissions import ensure_submission_token, store_once

FORM_KEY = "slo_deploy_form"


def show_deploy_form(settings: Settings, slos: list[SloDefinition], slo: SloDefinition) -> None:
    """Enter a deploy of ``slo``'s service, in an expander under the charts' annotation filter."""
    flash = st.session_state.pop(f"{FORM_KEY}_flash", None)  # the confirmation survives the rerun
    if flash:
        st.success(flash, icon=":material/check:")
    with st.expander(f"Enter a deploy of {slo.service}", icon=":material/rocket_launch:"):
        actor = identity.current_actor(settings)
        if not actor.can(Role.EDITOR):
            identity.read_only_note(actor, Role.EDITOR, "Entering deploys")
            return
        zone = ZoneInfo(settings.team_timezone)
        now = settings.now().astimezone(zone)
        ensure_submission_token(FORM_KEY)
        with st.form(FORM_KEY, clear_on_submit=False, border=False):
            day_column, clock_column = st.columns(2)
            day = day_column.date_input("Deployed on", value=now.date(), key=f"{FORM_KEY}_date")
            clock = clock_column.time_input(
                f"at ({settings.team_timezone})",
                value=time(now.hour, now.minute - now.minute % 5),
                key=f"{FORM_KEY}_time",
                step=300,
            )
            version = st.text_input("Version", key=f"{FORM_KEY}_version", max_chars=200, placeholder="v2.14.0")
            description = st.text_input("What changed (optional)", key=f"{FORM_KEY}_description", max_chars=2000)
            submitted = st.form_submit_button("Enter deploy", icon=":material/rocket_launch:")
    if not submitted:
        return
    entry = {
        "service": slo.service,
        "deployed_at": None if day is None or clock is None else datetime.combine(day, clock, zone).astimezone(UTC),
        "version": version or "",
        "description": description or "",
    }

    def save(token: str) -> Deploy:
        return service.add_deploy(settings, slos, actor=actor, submission_key=token, **entry)

    stored = store_once(
        FORM_KEY,
        entry,
        what="enter the deploy",
        database_url=settings.database_url,
        save=save,
        already=service.AlreadyRecorded,
        refusals=(DeployError, PermissionDenied, MissingName),
        fields=("version", "description"),
    )
    if stored is None:
        return
    st.session_state[f"{FORM_KEY}_flash"] = (
        f"Entered deploy {stored.id} of {widgets.plain(stored.service)}: {widgets.plain(stored.label)}."
    )
    st.rerun()
