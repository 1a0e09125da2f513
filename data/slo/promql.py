"""PromQL text the app writes: series selectors parsed and matched, label values escaped, batched queries built.

Catalog queries are series selectors over raw counters; the app applies every window itself. Batching is how the
overview stays at a fixed number of HTTP queries: one query per window and counter kind returns every SLO, each
sub-expression tagged with an ``slo`` label through ``label_replace``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache

from metrics.slo.definitions import (
    BudgetingMethod,
    RatioIndicator,
    RawRatioIndicator,
    RawType,
    SloDefinition,
    ThresholdIndicator,
    format_prometheus_duration,
    parse_duration,
)

SLO_LABEL = "slo"


class SelectorError(ValueError):
    """A query that is not a plain series selector; the message says why."""


@dataclass(frozen=True)
class Matcher:
    label: str
    op: str  # "=", "!=", "=~", "!~"
    value: str  # unescaped

    def matches(self, actual: str) -> bool:
        if self.op == "=":
            return actual == self.value
        if self.op == "!=":
            return actual != self.value
        found = _compiled(self.value).fullmatch(actual) is not None  # PromQL regexes are fully anchored
        return found if self.op == "=~" else not found

    def __str__(self) -> str:
        return f'{self.label}{self.op}"{escape_label_value(self.value)}"'


@dataclass(frozen=True)
class SeriesSelector:
    """``metric{label op "value", ...}``: which series a counter query names."""

    metric: str | None
    matchers: tuple[Matcher, ...] = ()

    def matches(self, metric: str, labels: dict[str, str]) -> bool:
        """Whether the series ``metric{labels}`` is selected (a missing label counts as the empty string)."""
        if self.metric is not None and metric != self.metric:
            return False
        return all(m.matches(metric if m.label == "__name__" else labels.get(m.label, "")) for m in self.matchers)

    def __str__(self) -> str:
        inner = ",".join(str(m) for m in self.matchers)
        if self.metric is None:
            return "{" + inner + "}"
        return self.metric + ("{" + inner + "}" if inner else "")


_METRIC_NAME = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*")
_LABEL_NAME = re.compile(r"[a-zA-Z_][a-zA-Z0-9_]*")
_MATCH_OP = re.compile(r"=~|!~|!=|=")
_STRING = re.compile(r'"((?:[^"\\\n]|\\.)*)"')
_SPACE = re.compile(r"\s*")
# Python's re accepts these and Prometheus's RE2 refuses them; the app matches series in Python too, so a selector
# must mean the same in both (an escaped "\\(?=" is a literal and passes).
_NOT_RE2 = re.compile(r"(?<!\\)(?:\\\\)*(?:\(\?(?:=|!|<=|<!|P=)|\\[1-9])")
# Identifiers PromQL's lexer reads as keywords, aggregations or numbers rather than metric names.
_PROMQL_KEYWORDS = frozenset(
    "and or unless by without on ignoring group_left group_right offset bool atan2 sum avg count min max stddev "
    "stdvar topk bottomk quantile count_values group limitk limit_ratio inf nan start end".split()
)
_SIMPLE_ESCAPES = {
    "a": "\a",
    "b": "\b",
    "f": "\f",
    "n": "\n",
    "r": "\r",
    "t": "\t",
    "v": "\v",
    "\\": "\\",
    '"': '"',
    "'": "'",
}


def parse_selector(text: str) -> SeriesSelector:
    """Parse a plain PromQL series selector such as ``http_requests_total{service="checkout",code=~"5.."}``.

    Accepted: a metric name optionally followed by ``{...}``, or ``{...}`` alone with a ``__name__`` matcher.
    Matchers are ``label op "value"`` with ops ``=``, ``!=``, ``=~``, ``!~`` and double-quoted values with backslash
    escapes; a trailing comma is allowed. Anything else (functions, ranges, offsets, arithmetic) raises
    ``SelectorError``.
    """
    if not isinstance(text, str):
        raise SelectorError("not a string")
    return _parsed_selector(text)


@lru_cache(maxsize=8192)
def _parsed_selector(text: str) -> SeriesSelector:
    """``parse_selector`` of a string, kept: a catalog's selectors are parsed once, not once per page."""
    pos = _SPACE.match(text).end()
    if pos == len(text):
        raise SelectorError("it is empty")
    metric = None
    name_match = _METRIC_NAME.match(text, pos)
    if name_match:
        metric = name_match.group()
        pos = _SPACE.match(text, name_match.end()).end()
        if pos < len(text) and text[pos] == "(":
            raise SelectorError(f"{metric}(...) is a function call or aggregation")
        if metric in _PROMQL_KEYWORDS:
            raise SelectorError(f"{metric!r} is a PromQL keyword, not a metric name")
    matchers: list[Matcher] = []
    if pos < len(text) and text[pos] == "{":
        matchers, pos = _parse_matchers(text, pos + 1)
        pos = _SPACE.match(text, pos).end()
    elif metric is None:
        raise SelectorError(f"expected a metric name or '{{' at position {pos + 1}, found {text[pos]!r}")
    if pos < len(text):
        rest = text[pos]
        if rest == "[":
            raise SelectorError("it has a range ([...])")
        if text.startswith("offset", pos) or rest == "@":
            raise SelectorError("it has an offset or @ modifier")
        raise SelectorError(
            f"unexpected {text[pos : pos + 20]!r} at position {pos + 1} (arithmetic or more than one selector)"
        )
    names = [m for m in matchers if m.label == "__name__"]
    if metric is not None and names:
        raise SelectorError("the metric name is given twice (before '{' and as __name__)")
    if metric is None:
        if not names:
            raise SelectorError("a selector without a metric name needs a __name__ matcher")
        if any(m.op not in ("=", "=~") for m in names):
            raise SelectorError("the __name__ matcher must use = or =~")
    return SeriesSelector(metric=metric, matchers=tuple(matchers))


def _parse_matchers(text: str, pos: int) -> tuple[list[Matcher], int]:
    matchers: list[Matcher] = []
    while True:
        pos = _SPACE.match(text, pos).end()
        if pos < len(text) and text[pos] == "}":
            return matchers, pos + 1
        label = _LABEL_NAME.match(text, pos)
        if not label:
            raise SelectorError(
                f"expected a label name or '}}' at position {pos + 1}"
                + ("" if pos < len(text) else " (the '{' is never closed)")
            )
        pos = _SPACE.match(text, label.end()).end()
        op = _MATCH_OP.match(text, pos)
        if not op:
            raise SelectorError(f"expected =, !=, =~ or !~ after label {label.group()!r} at position {pos + 1}")
        pos = _SPACE.match(text, op.end()).end()
        value = _STRING.match(text, pos)
        if not value:
            raise SelectorError(f"expected a double-quoted value for label {label.group()!r} at position {pos + 1}")
        unescaped = _unescape(value.group(1), label.group())
        if op.group() in ("=~", "!~"):
            try:
                _compiled(unescaped)
            except re.error as exc:
                raise SelectorError(
                    f"label {label.group()!r}: {unescaped!r} is not a valid regular expression ({exc})"
                ) from None
            if _NOT_RE2.search(unescaped):
                raise SelectorError(
                    f"label {label.group()!r}: {unescaped!r} uses a lookaround or a backreference, which "
                    "Prometheus's regular expressions (RE2) do not have"
                )
        matchers.append(Matcher(label=label.group(), op=op.group(), value=unescaped))
        pos = _SPACE.match(text, value.end()).end()
        if pos < len(text) and text[pos] == ",":
            pos += 1
        elif not (pos < len(text) and text[pos] == "}"):
            raise SelectorError(
                f"expected ',' or '}}' at position {pos + 1}"
                + ("" if pos < len(text) else " (the '{' is never closed)")
            )


def _unescape(raw: str, label: str) -> str:
    if "\\" not in raw:
        return raw
    out: list[str] = []
    i = 0
    while i < len(raw):
        char = raw[i]
        if char != "\\":
            out.append(char)
            i += 1
            continue
        code = raw[i + 1]
        if code in _SIMPLE_ESCAPES:
            out.append(_SIMPLE_ESCAPES[code])
            i += 2
            continue
        if code in "xuU01234567":
            width, base = {"x": (2, 16), "u": (4, 16), "U": (8, 16)}.get(code, (3, 8))
            start = i + 1 if base == 8 else i + 2
            digits = raw[start : start + width]
            allowed = "01234567" if base == 8 else "0123456789abcdefABCDEF"
            if len(digits) != width or any(d not in allowed for d in digits) or int(digits, base) > 0x10FFFF:
                raise SelectorError(f"label {label!r}: invalid escape \\{raw[i + 1 : start + width]}")
            out.append(chr(int(digits, base)))
            i = start + width
            continue
        raise SelectorError(f"label {label!r}: unknown escape \\{code} (write \\\\ for a backslash)")
    return "".join(out)


@lru_cache(maxsize=512)
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def escape_label_value(value: str) -> str:
    """Escape a value for a double-quoted PromQL string literal."""
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def _range(selector: str, window: timedelta, at: datetime | None) -> str:
    """``selector[window]``, evaluated at ``at`` (the ``@`` modifier, whole seconds) when it is given."""
    text = f"{selector}[{format_prometheus_duration(window)}]"
    return text if at is None else f"{text} @ {int(at.timestamp())}"


def windowed_increase(selector: str, window: timedelta, at: datetime | None = None, by: Sequence[str] = ()) -> str:
    return f"{_sum(by)}(increase({_range(selector, window, at)}))"


def _sum(by: Sequence[str]) -> str:
    """``sum`` over all series, or ``sum by (route)``: one result per value of a split SLO's labels."""
    return f"sum by ({', '.join(by)}) " if by else "sum"


def tagged(expression: str, slo_name: str) -> str:
    """Attach ``slo="<name>"`` to a one-element vector so batched answers say which SLO they belong to."""
    return f'label_replace({expression}, "{SLO_LABEL}", "{escape_label_value(slo_name)}", "", "")'


# VictoriaMetrics refuses a query longer than its -search.maxQueryLen (16 KiB by default) and proxies in front of
# Prometheus have limits of their own: a batch is cut into queries of at most this many bytes.
DEFAULT_MAX_QUERY_BYTES = 16 * 1024
_OR = " or "


def batched_queries(expressions: dict[str, str], max_bytes: int = DEFAULT_MAX_QUERY_BYTES) -> list[str]:
    """Queries whose answers hold every SLO's value, labelled by SLO name (``tagged`` expressions joined by ``or``):
    as few as fit ``max_bytes`` each (UTF-8), SLOs in their order. An SLO whose own expression is longer goes alone,
    so the engine names what it refuses and the others still get their answers."""
    queries: list[str] = []
    parts: list[str] = []
    size = 0
    for slo_name, expression in expressions.items():
        part = tagged(expression, slo_name)
        length = len(part.encode())
        if parts and size + len(_OR) + length > max_bytes:
            queries.append(_OR.join(parts))
            parts, size = [], 0
        size += length + (len(_OR) if parts else 0)
        parts.append(part)
    if parts:
        queries.append(_OR.join(parts))
    return queries


def windowed_integral(selector: str, window: timedelta, at: datetime | None = None, by: Sequence[str] = ()) -> str:
    """Events over ``window`` of a series that holds a per-second rate: its average over the window times the
    window's length in seconds (the rate's integral, where samples are evenly spaced)."""
    return f"({_sum(by)}(avg_over_time({_range(selector, window, at)})) * {window.total_seconds():g})"


def counter_expressions(
    indicator: RatioIndicator, window: timedelta, at: datetime | None = None, by: Sequence[str] = ()
) -> dict[str, str]:
    """Total and bad events over ``window``: ``sum(increase(...))`` of the SLO's own counters (or the integral of
    its already-rated series, ``counter: false``), bad events as total − good when the SLO counts good ones. The
    one builder: the Prometheus source's window counts, the daily rollups and the alert rules all count events with
    this text. ``at``: the window ends there (``@`` modifier) instead of at the query's evaluation time: how the
    events inside a budget adjustment are counted in the same batched query as everything else. ``by``: a split
    SLO's labels, one result per value (the alert rules; the page splits the grouped reads itself)."""
    events = windowed_increase if indicator.counter else windowed_integral
    total = events(indicator.total_query, window, at, by)
    if indicator.bad_query is not None:
        return {"total": total, "bad": events(indicator.bad_query, window, at, by)}
    return {"total": total, "bad": f"({total} - {events(indicator.good_query, window, at, by)})"}


# --- grouped reads: one query per metric and window, whatever the number of SLOs ----------------------------------


@dataclass(frozen=True)
class CounterRead:
    """What one SLO needs from one of its counters: the events its selector saw over ``window``."""

    selector: SeriesSelector
    window: timedelta
    counter: bool = True  # False: an already-rated series, integrated (``windowed_integral``)
    end: datetime | None = None  # the window ends here (``@``), not at the query's instant: a budget adjustment
    split_by: tuple[str, ...] = ()  # the events per value of these labels too (``events_by``)


@dataclass(frozen=True)
class GroupedQuery:
    """One query for every read of one metric over one window: ``sum by`` the labels the reads filter on, with
    the matchers they all share applied by the engine. Each read's events are then the sum of the answer's series
    its other matchers select (``events``), as Prometheus would have summed them, so the number of queries grows
    with distinct metrics and windows, never with SLOs, and each series is read once for all of them."""

    metric: str | None
    common: tuple[Matcher, ...]
    by_labels: tuple[str, ...]
    window: timedelta
    counter: bool
    end: datetime | None = None

    @property
    def text(self) -> str:
        selector = SeriesSelector(self.metric, self.common)
        window = format_prometheus_duration(self.window)
        at = f" @ {self.end.timestamp():.3f}" if self.end is not None else ""
        inner = f"{'increase' if self.counter else 'avg_over_time'}({selector}[{window}]{at})"
        by = f" by ({', '.join(self.by_labels)})" if self.by_labels else ""
        summed = f"sum{by} ({inner})"
        return summed if self.counter else f"({summed} * {self.window.total_seconds():g})"

    def events(self, answer: GroupAnswer, selector: SeriesSelector) -> float | None:
        """The events ``selector`` saw, from this query's answer; ``None`` when no series it selects has any, as
        ``sum(increase(selector[w]))`` would answer nothing."""
        common = self.common
        own = [matcher for matcher in selector.matchers if matcher not in common] if common else selector.matchers
        values = [
            value for labels, value in answer.candidates(own) if all(m.matches(labels.get(m.label, "")) for m in own)
        ]
        return sum(values) if values else None

    def events_by(
        self, answer: GroupAnswer, selector: SeriesSelector, split_by: tuple[str, ...]
    ) -> dict[tuple[str, ...], float]:
        """``events`` per value of the ``split_by`` labels (a series without one counts under ""): the values its
        series have, nothing for a value none of them has."""
        common = self.common
        own = [matcher for matcher in selector.matchers if matcher not in common] if common else selector.matchers
        by_value: dict[tuple[str, ...], float] = {}
        for labels, value in answer.candidates(own):
            if all(m.matches(labels.get(m.label, "")) for m in own):
                key = tuple(labels.get(label, "") for label in split_by)
                by_value[key] = by_value.get(key, 0.0) + value
        return by_value


class GroupAnswer:
    """A grouped query's answer, ``(labels, value)`` per series, indexed on demand by a label's value so that a
    thousand SLOs each picking their series out of a thousand costs a lookup each, not a scan each."""

    def __init__(self, rows: list[tuple[dict[str, str], float]]) -> None:
        self.rows = rows
        self._by_label: dict[str, dict[str, list[tuple[dict[str, str], float]]]] = {}

    def candidates(self, matchers: Sequence[Matcher]) -> list[tuple[dict[str, str], float]]:
        """The rows that may match: those with the value of the first equality matcher, else all."""
        equal = next((m for m in matchers if m.op == "="), None)
        if equal is None:
            return self.rows
        index = self._by_label.get(equal.label)
        if index is None:
            index = {}
            for row in self.rows:
                index.setdefault(row[0].get(equal.label, ""), []).append(row)
            self._by_label[equal.label] = index
        return index.get(equal.value, [])


GROUP_LABEL = "reliability_dashboard_group"


def combined_queries(texts: Sequence[str], max_bytes: int, pieces: int = 1) -> list[list[int]]:
    """Which grouped queries (by position in ``texts``) to send together, joined with ``or`` (``combined_text``):
    ``pieces`` HTTP queries of about even length (the engine runs separate queries side by side), fewer when there
    are fewer texts, more where one would pass ``max_bytes``."""
    lengths = [len(tagged_group(text, len(texts)).encode()) + len(_OR) for text in texts]
    target = min(max_bytes, -(-sum(lengths) // max(pieces, 1)))
    combined: list[list[int]] = []
    size = 0
    for position, length in enumerate(lengths):
        over = size + length > max_bytes or (size + length > target and len(combined) < pieces)
        if not combined or (over and combined[-1]):
            combined.append([])
            size = 0
        combined[-1].append(position)
        size += length
    return combined


def combined_text(queries: Sequence[GroupedQuery | str]) -> str:
    """One PromQL query answering every one of ``queries`` (grouped queries or PromQL text), each answer's series
    tagged ``GROUP_LABEL`` = its position in ``queries``."""
    return _OR.join(
        tagged_group(query if isinstance(query, str) else query.text, index) for index, query in enumerate(queries)
    )


def tagged_group(text: str, index: int) -> str:
    return f'label_replace({text}, "{GROUP_LABEL}", "{index}", "", "")'


def grouped_queries(reads: Sequence[CounterRead]) -> tuple[list[GroupedQuery], list[int]]:
    """The queries that answer ``reads``, and for each read the position of its query: reads of the same metric
    (or the same ``__name__`` matchers), window, end and kind share one."""
    groups: dict[tuple, list[int]] = {}
    for position, read in enumerate(reads):
        names = tuple(m for m in read.selector.matchers if m.label == "__name__")
        groups.setdefault((read.selector.metric, names, read.window, read.counter, read.end), []).append(position)
    queries: list[GroupedQuery] = []
    query_of = [0] * len(reads)
    for (metric, _, window, counter, end), positions in groups.items():
        selectors = list(dict.fromkeys(reads[position].selector for position in positions))
        common = set(selectors[0].matchers).intersection(*(selector.matchers for selector in selectors[1:]))
        shared = tuple(m for m in selectors[0].matchers if m in common)
        labels = sorted(
            {m.label for selector in selectors for m in selector.matchers if m not in common}
            | {label for position in positions for label in reads[position].split_by}
        )
        for position in positions:
            query_of[position] = len(queries)
        queries.append(GroupedQuery(metric, shared, tuple(labels), window, counter, end))
    return queries, query_of


def indicator_selectors(indicator: RatioIndicator) -> dict[str, SeriesSelector]:
    """The parsed selectors of an SLO's counters by role: ``total`` and either ``bad`` or ``good``."""
    selectors = {"total": parse_selector(indicator.total_query)}
    if indicator.bad_query is not None:
        selectors["bad"] = parse_selector(indicator.bad_query)
    else:
        selectors["good"] = parse_selector(indicator.good_query)
    return selectors


def excluded_expressions(indicator: RatioIndicator, intervals) -> dict[str, str]:
    """Total and bad events inside the ``intervals`` (``metrics.slo.adjustments.Interval``, whole seconds): one
    ``counter_expressions`` term per interval, ending at the interval's end, summed. An interval without samples
    counts as 0 (``or vector(0)``) rather than emptying the sum."""
    terms = [counter_expressions(indicator, interval.length, interval.end) for interval in intervals]
    return {kind: " + ".join(f"({term[kind]} or vector(0))" for term in terms) for kind in ("total", "bad")}


# --- slices and evaluated points: Timeslices, RatioTimeslices and thresholdMetric SLOs -----------------------------


def excluded_slice_expressions(slo: SloDefinition, intervals) -> dict[str, str]:
    """Total and bad slices (or points) ending inside the ``intervals``: one ``slice_expressions`` term per
    interval, ending at its end, summed; an interval without a slice with data counts 0."""
    terms = [slice_expressions(slo, interval.length, interval.end) for interval in intervals]
    total = " + ".join(f"({term['total']} or vector(0))" for term in terms)
    good = " + ".join(f"({term['good']} or vector(0))" for term in terms)
    return {"total": total, "bad": f"(({total}) - ({good}))"}


def _subquery_range(slices: int, step: timedelta) -> str:
    """The range of a subquery holding the ``slices`` most recent points on multiples of ``step``: one millisecond
    short of ``slices`` steps, so the point a step before the first is left out whether the engine's ranges are
    closed on the left (Prometheus 2) or open (Prometheus 3)."""
    return f"{round(slices * step.total_seconds() * 1000) - 1}ms"


def _slice_range(count: int, unit: timedelta, unit_text: str, window: timedelta, end: datetime | None) -> str:
    """A subquery's range and resolution: the ``count`` latest points on multiples of ``unit``, or with ``end``
    every point in (end − window, end] (a millisecond short of the window, the same on Prometheus 2 and 3)."""
    if end is None:
        return f"[{_subquery_range(count, unit)}:{unit_text}]"
    return f"[{round(window.total_seconds() * 1000) - 1}ms:{unit_text}] @ {int(end.timestamp())}"


def _slice_events(selector: str, window: timedelta, counter: bool) -> str:
    return windowed_increase(selector, window) if counter else windowed_integral(selector, window)


def point_value(indicator: ThresholdIndicator | RawRatioIndicator) -> str:
    """How good one evaluated point is, 0 to 1: 1 or 0 as a threshold metric meets its threshold, or a raw ratio's
    share of good (clamped into [0, 1]; one minus it for a failure ratio)."""
    if isinstance(indicator, RawRatioIndicator):
        ratio = f"clamp(({indicator.query}), 0, 1)"
        return ratio if indicator.raw_type is RawType.SUCCESS else f"(1 - {ratio})"
    return f"(({indicator.query}) {indicator.op.symbol} bool {indicator.threshold!r})"


def slice_ratio_expression(slo: SloDefinition, slice_length: timedelta) -> str:
    """The ratio of the slice ending at the evaluation instant: good/total events for a ratio SLI (nothing when the
    slice saw no events), or the average goodness of the points of a threshold metric or a raw ratio
    (``point_value``)."""
    indicator = slo.indicator
    if isinstance(indicator, ThresholdIndicator | RawRatioIndicator):
        step = parse_duration(indicator.step)
        points = _subquery_range(max(int(slice_length / step), 1), step)
        met = point_value(indicator)
        return (
            f"(sum(sum_over_time({met}[{points}:{indicator.step}])) / "
            f"sum(count_over_time(({indicator.query})[{points}:{indicator.step}])))"
        )
    total = f"({_slice_events(indicator.total_query, slice_length, indicator.counter)} > 0)"
    if indicator.good_query is not None:
        ratio = f"{_slice_events(indicator.good_query, slice_length, indicator.counter)} / {total}"
    else:
        ratio = f"1 - {_slice_events(indicator.bad_query, slice_length, indicator.counter)} / {total}"
    return f"clamp({ratio}, 0, 1)"


def slice_expressions(slo: SloDefinition, window: timedelta, end: datetime | None = None) -> dict[str, str] | None:
    """What a window counts for an SLO that does not count events (``metrics.slo.timeslices``): ``total``, the
    slices with data (or the points evaluated), and ``good``, the good slices (Timeslices), the sum of the slices'
    ratios (RatioTimeslices) or the points' goodness (Occurrences, ``point_value``). ``None`` when the window is
    shorter than a slice.

    ``end``: the window is the interval (end − window, end] of a budget adjustment (whole seconds, ``@ end``), and
    counts the slices ending inside it, however it lies against the slices: the slices a window ending at the
    query's instant counts less those an adjustment takes out of it."""
    if slo.budgeting_method is BudgetingMethod.OCCURRENCES:
        indicator = slo.indicator
        step = parse_duration(indicator.step)
        points = int(window / step)
        if points < 1 and end is None:
            return None
        within = _slice_range(points, step, indicator.step, window, end)
        met = point_value(indicator)
        return {
            "total": f"sum(count_over_time(({indicator.query}){within}))",
            "good": f"sum(sum_over_time({met}{within}))",
        }
    slice_length = parse_duration(slo.time_slices.window)
    count = int(window / slice_length)
    if count < 1 and end is None:
        return None
    ratio = slice_ratio_expression(slo, slice_length)
    within = _slice_range(count, slice_length, slo.time_slices.window, window, end)
    good = (
        f"(({ratio}) >= bool {slo.time_slices.target!r})"
        if slo.budgeting_method is BudgetingMethod.TIMESLICES
        else f"({ratio})"
    )
    return {"total": f"count_over_time(({ratio}){within})", "good": f"sum_over_time({good}{within})"}


def counted_expressions(slo: SloDefinition, window: timedelta, by: Sequence[str] = ()) -> dict[str, str]:
    """Total and bad over ``window``: events of counters (``counter_expressions``, per value of ``by``), or for an
    SLO counting slices or points, the slices with data (points evaluated) and the bad ones (``slice_expressions``,
    as the SLO burn page counts them). A window shorter than a slice counts none: ``vector(0)``. The one builder the
    alert rules and the daily rollups share."""
    if slo.counts_events:
        return counter_expressions(slo.indicator, window, by=by)
    counted = slice_expressions(slo, window)
    if counted is None:
        return {"total": "vector(0)", "bad": "vector(0)"}
    return {"total": counted["total"], "bad": f"({counted['total']} - {counted['good']})"}
