"""Pyrra ``pyrra.dev/v1alpha1`` ``ServiceLevelObjective`` resources read into ``ImportedSlo``.

Carried over: ``metadata.name``, labels and annotations, ``spec.target`` (percent text), ``spec.window``,
``spec.description``, a ``ratio`` indicator (errors -> bad events, total) or a ``latency`` indicator (the histogram
bucket selector with its ``le`` -> good events, the count -> total); ``grouping`` becomes the split-by annotation,
and alerting turned off or renamed is kept as annotations. Refused, each SLO alone: ``bool_gauge`` (a 0/1 gauge,
not counters), ``latencyNative`` (a native histogram has no bucket series to select), unknown fields.

Pyrra has no service: the SLO's service is the one given (``--service``), else its namespace, else the file's name.
"""

from __future__ import annotations

from typing import Any

from data.slo.importers.shared import Refused, carried, checked_selector
from metrics.slo.imports import (
    ALERT_NAME_ANNOTATION,
    ALERTS_DISABLED_ANNOTATION,
    IMPORTED_FROM_ANNOTATION,
    SPLIT_BY_ANNOTATION,
    Conversion,
    EventKind,
    ImportedService,
    ImportedSlo,
    Refusal,
    label_text,
    openslo_name,
    percent_target,
    rolling_window,
)

API_VERSION = "pyrra.dev/v1alpha1"
KIND = "ServiceLevelObjective"
_SPEC_FIELDS = ("description", "target", "window", "indicator", "alerting", "partial_response_strategy")
_INDICATORS = ("ratio", "latency", "latencyNative", "bool_gauge")
_ALERTING_FIELDS = ("disabled", "burnrates", "absent", "name", "absentName")
_REFUSED_INDICATORS = {
    "bool_gauge": "a boolean gauge (0 or 1 per scrape) is not a pair of counters, and the catalog reads "
    "counter ratios only (counter: false is not read yet)",
    "latencyNative": "a native histogram has no bucket series (le) to count fast requests with; "
    "use a classic histogram and a latency indicator",
}
# Written by kubectl apply: the whole object again, not a property of the SLO.
_DROPPED_ANNOTATIONS = ("kubectl.kubernetes.io/last-applied-configuration",)


def convert_pyrra(documents: list[tuple[int, Any]], file: str, service: str | None, default_service: str) -> Conversion:
    """Every ``ServiceLevelObjective`` in ``file``; ``documents`` are (number, parsed YAML) pairs. ``service``
    overrides where SLOs belong; without it the namespace decides, else ``default_service`` (the file's name)."""
    conversion = Conversion()
    for number, document in documents:
        name_text = _name_of(document)
        try:
            slo, service_text = _slo(document, service, default_service)
        except Refused as refused:
            conversion.refusals.append(
                Refusal(file, name_text, refused.construct if name_text else f"document {number}", refused.reason)
            )
            continue
        display = service_text if service_text != slo.service else None
        conversion.add(slo, ImportedService(slo.service, display), file)
    return conversion


def _name_of(document: Any) -> str | None:
    metadata = document.get("metadata") if isinstance(document, dict) else None
    name = metadata.get("name") if isinstance(metadata, dict) else None
    return name if isinstance(name, str) and name.strip() else None


def _slo(document: Any, service: str | None, default_service: str) -> tuple[ImportedSlo, str]:
    if not isinstance(document, dict):
        raise Refused("document", "a Pyrra object must be a mapping (apiVersion, kind, metadata, spec)")
    if document.get("apiVersion") != API_VERSION or document.get("kind") != KIND:
        raise Refused(
            "apiVersion/kind",
            f"not a Pyrra SLO: {document.get('apiVersion')!r} {document.get('kind')!r}; "
            f"this reads apiVersion {API_VERSION}, kind {KIND}",
        )
    metadata = document.get("metadata")
    name_text = _name_of(document)
    if not isinstance(metadata, dict) or name_text is None:
        raise Refused("metadata.name", "required")
    spec = document.get("spec")
    if not isinstance(spec, dict):
        raise Refused("spec", "required: a mapping with target, window and indicator")
    for key in spec:
        if key not in _SPEC_FIELDS:
            raise Refused(f"spec.{key}", "not a field of Pyrra's ServiceLevelObjective; nothing was guessed for it")
    name = carried("metadata.name", openslo_name, name_text.strip())
    namespace = metadata.get("namespace")
    service_text = service or (namespace.strip() if isinstance(namespace, str) and namespace.strip() else None)
    service_text = service_text or default_service
    labels = carried("metadata.labels", label_text, metadata.get("labels"), "metadata.labels")
    annotations = carried("metadata.annotations", label_text, metadata.get("annotations"), "metadata.annotations")
    annotations = {key: value for key, value in annotations.items() if key not in _DROPPED_ANNOTATIONS}
    annotations[IMPORTED_FROM_ANNOTATION] = "pyrra"
    target = carried("spec.target", percent_target, spec.get("target"), "spec.target")
    window = carried("spec.window", rolling_window, spec.get("window"), "spec.window")
    description = spec.get("description")
    if description is not None and not isinstance(description, str):
        raise Refused("spec.description", f"must be text, got {type(description).__name__}")
    events, events_selector, total_selector, grouping = _indicator(spec.get("indicator"))
    if grouping:
        annotations[SPLIT_BY_ANNOTATION] = ",".join(grouping)
    annotations.update(_alerting(spec.get("alerting")))
    slo = ImportedSlo(
        name=name,
        service=carried("service", openslo_name, service_text),
        target_percent=target,
        window=window,
        events=events,
        events_selector=events_selector,
        total_selector=total_selector,
        indicator_name=openslo_name(f"{name}-sli"),
        display_name=name_text.strip() if name_text.strip() != name else None,
        description=description.strip() if description and description.strip() else None,
        labels=labels,
        annotations=annotations,
    )
    return slo, service_text


def _indicator(indicator: Any) -> tuple[EventKind, str, str, tuple[str, ...]]:
    if not isinstance(indicator, dict):
        raise Refused("spec.indicator", "required: one of ratio or latency")
    for key in indicator:
        if key == "boolGauge":
            raise Refused("spec.indicator.boolGauge", _REFUSED_INDICATORS["bool_gauge"])
        if key not in _INDICATORS:
            raise Refused(f"spec.indicator.{key}", f"not a Pyrra indicator; expected one of {', '.join(_INDICATORS)}")
    given = [key for key in _INDICATORS if key in indicator]
    if len(given) != 1:
        raise Refused("spec.indicator", f"give exactly one of {', '.join(_INDICATORS)}, got {len(given)}")
    kind = given[0]
    if kind in _REFUSED_INDICATORS:
        raise Refused(f"spec.indicator.{kind}", _REFUSED_INDICATORS[kind])
    body = indicator[kind]
    path = f"spec.indicator.{kind}"
    if not isinstance(body, dict):
        raise Refused(path, "must be a mapping")
    events_key = "errors" if kind == "ratio" else "success"
    for key in body:
        if key not in (events_key, "total", "grouping"):
            raise Refused(f"{path}.{key}", f"not a field of Pyrra's {kind} indicator")
    events_selector, parsed = _metric(body.get(events_key), f"{path}.{events_key}.metric")
    total_selector, _ = _metric(body.get("total"), f"{path}.total.metric")
    if kind == "latency" and not any(matcher.label == "le" for matcher in parsed.matchers):
        raise Refused(
            f"{path}.success.metric", "has no le matcher: it must select the histogram bucket of fast requests"
        )
    grouping = _grouping(body.get("grouping"), f"{path}.grouping")
    return (EventKind.BAD if kind == "ratio" else EventKind.GOOD), events_selector, total_selector, grouping


def _metric(query: Any, construct: str) -> tuple[str, Any]:
    if not isinstance(query, dict):
        raise Refused(construct, "required: a metric selector")
    return carried(construct, checked_selector, query.get("metric"), construct)


def _grouping(value: Any, construct: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(label, str) and label.strip() for label in value):
        raise Refused(construct, "must be a list of label names")
    return tuple(label.strip() for label in value)


def _alerting(alerting: Any) -> dict[str, str]:
    """Alerts switched off (``disabled: true`` or ``burnrates: false``) and the alert's name, as annotations.
    ``absent`` alerts are not burn-rate tiers; they are not carried over."""
    if alerting is None:
        return {}
    if not isinstance(alerting, dict):
        raise Refused("spec.alerting", "must be a mapping")
    for key in alerting:
        if key not in _ALERTING_FIELDS:
            raise Refused(f"spec.alerting.{key}", "not a field of Pyrra's alerting")
    for key in ("disabled", "burnrates", "absent"):
        if alerting.get(key) is not None and not isinstance(alerting[key], bool):
            raise Refused(f"spec.alerting.{key}", "must be true or false")
    annotations: dict[str, str] = {}
    if alerting.get("disabled") is True or alerting.get("burnrates") is False:
        annotations[ALERTS_DISABLED_ANNOTATION] = "true"
    name = alerting.get("name")
    if isinstance(name, str) and name.strip():
        annotations[ALERT_NAME_ANNOTATION] = name.strip()
    return annotations
