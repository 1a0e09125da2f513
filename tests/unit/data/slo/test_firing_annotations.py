"""The drill-down's tier-firing bands, read from the demo source: the same intervals ``alerts history`` gives for the
SLO, one band each; a source that cannot answer leaves them out with a note naming it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from data.slo.alert_history import load_alert_history
from data.slo.annotations import slo_firing_annotations
from data.slo.catalog import load_catalog
from data.slo.demo import DemoSource
from metrics.slo.annotations import AnnotationKind

NOW = datetime(2026, 11, 24, 14, 5, tzinfo=UTC)
START = NOW - timedelta(days=30)
CATALOG = load_catalog(Path(__file__).resolve().parents[4] / "config" / "slos")
CHECKOUT = next(slo for slo in CATALOG.slos if slo.name == "checkout-availability")


class FailingSource:
    description = "Prometheus test"
    is_demo = False
    query_count = 0

    def alerting_rules(self):
        return []

    def range(self, *args, **kwargs):
        raise TimeoutError("no answer")


def test_each_firing_interval_of_the_slo_is_one_band_from_its_start():
    history = load_alert_history(DemoSource(end=NOW), CATALOG.slos, START, NOW, ["checkout"])
    expected = sorted(i.started for i in history.intervals if i.key.slo == CHECKOUT.name)
    marks = slo_firing_annotations(DemoSource(end=NOW), CHECKOUT, START, NOW).annotations
    assert expected and sorted(mark.start for mark in marks) == expected
    assert {mark.kind for mark in marks} == {AnnotationKind.FIRING}


def test_a_source_that_cannot_answer_leaves_the_firings_out_and_says_which_source():
    found = slo_firing_annotations(FailingSource(), CHECKOUT, START, NOW)
    assert found.annotations == []
    assert found.notes == ["The tier firings could not be read from Prometheus test (TimeoutError)."]
