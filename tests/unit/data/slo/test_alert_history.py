"""The firing history on the demo source (computed from its history), and the ALERTS query's text."""

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from data.slo.alert_history import HISTORY_SPAN, alerts_selector, load_alert_history
from data.slo.catalog import load_catalog
from data.slo.demo import DemoSource

REPO = Path(__file__).resolve().parents[4]
CATALOG = load_catalog(REPO / "config" / "slos")
NOW = datetime(2026, 11, 24, 14, 5, tzinfo=UTC)


@pytest.fixture(scope="module")
def demo_history():
    return load_alert_history(DemoSource(end=NOW), CATALOG.slos, NOW - HISTORY_SPAN, NOW)


def by_tier(history):
    return {(i.key.slo, i.key.severity, i.key.long_window): i for i in history.intervals}


def test_the_demo_history_is_computed_and_says_so(demo_history):
    assert demo_history.computed and demo_history.notice is None
    assert demo_history.step == timedelta(minutes=5)
    assert demo_history.covered_from == NOW - timedelta(days=35)


def test_the_demo_checkout_burn_pages_and_is_still_firing(demo_history):
    """The injected incident raises checkout's errors to 3% for the last 50 minutes: the 1-hour page tier
    (14.4 × 0.1%) fires once its hour holds enough of it, and is firing at the end."""
    checkout = by_tier(demo_history)[("checkout-availability", "page", "1h")]
    assert checkout.ended is None
    assert checkout.started == datetime(2026, 11, 24, 13, 45, tzinfo=UTC)


def test_the_old_inventory_outage_fired_every_tier_and_ended(demo_history):
    tiers = {
        (severity, window): interval
        for (slo, severity, window), interval in by_tier(demo_history).items()
        if slo == "inventory-availability"
    }
    assert set(tiers) == {("page", "1h"), ("page", "6h"), ("ticket", "1d"), ("ticket", "3d")}
    assert all(interval.ended is not None for interval in tiers.values())


def test_a_quiet_service_never_fires(demo_history):
    assert not [i for i in demo_history.intervals if i.key.service == "reporting"]


def test_a_service_filter_keeps_only_its_slos():
    history = load_alert_history(
        DemoSource(end=NOW), CATALOG.slos, NOW - timedelta(days=20), NOW, services=["inventory"]
    )
    assert history.intervals and {i.key.service for i in history.intervals} == {"inventory"}


def test_the_alerts_selector_asks_for_firing_slo_burn_alerts():
    assert alerts_selector() == 'ALERTS{alertname="SLOBurnRate",alertstate="firing"}'


def test_service_names_in_the_selector_are_regex_and_string_escaped():
    selector = alerts_selector(["a.b", 'quo"te', "x y"])
    assert selector.endswith(',service=~"a\\\\.b|quo\\"te|x y"}')


# -- tiers a team tuned ------------------------------------------------------------------------------------------------


def checkout_with(**changes):
    from dataclasses import replace

    return replace(CATALOG.slo("checkout-availability"), **changes)


def test_the_demo_history_judges_only_the_tiers_an_slo_has_on_by_its_names():
    """checkout's burn pages at the end (above); with its page tiers renamed P1 the same firing is called P1, and
    with them switched off it does not page at all."""
    from dataclasses import replace

    from metrics.slo.alerts import DEFAULT_TIERS, Urgency

    start = NOW - timedelta(days=2)
    renamed = tuple(replace(t, severity_name="P1") if t.urgency is Urgency.PAGE else t for t in DEFAULT_TIERS)
    named = load_alert_history(DemoSource(end=NOW), [checkout_with(tiers=renamed)], start, NOW)
    tickets_only = tuple(t for t in DEFAULT_TIERS if t.urgency is Urgency.TICKET)
    quiet = load_alert_history(DemoSource(end=NOW), [checkout_with(tiers=tickets_only)], start, NOW)

    page = by_tier(named)[("checkout-availability", "P1", "1h")]
    assert page.key.urgency is Urgency.PAGE and page.ended is None
    assert not [i for i in quiet.intervals if i.key.urgency is Urgency.PAGE]


class AlertsOnly:
    """A Prometheus source that answers ALERTS with the given label sets, one point each, and no rules API."""

    is_demo = False
    description = "Prometheus test"
    query_count = 0

    def __init__(self, *label_sets):
        self.label_sets = label_sets

    def alerting_rules(self):
        return None

    def range(self, query, start, end, step):
        return [{"metric": labels, "values": [[end.timestamp(), "1"]]} for labels in self.label_sets]


def alert_labels(severity, **extra):
    return {
        "alertname": "SLOBurnRate",
        "alertstate": "firing",
        "slo": "checkout-availability",
        "service": "checkout",
        "severity": severity,
        "long_window": "1h",
        "short_window": "5m",
        **extra,
    }


def test_an_alerts_urgency_comes_from_its_label_then_the_catalog_then_a_severity_named_page_or_ticket():
    from dataclasses import replace

    from metrics.slo.alerts import DEFAULT_TIERS, Urgency

    p1 = tuple(replace(t, severity_name="P1") if t.urgency is Urgency.PAGE else t for t in DEFAULT_TIERS)
    source = AlertsOnly(
        alert_labels("sev2", urgency="ticket"),  # the generated rules say it
        alert_labels("P1"),  # no label: the catalog's P1 tier of that SLO pages
        alert_labels("page"),  # rules written before severities were named
        alert_labels("whatever"),  # nothing says: not counted as either
    )

    history = load_alert_history(source, [checkout_with(tiers=p1)], NOW - timedelta(hours=1), NOW)

    urgencies = {interval.key.severity: interval.key.urgency for interval in history.intervals}
    assert urgencies == {"sev2": Urgency.TICKET, "P1": Urgency.PAGE, "page": Urgency.PAGE}
    assert history.ignored_series == 1
