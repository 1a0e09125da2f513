"""Database checks as specifications: DESIGN.md's thresholds, the status order, and honesty about what is unknown."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from metrics.databases.checks import (
    CRITICAL,
    INSUFFICIENT_PRIVILEGE,
    OK,
    UNKNOWN,
    CheckResult,
    DbaRecord,
    IndexInfo,
    ProbeData,
    ProbeState,
    ReplicaInfo,
    SequenceUsage,
    Session,
    TableStats,
    Thresholds,
    build_health,
    check_blocked_sessions,
    check_cache_hit_ratio,
    check_connections,
    check_database_size,
    check_dba_records,
    check_dead_tuples,
    check_idle_in_transaction,
    check_invalid_indexes,
    check_long_running_queries,
    check_replication_lag,
    check_sequences,
    check_unused_indexes,
    check_wraparound,
    down_result,
    evaluate_probe,
    truncate_query,
    worst,
)

T = Thresholds()


def probe(**fields) -> ProbeData:
    return ProbeData(engine=fields.pop("engine", "postgresql"), version="PostgreSQL 15.8", **fields)


def test_worst_orders_ok_info_unknown_warn_critical():
    assert worst(["ok", "info"]) == "info"
    assert worst(["info", "unknown"]) == "unknown"
    assert worst(["unknown", "warn"]) == "warn"
    assert worst(["warn", "critical", "ok"]) == "critical"
    assert worst([]) == "ok"


def test_a_database_status_is_its_worst_check():
    health = build_health(
        "db",
        "postgresql",
        [down_result("db", "refused"), check_connections(probe(connections_used=1, connections_max=100), T)],
        None,
    )
    assert health.status == "critical"


@pytest.mark.parametrize(("used", "status"), [(74, "ok"), (75, "warn"), (89, "warn"), (90, "critical")])
def test_connections_warn_at_75_and_critical_at_90_percent_of_usable(used, status):
    assert check_connections(probe(connections_used=used, connections_max=100), T).status == status


def test_idle_in_transaction_warns_after_5_minutes_and_is_critical_after_30():
    def status(seconds):
        sessions = [Session(1, "app", "idle in transaction", "UPDATE t", state_seconds=seconds)]
        return check_idle_in_transaction(probe(sessions=sessions), T).status

    assert [status(299), status(300), status(1799), status(1800)] == ["ok", "warn", "warn", "critical"]


@pytest.mark.parametrize(
    ("hits", "reads", "status"), [(99_000, 900, "ok"), (98_000, 2_000, "warn"), (94_000, 6_000, "critical")]
)
def test_cache_hit_ratio_warns_below_99_and_is_critical_below_95_percent(hits, reads, status):
    assert check_cache_hit_ratio(probe(cache_hits=hits, cache_reads=reads), T).status == status


def test_cache_hit_ratio_with_too_little_traffic_is_info_not_a_verdict():
    check = check_cache_hit_ratio(probe(cache_hits=10, cache_reads=90), T)
    assert check.status == "info" and check.detail.startswith("too little traffic to judge")


def test_long_running_queries_warn_at_60_s_and_are_critical_at_300_s_with_the_query_named():
    def check(seconds):
        return check_long_running_queries(
            probe(sessions=[Session(7, "app", "active", "SELECT 1", query_seconds=seconds)]), T
        )

    assert [check(59).status, check(60).status, check(300).status] == ["ok", "warn", "critical"]
    assert check(300).items[0]["pid"] == 7 and check(300).items[0]["duration"] == "5 min"


def test_a_query_just_under_the_threshold_is_not_flagged_even_when_its_time_rounds_up_to_it():
    check = check_long_running_queries(
        probe(sessions=[Session(7, "app", "active", "SELECT 1", query_seconds=59.96)]), T
    )
    assert check.status == "ok" and check.items == []


def test_blocked_sessions_warn_from_1_and_are_critical_from_5_naming_the_root_blocker():
    sessions = [Session(1, "a", "idle in transaction", "UPDATE t")] + [
        Session(10 + i, "b", "active", "UPDATE t", query_seconds=3, blocked_by=(1,)) for i in range(5)
    ]
    assert check_blocked_sessions(probe(sessions=sessions[:2]), T).status == "warn"
    check = check_blocked_sessions(probe(sessions=sessions), T)
    assert check.status == "critical" and "held by session(s) 1" in check.detail


def test_replica_lag_warns_at_5_s_and_is_critical_at_60_s():
    def status(lag):
        return check_replication_lag(probe(is_replica=True, replica_receiving=True, replica_lag_s=lag), T).status

    assert [status(4.9), status(5), status(60)] == ["ok", "warn", "critical"]


def test_a_stopped_replica_is_critical_even_when_it_looks_caught_up():
    check = check_replication_lag(probe(is_replica=True, replica_receiving=False, replica_lag_s=0.0), T)
    assert check.status == "critical" and "stopped" in check.detail


def test_a_primary_reports_its_replicas_worst_lag():
    check = check_replication_lag(
        probe(is_replica=False, replicas=[ReplicaInfo("r1", "streaming", 7.0)], inactive_slots=[]), T
    )
    assert check.status == "warn" and check.value == 7.0


def test_a_database_configured_as_replica_that_is_a_primary_warns():
    check = check_replication_lag(probe(is_replica=False, replicas=[], inactive_slots=[]), T, role="replica")
    assert check.status == "warn" and "failed over?" in check.detail


@pytest.mark.parametrize(("age", "status"), [(2**30 - 1, "ok"), (2**30, "warn"), (int(0.8 * 2**31) + 1, "critical")])
def test_wraparound_warns_at_half_and_is_critical_at_80_percent_of_2_pow_31(age, status):
    assert check_wraparound(probe(database_xid_age=age, tables=[]), T).status == status


def test_dead_tuples_warn_over_20_percent_of_live_on_tables_of_10k_rows_only():
    tables = [
        TableStats("public.big", live_rows=10_000, dead_rows=2_001),
        TableStats("public.small", live_rows=9_999, dead_rows=9_000),
    ]
    check = check_dead_tuples(probe(tables=tables), T)
    assert check.status == "warn" and [i["table"] for i in check.items] == ["public.big"]


@pytest.mark.parametrize(("last", "status"), [(24_575, "ok"), (24_576, "warn"), (29_491, "critical")])
def test_sequences_warn_at_75_and_are_critical_at_90_percent_of_their_column_type(last, status):
    check = check_sequences(probe(sequences=[SequenceUsage("s", last, 32767, "t.id", "smallint")]), T)
    assert check.status == status


def test_a_sequence_the_probe_may_not_read_is_unknown_and_says_insufficient_privilege():
    check = check_sequences(probe(sequences=[SequenceUsage("s", None, 100, hidden=True)]), T)
    assert check.status == "unknown" and INSUFFICIENT_PRIVILEGE in check.detail


def test_unused_indexes_are_info_only_from_10_mb():
    indexes = [IndexInfo("big", "t", 10 * 1024 * 1024, 0), IndexInfo("small", "t", 1024, 0)]
    check = check_unused_indexes(probe(unused_indexes=indexes), T)
    assert check.status == "info" and [i["index"] for i in check.items] == ["big"]


def test_invalid_indexes_warn():
    assert check_invalid_indexes(probe(invalid_indexes=[IndexInfo("i", "t", 8192)])).status == "warn"


def test_database_size_has_no_limit_unless_configured_and_growth_needs_history():
    assert check_database_size(probe(database_size_bytes=10**12), T).status == "ok"
    limited = Thresholds(database_size_warn_bytes=10**9, growth_7d_warn=0.2)
    assert check_database_size(probe(database_size_bytes=2 * 10**9), limited).status == "warn"
    growing = check_database_size(probe(database_size_bytes=130), Thresholds(growth_7d_warn=0.2), size_7d_ago=100)
    assert growing.status == "warn" and "+30.0% over 7 days" in growing.detail


def test_a_check_the_probe_could_not_read_is_unknown_with_the_reason():
    check = check_connections(probe(unavailable={"connections": INSUFFICIENT_PRIVILEGE}), T)
    assert check.status == "unknown" and check.detail == f"cannot tell: {INSUFFICIENT_PRIVILEGE}"


def test_mysql_gets_no_postgres_only_checks():
    ids = [c.id for c in evaluate_probe(probe(engine="mariadb"))]
    assert "wraparound" not in ids and "dead_tuples" not in ids and "invalid_indexes" not in ids


def test_query_text_is_one_line_and_truncated():
    text = truncate_query("SELECT *\n  FROM t\tWHERE " + "x" * 400)
    assert "\n" not in text and len(text) == 300 and text.endswith("…")


TODAY = date(2026, 11, 24)


def record(kind, done_on, outcome="ok"):
    return DbaRecord("db", kind, done_on, "kim", outcome)


def test_a_backup_verified_within_its_interval_is_ok():
    check = check_dba_records([record("backup_verified", date(2026, 11, 20))], {"backup_verified": 7}, TODAY)
    assert check.status == "ok"


def test_a_record_past_its_interval_warns_with_its_age():
    check = check_dba_records([record("backup_verified", date(2026, 11, 10))], {"backup_verified": 7}, TODAY)
    assert check.status == "warn" and check.detail == "stale: backup verified: 14 d old (every 7 d)"


def test_a_withdrawn_record_does_not_count_and_the_one_before_it_does():
    withdrawn = replace(record("backup_verified", date(2026, 11, 20)), withdrawn_at=datetime(2026, 11, 21, tzinfo=UTC))
    check = check_dba_records([record("backup_verified", date(2026, 11, 10)), withdrawn], {"backup_verified": 7}, TODAY)
    assert check.status == "warn" and check.detail == "stale: backup verified: 14 d old (every 7 d)"


def test_a_never_recorded_kind_warns_and_the_newest_entry_counts():
    records = [record("restore_drill", date(2026, 1, 1)), record("restore_drill", date(2026, 11, 1))]
    check = check_dba_records(records, {"restore_drill": 90, "failover_test": 180}, TODAY)
    assert check.detail == "stale: failover test: never recorded"


def test_a_failed_drill_does_not_count_as_done():
    check = check_dba_records([record("restore_drill", TODAY, "failed")], {"restore_drill": 90}, TODAY)
    assert check.status == "warn" and "last one failed" in check.detail


def test_the_hit_ratio_judges_the_counters_since_the_previous_probe():
    from datetime import datetime

    from metrics.databases.checks import CacheCounters, recent_cache_counters

    t0 = datetime(2026, 11, 24, 14, 0, tzinfo=UTC)
    before, now = CacheCounters(1_000_000, 10, t0), CacheCounters(1_090_000, 10_010, t0.replace(minute=1))
    assert recent_cache_counters(before, now, 10_000) == (90_000, 10_000)  # 90% now, 99.9% since start


def test_after_a_counter_reset_or_with_too_few_requests_the_cumulative_counters_stay():
    from datetime import datetime

    from metrics.databases.checks import CacheCounters, recent_cache_counters

    t0 = datetime(2026, 11, 24, 14, 0, tzinfo=UTC)
    t1 = t0.replace(minute=1)
    assert recent_cache_counters(CacheCounters(500, 5, t0), CacheCounters(100, 1, t1), 0) is None
    assert recent_cache_counters(CacheCounters(500, 5, t0), CacheCounters(600, 5, t1), 10_000) is None
    assert recent_cache_counters(None, CacheCounters(600, 5, t1), 0) is None


def test_a_health_with_a_probe_has_answered():
    health = build_health(
        "orders", "postgresql", [CheckResult("up", OK, None, "")], None, probe=ProbeData("mysql", "8")
    )
    assert health.probe_state is ProbeState.ANSWERED


def test_a_health_without_a_probe_has_failed():
    health = build_health("orders", "postgresql", [CheckResult("up", CRITICAL, None, "refused")], None)
    assert health.probe_state is ProbeState.FAILED


def test_a_health_never_tried_keeps_the_not_configured_state_it_is_given():
    checks = [CheckResult("up", UNKNOWN, None, "not configured")]
    never = build_health("orders", "postgresql", checks, None, probe_state=ProbeState.NOT_CONFIGURED)
    assert never.probe_state is ProbeState.NOT_CONFIGURED
