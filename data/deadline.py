"""Calls run side by side against one deadline: what each came to, and the rule the SLO reads share.

``run_within`` runs the calls in a thread pool, waits at most ``timeout_s`` in all and never waits for the calls
still running then: they end on their own (a request on its own timeout), in their own threads, and queued ones are
cancelled. Each call's ``Outcome`` says whether it returned, raised or was still running (``CallState``).

``results_within`` is the rule a page's reads follow: the results in the calls' order; the first failure that is
not a timeout propagates at once (without waiting for the others); a call still running at the deadline, or one
that ran out of its own time, fails the whole read with one message, the caller's.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ALL_COMPLETED, FIRST_EXCEPTION, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from enum import Enum
from typing import Generic, TypeVar

T = TypeVar("T")


class CallState(Enum):
    DONE = "done"  # returned a value
    FAILED = "failed"  # raised
    UNFINISHED = "unfinished"  # still running (or queued) at the deadline


@dataclass(frozen=True)
class Outcome(Generic[T]):
    state: CallState
    value: T | None = None
    error: BaseException | None = None

    def result(self) -> T:
        """The call's value; its exception raised again when it failed. Only for a finished call."""
        if self.state is CallState.UNFINISHED:
            raise RuntimeError("the call had not finished by the deadline")
        if self.error is not None:
            raise self.error
        return self.value  # type: ignore[return-value]


@dataclass(frozen=True)
class Ran(Generic[T]):
    """The outcomes of ``run_within``'s calls, in the calls' order."""

    outcomes: tuple[Outcome[T], ...]

    def timed_out(self, timeout_errors: tuple[type[BaseException], ...] = ()) -> list[int]:
        """Indexes of the calls that did not answer in time: still running at the deadline, or failed with one of
        ``timeout_errors`` (their own timeout ran out first)."""
        return [
            index
            for index, outcome in enumerate(self.outcomes)
            if outcome.state is CallState.UNFINISHED
            or (outcome.state is CallState.FAILED and isinstance(outcome.error, timeout_errors))
        ]

    def first_error(self, ignoring: tuple[type[BaseException], ...] = ()) -> BaseException | None:
        """The first failure in the calls' order that is not one of ``ignoring``; None when there is none."""
        return next(
            (
                outcome.error
                for outcome in self.outcomes
                if outcome.state is CallState.FAILED and not isinstance(outcome.error, ignoring)
            ),
            None,
        )

    def values(self) -> list[T]:
        """Every call's value, in order (``Outcome.result`` raises for a call that failed or did not finish)."""
        return [outcome.result() for outcome in self.outcomes]


def run_within(
    calls: Sequence[Callable[[], T]],
    timeout_s: float,
    *,
    max_workers: int | None = None,
    thread_name_prefix: str = "deadline",
    stop_at_first_error: bool = False,
) -> Ran[T]:
    """Run ``calls`` in parallel (``max_workers`` at a time; default: all at once) and wait at most ``timeout_s``.

    ``stop_at_first_error``: stop waiting as soon as one call raises (the others then count as unfinished unless
    they are already done). Never raises for a call's failure: that is in its ``Outcome``."""
    if not calls:
        return Ran(())
    pool = ThreadPoolExecutor(max_workers=max_workers or len(calls), thread_name_prefix=thread_name_prefix)
    futures = [pool.submit(call) for call in calls]
    done, _ = wait(
        futures,
        timeout=max(timeout_s, 0.0),
        return_when=FIRST_EXCEPTION if stop_at_first_error else ALL_COMPLETED,
    )
    pool.shutdown(wait=False, cancel_futures=True)  # stragglers end on their own timeouts
    return Ran(tuple(_outcome(future, future in done) for future in futures))


def _outcome(future: Future, done: bool) -> Outcome:
    if not done:
        return Outcome(CallState.UNFINISHED)
    error = future.exception()
    if error is not None:
        return Outcome(CallState.FAILED, error=error)
    return Outcome(CallState.DONE, value=future.result())


def results_within(
    calls: Sequence[Callable[[], T]],
    timeout_s: float,
    *,
    too_late: Callable[[int, int], BaseException],
    timeout_errors: tuple[type[BaseException], ...] = (),
    max_workers: int | None = None,
    thread_name_prefix: str = "deadline",
) -> list[T]:
    """The calls' results in order, all answered within ``timeout_s``.

    The first failure that is not one of ``timeout_errors`` is raised as soon as it happens; otherwise, when some
    calls did not answer in time (``Ran.timed_out``), ``too_late(unanswered, total)`` is raised: a request's own
    timeout and the deadline together give one message, the caller's."""
    ran = run_within(
        calls, timeout_s, max_workers=max_workers, thread_name_prefix=thread_name_prefix, stop_at_first_error=True
    )
    error = ran.first_error(ignoring=timeout_errors)
    if error is not None:
        raise error
    late = ran.timed_out(timeout_errors)
    if late:
        raise too_late(len(late), len(calls))
    return ran.values()


class LimitedRunner:
    """Calls on at most ``max_workers`` threads, and at most ``limits[group]`` of one group at a time (a server's
    connection budget); a call may add more while the others run (a listing adds the probes of what it found).

    The next call to start is the first waiting one whose group has room, so one busy group never holds back the
    others' calls queued behind its own. ``wait`` returns at the deadline without waiting for the calls still running
    (they end on their own timeouts, on daemon threads); those not started by then never start.
    ``peak(group)``: the most calls of the group that ran at once."""

    def __init__(self, max_workers: int, limits: dict | None = None, *, thread_name_prefix: str = "limited") -> None:
        self._max_workers = max(1, max_workers)
        self._limits = dict(limits or {})
        self._prefix = thread_name_prefix
        self._lock = threading.Condition()
        self._waiting: list[tuple[int, object, Callable[[], object]]] = []
        self._running: dict[object, int] = {}
        self._peaks: dict[object, int] = {}
        self._outcomes: dict[int, Outcome] = {}
        self._submitted = 0
        self._threads = 0
        self._idle = 0
        self._stopped = False
        self._final: dict[int, Outcome] | None = None  # the outcomes at the deadline; later answers are too late

    def submit(self, call: Callable[[], T], group: object = None) -> int:
        """Queue ``call`` (in ``group``: None has no limit but the workers'); returns its ticket for ``outcome``."""
        with self._lock:
            ticket = self._submitted
            self._submitted += 1
            if self._stopped:
                return ticket  # too late: it counts as unfinished
            self._waiting.append((ticket, group, call))
            if self._idle == 0 and self._threads < self._max_workers:
                self._threads += 1
                threading.Thread(target=self._work, name=f"{self._prefix}-{self._threads}", daemon=True).start()
            self._lock.notify_all()
            return ticket

    @property
    def submitted(self) -> int:
        """How many calls were submitted, also those a call added."""
        with self._lock:
            return self._submitted

    def _has_room(self, group: object) -> bool:
        limit = self._limits.get(group)
        return limit is None or self._running.get(group, 0) < limit

    def _next(self) -> tuple[int, object, Callable[[], object]] | None:
        with self._lock:
            while not self._stopped:
                for index, (ticket, group, call) in enumerate(self._waiting):
                    if self._has_room(group):
                        del self._waiting[index]
                        self._running[group] = self._running.get(group, 0) + 1
                        self._peaks[group] = max(self._peaks.get(group, 0), self._running[group])
                        return ticket, group, call
                self._idle += 1
                self._lock.wait()
                self._idle -= 1
            return None

    def _work(self) -> None:
        while (job := self._next()) is not None:
            ticket, group, call = job
            try:
                outcome = Outcome(CallState.DONE, value=call())
            except BaseException as error:
                outcome = Outcome(CallState.FAILED, error=error)
            with self._lock:
                self._outcomes[ticket] = outcome
                self._running[group] -= 1
                self._lock.notify_all()

    def _all_done(self) -> bool:
        return len(self._outcomes) == self._submitted

    def wait(self, timeout_s: float) -> None:
        """Wait until every call (also those added meanwhile) has finished, or ``timeout_s``; then start no more."""
        with self._lock:
            self._lock.wait_for(self._all_done, timeout=max(timeout_s, 0.0))
            self._stopped = True
            self._final = dict(self._outcomes)
            self._waiting.clear()
            self._lock.notify_all()

    def outcome(self, ticket: int) -> Outcome:
        """What the call came to by the deadline (after ``wait``), or so far."""
        with self._lock:
            outcomes = self._outcomes if self._final is None else self._final
            return outcomes.get(ticket, Outcome(CallState.UNFINISHED))

    def peak(self, group: object = None) -> int:
        with self._lock:
            return self._peaks.get(group, 0)
