"""Calls run side by side against one deadline: what each came to, and the rule the SLO reads share.

``run_within`` runs the calls in a thread pool, waits at most ``timeout_s`` in all and never waits for the calls
still running then: they end on their own (a request on its own timeout), in their own threads, and queued ones are
cancelled. Each call's ``Outcome`` says whether it returned, raised or was still running (``CallState``).

``results_within`` is the rule a page's reads follow: the results in the calls' order; the first failure that is
not a timeout propagates at once (without waiting for the others); a call still running at the deadline, or one
that ran out of its own time, fails the whole read with one message, the caller's.
"""

from __future__ import annotations

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
