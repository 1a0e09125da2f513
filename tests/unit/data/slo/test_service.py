"""The SLO service: one timeout for all of a panel's reads (``within_timeout``), and the steps pages and commands
share (drill-down series, firing history, alert rule file, snapshots)."""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from data.settings import load_settings
from data.slo.catalog import Catalog, load_catalog
from data.slo.demo import DemoSource
from data.slo.prometheus import PrometheusSettings, PrometheusSource
from data.slo.service import (
    RequestError,
    alert_rule_file,
    collect_snapshots,
    drilldown_series,
    firing_history,
    load_history,
    load_report,
    snapshot_rows,
    source_timeout,
    within_timeout,
)
from data.slo.sources import SourceError, SourceTimeout
from metrics.slo.alerts import DEFAULT_TIERS
from metrics.slo.timeseries import SHOWN_RECENT_SPAN


def test_results_come_back_in_the_order_of_the_calls():
    assert within_timeout([lambda: "period", lambda: "recent"], 5, "history") == ["period", "recent"]


def test_a_call_still_running_at_the_deadline_fails_all_of_it_naming_the_timeout():
    release = threading.Event()
    try:
        with pytest.raises(SourceError) as raised:
            within_timeout([lambda: "period", release.wait], 0.2, "Prometheus did not send the history")
    finally:
        release.set()  # the abandoned call ends on its own, as a request would on its own timeout
    assert str(raised.value).startswith("Prometheus did not send the history within 0.2 s (the timeout for all")


def test_the_first_failure_is_raised_without_waiting_for_the_deadline():
    release = threading.Event()

    def unreachable():
        raise SourceError("Prometheus is unreachable")

    try:
        with pytest.raises(SourceError, match="unreachable"):
            within_timeout([release.wait, unreachable], 600, "history")  # would block for 10 min otherwise
    finally:
        release.set()


def test_prometheus_has_its_configured_timeout_and_the_demo_none():
    assert source_timeout(PrometheusSource(PrometheusSettings(url="http://prom:9090", timeout_seconds=2.5))) == 2.5
    assert source_timeout(DemoSource()) is None


def test_a_request_that_ran_out_of_time_is_reported_as_the_panels_timeout():
    def timed_out():
        raise SourceTimeout("Prometheus did not answer within 1 s")

    with pytest.raises(SourceError) as raised:
        within_timeout([timed_out, lambda: "recent"], 1, "Prometheus did not send the history")
    assert str(raised.value).startswith("Prometheus did not send the history within 1 s (the timeout for all")


# --- the steps pages and commands share ---------------------------------------------------------------------------

REPO = Path(__file__).resolve().parents[4]
CATALOG = load_catalog(REPO / "config" / "slos")
AT = datetime(2026, 11, 24, 14, 5, tzinfo=UTC)


@pytest.fixture(scope="module")
def demo() -> DemoSource:
    return DemoSource(end=AT)


def test_drilldown_series_has_one_history_per_alert_tier(demo):
    slo = CATALOG.slo("checkout-availability")
    series = drilldown_series(load_history(demo, slo, AT))
    assert [tier.tier for tier in series.tiers] == list(DEFAULT_TIERS)


def test_drilldown_series_shows_burn_rates_only_over_the_shown_span(demo):
    slo = CATALOG.slo("checkout-availability")
    series = drilldown_series(load_history(demo, slo, AT))
    assert series.shown_burn_rates["time"].min() >= AT - SHOWN_RECENT_SPAN
    assert series.burn_rates["time"].min() < AT - SHOWN_RECENT_SPAN


def test_drilldown_series_burn_down_and_sli_cover_the_period(demo):
    slo = CATALOG.slo("checkout-availability")
    history = load_history(demo, slo, AT)
    series = drilldown_series(history)
    assert len(series.burn_down) == len(series.sli) == len(history.period_buckets)


def test_firing_history_defaults_to_the_last_90_days(demo):
    history = firing_history(demo, CATALOG, AT, "Europe/Berlin")
    assert history.last_evaluation <= AT and history.first_evaluation >= AT - timedelta(days=90)
    assert history.first_evaluation < AT - timedelta(days=89)


def test_firing_history_runs_from_local_midnight_to_the_end_of_the_last_day(demo):
    history = firing_history(demo, CATALOG, AT, "Europe/Berlin", date(2026, 11, 20), date(2026, 11, 21))
    assert history.first_evaluation == datetime(2026, 11, 19, 23, 0, tzinfo=UTC)
    assert history.last_evaluation <= datetime(2026, 11, 21, 23, 0, tzinfo=UTC)


def test_firing_history_refuses_an_empty_range(demo):
    with pytest.raises(RequestError, match="the range is empty"):
        firing_history(demo, CATALOG, AT, "Europe/Berlin", date(2026, 11, 22), date(2026, 11, 21))


def test_firing_history_refuses_an_unknown_service(demo):
    with pytest.raises(RequestError, match="unknown service\\(s\\) nope; known: "):
        firing_history(demo, CATALOG, AT, "Europe/Berlin", services=["nope"])


def test_alert_rule_file_counts_its_rules_and_slos():
    rule_file = alert_rule_file(CATALOG, Path("config/slos"), AT)
    assert rule_file.slos == len(CATALOG.slos)
    assert rule_file.rules == len(CATALOG.slos) * len(DEFAULT_TIERS)
    assert rule_file.text.startswith("# Generated by `python cli.py slo-rules` from config/slos at 2026-11-24T14:05:00")


def test_alert_rule_file_refuses_a_catalog_with_problems_and_names_them(tmp_path):
    (tmp_path / "broken.yaml").write_text("apiVersion: openslo/v1\nkind: SLO\nmetadata: {name: x}\nspec: {}\n")
    catalog = load_catalog(tmp_path)
    with pytest.raises(RequestError, match="problem\\(s\\); fix them first") as raised:
        alert_rule_file(catalog, tmp_path, AT)
    assert raised.value.problems == tuple(str(problem) for problem in catalog.problems)


def test_alert_rule_file_refuses_a_catalog_without_slos(tmp_path):
    with pytest.raises(RequestError, match="defines no SLOs"):
        alert_rule_file(Catalog(slos=[], services={}, problems=[]), tmp_path, AT)


def test_snapshot_rows_leave_out_slos_with_an_error(demo):
    report = load_report(demo, CATALOG.slos, AT)
    broken = replace(report, statuses=[replace(report.statuses[0], error="no series"), *report.statuses[1:]])
    rows = snapshot_rows(broken, AT)
    assert [row["slo"] for row in rows] == [status.slo.name for status in report.statuses[1:]]
    assert {row["source"] for row in rows} == {"demo data"}


def test_collect_snapshots_stores_every_slo_once_per_minute(tmp_path):
    from data.store import migrate
    from metrics.access import VIA_CLI, Actor, Role

    url = f"sqlite:///{tmp_path / 'store.db'}"
    migrate(url)
    settings = replace(load_settings({"DATABASE_URL": url}, tmp_path / "none.toml"), prometheus=None)
    actor = Actor("test", Role.ADMIN, VIA_CLI)
    first = collect_snapshots(settings, CATALOG.slos, AT + timedelta(seconds=30), actor)
    again = collect_snapshots(settings, CATALOG.slos, AT, actor)
    assert (first.taken_at, first.stored, first.errors) == (AT, len(CATALOG.slos), {})
    assert again.stored == 0


def test_an_instant_before_1970_is_refused_as_a_value_error():
    from data.slo.service import parse_instant

    with pytest.raises(ValueError, match="before 1970"):
        parse_instant("0001-01-01T00:00Z")


def test_an_instant_in_1970_is_read():
    from data.slo.service import parse_instant

    assert parse_instant("1970-01-01T00:00:00Z") == datetime(1970, 1, 1, tzinfo=UTC)


def test_alert_rule_file_writes_the_rules_of_an_slo_on_a_raw_ratio(tmp_path):
    text = (Path("config/slos") / "commerce.yaml").read_text()
    start = text.index("      ratioMetric:\n")
    end = text.index("  timeWindow:", start)
    raw = (
        "      ratioMetric:\n        rawType: success\n        raw:\n          metricSource:\n"
        "            type: Prometheus\n            spec:\n              query: job:success:ratio_rate5m\n"
    )
    (tmp_path / "commerce.yaml").write_text(text[:start] + raw + text[end:], encoding="utf-8")
    catalog = load_catalog(tmp_path)
    assert not catalog.problems and not catalog.notices, [str(p) for p in catalog.problems]

    written = alert_rule_file(catalog, tmp_path, AT)

    assert "clamp((job:success:ratio_rate5m), 0, 1)" in written.text


def test_alert_rule_file_writes_rules_beside_documents_it_does_not_use(tmp_path):
    text = (Path("config/slos") / "commerce.yaml").read_text()
    target = "---\napiVersion: openslo/v1\nkind: AlertNotificationTarget\nmetadata: {name: pager}\nspec: {target: x}\n"
    (tmp_path / "commerce.yaml").write_text(text + target)
    catalog = load_catalog(tmp_path)
    assert alert_rule_file(catalog, tmp_path, AT).slos == len(catalog.slos) > 0
