"""A report kept as JSON-able inputs and rebuilt: the same figures, with today's catalog."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime

from data.settings import DEFAULT_CATALOG
from data.slo.catalog import load_catalog
from data.slo.demo import DemoSource
from data.slo.service import load_report
from metrics.slo.kept_report import report_from_inputs, report_inputs

AT = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)
SLOS = load_catalog(DEFAULT_CATALOG).slos


def figures(report) -> list[tuple]:
    return [(s.slo.name, s.sli, s.budget_remaining, s.alert_state, s.burn_rates) for s in report.statuses]


def kept(report) -> dict:
    return json.loads(json.dumps(report_inputs(report), allow_nan=False))


def test_a_kept_report_rebuilds_to_the_same_figures():
    report = load_report(DemoSource(end=AT), SLOS, AT)
    rebuilt = report_from_inputs(kept(report), SLOS)
    assert figures(rebuilt) == figures(report)
    assert (rebuilt.at, rebuilt.source) == (report.at, report.source)


def test_an_slo_no_longer_in_the_catalog_is_left_out():
    report = load_report(DemoSource(end=AT), SLOS, AT)
    rebuilt = report_from_inputs(kept(report), SLOS[1:])
    assert [s.slo.name for s in rebuilt.statuses] == [s.slo.name for s in report.statuses if s.slo.name != SLOS[0].name]


def test_a_changed_target_is_applied_to_the_kept_counts():
    report = load_report(DemoSource(end=AT), SLOS, AT)
    stricter = [replace(slo, target=0.9999) if slo.name == SLOS[0].name else slo for slo in SLOS]
    rebuilt = report_from_inputs(kept(report), stricter)
    assert rebuilt.status(SLOS[0].name).budget_remaining < report.status(SLOS[0].name).budget_remaining


def test_an_slo_error_is_kept():
    report = load_report(DemoSource(end=AT), SLOS, AT)
    broken = replace(report.statuses[0], error="refused")
    report = replace(report, statuses=[broken, *report.statuses[1:]])
    assert report_from_inputs(kept(report), SLOS).status(broken.slo.name).error == "refused"
