"""What every SLO data source answers, whether it is the demo history or a Prometheus-compatible server."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol

import pandas as pd

from metrics.slo.adjustments import Expansion, Interval
from metrics.slo.definitions import EventCounts, SloDefinition

# Per SLO name, per window key: the intervals a budget adjustment takes out of that window (``adjustments.exclusions``).
Exclusions = Mapping[str, Mapping[str, Expansion]]
# Per SLO name, per window key: read only the events inside these intervals (a long window's partial edges, whose
# whole days come from the store: ``data.slo.long_windows``).
Partial = Mapping[str, Mapping[str, Sequence[Interval]]]


@dataclass
class CountsResult:
    """Event counts per SLO and window key (the burn windows and ``period``), and per-SLO errors."""

    counts: dict[str, dict[str, EventCounts | None]] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)  # the engine answered, but said its answer may be partial
    # The counts before budget adjustments, for the SLOs some adjustment covers in some window (``counts`` then
    # holds the adjusted ones: raw minus the events inside the adjustments, clamped at zero).
    raw: dict[str, dict[str, EventCounts | None]] = field(default_factory=dict)
    # A split SLO's counts per value of its split labels (``SloDefinition.split_by``), as ``counts``.
    split: dict[str, dict[tuple[str, ...], dict[str, EventCounts | None]]] = field(default_factory=dict)


class SourceError(RuntimeError):
    """A source could not answer at all (unreachable, timed out, refused): the message says which and what to do."""


class SourceTimeout(SourceError):
    """One request ran out of its time: a panel's overall timeout reports it in its own words."""


class SloSource(Protocol):
    is_demo: bool
    description: str
    query_count: int

    def window_counts(
        self, slos: list[SloDefinition], at: datetime, exclusions: Exclusions | None = None
    ) -> CountsResult: ...

    # Sources that read a window's parts (Prometheus-compatible ones, and a routed source over them) also take
    # ``partial: Partial`` in ``window_counts``; the demo does not, and its long windows are always read whole.

    def event_buckets(self, slo: SloDefinition, start: datetime, end: datetime, step: timedelta) -> pd.DataFrame: ...
