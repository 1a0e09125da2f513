"""SLOs split by a label (``reliability-dashboard/split-by``) on a real Prometheus and VictoriaMetrics: each value's
figures equal sums from the raw samples, in the same queries as the SLO over all of them (issue 12, item 2)."""

from __future__ import annotations

import textwrap
from dataclasses import replace
from datetime import timedelta

import numpy as np
import pytest

from data.slo.demo import DemoSource, generate_history
from data.slo.prometheus import PrometheusSettings, PrometheusSource
from data.slo.service import load_report
from metrics.slo.definitions import RatioIndicator, SloDefinition, TimeWindow
from tests.integration.conftest import HISTORY_END

pytestmark = pytest.mark.integration

EVERY_SERVICE = SloDefinition(
    name="api-availability",
    service="api",
    target=0.999,
    time_window=TimeWindow(duration="7d", is_rolling=True),
    indicator=RatioIndicator(total_query="http_requests_total", bad_query='http_requests_total{code=~"5.."}'),
)
BY_SERVICE = replace(EVERY_SERVICE, name="api-availability-by-service", split_by=("service",))


@pytest.fixture(params=["prometheus", "victoriametrics"])
def engine(request):
    return request.getfixturevalue(f"demo_{request.param}")


def raw_increase(history, selected, start, end) -> float:
    """A counter's increase between two instants, summed over the series ``selected`` picks, off the samples."""
    stamps = history.timestamps
    last = np.searchsorted(stamps, end.timestamp(), side="right") - 1
    first = np.searchsorted(stamps, start.timestamp(), side="right") - 1
    return sum(float(s.values[last] - s.values[max(first, 0)]) for s in history.series if selected(s))


def test_each_value_of_a_split_slo_matches_its_own_raw_sample_sums(engine):
    report = load_report(PrometheusSource(PrometheusSettings(url=engine.url)), [BY_SERVICE], HISTORY_END)
    history = generate_history(HISTORY_END)
    splits = {split.label: split.status for split in report.splits[BY_SERVICE.name]}
    services = sorted({s.labels["service"] for s in history.series if s.metric == "http_requests_total"})
    assert sorted(splits) == [f"service={service}" for service in services]
    for service in services:
        for window, length in (("period", timedelta(days=7)), ("1h", timedelta(hours=1))):

            def requests(series, service=service):
                return series.metric == "http_requests_total" and series.labels["service"] == service

            def errors(series, service=service):
                return requests(series) and series.labels["code"].startswith("5")

            total = raw_increase(history, requests, HISTORY_END - length, HISTORY_END)
            bad = raw_increase(history, errors, HISTORY_END - length, HISTORY_END)
            counts = splits[f"service={service}"].counts[window]
            assert counts.total == pytest.approx(total, rel=0.01), (service, window)
            assert counts.bad == pytest.approx(bad, rel=0.01, abs=1.0), (service, window)


def test_a_split_slo_costs_the_queries_of_the_same_slo_unsplit(engine):
    counted = []
    for slo in (EVERY_SERVICE, BY_SERVICE):
        source = PrometheusSource(PrometheusSettings(url=engine.url))
        report = load_report(source, [slo], HISTORY_END)
        assert not report.errors and report.status(slo.name).error is None
        counted.append(source.query_count)
    assert counted[0] == counted[1]


def test_the_split_slo_itself_is_the_slo_over_every_value(engine):
    source = PrometheusSource(PrometheusSettings(url=engine.url))
    report = load_report(source, [EVERY_SERVICE, BY_SERVICE], HISTORY_END)
    assert report.status(BY_SERVICE.name).counts == report.status(EVERY_SERVICE.name).counts
    per_value = sum(split.status.counts["period"].total for split in report.splits[BY_SERVICE.name])
    assert per_value == pytest.approx(report.status(BY_SERVICE.name).counts["period"].total, rel=1e-9)


def test_the_demo_source_splits_the_same_way(demo_prometheus):
    through_prometheus = load_report(
        PrometheusSource(PrometheusSettings(url=demo_prometheus.url)), [BY_SERVICE], HISTORY_END
    )
    through_demo = load_report(DemoSource(end=HISTORY_END), [BY_SERVICE], HISTORY_END)
    expected = {split.label: split.status.budget_remaining for split in through_demo.splits[BY_SERVICE.name]}
    got = {split.label: split.status.budget_remaining for split in through_prometheus.splits[BY_SERVICE.name]}
    assert got.keys() == expected.keys()
    for label, budget in expected.items():
        assert got[label] == pytest.approx(budget, abs=0.01), label


def test_a_label_with_more_values_than_the_cap_is_the_slos_error_not_a_page_of_rows(demo_prometheus):
    capped = PrometheusSource(PrometheusSettings(url=demo_prometheus.url, max_split_values=3))
    report = load_report(capped, [BY_SERVICE], HISTORY_END)
    services = {s.labels["service"] for s in generate_history(HISTORY_END).series if s.metric == "http_requests_total"}
    status = report.status(BY_SERVICE.name)
    assert (
        status.error is not None and f"split by service, which has {len(services)} values: over the 3" in status.error
    )
    assert BY_SERVICE.name not in report.splits


def test_the_cli_prints_each_value_as_the_page_shows_it(demo_prometheus, tmp_path):
    import json
    import os
    import subprocess
    import sys
    from pathlib import Path

    from tests.pages.slo_burn.test_split_slos import SPLIT_SLO

    catalog = tmp_path / "api.yaml"
    catalog.write_text(textwrap.dedent(SPLIT_SLO))
    environment = {name: value for name, value in os.environ.items() if not name.startswith("PROMETHEUS_")}
    environment.update(
        SLO_CATALOG=str(catalog),
        RELIABILITY_SECRETS_FILE=str(tmp_path / "none.toml"),
        DATABASE_URL=f"sqlite:///{tmp_path / 'store.db'}",
    )
    arguments = ["slo-report", "--prometheus-url", demo_prometheus.url, "--at", HISTORY_END.isoformat()]
    repo = Path(__file__).resolve().parents[3]
    completed = subprocess.run(
        [sys.executable, "cli.py", *arguments, "--format", "json"],
        cwd=repo, env=environment, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert completed.returncode == 0, completed.stderr
    [row] = json.loads(completed.stdout)["slos"]
    report = load_report(PrometheusSource(PrometheusSettings(url=demo_prometheus.url)), [BY_SERVICE], HISTORY_END)
    expected = {split.label: split.status.budget_remaining for split in report.splits[BY_SERVICE.name]}
    printed = {f"service={value['values']['service']}": value["budget_remaining"] for value in row["split"]}
    assert row["split_by"] == ["service"] and printed == pytest.approx(expected)
    table = subprocess.run(
        [sys.executable, "cli.py", *arguments], cwd=repo, env=environment, capture_output=True, text=True, timeout=120
    )
    assert "  service=checkout" in table.stdout
