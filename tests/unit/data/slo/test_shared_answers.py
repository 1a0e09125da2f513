"""The store's shared answers on SQLite: one claim per key, waiting for another's answer, giving way to stale rows."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from data.slo import shared_answers
from data.slo.shared_answers import SharedAnswers, SourceAnswerRow, shared_read


def test_only_the_first_claim_of_a_key_wins(engine):
    first, second = SharedAnswers(engine, "p", 60), SharedAnswers(engine, "p", 60)
    key = first.key("instant", "up", 1.0)
    assert first.claim(key)
    assert not second.claim(key)


def test_a_waiting_process_gets_the_claimers_answer(engine):
    claimer, waiter = SharedAnswers(engine, "p", 60), SharedAnswers(engine, "p", 60)
    key = claimer.key("instant", "up", 1.0)
    claimer.claim(key)
    claimer.put(key, {"result": [1], "warnings": []})
    assert waiter.wait(key, time.monotonic() + 5) == {"result": [1], "warnings": []}


def test_a_released_claim_ends_the_wait_at_once(engine):
    claimer, waiter = SharedAnswers(engine, "p", 60), SharedAnswers(engine, "p", 60)
    key = claimer.key("instant", "up", 1.0)
    claimer.claim(key)
    claimer.release(key)
    started = time.monotonic()
    assert waiter.wait(key, started + 5) is None
    assert time.monotonic() - started < 1


def test_an_abandoned_claim_gives_way_after_the_wait(engine, monkeypatch):
    claimer, other = SharedAnswers(engine, "p", 60), SharedAnswers(engine, "p", 60)
    key = claimer.key("instant", "up", 1.0)
    claimer.claim(key)
    with engine.begin() as connection:
        old = datetime.now(UTC) - timedelta(seconds=shared_answers.WAIT_SECONDS + 1)
        connection.execute(sa.update(SourceAnswerRow.__table__).values(answered_at=old))
    assert other.claim(key)


def test_an_answer_older_than_the_ttl_is_not_served(engine):
    shared = SharedAnswers(engine, "p", 1)
    key = shared.key("instant", "up", 1.0)
    shared.put(key, {"result": [], "warnings": []})
    assert shared.get(key) is not None
    time.sleep(1.1)
    assert shared.get(key) is None


def test_sources_of_other_identities_never_share_a_key(engine):
    assert SharedAnswers(engine, "a", 60).key("instant", "up", 1.0) != SharedAnswers(engine, "b", 60).key(
        "instant", "up", 1.0
    )


def test_a_read_that_fails_is_not_stored_and_is_raised(engine):
    shared = SharedAnswers(engine, "p", 60)

    def fails():
        raise RuntimeError("refused")

    with pytest.raises(RuntimeError):
        shared_read(shared, ("instant", "up", 1.0), time.monotonic() + 1, fails)
    with engine.connect() as connection:
        assert connection.execute(sa.text("SELECT COUNT(*) FROM source_answers")).scalar_one() == 0


def test_a_second_read_of_the_same_parts_does_not_call_the_reader(engine):
    calls = []
    first, second = SharedAnswers(engine, "p", 60), SharedAnswers(engine, "p", 60)

    def read():
        calls.append(1)
        return {"result": [{"value": [1, "2"]}], "warnings": []}

    assert shared_read(first, ("instant", "up", 1.0), time.monotonic() + 1, read) == read()
    calls.clear()
    assert shared_read(second, ("instant", "up", 1.0), time.monotonic() + 1, read) == {
        "result": [{"value": [1, "2"]}],
        "warnings": [],
    }
    assert calls == []
