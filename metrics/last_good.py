"""Fresh or last good: what a panel shows when its source fails now.

A panel asks its source; when the answer fails (unreachable, timed out, an error from the server) and an earlier
answer succeeded, the panel shows that earlier answer, marked stale, with the time it was read; without one it says
"no data yet". The choice is pure: the caller keeps the last good answers (``data.last_good.LastGoodStore``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class GoodReading(Generic[T]):
    """An answer that succeeded, and when it was read."""

    value: T
    read_at: datetime


@dataclass(frozen=True)
class Shown(Generic[T]):
    """What a panel shows: ``value`` (fresh, last good, or the failed answer when there is no good one yet),
    when it was read, and why the fresh read failed (``None`` when it did not)."""

    value: T
    read_at: datetime
    failure: str | None = None
    stale: bool = False  # the value is an earlier good answer, shown because the fresh read failed

    @property
    def failed(self) -> bool:
        return self.failure is not None

    @property
    def no_data_yet(self) -> bool:
        """The read failed and nothing was ever read successfully: there is no data to fall back on."""
        return self.failure is not None and not self.stale

    def age(self, now: datetime) -> timedelta:
        return max(now - self.read_at, timedelta(0))


def choose(
    fresh: T, failure: str | None, read_at: datetime, last_good: GoodReading[T] | None
) -> tuple[Shown[T], GoodReading[T] | None]:
    """What to show, and the last good reading to keep from now on.

    - the read succeeded (``failure`` is None): the fresh value, which becomes the last good one;
    - it failed and an earlier read succeeded: that reading, marked stale, with its own read time;
    - it failed and nothing ever succeeded: the failed value itself (its "no data" rows), not stale.
    A good reading is never replaced by an older one: answers served from a cache keep their first read time.
    """
    if failure is None:
        if last_good is not None and last_good.read_at > read_at:
            keep = last_good  # a cached copy of an older answer arrived after a newer one
        else:
            keep = GoodReading(fresh, read_at)
        return Shown(fresh, read_at), keep
    if last_good is None:
        return Shown(fresh, read_at, failure=failure), None
    return Shown(last_good.value, last_good.read_at, failure=failure, stale=True), last_good


def failed_probe_reason(health) -> str | None:
    """Why a database's probe failed now (cannot connect, no answer within the deadline, …); None when it answered
    or was never tried (no DSN: "not configured" is no failure, and has no earlier numbers to fall back on).

    ``health`` is a ``metrics.databases.checks.DatabaseHealth``."""
    from metrics.databases.checks import UNKNOWN

    if health.probe is not None or not health.error or health.status == UNKNOWN:
        return None
    return health.error
