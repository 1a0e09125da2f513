"""Statement history: deltas of cumulative counters, the reset rule and the ranking, checked by hand arithmetic."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from metrics.databases.statements import (
    WINDOWS,
    StatementRanking,
    StatementReading,
    StatementTrend,
    counter_delta,
    format_milliseconds,
    mean_time_change_text,
    rank_statements,
    statement_deltas,
    usage_between,
)

NOW = datetime(2026, 12, 3, 7, 0, tzinfo=UTC)
WEEK = timedelta(days=7)


def reading(days_ago: float, key: str, calls: int, total_ms: float, rows: int = 0) -> StatementReading:
    return StatementReading(NOW - timedelta(days=days_ago), key, f"SELECT {key}", calls, total_ms, rows)


def test_a_counter_that_went_down_counts_from_zero():
    assert counter_delta(100, 130) == 30
    assert counter_delta(130, 20) == 20
    assert counter_delta(5, 5) == 0


def test_the_oldest_snapshot_is_the_baseline():
    deltas = statement_deltas([reading(3, "q", 10, 100.0), reading(2, "q", 15, 160.0)])
    assert [(d.calls, d.total_time_ms, d.after_reset) for d in deltas] == [(5, 60.0, False)]


def test_a_stats_reset_between_snapshots_loses_nothing():
    # 10 calls / 1000 ms before; 4 more (400 ms) until the reset; after it 3 calls (330 ms), then 2 more (200 ms).
    history = [
        reading(10, "q", 10, 1000.0, 10),
        reading(9, "q", 14, 1400.0, 14),
        reading(8, "q", 3, 330.0, 3),  # pg_stat_statements_reset() happened since day 9
        reading(7.5, "q", 5, 530.0, 5),
    ]
    deltas = statement_deltas(history)
    assert [(d.calls, d.total_time_ms, d.after_reset) for d in deltas] == [
        (4, 400.0, False),
        (3, 330.0, True),
        (2, 200.0, False),
    ]
    usage = usage_between(deltas, NOW - timedelta(days=11), NOW)["q"]
    assert (usage.calls, usage.total_time_ms, usage.rows) == (4 + 3 + 2, 400.0 + 330.0 + 200.0, 9)


def test_a_reset_the_counters_climbed_past_is_seen_by_the_servers_reset_time():
    # 5 calls / 100 ms, then a reset, then 5 slower calls / 1000 ms: no counter went down, the reset time moved
    history = [
        StatementReading(NOW - timedelta(days=2), "q", "SELECT q", 5, 100.0, 5, "2026-11-30 06:00:00+00"),
        StatementReading(NOW - timedelta(days=1), "q", "SELECT q", 5, 1000.0, 5, "2026-12-01 12:00:00+00"),
    ]
    assert [(d.calls, d.total_time_ms, d.after_reset) for d in statement_deltas(history)] == [(5, 1000.0, True)]
    unknown = [StatementReading(r.taken_at, "q", "SELECT q", r.calls, r.total_time_ms, r.rows) for r in history]
    assert [(d.calls, d.total_time_ms) for d in statement_deltas(unknown)] == [(0, 900.0)]


def test_a_statement_first_seen_after_the_baseline_counts_from_zero():
    deltas = statement_deltas([reading(3, "a", 1, 1.0), reading(2, "a", 2, 2.0), reading(2, "b", 7, 70.0)])
    assert {(d.statement_key, d.calls) for d in deltas} == {("a", 1), ("b", 7)}


def test_a_statement_made_slower_between_two_snapshots_is_ranked_first_by_its_change():
    history = [
        # baseline, 14 days ago
        reading(14, "slowed", 100, 1000.0),
        reading(14, "busy", 1000, 50_000.0),
        # previous week: slowed 50 calls at 10 ms = 500 ms; busy 200 calls at 50 ms = 10,000 ms
        reading(8, "slowed", 150, 1500.0),
        reading(8, "busy", 1200, 60_000.0),
        # this week: slowed 50 calls at 300 ms = 15,000 ms; busy 220 calls at 50 ms = 11,000 ms
        reading(1, "slowed", 200, 16_500.0),
        reading(1, "busy", 1420, 71_000.0),
    ]
    ranked = rank_statements(history, NOW, WEEK)
    assert [c.statement_key for c in ranked] == ["slowed", "busy"]
    slowed = ranked[0]
    assert slowed.total_time_change_ms == 15_000.0 - 500.0
    assert slowed.mean_time_ratio == (15_000.0 / 50) / (500.0 / 50)
    assert mean_time_change_text(slowed, "7d") == "30.0× slower than the previous 7 days"
    assert ranked[1].total_time_change_ms == 11_000.0 - 10_000.0

    by_total = rank_statements(history, NOW, WEEK, StatementRanking.TOTAL_TIME)
    assert [c.statement_key for c in by_total] == ["slowed", "busy"]  # 15,000 ms against 11,000 ms
    by_calls = rank_statements(history, NOW, WEEK, StatementRanking.CALLS)
    assert [c.statement_key for c in by_calls] == ["busy", "slowed"]  # 220 calls against 50
    by_mean = rank_statements(history, NOW, WEEK, StatementRanking.MEAN_TIME)
    assert [c.statement_key for c in by_mean] == ["slowed", "busy"]  # 300 ms against 50 ms


def test_a_statement_absent_from_the_previous_window_is_new():
    history = [reading(14, "old", 1, 10.0), reading(1, "old", 2, 20.0), reading(1, "fresh", 4, 8.0)]
    ranked = {c.statement_key: c for c in rank_statements(history, NOW, WEEK)}
    assert ranked["fresh"].trend is StatementTrend.NEW
    assert mean_time_change_text(ranked["fresh"], "7d") == "new"
    # "old" ran once in this window, never in the previous one (its baseline was 14 days ago): new too
    assert ranked["old"].trend is StatementTrend.NEW


def test_faster_and_unchanged_statements_say_so():
    history = [reading(14, "q", 0, 0.0), reading(8, "q", 10, 300.0), reading(1, "q", 20, 400.0)]
    (change,) = rank_statements(history, NOW, WEEK)
    assert change.mean_time_ratio == (100.0 / 10) / (300.0 / 10)
    assert mean_time_change_text(change, "7d") == "3.0× faster than the previous 7 days"
    steady = [reading(3, "q", 0, 0.0), reading(1.5, "q", 4, 40.0), reading(0.5, "q", 8, 80.0)]
    (change,) = rank_statements(steady, NOW, WINDOWS["1d"])
    assert mean_time_change_text(change, "1d") == "as fast as the previous day"


def test_a_statement_that_took_no_measurable_time_before_says_so():
    history = [reading(14, "q", 0, 0.0), reading(8, "q", 10, 0.0), reading(1, "q", 20, 5.0)]
    (change,) = rank_statements(history, NOW, WEEK)
    assert change.mean_time_ratio is None
    assert mean_time_change_text(change, "7d") == "slower than the previous 7 days (was 0 ms)"
    flat = [reading(14, "q", 0, 0.0), reading(8, "q", 10, 0.0), reading(1, "q", 20, 0.0)]
    (change,) = rank_statements(flat, NOW, WEEK)
    assert mean_time_change_text(change, "7d") == "as fast as the previous 7 days"


def test_statement_not_run_in_the_window_is_left_out():
    history = [reading(14, "idle", 5, 50.0), reading(8, "idle", 6, 60.0), reading(1, "idle", 6, 60.0)]
    assert rank_statements(history, NOW, WEEK) == []


def test_statement_times_are_readable():
    assert format_milliseconds(0.4213) == "0.42 ms"
    assert format_milliseconds(12.4) == "12 ms"
    assert format_milliseconds(3500) == "3.5 s"
    assert format_milliseconds(3 * 3_600_000 + 12 * 60_000) == "3 h 12 min"
    assert format_milliseconds(None) == "no data"
