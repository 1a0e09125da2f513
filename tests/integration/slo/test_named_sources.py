"""Catalog DataSources on real Prometheus servers: three servers (two DataSources, ``eu`` and ``us``, and the
settings' own Prometheus) backfilled with the same series names but different bad-request patterns, which this test
writes. Each SLO's budget is counted here from its own server's samples, without the app's code: an SLO read from
the wrong server would show another server's budget.
"""

from __future__ import annotations

import functools
import hashlib
import textwrap
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from data.secrets import redact
from data.settings import load_settings
from data.slo.alert_history import load_alert_history
from data.slo.catalog import load_catalog
from data.slo.prometheus import PARALLEL_QUERIES
from data.slo.routed import RoutedSource
from data.slo.service import load_report, make_source
from data.store import engine_for, migrate
from data.trends.rollups import collect_daily_rollups
from data.trends.service import rollup_source
from data.trends.store import daily_rollups_between
from tests.support.actors import admin
from tests.support.servers import make_backfilled_prometheus, make_backfilled_victoriametrics

pytestmark = pytest.mark.integration

MINUTES = 2 * 24 * 60
END = datetime(2026, 11, 2, tzinfo=UTC)
START = END - timedelta(minutes=MINUTES)
AT = END
ROUTES = ("r1", "r2", "r3")
TARGET = 0.99
# Per server, every how many minutes each route loses a fifth of its requests: budgets far apart per server.
BAD_EVERY = {"eu": {"r1": 10, "r2": 20, "r3": 40}, "us": {"r1": 7, "r2": 14, "r3": 28}, "default": {"r1": 50}}
SECRET_HEADER = "X-Proxy-Key"
SECRET_VALUE = "proxy-k3y-never-shown"


def requests_in(minute: int) -> int:
    return 100 + minute % 5


def bad_in(server: str, route: str, minute: int) -> int:
    return requests_in(minute) // 5 if minute % BAD_EVERY[server][route] == 0 else 0


def write_history(path: Path, server: str) -> None:
    """Minute ``m`` ends at sample ``m``; sample 0 opens the counters at zero."""
    stamp = int(START.timestamp())
    lines = ["# TYPE requests counter"]
    for route in BAD_EVERY[server]:
        total = bad = 0
        for minute in range(MINUTES + 1):
            if minute:
                total += requests_in(minute)
                bad += bad_in(server, route, minute)
            lines.append(f'requests_total{{route="{route}",outcome="all"}} {total} {stamp + 60 * minute}')
            lines.append(f'requests_total{{route="{route}",outcome="bad"}} {bad} {stamp + 60 * minute}')
    lines.sort(key=lambda line: (line.startswith("#") is False, line.rsplit(" ", 2)[0]))
    path.write_text("\n".join(lines) + "\n# EOF\n")


def expected_budget(server: str, route: str) -> float:
    """Budget left over the 1-day rolling period ending at AT, from the samples written above."""
    minutes = range(MINUTES - 24 * 60 + 1, MINUTES + 1)
    total = sum(requests_in(m) for m in minutes)
    bad = sum(bad_in(server, route, m) for m in minutes)
    return 1 - (bad / total) / (1 - TARGET)


def _server(server: str):
    key = f"named-sources-{server}-" + hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:12]
    return make_backfilled_prometheus(functools.partial(write_history, server=server), key)


@pytest.fixture(scope="module")
def eu():
    with _server("eu") as server:
        yield server


@pytest.fixture(scope="module")
def us():
    with _server("us") as server:
        yield server


@pytest.fixture(scope="module")
def default_prometheus():
    with _server("default") as server:
        yield server


def data_source(name: str, url: str) -> str:
    return textwrap.dedent(
        f"""\
        apiVersion: openslo/v1
        kind: DataSource
        metadata: {{name: {name}}}
        spec:
          type: Prometheus
          connectionDetails: {{url: '{url}', headers: {{X-Scope-OrgID: tenant-{name}}}}}
        """
    )


def slo(name: str, route: str, ref: str | None) -> str:
    where = f"metricSourceRef: {ref}" if ref else "type: Prometheus"
    return textwrap.dedent(
        f"""\
        apiVersion: openslo/v1
        kind: SLO
        metadata: {{name: {name}}}
        spec:
          service: shop
          budgetingMethod: Occurrences
          timeWindow: [{{duration: 1d, isRolling: true}}]
          objectives: [{{target: {TARGET}}}]
          indicator:
            metadata: {{name: {name}-sli}}
            spec:
              ratioMetric:
                counter: true
                bad: {{metricSource: {{{where}, spec: {{query: 'requests_total{{route="{route}",outcome="bad"}}'}}}}}}
                total: {{metricSource: {{{where}, spec: {{query: 'requests_total{{route="{route}",outcome="all"}}'}}}}}}
        """
    )


def write_catalog(directory: Path, eu_url: str, us_url: str, routes=ROUTES) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    slos = [slo(f"{server}-{route}", route, server) for server in ("eu", "us") for route in routes]
    slos.append(slo("default-r1", "r1", None))
    (directory / "slos.yaml").write_text("---\n".join(slos))
    # the DataSources in a file read after the SLOs that name them
    (directory / "sources.yaml").write_text(data_source("eu", eu_url) + "---\n" + data_source("us", us_url))
    return directory


def settings_for(tmp_path: Path, default_url: str):
    return load_settings(
        {
            "PROMETHEUS_URL": default_url,
            "PROMETHEUS_TIMEOUT_SECONDS": "5",
            "PROMETHEUS_SOURCE_EU_HEADERS": f"{SECRET_HEADER}: {SECRET_VALUE}",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'store.db'}",
        },
        secrets_file=tmp_path / "none.toml",
    )


@pytest.fixture
def setup(tmp_path, eu, us, default_prometheus):
    catalog = load_catalog(write_catalog(tmp_path / "catalog", eu.url, us.url))
    assert catalog.problems == [], [str(p) for p in catalog.problems]
    return settings_for(tmp_path, default_prometheus.url), catalog


def test_each_slo_has_the_budget_of_its_own_servers_samples(setup):
    settings, catalog = setup

    report = load_report(make_source(settings, catalog=catalog), catalog.slos, AT)

    assert report.errors == {}
    for server in ("eu", "us"):
        for route in ROUTES:
            status = report.status(f"{server}-{route}")
            assert status.error is None, status.error
            assert status.budget_remaining == pytest.approx(expected_budget(server, route), abs=0.01), status.slo.name
    assert report.status("default-r1").budget_remaining == pytest.approx(expected_budget("default", "r1"), abs=0.01)


def test_the_budgets_of_the_servers_are_far_enough_apart_to_tell_them_apart():
    budgets = [expected_budget(server, "r1") for server in ("eu", "us", "default")]
    assert min(abs(a - b) for i, a in enumerate(budgets) for b in budgets[i + 1 :]) > 0.1


def test_each_source_sends_its_own_batch_whatever_the_number_of_its_slos(setup, tmp_path, eu, us):
    settings, catalog = setup
    few = load_catalog(write_catalog(tmp_path / "few", eu.url, us.url, routes=("r1",)))
    few_source, many_source = make_source(settings, catalog=few), make_source(settings, catalog=catalog)

    load_report(few_source, few.slos, AT)
    load_report(many_source, catalog.slos, AT)

    for source in (few_source, many_source):
        assert isinstance(source, RoutedSource)
        assert [source.named[name].query_count for name in ("eu", "us")] == [PARALLEL_QUERIES] * 2
        assert source.default.query_count == PARALLEL_QUERIES
        assert source.query_count == 3 * PARALLEL_QUERIES


def test_a_stopped_server_costs_only_its_own_slos_their_figures_with_an_error_naming_it(setup, us):
    settings, catalog = setup
    before = load_report(make_source(settings, catalog=catalog), catalog.slos, AT)
    us.stop()
    try:
        after = load_report(make_source(settings, catalog=catalog), catalog.slos, AT)
    finally:
        us.start()

    for route in ROUTES:
        failed = after.status(f"us-{route}")
        assert failed.budget_remaining is None
        assert failed.error is not None and "us" in failed.error and us.url.split("//")[1] in failed.error
        assert "PROMETHEUS_SOURCE_US_URL" in failed.error  # what to fix is the DataSource's, not PROMETHEUS_URL
        kept, was = after.status(f"eu-{route}"), before.status(f"eu-{route}")
        assert kept.error is None and kept.budget_remaining == was.budget_remaining
    assert after.status("default-r1").budget_remaining == before.status("default-r1").budget_remaining
    assert after.errors == {}


def test_a_header_from_the_environment_is_sent_and_never_shown(setup, us):
    settings, catalog = setup
    source = make_source(settings, catalog=catalog)

    session_headers = source.named["eu"]._session.headers
    assert session_headers[SECRET_HEADER] == SECRET_VALUE
    assert session_headers["X-Scope-OrgID"] == "tenant-eu"  # the catalog's plain header is kept beside it
    assert SECRET_HEADER not in source.named["us"]._session.headers  # only the source it was set for
    us.stop()
    try:
        report = load_report(source, catalog.slos, AT)
    finally:
        us.start()
    shown = [
        source.description,
        repr(settings),
        repr(source.named["eu"].settings),
        repr(settings.source_options),
        *(s.error or "" for s in report.statuses),
    ]
    assert all(SECRET_VALUE not in text for text in shown)
    assert SECRET_VALUE not in redact(f"header {SECRET_HEADER}: {SECRET_VALUE}")


def test_the_description_names_every_source(setup, eu, us, default_prometheus):
    settings, catalog = setup

    description = make_source(settings, catalog=catalog).description

    for server in (default_prometheus, eu, us):
        assert server.url.split("//")[1] in description


# --- daily rollups and the SLO readings of the weekly review and the tracker read each SLO's own server -------------

DAY = date(2026, 11, 1)  # the last whole UTC day of the samples: minutes 1441 .. 2880


def expected_day(server: str, route: str) -> tuple[int, int]:
    minutes = range(24 * 60 + 1, MINUTES + 1)
    return sum(requests_in(m) for m in minutes), sum(bad_in(server, route, m) for m in minutes)


def collect_the_day(settings, catalog):
    """``collect rollups`` of DAY into the settings' store: (its summary, the stored rows by SLO)."""
    migrate(settings.database_url)
    engine = engine_for(settings.database_url)
    try:
        summary = collect_daily_rollups(
            rollup_source(settings, catalog.slos),
            catalog.slos,
            engine,
            time_zone="UTC",
            now=END + timedelta(hours=1),
            actor=admin(),
            first=DAY,
            last=DAY,
        )
        return summary, {row["slo"]: row for row in daily_rollups_between(engine, DAY, DAY)}
    finally:
        engine.dispose()


@pytest.fixture
def collecting(setup, tmp_path):
    """The settings reading the test's catalog (as ``SLO_CATALOG`` would), whose SLOs the collector is given."""
    settings, catalog = setup
    return replace(settings, catalog_path=tmp_path / "catalog"), catalog


def test_daily_rollups_count_each_slo_on_its_own_server(collecting):
    settings, catalog = collecting
    summary, rows = collect_the_day(settings, catalog)

    assert summary.errors == {}
    for server in ("eu", "us"):
        for route in ROUTES:
            assert (rows[f"{server}-{route}"]["total"], rows[f"{server}-{route}"]["bad"]) == expected_day(server, route)
    assert (rows["default-r1"]["total"], rows["default-r1"]["bad"]) == expected_day("default", "r1")


def test_a_stopped_server_costs_the_rollups_only_its_own_slos_named_as_errors(collecting, us):
    settings, catalog = collecting
    us.stop()
    try:
        summary, rows = collect_the_day(settings, catalog)
    finally:
        us.start()

    stored = set(rows)
    assert sorted(summary.errors) == [f"us-{route}" for route in ROUTES]
    assert stored == {f"eu-{route}" for route in ROUTES} | {"default-r1"}


def test_the_firings_of_each_slo_are_read_from_the_prometheus_its_rules_run_in(setup):
    settings, catalog = setup
    source = make_source(settings, catalog=catalog)

    history = load_alert_history(source, catalog.slos, AT - timedelta(hours=2), AT)

    assert [source.named[name].query_count > 0 for name in ("eu", "us")] == [True, True]
    assert source.default.query_count > 0
    assert history.intervals == ()  # no rules are loaded in these servers: nothing fired, and nothing is made up


def test_a_stopped_datasource_costs_only_its_slos_their_firings_with_a_notice(setup, us):
    settings, catalog = setup
    us.stop()
    try:
        history = load_alert_history(make_source(settings, catalog=catalog), catalog.slos, AT - timedelta(hours=2), AT)
    finally:
        us.start()

    assert "The firings of us-r1, us-r2, us-r3 could not be read" in history.notice


# --- a DataSource on another engine: VictoriaMetrics, real, with its default flags ----------------------------------


@pytest.fixture(scope="module")
def eu_victoriametrics():
    key = "named-sources-eu-vm-" + hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:12]
    with make_backfilled_victoriametrics(functools.partial(write_history, server="eu"), key) as server:
        yield server


def test_an_slo_on_a_victoriametrics_datasource_has_the_budget_of_its_samples(
    tmp_path, eu_victoriametrics, us, default_prometheus
):
    directory = write_catalog(tmp_path / "vm", eu_victoriametrics.url, us.url)
    text = (directory / "sources.yaml").read_text().replace("type: Prometheus", "type: VictoriaMetrics", 1)
    (directory / "sources.yaml").write_text(text)
    catalog = load_catalog(directory)
    assert catalog.problems == [], [str(p) for p in catalog.problems]
    source = make_source(settings_for(tmp_path, default_prometheus.url), catalog=catalog)

    report = load_report(source, catalog.slos, AT)

    assert source.named["eu"].description.startswith("VictoriaMetrics eu")
    for route in ROUTES:
        status = report.status(f"eu-{route}")
        assert status.error is None, status.error
        assert status.budget_remaining == pytest.approx(expected_budget("eu", route), abs=0.01), route
    assert source.named["eu"].query_count == PARALLEL_QUERIES
