"""A sequence another session locks is not read: the check says which and by whom, and never calls it healthy."""

from __future__ import annotations

from metrics.databases.checks import ProbeData, SequenceUsage, Thresholds, check_sequences


def probe(*sequences: SequenceUsage) -> ProbeData:
    return ProbeData(engine="postgresql", version="PostgreSQL 16", sequences=list(sequences))


def test_a_locked_sequence_alone_makes_the_check_unknown_naming_the_pid():
    check = check_sequences(
        probe(SequenceUsage("public.a_id_seq", None, 2147483647, locked=True, locked_by=77)), Thresholds()
    )
    assert check.status == "unknown"
    assert check.items == [
        {"sequence": "public.a_id_seq", "column": None, "last_value": "locked by pid 77", "status": "unknown"}
    ]
    assert "1 not read: locked by another session (public.a_id_seq)" in check.detail


def test_a_full_sequence_still_warns_next_to_a_locked_one():
    check = check_sequences(
        probe(
            SequenceUsage("public.a_id_seq", None, 2147483647, locked=True),
            SequenceUsage("public.b_id_seq", 2_000_000_000, 2147483647),
        ),
        Thresholds(),
    )
    assert check.status == "critical"
    assert [i["sequence"] for i in check.items] == ["public.b_id_seq", "public.a_id_seq"]
