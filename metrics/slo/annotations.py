"""What happened on an SLO's charts: the incidents of its service, its reviews, the changes of its target and its
budget adjustments, the firings of its alert tiers and the deploys of its service, as marks where the burn is.

An annotation is an interval (an incident, from its start to its resolution, or to now while it is open) or an
instant (a review). Built from the records the store keeps; the page draws them on the drill-down's charts and
``cli.py slo-annotations`` prints the same list."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from metrics.formatting import format_target
from metrics.incidents.rules import Incident
from metrics.slo.adjustments import Adjustment, covering, expand
from metrics.slo.alert_history import FiringInterval
from metrics.slo.definitions import SloDefinition
from metrics.slo.deploys import Deploy
from metrics.slo_reviews.rules import SloReview


class AnnotationKind(StrEnum):
    """The kinds a person can hide; the value is what the filter and the CLI show."""

    INCIDENT = "incidents"
    REVIEW = "reviews"
    TARGET = "target changes"
    ADJUSTMENT = "adjustments"
    FIRING = "tier firings"
    DEPLOY = "deploys"

    @property
    def singular(self) -> str:
        return self.value[:-1]

    def count(self, number: int) -> str:
        """ "1 incident", "3 reviews", "0 target changes"."""
        return f"{number} {self.singular if number == 1 else self.value}"


@dataclass(frozen=True)
class Annotation:
    kind: AnnotationKind
    start: datetime  # aware
    end: datetime | None  # None: an instant; for an open incident, the moment it was read
    title: str
    who: str | None = None
    ongoing: bool = False
    provenance: str | None = None  # where the mark came from, said on hover instead of "by who" ("from <series>")

    @property
    def is_interval(self) -> bool:
        return self.end is not None


def incident_annotations(incidents: Iterable[Incident], service: str, now: datetime) -> list[Annotation]:
    """The incidents of ``service``; an unresolved one lasts until ``now``."""
    return [
        Annotation(
            kind=AnnotationKind.INCIDENT,
            start=incident.started,
            end=incident.resolved or max(now, incident.started),
            title=" · ".join(part for part in (incident.reference, incident.severity, incident.summary) if part),
            ongoing=incident.resolved is None,
        )
        for incident in incidents
        if incident.service == service
    ]


def review_annotations(reviews: Iterable[SloReview]) -> list[Annotation]:
    return [
        Annotation(
            kind=AnnotationKind.REVIEW,
            start=review.reviewed_at,
            end=None,
            title=f"review: {review.outcome.label}" + (f" — {review.notes}" if review.notes else ""),
            who=review.reviewer,
        )
        for review in reviews
    ]


def target_change_annotations(changes: Iterable[tuple[datetime, float, float]]) -> list[Annotation]:
    """(when, old, new) target changes, as the stored snapshots saw them: the first snapshot at the new target."""
    return [
        Annotation(
            kind=AnnotationKind.TARGET,
            start=when,
            end=None,
            title=f"target {format_target(old)} → {format_target(new)} (first snapshot at the new target)",
        )
        for when, old, new in changes
    ]


def adjustment_annotations(
    adjustments: Iterable[Adjustment], slo: SloDefinition, start: datetime, end: datetime
) -> list[Annotation]:
    """Every window, within [start, end], of the budget adjustments covering ``slo``: a band each (a recurring one
    gives one band per occurrence, at most ``MAX_OCCURRENCES``)."""
    found = []
    for adjustment in covering(adjustments, slo):
        for window in expand([adjustment], start, end).intervals:
            found.append(
                Annotation(
                    kind=AnnotationKind.ADJUSTMENT,
                    start=window.start,
                    end=window.end,
                    title=f"budget adjustment ({adjustment.category.value}): {adjustment.reason}",
                    who=adjustment.entered_by,
                )
            )
    return found


def firing_annotations(intervals: Iterable[FiringInterval], slo: str, until: datetime) -> list[Annotation]:
    """The firing intervals of ``slo``'s alert tiers as bands: one still firing lasts until ``until``."""
    return [
        Annotation(
            kind=AnnotationKind.FIRING,
            start=interval.started,
            end=interval.ended or max(until, interval.started),
            title=_firing_title(interval),
            ongoing=interval.ended is None,
        )
        for interval in intervals
        if interval.key.slo == slo
    ]


def _firing_title(interval: FiringInterval) -> str:
    """ "tier 1h/5m firing · severity page", or "… severity P1 (page)" where the team names its own severities."""
    key = interval.key
    severity = key.severity if key.severity == key.urgency.value else f"{key.severity} ({key.urgency.value})"
    since = " · firing since before this range" if interval.started_before_range else ""
    return f"tier {key.long_window}/{key.short_window} firing · severity {severity}{since}"


def deploy_annotations(deploys: Iterable[Deploy], service: str) -> list[Annotation]:
    """The deploys of ``service``, an instant each; who entered it, or the series it was read from."""
    return [
        Annotation(
            kind=AnnotationKind.DEPLOY,
            start=deploy.deployed_at,
            end=None,
            title=f"deploy of {deploy.service}" + (f": {deploy.label}" if deploy.label else ""),
            who=deploy.entered_by or None,
            provenance=deploy.provenance,
        )
        for deploy in deploys
        if deploy.service == service
    ]


def service_annotations(
    services: Sequence[str],
    slos: Iterable[SloDefinition],
    *,
    incidents: Iterable[Incident],
    adjustments: Iterable[Adjustment],
    deploys: Iterable[Deploy],
    start: datetime,
    end: datetime,
    reviews: Iterable[SloReview] = (),
    target_changes: Mapping[str, Iterable[tuple[datetime, float, float]]] | None = None,
    firings: Iterable[FiringInterval] = (),
) -> list[Annotation]:
    """The incidents, budget adjustments and deploys of ``services`` over [start, end], and the reviews, target
    changes and tier firings of their SLOs, each title led by its service (and SLO), for charts that show several
    services at once (the trends page). An adjustment covering several SLOs of a service is one band per window,
    not one per SLO."""
    found: list[Annotation] = []
    slo_list = list(slos)
    review_list = list(reviews)
    firing_list = list(firings)
    for service in services:
        for mark in incident_annotations(incidents, service, end):
            found.append(replace(mark, title=f"{service} · {mark.title}"))
        seen: set[tuple[datetime, datetime | None, str]] = set()
        for slo in (slo for slo in slo_list if slo.service == service):
            for mark in adjustment_annotations(adjustments, slo, start, end):
                if (mark.start, mark.end, mark.title) not in seen:
                    seen.add((mark.start, mark.end, mark.title))
                    found.append(replace(mark, title=f"{service} · {mark.title}"))
            slo_marks = review_annotations(review for review in review_list if review.slo == slo.name)
            slo_marks += target_change_annotations((target_changes or {}).get(slo.name, ()))
            slo_marks += firing_annotations(firing_list, slo.name, end)
            found += [replace(mark, title=f"{service} · {slo.name} · {mark.title}") for mark in slo_marks]
        found += deploy_annotations(deploys, service)
    return annotations_within(found, start, end)


def annotations_within(
    annotations: Iterable[Annotation], start: datetime, end: datetime, kinds: Sequence[AnnotationKind] | None = None
) -> list[Annotation]:
    """Those of ``kinds`` (all when None) that touch [start, end], oldest first."""
    shown = [
        annotation
        for annotation in annotations
        if (kinds is None or annotation.kind in kinds)
        and annotation.start <= end
        and (annotation.end or annotation.start) >= start
    ]
    return sorted(shown, key=lambda annotation: (annotation.start, annotation.kind.value, annotation.title))
