"""Every page, driven through AppTest with generated values for its query parameters, raises nothing that reaches
the browser as Streamlit's error (issue 16, item 5): a crafted link gets a message, never a traceback.

``make test`` runs a bounded number of examples per page (``FUZZ_EXAMPLES``, 6 by default); ``make fuzz`` runs
250 per page, more than 2,000 in all."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from streamlit.testing.v1 import AppTest

from tests.support.apptest import SETTINGS_VARIABLES

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "app.py")
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "6"))

PAGES = (
    "pages/slo_burn/page.py",
    "pages/trends/page.py",
    "pages/incidents/page.py",
    "pages/weekly_review/page.py",
    "pages/database_health/page.py",
    "pages/database_health/records_page.py",
    "pages/tracker/page.py",
    "pages/audit/page.py",
    "pages/slo_reviews/page.py",
    "pages/slo_policy/page.py",
)
# Every name a page reads from its link, on every page: a name one page ignores must be ignored quietly.
PARAMETERS = (
    "at", "slo", "service", "state", "database", "environment", "status", "db_status", "from", "to", "grain", "week",
    "item", "role", "search", "what", "who", "embed", "sort", "list_page", "db_search", "db_group", "db_page",
    "slo_annotation_kinds", "split",
)  # fmt: skip
# Values that broke pages before, or sit at an edge of what a parser takes.
EDGES = (
    "",
    "0001-01-01T00:00Z",
    "9999-12-31T23:59:59Z",
    "2026-02-30",
    "0001-01-01",
    "9999-12-31",
    "2026-W00",
    "2026-W54",
    "9999-W52",
    "0001-W01",
    "99999-W01",
    "-1",
    "0",
    "1e309",
    "nan",
    "18446744073709551617",
    "[Session expired - sign in again](http://203.0.113.9/)",
    "![x](http://203.0.113.9/pixel.png)",
    "`` ` ``<script>alert(1)</script>",
    "checkout-availability",
    "x" * 5000,
    "\u202e\x1b[2J\t\r\n",
)
values = st.one_of(st.sampled_from(EDGES), st.text(max_size=60))
queries = st.dictionaries(st.sampled_from(PARAMETERS), st.one_of(values, st.lists(values, max_size=3)), max_size=4)


@pytest.fixture(scope="module", autouse=True)
def app_environment(tmp_path_factory):
    """One demo-mode environment for the module (hypothesis runs many examples inside one test call)."""
    from data.store import migrate

    base = tmp_path_factory.mktemp("fuzz")
    url = f"sqlite:///{base / 'store.db'}"
    migrate(url)
    with pytest.MonkeyPatch.context() as patch:
        for name in (*SETTINGS_VARIABLES, *[n for n in os.environ if n.startswith("DB_DSN_")]):
            patch.delenv(name, raising=False)
        patch.setenv("DATABASE_URL", url)
        patch.setenv("RELIABILITY_SECRETS_FILE", str(base / "no-secrets.toml"))
        patch.setenv("RELIABILITY_NOW", "2026-11-24T14:05:00Z")
        patch.setenv("TEAM_TIMEZONE", "Europe/Berlin")
        patch.setenv("DATABASES_CONFIG", str(ROOT / "config" / "databases.toml"))
        yield


@pytest.mark.parametrize("page_file", PAGES)
def test_no_link_makes_a_page_raise(page_file):
    app = AppTest.from_file(APP, default_timeout=90)
    app.run()  # Streamlit finds a page.py to switch to only after app.py has run once
    examples = []

    @settings(
        max_examples=EXAMPLES, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck), database=None
    )
    @given(query=queries)
    def run_with(query):
        examples.append(query)
        app.query_params.clear()
        for name, value in query.items():
            app.query_params[name] = value
        app.switch_page(page_file)
        app.run()
        assert not app.exception, (query, [element.value for element in app.exception])

    run_with()
    print(f"{page_file}: {len(examples)} generated links, none raised")
    assert len(examples) >= EXAMPLES


@pytest.mark.parametrize("page_file", PAGES)
def test_no_edge_value_in_any_parameter_makes_a_page_raise(page_file):
    """Each edge value in every parameter at once, on every page: deterministic, so a known-bad link stays tested."""
    app = AppTest.from_file(APP, default_timeout=90)
    app.run()
    failures = {}
    for edge in EDGES:
        app.query_params.clear()
        for name in PARAMETERS:
            app.query_params[name] = edge
        app.switch_page(page_file)
        app.run()
        if app.exception:
            failures[edge[:40]] = [str(element.value)[:200] for element in app.exception]
    assert failures == {}
