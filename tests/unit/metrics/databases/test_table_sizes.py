"""A table's size as people read it: measured, or an estimate that says why (a lock) and who holds it."""

from __future__ import annotations

from metrics.databases.checks import ProbeData, SizeSource, TableStats, Thresholds, check_database_size, table_size_text

MB = 1_000_000  # sizes read in SI units (metrics.formatting.format_bytes)


def test_a_measured_size_is_plain_bytes():
    assert table_size_text(TableStats("public.orders", 12 * MB)) == "12 MB"


def test_an_estimate_for_a_locked_table_names_the_locking_pid():
    locked = TableStats("public.orders", 12 * MB, size_source=SizeSource.ESTIMATED, locked=True, locked_by=4242)
    assert table_size_text(locked) == "≈ 12 MB (estimate: locked by pid 4242)"


def test_an_estimate_without_a_known_holder_still_says_locked():
    locked = TableStats("public.orders", 12 * MB, size_source=SizeSource.ESTIMATED, locked=True)
    assert table_size_text(locked) == "≈ 12 MB (estimate: locked)"


def test_a_locked_table_never_analysed_has_no_size_and_says_so():
    locked = TableStats("public.orders", None, size_source=SizeSource.ESTIMATED, locked=True, locked_by=7)
    assert table_size_text(locked) == "not read (locked by pid 7)"


def test_a_measured_size_of_a_locked_table_is_marked_locked():
    # MariaDB: information_schema.TABLES still reports a table under LOCK TABLES ... WRITE
    assert table_size_text(TableStats("shop.orders", 2 * MB, locked=True, locked_by=9)) == "2.0 MB (locked by pid 9)"


def test_database_size_items_carry_the_size_source_and_the_locking_pid():
    probe = ProbeData(
        engine="postgresql",
        version="PostgreSQL 16",
        database_size_bytes=100 * MB,
        tables=[
            TableStats("public.big", 50 * MB),
            TableStats("public.locked", 20 * MB, size_source=SizeSource.ESTIMATED, locked=True, locked_by=4242),
        ],
    )
    items = check_database_size(probe, Thresholds()).items
    assert [(i["table"], i["size_source"], i["locked_by"]) for i in items] == [
        ("public.big", "measured", None),
        ("public.locked", "estimated", 4242),
    ]
    assert items[1]["size"] == "≈ 20 MB (estimate: locked by pid 4242)"
