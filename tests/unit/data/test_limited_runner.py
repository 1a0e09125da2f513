"""LimitedRunner: a per-group limit held while other groups go on, calls added while others run, the deadline."""

from __future__ import annotations

import threading
import time

from data.deadline import CallState, LimitedRunner


def _sleeper(seconds: float, value=None):
    def call():
        time.sleep(seconds)
        return value

    return call


def test_a_group_never_runs_more_than_its_limit_and_other_groups_are_not_held_back():
    runner = LimitedRunner(8, {"server": 2}, thread_name_prefix="t")
    started: dict[str, float] = {}
    lock = threading.Lock()

    def call(name: str, seconds: float):
        def run():
            with lock:
                started[name] = time.monotonic()
            time.sleep(seconds)
            return name

        return run

    t0 = time.monotonic()
    tickets = [runner.submit(call(f"s{i}", 0.1), "server") for i in range(6)]
    other = runner.submit(call("other", 0.01))  # queued behind six of "server"
    runner.wait(5)
    assert [runner.outcome(t).value for t in tickets] == [f"s{i}" for i in range(6)]
    assert runner.peak("server") == 2
    assert started["other"] - t0 < 0.08  # started before the server's second pair
    assert runner.outcome(other).state is CallState.DONE


def test_a_call_may_add_calls_and_wait_covers_them():
    runner = LimitedRunner(4)
    added = []

    def listing():
        added.extend(runner.submit(_sleeper(0.02, i)) for i in range(3))
        return "listed"

    first = runner.submit(listing)
    runner.wait(5)
    assert runner.outcome(first).value == "listed"
    assert [runner.outcome(t).value for t in added] == [0, 1, 2]


def test_at_the_deadline_running_calls_are_unfinished_and_queued_ones_never_start():
    runner = LimitedRunner(1)
    ran = []
    slow = runner.submit(_sleeper(0.5))
    queued = runner.submit(lambda: ran.append(1))
    started = time.monotonic()
    runner.wait(0.1)
    assert time.monotonic() - started < 0.4
    assert runner.outcome(slow).state is CallState.UNFINISHED
    assert runner.outcome(queued).state is CallState.UNFINISHED
    time.sleep(0.6)
    assert ran == [] and runner.outcome(slow).state is CallState.UNFINISHED  # a late answer stays too late


def test_a_failing_call_is_its_own_outcome():
    runner = LimitedRunner(2)

    def boom():
        raise ValueError("x")

    bad, good = runner.submit(boom), runner.submit(lambda: 1)
    runner.wait(5)
    assert isinstance(runner.outcome(bad).error, ValueError) and runner.outcome(good).value == 1
