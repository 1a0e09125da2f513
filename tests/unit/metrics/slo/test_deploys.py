"""Deploys: what may be stored (a known service, a version or description, a past moment within 30 days), the deploy
and tier-firing annotations, and deploys read from a series whose value changes at each deploy."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from metrics.slo.alert_history import AlertKey, FiringInterval
from metrics.slo.alerts import Urgency
from metrics.slo.annotations import AnnotationKind, deploy_annotations, firing_annotations
from metrics.slo.deploys import Deploy, DeployError, deploys_from_values, validate_deploy

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
SERVICES = ["checkout", "search"]


def checked(**fields):
    values = dict(
        service="checkout",
        deployed_at=NOW - timedelta(hours=2),
        version="v1",
        description="",
        now=NOW,
        known_services=SERVICES,
    )
    return validate_deploy(**{**values, **fields})


def deploy(service: str = "checkout", version: str = "v1", description: str = "") -> Deploy:
    return Deploy(service, NOW - timedelta(hours=3), version, description, "Dana", NOW)


def interval(
    slo: str = "checkout-availability", ended: datetime | None = NOW, severity: str = "page"
) -> FiringInterval:
    key = AlertKey(slo, "checkout", severity, "1h", "5m", Urgency.PAGE)
    return FiringInterval(key, NOW - timedelta(hours=1), ended, started_before_range=False)


def test_a_deploy_entry_is_cleaned_of_surrounding_blanks():
    assert checked(service=" checkout ", version=" v2 ", description=" cart ") == (
        "checkout",
        NOW - timedelta(hours=2),
        "v2",
        "cart",
    )


def test_a_service_outside_the_catalog_is_refused_naming_the_service():
    with pytest.raises(DeployError, match="^service: 'billing' is not in the catalog"):
        checked(service="billing")


def test_a_deploy_ahead_of_now_is_refused():
    with pytest.raises(DeployError, match="^when: a deploy is entered once it happened"):
        checked(deployed_at=NOW + timedelta(hours=1))


def test_a_deploy_more_than_30_days_back_is_refused():
    with pytest.raises(DeployError, match="^when: deploys can be entered up to 30 days in the past"):
        checked(deployed_at=NOW - timedelta(days=30, minutes=1))


def test_a_deploy_with_neither_version_nor_description_is_refused():
    with pytest.raises(DeployError, match="^version: "):
        checked(version=" ", description="")


def test_a_naive_moment_is_refused():
    with pytest.raises(DeployError, match="time zone"):
        checked(deployed_at=datetime(2026, 11, 24, 10, 0))


def test_only_the_deploys_of_the_slos_service_are_annotations():
    marks = deploy_annotations([deploy(), deploy(service="search")], "checkout")
    assert [(mark.kind, mark.title, mark.who, mark.end) for mark in marks] == [
        (AnnotationKind.DEPLOY, "deploy of checkout: v1", "Dana", None)
    ]


def test_a_deploys_title_joins_version_and_description():
    (mark,) = deploy_annotations([deploy(version="v2", description="new cart")], "checkout")
    assert mark.title == "deploy of checkout: v2 — new cart"


def test_a_firing_interval_is_a_band_from_its_start_to_its_end_naming_tier_and_severity():
    (mark,) = firing_annotations([interval()], "checkout-availability", NOW + timedelta(hours=1))
    assert (mark.kind, mark.start, mark.end, mark.ongoing, mark.title) == (
        AnnotationKind.FIRING,
        NOW - timedelta(hours=1),
        NOW,
        False,
        "tier 1h/5m firing · severity page",
    )


def test_a_tier_still_firing_lasts_until_the_range_end_and_is_ongoing():
    (mark,) = firing_annotations([interval(ended=None)], "checkout-availability", NOW)
    assert (mark.end, mark.ongoing) == (NOW, True)


def test_a_team_severity_is_shown_with_what_it_means():
    (mark,) = firing_annotations([interval(severity="P1")], "checkout-availability", NOW)
    assert mark.title.endswith("severity P1 (page)")


def test_the_firings_of_other_slos_are_not_annotations():
    assert firing_annotations([interval(slo="search-latency")], "checkout-availability", NOW) == []


def test_each_change_of_a_deploy_series_value_is_one_deploy_and_the_first_point_none():
    points = [(NOW - timedelta(minutes=m), value) for m, value in ((30, 5.0), (20, 5.0), (10, 6.0), (0, 7.0))]
    found = deploys_from_values("checkout", points, "deploy_timestamp_seconds", NOW)
    assert [(d.deployed_at, d.version) for d in found] == [(NOW - timedelta(minutes=10), "6"), (NOW, "7")]


def test_the_trends_annotations_lead_each_title_with_its_service_and_keep_only_the_services_shown():
    from metrics.incidents.rules import Incident
    from metrics.slo.annotations import service_annotations

    incidents = [
        Incident("INC-1", "checkout", "SEV2", NOW - timedelta(days=1), resolved=NOW, summary="cart down"),
        Incident("INC-2", "search", "SEV3", NOW - timedelta(days=1), resolved=NOW, summary="slow"),
    ]
    marks = service_annotations(
        ["checkout"],
        [],
        incidents=incidents,
        adjustments=[],
        deploys=[deploy(), deploy(service="search")],
        start=NOW - timedelta(days=7),
        end=NOW,
    )
    assert [mark.title for mark in marks] == ["checkout · INC-1 · SEV2 · cart down", "deploy of checkout: v1"]


def test_an_adjustment_covering_two_slos_of_a_service_is_one_trends_band():
    from metrics.slo.adjustments import Scope
    from metrics.slo.annotations import service_annotations
    from tests.unit.metrics.slo.test_adjustments import adjustment, slo

    window = adjustment(NOW - timedelta(hours=4), NOW - timedelta(hours=2), scope=Scope(services=("checkout",)))
    marks = service_annotations(
        ["checkout"],
        [slo("checkout-availability"), slo("checkout-latency")],
        incidents=[],
        adjustments=[window],
        deploys=[],
        start=NOW - timedelta(days=1),
        end=NOW,
    )
    assert [(mark.kind, mark.start, mark.end) for mark in marks] == [
        (AnnotationKind.ADJUSTMENT, NOW - timedelta(hours=4), NOW - timedelta(hours=2))
    ]
