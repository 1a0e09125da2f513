"""Bloat arithmetic and thresholds, with figures computed by hand from PostgreSQL's page layout (8 KiB pages, a
24-byte page header, 4-byte line pointers, 23-byte heap tuple headers, 8-byte alignment)."""

from __future__ import annotations

from metrics.databases.bloat import (
    RelationBloat,
    align,
    estimated_bloat,
    expected_btree_pages,
    expected_heap_pages,
    heap_tuple_bytes,
    index_tuple_bytes,
)
from metrics.databases.checks import ProbeData, Thresholds, bloat_status, check_bloat, evaluate_probe

MIB = 1024 * 1024
T = Thresholds(bloat_warn_ratio=0.5, bloat_critical_ratio=0.75, bloat_min_wasted_bytes=10 * MIB)


def relation(size: int, wasted: int | None, **extra) -> RelationBloat:
    return RelationBloat("public.t", "table", size, wasted, **extra)


def test_align_rounds_up_to_eight_bytes():
    assert [align(0), align(1), align(23), align(24), align(24.5)] == [0, 8, 24, 24, 32]


def test_a_heap_tuple_is_its_aligned_header_plus_its_aligned_data():
    # 23-byte header -> 24; 59 bytes of data -> 64
    assert heap_tuple_bytes(59, columns=3, has_nulls=False) == 88


def test_a_null_bitmap_adds_a_byte_per_eight_columns_to_the_header():
    # 23 + 2 bytes of bitmap for 9..16 columns = 25 -> 32; 8 bytes of data
    assert heap_tuple_bytes(8, columns=9, has_nulls=True) == 40


def test_expected_heap_pages_pack_rows_into_the_page_at_the_fill_factor():
    # (8192 - 24) / (88 + 4) = 88.8 -> 88 rows a page; 40 000 rows -> ceil(454.5) = 455 pages
    assert expected_heap_pages(40_000, 59, 3, False, 8192, 100) == 455
    # at fill factor 50: 4084 / 92 = 44.4 -> 44 a page; 40 000 rows -> ceil(909.1) = 910 pages
    assert expected_heap_pages(40_000, 59, 3, False, 8192, 50) == 910


def test_an_empty_table_needs_no_heap_page_and_an_empty_btree_its_metapage():
    assert (expected_heap_pages(0, 59, 3, False, 8192, 100), expected_btree_pages(0, 4, False, 8192, 90)) == (0, 1)


def test_a_btree_entry_is_its_aligned_header_and_key_with_the_null_bitmap_when_there_are_nulls():
    assert (index_tuple_bytes(4, has_nulls=False), index_tuple_bytes(4, has_nulls=True)) == (16, 24)


def test_expected_btree_pages_are_leaves_at_90_percent_plus_the_metapage():
    # (8192 - 24 - 16) * 0.9 = 7336.8; / (16 + 4) -> 366 a page; 40 000 entries -> ceil(109.3) = 110, + 1 metapage
    assert expected_btree_pages(40_000, 4, False, 8192, 90) == 111


def test_the_waste_is_the_pages_beyond_those_expected_and_its_ratio_their_share():
    bloat = estimated_bloat("public.orders", "table", 1137, 455, 8192)
    assert (bloat.size_bytes, bloat.wasted_bytes) == (1137 * 8192, 682 * 8192)
    assert round(bloat.ratio, 4) == round(682 / 1137, 4)


def test_fewer_pages_than_expected_is_no_waste_not_a_negative_one():
    assert estimated_bloat("public.t", "table", 100, 120, 8192).wasted_bytes == 0


def test_a_relation_without_an_estimate_has_no_ratio_and_an_unknown_status():
    missing = relation(0, None, no_estimate="no statistics: never analysed")
    assert (missing.ratio, bloat_status(missing, T)) == (None, "unknown")


def test_the_status_follows_the_wasted_ratio_once_the_waste_is_big_enough():
    size = 100 * MIB
    statuses = [bloat_status(relation(size, int(size * share)), T) for share in (0.49, 0.5, 0.74, 0.75)]
    assert statuses == ["ok", "warn", "warn", "critical"]


def test_a_small_table_never_warns_whatever_its_ratio():
    assert bloat_status(relation(10 * MIB, int(9.9 * MIB)), T) == "ok"  # 99 % wasted, but under 10 MiB


def test_pgstattuples_measured_waste_is_judged_instead_of_the_estimate():
    measured = relation(100 * MIB, 60 * MIB, exact_wasted_bytes=20 * MIB)
    assert bloat_status(measured, T) == "ok"


def test_the_check_is_its_worst_relation_and_lists_the_most_wasted_first():
    probe = ProbeData(
        "postgresql",
        "PostgreSQL 15",
        table_bloat=[
            RelationBloat("public.a", "table", 100 * MIB, 55 * MIB),
            RelationBloat("public.b", "table", 200 * MIB, 160 * MIB),
            RelationBloat("public.c", "table", 1 * MIB, 0),
        ],
    )
    check = check_bloat("table_bloat", probe, T)
    assert (check.status, check.value) == ("critical", 215 * MIB)
    assert [(i["relation"], i["status"]) for i in check.items] == [("public.b", "critical"), ("public.a", "warn")]


def test_a_never_analysed_table_is_listed_as_such_and_does_not_count_as_zero_waste():
    probe = ProbeData(
        "postgresql",
        "PostgreSQL 15",
        table_bloat=[RelationBloat("public.new", "table", None, None, no_estimate="no statistics: never analysed")],
    )
    check = check_bloat("table_bloat", probe, T)
    assert check.status == "ok" and "1 without an estimate: public.new (no statistics: never analysed)" in check.detail
    assert check.items == [
        {
            "relation": "public.new",
            "kind": "table",
            "table": None,
            "size_bytes": None,
            "size": "no data",
            "wasted_bytes": None,
            "wasted": "no statistics: never analysed",
            "ratio": None,
            "status": "unknown",
        }
    ]


def test_bloat_not_read_is_unknown_with_the_reason():
    probe = ProbeData("postgresql", "PostgreSQL 15", unavailable={"index_bloat": "the query hit the timeout"})
    check = check_bloat("index_bloat", probe, T)
    assert (check.status, check.detail) == ("unknown", "cannot tell: the query hit the timeout")


def test_postgres_gets_both_bloat_estimates_and_mysql_its_reclaimable_space_only():
    def ids(engine):
        return {c.id for c in evaluate_probe(ProbeData(engine, "x"))} & {
            "table_bloat",
            "index_bloat",
            "reclaimable_space",
        }

    assert (ids("postgresql"), ids("mariadb")) == ({"table_bloat", "index_bloat"}, {"reclaimable_space"})
