"""Reliability Dashboard: settings, the store's schema, and the pages grouped by role.

Nothing here may raise into the browser: invalid settings are listed for the person who can fix them, and a store
that cannot be migrated is reported while the pages that do not need it keep working. With sign-in configured
(``[auth]`` in secrets), nobody sees a page before signing in (``pages.common.identity``).
"""

from pathlib import Path

import streamlit as st

from data.secrets import install_log_redaction
from data.settings import SettingsError
from pages.common import identity, loaders

install_log_redaction()  # before anything can log: no record, traceback included, carries a known secret

# A file, not a Material icon: Streamlit fetches a Material favicon from fonts.gstatic.com, and no request may leave
# the machine from a page (an offline network must still see the app; tests/e2e/test_offline.py).
FAVICON = Path(__file__).parent / "pages" / "common" / "favicon.png"
st.set_page_config(page_title="Reliability Dashboard", page_icon=str(FAVICON), layout="wide")

try:
    settings = loaders.settings()
except SettingsError as error:
    st.title("Reliability Dashboard")
    problems = "\n".join(f"- {problem}" for problem in error.problems)
    st.error(
        f"**The dashboard cannot start: its settings are invalid.**\n\n{problems}\n\n"
        "Fix them in the environment or in `.streamlit/secrets.toml`, then reload this page.",
        icon=":material/settings_alert:",
    )
    st.stop()

session_identity = identity.resolve(settings)
if session_identity.mode == "oidc" and not session_identity.signed_in:
    identity.show_sign_in_page()
    st.stop()
if session_identity.no_access:
    identity.show_no_access_page(session_identity)
    st.stop()

store_problem = loaders.migrate_store(settings.database_url)
if store_problem:
    st.error(store_problem, icon=":material/database:")

navigation = st.navigation(
    {
        "SRE": [
            st.Page(
                "pages/slo_burn/page.py",
                title="SLO burn",
                icon=":material/local_fire_department:",
                url_path="slo-burn-overview",
                default=True,
            ),
            # Streamlit serves the default page at "/" only, so links to /slo-burn?slo=... said "Page not found":
            # the same page under that path, not in the menu.
            st.Page(
                "pages/slo_burn/page.py",
                title="SLO burn",
                icon=":material/local_fire_department:",
                url_path="slo-burn",
                visibility="hidden",
            ),
            st.Page(
                "pages/slo_adjustments/page.py",
                title="Budget adjustments",
                icon=":material/event_busy:",
                url_path="slo-adjustments",
            ),
        ],
        "TPM": [
            st.Page(
                "pages/trends/page.py", title="Reliability trends", icon=":material/trending_up:", url_path="trends"
            ),
            st.Page("pages/incidents/page.py", title="Incidents", icon=":material/emergency:", url_path="incidents"),
            st.Page(
                "pages/slo_reviews/page.py",
                title="SLO reviews",
                icon=":material/rate_review:",
                url_path="slo-reviews",
            ),
            st.Page(
                "pages/slo_policy/page.py",
                title="Error-budget policy",
                icon=":material/gavel:",
                url_path="error-budget-policy",
            ),
        ],
        "Manager": [
            st.Page(
                "pages/weekly_review/page.py",
                title="Weekly review",
                icon=":material/summarize:",
                url_path="weekly-review",
            ),
        ],
        "DBA": [
            st.Page(
                "pages/database_health/page.py",
                title="Database health",
                icon=":material/database:",
                url_path="database-health",
            ),
            st.Page(
                "pages/database_health/records_page.py",
                title="DBA records",
                icon=":material/fact_check:",
                url_path="dba-records",
            ),
        ],
        "Everyone": [
            st.Page(
                "pages/tracker/page.py",
                title="Revisit tracker",
                icon=":material/event_repeat:",
                url_path="revisit-tracker",
            ),
            st.Page("pages/audit/page.py", title="Audit trail", icon=":material/history:", url_path="audit-trail"),
        ],
    }
)

identity.show_sidebar(session_identity)
with st.sidebar:
    st.divider()
    st.caption(
        f"**Data source:** {loaders.source(settings, loaders.evaluation_instant()).description}  \n"
        f"Times in {settings.team_timezone}; figures re-evaluated every minute."
    )

navigation.run()
