"""Revisit triggers as data, and when an item is due.

A trigger names a live signal and a threshold: an SLO's budget remaining below a value, an SLO's burn rate over a
window above a value, a database check (or the whole database) at warn or critical, or a date. Evaluating it
against readings (given, never fetched here) says whether it fired and with which reading — value, when, source —
so the page can show the live reading next to its threshold and the store can keep what made the item due.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from metrics.formatting import format_burn_rate, format_percent
from metrics.slo.definitions import BURN_WINDOWS
from metrics.tracker.rules import PARKED, KnownNames


class TriggerKind(StrEnum):
    """What a trigger reads. The value is the stored and exported ``kind`` (unchanged by the enum)."""

    SLO_BUDGET_BELOW = "slo_budget_below"
    SLO_BURN_RATE_ABOVE = "slo_burn_rate_above"
    DATABASE_CHECK = "database_check"
    DATE = "date"

    @property
    def fields(self) -> tuple[str, ...]:
        """The fields this kind keeps, besides ``kind``, in their stored order."""
        return _KIND_FIELDS[self]


_KIND_FIELDS: dict[TriggerKind, tuple[str, ...]] = {
    TriggerKind.SLO_BUDGET_BELOW: ("slo", "threshold"),
    TriggerKind.SLO_BURN_RATE_ABOVE: ("slo", "window", "threshold"),
    TriggerKind.DATABASE_CHECK: ("database", "check", "level"),
    TriggerKind.DATE: ("on",),
}
DATABASE_LEVELS = ("warn", "critical")  # the lowest status that fires a database trigger
_STATUS_RANK = {"ok": 0, "info": 0, "warn": 1, "critical": 2}
BURN_RATE_WINDOWS = BURN_WINDOWS


@dataclass(frozen=True)
class Trigger:
    """One revisit trigger. Which fields matter depends on ``kind``; ``to_dict``/``trigger_from_dict`` keep only
    those, so a stored trigger reads the same after any round trip. ``kind`` may be given as its stored string."""

    kind: TriggerKind
    slo: str | None = None
    window: str | None = None  # burn-rate window, e.g. "1h"
    threshold: float | None = None  # budget fraction (0.25 = 25%) or burn rate (6 = 6×)
    database: str | None = None
    check: str | None = None  # None: the database's overall status
    level: str | None = None  # "warn" or "critical"
    on: date | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "kind", TriggerKind(self.kind))

    def to_dict(self) -> dict[str, Any]:
        values: dict[str, Any] = {"kind": self.kind.value}
        for name in self.kind.fields:
            value = getattr(self, name)
            values[name] = value.isoformat() if isinstance(value, date) else value
        return values

    def describe(self) -> str:
        """ "checkout-availability budget remaining < 25%", "orders-db replication lag at warn or worse"."""
        return _DESCRIBE[self.kind](self)


def _describe_database(trigger: Trigger) -> str:
    what = f"{trigger.database} check {trigger.check}" if trigger.check else f"{trigger.database} (any check)"
    return f"{what} at {trigger.level}" + (" or worse" if trigger.level == "warn" else "")


_DESCRIBE: dict[TriggerKind, Callable[[Trigger], str]] = {
    TriggerKind.SLO_BUDGET_BELOW: lambda t: f"{t.slo} budget remaining < {format_percent(t.threshold)}",
    TriggerKind.SLO_BURN_RATE_ABOVE: lambda t: f"{t.slo} burn rate over {t.window} > {format_burn_rate(t.threshold)}",
    TriggerKind.DATABASE_CHECK: _describe_database,
    TriggerKind.DATE: lambda t: f"date {t.on.isoformat() if t.on else '?'} reached",
}


class TriggerError(ValueError):
    """A trigger that cannot be read; the message says which field and why."""


class _Fields:
    """A stored trigger's fields, read one by one; every problem raises ``TriggerError`` naming the field."""

    def __init__(self, kind: TriggerKind, data: Mapping[str, Any]) -> None:
        self.kind, self.data = kind, data

    def text(self, name: str, required: bool = True) -> str | None:
        value = self.data.get(name)
        if value in (None, "") and not required:
            return None
        if not isinstance(value, str) or not value.strip():
            raise TriggerError(f"{self.kind} needs {name}")
        return value.strip()

    def number(self, name: str) -> float:
        value = self.data.get(name)
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise TriggerError(f"{self.kind} needs a number for {name}")
        try:
            value = float(value)
        except OverflowError:  # an int beyond float's range
            value = math.inf
        if not math.isfinite(value):  # NaN passes every comparison's "else"; JSON cannot store either
            raise TriggerError(f"{self.kind} needs a finite number for {name}, not {value!r}")
        return value


def _budget_from(fields: _Fields) -> Trigger:
    threshold = fields.number("threshold")
    if not -1.0 <= threshold <= 1.0:
        raise TriggerError("threshold is a budget fraction from -1 to 1 (0.25 = 25% left)")
    return Trigger(fields.kind, slo=fields.text("slo"), threshold=threshold)


def _burn_rate_from(fields: _Fields) -> Trigger:
    window = fields.text("window")
    if window not in BURN_RATE_WINDOWS:
        raise TriggerError(f"window must be one of {', '.join(BURN_RATE_WINDOWS)}, not {window!r}")
    threshold = fields.number("threshold")
    if threshold <= 0:
        raise TriggerError("threshold is a burn rate above 0 (1 = spending the budget exactly over the period)")
    return Trigger(fields.kind, slo=fields.text("slo"), window=window, threshold=threshold)


def _database_check_from(fields: _Fields) -> Trigger:
    level = fields.text("level")
    if level not in DATABASE_LEVELS:
        raise TriggerError(f"level must be warn or critical, not {level!r}")
    return Trigger(
        fields.kind, database=fields.text("database"), check=fields.text("check", required=False), level=level
    )


def _date_from(fields: _Fields) -> Trigger:
    on = fields.data.get("on")
    if isinstance(on, str):
        try:
            on = date.fromisoformat(on)
        except ValueError:
            raise TriggerError(f"on must be a date like 2026-12-01, not {on!r}") from None
    if not isinstance(on, date):
        raise TriggerError("date needs on, a date like 2026-12-01")
    return Trigger(fields.kind, on=on)


_FROM_FIELDS: dict[TriggerKind, Callable[[_Fields], Trigger]] = {
    TriggerKind.SLO_BUDGET_BELOW: _budget_from,
    TriggerKind.SLO_BURN_RATE_ABOVE: _burn_rate_from,
    TriggerKind.DATABASE_CHECK: _database_check_from,
    TriggerKind.DATE: _date_from,
}


def trigger_from_dict(data: Mapping[str, Any]) -> Trigger:
    """A trigger from its stored or imported form; raises ``TriggerError`` naming the bad field."""
    if not isinstance(data, Mapping):
        raise TriggerError('a trigger must be an object like {"kind": "slo_budget_below", ...}')
    raw_kind = data.get("kind")
    try:
        kind = TriggerKind(raw_kind)
    except ValueError:
        raise TriggerError(f"kind must be one of {', '.join(TriggerKind)}, not {raw_kind!r}") from None
    allowed = {"kind", *kind.fields}
    unknown = set(data) - allowed
    if unknown:
        raise TriggerError(f"{kind} takes {', '.join(sorted(allowed))}; unknown: {', '.join(sorted(unknown))}")
    return _FROM_FIELDS[kind](_Fields(kind, data))


def validate_triggers(
    triggers: Sequence[Mapping[str, Any]], known: KnownNames, *, check_links: bool = True
) -> tuple[list[Trigger], str | None]:
    """Parsed triggers and the first problem (naming the trigger by its position), or None when all are good."""
    parsed: list[Trigger] = []
    for position, data in enumerate(triggers, start=1):
        try:
            trigger = trigger_from_dict(data)
        except TriggerError as error:
            return parsed, f"trigger {position}: {error}"
        if check_links and trigger.slo is not None and trigger.slo not in known.slos:
            return parsed, f"trigger {position}: unknown SLO {trigger.slo!r}"
        if check_links and trigger.database is not None and trigger.database not in known.databases:
            hint = "" if known.databases else " (no databases are configured)"
            return parsed, f"trigger {position}: unknown database {trigger.database!r}{hint}"
        parsed.append(trigger)
    return parsed, None


# --- readings -------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SloTriggerReading:
    """One SLO's budget remaining and burn rates by window, as SLO triggers read them (None = no data)."""

    budget_remaining: float | None
    burn_rates: Mapping[str, float | None]


@dataclass(frozen=True)
class Readings:
    """Live signals at one instant, gathered by ``data.tracker.signals`` from the same sources as the other pages.

    ``databases`` maps (database, check id) to a status ("ok", "warn", "critical", "no data"); (database, None) is
    the database's overall status. Empty when no database probe is wired in: database triggers then read
    "no reading yet" and never fire. ``slo_errors`` and ``database_error`` say which source could not answer."""

    at: datetime
    slo_source: str = "no SLO source"
    slos: Mapping[str, SloTriggerReading] = field(default_factory=dict)
    database_source: str = "no database readings"
    databases: Mapping[tuple[str, str | None], str] = field(default_factory=dict)
    slo_errors: tuple[str, ...] = ()  # why SLOs read no data, one message per source that failed
    database_error: str | None = None  # why databases read no data: the probe failed (its error's type)


@dataclass(frozen=True)
class TriggerEvaluation:
    trigger: Trigger
    fired: bool
    value: float | str | None  # the reading: a fraction, a burn rate, a status, a date; None = no reading yet
    at: datetime | None
    source: str | None
    text: str  # for people: "budget remaining 12.0% < 25.0%", "no reading yet"

    def to_dict(self) -> dict[str, Any]:
        value = self.value.isoformat() if isinstance(self.value, date) else self.value
        return {
            "trigger": self.trigger.to_dict(),
            "fired": self.fired,
            "value": value,
            "at": None if self.at is None else self.at.isoformat(),
            "source": self.source,
            "text": self.text,
        }


def _no_reading(trigger: Trigger, value: str | None = None, text: str = "no reading yet") -> TriggerEvaluation:
    return TriggerEvaluation(trigger, False, value, None, None, text)


def _evaluate_date(trigger: Trigger, readings: Readings, today: date) -> TriggerEvaluation:
    fired = trigger.on is not None and trigger.on <= today
    return TriggerEvaluation(
        trigger,
        fired,
        trigger.on.isoformat() if trigger.on else None,
        readings.at,
        "calendar",
        f"{trigger.on} {'reached' if fired else 'not reached yet'}",
    )


def _evaluate_budget(trigger: Trigger, readings: Readings, today: date) -> TriggerEvaluation:
    reading = readings.slos.get(trigger.slo or "")
    value = None if reading is None else reading.budget_remaining
    if value is None:
        return _no_reading(trigger)
    fired = value < trigger.threshold
    relation = "<" if fired else "≥"
    text = f"budget remaining {format_percent(value)} {relation} {format_percent(trigger.threshold)}"
    return TriggerEvaluation(trigger, fired, value, readings.at, readings.slo_source, text)


def _evaluate_burn_rate(trigger: Trigger, readings: Readings, today: date) -> TriggerEvaluation:
    reading = readings.slos.get(trigger.slo or "")
    value = None if reading is None else reading.burn_rates.get(trigger.window or "")
    if value is None:
        return _no_reading(trigger)
    fired = value > trigger.threshold
    relation = ">" if fired else "≤"
    text = f"burn rate over {trigger.window} {format_burn_rate(value)} {relation} {format_burn_rate(trigger.threshold)}"
    return TriggerEvaluation(trigger, fired, value, readings.at, readings.slo_source, text)


def _evaluate_database(trigger: Trigger, readings: Readings, today: date) -> TriggerEvaluation:
    status = readings.databases.get((trigger.database or "", trigger.check))
    if status is None:
        return _no_reading(trigger)
    if status not in _STATUS_RANK:
        return _no_reading(trigger, status, f"status {status}: no reading to judge")
    fired = _STATUS_RANK[status] >= _STATUS_RANK[trigger.level or "warn"]
    return TriggerEvaluation(
        trigger,
        fired,
        status,
        readings.at,
        readings.database_source,
        f"status {status} ({'at or above' if fired else 'below'} {trigger.level})",
    )


_EVALUATE: dict[TriggerKind, Callable[[Trigger, Readings, date], TriggerEvaluation]] = {
    TriggerKind.SLO_BUDGET_BELOW: _evaluate_budget,
    TriggerKind.SLO_BURN_RATE_ABOVE: _evaluate_burn_rate,
    TriggerKind.DATABASE_CHECK: _evaluate_database,
    TriggerKind.DATE: _evaluate_date,
}


def evaluate_trigger(trigger: Trigger, readings: Readings, today: date) -> TriggerEvaluation:
    """Whether one trigger fires now. Missing data never fires: "no reading yet" is shown as such."""
    return _EVALUATE[trigger.kind](trigger, readings, today)


# --- due ------------------------------------------------------------------------------------------------------------


class DueKind(StrEnum):
    """Why an item came due; the value is what the store and the exports keep."""

    DATE = "date"
    SIGNAL = "signal"
    BY_HAND = "by hand"


DUE_BY_DATE, DUE_BY_SIGNAL, DUE_BY_HAND = DueKind.DATE, DueKind.SIGNAL, DueKind.BY_HAND


@dataclass(frozen=True)
class DueReason:
    """Why an item is due: its revisit date, a trigger that fired (with the reading), or a person's decision."""

    kind: DueKind
    text: str
    value: float | str | None = None
    threshold: float | str | None = None
    at: datetime | None = None
    source: str | None = None
    trigger: Mapping[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": DueKind(self.kind).value,
            "text": self.text,
            "value": self.value,
            "threshold": self.threshold,
            "at": None if self.at is None else self.at.isoformat(),
            "source": self.source,
            "trigger": None if self.trigger is None else dict(self.trigger),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> DueReason:
        at = data.get("at")
        return cls(
            kind=_due_kind(data.get("kind")),
            text=data.get("text", ""),
            value=data.get("value"),
            threshold=data.get("threshold"),
            at=datetime.fromisoformat(at) if at else None,
            source=data.get("source"),
            trigger=data.get("trigger"),
        )


# What a fired trigger's reading was compared with: a fraction or burn rate, a level, a date.
_THRESHOLD: dict[TriggerKind, Callable[[Trigger], float | str | None]] = {
    TriggerKind.SLO_BUDGET_BELOW: lambda t: t.threshold,
    TriggerKind.SLO_BURN_RATE_ABOVE: lambda t: t.threshold,
    TriggerKind.DATABASE_CHECK: lambda t: t.level,
    TriggerKind.DATE: lambda t: None if t.on is None else t.on.isoformat(),
}


def _due_kind(value: Any) -> DueKind:
    """A stored reason's kind; anything unrecognised reads as a person's decision (the badge it always had)."""
    try:
        return DueKind(value)
    except ValueError:
        return DueKind.BY_HAND


def due_reasons(
    revisit_on: date | None, triggers: Sequence[Trigger], readings: Readings, today: date
) -> list[DueReason]:
    """Every reason an item is due now: the revisit date first (it was planned), then each fired trigger."""
    reasons: list[DueReason] = []
    if revisit_on is not None and revisit_on <= today:
        late = (today - revisit_on).days
        text = f"revisit date {revisit_on.isoformat()} reached" + (f" ({late} d ago)" if late else " (today)")
        reasons.append(
            DueReason(
                DUE_BY_DATE,
                text,
                value=today.isoformat(),
                threshold=revisit_on.isoformat(),
                at=readings.at,
                source="calendar",
            )
        )
    for trigger in triggers:
        evaluation = evaluate_trigger(trigger, readings, today)
        if evaluation.fired:
            kind = DueKind.DATE if trigger.kind is TriggerKind.DATE else DueKind.SIGNAL
            value = evaluation.value.isoformat() if isinstance(evaluation.value, date) else evaluation.value
            reasons.append(
                DueReason(
                    kind,
                    f"{trigger.describe()}: {evaluation.text}",
                    value=value,
                    threshold=_THRESHOLD[trigger.kind](trigger),
                    at=evaluation.at,
                    source=evaluation.source,
                    trigger=trigger.to_dict(),
                )
            )
    return reasons


def becomes_due(state: str, reasons: Sequence[DueReason]) -> bool:
    """A parked item with a reason becomes due; other states are left alone (work in progress is not "due")."""
    return state == PARKED and bool(reasons)


def due_sort_key(reasons: Sequence[DueReason], priority_rank: int, revisit_on: date | None) -> tuple:
    """Due queue order: date-due first, then signal-due, then by hand; within each, higher priority first (rank 0
    = P1), then the oldest revisit date."""
    kinds = {reason.kind for reason in reasons}
    rank = 0 if DUE_BY_DATE in kinds else 1 if DUE_BY_SIGNAL in kinds else 2
    return (rank, priority_rank, revisit_on or date.max)


# --- one trigger per line, for forms ---------------------------------------------------------------------------------

TRIGGER_LINE_HELP = (
    "One trigger per line:  \n"
    "`budget checkout-availability < 25%` — the SLO's budget remaining below 25%  \n"
    "`burn checkout-availability 1h > 6` — its burn rate over 1h above 6×  \n"
    "`database orders-db replication_lag warn` — that check at warn or worse (`critical` for critical only; "
    "leave out the check for the whole database)  \n"
    "`date 2027-01-15` — a second date"
)


_LINE: dict[TriggerKind, Callable[[Trigger], str]] = {
    TriggerKind.SLO_BUDGET_BELOW: lambda t: f"budget {t.slo} < {_number_text(t.threshold * 100)}%",
    TriggerKind.SLO_BURN_RATE_ABOVE: lambda t: f"burn {t.slo} {t.window} > {_number_text(t.threshold)}",
    TriggerKind.DATABASE_CHECK: lambda t: " ".join(part for part in ("database", t.database, t.check, t.level) if part),
    TriggerKind.DATE: lambda t: f"date {t.on.isoformat() if t.on else ''}",
}


def format_trigger_line(trigger: Trigger) -> str:
    """The line a person types for a trigger; ``parse_trigger_line`` reads it back."""
    return _LINE[trigger.kind](trigger)


def _number_text(value: float) -> str:
    return f"{round(value, 6):g}"


def _budget_line(words: list[str]) -> dict[str, Any] | None:
    if len(words) != 4 or words[2] != "<":
        return None
    percent = words[3].rstrip("%")
    return {"kind": TriggerKind.SLO_BUDGET_BELOW.value, "slo": words[1], "threshold": round(float(percent) / 100, 8)}


def _burn_line(words: list[str]) -> dict[str, Any] | None:
    if len(words) != 5 or words[3] != ">":
        return None
    return {
        "kind": TriggerKind.SLO_BURN_RATE_ABOVE.value,
        "slo": words[1],
        "window": words[2],
        "threshold": float(words[4].rstrip("x×")),
    }


def _database_line(words: list[str]) -> dict[str, Any] | None:
    if len(words) not in (3, 4):
        return None
    check = words[2] if len(words) == 4 else None
    return {"kind": TriggerKind.DATABASE_CHECK.value, "database": words[1], "check": check, "level": words[-1].lower()}


def _date_line(words: list[str]) -> dict[str, Any] | None:
    return {"kind": TriggerKind.DATE.value, "on": words[1]} if len(words) == 2 else None


# A typed line's first word says which kind it is.
_LINE_READERS: dict[str, Callable[[list[str]], dict[str, Any] | None]] = {
    "budget": _budget_line,
    "burn": _burn_line,
    "database": _database_line,
    "date": _date_line,
}


def parse_trigger_line(line: str) -> dict[str, Any]:
    """A trigger's stored form from one typed line; raises ``TriggerError`` saying what a good line looks like."""
    words = line.replace("<", " < ").replace(">", " > ").split()
    if not words:
        raise TriggerError("empty line")
    reader = _LINE_READERS.get(words[0].lower())
    try:
        data = reader(words) if reader else None
    except ValueError:
        data = None
    if data is not None:
        return data
    raise TriggerError(
        f"cannot read {line.strip()!r}: write e.g. `budget checkout-availability < 25%`, "
        "`burn checkout-availability 1h > 6`, `database orders-db replication_lag warn` or "
        "`date 2027-01-15`"
    )


def parse_trigger_lines(text: str) -> list[dict[str, Any]]:
    """Every non-empty line as a trigger; the first bad line raises ``TriggerError`` naming its line number."""
    triggers = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            data = parse_trigger_line(line)
            trigger_from_dict(data)
        except TriggerError as error:
            raise TriggerError(f"line {number}: {error}") from None
        triggers.append(data)
    return triggers


def format_trigger_lines(triggers: Sequence[Mapping[str, Any]]) -> str:
    lines = []
    for data in triggers:
        try:
            lines.append(format_trigger_line(trigger_from_dict(data)))
        except TriggerError:
            continue
    return "\n".join(lines)
