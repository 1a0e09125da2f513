"""The bloat rows under the tables tab: the relations with most waste first, with their size, waste and share, and a
table without statistics saying so rather than showing 0."""

from __future__ import annotations

from metrics.databases.bloat import RelationBloat
from metrics.databases.checks import ProbeData, Thresholds, build_health, check_bloat
from pages.database_health.widgets import BLOAT_COLUMNS, items_frame

MIB = 1024 * 1024


def bloat_health():
    probe = ProbeData(
        engine="postgresql",
        version="PostgreSQL 15",
        table_bloat=[
            RelationBloat("public.orders", "table", 200 * MIB, 120 * MIB, locked_by=4242),
            RelationBloat("public.fresh", "table", None, None, no_estimate="no statistics: never analysed"),
        ],
    )
    return build_health("db", "postgresql", [check_bloat("table_bloat", probe, Thresholds())], None, probe=probe)


def test_the_bloat_rows_show_the_waste_its_share_and_who_locks_the_table():
    frame = items_frame(bloat_health(), "table_bloat", BLOAT_COLUMNS).set_index("relation")
    orders = frame.loc["public.orders"]
    assert (orders["status"], orders["wasted"], orders["ratio"], orders["locked_by"]) == ("warn", "126 MB", 0.6, 4242)


def test_a_table_without_statistics_reads_so_instead_of_a_zero():
    frame = items_frame(bloat_health(), "table_bloat", BLOAT_COLUMNS).set_index("relation")
    assert (frame.loc["public.fresh", "wasted"], frame.loc["public.fresh", "status"]) == (
        "no statistics: never analysed",
        "unknown",
    )
