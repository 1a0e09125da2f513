"""PromQL text the app writes: series selectors parsed and matched, label values escaped, batched queries built.

Catalog queries are series selectors over raw counters; the app applies every window itself. Batching is how the
overview stays at a fixed number of HTTP queries: one query per window and counter kind returns every SLO, each
sub-expression tagged with an ``slo`` label through ``label_replace``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache

from metrics.slo.definitions import RatioIndicator, format_prometheus_duration

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


def windowed_increase(selector: str, window: timedelta, at: datetime | None = None) -> str:
    return f"sum(increase({_range(selector, window, at)}))"


def tagged(expression: str, slo_name: str) -> str:
    """Attach ``slo="<name>"`` to a one-element vector so batched answers say which SLO they belong to."""
    return f'label_replace({expression}, "{SLO_LABEL}", "{escape_label_value(slo_name)}", "", "")'


def batched(expressions: dict[str, str]) -> str:
    """One query whose answer holds every SLO's value, labelled by SLO name."""
    return " or ".join(tagged(expression, slo_name) for slo_name, expression in expressions.items())


def windowed_integral(selector: str, window: timedelta, at: datetime | None = None) -> str:
    """Events over ``window`` of a series that holds a per-second rate: its average over the window times the
    window's length in seconds (the rate's integral, where samples are evenly spaced)."""
    return f"(sum(avg_over_time({_range(selector, window, at)})) * {window.total_seconds():g})"


def counter_expressions(indicator: RatioIndicator, window: timedelta, at: datetime | None = None) -> dict[str, str]:
    """Total and bad events over ``window``: ``sum(increase(...))`` of the SLO's own counters (or the integral of
    its already-rated series, ``counter: false``), bad events as total − good when the SLO counts good ones. The
    one builder: the Prometheus source's window counts, the daily rollups and the alert rules all count events with
    this text. ``at``: the window ends there (``@`` modifier) instead of at the query's evaluation time: how the
    events inside a budget adjustment are counted in the same batched query as everything else."""
    events = windowed_increase if indicator.counter else windowed_integral
    total = events(indicator.total_query, window, at)
    if indicator.bad_query is not None:
        return {"total": total, "bad": events(indicator.bad_query, window, at)}
    return {"total": total, "bad": f"({total} - {events(indicator.good_query, window, at)})"}


def excluded_expressions(indicator: RatioIndicator, intervals) -> dict[str, str]:
    """Total and bad events inside the ``intervals`` (``metrics.slo.adjustments.Interval``, whole seconds): one
    ``counter_expressions`` term per interval, ending at the interval's end, summed. An interval without samples
    counts as 0 (``or vector(0)``) rather than emptying the sum."""
    terms = [counter_expressions(indicator, interval.length, interval.end) for interval in intervals]
    return {kind: " + ".join(f"({term[kind]} or vector(0))" for term in terms) for kind in ("total", "bad")}
