"""The last good answer of each panel, kept in memory for the life of the process and shared by every viewer.

When a source fails, a panel shows what it last read successfully, marked stale (``metrics.last_good.choose``).
A panel may also have a ``Keeper`` that keeps its last good reading outside the process (the SLO report's, in the
store: ``data.slo.kept_reports``), read when the process has none of its own: after a restart, or on another
replica. Other panels keep theirs in memory only: after a restart they have none until their source answers once.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable
from datetime import datetime
from typing import Protocol, TypeVar

from metrics.last_good import GoodReading, Shown, choose

T = TypeVar("T")
MAX_ENTRIES = 512  # reports, histories and probes of a few catalogs and fleets; the oldest go first


class Keeper(Protocol):
    """Where a panel's last good reading outlives the process."""

    def load(self, key: Hashable) -> GoodReading | None: ...

    def save(self, key: Hashable, reading: GoodReading) -> None: ...


class LastGoodStore:
    """Thread-safe map of a panel's key to its last good reading, bounded to the most recently used entries."""

    def __init__(self, max_entries: int = MAX_ENTRIES) -> None:
        self.max_entries = max_entries
        self._entries: OrderedDict[Hashable, GoodReading] = OrderedDict()
        self._lock = threading.Lock()

    def resolve(
        self, key: Hashable, fresh: T, failure: str | None, read_at: datetime, keeper: Keeper | None = None
    ) -> Shown[T]:
        """What the panel keyed ``key`` shows for this read; a successful read becomes its last good one (and is
        handed to ``keeper``). A failed read with no last good reading in memory asks ``keeper`` for one."""
        with self._lock:
            known = self._entries.get(key)
        if known is None and failure is not None and keeper is not None:
            known = keeper.load(key)  # outside the lock: a store read
        with self._lock:
            known = self._entries.get(key) or known
            shown, keep = choose(fresh, failure, read_at, known)
            if keep is not None:
                self._entries[key] = keep
                self._entries.move_to_end(key)
                while len(self._entries) > self.max_entries:
                    self._entries.popitem(last=False)
        if keeper is not None and failure is None and keep is not None and keep.read_at == read_at:
            keeper.save(key, keep)
        return shown

    def last_good(self, key: Hashable) -> GoodReading | None:
        with self._lock:
            return self._entries.get(key)

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)
