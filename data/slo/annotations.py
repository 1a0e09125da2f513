"""The annotations of one SLO's period, for its drill-down charts and ``cli.py slo-annotations`` alike: the incidents
of its service (the store's, or the demo's in demo mode while none are stored), its reviews, the changes of its
target that the stored snapshots (``collect slo-snapshots``) show, the windows of its budget adjustments, the deploys
of its service entered by hand (``cli.py slo-deploys``, the drill-down's form) and, when a source is given, those
read from the series ``SLO_DEPLOY_SERIES`` names and the firing intervals of its alert tiers (Prometheus's
``ALERTS``, or computed from the demo history in demo mode, as ``cli.py alerts history`` reads them). A record that
cannot be read leaves its kind out with the reason; the charts still draw."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from data.settings import Settings
from data.slo.sources import SloSource
from data.store.engine import shared_engine
from metrics.slo.annotations import (
    Annotation,
    AnnotationKind,
    adjustment_annotations,
    annotations_within,
    deploy_annotations,
    firing_annotations,
    incident_annotations,
    review_annotations,
    target_change_annotations,
)
from metrics.slo.definitions import SloDefinition

# An incident that started before the period but lasted into it still shows: look this far back for its start.
INCIDENT_LOOKBACK = timedelta(days=7)


@dataclass(frozen=True)
class SloAnnotations:
    annotations: list[Annotation]
    notes: list[str] = field(default_factory=list)  # why a kind is missing, or that incidents are the demo's


def slo_annotations(
    settings: Settings, slo: SloDefinition, start: datetime, end: datetime, source: SloSource | None = None
) -> SloAnnotations:
    """Every kind over [start, end]; the tier firings only with a ``source`` to read them from."""
    from data.incidents.service import incidents_or_demo
    from data.slo.snapshots import target_changes
    from data.slo_adjustments.service import adjustments_in_force
    from data.slo_deploys.service import deploys
    from data.slo_reviews.service import review_history

    engine = shared_engine(settings.database_url)
    found: list[Annotation] = []
    notes: list[str] = []
    try:
        incidents, demo_note = incidents_or_demo(settings, engine, start - INCIDENT_LOOKBACK, end)
        found += incident_annotations(incidents, slo.service, end)
        if demo_note:
            notes.append(demo_note)
    except Exception as error:  # a store error of any kind: that kind is left out, the charts still draw
        notes.append(f"The incidents could not be read from the store ({type(error).__name__}).")
    try:
        found += review_annotations(review_history(settings, slo.name))
    except Exception as error:
        notes.append(f"The SLO's reviews could not be read from the store ({type(error).__name__}).")
    try:
        found += target_change_annotations(target_changes(engine, slo.name, start, end))
    except Exception as error:
        notes.append(f"The SLO's target changes could not be read from the store ({type(error).__name__}).")
    try:
        found += adjustment_annotations(adjustments_in_force(settings), slo, start, end)
    except Exception as error:
        notes.append(f"The budget adjustments could not be read from the store ({type(error).__name__}).")
    try:
        found += deploy_annotations(deploys(settings, services=[slo.service], since=start, until=end), slo.service)
    except Exception as error:
        notes.append(f"The deploys could not be read from the store ({type(error).__name__}).")
    if source is not None:
        for part in (
            slo_firing_annotations(source, slo, start, end),
            slo_series_deploy_annotations(settings, source, slo, start, end),
        ):
            found += part.annotations
            notes += part.notes
    return SloAnnotations(annotations_within(found, start, end), notes)


def slo_series_deploy_annotations(
    settings: Settings, source: SloSource, slo: SloDefinition, start: datetime, end: datetime
) -> SloAnnotations:
    """The deploys of ``slo``'s service read from the ``SLO_DEPLOY_SERIES`` series over [start, end] (the source's
    reads only, so a page can cache them apart from the store's kinds); a source that cannot answer leaves them
    out with the reason, the entered deploys and the charts stay."""
    from data.slo_deploys.service import series_deploys

    read = series_deploys(settings, start, end, services=None, source=source)
    return SloAnnotations(annotations_within(deploy_annotations(read.deploys, slo.service), start, end), read.notes)


def combined(*parts: SloAnnotations) -> SloAnnotations:
    """Several reads of one SLO's annotations (the store's kinds, the source's firings) as one list, oldest first."""
    marks = [mark for part in parts for mark in part.annotations]
    notes = [note for part in parts for note in part.notes]
    return SloAnnotations(sorted(marks, key=lambda mark: (mark.start, mark.kind.value, mark.title)), notes)


def slo_firing_annotations(source: SloSource, slo: SloDefinition, start: datetime, end: datetime) -> SloAnnotations:
    """The firing intervals of ``slo``'s alert tiers over [start, end] as bands (the source's reads only, so a page
    can cache them apart from the store's kinds); a source that cannot answer leaves them out with the reason."""
    from data.slo.alert_history import load_alert_history

    try:
        history = load_alert_history(source, [slo], start, end, [slo.service])
    except Exception as error:  # a source error of any kind: the firings are left out, the charts still draw
        return SloAnnotations(
            [], [f"The tier firings could not be read from {source.description} ({type(error).__name__})."]
        )
    found = firing_annotations(history.intervals, slo.name, history.last_evaluation)
    return SloAnnotations(annotations_within(found, start, end), [history.notice] if history.notice else [])


__all__ = [
    "AnnotationKind",
    "SloAnnotations",
    "combined",
    "slo_annotations",
    "slo_firing_annotations",
    "slo_series_deploy_annotations",
]
