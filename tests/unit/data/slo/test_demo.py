"""The demo history: deterministic, with its injected incidents, and written as valid OpenMetrics."""

import io
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest

from data.slo.catalog import load_catalog
from data.slo.demo import DemoSource, cache_key, generate_history, write_openmetrics
from data.slo.service import load_report

END = datetime(2026, 11, 1, tzinfo=UTC)
CATALOG = load_catalog(Path(__file__).resolve().parents[4] / "config" / "slos")


def test_the_same_end_gives_the_same_history():
    first, second = generate_history(END), generate_history(END)
    assert all(np.array_equal(a.values, b.values) for a, b in zip(first.series, second.series))


def test_values_depend_on_absolute_time_so_refreshes_hold_still():
    earlier = generate_history(END - timedelta(minutes=1))
    later = generate_history(END)
    report_earlier = load_report(DemoSource(end=earlier.end), CATALOG.slos, END - timedelta(hours=2))
    report_later = load_report(DemoSource(end=later.end), CATALOG.slos, END - timedelta(hours=2))
    assert report_earlier.status("auth-availability").budget_remaining == pytest.approx(
        report_later.status("auth-availability").budget_remaining, abs=1e-3
    )


def test_counters_never_decrease():
    assert all(np.all(np.diff(series.values) >= 0) for series in generate_history(END).series)


def test_demo_shows_a_fast_burn_a_slow_burn_a_spent_budget_and_a_quiet_service():
    report = load_report(DemoSource(end=END), CATALOG.slos, END)
    assert report.status("checkout-availability").alert_state == "page"
    assert report.status("payments-availability").alert_state == "ticket"
    assert report.status("inventory-availability").budget_remaining < 0.25
    assert report.status("reporting-availability").alert_state == "no data"


def test_openmetrics_uses_second_timestamps_and_ends_with_eof():
    out = io.StringIO()
    samples = write_openmetrics(generate_history(END, days=1), out)
    lines = out.getvalue().splitlines()
    assert lines[-1] == "# EOF"
    first_sample = next(line for line in lines if not line.startswith("#"))
    assert int(first_sample.rsplit(" ", 1)[1]) < 2_000_000_000  # seconds, not milliseconds
    assert samples == sum(1 for line in lines if not line.startswith("#"))


def test_every_family_is_declared_once_before_its_samples():
    out = io.StringIO()
    write_openmetrics(generate_history(END, days=1), out)
    types = [line for line in out.getvalue().splitlines() if line.startswith("# TYPE")]
    assert len(types) == len(set(types)) == 4


def test_cache_key_changes_with_the_inputs():
    assert cache_key(END) != cache_key(END + timedelta(minutes=1))
    assert cache_key(END) != cache_key(END, days=10)
