"""Tracker import and export as CSV and JSON: the same format from the CLI and the page.

Columns (CSV header, JSON keys), in this order: see ``COLUMNS``. Lists (services, slos, databases) are names joined
with ``"; "`` in CSV and arrays in JSON; triggers are a JSON array in both (a JSON string in the CSV cell). Dates
are ``YYYY-MM-DD``, instants ISO 8601 in UTC, empty cells mean "not set", ``workaround_holds`` is yes/no/empty.
JSON items also carry their review log (``reviews``: reviewed_at, reviewer, outcome, what_changed,
next_revisit_on, state_before, state_after), appended again on import; CSV has items only.

Spreadsheet safety (``metrics.spreadsheet``, the rule every CSV download follows): a CSV cell that starts with
``=``, ``+``, ``-``, ``@``, a tab, a carriage return or ``'`` is written with one extra leading ``'``, so a
spreadsheet shows it as text instead of running it as a formula. Import removes exactly one leading ``'`` from every
cell that has one; because ``'`` itself is escaped, every value comes back exactly as it was (export → import →
export is identical). JSON needs no such escaping.

Import validates every row before storing any: all problems are reported with the row number (the CSV line's
record number, 1 = first item after the header; JSON: position in ``items``, from 1) and the field, and nothing is
stored unless every row is valid. Items keep their ids; an id already in the store is refused (import only adds).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime
from typing import Any

import sqlalchemy as sa

from data.tracker.store import (
    all_reviews,
    existing_ids,
    insert_items,
    list_items,
)
from metrics.access import Actor, Role, require
from metrics.import_limits import text_size_problem
from metrics.spreadsheet import CSV_LINE_END, protect_cell, unprotect_cell
from metrics.tracker.items import FIELD_DEFAULTS, TRANSFER_COLUMNS, Review, TrackerItem, checked_item
from metrics.tracker.rules import (
    NAME_MAX_LENGTH,
    REVIEW_OUTCOMES,
    STATES,
    TEXT_MAX_LENGTH,
    KnownNames,
    TrackerRuleError,
)

COLUMNS = TRANSFER_COLUMNS
REQUIRED_COLUMNS = ("title", "state", "owner_role")
LIST_COLUMNS = ("services", "slos", "databases")
DATE_COLUMNS = ("decided_on", "revisit_on")
INSTANT_COLUMNS = ("last_reviewed_at", "created_at", "updated_at")
REVIEW_FIELDS = ("reviewed_at", "reviewer", "outcome", "what_changed", "next_revisit_on", "state_before", "state_after")
LIST_SEPARATOR = "; "
ID_MAX = 2**31 - 1  # the store's id column is a 32-bit integer on PostgreSQL
FORMATS = ("csv", "json")
JSON_FORMAT_NAME = "reliability-dashboard/tracker-items"
JSON_FORMAT_VERSION = 1


class ImportFailed(ValueError):
    """Rows that cannot be imported; nothing was stored. ``problems`` = [(row, field, message)]."""

    def __init__(self, problems: list[tuple[int, str, str]]) -> None:
        self.problems = problems
        super().__init__(f"{len(problems)} problem(s); nothing was imported")

    def lines(self) -> list[str]:
        return [
            f"row {row}, {field}: {message}" if row else f"{field}: {message}" for row, field, message in self.problems
        ]


# --- export ---------------------------------------------------------------------------------------------------------


def item_record(item: TrackerItem) -> dict[str, Any]:
    """One item as plain JSON values, keys in ``COLUMNS`` order."""
    values = item.as_fields()
    record: dict[str, Any] = {}
    for column in COLUMNS:
        value = values[column]
        if isinstance(value, (date, datetime)):
            value = value.isoformat()
        record[column] = value
    return record


def _csv_cell(column: str, value: Any) -> str:
    if value is None:
        return ""
    if column in LIST_COLUMNS:
        return protect_cell(LIST_SEPARATOR.join(value))
    if column == "triggers":
        return protect_cell(json.dumps(value, ensure_ascii=False, sort_keys=True)) if value else ""
    if column == "workaround_holds":
        return "yes" if value else "no"
    return protect_cell(str(value))


def export_csv(items: Sequence[TrackerItem]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator=CSV_LINE_END)  # CRLF: a cell holding a lone CR is quoted too
    writer.writerow(COLUMNS)
    for item in items:
        record = item_record(item)
        writer.writerow([_csv_cell(column, record[column]) for column in COLUMNS])
    return out.getvalue()


def review_record(review: Review) -> dict[str, Any]:
    return {
        name: (value.isoformat() if isinstance(value, (date, datetime)) else value)
        for name in REVIEW_FIELDS
        for value in (getattr(review, name),)
    }


def export_json(items: Sequence[TrackerItem], reviews: Mapping[int, Sequence[Review]] | None = None) -> str:
    """Items with their review logs (JSON only: a CSV row has no room for a history)."""
    records = [
        {**item_record(item), "reviews": [review_record(r) for r in (reviews or {}).get(item.id, ())]} for item in items
    ]
    payload = {"format": JSON_FORMAT_NAME, "version": JSON_FORMAT_VERSION, "items": records}
    return json.dumps(payload, ensure_ascii=False, indent=2) + "\n"


def export_items(engine: sa.Engine, export_format: str) -> str:
    items = list_items(engine)
    return export_csv(items) if export_format == "csv" else export_json(items, all_reviews(engine))


# --- parsing --------------------------------------------------------------------------------------------------------


def _parse_csv(text: str) -> tuple[list[dict[str, Any]], list[tuple[int, str, str]]]:
    reader = csv.reader(io.StringIO(text, newline=""))
    rows: list[dict[str, Any]] = []
    problems: list[tuple[int, str, str]] = []
    number = 0
    try:  # the csv module refuses some text (a cell over its field size limit): the rest cannot be read
        header = next(reader, None)
        if header is None:
            return [], [(0, "file", "empty: expected a header line with the columns " + ", ".join(COLUMNS))]
        header = [name.strip().lstrip("\ufeff") for name in header]
        unknown = [name for name in header if name not in COLUMNS]
        if unknown:
            problems.append((0, "header", f"unknown column(s) {', '.join(unknown)} (known: {', '.join(COLUMNS)})"))
        missing = [name for name in REQUIRED_COLUMNS if name not in header]
        if missing:
            problems.append((0, "header", f"missing column(s) {', '.join(missing)}"))
        if problems:
            return [], problems
        for number, cells in enumerate(reader, start=1):
            row = _csv_row(number, cells, header, problems)
            if row is not None:
                rows.append(row)
    except csv.Error as error:
        problems.append((number + 1, "row", f"cannot be read as CSV ({error})"))
    return rows, problems


def _csv_row(
    number: int, cells: list[str], header: list[str], problems: list[tuple[int, str, str]]
) -> dict[str, Any] | None:
    if not any(cell.strip() for cell in cells):
        return None
    if len(cells) != len(header):
        problems.append((number, "row", f"has {len(cells)} cells, the header has {len(header)}"))
        return None
    row: dict[str, Any] = {"_row": number}
    for name, cell in zip(header, cells):
        cell = unprotect_cell(cell)
        if name in LIST_COLUMNS:
            row[name] = [part.strip() for part in cell.split(";") if part.strip()]
        elif name == "triggers":
            try:
                row[name] = json.loads(cell) if cell.strip() else []
            except (ValueError, RecursionError) as error:  # JSONDecodeError, a huge number, deep nesting
                problems.append((number, name, f"not a JSON array of triggers ({getattr(error, 'msg', error)})"))
                row[name] = []
        elif name == "workaround_holds":
            row[name] = {"": None, "yes": True, "no": False}.get(cell.strip().lower(), cell)
        else:
            row[name] = cell if cell != "" or name in ("title",) else None
    return row


def _parse_json(text: str) -> tuple[list[dict[str, Any]], list[tuple[int, str, str]]]:
    try:
        payload = json.loads(text)
    except json.JSONDecodeError as error:
        return [], [(0, "file", f"not valid JSON (line {error.lineno}: {error.msg})")]
    except (ValueError, RecursionError) as error:  # a number too long to read, nesting deeper than Python's stack
        return [], [(0, "file", f"not readable JSON ({type(error).__name__}: {str(error)[:80]})")]
    records = payload.get("items") if isinstance(payload, dict) else payload
    if not isinstance(records, list):
        return [], [(0, "file", 'expected {"items": [...]} or a list of items')]
    rows, problems = [], []
    for number, record in enumerate(records, start=1):
        if not isinstance(record, dict):
            problems.append((number, "row", "not an object"))
            continue
        unknown = [name for name in record if name not in COLUMNS and name != "reviews"]
        if unknown:
            problems.append((number, "row", f"unknown field(s) {', '.join(unknown)}"))
            continue
        rows.append({"_row": number, **record})
    return rows, problems


def _typed(row: Mapping[str, Any], problems: list[tuple[int, str, str]]) -> dict[str, Any]:
    """Strings from a file turned into the store's types; each failure is one problem naming the field."""
    number = row["_row"]
    values: dict[str, Any] = {}
    for name, value in row.items():
        if name == "_row":
            continue
        if name == "id":
            if value in (None, ""):
                continue
            try:
                values["id"] = _whole_number(value)
                if not 1 <= values["id"] <= ID_MAX:
                    raise ValueError
            except (TypeError, ValueError):
                problems.append((number, name, f"must be a whole number from 1 to {ID_MAX}, not {value!r}"))
        elif name in DATE_COLUMNS:
            if value in (None, ""):
                values[name] = None
                continue
            try:
                values[name] = date.fromisoformat(str(value))
            except ValueError:
                problems.append((number, name, f"must be a date like 2026-12-01, not {value!r}"))
        elif name in INSTANT_COLUMNS:
            if value in (None, ""):
                values[name] = None
                continue
            try:
                values[name] = _instant(value)
            except (ValueError, OverflowError):
                problems.append(
                    (number, name, f"must be an ISO 8601 instant like 2026-11-24T14:05:00+00:00, not {value!r}")
                )
        elif name == "cadence_days":
            if value in (None, ""):
                values[name] = None
                continue
            try:
                values[name] = _whole_number(value)
            except (TypeError, ValueError):
                problems.append((number, name, f"must be a whole number of days, not {value!r}"))
        elif name == "title" and value is not None and not isinstance(value, str):
            problems.append((number, name, f"must be text, not {value!r}"))
            values[name] = value  # present, so "a title is required" is not said as well
        elif name == "title":
            values[name] = (value or "").strip()  # as the form stores it
        elif name in LIST_COLUMNS and isinstance(value, str):
            values[name] = [part.strip() for part in value.split(";") if part.strip()]
        elif name == "resolution_code":
            values[name] = value or None
        elif name == "reviews":
            values[name] = _typed_reviews(number, value, problems)
        else:
            values[name] = "" if value is None and name in FIELD_DEFAULTS and FIELD_DEFAULTS[name] == "" else value
    return values


def _whole_number(value: Any) -> int:
    """An int from JSON or a CSV cell; a bool, a fraction, NaN or infinity is not one (``ValueError``)."""
    if isinstance(value, bool):
        raise ValueError("a yes/no is not a number")
    if isinstance(value, float):
        if not value.is_integer():
            raise ValueError("not a whole number")
        return int(value)
    return int(value)  # int, or text of digits; TypeError for anything else


def _instant(value: Any) -> datetime:
    """An aware UTC instant; without an offset the text is UTC. ``OverflowError`` when UTC falls outside
    years 1–9999 (0001-01-01T00:00+05:00)."""
    moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UTC)


def _strings_with_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_strings_with_nul(key) or _strings_with_nul(entry) for key, entry in value.items())
    if isinstance(value, (list, tuple)):
        return any(_strings_with_nul(entry) for entry in value)
    return False


def _typed_reviews(number: int, value: Any, problems: list[tuple[int, str, str]]) -> list[dict[str, Any]]:
    """An item's review log from JSON; each problem names the review by its position (from 1)."""
    if value in (None, []):
        return []
    if not isinstance(value, list):
        problems.append((number, "reviews", "must be a list of reviews"))
        return []
    reviews = []
    for position, review in enumerate(value, start=1):
        where = f"review {position}"
        if not isinstance(review, dict) or set(review) - set(REVIEW_FIELDS):
            problems.append((number, "reviews", f"{where}: an object with {', '.join(REVIEW_FIELDS)}"))
            continue
        try:
            next_revisit = review.get("next_revisit_on")
            typed = {
                "reviewed_at": _instant(review.get("reviewed_at")),
                "reviewer": str(review.get("reviewer") or "").strip(),
                "outcome": review.get("outcome"),
                "what_changed": str(review.get("what_changed") or ""),
                "next_revisit_on": date.fromisoformat(next_revisit) if next_revisit else None,
                "state_before": review.get("state_before"),
                "state_after": review.get("state_after"),
            }
        except (TypeError, ValueError, OverflowError):
            problems.append(
                (
                    number,
                    "reviews",
                    f"{where}: reviewed_at must be an ISO 8601 instant and next_revisit_on a date like 2026-12-01",
                )
            )
            continue
        if not typed["reviewer"]:
            problems.append((number, "reviews", f"{where}: reviewer is required"))
        elif len(typed["reviewer"]) > NAME_MAX_LENGTH or len(typed["what_changed"]) > TEXT_MAX_LENGTH:
            problems.append(
                (
                    number,
                    "reviews",
                    f"{where}: reviewer at most {NAME_MAX_LENGTH} characters, what_changed at most {TEXT_MAX_LENGTH}",
                )
            )
        elif typed["outcome"] not in REVIEW_OUTCOMES:
            problems.append((number, "reviews", f"{where}: outcome must be one of {', '.join(REVIEW_OUTCOMES)}"))
        elif typed["state_before"] not in STATES or typed["state_after"] not in STATES:
            problems.append((number, "reviews", f"{where}: state_before and state_after must be states"))
        else:
            reviews.append(typed)
    return reviews


def parse_items(text: str, import_format: str, known: KnownNames) -> list[dict[str, Any]]:
    """Validated items from a CSV or JSON file; raises ``ImportFailed`` with every problem found.

    Links must be well-formed but need not be configured any more (history stays importable); states must be
    real states, and an item's state rules (resolution codes) must hold."""
    too_large = text_size_problem(text)
    if too_large:
        raise ImportFailed([(0, "file", too_large)])
    rows, problems = (_parse_csv if import_format == "csv" else _parse_json)(text)
    items: list[dict[str, Any]] = []
    seen_ids: dict[int, int] = {}
    for row in rows:
        row_problems: list[tuple[int, str, str]] = []
        values = _typed(row, row_problems)
        for name, value in values.items():
            if _strings_with_nul(value):  # PostgreSQL's text cannot hold it; refuse on every store alike
                row_problems.append(
                    (row["_row"], name, "contains a NUL character (\\x00), which the store cannot keep")
                )
        full, item_problems = checked_item({**FIELD_DEFAULTS, **values}, known, check_links=False)
        row_problems.extend((row["_row"], name, message) for name, message in item_problems.items())
        item_id = full.get("id")
        if item_id is not None:
            if item_id in seen_ids:
                row_problems.append((row["_row"], "id", f"{item_id} is also the id of row {seen_ids[item_id]}"))
            seen_ids.setdefault(item_id, row["_row"])
        problems.extend(row_problems)
        if not row_problems:
            items.append({**full, "_row": row["_row"]})
    if not rows and not problems:
        problems.append((0, "file", "no items in the file"))
    if problems:
        raise ImportFailed(sorted(set(problems), key=lambda p: (p[0], p[1])))
    return items


def decode_import(data: bytes) -> str:
    """The text of an import file exactly as written. Reading it as text would translate line endings, turning a
    lone CR inside a cell into LF, so that export, import and export again would differ; the page and the CLI both
    decode here."""
    return data.decode("utf-8-sig")


def detect_format(file_name: str, text: str) -> str:
    """json for .json files or text starting with { or [, csv otherwise."""
    if file_name.lower().endswith(".json"):
        return "json"
    if file_name.lower().endswith(".csv"):
        return "csv"
    return "json" if text.lstrip().startswith(("{", "[")) else "csv"


def import_items(
    engine: sa.Engine, text: str, import_format: str, *, known: KnownNames, actor: Actor, now: datetime
) -> list[int]:
    """Validate every row, then store all of them in one transaction (or none). Returns the stored ids.

    Only admins import (``PermissionDenied`` before anything is read)."""
    require(actor, Role.ADMIN, "import tracker items")
    items = parse_items(text, import_format, known)
    clashes = existing_ids(engine, [item["id"] for item in items if item.get("id") is not None])
    if clashes:
        rows = [
            (item["_row"], "id", f"{item['id']} is already in the store (import only adds items)")
            for item in items
            if item.get("id") in clashes
        ]
        raise ImportFailed(rows)
    for item in items:
        item.setdefault("created_at", now)
        item.setdefault("updated_at", now)
        for name in ("created_at", "updated_at"):
            if item.get(name) is None:
                item[name] = now
    try:
        return insert_items(engine, items, actor=actor, now=now)
    except TrackerRuleError as error:
        raise ImportFailed([(0, name, message) for name, message in error.problems.items()]) from None
