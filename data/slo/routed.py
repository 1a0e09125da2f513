"""A source over several: each SLO is read from the catalog DataSource its metricSourceRef names
(``SloDefinition.data_source``), or from the default source (the settings' Prometheus, or the demo) when it names
none.

``window_counts`` asks every source its own batch side by side, within one overall deadline, and merges the answers:
a source that cannot answer (down, timed out, refused) costs only its own SLOs their figures, each with an error
naming that source; the other SLOs keep theirs. ``event_buckets`` and ``interval_counts`` go to each SLO's source.

Everything that is not about one SLO goes to the default source: ``range``, ``instant``, ``alerting_rules``, the
alert history (``ALERTS``), the deploy series, the rule listing, ``settings`` and ``history`` (the demo's). A
catalog's DataSource is never asked for those.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta

import pandas as pd

from data.deadline import CallState, run_within
from data.secrets import redact
from data.slo.sources import CountsResult, Exclusions, Partial, SloSource, SourceError
from metrics.slo.definitions import EventCounts, SloDefinition

DEFAULT_DEADLINE_SECONDS = 10.0  # for sources without a timeout of their own (the demo)
GRACE_SECONDS = 1.0  # past the longest source timeout: a source's own timeout speaks first


class RoutedSource:
    """The default source and the catalog's named ones (by DataSource name), as one ``SloSource``."""

    def __init__(self, default: SloSource, named: Mapping[str, SloSource]) -> None:
        self.default = default
        self.named = dict(named)
        self.is_demo = default.is_demo
        shown = ", ".join(source.description for source in self.named.values())
        self.description = f"{default.description}; DataSources: {shown}" if shown else default.description

    def __getattr__(self, name: str):
        """Anything not SLO-specific (``range``, ``instant``, ``alerting_rules``, ``settings``, ``history``, …)
        is the default source's."""
        if name in ("default", "named"):
            raise AttributeError(name)
        return getattr(self.default, name)

    @property
    def query_count(self) -> int:
        return sum(getattr(source, "query_count", 0) for source in self._sources())

    def _sources(self) -> list[SloSource]:
        return [self.default, *self.named.values()]

    def source_for(self, slo: SloDefinition) -> SloSource:
        """The source ``slo`` reads; ``SourceError`` for a DataSource this source was not built with."""
        if slo.data_source is None:
            return self.default
        source = self.named.get(slo.data_source)
        if source is None:
            raise SourceError(
                f"SLO {slo.name!r} reads DataSource {slo.data_source!r}, which the catalog no longer defines; reload"
            )
        return source

    def partition(self, slos: Sequence[SloDefinition]) -> tuple[list[tuple[SloSource, list]], dict[str, str]]:
        """(source, its SLOs) in the order the sources first appear, and the errors of SLOs with no source."""
        groups: dict[int, tuple[SloSource, list]] = {}
        errors: dict[str, str] = {}
        for slo in slos:
            try:
                source = self.source_for(slo)
            except SourceError as error:
                errors[slo.name] = str(error)
                continue
            groups.setdefault(id(source), (source, []))[1].append(slo)
        return list(groups.values()), errors

    def _deadline(self, sources: Sequence[SloSource]) -> float:
        timeouts = [getattr(getattr(s, "settings", None), "timeout_seconds", None) for s in sources]
        known = [float(t) for t in timeouts if t is not None]
        return (max(known) if known else DEFAULT_DEADLINE_SECONDS) + GRACE_SECONDS

    def window_counts(
        self,
        slos: list[SloDefinition],
        at: datetime,
        exclusions: Exclusions | None = None,
        partial: Partial | None = None,
    ) -> CountsResult:
        """Each source's batch side by side (its own fixed number of queries), merged. A source that raises
        ``SourceError`` or does not answer by the deadline (the longest source timeout, and a second) gives each of
        its SLOs an error naming it; any other exception propagates."""
        groups, errors = self.partition(slos)
        result = CountsResult(errors=dict(errors))

        def ask(source: SloSource, mine: list[SloDefinition]):
            def call() -> CountsResult:
                names = {slo.name for slo in mine}
                theirs = {name: parts for name, parts in (partial or {}).items() if name in names}
                if not (exclusions or theirs):
                    return source.window_counts(mine, at)
                excluded = {name: windows for name, windows in (exclusions or {}).items() if name in names}
                if theirs:  # only given to Prometheus-compatible sources (``data.slo.long_windows``)
                    return source.window_counts(mine, at, excluded, partial=theirs)
                return source.window_counts(mine, at, excluded)

            return call

        timeout = self._deadline([source for source, _ in groups])
        ran = run_within([ask(source, mine) for source, mine in groups], timeout, thread_name_prefix="routed-read")
        for (source, mine), outcome in zip(groups, ran.outcomes, strict=True):
            if outcome.state is CallState.DONE:
                _merge(result, outcome.value)
                continue
            if outcome.state is CallState.UNFINISHED:
                message = f"{source.description} did not answer within {timeout:g} s; it may be overloaded or down"
            elif isinstance(outcome.error, SourceError):
                message = _naming(source, str(outcome.error))
            else:
                raise outcome.error  # a bug, not a source that is down: as loud as with one source
            for slo in mine:
                result.errors[slo.name] = message
        return result

    def event_buckets(self, slo: SloDefinition, start: datetime, end: datetime, step: timedelta) -> pd.DataFrame:
        return self.source_for(slo).event_buckets(slo, start, end, step)

    def interval_counts(
        self, slos: list[SloDefinition], parts: dict[str, dict[str, Sequence]]
    ) -> dict[tuple[str, str], EventCounts]:
        """Each source's SLOs' events inside their parts, from that source; one source failing raises, as the
        single source's ``interval_counts`` does."""
        groups, errors = self.partition(slos)
        if errors:
            raise SourceError(next(iter(errors.values())))
        counts: dict[tuple[str, str], EventCounts] = {}
        for source, mine in groups:
            names = {slo.name for slo in mine}
            counts.update(source.interval_counts(mine, {name: p for name, p in parts.items() if name in names}))
        return counts


def _naming(source: SloSource, message: str) -> str:
    """The message naming its source (a Prometheus source's own messages do already); never a secret."""
    text = message if message.startswith(source.description) else f"{source.description}: {message}"
    return redact(text)


def _merge(into: CountsResult, part: CountsResult) -> None:
    into.counts.update(part.counts)
    into.errors.update(part.errors)
    into.warnings.extend(part.warnings)
    into.raw.update(part.raw)
    into.split.update(part.split)
