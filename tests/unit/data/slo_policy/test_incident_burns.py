"""How the policy service turns incidents into budget shares (``data.slo_policy.service.incident_burns``): the
source counts the incident's interval as one bucket ending at its end, the share is that bucket's bad events over
(1 − target) × the period's events, the largest over the service's SLOs; expected shares worked out by hand."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pandas as pd
import pytest

from data.slo.catalog import load_catalog
from data.slo_policy.service import incident_burns
from metrics.incidents.rules import Incident
from metrics.slo.definitions import EventCounts
from metrics.slo.report import PERIOD_KEY, build_report
from metrics.slo_policy.rules import ALL_SERVICES, Policy
from tests.support.slo_policy import write_spent_catalog

AT = datetime(2026, 11, 24, 5, 0, tzinfo=UTC)
POLICY = Policy(ALL_SERVICES, "halt", "Lee", date(2026, 11, 1), date(2027, 5, 1), postmortem_share=0.2)


class CountingSource:
    """Answers every bucket with ``bad`` bad events, and remembers what it was asked."""

    def __init__(self, bad: dict[str, float]) -> None:
        self.bad, self.asked = bad, []

    def event_buckets(self, slo, start, end, step):
        self.asked.append((slo.name, start, end, step))
        return pd.DataFrame({"time": [end], "total": [1e9], "bad": [self.bad[slo.name]]})


@pytest.fixture
def slos(tmp_path):
    return load_catalog(write_spent_catalog(tmp_path)).slos  # checkout 99.99 %, search 90 %


def report(slos, totals: dict[str, float]):
    return build_report(slos, AT, {name: {PERIOD_KEY: EventCounts(total, 0.0)} for name, total in totals.items()})


def incident(started: datetime, resolved: datetime | None, service: str = "checkout") -> Incident:
    return Incident("INC-1", service, "SEV2", started, resolved=resolved, summary="5xx storm")


def test_the_share_is_the_intervals_bad_events_over_the_budget_in_events(slos):
    # checkout-availability at 99.99 %: budget = 0.0001 × 10,000,000 events = 1,000 bad events; 300 bad → 30 %
    source = CountingSource({"checkout-availability": 300.0})
    started, resolved = AT - timedelta(hours=5), AT - timedelta(hours=3)

    [burn] = incident_burns(
        source, report(slos, {"checkout-availability": 1e7}), [incident(started, resolved)], [POLICY]
    )

    assert (burn.reference, burn.slo, burn.threshold) == ("INC-1", "checkout-availability", 0.2)
    assert burn.share == pytest.approx(0.3)
    assert burn.needs_postmortem
    assert source.asked == [("checkout-availability", resolved, resolved, timedelta(hours=2))]


def test_an_open_incident_is_counted_up_to_the_reports_instant(slos):
    source = CountingSource({"checkout-availability": 10.0})
    started = AT - timedelta(minutes=30)

    incident_burns(source, report(slos, {"checkout-availability": 1e7}), [incident(started, None)], [POLICY])

    assert source.asked == [("checkout-availability", AT, AT, timedelta(minutes=30))]


def test_an_incident_of_a_service_without_a_policy_is_not_counted(slos):
    own = Policy("search", "halt", "Lee", date(2026, 11, 1), date(2027, 5, 1))
    source = CountingSource({"checkout-availability": 300.0})

    burns = incident_burns(
        source, report(slos, {"checkout-availability": 1e7}), [incident(AT - timedelta(hours=1), AT)], [own]
    )

    assert burns == [] and source.asked == []


def test_an_incident_before_the_period_is_left_out(slos):
    source = CountingSource({"checkout-availability": 300.0})
    long_ago = AT - timedelta(days=60)  # the catalog's SLOs roll over 30 days

    burns = incident_burns(
        source,
        report(slos, {"checkout-availability": 1e7}),
        [incident(long_ago, long_ago + timedelta(hours=1))],
        [POLICY],
    )

    assert burns == []


def test_a_period_without_events_gives_no_share(slos):
    source = CountingSource({"checkout-availability": 300.0})

    burns = incident_burns(
        source, report(slos, {"checkout-availability": 0.0}), [incident(AT - timedelta(hours=1), AT)], [POLICY]
    )

    assert burns == []


def test_in_demo_mode_the_incidents_follow_the_history_the_report_read(slos, tmp_path):
    from data.incidents.demo import demo_incidents
    from data.settings import Settings
    from data.slo_policy import service
    from data.store import migrate
    from tests.support.actors import editor

    url = f"sqlite:///{tmp_path / 'store.db'}"
    migrate(url)
    settings = Settings(prometheus=None, database_url=url, catalog_path=tmp_path, team_timezone="UTC", now_override=AT)
    service.set_policy(
        settings, ["checkout", "search"], actor=editor("Dana"), scope="*", actions="halt", approver="Lee",
        approved_on=date(2026, 11, 1), revisit_on=date(2027, 5, 1), at_risk_spent=0.75, freeze_spent=1.0,
        postmortem_share=0.2, base_version=0,
    )  # fmt: skip
    later = AT + timedelta(hours=7)  # a page evaluates at the wall clock, after the app's fixed clock
    source = CountingSource({"checkout-availability": 1e6, "search-availability": 0.0})
    read = build_report(slos, later, {s.name: {PERIOD_KEY: EventCounts(1e7, 0.0)} for s in slos})

    service.policy_overview(settings, read, ["checkout", "search"], source)

    expected = {
        (i.resolved or later)
        for i in demo_incidents(later)
        if i.service == "checkout" and i.started >= later - timedelta(days=30)
    }
    assert {end for name, _, end, _ in source.asked if name == "checkout-availability"} == expected
