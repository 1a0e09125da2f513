"""Redundant indexes: an index whose columns are a leading prefix of another index on the same table.

Pure: the probes hand in every index's definition as the catalog describes it, this decides which are redundant.
"""

from __future__ import annotations

from dataclasses import dataclass

from metrics.databases.checks import IndexInfo


@dataclass(frozen=True)
class IndexDefinition:
    name: str
    table: str
    columns: tuple[str, ...]  # key columns in order (attribute numbers or names; expressions as text)
    method: str = "btree"
    opclasses: tuple[str, ...] = ()
    expressions: str = ""
    predicate: str = ""
    unique: bool = False
    primary: bool = False
    size_bytes: int | None = None
    definition: str = ""


def _covers(bigger: IndexDefinition, smaller: IndexDefinition) -> bool:
    """``bigger`` answers every lookup ``smaller`` does (and enforces what it enforces)."""
    if (bigger.table, bigger.method, bigger.expressions, bigger.predicate) != (
        smaller.table,
        smaller.method,
        smaller.expressions,
        smaller.predicate,
    ):
        return False
    n = len(smaller.columns)
    if n == 0 or bigger.columns[:n] != smaller.columns:
        return False
    if smaller.opclasses and bigger.opclasses and bigger.opclasses[:n] != smaller.opclasses:
        return False
    if smaller.unique or smaller.primary:  # a unique (a) is not implied by a unique (a, b)
        return (bigger.unique or bigger.primary) and len(bigger.columns) == n
    return True


def redundant_indexes(indexes: list[IndexDefinition]) -> list[IndexInfo]:
    """Indexes another index on the same table makes redundant; of two identical ones, the later name is reported.

    A primary key or unique constraint is never the one reported when its twin is a plain index."""
    groups: dict[tuple, list[IndexDefinition]] = {}
    for definition in indexes:  # only indexes on the same table, method, expressions and predicate can cover
        key = (definition.table, definition.method, definition.expressions, definition.predicate)
        groups.setdefault(key, []).append(definition)
    found: list[IndexInfo] = []
    for group in groups.values():
        found += _redundant_in_group(group)
    return found


def _redundant_in_group(indexes: list[IndexDefinition]) -> list[IndexInfo]:
    found: list[IndexInfo] = []
    for smaller in indexes:
        for bigger in indexes:
            if bigger is smaller or not _covers(bigger, smaller):
                continue
            identical = len(bigger.columns) == len(smaller.columns) and _covers(smaller, bigger)
            if identical and (
                smaller.primary
                or (smaller.unique and not bigger.unique)
                or (
                    smaller.primary == bigger.primary and smaller.unique == bigger.unique and smaller.name < bigger.name
                )
            ):
                continue  # keep this one; its twin is reported
            found.append(
                IndexInfo(
                    smaller.name, smaller.table, smaller.size_bytes, None, smaller.definition, duplicate_of=bigger.name
                )
            )
            break
    return found
