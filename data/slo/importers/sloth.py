"""Sloth specs (``version: prometheus/v1``, or the ``sloth.slok.dev/v1`` ``PrometheusServiceLevel`` resource that
wraps the same spec) read into ``ImportedSlo``.

Carried over: the service, labels (spec-level merged with the SLO's own), each SLO's name (as Sloth's id
``service-name``), objective, description, and ``sli.events`` whose queries are ``sum(rate(SELECTOR[{{.window}}]))``
(or ``increase``, or grouped ``by (...)``, which becomes the split-by annotation). An error query written as
``total - sum(rate(FAST[{{.window}}]))`` becomes good events ``FAST``. Alerting names, labels, annotations and
disabled tiers are kept as annotations. Refused, each SLO alone: ``sli.raw``, ``sli.plugin``, any other query shape,
unknown fields.
"""

from __future__ import annotations

from typing import Any

from data.slo.importers.shared import Refused, carried, checked_selector
from metrics.slo.imports import (
    ALERT_ANNOTATIONS_ANNOTATION,
    ALERT_NAME_ANNOTATION,
    IMPORTED_FROM_ANNOTATION,
    PAGE_DISABLED_ANNOTATION,
    PAGE_LABELS_ANNOTATION,
    SLOTH_DEFAULT_WINDOW,
    SPLIT_BY_ANNOTATION,
    TICKET_DISABLED_ANNOTATION,
    TICKET_LABELS_ANNOTATION,
    Conversion,
    EventKind,
    ImportedService,
    ImportedSlo,
    NotCarried,
    RateQuery,
    Refusal,
    difference_query,
    label_text,
    labels_annotation,
    openslo_name,
    percent_target,
    rate_query,
)

VERSION = "prometheus/v1"
RESOURCE_API_VERSION = "sloth.slok.dev/v1"
RESOURCE_KIND = "PrometheusServiceLevel"
_SPEC_FIELDS = ("version", "service", "labels", "slos")
_SLO_FIELDS = ("name", "objective", "description", "labels", "sli", "alerting")
_ALERTING_FIELDS = ("name", "labels", "annotations", "page_alert", "ticket_alert")
_ALERT_FIELDS = ("disable", "labels", "annotations")
_REFUSED_SLIS = {
    "raw": "an error-ratio query (raw.error_ratio_query) has no counters for the catalog to apply its windows to; "
    "write the SLO with sli.events (error_query and total_query over counters)",
    "plugin": "an SLI plugin generates its queries inside Sloth; write the SLO with sli.events instead",
}


def convert_sloth(documents: list[tuple[int, Any]], file: str, window: str = SLOTH_DEFAULT_WINDOW) -> Conversion:
    """Every SLO of every Sloth document in ``file``; ``documents`` are (number, parsed YAML) pairs."""
    conversion = Conversion()
    for number, document in documents:
        spec, problem = _spec(document)
        if spec is None:
            conversion.refusals.append(Refusal(file, None, f"document {number}", problem))
            continue
        unknown = [key for key in spec if key not in _SPEC_FIELDS]
        if unknown:
            conversion.refusals.append(
                Refusal(file, None, f"document {number}, field {unknown[0]}", "not a field of Sloth's prometheus/v1")
            )
            continue
        try:
            service_text = _text(spec.get("service"), "service")
            service = ImportedService(openslo_name(service_text), _differs(service_text, openslo_name(service_text)))
            labels = label_text(spec.get("labels"), "labels")
        except NotCarried as error:
            conversion.refusals.append(Refusal(file, None, f"document {number}", str(error)))
            continue
        slos = spec.get("slos")
        if not isinstance(slos, list) or not slos:
            conversion.refusals.append(Refusal(file, None, f"document {number}, slos", "a list of SLOs is required"))
            continue
        for index, item in enumerate(slos):
            label = item.get("name") if isinstance(item, dict) and isinstance(item.get("name"), str) else None
            try:
                slo = _slo(item, service_text, service.name, labels, window)
            except Refused as refused:
                conversion.refusals.append(Refusal(file, label or f"slos[{index}]", refused.construct, refused.reason))
                continue
            conversion.add(slo, service, file)
    return conversion


def _spec(document: Any) -> tuple[dict | None, str]:
    if not isinstance(document, dict):
        return None, "a Sloth spec must be a mapping (version, service, slos)"
    if document.get("version") == VERSION:
        return document, ""
    if document.get("apiVersion") == RESOURCE_API_VERSION and document.get("kind") == RESOURCE_KIND:
        spec = document.get("spec")
        if isinstance(spec, dict):
            return {"version": VERSION, **spec}, ""
        return None, f"a {RESOURCE_KIND} needs a spec mapping"
    found = document.get("version") or document.get("apiVersion")
    return None, f"not a Sloth spec: version {found!r}; this reads version {VERSION!r} and {RESOURCE_API_VERSION}"


def _slo(item: Any, service_text: str, service: str, spec_labels: dict[str, str], window: str) -> ImportedSlo:
    if not isinstance(item, dict):
        raise Refused("slo", "each SLO must be a mapping (name, objective, sli)")
    for key in item:
        if key not in _SLO_FIELDS:
            raise Refused(str(key), "not a field of a Sloth SLO; nothing was guessed for it")
    name_text = carried("name", _text, item.get("name"), "name")
    sloth_id = f"{service_text}-{name_text}"
    name = carried("name", openslo_name, sloth_id)
    target = carried("objective", percent_target, item.get("objective"), "objective")
    labels = {**spec_labels, **carried("labels", label_text, item.get("labels"), "labels")}
    description = item.get("description")
    if description is not None and not isinstance(description, str):
        raise Refused("description", f"must be text, got {type(description).__name__}")
    events, events_selector, total_selector, split_by = _events(item.get("sli"))
    annotations = {IMPORTED_FROM_ANNOTATION: "sloth"}
    if split_by:
        annotations[SPLIT_BY_ANNOTATION] = ",".join(split_by)
    annotations.update(_alerting(item.get("alerting")))
    return ImportedSlo(
        name=name,
        service=service,
        target_percent=target,
        window=window,
        events=events,
        events_selector=events_selector,
        total_selector=total_selector,
        indicator_name=openslo_name(f"{name}-sli"),
        display_name=_differs(sloth_id, name),
        description=description.strip() if description and description.strip() else None,
        labels=labels,
        annotations=annotations,
    )


def _events(sli: Any) -> tuple[EventKind, str, str, tuple[str, ...]]:
    if not isinstance(sli, dict):
        raise Refused("sli", "required: give sli.events with error_query and total_query")
    for kind, reason in _REFUSED_SLIS.items():
        if kind in sli:
            raise Refused(f"sli.{kind}", reason)
    unknown = [key for key in sli if key != "events"]
    if unknown:
        raise Refused(f"sli.{unknown[0]}", "not an SLI type of Sloth's prometheus/v1")
    events = sli.get("events")
    if not isinstance(events, dict):
        raise Refused("sli.events", "must be a mapping with error_query and total_query")
    for key in events:
        if key not in ("error_query", "total_query"):
            raise Refused(f"sli.events.{key}", "not a field of Sloth's events SLI")
    total = _rate(events.get("total_query"), "sli.events.total_query")
    error_query = events.get("error_query")
    try:
        error = _rate(error_query, "sli.events.error_query")
        kind, selector = EventKind.BAD, error.selector
    except Refused as refused:
        fast = _good_from_difference(error_query, total)
        if fast is None:
            raise refused from None
        kind, error = EventKind.GOOD, fast
        selector = fast.selector
    if sorted(error.by) != sorted(total.by):
        raise Refused(
            "sli.events",
            f"error_query groups by ({', '.join(error.by)}) but total_query by ({', '.join(total.by)}): "
            "they must split by the same labels",
        )
    return kind, selector, total.selector, total.by


def _rate(query: Any, construct: str) -> RateQuery:
    try:
        found = rate_query(query, construct)
        checked_selector(found.selector, construct)
    except NotCarried as error:
        raise Refused(construct, str(error)) from None
    return found


def _good_from_difference(error_query: Any, total: RateQuery) -> RateQuery | None:
    """``TOTAL - sum(rate(FAST[{{.window}}]))``, whose first term counts what total_query counts: good = FAST."""
    if not isinstance(error_query, str):
        return None
    parts = difference_query(error_query)
    if parts is None:
        return None
    try:
        first = rate_query(parts[0], "error_query")
        fast = rate_query(parts[1], "error_query")
        checked_selector(fast.selector, "error_query")
    except NotCarried:
        return None
    if " ".join(first.selector.split()) != " ".join(total.selector.split()) or sorted(first.by) != sorted(total.by):
        return None
    return fast


def _alerting(alerting: Any) -> dict[str, str]:
    """Sloth's alert name, labels and disabled tiers as annotations; the page merges the SLO's alert labels with
    each tier's own, as Sloth does."""
    if alerting is None:
        return {}
    if not isinstance(alerting, dict):
        raise Refused("alerting", "must be a mapping")
    for key in alerting:
        if key not in _ALERTING_FIELDS:
            raise Refused(f"alerting.{key}", "not a field of Sloth's alerting")
    try:
        common = label_text(alerting.get("labels"), "alerting.labels")
        common_annotations = label_text(alerting.get("annotations"), "alerting.annotations")
        annotations: dict[str, str] = {}
        if alerting.get("name") is not None:
            annotations[ALERT_NAME_ANNOTATION] = _text(alerting.get("name"), "alerting.name")
        if common_annotations:
            annotations[ALERT_ANNOTATIONS_ANNOTATION] = labels_annotation(common_annotations)
        for tier, labels_key, disabled_key in (
            ("page_alert", PAGE_LABELS_ANNOTATION, PAGE_DISABLED_ANNOTATION),
            ("ticket_alert", TICKET_LABELS_ANNOTATION, TICKET_DISABLED_ANNOTATION),
        ):
            alert = alerting.get(tier) or {}
            if not isinstance(alert, dict):
                raise NotCarried(f"alerting.{tier} must be a mapping")
            for key in alert:
                if key not in _ALERT_FIELDS:
                    raise NotCarried(f"alerting.{tier}.{key} is not a field of a Sloth alert")
            disable = alert.get("disable", False)
            if not isinstance(disable, bool):
                raise NotCarried(f"alerting.{tier}.disable must be true or false")
            labels = {**common, **label_text(alert.get("labels"), f"alerting.{tier}.labels")}
            if labels:
                annotations[labels_key] = labels_annotation(labels)
            if disable:
                annotations[disabled_key] = "true"
    except NotCarried as error:
        raise Refused("alerting", str(error)) from None
    return annotations


def _text(value: Any, construct: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise NotCarried(f"{construct} is required as text, got {value!r}")
    return value.strip()


def _differs(original: str, name: str) -> str | None:
    """The original text, kept as the display name, when the OpenSLO name had to change it."""
    return original if original != name else None
