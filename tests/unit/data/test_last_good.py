"""The process-wide store of last good answers: per key, bounded, shared between threads."""

import threading
from datetime import UTC, datetime, timedelta

from data.last_good import LastGoodStore

T0 = datetime(2026, 11, 24, 14, 5, tzinfo=UTC)


def test_each_key_falls_back_on_its_own_last_good_answer():
    store = LastGoodStore()
    store.resolve(("report", "now"), "report A", None, T0)
    store.resolve(("report", "2026-11-01"), "report B", None, T0)
    shown = store.resolve(("report", "now"), "no data", "down", T0 + timedelta(minutes=1))
    assert shown.value == "report A" and shown.stale


def test_a_key_never_read_successfully_has_no_data_yet():
    store = LastGoodStore()
    store.resolve(("report", "now"), "report A", None, T0)
    shown = store.resolve(("history", "checkout"), None, "down", T0)
    assert shown.no_data_yet and shown.value is None
    assert store.last_good(("history", "checkout")) is None


def test_failures_do_not_erase_the_last_good_answer():
    store = LastGoodStore()
    store.resolve("k", "good", None, T0)
    for minute in range(1, 4):
        store.resolve("k", "bad", "down", T0 + timedelta(minutes=minute))
    assert store.last_good("k").value == "good"
    assert store.last_good("k").read_at == T0


def test_the_least_recently_refreshed_keys_are_dropped_beyond_the_bound():
    store = LastGoodStore(max_entries=2)
    store.resolve("a", 1, None, T0)
    store.resolve("b", 2, None, T0)
    store.resolve("a", 3, None, T0 + timedelta(minutes=1))  # a is refreshed: b is now the oldest
    store.resolve("c", 4, None, T0)
    assert len(store) == 2
    assert store.last_good("b") is None
    assert store.last_good("a").value == 3 and store.last_good("c").value == 4


def test_concurrent_viewers_share_one_consistent_store():
    store = LastGoodStore()

    def viewer(number: int) -> None:
        for step in range(200):
            store.resolve(("report", number % 4), (number, step), None, T0 + timedelta(seconds=step))

    threads = [threading.Thread(target=viewer, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(store) == 4
    assert all(store.last_good(("report", k)).read_at == T0 + timedelta(seconds=199) for k in range(4))


class RecordingKeeper:
    def __init__(self, kept=None):
        self.kept = kept
        self.saved = []
        self.loads = 0

    def load(self, key):
        self.loads += 1
        return self.kept

    def save(self, key, reading):
        self.saved.append((key, reading))


def test_a_failure_with_nothing_in_memory_shows_the_keepers_reading_stale():
    from metrics.last_good import GoodReading

    then = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
    keeper = RecordingKeeper(GoodReading("kept report", then))
    shown = LastGoodStore().resolve("report", "no data", "down", datetime(2026, 11, 20, 9, 5, tzinfo=UTC), keeper)
    assert (shown.value, shown.read_at, shown.stale) == ("kept report", then, True)


def test_a_good_read_is_handed_to_the_keeper_and_a_failure_with_memory_does_not_ask_it():
    keeper = RecordingKeeper()
    store = LastGoodStore()
    read_at = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
    store.resolve("report", "fresh", None, read_at, keeper)
    store.resolve("report", "no data", "down", read_at, keeper)
    assert [reading.value for _, reading in keeper.saved] == ["fresh"]
    assert keeper.loads == 0
