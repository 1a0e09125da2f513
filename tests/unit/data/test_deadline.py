"""Calls against one deadline (``data.deadline``): outcomes per call, and the rule a page's reads follow."""

from __future__ import annotations

import threading
import time

import pytest

from data.deadline import CallState, Outcome, Ran, results_within, run_within


class Late(Exception):
    """Stands for a request's own timeout."""


class Broken(Exception):
    pass


def fail(error: BaseException):
    def call():
        raise error

    return call


@pytest.fixture
def release():
    event = threading.Event()
    yield event
    event.set()  # abandoned calls end on their own, as a request would on its own timeout


def test_outcomes_come_back_in_the_order_of_the_calls():
    ran = run_within([lambda: "a", lambda: "b", lambda: "c"], 5)
    assert ran.values() == ["a", "b", "c"]
    assert all(outcome.state is CallState.DONE for outcome in ran.outcomes)


def test_a_call_still_running_at_the_deadline_is_unfinished_and_not_waited_for(release):
    started = time.monotonic()
    ran = run_within([lambda: "a", release.wait], 0.2)
    assert time.monotonic() - started < 5
    assert [outcome.state for outcome in ran.outcomes] == [CallState.DONE, CallState.UNFINISHED]
    assert ran.timed_out() == [1]


def test_a_failing_call_is_kept_as_its_outcome_without_raising():
    error = Broken("no")
    ran = run_within([fail(error), lambda: "b"], 5)
    assert ran.outcomes[0] == Outcome(CallState.FAILED, error=error)
    assert ran.outcomes[1].result() == "b"


def test_without_stop_at_first_error_every_call_is_waited_for():
    ran = run_within([fail(Broken()), lambda: time.sleep(0.2) or "slow"], 5)
    assert ran.outcomes[1] == Outcome(CallState.DONE, value="slow")


def test_stop_at_first_error_returns_without_waiting_for_the_others(release):
    ran = run_within([release.wait, fail(Broken())], 600, stop_at_first_error=True)  # would block for 10 min
    assert [outcome.state for outcome in ran.outcomes] == [CallState.UNFINISHED, CallState.FAILED]


def test_max_workers_limits_how_many_calls_run_at_once():
    running, most = [0], [0]
    lock = threading.Lock()

    def call():
        with lock:
            running[0] += 1
            most[0] = max(most[0], running[0])
        time.sleep(0.05)
        with lock:
            running[0] -= 1

    run_within([call] * 6, 5, max_workers=2)
    assert most[0] <= 2


def test_no_calls_give_no_outcomes():
    assert run_within([], 1) == Ran(())


def test_timed_out_counts_calls_that_raised_their_own_timeout():
    ran = run_within([fail(Late()), fail(Broken()), lambda: "c"], 5)
    assert ran.timed_out((Late,)) == [0]


def test_first_error_skips_the_ignored_kinds():
    broken = Broken("second")
    ran = run_within([fail(Late()), fail(broken)], 5)
    assert ran.first_error(ignoring=(Late,)) is broken


def test_the_result_of_an_unfinished_call_cannot_be_read():
    with pytest.raises(RuntimeError, match="deadline"):
        Outcome(CallState.UNFINISHED).result()


def too_late(unanswered: int, total: int) -> Exception:
    return TimeoutError(f"{unanswered} of {total} unanswered")


def test_results_within_returns_the_values_in_order():
    assert results_within([lambda: 1, lambda: 2], 5, too_late=too_late) == [1, 2]


def test_results_within_raises_the_first_failure_at_once(release):
    with pytest.raises(Broken, match="down"):
        results_within([release.wait, fail(Broken("down"))], 600, too_late=too_late)


def test_results_within_raises_the_callers_error_naming_how_many_were_late(release):
    with pytest.raises(TimeoutError, match="1 of 2 unanswered"):
        results_within([lambda: 1, release.wait], 0.2, too_late=too_late)


def test_results_within_treats_an_own_timeout_as_late():
    with pytest.raises(TimeoutError, match="1 of 1 unanswered"):
        results_within([fail(Late())], 5, too_late=too_late, timeout_errors=(Late,))
