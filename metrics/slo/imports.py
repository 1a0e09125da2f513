"""Rules for carrying Sloth and Pyrra SLOs into OpenSLO v1: pure, over plain values and dataclasses.

The readers in ``data.slo.importers`` walk each tool's YAML and call these rules; what a rule cannot carry over it
raises as ``NotCarried`` with the construct named, so the reader can refuse that SLO alone and go on with the rest.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal, InvalidOperation
from enum import Enum

from metrics.slo.definitions import format_prometheus_duration, parse_duration

ANNOTATION_PREFIX = "reliability-dashboard/"
SPLIT_BY_ANNOTATION = ANNOTATION_PREFIX + "split-by"
IMPORTED_FROM_ANNOTATION = ANNOTATION_PREFIX + "imported-from"
ALERT_NAME_ANNOTATION = ANNOTATION_PREFIX + "alert-name"
PAGE_LABELS_ANNOTATION = ANNOTATION_PREFIX + "page-alert-labels"
ALERT_ANNOTATIONS_ANNOTATION = ANNOTATION_PREFIX + "alert-annotations"
TICKET_LABELS_ANNOTATION = ANNOTATION_PREFIX + "ticket-alert-labels"
PAGE_DISABLED_ANNOTATION = ANNOTATION_PREFIX + "page-alert-disabled"
TICKET_DISABLED_ANNOTATION = ANNOTATION_PREFIX + "ticket-alert-disabled"
ALERTS_DISABLED_ANNOTATION = ANNOTATION_PREFIX + "alerts-disabled"

SLOTH_DEFAULT_WINDOW = "30d"  # Sloth's default SLO period; its spec has no field for it
NAME_MAX_LENGTH = 63
_DNS_LABEL = re.compile(r"[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?")
_ROLLING_UNITS = ("m", "h", "d", "w")


class Tool(Enum):
    SLOTH = "sloth"
    PYRRA = "pyrra"


class NotCarried(ValueError):
    """A construct that has no faithful OpenSLO form in this app's catalog; the message says what and why."""


@dataclass(frozen=True)
class Refusal:
    """One SLO (or document) not carried over, and the construct that stopped it."""

    file: str
    slo: str | None  # None: the whole document or file
    construct: str
    reason: str

    def __str__(self) -> str:
        where = f"{self.file}, SLO {_clip(self.slo, 80)!r}" if self.slo else self.file
        what = self.reason if self.reason.startswith(self.construct) else f"{self.construct}: {self.reason}"
        return f"{where}: {_clip(what, 400)}"


def _clip(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters with an ellipsis: a hostile file cannot flood the terminal."""
    return text if len(text) <= limit else text[: limit - 3] + "..."


class EventKind(Enum):
    GOOD = "good"
    BAD = "bad"


@dataclass(frozen=True)
class ImportedSlo:
    """One SLO ready to be written as OpenSLO v1: selectors of counters, a percent target, a rolling window."""

    name: str
    service: str
    target_percent: int | float
    window: str
    events: EventKind
    events_selector: str
    total_selector: str
    indicator_name: str
    display_name: str | None = None
    description: str | None = None
    labels: dict[str, str] = field(default_factory=dict)
    annotations: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ImportedService:
    name: str
    display_name: str | None = None


@dataclass(frozen=True)
class RateQuery:
    """``sum [by (labels)] (rate|increase(SELECTOR[{{.window}}]))``: the selector and the grouping labels."""

    selector: str
    by: tuple[str, ...] = ()


# --------------------------------------------------------------------------------------------------------------------
# Names, targets, windows


def openslo_name(text: str) -> str:
    """``text`` as an OpenSLO name (a DNS label): kept as is when it already is one, else lowercased with every run
    of other characters turned into one ``-`` and cut to 63 characters. Raises ``NotCarried`` when nothing is left."""
    if _DNS_LABEL.fullmatch(text):
        return text
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:NAME_MAX_LENGTH].rstrip("-")
    if not slug:
        raise NotCarried(f"{text!r} has no letters or digits to make an OpenSLO name from")
    return slug


def percent_target(value: object, construct: str) -> int | float:
    """A target given in percent (Sloth's ``objective``, Pyrra's ``target`` string) as a number in [0, 100).

    100 % leaves no error budget, which the catalog cannot compute with, so it is refused like anything out of range.
    Whole numbers stay integers (``"95"`` -> 95), so the written file says what the input said.
    """
    if isinstance(value, bool):
        raise NotCarried(f"{construct} must be a percentage like 99.9, got {value!r}")
    if isinstance(value, str):
        try:
            number = Decimal(value.strip())
        except InvalidOperation:
            raise NotCarried(f"{construct} {value!r} is not a percentage like 99.9") from None
        percent = int(number) if number == number.to_integral_value() and "." not in value else float(number)
    elif isinstance(value, (int, float)):
        percent = value
    else:
        raise NotCarried(f"{construct} must be a percentage like 99.9, got {type(value).__name__}")
    if not math.isfinite(percent) or not 0 <= percent < 100:
        raise NotCarried(f"{construct} {value} is outside [0, 100): a 100 % target leaves no error budget")
    return percent


_PROMETHEUS_DURATION = re.compile(r"(?:(\d+)y)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?")
_DURATION_UNITS = (365 * 86400, 7 * 86400, 86400, 3600, 60, 1, 0.001)


def rolling_window(text: object, construct: str) -> str:
    """A Prometheus duration (Pyrra's ``window``) as an OpenSLO rolling duration: unchanged when it is already one
    number and one of m, h, d, w (``28d``, ``2w``); otherwise its exact equivalent (``1y`` -> ``365d``, ``1d12h`` ->
    ``36h``). A window that is not a whole number of minutes is refused."""
    if not isinstance(text, str) or not text.strip():
        raise NotCarried(f"{construct} must be a duration like 28d, got {text!r}")
    text = text.strip()
    if text[-1:] in _ROLLING_UNITS:
        try:
            parse_duration(text)
            return text
        except ValueError:
            pass
    match = _PROMETHEUS_DURATION.fullmatch(text)
    if not match or not any(match.groups()):
        raise NotCarried(f"{construct} {text!r} is not a Prometheus duration like 28d")
    seconds = sum(int(part) * unit for part, unit in zip(match.groups(), _DURATION_UNITS) if part)
    if seconds <= 0 or seconds % 60:
        raise NotCarried(f"{construct} {text!r} is not a whole number of minutes")
    return format_prometheus_duration(timedelta(seconds=int(seconds)))


def label_text(labels: object, construct: str) -> dict[str, str]:
    """A mapping of labels with string (or plain scalar) values, as strings; anything nested is refused."""
    if labels is None:
        return {}
    if not isinstance(labels, dict):
        raise NotCarried(f"{construct} must be a mapping of labels, got {type(labels).__name__}")
    result: dict[str, str] = {}
    for key, value in labels.items():
        if not isinstance(key, str) or isinstance(value, (dict, list)) or value is None:
            raise NotCarried(f"{construct}.{key} must be a string")
        result[key] = ("true" if value else "false") if isinstance(value, bool) else str(value)
    return result


def labels_annotation(labels: dict[str, str]) -> str:
    """Labels as one annotation value: a JSON object in their given order, unambiguous whatever the values hold."""
    return json.dumps(labels, ensure_ascii=False)


# --------------------------------------------------------------------------------------------------------------------
# Sloth's event queries


_WINDOW = r"\[\s*\{\{\s*\.window\s*\}\}\s*\]"
_BY = r"by\s*\(([^()]*)\)"
_RATE_QUERY = re.compile(
    rf"sum\s*(?:{_BY}\s*)?\(\s*(?:rate|increase)\s*\((.*){_WINDOW}\s*\)\s*\)\s*(?:{_BY})?", re.DOTALL
)


def rate_query(query: object, construct: str) -> RateQuery:
    """The selector inside ``sum(rate(SELECTOR[{{.window}}]))`` (or ``increase``, ``sum by (x) (...)``,
    ``sum(...) by (x)``), for the caller to check as a series selector. Anything else raises ``NotCarried``."""
    if not isinstance(query, str) or not query.strip():
        raise NotCarried(f"{construct} must be a PromQL query, got {query!r}")
    text = _strip_parentheses(query.strip())
    match = _RATE_QUERY.fullmatch(text)
    if match is None:
        raise NotCarried(
            f"{construct} is not sum(rate(SELECTOR[{{{{.window}}}}])) over one series selector; "
            "the catalog takes counters and applies the windows itself"
        )
    before, selector, after = match.groups()
    if before is not None and after is not None:
        raise NotCarried(f"{construct} has two by (...) clauses")
    grouping = before if before is not None else after
    return RateQuery(selector=selector.strip(), by=_label_list(grouping))


def difference_query(query: str) -> tuple[str, str] | None:
    """``A - B`` split at its one top-level minus (outer parentheses dropped), or ``None`` when it is not one:
    Sloth's latency SLOs count errors as all requests minus the fast ones."""
    text = _strip_parentheses(query.strip())
    depth, quote, cut = 0, None, None
    index = 0
    while index < len(text):
        character = text[index]
        if quote:
            if character == "\\":
                index += 1
            elif character == quote:
                quote = None
        elif character in "\"'`":
            quote = character
        elif character in "([{":
            depth += 1
        elif character in ")]}":
            depth -= 1
        elif character == "-" and depth == 0:
            if cut is not None:
                return None
            cut = index
        index += 1
    if cut is None:
        return None
    return text[:cut].strip(), text[cut + 1 :].strip()


def _strip_parentheses(text: str) -> str:
    """``text`` without parentheses that wrap all of it (``((x))`` -> ``x``; ``(a) - (b)`` stays)."""
    while text.startswith("(") and text.endswith(")") and _closing(text, 0) == len(text) - 1:
        text = text[1:-1].strip()
    return text


def _closing(text: str, start: int) -> int:
    depth, quote, index = 0, None, start
    while index < len(text):
        character = text[index]
        if quote:
            if character == "\\":
                index += 1
            elif character == quote:
                quote = None
        elif character in "\"'`":
            quote = character
        elif character == "(":
            depth += 1
        elif character == ")":
            depth -= 1
            if depth == 0:
                return index
        index += 1
    return -1


def _label_list(text: str | None) -> tuple[str, ...]:
    if text is None:
        return ()
    return tuple(label.strip() for label in text.split(",") if label.strip())


# --------------------------------------------------------------------------------------------------------------------
# OpenSLO v1 documents


def service_document(service: ImportedService) -> dict:
    metadata: dict = {"name": service.name}
    if service.display_name:
        metadata["displayName"] = service.display_name
    return {"apiVersion": "openslo/v1", "kind": "Service", "metadata": metadata}


def slo_document(slo: ImportedSlo) -> dict:
    """The SLO as an OpenSLO v1 document: an inline ratio indicator over counters, one rolling window, one
    objective in percent, Occurrences (what both tools compute)."""
    metadata: dict = {"name": slo.name}
    if slo.display_name:
        metadata["displayName"] = slo.display_name
    if slo.labels:
        metadata["labels"] = dict(slo.labels)
    if slo.annotations:
        metadata["annotations"] = dict(slo.annotations)
    spec: dict = {}
    if slo.description:
        spec["description"] = slo.description
    spec["service"] = slo.service
    spec["indicator"] = {
        "metadata": {"name": slo.indicator_name},
        "spec": {
            "ratioMetric": {
                "counter": True,
                slo.events.value: _prometheus_source(slo.events_selector),
                "total": _prometheus_source(slo.total_selector),
            }
        },
    }
    spec["timeWindow"] = [{"duration": slo.window, "isRolling": True}]
    spec["budgetingMethod"] = "Occurrences"
    spec["objectives"] = [{"targetPercent": slo.target_percent}]
    return {"apiVersion": "openslo/v1", "kind": "SLO", "metadata": metadata, "spec": spec}


def _prometheus_source(selector: str) -> dict:
    return {"metricSource": {"type": "Prometheus", "spec": {"query": selector}}}


@dataclass
class Conversion:
    """What one input file gave: the services and SLOs carried over, and what was refused."""

    services: list[ImportedService] = field(default_factory=list)
    slos: list[ImportedSlo] = field(default_factory=list)
    refusals: list[Refusal] = field(default_factory=list)

    def add(self, slo: ImportedSlo, service: ImportedService, file: str) -> None:
        """Keep ``slo`` unless an earlier one of the file has its name (then it is refused, the first one kept)."""
        if any(kept.name == slo.name for kept in self.slos):
            self.refusals.append(
                Refusal(file, slo.name, "name", f"another SLO of this file is already named {slo.name!r}")
            )
            return
        self.slos.append(slo)
        if all(known.name != service.name for known in self.services):
            self.services.append(service)

    def documents(self) -> list[dict]:
        """Service documents first, then the SLOs, in the order they were read."""
        return [service_document(service) for service in self.services] + [slo_document(slo) for slo in self.slos]
