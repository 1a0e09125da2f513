"""Three-way merge of two edits of one tracker item made from the same version.

An edit refused because someone saved first must not undo what they saved: a field only they changed keeps their
value, a field only you changed takes yours, and only a field you both changed to different values is a conflict,
for the person to decide. Pure: the store and the page pass the three versions' field values in.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class MergeChoice(StrEnum):
    """Which side's value a conflicting field keeps."""

    THEIRS = "theirs"
    YOURS = "yours"


@dataclass(frozen=True)
class MergeConflict:
    """A field both edits changed, to different values."""

    field: str
    base: Any
    theirs: Any
    yours: Any


@dataclass(frozen=True)
class MergeResult:
    """Every field's merged value (a conflicting field holds theirs until a choice says otherwise), the fields
    taken from each side, and the conflicts."""

    merged: dict[str, Any]
    from_theirs: tuple[str, ...]
    from_yours: tuple[str, ...]
    conflicts: tuple[MergeConflict, ...]

    def resolved(self, choices: Mapping[str, MergeChoice]) -> dict[str, Any]:
        """The merged values with each conflict settled by ``choices`` (a field without a choice keeps theirs)."""
        values = dict(self.merged)
        for conflict in self.conflicts:
            if choices.get(conflict.field) is MergeChoice.YOURS:
                values[conflict.field] = conflict.yours
        return values


def merge_edits(
    base: Mapping[str, Any], theirs: Mapping[str, Any], yours: Mapping[str, Any], fields: Iterable[str]
) -> MergeResult:
    """Merge ``yours`` and ``theirs``, both edits of ``base``, over ``fields`` (each mapping holds every field)."""
    merged: dict[str, Any] = {}
    from_theirs: list[str] = []
    from_yours: list[str] = []
    conflicts: list[MergeConflict] = []
    for name in fields:
        original, their_value, your_value = base[name], theirs[name], yours[name]
        if your_value == original or your_value == their_value:
            merged[name] = their_value
            if their_value != original:
                from_theirs.append(name)
        elif their_value == original:
            merged[name] = your_value
            from_yours.append(name)
        else:
            merged[name] = their_value
            conflicts.append(MergeConflict(name, original, their_value, your_value))
    return MergeResult(merged, tuple(from_theirs), tuple(from_yours), tuple(conflicts))
