"""The SLO catalog: OpenSLO v1 YAML files read into ``metrics.slo.definitions.SloDefinition``.

``load_catalog(path)`` takes one YAML file or a directory. A directory is read recursively: every ``*.yaml`` and
``*.yml`` file under it, in sorted order of their paths relative to the directory, skipping files and folders whose
names start with a dot. Each file may hold several documents (``---``); documents are numbered from 1 within their
file, empty documents included (they are otherwise ignored).

Only regular files inside the folder are read. A link (to a file or a folder) that resolves outside it is refused by
name and never opened; a link to a file inside is read (Kubernetes mounts a ConfigMap as ``x.yaml -> ..data/x.yaml``);
links to folders are not entered; FIFOs, devices and sockets are refused. ``CatalogLimits`` caps each file's size,
the total size, nesting depth, documents per file and values per file with aliases expanded; depth and values are
counted while composing, before anything recurses or multiplies. A file breaking a rule is refused alone, by name,
without quoting it.

Read (``apiVersion: openslo/v1``):

- A file may hold several documents (``---``), and a document may be a list of objects (what OpenSLO's formatter
  writes): each item is a document, named ``file.yaml, item 3`` (``document 2, item 3`` in a file of several), and
  counts against the documents cap like one.
- ``metadata.labels`` values are a string or a list of strings; every value is kept (``SloDefinition.labels``).
- ``kind: Service`` -> ``Service`` (name, display name, description).
- ``kind: DataSource`` -> ``DataSource`` (``Catalog.data_sources``): ``spec.type: Prometheus`` (any case; other types
  are refused) and ``spec.connectionDetails`` with an http(s) ``url`` (a path prefix such as Mimir's
  ``/prometheus`` kept) and optional plain ``headers``. Secrets (a token, password or API key key, a secret-looking
  header, a URL with userinfo) are refused: they come from the environment (``data.slo.named_sources``). A
  ``metricSource`` naming one by ``metricSourceRef`` may omit ``type``; every metricSource of one SLI names the
  same DataSource or none does, and the SLO reads from it (``SloDefinition.data_source``; None: the default
  source). Documents may come in any order and any file.
- ``kind: SLI`` with a ``ratioMetric`` (``counter``, ``good`` or ``bad``, and ``total``), each a Prometheus
  ``metricSource`` whose ``query`` is a plain series selector: a raw counter with ``counter: true``, a series that
  already holds a per-second rate (a recording rule) with ``counter: false`` (``RatioIndicator.counter``). The tool
  applies the windows itself, so functions, ranges and arithmetic are refused. Or a ``ratioMetric`` with ``raw``
  and ``rawType`` (success or failure): a precomputed ratio, any PromQL expression, read one point a minute
  (``RawRatioIndicator``). Or a ``thresholdMetric``: one ``metricSource`` whose query is any PromQL expression,
  compared with each objective's ``op`` and ``value`` (``ThresholdIndicator``).
- ``kind: SLO`` with ``service``, an inline ``indicator`` or an ``indicatorRef`` to an SLI document anywhere in the
  catalog, at most one ``timeWindow`` (rolling ``duration`` in m/h/d/w with ``isRolling: true``, or a calendar
  ``duration`` in d/w/M/Q/Y with ``calendar: {startTime, timeZone}``; without one, 28 days rolling, marked as
  defaulted), ``budgetingMethod`` ``Occurrences``, ``Timeslices`` (objectives with ``timeSliceWindow``, 1m to 1h
  cutting a day evenly, and ``timeSliceTarget`` in (0, 1]) or ``RatioTimeslices`` (``timeSliceWindow`` only), and
  objectives with ``target`` in [0, 1) or ``targetPercent`` in [0, 100). One objective: one SLO of the document's
  name. Several: one SLO each, named ``name/key`` where the key is the objective's displayName as a slug
  (``Fast reads`` -> ``fast-reads``), else its index in the list.

Alert tiers (``SloDefinition.tiers``): an SLO without ``alertPolicies`` gets the SRE Workbook's four, tuned by
its ``metadata.annotations``: ``reliability-dashboard/tiers`` (the long windows of the tiers left on, ``"1h, 6h"``,
or ``none``), ``.../page-severity`` and ``.../ticket-severity`` (the team's severity names), and for any SLO
``.../min-events`` and ``.../min-bad-events`` (the minimum-traffic guard). An SLO naming ``alertPolicies`` (each an
``alertPolicyRef`` to an ``AlertPolicy`` document or an inline policy) has one tier per policy: its one
``AlertCondition`` (inline or by ``conditionRef``) of kind ``burnrate`` gives the severity, ``op``, ``threshold``
(a burn rate), ``lookbackWindow`` (the long window: whole hours up to 3d; the short one is the Workbook's 1/12 of
it) and ``alertAfter``. A severity other than ``page`` or ``ticket`` needs the condition's annotation
``reliability-dashboard/urgency: page|ticket``. A policy with ``alertWhenBreaching: false`` adds no tier. What
``cli.py slo-import`` writes for alerts Sloth or Pyrra had disabled (``.../page-alert-disabled``,
``.../ticket-alert-disabled``, ``.../alerts-disabled``: ``"true"``) switches those Workbook tiers off.
``reliability-dashboard/review-every`` (whole days or weeks, ``"30d"``, ``"6w"``) sets how often the SLO is reviewed
(``SloDefinition.review_every``; without it the team's default, see ``metrics.slo_reviews``).

Valid OpenSLO this tool does not use or compute yet is a *notice* (``Catalog.notices``, ``Severity``), not a problem:
``AlertNotificationTarget`` documents are read but not used, nor are AlertPolicies no SLO names. A split
(``split-by``) Timeslices, thresholdMetric or raw-ratio SLO is a problem: splitting counts events by label.

Bad input never raises (except a path that does not exist: ``CatalogError``). Every problem is collected as a
``CatalogProblem`` naming the file, the document, the object and the field; a document with any problem is skipped
and the rest of the catalog still loads. Unknown fields, wrong types, duplicate keys inside a mapping and duplicate
names across the catalog (the first one wins) are problems too.
"""

from __future__ import annotations

import difflib
import math
import os
import re
import stat
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from enum import Enum
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

import yaml

from data.secrets import SecretUrl
from data.slo.promql import Matcher, SelectorError, SeriesSelector, parse_selector
from metrics.slo import imports
from metrics.slo.definitions import (
    DEFAULT_TIERS,
    DEFAULT_TIME_WINDOW,
    AlertTier,
    BudgetingMethod,
    Op,
    RatioIndicator,
    RawRatioIndicator,
    RawType,
    SloDefinition,
    ThresholdIndicator,
    TimeSlices,
    TimeWindow,
    Urgency,
    format_prometheus_duration,
    parse_duration,
    short_window_for,
)
from metrics.slo.periods import parse_calendar_duration
from metrics.slo_reviews.rules import parse_review_cadence

API_VERSION = "openslo/v1"
YAML_SUFFIXES = (".yaml", ".yml")
ROLLING_UNITS = ("m", "h", "d", "w")

__all__ = [
    "Catalog",
    "CatalogError",
    "CatalogLimits",
    "CatalogProblem",
    "DataSource",
    "Matcher",
    "Severity",
    "SelectorError",
    "SeriesSelector",
    "Service",
    "load_catalog",
    "parse_selector",
]


# --------------------------------------------------------------------------------------------------------------------
# Public types


class CatalogError(Exception):
    """The catalog cannot be read at all (its path does not exist). Everything else is a ``CatalogProblem``."""


@dataclass(frozen=True)
class Service:
    name: str
    display_name: str | None = None
    description: str | None = None


class Severity(Enum):
    """How much a finding about the catalog matters: only ``PROBLEM`` means the catalog is wrong."""

    PROBLEM = "problem"  # invalid OpenSLO (or a broken file): fix it; the document is skipped
    NOT_HANDLED = "not handled yet"  # valid OpenSLO this tool cannot compute yet: that SLO (or SLI) is skipped
    NOT_USED = "read but not used yet"  # a valid document of a kind this tool does not use yet


@dataclass(frozen=True)
class CatalogProblem:
    """One finding about the catalog, located as precisely as the input allows; ``severity`` says whether it is a
    problem (invalid input) or a notice (valid input this tool does not handle or use yet).

    ``kind`` (``"SLO"``, ``"SLI"``, ``"Service"``) is filled in when the document says it; it only shapes the text.
    ``item`` is the position (from 1) within a document whose top level is a list of objects.
    """

    file: str
    document: int | None
    name: str | None
    field: str | None
    message: str
    kind: str | None = None
    severity: Severity = Severity.PROBLEM
    item: int | None = None
    single_document: bool = False  # the file holds one YAML document: its list items are named without it

    def __str__(self) -> str:
        text = self.file
        if self.document is not None and not (self.item is not None and self.single_document):
            text += f", document {self.document}"
        if self.item is not None:
            text += f", item {self.item}"
        if self.name is not None:
            text += f" ({self.kind} {_quote(self.name)})" if self.kind else f" ({_quote(self.name)})"
        if self.field is not None:
            text += f", field {self.field}"
        return f"{text}: {self.message}"


@dataclass(frozen=True)
class CatalogLimits:
    """Caps on what the catalog reads; a file that breaks one is refused alone, by name, and the rest still load.

    ``depth`` counts nested lists and mappings, an alias counting as deep as its anchor; ``values`` counts every
    scalar, list and mapping, an alias counting as many values as its anchor holds (so anchors cannot multiply).
    """

    file_bytes: int = 1 << 20  # one file
    total_bytes: int = 16 << 20  # all files together, in reading order
    depth: int = 50
    documents: int = 1000  # per file
    values: int = 200_000  # per file, aliases expanded


DEFAULT_LIMITS = CatalogLimits()


class EngineKind(Enum):
    """Which server speaks the Prometheus HTTP API behind a DataSource (its ``spec.type``): said in its messages, and
    the one whose API needs a path prefix (Mimir's and Cortex's ``/prometheus``) is checked for it."""

    PROMETHEUS = "Prometheus"
    VICTORIAMETRICS = "VictoriaMetrics"
    THANOS = "Thanos"
    MIMIR = "Mimir"
    CORTEX = "Cortex"

    @classmethod
    def parse(cls, text: object) -> EngineKind | None:
        if not isinstance(text, str):
            return None
        return next((kind for kind in cls if kind.value.lower() == text.strip().lower()), None)

    @property
    def needs_path_prefix(self) -> bool:
        return self in (EngineKind.MIMIR, EngineKind.CORTEX)


ENGINE_KINDS_TEXT = ", ".join(kind.value for kind in EngineKind)


@dataclass(frozen=True)
class DataSource:
    """A ``kind: DataSource`` document: a Prometheus-compatible server some SLOs read (``SloDefinition.data_source``).

    Only what is not secret is in the catalog: the URL (a path prefix such as Mimir's ``/prometheus`` kept) and
    plain headers (``X-Scope-OrgID``). Tokens, passwords, secret headers and a URL override come from the
    environment (``PROMETHEUS_SOURCE_<NAME>_...``, see ``data.slo.named_sources``)."""

    name: str
    url: str
    display_name: str | None = None
    headers: tuple[tuple[str, str], ...] = ()
    place: str = ""  # "file.yaml, document 2": where it is defined
    kind: EngineKind = EngineKind.PROMETHEUS


@dataclass(frozen=True)
class Catalog:
    slos: list[SloDefinition]
    services: dict[str, Service]  # only those declared by Service documents
    problems: list[CatalogProblem]  # severity PROBLEM: the catalog is wrong here
    notices: list[CatalogProblem] = field(default_factory=list)  # valid input not handled or not used yet
    data_sources: dict[str, DataSource] = field(default_factory=dict)  # the valid DataSource documents, by name

    def slo(self, name: str) -> SloDefinition | None:
        return next((slo for slo in self.slos if slo.name == name), None)

    def service(self, name: str) -> Service:
        """The declared service, or a bare ``Service(name)`` for one that SLOs name without a Service document."""
        return self.services.get(name) or Service(name=name)

    def service_names(self) -> list[str]:
        """Every service either declared or named by an SLO, sorted."""
        return sorted(set(self.services) | {slo.service for slo in self.slos})


# --------------------------------------------------------------------------------------------------------------------
# Loading


def load_catalog(path: str | Path, limits: CatalogLimits = DEFAULT_LIMITS) -> Catalog:
    """Read an OpenSLO v1 catalog from a YAML file or a directory of them (recursive, sorted; see the module doc)."""
    root = Path(path)
    if not root.exists():
        raise CatalogError(
            f"SLO catalog not found: {root} does not exist. Create it (a YAML file, or a directory of OpenSLO "
            f"*.yaml files such as config/slos/), or point the catalog setting at one that exists."
        )
    if not root.is_dir():
        return _Builder(limits).build([_Entry(root, _refusal(root, None))])
    entries = _entries(root)
    if not entries:
        return Catalog(
            slos=[],
            services={},
            problems=[
                CatalogProblem(
                    file=_display(root),
                    document=None,
                    name=None,
                    field=None,
                    message=f"no YAML files (*.yaml, *.yml) found in {_display(root)}: add OpenSLO documents there",
                )
            ],
        )
    return _Builder(limits).build(entries)


# --------------------------------------------------------------------------------------------------------------------
# Files: which are read, and the link rule


@dataclass(frozen=True)
class _Entry:
    """A file of the catalog, and why it is not read (``None``: it is read)."""

    path: Path
    refusal: str | None = None


_OUTSIDE = "a link pointing outside the catalog folder; not read"


def _entries(root: Path) -> list[_Entry]:
    """Every ``*.yaml``/``*.yml`` file under ``root`` outside dot-folders, sorted by relative path, with its refusal.

    Links to folders are never entered (a folder inside is read at its real place; one pointing outside is refused
    by name). Links to files are read when they resolve to a regular file inside the folder.
    """
    real_root = Path(os.path.realpath(root))
    found: list[_Entry] = []
    for folder, folders, files in os.walk(root):  # followlinks=False: a linked folder is listed, never entered
        here = Path(folder)
        folders[:] = [name for name in folders if not name.startswith(".")]
        for name in folders:
            if (here / name).is_symlink() and not _inside(here / name, real_root):
                found.append(_Entry(here / name, _OUTSIDE))
        for name in files:
            path = here / name
            if not name.startswith(".") and path.suffix.lower() in YAML_SUFFIXES:
                found.append(_Entry(path, _refusal(path, real_root)))
    return sorted(found, key=lambda entry: entry.path.relative_to(root).as_posix())


def _inside(path: Path, real_root: Path) -> bool:
    return Path(os.path.realpath(path)).is_relative_to(real_root)


def _refusal(path: Path, real_root: Path | None) -> str | None:
    """Why ``path`` is not read: a link out of ``real_root`` (``None``: a one-file catalog), or not a regular file."""
    if real_root is not None and path.is_symlink() and not _inside(path, real_root):
        return _OUTSIDE
    try:
        mode = path.stat().st_mode
    except OSError as exc:
        return f"cannot be read ({exc.strerror or exc}); the file is skipped"
    if not stat.S_ISREG(mode):
        return f"not a regular file ({_file_type(mode)}); not read"
    return None


def _file_type(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "a special file"


def _read_bytes(path: Path, cap: int) -> bytes | str:
    """The file's bytes, or why they are not read. Opened without blocking and checked again once open, so a file
    swapped for a FIFO or device between listing and reading is still refused; never more than ``cap + 1`` bytes."""
    try:
        fd = os.open(os.path.realpath(path), os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW)
    except OSError as exc:
        return f"cannot be read ({exc.strerror or exc}); the file is skipped"
    with os.fdopen(fd, "rb") as file:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            return f"not a regular file ({_file_type(mode)}); not read"
        too_big = f"larger than {_size_text(cap)}, the cap for one file; the file is skipped"
        if os.fstat(fd).st_size > cap:
            return too_big
        try:
            data = file.read(cap + 1)
        except OSError as exc:
            return f"cannot be read ({exc.strerror or exc}); the file is skipped"
        return too_big if len(data) > cap else data


def _size_text(size: int) -> str:
    return f"{size >> 20} MiB" if size and size % (1 << 20) == 0 else f"{size} bytes"


@dataclass
class _Document:
    file: str
    number: int
    data: Any
    duplicate_keys: list[tuple[str, int]] = field(default_factory=list)
    envelope_problems: int = 0
    item: int | None = None  # position (from 1) in a top-level list of objects
    single_document: bool = False  # the only YAML document of its file

    @property
    def kind_text(self) -> str | None:
        """The kind as written, for messages; ``kind`` is only set for kinds this loader reads."""
        kind = self.data.get("kind") if isinstance(self.data, dict) else None
        return kind if isinstance(kind, str) and kind.strip() else None

    @property
    def kind(self) -> str | None:
        kind = self.data.get("kind") if isinstance(self.data, dict) else None
        return kind if kind in _KINDS else None

    @property
    def name(self) -> str | None:
        metadata = self.data.get("metadata") if isinstance(self.data, dict) else None
        name = metadata.get("name") if isinstance(metadata, dict) else None
        return name if isinstance(name, str) else None

    @property
    def place(self) -> str:
        if self.item is None:
            return f"{self.file}, document {self.number}"
        if self.single_document:
            return f"{self.file}, item {self.item}"
        return f"{self.file}, document {self.number}, item {self.item}"


def _is_list_of_objects(node: yaml.Node | None) -> bool:
    """A top-level list whose items are all mappings (what OpenSLO's formatter writes): each item is a document."""
    return (
        isinstance(node, yaml.SequenceNode)
        and bool(node.value)
        and all(isinstance(item, yaml.MappingNode) for item in node.value)
    )


class _CapExceeded(Exception):
    """A file breaks one of the ``CatalogLimits``; the message says which, without quoting the file."""


class _Loader(yaml.SafeLoader):
    """A safe loader that records duplicate mapping keys instead of silently keeping the last one, and that checks
    nesting depth and the number of values while composing nodes, before any recursion can run deep or any alias
    can multiply: ``_CapExceeded`` stops it at the first node past a cap."""

    def __init__(self, stream: str, limits: CatalogLimits = DEFAULT_LIMITS) -> None:
        super().__init__(stream)
        self.duplicate_keys: list[tuple[str, int]] = []
        self.limits = limits
        self.values = 0  # in the whole file, aliases expanded
        self.heights: list[int] = []  # one per open list or mapping: the height of its tallest child so far
        self.shapes: dict[int, tuple[int, int]] = {}  # id(anchored node) -> (values, height), this document only

    def compose_document(self) -> yaml.Node | None:
        self.shapes = {}
        return super().compose_document()

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node | None:
        if self.check_event(yaml.AliasEvent):
            node = super().compose_node(parent, index)
            shape = self.shapes.get(id(node))
            if shape is None:  # its anchor is still open: the alias is inside it
                raise _CapExceeded("an alias inside the anchor it refers to")
            self._grow(*shape)
            return node
        start, anchor = self.values, self.peek_event().anchor
        if not self.check_event(yaml.SequenceStartEvent, yaml.MappingStartEvent):
            self._grow(1, 0)
            node = super().compose_node(parent, index)
            height = 0
        else:
            self._grow(1, 1)
            self.heights.append(0)
            node = super().compose_node(parent, index)
            height = self.heights.pop() + 1
            if self.heights:
                self.heights[-1] = max(self.heights[-1], height)
        if anchor is not None:
            self.shapes[id(node)] = (self.values - start, height)
        return node

    def _grow(self, values: int, height: int) -> None:
        """Count a node (or an alias standing for ``values`` values) of ``height`` levels at the current depth."""
        self.values += values
        if self.values > self.limits.values:
            raise _CapExceeded(f"more than {self.limits.values} values once aliases are expanded")
        if len(self.heights) + height > self.limits.depth:
            raise _CapExceeded(f"nested deeper than {self.limits.depth} levels")
        if self.heights and height:
            self.heights[-1] = max(self.heights[-1], height)

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[str] = set()
        for key_node, _ in node.value:
            if isinstance(key_node, yaml.ScalarNode) and key_node.tag != "tag:yaml.org,2002:merge":
                if key_node.value in seen:
                    self.duplicate_keys.append((key_node.value, key_node.start_mark.line + 1))
                seen.add(key_node.value)
        return super().construct_mapping(node, deep=deep)


class _Checker:
    """Collects the problems of one document and offers the typed accessors that find them."""

    def __init__(self, doc: _Document, problems: list[CatalogProblem]) -> None:
        self.doc = doc
        self.sink = problems
        self.count = 0  # problems: the document is invalid
        self.not_handled_count = 0  # valid constructs this tool cannot compute yet: the document is skipped too

    def problem(self, path: str | None, message: str, severity: Severity = Severity.PROBLEM) -> None:
        if severity is Severity.PROBLEM:
            self.count += 1
        elif severity is Severity.NOT_HANDLED:
            self.not_handled_count += 1
        self.sink.append(
            CatalogProblem(
                file=self.doc.file,
                document=self.doc.number,
                name=self.doc.name,
                field=path,
                message=message,
                kind=self.doc.kind_text,
                severity=severity,
                item=self.doc.item,
                single_document=self.doc.single_document,
            )
        )

    def not_handled(self, path: str | None, message: str) -> None:
        """Valid OpenSLO this tool cannot compute yet: a notice naming the construct; the document is skipped."""
        self.problem(path, message, Severity.NOT_HANDLED)

    @property
    def skipped(self) -> bool:
        return bool(self.count or self.not_handled_count)

    def mapping(
        self,
        value: Any,
        path: str,
        allowed: Sequence[str],
        required: Sequence[str] = (),
        unsupported: dict[str, str] | None = None,
        refused: dict[str, str] | None = None,
    ) -> dict[str, Any] | None:
        """``value`` as a mapping; unknown, refused and missing keys are problems, ``unsupported`` keys (valid OpenSLO
        not handled yet) notices. ``None`` if not a mapping."""
        if not isinstance(value, dict):
            self.problem(path or None, f"must be a mapping, got {_describe(value)}")
            return None
        unsupported = unsupported or {}
        refused = refused or {}
        for key in value:
            where = f"{path}.{key}" if path else str(key)
            if not isinstance(key, str):
                hint = " (YAML reads yes/no/on/off as booleans: quote the key)" if isinstance(key, bool) else ""
                self.problem(path or None, f"keys must be strings, got {_describe(key)}{hint}")
            elif key in unsupported:
                self.not_handled(where, unsupported[key])
            elif key in refused:
                self.problem(where, refused[key])
            elif key not in allowed:
                self.problem(where, _unknown(key, list(allowed) + list(unsupported)))
        for key in required:
            if key not in value:
                self.problem(f"{path}.{key}" if path else key, "required")
        return value

    def string(self, value: Any, path: str, required: bool = False) -> str | None:
        if value is None and not required:
            return None
        if not isinstance(value, str) or not value.strip():
            self.problem(path, f"must be a non-empty string, got {_describe(value)}")
            return None
        return value.strip()

    def name(self, value: Any, path: str) -> str | None:
        text = self.string(value, path, required=True)
        if text is None:
            return None
        if not _DNS_LABEL.fullmatch(text):
            self.problem(
                path,
                f"{_quote(text)} is not a valid name: use lowercase letters, digits and '-', start and "
                f"end with a letter or digit, at most 63 characters",
            )
            return None
        return text

    def labels(self, value: Any, path: str) -> dict[str, tuple[str, ...]]:
        """OpenSLO labels: each value a string or a list of strings; every value is kept, in the order written."""
        if value is None:
            return {}
        if not isinstance(value, dict):
            self.problem(path, f"must be a mapping of strings or lists of strings, got {_describe(value)}")
            return {}
        for key, item in value.items():
            if not isinstance(key, str) or _label_values(item) is None:
                self.problem(
                    f"{path}.{key}",
                    f"keys must be strings and values a string or a list of strings, got {_describe(item)} (quote it)",
                )
        return _labels(value)

    def string_map(self, value: Any, path: str) -> dict[str, str]:
        if value is None:
            return {}
        if not isinstance(value, dict):
            self.problem(path, f"must be a mapping of strings, got {_describe(value)}")
            return {}
        result: dict[str, str] = {}
        for key, item in value.items():
            if not isinstance(key, str) or not isinstance(item, str):
                self.problem(f"{path}.{key}", f"keys and values must be strings, got {_describe(item)} (quote it)")
            else:
                result[key] = item
        return result


_DNS_LABEL = re.compile(r"[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?")

_DOCUMENT_FIELDS = ("apiVersion", "kind", "metadata", "spec")
_METADATA_FIELDS = ("name", "displayName", "labels", "annotations")
_KINDS = ("SLO", "SLI", "Service", "AlertPolicy", "AlertCondition", "DataSource")
_OTHER_OPENSLO_KINDS = ("AlertNotificationTarget",)
_NOT_USED_REASONS = {
    "AlertNotificationTarget": "this tool shows firing tiers; it sends no notifications",
}
_DATA_SOURCE_SPEC_FIELDS = ("description", "type", "connectionDetails")
_CONNECTION_FIELDS = ("url", "headers")
# connectionDetails keys and header names that carry a secret: refused, the environment holds those.
_SECRET_NAME = re.compile(r"(?i).*(token|passw|secret|api[_-]?key|credential|auth|cookie).*")
_HEADER_NAME = re.compile(r"[A-Za-z0-9!#$%&'*+.^_`|~-]+")
SOURCE_ENV_PREFIX = "PROMETHEUS_SOURCE_"


def source_env_prefix(name: str) -> str:
    """``PROMETHEUS_SOURCE_EU_MIMIR_`` for the DataSource ``eu-mimir``: its secrets and overrides' variables."""
    return SOURCE_ENV_PREFIX + name.upper().replace("-", "_") + "_"


def _secret_help(name: str | None) -> str:
    prefix = source_env_prefix(name or "<name>")
    return (
        f"a secret does not belong in the catalog: remove it and set it in the environment instead "
        f"({prefix}TOKEN, {prefix}USERNAME and {prefix}PASSWORD, or {prefix}HEADERS for secret headers; "
        f"or [sources.{name or '<name>'}] in secrets.toml)"
    )


_SERVICE_SPEC_FIELDS = ("description",)
_SLO_SPEC_FIELDS = (
    "description",
    "service",
    "indicator",
    "indicatorRef",
    "timeWindow",
    "budgetingMethod",
    "objectives",
    "alertPolicies",
)
_SLO_SPEC_UNSUPPORTED: dict[str, str] = {}
_SLI_SPEC_FIELDS = ("description", "ratioMetric", "thresholdMetric")
_SLI_SPEC_UNSUPPORTED: dict[str, str] = {}
_RATIO_FIELDS = ("counter", "good", "bad", "total", "raw", "rawType")
_METRIC_SOURCE_FIELDS = ("metricSourceRef", "type", "spec")
_TIME_WINDOW_FIELDS = ("duration", "isRolling", "calendar")
_CALENDAR_FIELDS = ("startTime", "timeZone")
_OBJECTIVE_FIELDS = ("displayName", "target", "targetPercent", "timeSliceTarget", "timeSliceWindow", "op", "value")
# A slice is at least a minute (Prometheus scrapes every 15 s to 1 min) and at most an hour, and cuts a day evenly,
# so slices line up with days and the shortest burn windows hold whole slices.
MIN_SLICE = timedelta(minutes=1)
MAX_SLICE = timedelta(hours=1)
_BUDGETING_METHODS = ("Occurrences", "Timeslices", "RatioTimeslices")
_POLICY_SPEC_FIELDS = (
    "description",
    "alertWhenNoData",
    "alertWhenResolved",
    "alertWhenBreaching",
    "conditions",
    "notificationTargets",
)
_CONDITION_SPEC_FIELDS = ("description", "severity", "condition")
_CONDITION_FIELDS = ("kind", "op", "threshold", "lookbackWindow", "alertAfter")
_OPS = {op.value: op for op in Op}
_WORKBOOK_WINDOWS = tuple(tier.long_window for tier in DEFAULT_TIERS)  # 1h, 6h, 1d, 3d
MAX_LOOKBACK = timedelta(days=3)  # the drill-down's history holds 3 days shown, with 3 more before them

ANNOTATION_PREFIX = "reliability-dashboard/"
TIERS_ANNOTATION = ANNOTATION_PREFIX + "tiers"  # which Workbook tiers are on: "1h, 6h" (long windows) or "none"
PAGE_SEVERITY_ANNOTATION = ANNOTATION_PREFIX + "page-severity"  # the paging tiers' severity name, like P1
TICKET_SEVERITY_ANNOTATION = ANNOTATION_PREFIX + "ticket-severity"  # the ticket tiers' severity name, like P3
MIN_EVENTS_ANNOTATION = ANNOTATION_PREFIX + "min-events"  # a tier fires only with this many events in its long window
MIN_BAD_EVENTS_ANNOTATION = ANNOTATION_PREFIX + "min-bad-events"  # ... and this many bad events
URGENCY_ANNOTATION = ANNOTATION_PREFIX + "urgency"  # on an AlertCondition: page or ticket, for its severity
REVIEW_EVERY_ANNOTATION = ANNOTATION_PREFIX + "review-every"  # the SLO's review cadence in days or weeks: "30d"
SPLIT_BY_ANNOTATION = ANNOTATION_PREFIX + "split-by"  # one SLO per value of these labels: "route" or "region, route"
MAX_SPLIT_LABELS = 3
TIER_ANNOTATIONS = (
    TIERS_ANNOTATION,
    PAGE_SEVERITY_ANNOTATION,
    TICKET_SEVERITY_ANNOTATION,
    MIN_EVENTS_ANNOTATION,
    MIN_BAD_EVENTS_ANNOTATION,
)
_SLO_ANNOTATIONS = (*TIER_ANNOTATIONS, REVIEW_EVERY_ANNOTATION, SPLIT_BY_ANNOTATION)
# What ``cli.py slo-import`` writes for Sloth's ``disable: true`` and Pyrra's disabled alerts: "true" switches
# those tiers off.
_IMPORTED_SWITCHES = {
    imports.PAGE_DISABLED_ANNOTATION: (Urgency.PAGE,),
    imports.TICKET_DISABLED_ANNOTATION: (Urgency.TICKET,),
    imports.ALERTS_DISABLED_ANNOTATION: (Urgency.PAGE, Urgency.TICKET),
}
# Annotations of ours that other parts write or read (``cli.py slo-import`` keeps Sloth's and Pyrra's settings).
_OTHER_ANNOTATIONS = frozenset(
    value
    for name, value in vars(imports).items()
    if name.endswith("_ANNOTATION") and isinstance(value, str) and value.startswith(ANNOTATION_PREFIX)
)
_QUERY_HELP = (
    'the query must be a series selector naming a counter, like http_requests_total{service="checkout"}; '
    "the tool applies rate windows itself"
)


class _Builder:
    def __init__(self, limits: CatalogLimits) -> None:
        self.limits = limits
        self.problems: list[CatalogProblem] = []
        self.file_order: dict[str, int] = {}
        self.total_bytes = 0
        self.not_handled_slis: set[str] = set()  # valid SLIs skipped for a construct not handled yet
        self.conditions: dict[str, _Condition | None] = {}  # AlertCondition documents; None: it has problems
        self.policies: dict[str, _Policy | None] = {}  # AlertPolicy documents; None: it has problems
        self.used_conditions: set[str] = set()
        self.used_policies: set[str] = set()
        self.data_sources: dict[str, DataSource] = {}
        self.data_source_names: list[str] = []  # every DataSource document's name, valid or not
        self.sli_sources: dict[str, str | None] = {}  # per SLI document: the DataSource its metricSources name
        self._refs: list[tuple[str, str | None]] = []  # (field, DataSource or None) of each metricSource read

    def build(self, files: list[_Entry]) -> Catalog:
        documents: list[_Document] = []
        for entry in files:
            documents.extend(self._read(entry))

        # Which document owns each (kind, name): the first one, valid or not. Later ones are duplicates.
        owners: dict[tuple[str, str], _Document] = {}
        candidates: list[_Document] = []
        for doc in documents:
            checker = _Checker(doc, self.problems)
            identified = self._check_envelope(doc, checker)
            doc.envelope_problems = checker.count
            if not identified:
                self._note_other_kind(doc, checker)
                continue
            key = (doc.kind, doc.name)
            if key in owners:
                checker.problem(
                    "metadata.name",
                    f"duplicate {doc.kind} name {_quote(doc.name)}: already defined in "
                    f"{owners[key].place}, which wins; this one is skipped",
                )
                continue
            owners[key] = doc
            candidates.append(doc)

        # DataSources first: SLIs and SLOs anywhere in the catalog name them
        self.data_source_names = [doc.name for doc in candidates if doc.kind == "DataSource"]
        for doc in candidates:
            if doc.kind == "DataSource":
                checker = _Checker(doc, self.problems)
                data_source = self._data_source(doc, checker)
                if data_source is not None and not checker.skipped and not doc.envelope_problems:
                    self.data_sources[data_source.name] = data_source
        services: dict[str, Service] = {}
        # None: the SLI document has problems or is not handled yet
        slis: dict[str, RatioIndicator | _ThresholdMetric | None] = {}
        for doc in candidates:
            checker = _Checker(doc, self.problems)
            if doc.kind == "Service":
                service = self._service(doc, checker)
                if service is not None and not checker.skipped and not doc.envelope_problems:
                    services[service.name] = service
            elif doc.kind == "SLI":
                indicator, self.sli_sources[doc.name] = self._sourced_sli_spec(doc.data.get("spec"), "spec", checker)
                slis[doc.name] = indicator if not checker.skipped and not doc.envelope_problems else None
                if checker.not_handled_count and not checker.count and not doc.envelope_problems:
                    self.not_handled_slis.add(doc.name)
        sli_names = list(dict.fromkeys(doc.name for doc in documents if doc.kind == "SLI" and doc.name))
        alert_docs = {}
        for kind in ("AlertCondition", "AlertPolicy"):  # policies name conditions: those first
            for doc in candidates:
                if doc.kind == kind:
                    checker = _Checker(doc, self.problems)
                    parse = self._condition if kind == "AlertCondition" else self._policy
                    parsed = parse(doc.data, "", checker)
                    valid = parsed is not None and not checker.skipped and not doc.envelope_problems
                    (self.conditions if kind == "AlertCondition" else self.policies)[doc.name] = (
                        parsed if valid else None
                    )
                    alert_docs[(kind, doc.name)] = doc

        slos: list[SloDefinition] = []
        for doc in candidates:
            if doc.kind == "SLO":
                checker = _Checker(doc, self.problems)
                definitions = self._slo(doc, checker, slis, sli_names)
                if not checker.skipped and not doc.envelope_problems:
                    slos.extend(definitions)

        self._note_unused(alert_docs)
        self.problems.sort(
            key=lambda p: (self.file_order.get(p.file, len(self.file_order)), p.document or 0, p.item or 0)
        )
        return Catalog(
            slos=slos,
            services=services,
            problems=[p for p in self.problems if p.severity is Severity.PROBLEM],
            notices=[p for p in self.problems if p.severity is not Severity.PROBLEM],
            data_sources=dict(self.data_sources),
        )

    def _note_unused(self, alert_docs: dict[tuple[str, str], _Document]) -> None:
        """A valid AlertPolicy no SLO names, or AlertCondition no policy names, changes nothing: say so."""
        for (kind, name), doc in alert_docs.items():
            parsed = (self.conditions if kind == "AlertCondition" else self.policies).get(name)
            used = self.used_conditions if kind == "AlertCondition" else self.used_policies
            if parsed is not None and name not in used:
                where = (
                    "an AlertPolicy's spec.conditions" if kind == "AlertCondition" else "an SLO's spec.alertPolicies"
                )
                _Checker(doc, self.problems).problem(
                    None, f"{kind} {_quote(name)} is not named in {where}: it adds no alert tier", Severity.NOT_USED
                )

    @staticmethod
    def _note_other_kind(doc: _Document, checker: _Checker) -> None:
        """A valid envelope of an OpenSLO kind this tool does not use yet is a notice, not a problem."""
        kind = doc.data.get("kind") if isinstance(doc.data, dict) else None
        if kind in _OTHER_OPENSLO_KINDS and not checker.count and doc.name is not None:
            checker.problem(
                None, f"{kind} documents are read but not used yet: {_NOT_USED_REASONS[kind]}", Severity.NOT_USED
            )

    # -- files ----------------------------------------------------------------------------------------------------

    def _read(self, entry: _Entry) -> Iterator[_Document]:
        shown = _display(entry.path)
        self.file_order.setdefault(shown, len(self.file_order))
        text = self._text(entry, shown)
        if text is None:
            return
        try:
            loader = _Loader(text, self.limits)  # reads the whole text first: control characters are refused here
        except yaml.YAMLError as exc:
            self._file_problem(shown, f"not readable as YAML ({exc}); the file is skipped")
            return
        try:
            nodes = self._nodes(loader, shown) or []
            for number, node in enumerate(nodes, start=1):
                if _is_list_of_objects(node):
                    for item, item_node in enumerate(node.value, start=1):
                        doc = self._construct(loader, item_node, number, shown, item=item, single=len(nodes) == 1)
                        if doc is not None:
                            yield doc
                else:
                    doc = self._construct(loader, node, number, shown)
                    if doc is not None:
                        yield doc
        finally:
            loader.dispose()

    def _text(self, entry: _Entry, shown: str) -> str | None:
        """The file's text, or ``None`` once its refusal (link, special file, size cap, not UTF-8) is reported."""
        data = entry.refusal or _read_bytes(entry.path, self.limits.file_bytes)
        if isinstance(data, bytes) and self.total_bytes + len(data) > self.limits.total_bytes:
            data = (
                f"not read: the catalog's files together pass {_size_text(self.limits.total_bytes)}, "
                f"the cap for all files"
            )
        if isinstance(data, str):
            self._file_problem(shown, data)
            return None
        self.total_bytes += len(data)
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError as exc:
            self._file_problem(shown, f"not UTF-8 text ({exc.reason} at byte {exc.start}); the file is skipped")
            return None

    def _nodes(self, loader: _Loader, shown: str) -> list[yaml.Node | None] | None:
        """Every document of the file composed (not yet built), or ``None`` when the file breaks a cap: then none of
        it loads. Malformed YAML keeps the documents before it."""
        nodes: list[yaml.Node | None] = []
        documents = 0  # each item of a top-level list of objects counts as a document
        try:
            while loader.check_node():
                if documents == self.limits.documents:
                    raise _CapExceeded(f"more than {self.limits.documents} documents")
                node = loader.get_node()
                documents += len(node.value) if _is_list_of_objects(node) else 1
                if documents > self.limits.documents:
                    raise _CapExceeded(
                        f"more than {self.limits.documents} documents (items of a list count as one each)"
                    )
                nodes.append(node)
        except _CapExceeded as exc:
            self._file_problem(shown, f"{exc}; the file is skipped")
            return None
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
            where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
            what = " ".join(
                str(part) for part in (getattr(exc, "context", None), getattr(exc, "problem", None)) if part
            ) or str(exc)
            kept = f"the {len(nodes)} document(s) before it still load" if nodes else "nothing in this file loads"
            self._file_problem(shown, f"malformed YAML{where}: {what}; the rest of the file is skipped ({kept})")
        return nodes

    def _construct(
        self,
        loader: _Loader,
        node: yaml.Node | None,
        number: int,
        shown: str,
        item: int | None = None,
        single: bool = False,
    ) -> _Document | None:
        """Document ``number`` (or its list item ``item``) built from its node; ``None`` when it is empty or a value
        in it cannot be built."""
        loader.duplicate_keys = []
        try:
            data = loader.construct_document(node) if node is not None else None
        except (yaml.YAMLError, ValueError, TypeError, OverflowError) as exc:
            # The document was read but a value in it cannot be built (a date like 2026-02-30, a tag such
            # as !!python/object that safe loading refuses): skip this document, keep reading the file.
            loader.constructed_objects, loader.recursive_objects, loader.state_generators = {}, {}, []
            loader.deep_construct = False
            mark = getattr(exc, "problem_mark", None)
            where = (
                f"at line {mark.line + 1}, column {mark.column + 1}"
                if mark is not None
                else f"in the document starting at line {node.start_mark.line + 1}"
            )
            what = getattr(exc, "problem", None) or str(exc)
            self.problems.append(
                CatalogProblem(
                    file=shown,
                    document=number,
                    name=None,
                    field=None,
                    message=f"cannot read a value {where}: {what}",
                    item=item,
                    single_document=single,
                )
            )
            return None
        if data is None:
            return None  # an empty document, such as a trailing ---
        return _Document(
            file=shown,
            number=number,
            data=data,
            duplicate_keys=list(loader.duplicate_keys),
            item=item,
            single_document=single,
        )

    def _file_problem(self, file: str, message: str) -> None:
        self.problems.append(CatalogProblem(file=file, document=None, name=None, field=None, message=message))

    # -- every document --------------------------------------------------------------------------------------------

    def _check_envelope(self, doc: _Document, checker: _Checker) -> bool:
        """Check apiVersion, kind and metadata; return whether the document is identified: a supported kind and a
        valid name. Only identified documents are checked further (other problems in the envelope, such as a label
        that is not a string, are reported and skip the document later, after the rest of it has been checked)."""
        if not isinstance(doc.data, dict):
            got = _describe(doc.data)
            if isinstance(doc.data, list) and doc.data:
                first = next(i for i, item in enumerate(doc.data, start=1) if not isinstance(item, dict))
                got = f"a list whose item {first} is {_describe(doc.data[first - 1])}"
            checker.problem(
                None, f"a document must be a mapping (apiVersion, kind, metadata, spec) or a list of them, got {got}"
            )
            return False
        for key, line in doc.duplicate_keys:
            checker.problem(None, f"duplicate key {key!r} at line {line}: YAML would silently keep only the last one")
        required = ("apiVersion", "kind", "metadata") + (() if doc.data.get("kind") == "Service" else ("spec",))
        checker.mapping(doc.data, "", _DOCUMENT_FIELDS, required=required)
        api_version = doc.data.get("apiVersion")
        if "apiVersion" in doc.data and api_version != API_VERSION:
            checker.problem(
                "apiVersion", f"unsupported apiVersion {_describe(api_version)}: this tool reads {API_VERSION}"
            )
        kind = doc.data.get("kind")
        if "kind" in doc.data and kind not in _KINDS and kind not in _OTHER_OPENSLO_KINDS:
            known = _KINDS + _OTHER_OPENSLO_KINDS
            checker.problem(
                "kind", f"unknown kind {_describe(kind)}; expected one of {', '.join(known)}" + _suggestion(kind, known)
            )
        name = None
        if "metadata" in doc.data:
            metadata = checker.mapping(doc.data["metadata"], "metadata", _METADATA_FIELDS, required=("name",))
            if metadata is not None:
                if "name" in metadata:
                    name = checker.name(metadata["name"], "metadata.name")
                checker.string(metadata.get("displayName"), "metadata.displayName")
                checker.labels(metadata.get("labels"), "metadata.labels")
                checker.string_map(metadata.get("annotations"), "metadata.annotations")
        return api_version == API_VERSION and doc.kind is not None and name is not None

    # -- Service --------------------------------------------------------------------------------------------------

    def _service(self, doc: _Document, checker: _Checker) -> Service | None:
        spec = checker.mapping(doc.data["spec"], "spec", _SERVICE_SPEC_FIELDS) if "spec" in doc.data else None
        description = checker.string(spec.get("description"), "spec.description") if spec else None
        return Service(name=doc.name, display_name=_display_name(doc), description=description)

    # -- DataSource -----------------------------------------------------------------------------------------------

    def _data_source(self, doc: _Document, checker: _Checker) -> DataSource | None:
        spec = checker.mapping(
            doc.data.get("spec"), "spec", _DATA_SOURCE_SPEC_FIELDS, required=("type", "connectionDetails")
        )
        if spec is None:
            return None
        checker.string(spec.get("description"), "spec.description")
        kind = EngineKind.parse(spec.get("type"))
        if "type" in spec and kind is None:
            checker.problem(
                "spec.type",
                f"unsupported DataSource type {_describe(spec.get('type'))}: this tool reads what speaks the "
                f"Prometheus HTTP API: {ENGINE_KINDS_TEXT}",
            )
        if "connectionDetails" not in spec:
            return None
        secret_help = _secret_help(doc.name)
        details = checker.mapping(
            spec["connectionDetails"],
            "spec.connectionDetails",
            _CONNECTION_FIELDS,
            required=("url",),
            refused={
                key: secret_help
                for key in (spec["connectionDetails"] if isinstance(spec["connectionDetails"], dict) else ())
                if isinstance(key, str) and key not in _CONNECTION_FIELDS and _SECRET_NAME.fullmatch(key)
            },
        )
        if details is None or "url" not in details:
            return None
        url_text = checker.string(details["url"], "spec.connectionDetails.url", required=True)
        url = SecretUrl.parse(url_text or "")
        if url_text is None:
            return None
        if url.username or url.has_password:
            checker.problem("spec.connectionDetails.url", f"the URL holds credentials: {secret_help}")
            return None
        if url.problem or url.scheme.lower() not in ("http", "https") or not url.host:
            checker.problem("spec.connectionDetails.url", "must be an http(s) URL like http://mimir:8080/prometheus")
            return None
        if kind is not None and kind.needs_path_prefix and urlsplit(url_text).path.strip("/") == "":
            checker.problem(
                "spec.connectionDetails.url",
                f"{kind.value} answers the Prometheus API under a path prefix: give it, as in "
                f"{url_text.rstrip('/')}/prometheus",
            )
            return None
        headers = []
        for name, value in checker.string_map(details.get("headers"), "spec.connectionDetails.headers").items():
            if _SECRET_NAME.fullmatch(name):
                checker.problem(f"spec.connectionDetails.headers.{name}", secret_help)
            elif not _HEADER_NAME.fullmatch(name) or not value.strip() or any(c in value for c in "\r\n\x00"):
                checker.problem(
                    f"spec.connectionDetails.headers.{name}",
                    "must be a header name (letters, digits, '-') and a value on one line",
                )
            else:
                headers.append((name, value.strip()))
        return DataSource(
            name=doc.name,
            url=url_text.rstrip("/"),
            display_name=_display_name(doc),
            headers=tuple(headers),
            place=doc.place,
            kind=kind or EngineKind.PROMETHEUS,
        )

    # -- SLI ------------------------------------------------------------------------------------------------------

    def _sourced_sli_spec(
        self, value: Any, path: str, checker: _Checker
    ) -> tuple[RatioIndicator | _ThresholdMetric | None, str | None]:
        """The SLI spec and the DataSource its metricSources name (None: the default source). Every metricSource
        of one SLI names the same DataSource, or none does."""
        self._refs = []
        indicator = self._sli_spec(value, path, checker)
        refs, self._refs = self._refs, []
        if not refs:
            return indicator, None
        first_path, first = refs[0]
        for where, name in refs[1:]:
            if name != first:
                said = f"names DataSource {_quote(name)}" if name else "names no metricSourceRef"
                first_said = f"names {_quote(first)}" if first else "names none"
                checker.problem(
                    f"{where}.metricSourceRef" if name else where,
                    f"every metricSource of an SLI must name the same DataSource: this one {said}, "
                    f"{first_path} {first_said}",
                )
                return None, None
        return indicator, first

    def _sli_spec(self, value: Any, path: str, checker: _Checker) -> RatioIndicator | _ThresholdMetric | None:
        spec = checker.mapping(value, path, _SLI_SPEC_FIELDS, unsupported=_SLI_SPEC_UNSUPPORTED)
        if spec is None:
            return None
        checker.string(spec.get("description"), f"{path}.description")
        if "ratioMetric" in spec and "thresholdMetric" in spec:
            checker.problem(path, "give ratioMetric or thresholdMetric, not both")
            return None
        if "thresholdMetric" in spec:
            query = self._query(spec["thresholdMetric"], f"{path}.thresholdMetric", checker, expression=True)
            return None if query is None else _ThresholdMetric(query)
        if "ratioMetric" not in spec:
            checker.problem(f"{path}.ratioMetric", "required: give ratioMetric or thresholdMetric")
            return None
        ratio_path = f"{path}.ratioMetric"
        is_raw = isinstance(spec["ratioMetric"], dict) and "raw" in spec["ratioMetric"]
        ratio = checker.mapping(
            spec["ratioMetric"],
            ratio_path,
            _RATIO_FIELDS,
            required=("raw", "rawType") if is_raw else ("counter", "total"),
        )
        if ratio is None:
            return None
        if is_raw:
            return self._raw_ratio(ratio, ratio_path, checker)
        if "rawType" in ratio:
            checker.problem(f"{ratio_path}.rawType", "only with raw: good (or bad) and total say what they count")
        counter = ratio.get("counter", True)
        if not isinstance(counter, bool):
            checker.problem(f"{ratio_path}.counter", f"must be true or false, got {_describe(counter)}")
        has_good, has_bad = "good" in ratio, "bad" in ratio
        if has_good and has_bad:
            checker.problem(ratio_path, "give good or bad, not both")
        elif not has_good and not has_bad:
            checker.problem(f"{ratio_path}.good", "required: give good (or bad) events")
        good = self._query(ratio.get("good"), f"{ratio_path}.good", checker) if has_good else None
        bad = self._query(ratio.get("bad"), f"{ratio_path}.bad", checker) if has_bad else None
        total = self._query(ratio.get("total"), f"{ratio_path}.total", checker) if "total" in ratio else None
        if total is None or (good is None) == (bad is None):
            return None
        return RatioIndicator(total_query=total, good_query=good, bad_query=bad, counter=counter is not False)

    def _raw_ratio(self, ratio: dict, path: str, checker: _Checker) -> RawRatioIndicator | None:
        """A precomputed ratio (``raw`` with ``rawType`` success or failure), read one point a minute; good, bad
        and total cannot come with it (``counter`` is ignored, as the spec says)."""
        for other in ("good", "bad", "total"):
            if other in ratio:
                checker.problem(f"{path}.{other}", "raw is a ratio already: give raw or good/bad and total, not both")
        kind = ratio.get("rawType")
        raw_type = next((each for each in RawType if isinstance(kind, str) and kind.lower() == each.value), None)
        if raw_type is None:
            checker.problem(f"{path}.rawType", f"must be success or failure, got {_describe(kind)}")
        query = self._query(ratio.get("raw"), f"{path}.raw", checker, expression=True)
        if query is None or raw_type is None or any(other in ratio for other in ("good", "bad", "total")):
            return None
        return RawRatioIndicator(query=query, raw_type=raw_type)

    def _query(self, value: Any, path: str, checker: _Checker, expression: bool = False) -> str | None:
        """The query of a ``metricSource``: a series selector of a counter, or with ``expression`` (a
        thresholdMetric) any PromQL expression, evaluated as written."""
        part = checker.mapping(value, path, ("metricSource",), required=("metricSource",))
        if part is None or "metricSource" not in part:
            return None
        source_path = f"{path}.metricSource"
        by_reference = isinstance(part["metricSource"], dict) and "metricSourceRef" in part["metricSource"]
        source = checker.mapping(
            part["metricSource"],
            source_path,
            _METRIC_SOURCE_FIELDS,
            required=("spec",) if by_reference else ("type", "spec"),  # the DataSource gives the type
        )
        if source is None:
            return None
        if by_reference:
            ref_path = f"{source_path}.metricSourceRef"
            ref = checker.string(source["metricSourceRef"], ref_path, required=True)
            if ref is None:
                return None
            if ref not in self.data_sources:
                if ref in self.data_source_names:
                    message = f"DataSource {_quote(ref)} has problems of its own (reported with it)"
                else:
                    known = ", ".join(_quote(name) for name in self.data_sources) or "none"
                    message = f"no DataSource named {_quote(ref)} in the catalog (known: {known})" + _suggestion(
                        ref, list(self.data_sources), quoted=True
                    )
                checker.problem(ref_path, message)
                return None
        query = self._metric_query(source, source_path, checker, expression)
        if query is not None:  # only a metricSource that reads counts for the sameness of its SLI's DataSource
            self._refs.append((source_path, source["metricSourceRef"].strip() if by_reference else None))
        return query

    def _metric_query(
        self, source: dict[str, Any], source_path: str, checker: _Checker, expression: bool
    ) -> str | None:
        source_type = source.get("type")
        if "type" in source and EngineKind.parse(source_type) is None:
            checker.problem(
                f"{source_path}.type",
                f"unsupported metric source {_describe(source_type)}: this tool reads what speaks the Prometheus "
                f"HTTP API: {ENGINE_KINDS_TEXT}",
            )
        if "spec" not in source:
            return None
        spec = checker.mapping(source["spec"], f"{source_path}.spec", ("query",), required=("query",))
        if spec is None or "query" not in spec:
            return None
        query_path = f"{source_path}.spec.query"
        query = checker.string(spec["query"], query_path, required=True)
        if query is None:
            return None
        if expression:
            problem = _expression_problem(query)
            if problem:
                checker.problem(query_path, problem)
                return None
            return query
        try:
            parse_selector(query)
        except SelectorError as exc:
            checker.problem(query_path, f"{exc}: {_QUERY_HELP}")
            return None
        return query

    # -- SLO ------------------------------------------------------------------------------------------------------

    def _slo(
        self,
        doc: _Document,
        checker: _Checker,
        slis: dict[str, RatioIndicator | _ThresholdMetric | None],
        sli_names: list[str],
    ) -> list[SloDefinition]:
        """The SLO document's definitions: one, named as the document, or one per objective (``name/objective``)."""
        spec = checker.mapping(
            doc.data.get("spec"),
            "spec",
            _SLO_SPEC_FIELDS,
            unsupported=_SLO_SPEC_UNSUPPORTED,
            required=("service", "budgetingMethod", "objectives"),
        )
        if spec is None:
            return []
        description = checker.string(spec.get("description"), "spec.description")
        service = checker.name(spec["service"], "spec.service") if "service" in spec else None
        indicator, indicator_name, data_source = self._slo_indicator(spec, checker, slis, sli_names)
        window = self._time_window(spec["timeWindow"], checker) if "timeWindow" in spec else DEFAULT_TIME_WINDOW
        method = self._budgeting_method(spec["budgetingMethod"], checker) if "budgetingMethod" in spec else None
        threshold = isinstance(indicator, _ThresholdMetric)
        objectives = (
            self._objectives(spec["objectives"], checker, method, threshold=threshold if indicator else None)
            if "objectives" in spec
            else None
        )
        tiers = self._slo_tiers(doc, spec, checker)
        review_every = self._review_every(doc)
        split_by = self._split_by(doc)
        if split_by and (
            threshold or isinstance(indicator, RawRatioIndicator) or method not in (None, BudgetingMethod.OCCURRENCES)
        ):
            checker.problem(
                f"metadata.annotations.{SPLIT_BY_ANNOTATION}",
                "a split SLO counts events by label: it needs budgetingMethod Occurrences and a ratioMetric",
            )
        if checker.skipped or doc.envelope_problems or None in (service, indicator, window, method, objectives, tiers):
            return []
        display_name = _display_name(doc)
        labels = _labels(doc.data["metadata"].get("labels"))
        single = len(objectives) == 1
        return [
            SloDefinition(
                name=doc.name if single else f"{doc.name}/{objective.key}",
                service=service,
                target=objective.target,
                time_window=window,
                indicator=objective.indicator(indicator),
                display_name=(display_name or objective.display_name) if single else display_name,
                description=description,
                indicator_name=indicator_name,
                budgeting_method=method,
                time_slices=objective.time_slices,
                source=doc.place if single else f"{doc.place}, spec.objectives[{objective.index}]",
                labels=labels,
                objective_display_name=objective.display_name,
                objective_key=None if single else objective.key,
                tiers=tiers,
                review_every=review_every,
                split_by=split_by,
                data_source=data_source,
            )
            for objective in objectives
        ]

    def _slo_indicator(
        self,
        spec: dict[str, Any],
        checker: _Checker,
        slis: dict[str, RatioIndicator | _ThresholdMetric | None],
        sli_names: list[str],
    ) -> tuple[RatioIndicator | _ThresholdMetric | None, str | None, str | None]:
        """The indicator, its SLI's name and the DataSource its metricSources name (None: the default)."""
        if "indicator" in spec and "indicatorRef" in spec:
            checker.problem("spec", "give indicator or indicatorRef, not both")
            return None, None, None
        if "indicatorRef" in spec:
            ref = checker.string(spec["indicatorRef"], "spec.indicatorRef", required=True)
            if ref is None:
                return None, None, None
            if ref not in slis:
                if ref in sli_names:  # an SLI document of that name exists but could not even be identified
                    checker.problem(
                        "spec.indicatorRef",
                        f"SLI {_quote(ref)} has problems of its own (reported with "
                        f"it); this SLO is skipped until they are fixed",
                    )
                else:
                    checker.problem(
                        "spec.indicatorRef",
                        f"no SLI named {_quote(ref)} in the catalog" + _suggestion(ref, sli_names, quoted=True),
                    )
                return None, None, None
            if ref in self.not_handled_slis:
                checker.not_handled(
                    "spec.indicatorRef",
                    f"SLI {_quote(ref)} uses something this tool does not handle yet (noted with it); "
                    f"this SLO is skipped",
                )
                return None, None, None
            if slis[ref] is None:
                checker.problem(
                    "spec.indicatorRef",
                    f"SLI {_quote(ref)} has problems of its own (reported with it); "
                    f"this SLO is skipped until they are fixed",
                )
                return None, None, None
            return slis[ref], ref, self.sli_sources.get(ref)
        if "indicator" not in spec:
            checker.problem("spec.indicator", "required: give an inline indicator or an indicatorRef to an SLI")
            return None, None, None
        inline = checker.mapping(
            spec["indicator"], "spec.indicator", ("metadata", "spec"), required=("metadata", "spec")
        )
        if inline is None:
            return None, None, None
        name = None
        if "metadata" in inline:
            metadata = checker.mapping(
                inline["metadata"], "spec.indicator.metadata", _METADATA_FIELDS, required=("name",)
            )
            if metadata is not None:
                name = checker.name(metadata["name"], "spec.indicator.metadata.name") if "name" in metadata else None
                checker.string(metadata.get("displayName"), "spec.indicator.metadata.displayName")
                checker.labels(metadata.get("labels"), "spec.indicator.metadata.labels")
                checker.string_map(metadata.get("annotations"), "spec.indicator.metadata.annotations")
        if "spec" not in inline:
            return None, name, None
        indicator, data_source = self._sourced_sli_spec(inline["spec"], "spec.indicator.spec", checker)
        return indicator, name, data_source

    def _time_window(self, value: Any, checker: _Checker) -> TimeWindow | None:
        if not isinstance(value, list):
            checker.problem(
                "spec.timeWindow", f"must be a list with one item (- duration: 30d ...), got {_describe(value)}"
            )
            return None
        if len(value) != 1:
            checker.problem("spec.timeWindow", f"must have exactly one item, got {len(value)}")
            return None
        path = "spec.timeWindow[0]"
        item = checker.mapping(value[0], path, _TIME_WINDOW_FIELDS, required=("duration",))
        if item is None:
            return None
        rolling = item.get("isRolling")
        if rolling is not None and not isinstance(rolling, bool):
            checker.problem(f"{path}.isRolling", f"must be true or false, got {_describe(rolling)}")
            return None
        duration = checker.string(item.get("duration"), f"{path}.duration", required=True)
        if "calendar" not in item:
            return self._rolling_window(rolling, duration, path, checker)
        return self._calendar_window(item, rolling, duration, path, checker)

    @staticmethod
    def _rolling_window(rolling: bool | None, duration: str | None, path: str, checker: _Checker) -> TimeWindow | None:
        if rolling is not True:
            checker.problem(f"{path}.isRolling", "a window without a calendar must say isRolling: true")
            return None
        if duration is None:
            return None
        if duration[-1:] not in ROLLING_UNITS:
            checker.problem(
                f"{path}.duration",
                f"{_quote(duration)} is not a rolling duration: use m, h, d or w "
                f"(like 28d); months, quarters and years are calendar windows",
            )
            return None
        try:
            parse_duration(duration)
        except ValueError as exc:
            checker.problem(f"{path}.duration", str(exc))
            return None
        return TimeWindow(duration=duration, is_rolling=True)

    def _calendar_window(
        self, item: dict, rolling: bool | None, duration: str | None, path: str, checker: _Checker
    ) -> TimeWindow | None:
        if rolling is True:
            checker.problem(f"{path}.isRolling", "a calendar window cannot be rolling: drop isRolling or set it false")
            return None
        if duration is not None:
            try:
                parse_calendar_duration(duration)
            except ValueError as exc:
                checker.problem(f"{path}.duration", f"{exc} (calendar units: d, w, M, Q, Y)")
                duration = None
        calendar = checker.mapping(item["calendar"], f"{path}.calendar", _CALENDAR_FIELDS, required=_CALENDAR_FIELDS)
        if calendar is None or duration is None or not all(key in calendar for key in _CALENDAR_FIELDS):
            return None
        zone_name = checker.string(calendar["timeZone"], f"{path}.calendar.timeZone", required=True)
        zone = _zone(zone_name) if zone_name else None
        if zone_name and zone is None:
            checker.problem(
                f"{path}.calendar.timeZone",
                f"{_quote(zone_name)} is not a known IANA time zone (like "
                f"Europe/Berlin or UTC)" + _suggestion(zone_name, sorted(_zone_names()), quoted=True),
            )
        start = self._start_time(calendar["startTime"], f"{path}.calendar.startTime", checker)
        if zone is None or start is None:
            return None
        return TimeWindow(
            duration=duration, is_rolling=False, calendar_start=start.replace(tzinfo=zone), time_zone=zone_name
        )

    @staticmethod
    def _start_time(value: Any, path: str, checker: _Checker) -> datetime | None:
        if isinstance(value, datetime):  # YAML reads an unquoted timestamp itself
            moment = value
        elif isinstance(value, date):
            moment = datetime(value.year, value.month, value.day)
        elif isinstance(value, str):
            try:
                moment = datetime.fromisoformat(value.strip())
            except ValueError:
                checker.problem(path, f'{_quote(value)} is not a time like "2026-01-01 00:00:00"')
                return None
        else:
            checker.problem(path, f'must be a time like "2026-01-01 00:00:00", got {_describe(value)}')
            return None
        if moment.tzinfo is not None:
            checker.problem(path, "must be a local time without offset: the zone comes from timeZone")
            return None
        return moment

    @staticmethod
    def _budgeting_method(value: Any, checker: _Checker) -> BudgetingMethod | None:
        for method in BudgetingMethod:
            if value == method.value:
                return method
        checker.problem(
            "spec.budgetingMethod",
            f"unknown budgetingMethod {_describe(value)}; expected one of "
            f"{', '.join(_BUDGETING_METHODS)}" + _suggestion(value, _BUDGETING_METHODS),
        )
        return None

    @classmethod
    def _objectives(
        cls, value: Any, checker: _Checker, method: BudgetingMethod | None, threshold: bool | None
    ) -> list[_Objective] | None:
        """Every objective, each with the key that names its SLO (``name/key``) when there are several: its
        displayName as a slug, else its index. ``None`` once any objective has a problem."""
        if not isinstance(value, list) or not value:
            checker.problem(
                "spec.objectives", f"must be a list of objectives (- target: 0.999), got {_describe(value)}"
            )
            return None
        objectives = [
            cls._objective(item, f"spec.objectives[{index}]", checker, method, threshold)
            for index, item in enumerate(value)
        ]
        if None in objectives:
            return None
        owners: dict[str, int] = {}
        for objective in objectives:
            if objective.key in owners:
                checker.problem(
                    f"spec.objectives[{objective.index}].displayName",
                    f"objectives {owners[objective.key]} and {objective.index} would both be named "
                    f"{_quote(objective.key)}: give them different displayNames",
                )
            owners.setdefault(objective.key, objective.index)
        return None if len(owners) < len(objectives) else objectives

    @staticmethod
    def _objective(
        value: Any, path: str, checker: _Checker, method: BudgetingMethod | None, threshold: bool | None
    ) -> _Objective | None:
        """One objective. ``threshold``: the SLO's indicator is a thresholdMetric (op and value required), a
        ratioMetric (op and value refused), or unknown (``None``: the indicator has problems of its own)."""
        index = int(path[path.rindex("[") + 1 : -1])
        refused = {}
        if method not in (BudgetingMethod.TIMESLICES, BudgetingMethod.RATIO_TIMESLICES):
            note = "only used with budgetingMethod Timeslices or RatioTimeslices; remove it"
            refused = {"timeSliceTarget": note, "timeSliceWindow": note}
        elif method is BudgetingMethod.RATIO_TIMESLICES:
            refused = {
                "timeSliceTarget": "RatioTimeslices averages the slices' ratios: no slice target; remove it, or use "
                "budgetingMethod Timeslices"
            }
        if threshold is False:
            note = "only used with a thresholdMetric indicator (a ratioMetric's SLI is good/total); remove it"
            refused |= {"op": note, "value": note}
        objective = checker.mapping(value, path, _OBJECTIVE_FIELDS, refused=refused)
        if objective is None:
            return None
        slices = _time_slices(objective, path, checker, method) if method is not None else None
        compared = _comparison(objective, path, checker) if threshold else None
        if (slices is None and method in (BudgetingMethod.TIMESLICES, BudgetingMethod.RATIO_TIMESLICES)) or (
            threshold and compared is None
        ):
            return None
        display_name = checker.string(objective.get("displayName"), f"{path}.displayName")
        if "target" in objective and "targetPercent" in objective:
            checker.problem(path, "give target or targetPercent, not both")
            return None
        if "target" in objective:
            target = _number(objective["target"], f"{path}.target", checker, upper=1, upper_text="1")
        elif "targetPercent" in objective:
            percent = _number(objective["targetPercent"], f"{path}.targetPercent", checker, upper=100, upper_text="100")
            target = None if percent is None else float(Decimal(str(percent)) / 100)
        else:
            checker.problem(f"{path}.target", "required: give target (like 0.999) or targetPercent (like 99.9)")
            return None
        if target is None:
            return None
        return _Objective(
            index=index,
            target=target,
            display_name=display_name,
            key=_slug(display_name) or str(index),
            time_slices=slices,
            comparison=compared,
        )

    # -- alert tiers: annotations, AlertPolicy, AlertCondition -------------------------------------------------

    def _slo_tiers(self, doc: _Document, spec: dict[str, Any], checker: _Checker) -> tuple[AlertTier, ...] | None:
        """The SLO's alert tiers: its AlertPolicies when it names some, else the Workbook's four as its annotations
        tune them (which are on, their severity names); the minimum-traffic guard applies to either. ``None`` once
        there is a problem."""
        annotations = doc.data["metadata"].get("annotations")
        settings = self._tier_annotations(annotations if isinstance(annotations, dict) else {}, checker)
        if settings is None:
            return None
        if "alertPolicies" not in spec:
            return _workbook_tiers(settings)
        tuned = [
            key
            for key in (TIERS_ANNOTATION, PAGE_SEVERITY_ANNOTATION, TICKET_SEVERITY_ANNOTATION, *_IMPORTED_SWITCHES)
            if settings.get(key, False) is not False
        ]
        if tuned:
            checker.problem(
                f"metadata.annotations.{tuned[0]}",
                "tunes the SRE Workbook's tiers, but this SLO names alertPolicies, which are its tiers: remove "
                "the annotation or the alertPolicies",
            )
            return None
        policies = self._slo_policies(spec["alertPolicies"], checker)
        if policies is None:
            return None
        tiers = []
        owners: dict[tuple[str, str, str], str] = {}
        for policy in policies:
            if not policy.breaching:
                continue
            condition = policy.condition
            key = (condition.severity, condition.lookback, short_window_for(condition.lookback))
            if key in owners:
                checker.problem(
                    "spec.alertPolicies",
                    f"AlertPolicies {_quote(owners[key])} and {_quote(policy.name)} both make a "
                    f"{_quote(condition.severity)} tier over {condition.lookback}: their alerts could not be told "
                    f"apart; give them different severities or lookbackWindows",
                )
                return None
            owners[key] = policy.name
            tiers.append(
                AlertTier(
                    urgency=condition.urgency,
                    long_window=condition.lookback,
                    short_window=short_window_for(condition.lookback),
                    burn_rate=condition.threshold,
                    severity_name=condition.severity,
                    op=condition.op,
                    min_events=settings.get(MIN_EVENTS_ANNOTATION),
                    min_bad_events=settings.get(MIN_BAD_EVENTS_ANNOTATION),
                    alert_after=None if condition.alert_after == "0m" else condition.alert_after,
                    policy=policy.name,
                )
            )
        return tuple(tiers)

    @staticmethod
    def _review_every(doc: _Document) -> timedelta | None:
        """The review cadence the SLO sets; a bad value was already reported by ``_tier_annotations``."""
        annotations = doc.data["metadata"].get("annotations")
        value = annotations.get(REVIEW_EVERY_ANNOTATION) if isinstance(annotations, dict) else None
        try:
            return parse_review_cadence(value) if isinstance(value, str) else None
        except ValueError:
            return None

    @staticmethod
    def _split_by(doc: _Document) -> tuple[str, ...]:
        """The labels the SLO is split by; a bad value was already reported by ``_tier_annotations``."""
        annotations = doc.data["metadata"].get("annotations")
        value = annotations.get(SPLIT_BY_ANNOTATION) if isinstance(annotations, dict) else None
        try:
            return parse_split_by(value) if isinstance(value, str) else ()
        except ValueError:
            return ()

    @staticmethod
    def _tier_annotations(annotations: dict[Any, Any], checker: _Checker) -> dict[str, Any] | None:
        """The ``reliability-dashboard/`` annotations that tune tiers, read: tiers as long windows, severity names,
        guards as integers. An unknown annotation of ours is a problem (a typo would silently change nothing)."""
        settings: dict[str, Any] = {}
        ok = True
        for key, value in annotations.items():
            if not isinstance(key, str) or not key.startswith(ANNOTATION_PREFIX) or not isinstance(value, str):
                continue  # other annotations belong to other tools; non-strings are reported with the metadata
            path = f"metadata.annotations.{key}"
            if key in _IMPORTED_SWITCHES:
                if value.strip() not in ("true", "false"):
                    checker.problem(path, f"must be true or false, got {_describe(value)}")
                    ok = False
                else:
                    settings[key] = value.strip() == "true"
            elif key == REVIEW_EVERY_ANNOTATION:
                try:
                    settings[key] = parse_review_cadence(value)
                except ValueError as error:
                    checker.problem(path, str(error))
                    ok = False
            elif key == SPLIT_BY_ANNOTATION:
                try:
                    settings[key] = parse_split_by(value)
                except ValueError as error:
                    checker.problem(path, str(error))
                    ok = False
            elif key not in TIER_ANNOTATIONS:
                if key not in _OTHER_ANNOTATIONS:  # a typo would silently change nothing
                    checker.problem(path, _unknown(key, _SLO_ANNOTATIONS).replace("field", "annotation"))
                    ok = False
            elif key == TIERS_ANNOTATION:
                windows = _tier_list(value)
                if windows is None:
                    checker.problem(
                        path,
                        f"{_quote(value)} is not a list of the SRE Workbook's tiers: give their long windows, "
                        f'comma-separated, from {", ".join(_WORKBOOK_WINDOWS)} (like "1h, 6h"), or none',
                    )
                    ok = False
                else:
                    settings[key] = windows
            elif key in (PAGE_SEVERITY_ANNOTATION, TICKET_SEVERITY_ANNOTATION):
                if not value.strip() or len(value.strip()) > 63:
                    checker.problem(path, "must be a severity name of 1 to 63 characters, like P1 or sev2")
                    ok = False
                else:
                    settings[key] = value.strip()
            else:
                number = value.strip()
                if not number.isascii() or not number.isdigit() or len(number) > 12 or int(number) < 1:
                    checker.problem(path, f'{_quote(value)} is not a whole number of events of at least 1 (like "100")')
                    ok = False
                else:
                    settings[key] = int(number)
        return settings if ok else None

    def _slo_policies(self, value: Any, checker: _Checker) -> list[_Policy] | None:
        """``spec.alertPolicies``: each an ``alertPolicyRef`` to an AlertPolicy document or an inline policy."""
        if not isinstance(value, list) or not value:
            checker.problem(
                "spec.alertPolicies",
                f"must be a list of alert policies (- alertPolicyRef: name, or an inline AlertPolicy), got "
                f"{_describe(value)}; leave it out for the SRE Workbook's four tiers",
            )
            return None
        policies = []
        for index, item in enumerate(value):
            path = f"spec.alertPolicies[{index}]"
            if isinstance(item, dict) and "alertPolicyRef" in item:
                checker.mapping(item, path, ("alertPolicyRef",))
                ref = checker.string(item["alertPolicyRef"], f"{path}.alertPolicyRef", required=True)
                policy = self._referenced(ref, f"{path}.alertPolicyRef", "AlertPolicy", self.policies, checker)
                if policy is not None:
                    self.used_policies.add(ref)
            else:
                policy = self._inline(item, path, "AlertPolicy", self._policy, checker)
            if policy is None:
                return None
            policies.append(policy)
        return policies

    def _referenced(self, ref: str | None, path: str, kind: str, known: dict, checker: _Checker) -> Any:
        if ref is None:
            return None
        if ref not in known:
            checker.problem(path, f"no {kind} named {_quote(ref)} in the catalog" + _suggestion(ref, list(known), True))
            return None
        if known[ref] is None:
            checker.problem(
                path, f"{kind} {_quote(ref)} has problems of its own (reported with it); skipped until they are fixed"
            )
        return known[ref]

    @staticmethod
    def _inline(item: Any, path: str, kind: str, parse, checker: _Checker) -> Any:
        """An inline ``{kind, metadata, spec}`` object of ``kind``, parsed by ``parse(data, path, checker)``."""
        data = checker.mapping(item, path, ("kind", "metadata", "spec"), required=("kind", "metadata", "spec"))
        if data is None or not all(key in data for key in ("kind", "metadata", "spec")):
            return None
        if data["kind"] != kind:
            checker.problem(f"{path}.kind", f"must be {kind} (or refer to one by name), got {_describe(data['kind'])}")
            return None
        metadata = checker.mapping(data["metadata"], f"{path}.metadata", _METADATA_FIELDS, required=("name",))
        if metadata is None or "name" not in metadata:
            return None
        if checker.name(metadata["name"], f"{path}.metadata.name") is None:
            return None
        checker.string(metadata.get("displayName"), f"{path}.metadata.displayName")
        checker.labels(metadata.get("labels"), f"{path}.metadata.labels")
        checker.string_map(metadata.get("annotations"), f"{path}.metadata.annotations")
        return parse(data, f"{path}.", checker)

    def _policy(self, data: dict[str, Any], prefix: str, checker: _Checker) -> _Policy | None:
        """An AlertPolicy (a document, ``prefix`` empty, or inline): one condition, inline or by ``conditionRef``."""
        name = data["metadata"]["name"]
        spec = checker.mapping(data.get("spec"), f"{prefix}spec", _POLICY_SPEC_FIELDS, required=("conditions",))
        if spec is None:
            return None
        checker.string(spec.get("description"), f"{prefix}spec.description")
        for flag in ("alertWhenNoData", "alertWhenResolved", "alertWhenBreaching"):
            if flag in spec and not isinstance(spec[flag], bool):
                checker.problem(f"{prefix}spec.{flag}", f"must be true or false, got {_describe(spec[flag])}")
        targets = spec.get("notificationTargets", [])
        if not isinstance(targets, list) or not all(isinstance(target, dict) for target in targets):
            checker.problem(
                f"{prefix}spec.notificationTargets",
                f"must be a list of targets (- targetRef: name), got {_describe(targets)}",
            )
        conditions = spec.get("conditions")
        path = f"{prefix}spec.conditions"
        if not isinstance(conditions, list) or len(conditions) != 1:
            got = f"{len(conditions)} conditions" if isinstance(conditions, list) else _describe(conditions)
            checker.problem(
                path,
                f"must be a list of exactly one condition (OpenSLO v1 allows one per policy; give each tier its "
                f"own AlertPolicy), got {got}",
            )
            return None
        item = conditions[0]
        if isinstance(item, dict) and "conditionRef" in item:
            checker.mapping(item, f"{path}[0]", ("conditionRef",))
            ref = checker.string(item["conditionRef"], f"{path}[0].conditionRef", required=True)
            condition = self._referenced(ref, f"{path}[0].conditionRef", "AlertCondition", self.conditions, checker)
            if condition is not None:
                self.used_conditions.add(ref)
        else:
            condition = self._inline(item, f"{path}[0]", "AlertCondition", self._condition, checker)
        if condition is None or checker.count:
            return None
        return _Policy(name=name, condition=condition, breaching=spec.get("alertWhenBreaching") is not False)

    @staticmethod
    def _condition(data: dict[str, Any], prefix: str, checker: _Checker) -> _Condition | None:
        """An AlertCondition of kind burnrate: its severity (and whether that pages), op, threshold, windows."""
        spec = checker.mapping(
            data.get("spec"), f"{prefix}spec", _CONDITION_SPEC_FIELDS, required=("severity", "condition")
        )
        if spec is None:
            return None
        checker.string(spec.get("description"), f"{prefix}spec.description")
        severity = checker.string(spec.get("severity"), f"{prefix}spec.severity", required=True)
        path = f"{prefix}spec.condition"
        condition = checker.mapping(
            spec.get("condition"), path, _CONDITION_FIELDS, required=("op", "threshold", "lookbackWindow")
        )
        if condition is None or severity is None:
            return None
        kind = condition.get("kind", "burnrate")
        if kind != "burnrate":
            checker.problem(f"{path}.kind", f"unknown condition kind {_describe(kind)}; OpenSLO v1 has burnrate")
        op = _OPS.get(condition.get("op")) if isinstance(condition.get("op"), str) else None
        if "op" in condition and op is None:
            checker.problem(f"{path}.op", f"must be one of {', '.join(_OPS)}, got {_describe(condition['op'])}")
        threshold = condition.get("threshold")
        if "threshold" in condition and (
            isinstance(threshold, bool)
            or not isinstance(threshold, (int, float))
            or not math.isfinite(threshold)
            or threshold <= 0
        ):
            checker.problem(f"{path}.threshold", f"must be a burn rate above 0 (like 14.4), got {_describe(threshold)}")
            threshold = None
        lookback = _lookback_window(condition.get("lookbackWindow"), f"{path}.lookbackWindow", checker)
        alert_after = _alert_after(condition.get("alertAfter", "0m"), f"{path}.alertAfter", checker)
        urgency = _urgency(data["metadata"].get("annotations"), severity, prefix, checker)
        if None in (op, threshold, lookback, alert_after, urgency) or checker.count:
            return None
        return _Condition(
            severity=severity,
            urgency=urgency,
            op=op,
            threshold=float(threshold),
            lookback=lookback,
            alert_after=alert_after,
        )


# --------------------------------------------------------------------------------------------------------------------
# Helpers


@dataclass(frozen=True)
class _Objective:
    index: int  # position in spec.objectives, from 0 as in the field path
    target: float
    display_name: str | None
    key: str  # names its SLO ``name/key`` when the SLO has several objectives
    time_slices: TimeSlices | None = None
    comparison: tuple[Op, float] | None = None  # a thresholdMetric's op and value

    def indicator(self, indicator: RatioIndicator | _ThresholdMetric) -> RatioIndicator | ThresholdIndicator:
        if isinstance(indicator, _ThresholdMetric) and self.comparison is not None:
            op, threshold = self.comparison
            return ThresholdIndicator(query=indicator.query, op=op, threshold=threshold)
        return indicator


@dataclass(frozen=True)
class _ThresholdMetric:
    """An SLI's thresholdMetric: its query; the objective gives the op and the value it is compared with."""

    query: str


@dataclass(frozen=True)
class _Condition:
    """A burnrate AlertCondition as the tool uses it."""

    severity: str
    urgency: Urgency
    op: Op
    threshold: float
    lookback: str
    alert_after: str


@dataclass(frozen=True)
class _Policy:
    name: str
    condition: _Condition
    breaching: bool  # alertWhenBreaching is not false: the policy alerts while its condition holds


def _workbook_tiers(settings: dict[str, Any]) -> tuple[AlertTier, ...]:
    """The SRE Workbook's tiers an SLO keeps on, named as its annotations say, with its guard."""
    names = {
        Urgency.PAGE: settings.get(PAGE_SEVERITY_ANNOTATION),
        Urgency.TICKET: settings.get(TICKET_SEVERITY_ANNOTATION),
    }
    on = settings.get(TIERS_ANNOTATION, _WORKBOOK_WINDOWS)
    off = {urgency for key, urgencies in _IMPORTED_SWITCHES.items() if settings.get(key) for urgency in urgencies}
    return tuple(
        replace(
            tier,
            severity_name=names[tier.urgency],
            min_events=settings.get(MIN_EVENTS_ANNOTATION),
            min_bad_events=settings.get(MIN_BAD_EVENTS_ANNOTATION),
        )
        for tier in DEFAULT_TIERS
        if tier.long_window in on and tier.urgency not in off
    )


def _tier_list(value: str) -> tuple[str, ...] | None:
    """``"1h, 6h"`` -> ("1h", "6h"); ``"none"`` -> (); ``None`` for anything else."""
    if value.strip().lower() == "none":
        return ()
    windows = tuple(part.strip() for part in value.split(","))
    if not all(window in _WORKBOOK_WINDOWS for window in windows):
        return None
    return windows


def _lookback_window(value: Any, path: str, checker: _Checker) -> str | None:
    """A burnrate condition's long window: whole hours from 1h to 3d, so that its short window (the SRE Workbook's
    1/12 of it) is whole 5-minute steps of the drill-down's history, and the window fits in what that holds."""
    text = checker.string(value, path, required=True)
    if text is None:
        return None
    try:
        window = parse_duration(text)
    except (ValueError, OverflowError):
        checker.problem(path, f"{_quote(text)} is not a duration like 1h, 6h or 1d")
        return None
    if window % timedelta(hours=1) or not timedelta(hours=1) <= window <= MAX_LOOKBACK:
        checker.problem(
            path,
            f"{_quote(text)} cannot be fetched: a lookbackWindow must be whole hours from 1h to 3d, so that its short "
            f"window (1/12 of it, as the SRE Workbook pairs them) is whole 5-minute steps of the burn-rate history",
        )
        return None
    return format_prometheus_duration(window)


def _alert_after(value: Any, path: str, checker: _Checker) -> str | None:
    """How long the condition must hold before alerting; ``0m`` (the default) or a duration like ``5m``."""
    if isinstance(value, str) and value.strip() in ("0", "0s", "0m", "0h"):
        return "0m"
    text = checker.string(value, path, required=True)
    if text is None:
        return None
    try:
        parse_duration(text)
    except (ValueError, OverflowError):
        checker.problem(path, f"{_quote(text)} is not a duration like 5m or 1h (or 0m)")
        return None
    return text


def _urgency(annotations: Any, severity: str, prefix: str, checker: _Checker) -> Urgency | None:
    """Whether a condition's severity pages or tickets: the ``reliability-dashboard/urgency`` annotation, else a
    severity that is the urgency's own word (page, ticket)."""
    known = {urgency.value: urgency for urgency in Urgency}
    stated = annotations.get(URGENCY_ANNOTATION) if isinstance(annotations, dict) else None
    path = f"{prefix}metadata.annotations.{URGENCY_ANNOTATION}"
    if stated is not None:
        if not isinstance(stated, str) or stated not in known:
            checker.problem(path, f"must be page or ticket, got {_describe(stated)}")
            return None
        return known[stated]
    if severity in known:
        return known[severity]
    checker.problem(
        f"{prefix}spec.severity",
        f"severity {_quote(severity)} does not say whether this tier pages or opens a ticket: add the annotation "
        f"{URGENCY_ANNOTATION}: page (or ticket) to the AlertCondition's metadata",
    )
    return None


def _label_values(value: Any) -> tuple[str, ...] | None:
    """A label's values (OpenSLO: a string or a list of strings); ``None`` for anything else."""
    values = [value] if isinstance(value, str) else value
    if not isinstance(values, list) or not all(isinstance(item, str) for item in values):
        return None
    return tuple(values)


_SPLIT_LABEL = re.compile(r"[a-zA-Z_][a-zA-Z0-9_]*")
# Labels the app itself puts on its answers, and the metric name: never a split.
_RESERVED_SPLIT_LABELS = frozenset({"__name__", "slo", "reliability_dashboard_group", "le"})


def parse_split_by(text: str) -> tuple[str, ...]:
    """``"region, route"`` → ``("region", "route")``: one to three Prometheus label names, comma-separated."""
    labels = tuple(part.strip() for part in text.split(","))
    if not all(labels) or len(labels) > MAX_SPLIT_LABELS:
        raise ValueError(
            f'{_quote(text)} is not a list of 1 to {MAX_SPLIT_LABELS} label names, comma-separated (like "route")'
        )
    for label in labels:
        if not _SPLIT_LABEL.fullmatch(label) or label in _RESERVED_SPLIT_LABELS:
            raise ValueError(f"{_quote(label)} is not a label an SLO can be split by")
    if len(set(labels)) != len(labels):
        raise ValueError(f"{_quote(text)} names a label twice")
    return labels


def _labels(value: Any) -> dict[str, tuple[str, ...]]:
    """The well-formed labels of a metadata ``labels`` mapping (``_Checker.labels`` reports the others)."""
    if not isinstance(value, dict):
        return {}
    pairs = ((key, _label_values(item)) for key, item in value.items() if isinstance(key, str))
    return {key: values for key, values in pairs if values is not None}


def _slug(text: str | None) -> str:
    """A displayName as a name part: lowercase letters, digits and '-' ("Fast reads (p99)" -> "fast-reads-p99")."""
    return re.sub(r"[^a-z0-9]+", "-", (text or "").lower()).strip("-")[:63].strip("-")


def _number(value: Any, path: str, checker: _Checker, upper: float, upper_text: str) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        checker.problem(path, f"must be a number in [0, {upper_text}), got {_describe(value)}")
        return None
    if not math.isfinite(value) or not 0 <= value < upper:
        checker.problem(path, f"must be in [0, {upper_text}), got {value}")
        return None
    return float(value)


def _time_slices(objective: dict, path: str, checker: _Checker, method: BudgetingMethod) -> TimeSlices | None:
    if method is BudgetingMethod.OCCURRENCES:
        return None
    if "timeSliceWindow" not in objective:
        checker.problem(f"{path}.timeSliceWindow", f"required with budgetingMethod {method.value} (like 1m or 5m)")
        return None
    window = objective["timeSliceWindow"]
    where = f"{path}.timeSliceWindow"
    try:
        length = parse_duration(window) if isinstance(window, str) else None
    except ValueError:
        length = None
    if length is None:
        checker.problem(where, f"must be a duration like 1m or 5m, got {_describe(window)}")
        return None
    if not MIN_SLICE <= length <= MAX_SLICE or timedelta(days=1) % length:
        checker.problem(
            where,
            f"must be from 1m to 1h and cut a day into whole slices (such as 1m, 2m, 5m, 10m, 15m, 30m, 1h), "
            f"got {window}",
        )
        return None
    target = None
    if method is BudgetingMethod.TIMESLICES:
        if "timeSliceTarget" not in objective:
            checker.problem(
                f"{path}.timeSliceTarget",
                "required with budgetingMethod Timeslices: the ratio a slice needs to be good",
            )
            return None
        value = objective["timeSliceTarget"]
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value <= 1:
            checker.problem(f"{path}.timeSliceTarget", f"must be a number in (0, 1], got {_describe(value)}")
            return None
        target = float(value)
    return TimeSlices(window=format_prometheus_duration(length), target=target)


def _comparison(objective: dict, path: str, checker: _Checker) -> tuple[Op, float] | None:
    """A thresholdMetric objective's ``op`` and ``value``: a point is good when ``metric op value``."""
    op = objective.get("op")
    value = objective.get("value")
    found = True
    if "op" not in objective:
        checker.problem(f"{path}.op", "required with a thresholdMetric indicator: one of lt, lte, gt, gte")
        found = False
    elif op not in _OPS:
        checker.problem(f"{path}.op", f"must be one of lt, lte, gt, gte, got {_describe(op)}")
        found = False
    if "value" not in objective:
        checker.problem(f"{path}.value", "required with a thresholdMetric indicator: the threshold it is compared with")
        found = False
    elif isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        checker.problem(f"{path}.value", f"must be a number, got {_describe(value)}")
        found = False
    return (_OPS[op], float(value)) if found else None


def _expression_problem(query: str) -> str | None:
    """What makes a thresholdMetric query unusable before any engine sees it; the engine judges the rest."""
    if not query.strip():
        return "it is empty"
    depth = 0
    for char in query:
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth < 0:
            break
    if depth:
        return "its parentheses do not balance"
    if re.search(r"\[[^\]]*:[^\]]*\]\s*$", query) or re.search(r"\[[0-9]+[smhdwy]\]\s*$", query):
        return "it ends in a range ([...]): give an expression that evaluates to a value at each instant"
    return None


def _display_name(doc: _Document) -> str | None:
    name = doc.data["metadata"].get("displayName")
    return name.strip() if isinstance(name, str) and name.strip() else None


def _display(path: Path) -> str:
    """``path`` relative to the working directory when it lies below it, else absolute; always with ``/``."""
    absolute = Path(os.path.abspath(path))
    try:
        return absolute.relative_to(Path.cwd()).as_posix()
    except ValueError:
        return absolute.as_posix()


def _describe(value: Any) -> str:
    if value is None:
        return "nothing (null)"
    kind = {bool: "boolean", int: "integer", float: "number", str: "string", list: "list", dict: "mapping"}.get(
        type(value), "timestamp" if isinstance(value, (datetime, date)) else type(value).__name__
    )
    if isinstance(value, (dict, list)):
        return f"a {kind}" if value else f"an empty {kind}"
    text = repr(value) if isinstance(value, str) else str(value)
    if len(text) > 60:
        text = text[:57] + "..."
    return f"{kind} {text}"


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _suggestion(value: Any, options: Sequence[str], quoted: bool = False) -> str:
    if not isinstance(value, str):
        return ""
    by_case = [option for option in options if option.lower() == value.lower()]
    close = by_case or difflib.get_close_matches(value, list(options), n=1)
    if not close:
        return ""
    return f" (did you mean {_quote(close[0]) if quoted else close[0]}?)"


def _unknown(key: str, allowed: Sequence[str]) -> str:
    hint = _suggestion(key, allowed)
    if hint:
        return "unknown field" + hint
    return f"unknown field; expected one of: {', '.join(allowed)}"


@lru_cache(maxsize=1)
def _zone_names() -> frozenset[str]:
    return frozenset(available_timezones())


def _zone(name: str) -> ZoneInfo | None:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return None
