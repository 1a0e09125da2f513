"""Revisit triggers as data, and when an item is due.

A trigger names a live signal and a threshold: an SLO's budget remaining below a value, an SLO's burn rate over a
window above a value, a database check (or the whole database) at warn or critical, or a date. Evaluating it
against readings (given, never fetched here) says whether it fired and with which reading — value, when, source —
so the page can show the live reading next to its threshold and the store can keep what made the item due.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from metrics.formatting import format_burn_rate, format_percent
from metrics.slo.definitions import BURN_WINDOWS
from metrics.tracker.rules import PARKED, KnownNames

SLO_BUDGET_BELOW, SLO_BURN_RATE_ABOVE, DATABASE_CHECK, DATE = (
    "slo_budget_below",
    "slo_burn_rate_above",
    "database_check",
    "date",
)
TRIGGER_KINDS = (SLO_BUDGET_BELOW, SLO_BURN_RATE_ABOVE, DATABASE_CHECK, DATE)
TRIGGER_KIND_LABELS = {
    SLO_BUDGET_BELOW: "SLO budget remaining below",
    SLO_BURN_RATE_ABOVE: "SLO burn rate above",
    DATABASE_CHECK: "database check at",
    DATE: "date reached",
}
DATABASE_LEVELS = ("warn", "critical")  # the lowest status that fires a database trigger
_STATUS_RANK = {"ok": 0, "info": 0, "warn": 1, "critical": 2}
BURN_RATE_WINDOWS = BURN_WINDOWS


@dataclass(frozen=True)
class Trigger:
    """One revisit trigger. Which fields matter depends on ``kind``; ``to_dict``/``trigger_from_dict`` keep only
    those, so a stored trigger reads the same after any round trip."""

    kind: str
    slo: str | None = None
    window: str | None = None  # burn-rate window, e.g. "1h"
    threshold: float | None = None  # budget fraction (0.25 = 25 %) or burn rate (6 = 6×)
    database: str | None = None
    check: str | None = None  # None: the database's overall status
    level: str | None = None  # "warn" or "critical"
    on: date | None = None

    def to_dict(self) -> dict[str, Any]:
        if self.kind == SLO_BUDGET_BELOW:
            return {"kind": self.kind, "slo": self.slo, "threshold": self.threshold}
        if self.kind == SLO_BURN_RATE_ABOVE:
            return {"kind": self.kind, "slo": self.slo, "window": self.window, "threshold": self.threshold}
        if self.kind == DATABASE_CHECK:
            return {"kind": self.kind, "database": self.database, "check": self.check, "level": self.level}
        return {"kind": self.kind, "on": None if self.on is None else self.on.isoformat()}

    def describe(self) -> str:
        """ "checkout-availability budget remaining < 25 %", "orders-db replication lag at warn or worse"."""
        if self.kind == SLO_BUDGET_BELOW:
            return f"{self.slo} budget remaining < {format_percent(self.threshold)}"
        if self.kind == SLO_BURN_RATE_ABOVE:
            return f"{self.slo} burn rate over {self.window} > {format_burn_rate(self.threshold)}"
        if self.kind == DATABASE_CHECK:
            what = f"{self.database} check {self.check}" if self.check else f"{self.database} (any check)"
            return f"{what} at {self.level}" + (" or worse" if self.level == "warn" else "")
        return f"date {self.on.isoformat() if self.on else '?'} reached"


class TriggerError(ValueError):
    """A trigger that cannot be read; the message says which field and why."""


def trigger_from_dict(data: Mapping[str, Any]) -> Trigger:
    """A trigger from its stored or imported form; raises ``TriggerError`` naming the bad field."""
    if not isinstance(data, Mapping):
        raise TriggerError('a trigger must be an object like {"kind": "slo_budget_below", ...}')
    kind = data.get("kind")
    if kind not in TRIGGER_KINDS:
        raise TriggerError(f"kind must be one of {', '.join(TRIGGER_KINDS)}, not {kind!r}")
    allowed = set(Trigger(kind=kind).to_dict())
    unknown = set(data) - allowed
    if unknown:
        raise TriggerError(f"{kind} takes {', '.join(sorted(allowed))}; unknown: {', '.join(sorted(unknown))}")

    def text(name: str, required: bool = True) -> str | None:
        value = data.get(name)
        if value in (None, "") and not required:
            return None
        if not isinstance(value, str) or not value.strip():
            raise TriggerError(f"{kind} needs {name}")
        return value.strip()

    def number(name: str) -> float:
        value = data.get(name)
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise TriggerError(f"{kind} needs a number for {name}")
        try:
            value = float(value)
        except OverflowError:  # an int beyond float's range
            value = math.inf
        if not math.isfinite(value):  # NaN passes every comparison's "else"; JSON cannot store either
            raise TriggerError(f"{kind} needs a finite number for {name}, not {value!r}")
        return value

    if kind == SLO_BUDGET_BELOW:
        threshold = number("threshold")
        if not -1.0 <= threshold <= 1.0:
            raise TriggerError("threshold is a budget fraction from -1 to 1 (0.25 = 25 % left)")
        return Trigger(kind, slo=text("slo"), threshold=threshold)
    if kind == SLO_BURN_RATE_ABOVE:
        window = text("window")
        if window not in BURN_RATE_WINDOWS:
            raise TriggerError(f"window must be one of {', '.join(BURN_RATE_WINDOWS)}, not {window!r}")
        threshold = number("threshold")
        if threshold <= 0:
            raise TriggerError("threshold is a burn rate above 0 (1 = spending the budget exactly over the period)")
        return Trigger(kind, slo=text("slo"), window=window, threshold=threshold)
    if kind == DATABASE_CHECK:
        level = text("level")
        if level not in DATABASE_LEVELS:
            raise TriggerError(f"level must be warn or critical, not {level!r}")
        return Trigger(kind, database=text("database"), check=text("check", required=False), level=level)
    on = data.get("on")
    if isinstance(on, str):
        try:
            on = date.fromisoformat(on)
        except ValueError:
            raise TriggerError(f"on must be a date like 2026-12-01, not {on!r}") from None
    if not isinstance(on, date):
        raise TriggerError("date needs on, a date like 2026-12-01")
    return Trigger(kind, on=on)


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
class SloReading:
    budget_remaining: float | None
    burn_rates: Mapping[str, float | None]


@dataclass(frozen=True)
class Readings:
    """Live signals at one instant, gathered by ``data.tracker.signals`` from the same sources as the other pages.

    ``databases`` maps (database, check id) to a status ("ok", "warn", "critical", "no data"); (database, None) is
    the database's overall status. Empty when no database probe is wired in: database triggers then read
    "no reading yet" and never fire."""

    at: datetime
    slo_source: str = "no SLO source"
    slos: Mapping[str, SloReading] = field(default_factory=dict)
    database_source: str = "no database readings"
    databases: Mapping[tuple[str, str | None], str] = field(default_factory=dict)


@dataclass(frozen=True)
class TriggerEvaluation:
    trigger: Trigger
    fired: bool
    value: float | str | None  # the reading: a fraction, a burn rate, a status, a date; None = no reading yet
    at: datetime | None
    source: str | None
    text: str  # for people: "budget remaining 12.0 % < 25.0 %", "no reading yet"

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


def evaluate_trigger(trigger: Trigger, readings: Readings, today: date) -> TriggerEvaluation:
    """Whether one trigger fires now. Missing data never fires: "no reading yet" is shown as such."""
    if trigger.kind == DATE:
        fired = trigger.on is not None and trigger.on <= today
        return TriggerEvaluation(
            trigger,
            fired,
            trigger.on.isoformat() if trigger.on else None,
            readings.at,
            "calendar",
            f"{trigger.on} {'reached' if fired else 'not reached yet'}",
        )
    if trigger.kind in (SLO_BUDGET_BELOW, SLO_BURN_RATE_ABOVE):
        reading = readings.slos.get(trigger.slo or "")
        if trigger.kind == SLO_BUDGET_BELOW:
            value = None if reading is None else reading.budget_remaining
            if value is None:
                return TriggerEvaluation(trigger, False, None, None, None, "no reading yet")
            fired = value < trigger.threshold
            relation = "<" if fired else "≥"
            text = f"budget remaining {format_percent(value)} {relation} {format_percent(trigger.threshold)}"
        else:
            value = None if reading is None else reading.burn_rates.get(trigger.window or "")
            if value is None:
                return TriggerEvaluation(trigger, False, None, None, None, "no reading yet")
            fired = value > trigger.threshold
            relation = ">" if fired else "≤"
            text = (
                f"burn rate over {trigger.window} {format_burn_rate(value)} {relation} "
                f"{format_burn_rate(trigger.threshold)}"
            )
        return TriggerEvaluation(trigger, fired, value, readings.at, readings.slo_source, text)
    status = readings.databases.get((trigger.database or "", trigger.check))
    if status is None or status not in _STATUS_RANK:
        return TriggerEvaluation(
            trigger,
            False,
            status,
            None,
            None,
            "no reading yet" if status is None else f"status {status}: no reading to judge",
        )
    fired = _STATUS_RANK[status] >= _STATUS_RANK[trigger.level or "warn"]
    return TriggerEvaluation(
        trigger,
        fired,
        status,
        readings.at,
        readings.database_source,
        f"status {status} ({'at or above' if fired else 'below'} {trigger.level})",
    )


# --- due ------------------------------------------------------------------------------------------------------------

DUE_BY_DATE, DUE_BY_SIGNAL, DUE_BY_HAND = "date", "signal", "by hand"


@dataclass(frozen=True)
class DueReason:
    """Why an item is due: its revisit date, a trigger that fired (with the reading), or a person's decision."""

    kind: str  # DUE_BY_DATE, DUE_BY_SIGNAL, DUE_BY_HAND
    text: str
    value: float | str | None = None
    threshold: float | str | None = None
    at: datetime | None = None
    source: str | None = None
    trigger: Mapping[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
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
            kind=data.get("kind", DUE_BY_HAND),
            text=data.get("text", ""),
            value=data.get("value"),
            threshold=data.get("threshold"),
            at=datetime.fromisoformat(at) if at else None,
            source=data.get("source"),
            trigger=data.get("trigger"),
        )


def _threshold(trigger: Trigger) -> float | str | None:
    if trigger.kind == DATABASE_CHECK:
        return trigger.level
    if trigger.kind == DATE:
        return None if trigger.on is None else trigger.on.isoformat()
    return trigger.threshold


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
            kind = DUE_BY_DATE if trigger.kind == DATE else DUE_BY_SIGNAL
            value = evaluation.value.isoformat() if isinstance(evaluation.value, date) else evaluation.value
            reasons.append(
                DueReason(
                    kind,
                    f"{trigger.describe()}: {evaluation.text}",
                    value=value,
                    threshold=_threshold(trigger),
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


def linked_names(triggers: Collection[Trigger]) -> tuple[set[str], set[str]]:
    """The SLOs and databases triggers read, so readings are gathered only for those."""
    return ({t.slo for t in triggers if t.slo}, {t.database for t in triggers if t.database})


# --- one trigger per line, for forms ---------------------------------------------------------------------------------

TRIGGER_LINE_HELP = (
    "One trigger per line:  \n"
    "`budget checkout-availability < 25%` — the SLO's budget remaining below 25 %  \n"
    "`burn checkout-availability 1h > 6` — its burn rate over 1h above 6×  \n"
    "`database orders-db replication_lag warn` — that check at warn or worse (`critical` for critical only; "
    "leave out the check for the whole database)  \n"
    "`date 2027-01-15` — a second date"
)


def format_trigger_line(trigger: Trigger) -> str:
    """The line a person types for a trigger; ``parse_trigger_line`` reads it back."""
    if trigger.kind == SLO_BUDGET_BELOW:
        return f"budget {trigger.slo} < {_number_text(trigger.threshold * 100)}%"
    if trigger.kind == SLO_BURN_RATE_ABOVE:
        return f"burn {trigger.slo} {trigger.window} > {_number_text(trigger.threshold)}"
    if trigger.kind == DATABASE_CHECK:
        return " ".join(part for part in ("database", trigger.database, trigger.check, trigger.level) if part)
    return f"date {trigger.on.isoformat() if trigger.on else ''}"


def _number_text(value: float) -> str:
    return f"{round(value, 6):g}"


def parse_trigger_line(line: str) -> dict[str, Any]:
    """A trigger's stored form from one typed line; raises ``TriggerError`` saying what a good line looks like."""
    words = line.replace("<", " < ").replace(">", " > ").split()
    if not words:
        raise TriggerError("empty line")
    keyword = words[0].lower()
    try:
        if keyword == "budget" and len(words) == 4 and words[2] == "<":
            percent = words[3].rstrip("%")
            return {"kind": SLO_BUDGET_BELOW, "slo": words[1], "threshold": round(float(percent) / 100, 8)}
        if keyword == "burn" and len(words) == 5 and words[3] == ">":
            return {
                "kind": SLO_BURN_RATE_ABOVE,
                "slo": words[1],
                "window": words[2],
                "threshold": float(words[4].rstrip("x×")),
            }
        if keyword == "database" and len(words) in (3, 4):
            check = words[2] if len(words) == 4 else None
            return {"kind": DATABASE_CHECK, "database": words[1], "check": check, "level": words[-1].lower()}
        if keyword == "date" and len(words) == 2:
            return {"kind": DATE, "on": words[1]}
    except ValueError:
        pass
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
