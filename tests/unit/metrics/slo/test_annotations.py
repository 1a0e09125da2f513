"""Annotations of an SLO's period: the incidents of its service and its reviews, within the period, oldest first."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from metrics.incidents.rules import Incident
from metrics.slo.annotations import (
    AnnotationKind,
    annotations_within,
    incident_annotations,
    review_annotations,
)
from metrics.slo_reviews.rules import ReviewOutcome, SloReview

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
START = NOW - timedelta(days=30)


def incident(reference: str, service: str = "checkout", days_ago: float = 2, hours: float | None = 1.5) -> Incident:
    started = NOW - timedelta(days=days_ago)
    resolved = None if hours is None else started + timedelta(hours=hours)
    return Incident(reference, service, "SEV2", started, resolved=resolved, summary="payments failing")


def review(days_ago: float, notes: str = "") -> SloReview:
    return SloReview("checkout-availability", NOW - timedelta(days=days_ago), "Dana", ReviewOutcome.KEEP, notes, 0.999)


def test_only_the_incidents_of_the_slos_service_are_annotations():
    marks = incident_annotations([incident("INC-1"), incident("INC-2", service="search")], "checkout", NOW)
    assert [mark.title for mark in marks] == ["INC-1 · SEV2 · payments failing"]


def test_a_resolved_incident_spans_its_start_to_its_resolution():
    (mark,) = incident_annotations([incident("INC-1", days_ago=2, hours=1.5)], "checkout", NOW)
    assert (mark.start, mark.end, mark.ongoing) == (NOW - timedelta(days=2), NOW - timedelta(days=2, hours=-1.5), False)


def test_an_open_incident_lasts_until_now_and_is_ongoing():
    (mark,) = incident_annotations([incident("INC-1", hours=None)], "checkout", NOW)
    assert (mark.end, mark.ongoing) == (NOW, True)


def test_a_review_is_an_instant_with_its_outcome_notes_and_reviewer():
    (mark,) = review_annotations([review(3, notes="target still right")])
    assert (mark.kind, mark.end, mark.title, mark.who) == (
        AnnotationKind.REVIEW,
        None,
        "review: keep — target still right",
        "Dana",
    )


def test_an_incident_that_began_before_the_period_and_lasted_into_it_is_kept():
    straddling = incident_annotations([incident("INC-1", days_ago=30.5, hours=24)], "checkout", NOW)
    assert len(annotations_within(straddling, START, NOW)) == 1


def test_annotations_outside_the_period_are_left_out():
    old = incident_annotations([incident("INC-1", days_ago=40)], "checkout", NOW) + review_annotations([review(35)])
    assert annotations_within(old, START, NOW) == []


def test_a_kind_filter_keeps_only_those_kinds_and_the_rest_is_oldest_first():
    marks = incident_annotations([incident("INC-1", days_ago=1)], "checkout", NOW) + review_annotations(
        [review(5), review(2)]
    )
    kept = annotations_within(marks, START, NOW, [AnnotationKind.REVIEW])
    assert [mark.start for mark in kept] == [NOW - timedelta(days=5), NOW - timedelta(days=2)]


def test_a_target_change_is_an_instant_saying_from_what_to_what():
    from metrics.slo.annotations import target_change_annotations

    (mark,) = target_change_annotations([(NOW, 0.999, 0.9995)])
    assert (mark.kind, mark.start, mark.end) == (AnnotationKind.TARGET, NOW, None)
    assert mark.title.startswith("target 99.9% → 99.95%")


def test_counts_read_in_the_singular_for_one():
    assert (AnnotationKind.INCIDENT.count(1), AnnotationKind.TARGET.count(2)) == ("1 incident", "2 target changes")
