"""Custom checks: a DBA's own read-only SQL with warn and critical thresholds, judged beside the built-in checks.

Pure: what a check is (``CustomCheck``, from databases.toml), what its query returned (``CustomReading``, from the
probe), and the status that follows (``evaluate_custom``). ``sql_problem`` reads the SQL text only: one statement,
no transaction control or session settings, no MySQL executable comments. The server enforces the rest: the probe
runs each check inside a READ ONLY transaction under its statement timeout and always rolls it back.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from metrics.databases.checks import CRITICAL, INFO, OK, UNKNOWN, WARN, CheckResult, ProbeData, truncate_query

KINDS = ("value", "rows")  # the first row's value, or how many rows the query returned
DIRECTIONS = ("above", "below")  # the status worsens as the value rises (reaches the threshold from below) or falls
ROW_LIMIT = 1000  # rows counted by a "rows" check; past it the count reads "1,000 or more"
ITEMS_SHOWN = 20  # rows of a "rows" check kept as items (page, CLI, JSON)
CELL_LIMIT = 200  # characters of each value kept in an item
# First words that would step outside the probe's read-only transaction, change its session (its timeouts), hold a
# lock past the statement (LOCK TABLES, a prepared transaction) or act on other sessions.
REFUSED_FIRST_WORDS = (
    "ABORT",
    "BEGIN",
    "COMMIT",
    "DEALLOCATE",
    "DISCARD",
    "END",
    "EXECUTE",
    "FLUSH",
    "HANDLER",
    "KILL",
    "LOCK",
    "PREPARE",
    "RELEASE",
    "RESET",
    "ROLLBACK",
    "SAVEPOINT",
    "SET",
    "START",
    "UNLOCK",
    "XA",
)
WROTE, TIMED_OUT, NOT_RUN, ERROR = "wrote", "timed out", "not run", "error"
ACTIONS = {
    WROTE: "A check may only read: take the write out of its SQL in databases.toml",
    TIMED_OUT: "Make the query cheaper (an index, a narrower scan): it must end within the probe's statement timeout",
    NOT_RUN: "Make the custom checks quicker, or give the probe a longer deadline_seconds",
    ERROR: "Fix the check's SQL in databases.toml (try it by hand in a READ ONLY transaction)",
}
_WORD = re.compile(r"[A-Za-z_]+")
_DOLLAR_TAG = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)?\$")


@dataclass(frozen=True)
class CustomCheck:
    """One check of databases.toml: ``name`` is its id on the page, in the CLI, the store and tracker triggers."""

    name: str
    engine: str
    sql: str
    description: str  # what the value means, shown with it
    title: str = ""
    action: str = ""  # what to do when it warns
    kind: str = "value"
    unit: str = ""
    warn: float | None = None
    critical: float | None = None
    direction: str = "above"

    @property
    def label(self) -> str:
        return self.title or self.name


@dataclass(frozen=True)
class CustomReading:
    """What a custom check's query returned: its columns and first rows (values as the driver gave them), how many
    rows it returned (at most ``ROW_LIMIT`` + 1 read), or why it gave nothing (``error``, never a DSN)."""

    columns: tuple[str, ...] = ()
    rows: tuple[tuple[Any, ...], ...] = ()
    row_count: int = 0
    error: str | None = None
    cause: str = ERROR  # with an error: WROTE, TIMED_OUT, NOT_RUN or ERROR (what to do differs)


@dataclass(frozen=True)
class _Scan:
    statements: list[str] = field(default_factory=list)
    executable_comment: bool = False


def _scan(sql: str, engine: str) -> _Scan:
    """Split ``sql`` at the semicolons outside quotes and comments; each piece with its comments removed."""
    mysql = engine != "postgresql"
    pieces, current = [], []
    executable = False
    i, n = 0, len(sql)
    while i < n:
        c = sql[i]
        nxt = sql[i + 1] if i + 1 < n else ""
        if c == ";":
            pieces.append("".join(current))
            current = []
            i += 1
        elif c == "-" and nxt == "-" and (not mysql or i + 2 >= n or sql[i + 2] in " \t\r\n"):
            end = sql.find("\n", i)
            i = n if end < 0 else end
            current.append(" ")
        elif c == "#" and mysql:
            end = sql.find("\n", i)
            i = n if end < 0 else end
            current.append(" ")
        elif c == "/" and nxt == "*":
            if mysql and (sql[i + 2 : i + 3] in ("!", "+") or sql[i + 2 : i + 4] == "M!"):
                executable = True
            i = _comment_end(sql, i, nested=not mysql)
            current.append(" ")
        elif c in "'\"`":
            end = _quote_end(sql, i, backslash=mysql or _escape_string(sql, i))
            current.append(sql[i:end])
            i = end
        elif c == "$" and not mysql and not (i and (sql[i - 1].isalnum() or sql[i - 1] in "_$")):
            tag = _DOLLAR_TAG.match(sql, i)
            if tag:
                close = sql.find(tag.group(0), tag.end())
                end = n if close < 0 else close + len(tag.group(0))
                current.append(sql[i:end])
                i = end
            else:
                current.append(c)
                i += 1
        else:
            current.append(c)
            i += 1
    pieces.append("".join(current))
    return _Scan([p for p in pieces if p.strip()], executable)


def _escape_string(sql: str, quote_at: int) -> bool:
    """PostgreSQL's E'...' strings read backslash escapes."""
    return sql[quote_at] == "'" and quote_at > 0 and sql[quote_at - 1] in "eE"


def _quote_end(sql: str, start: int, backslash: bool) -> int:
    """The index after the quoted text starting at ``start`` (a doubled quote stays inside); the end if unclosed."""
    quote, i, n = sql[start], start + 1, len(sql)
    while i < n:
        if backslash and sql[i] == "\\":
            i += 2
            continue
        if sql[i] == quote:
            if i + 1 < n and sql[i + 1] == quote:
                i += 2
                continue
            return i + 1
        i += 1
    return n


def _comment_end(sql: str, start: int, nested: bool) -> int:
    depth, i, n = 0, start, len(sql)
    while i < n:
        if sql.startswith("/*", i):
            depth = depth + 1 if nested or depth == 0 else depth
            i += 2
        elif sql.startswith("*/", i):
            depth -= 1
            i += 2
            if depth == 0:
                return i
        else:
            i += 1
    return n


def sql_problem(sql: str, engine: str) -> str | None:
    """Why ``sql`` cannot be a check, or None: empty, several statements, transaction control, a session setting, a
    lock or a prepared statement (``REFUSED_FIRST_WORDS``: it would leave the read-only transaction, lift its timeout
    or hold a lock past it), or (MySQL/MariaDB) an executable comment or an optimizer hint, which the server runs as
    SQL."""
    scan = _scan(sql, engine)
    if not scan.statements:
        return "is empty: write one SELECT (or SHOW) that returns the value or the rows to count"
    if len(scan.statements) > 1:
        return f"holds {len(scan.statements)} statements; a check is one query (one statement, no ';' between)"
    if scan.executable_comment:
        return (
            "holds an executable comment or optimizer hint (/*! */, /*M! */, /*+ */): the server runs it as SQL, "
            "and MAX_EXECUTION_TIME would lift the probe's timeout"
        )
    first = _WORD.search(scan.statements[0].lstrip(" \t\r\n("))
    if first and first.group(0).upper() in REFUSED_FIRST_WORDS:
        return (
            f"starts with {first.group(0).upper()}: transaction control, session settings, locks and prepared "
            "statements are refused (the check runs inside the probe's read-only transaction, under its timeouts)"
        )
    return None


def level(value: float, warn: float | None, critical: float | None, direction: str = "above") -> str:
    """critical or warn once the value reaches the threshold (at or above it, or at or below it), else ok."""

    def reached(threshold: float | None) -> bool:
        return threshold is not None and (value >= threshold if direction == "above" else value <= threshold)

    return CRITICAL if reached(critical) else WARN if reached(warn) else OK


def _number(value: Any) -> float | None:
    """A reading as a number: ints, floats, decimals, booleans (1/0) and numeric text (SHOW STATUS gives text)."""
    if isinstance(value, bool):
        return float(value)
    if isinstance(value, (int, float, Decimal)):
        number = float(value)
    elif isinstance(value, (str, bytes)):
        try:
            number = float(value.decode() if isinstance(value, bytes) else value)
        except (ValueError, UnicodeDecodeError):
            return None
    else:
        return None
    return number if math.isfinite(number) else None


def _value_of(check: CustomCheck, reading: CustomReading) -> tuple[float | None, str | None]:
    """(value, None) or (None, why there is none)."""
    if check.kind == "rows":
        return float(min(reading.row_count, ROW_LIMIT)), None
    if reading.row_count != 1:
        return None, (
            f"a value check needs exactly one row, the query returned {_row_text(reading.row_count)} "
            '(kind = "rows" counts rows)'
        )
    lowered = [c.lower() for c in reading.columns]
    if len(lowered) == 1:
        index = 0
    elif "value" in lowered:
        index = lowered.index("value")
    else:
        return None, f"the row has {len(lowered)} columns: return one, or name the one to judge `value`"
    raw = reading.rows[0][index]
    if raw is None:
        return None, "the query returned NULL"
    number = _number(raw)
    if number is None:
        return None, f"the value is not a number: {truncate_query(str(raw), 60)!r}"
    return number, None


def _row_text(count: int) -> str:
    return f"{ROW_LIMIT:,} rows or more" if count > ROW_LIMIT else f"{count:,} row{'' if count == 1 else 's'}"


def _thresholds_text(check: CustomCheck) -> str:
    sign = "≥" if check.direction == "above" else "≤"
    limits = (("warn", check.warn), ("critical", check.critical))
    parts = [f"{name} {sign} {limit:g}" for name, limit in limits if limit is not None]
    return ", ".join(parts) if parts else "no thresholds: shown for information"


def _items(reading: CustomReading) -> list[dict[str, Any]]:
    def cell(value: Any) -> Any:
        if value is None or isinstance(value, (bool, int)) or (isinstance(value, float) and math.isfinite(value)):
            return value
        return truncate_query(str(value), CELL_LIMIT)

    return [{column: cell(value) for column, value in zip(reading.columns, row)} for row in reading.rows[:ITEMS_SHOWN]]


def evaluate_custom(check: CustomCheck, reading: CustomReading | None) -> CheckResult:
    """One custom check's result: its value against its thresholds, or unknown ("cannot tell") with the reason."""
    about = check.description
    if reading is None:
        return CheckResult(check.name, UNKNOWN, None, f"cannot tell: not run by this probe. {about}", title=check.label)
    if reading.error is not None:
        return CheckResult(
            check.name,
            UNKNOWN,
            None,
            f"cannot tell: {reading.error}. {about}",
            ACTIONS.get(reading.cause, ACTIONS[ERROR]),
            title=check.label,
        )
    value, why_not = _value_of(check, reading)
    if value is None:
        return CheckResult(
            check.name,
            UNKNOWN,
            None,
            f"cannot tell: {why_not}. {about}",
            ACTIONS[ERROR],
            _items(reading),
            title=check.label,
        )
    no_thresholds = check.warn is None and check.critical is None
    status = INFO if no_thresholds else level(value, check.warn, check.critical, check.direction)
    shown = _row_text(reading.row_count) if check.kind == "rows" else f"{value:g}"
    unit = f" {check.unit}" if check.unit else ""
    return CheckResult(
        check.name,
        status,
        value,
        f"{shown}{unit} ({_thresholds_text(check)}). {about}",
        check.action if status in (WARN, CRITICAL) else "",
        _items(reading) if check.kind == "rows" else [],
        title=check.label,
    )


def evaluate_custom_checks(checks: tuple[CustomCheck, ...] | list[CustomCheck], probe: ProbeData) -> list[CheckResult]:
    """Every custom check of a database, in configuration order, from what the probe read."""
    readings = probe.custom or {}
    return [evaluate_custom(check, readings.get(check.name)) for check in checks]
