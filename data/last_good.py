"""The last good answer of each panel, kept in memory for the life of the process and shared by every viewer.

When a source fails, a panel shows what it last read successfully, marked stale (``metrics.last_good.choose``).
Nothing is written to disk: after a restart there is no last good data until the source answers once.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable
from datetime import datetime
from typing import TypeVar

from metrics.last_good import GoodReading, Shown, choose

T = TypeVar("T")
MAX_ENTRIES = 512  # reports, histories and probes of a few catalogs and fleets; the oldest go first


class LastGoodStore:
    """Thread-safe map of a panel's key to its last good reading, bounded to the most recently used entries."""

    def __init__(self, max_entries: int = MAX_ENTRIES) -> None:
        self.max_entries = max_entries
        self._entries: OrderedDict[Hashable, GoodReading] = OrderedDict()
        self._lock = threading.Lock()

    def resolve(self, key: Hashable, fresh: T, failure: str | None, read_at: datetime) -> Shown[T]:
        """What the panel keyed ``key`` shows for this read; a successful read becomes its last good one."""
        with self._lock:
            shown, keep = choose(fresh, failure, read_at, self._entries.get(key))
            if keep is not None:
                self._entries[key] = keep
                self._entries.move_to_end(key)
                while len(self._entries) > self.max_entries:
                    self._entries.popitem(last=False)
            return shown

    def last_good(self, key: Hashable) -> GoodReading | None:
        with self._lock:
            return self._entries.get(key)

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)
