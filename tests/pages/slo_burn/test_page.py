"""The SLO burn page in Streamlit's AppTest, on demo data: overview, filters, drill-down and every error path.

Each test runs app.py (the real entry point with st.navigation) in a clean environment: its own SQLite store, no
Prometheus, the example catalog unless the test points SLO_CATALOG elsewhere.
"""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pandas as pd
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from data.settings import DEFAULT_CATALOG
from data.slo.catalog import load_catalog
from tests.conftest import HISTORY_END
from tests.support.apptest import SETTINGS_VARIABLES, texts
from tests.support.prometheus_metrics import settled_queries_answered

APP = str(Path(__file__).resolve().parents[3] / "app.py")
EXAMPLE_SLOS = [slo.name for slo in load_catalog(DEFAULT_CATALOG).slos]


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch, tmp_path):
    for name in SETTINGS_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'store.db'}")
    monkeypatch.setenv("RELIABILITY_SECRETS_FILE", str(tmp_path / "no-secrets.toml"))
    monkeypatch.setenv("TEAM_TIMEZONE", "Asia/Seoul")


def run(query: dict[str, str | list[str]] | None = None) -> AppTest:
    app = AppTest.from_file(APP, default_timeout=60)
    for key, value in (query or {}).items():
        app.query_params[key] = value
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def overview(app: AppTest) -> pd.DataFrame:
    return app.dataframe[0].value


def slo_names(frame: pd.DataFrame) -> list[str]:
    return frame["SLO"].tolist()  # the names the table shows; each row opens ?slo=NAME when selected


# --- overview ---------------------------------------------------------------------------------------------------------


ATTENTION_BADGES = ["■ page", "▲ ticket", "◆ at risk", "✓ ok", "○ no data"]


def test_overview_lists_the_urgent_first_then_least_budget_with_demo_banner_and_freshness():
    app = run()
    frame = overview(app)
    assert sorted(slo_names(frame)) == sorted(EXAMPLE_SLOS)
    ranks = [ATTENTION_BADGES.index(state) for state in frame["state"]]
    assert ranks == sorted(ranks)
    assert frame["state"].iloc[0] == "■ page"
    for _, group in frame.groupby("state"):
        assert group["budget remaining"].dropna().is_monotonic_increasing
    budgets = frame["budget remaining"]
    assert budgets.isna().sum() == 1 and pd.isna(budgets.iloc[-1])  # the quiet reporting SLO: no data, last
    assert frame.loc[frame["SLO"] == "reporting-availability", "state"].item() == "○ no data"
    assert frame.loc[frame["SLO"] == "checkout-availability", "state"].item() == "■ page"
    assert frame.loc[frame["SLO"] == "payments-availability", "state"].item() == "▲ ticket"
    assert frame["SLI"].iloc[-1] == "no data"
    assert frame["target"].tolist()[frame["SLO"].tolist().index("auth-availability")] == "99.95%"
    assert "Demo data" in texts(app.info)
    assert any("(Asia/Seoul) · demo data" in caption.value for caption in app.caption)
    labels = {re.sub(r"^:\w+\[(.*)\]$", r"\1", metric.label): metric.label for metric in app.metric}
    counts = {plain: int(metric.value) for plain, metric in zip(labels, app.metric)}
    assert labels["■ SLOs paging"] == ":red[■ SLOs paging]"  # one SLO pages: its card in the paging colour
    shown = frame["state"].value_counts()
    assert counts["■ SLOs paging"] == 1 and counts["▲ SLOs ticketing"] == 1 and counts["○ SLOs no data"] == 1
    assert counts["◆ SLOs at risk"] == shown.get("◆ at risk", 0) and counts["✓ SLOs ok"] == shown.get("✓ ok", 0)
    assert not app.error
    assert app.get("download_button")


def test_filters_by_service_and_state_are_kept_in_the_query_string():
    app = run()
    app.multiselect(key="filter_service").set_value(["checkout", "payments"]).run()
    assert set(overview(app)["service"]) == {"checkout", "payments"}
    assert app.query_params["service"] == ["checkout", "payments"]
    app.multiselect(key="filter_state").set_value(["page"]).run()
    assert slo_names(overview(app)) == ["checkout-availability"]
    assert app.query_params["state"] == "page"
    app.multiselect(key="filter_service").set_value([]).run()
    assert "service" not in app.query_params
    assert slo_names(overview(app)) == ["checkout-availability"]


def test_a_shared_filtered_link_opens_filtered_and_says_so_when_nothing_matches():
    app = run({"service": "payments", "state": "ticket"})
    assert slo_names(overview(app)) == ["payments-availability"]
    assert app.multiselect(key="filter_service").value == ["payments"]
    app = run({"service": "reporting", "state": "page"})
    assert not app.dataframe
    assert "No SLO matches these filters" in texts(app.info)
    app = run({"service": "nope"})
    assert len(overview(app)) == len(EXAMPLE_SLOS)
    assert any("Ignored unknown service filter: ` nope `" in caption.value for caption in app.caption)


# --- drill-down -------------------------------------------------------------------------------------------------------


def test_drilldown_by_query_parameter_shows_headline_tiers_and_four_charts():
    app = run({"slo": "checkout-availability"})
    assert app.subheader[0].value == "Checkout availability · checkout"
    metrics = {metric.label: metric.value for metric in app.metric}
    assert metrics["SLI (target 99.9%)"].endswith("%")
    assert metrics["Alert state"] == "■ page"
    assert metrics["Budget gone in"] not in ("", "no data")
    tiers = app.dataframe[0].value
    assert tiers["severity"].tolist() == ["page", "page", "ticket", "ticket"]
    assert tiers["threshold"].tolist() == ["14.4×", "6.00×", "3.00×", "1.00×"]
    first = tiers.iloc[0]
    assert first["firing now"] == "■ page firing"
    assert first["firing since"].startswith("since ") or first["firing since"].startswith("more than")
    assert tiers.iloc[3]["firing since"] == "—"
    assert len(app.get("plotly_chart")) == 4
    assert any("commerce.yaml" in caption.value for caption in app.caption)  # where the definition lives
    assert not app.error


def test_drilldown_of_a_quiet_slo_says_no_data_instead_of_zero():
    app = run({"slo": "reporting-availability"})
    metrics = {metric.label: metric.value for metric in app.metric}
    assert metrics["SLI (target 99%)"] == "no data"
    assert metrics["Error budget remaining"] == "no data"
    assert metrics["Alert state"] == "○ no data"
    assert set(app.dataframe[0].value["firing now"]) == {"○ no data"}
    assert not app.exception


def test_unknown_slo_parameter_gives_a_clear_message_with_a_suggestion():
    app = run({"slo": "checkout-availabilty"})
    message = texts(app.error)
    assert "There is no SLO named ` checkout-availabilty `" in message
    assert "checkout-availability" in message
    assert not app.dataframe


# --- errors -----------------------------------------------------------------------------------------------------------


def test_invalid_settings_are_listed_not_raised(monkeypatch):
    monkeypatch.setenv("TEAM_TIMEZONE", "Mars/Olympus")
    monkeypatch.setenv("PROMETHEUS_URL", "ftp://prometheus")
    app = run()
    message = texts(app.error)
    assert "settings are invalid" in message
    assert "'Mars/Olympus' is not a time zone name" in message
    assert "is not an http(s) URL" in message
    assert not app.dataframe


GOOD_SLO = """\
    apiVersion: openslo/v1
    kind: SLO
    metadata:
      name: checkout-availability
      displayName: Checkout availability
    spec:
      service: checkout
      indicator:
        metadata:
          name: checkout-non-5xx
        spec:
          ratioMetric:
            counter: true
            good:
              metricSource:
                type: Prometheus
                spec:
                  query: http_requests_total{service="checkout",code!~"5.."}
            total:
              metricSource:
                type: Prometheus
                spec:
                  query: http_requests_total{service="checkout"}
      timeWindow:
        - duration: 30d
          isRolling: true
      budgetingMethod: Occurrences
      objectives:
        - target: 0.999
"""


def test_catalog_problems_are_warnings_and_the_valid_slos_still_show(monkeypatch, tmp_path):
    catalog = tmp_path / "catalog"
    catalog.mkdir()
    (catalog / "good.yaml").write_text(textwrap.dedent(GOOD_SLO))
    broken = textwrap.dedent(GOOD_SLO).replace("checkout-availability", "broken-slo").replace("0.999", "1.5")
    (catalog / "broken.yaml").write_text(broken)
    monkeypatch.setenv("SLO_CATALOG", str(catalog))
    app = run()
    assert slo_names(overview(app)) == ["checkout-availability"]
    (expander,) = app.expander
    assert "1 catalog problem — the other SLOs still show" in expander.label
    assert "broken.yaml" in texts(expander.warning)
    # Its drill-down explains why it is missing instead of "no such SLO".
    app = run({"slo": "broken-slo"})
    assert "definition has problems" in texts(app.error)


def test_unreachable_prometheus_is_one_clear_error_and_every_slo_shows_no_data(monkeypatch):
    monkeypatch.setenv("PROMETHEUS_URL", "http://127.0.0.1:9")  # discard port: nothing listens
    monkeypatch.setenv("PROMETHEUS_TIMEOUT_SECONDS", "2")
    app = run()
    (error,) = app.error
    assert "No SLO data from Prometheus (http://127.0.0.1:9)" in error.value
    assert "Refresh" in error.value
    frame = overview(app)
    assert set(frame["state"]) == {"○ no data"}
    assert len(frame) == len(EXAMPLE_SLOS)
    assert not app.warning  # the per-SLO copies of the same message are not repeated
    assert "Demo data" not in texts(app.info)


def test_drilldown_history_failure_stays_in_its_panel(monkeypatch):
    monkeypatch.setenv("PROMETHEUS_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("PROMETHEUS_TIMEOUT_SECONDS", "2")
    app = run({"slo": "checkout-availability"})
    assert "No history of checkout-availability from Prometheus (http://127.0.0.1:9): no data yet" in texts(app.error)
    assert app.metric  # the headline still shows
    assert app.dataframe  # and the tiers table


def test_a_second_viewer_of_the_slo_burn_page_sends_prometheus_no_queries(monkeypatch, demo_prometheus):
    """Reports are shared by every session: two viewers of the same instant cost Prometheus what one does."""
    monkeypatch.setenv("PROMETHEUS_URL", demo_prometheus.url)
    at = {"at": "2026-11-01T00:00:00Z"}  # the backfilled history's end
    before = settled_queries_answered(demo_prometheus.url)
    first_viewer = run(at)
    after_one = settled_queries_answered(demo_prometheus.url)
    second_viewer = run(at)
    after_two = settled_queries_answered(demo_prometheus.url)
    assert len(overview(first_viewer)) == len(EXAMPLE_SLOS)
    assert set(overview(first_viewer)["state"]) != {"○ no data"}  # figures from the backfilled history
    assert overview(second_viewer).equals(overview(first_viewer))
    assert after_one > before
    assert after_two == after_one


def test_a_past_instant_shows_a_banner_with_the_way_back_to_now():
    app = run({"at": "2026-11-01T00:00:00Z"})
    assert "Viewing Sun 2026-11-01 09:00 (Asia/Seoul), not now." in texts(app.warning)
    app.button(key="back_to_now").click().run()
    assert "at" not in app.query_params
    assert "not now" not in texts(app.warning)


def test_now_shows_no_past_banner():
    app = run()
    assert "not now" not in texts(app.warning)


def test_more_columns_offers_the_short_windows_period_and_note():
    app = run()
    [picker] = [widget for widget in app.get("button_group") if widget.label == "More columns"]
    assert list(picker.options) == ["short windows (5m, 30m, 2h)", "period", "note"]
    assert picker.value == []


def test_a_partial_answer_keeps_the_overview_and_says_figures_may_be_incomplete(monkeypatch):
    from tests.support.hostile_http import PARTIAL_WARNING, start_hostile_prometheus

    with start_hostile_prometheus() as hostile:
        monkeypatch.setenv("PROMETHEUS_URL", hostile.url_for("partial"))
        app = run()
    assert f"Figures may be incomplete. Prometheus ({hostile.url_for('partial')}) answered partly" in texts(app.warning)
    assert PARTIAL_WARNING in texts(app.warning)
    assert not app.error and len(overview(app)) == len(EXAMPLE_SLOS)


LONG_WINDOWS_AT = "2026-10-31T21:15:00+00:00"  # inside the backfilled history, on its 5-minute sample grid


def stored_rollups(prometheus_url: str, store: str, first) -> None:
    from datetime import date, datetime, timedelta

    from data.slo.prometheus import PrometheusSettings, PrometheusSource
    from data.store import engine_for, migrate
    from data.trends.rollups import collect_daily_rollups
    from tests.support.actors import admin

    migrate(store)
    engine = engine_for(store)
    collect_daily_rollups(
        PrometheusSource(PrometheusSettings(url=prometheus_url)),
        load_catalog(DEFAULT_CATALOG).slos,
        engine,
        time_zone="Europe/Berlin",
        now=datetime.fromisoformat(LONG_WINDOWS_AT) + timedelta(hours=1),
        actor=admin(),
        first=first,
        last=date(2026, 10, 30),
    )
    engine.dispose()


def test_the_overview_says_its_long_windows_were_summed_from_stored_days(monkeypatch, demo_prometheus, tmp_path):
    from datetime import date

    monkeypatch.setenv("PROMETHEUS_URL", demo_prometheus.url)
    monkeypatch.setenv("TEAM_TIMEZONE", "Europe/Berlin")
    stored_rollups(demo_prometheus.url, f"sqlite:///{tmp_path / 'store.db'}", date(2026, 9, 28))
    st.cache_data.clear()
    app = run({"at": LONG_WINDOWS_AT})
    line = f"Long windows: the period, 1d and 3d windows of {len(EXAMPLE_SLOS)} SLO(s) summed from"
    assert line in texts(app.caption)
    assert not [button for button in app.button if button.key == "collect_missing_days"]


def test_days_the_long_windows_miss_are_collected_from_the_overview_and_summed_after(
    monkeypatch, demo_prometheus, tmp_path
):
    from datetime import date

    monkeypatch.setenv("PROMETHEUS_URL", demo_prometheus.url)
    monkeypatch.setenv("TEAM_TIMEZONE", "Europe/Berlin")
    stored_rollups(demo_prometheus.url, f"sqlite:///{tmp_path / 'store.db'}", date(2026, 10, 10))
    st.cache_data.clear()  # the reports another test's store gave for this same instant and Prometheus
    app = run({"at": LONG_WINDOWS_AT})
    assert "read whole: day(s) 2026-10-01" in texts(app.caption)
    [collect] = [button for button in app.button if button.key == "collect_missing_days"]
    assert collect.label == "Collect the missing days (2026-10-01 .. 2026-10-09)"
    collect.click().run()
    assert not app.exception
    assert "Stored 81 rows for 9 days (2026-10-01 .. 2026-10-09)" in " ".join(s.label for s in app.status)
    app.run()
    line = f"Long windows: the period, 1d and 3d windows of {len(EXAMPLE_SLOS)} SLO(s) summed from"
    assert line in texts(app.caption)


def test_a_restart_during_an_outage_shows_the_last_good_report_kept_in_the_store(monkeypatch):
    """The first process read the overview; Prometheus then went down and the app restarted (no memory of its own):
    the overview shows the report the store kept, marked stale with the time it was read."""
    from data.slo import demo
    from tests.support.servers import build_tsdb, start_prometheus

    at = {"at": "2026-11-01T00:00:00Z"}

    def write(path):
        with path.open("w", encoding="utf-8") as out:
            demo.write_openmetrics(demo.generate_history(HISTORY_END), out)

    with start_prometheus(build_tsdb(write, f"demo-{demo.cache_key(HISTORY_END)}")) as prometheus:
        monkeypatch.setenv("PROMETHEUS_URL", prometheus.url)
        st.cache_data.clear()
        st.cache_resource.clear()
        good = overview(run(at))
    st.cache_data.clear()  # a restarted process: nothing in memory
    st.cache_resource.clear()
    app = run(at)
    assert "Stale: read at" in texts(app.caption)
    assert overview(app)[["SLO", "state"]].equals(good[["SLO", "state"]])
    assert set(good["state"]) != {"○ no data"}
