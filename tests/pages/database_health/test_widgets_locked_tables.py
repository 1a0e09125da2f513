"""The tables tab under a lock: the locked table's size reads as an estimate naming the locking pid; the others
are plain sizes, and the row counts of all are shown."""

from __future__ import annotations

from metrics.databases.checks import ProbeData, SizeSource, TableStats
from pages.database_health.widgets import tables_frame


def locked_probe() -> ProbeData:
    return ProbeData(
        engine="postgresql",
        version="PostgreSQL 16",
        tables=[
            TableStats("public.carts", 8_000_000, live_rows=2000, dead_rows=3000, autovacuum_enabled=False),
            TableStats(
                "public.orders",
                12_000_000,
                live_rows=10_000,
                dead_rows=0,
                size_source=SizeSource.ESTIMATED,
                locked=True,
                locked_by=4242,
            ),
        ],
    )


def test_the_locked_tables_size_reads_as_an_estimate_naming_the_pid():
    frame = tables_frame(locked_probe()).set_index("table")
    assert frame.loc["public.orders", "size"] == "≈ 12 MB (estimate: locked by pid 4242)"
    assert frame.loc["public.orders", "live rows"] == 10_000


def test_the_other_tables_show_their_measured_size_and_dead_rows():
    frame = tables_frame(locked_probe()).set_index("table")
    assert frame.loc["public.carts", "size"] == "8.0 MB"
    assert frame.loc["public.carts", "dead rows"] == 3000


def test_the_estimate_still_sorts_by_its_bytes():
    assert list(tables_frame(locked_probe())["table"]) == ["public.orders", "public.carts"]
