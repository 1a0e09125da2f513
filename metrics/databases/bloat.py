"""Bloat estimates: how many pages a relation would need for the rows it holds, against the pages it has.

PostgreSQL, the statistics-based method (the one check_postgres, PgHero and ioguix's pgsql-bloat-estimation use): a
row's width comes from ``pg_stats`` (the average width of each column, weighted by how often it is not NULL) plus
the tuple header, aligned as the server aligns it; the pages the live rows need follow from the block size and the
fill factor; what the relation has beyond that is the estimated waste. Everything it reads is statistics and catalog
(``pg_stats``, ``pg_class.relpages`` / ``reltuples``), so it is only as fresh as the last ANALYZE or VACUUM, and it
is an estimate: wide variable-length columns, TOAST, btree deduplication (PostgreSQL 13+) and internal index pages
are approximated or left out.

MySQL/MariaDB has no such estimate; ``information_schema.TABLES.DATA_FREE`` (space allocated to the table that holds
no row, reclaimable by OPTIMIZE TABLE) is reported instead, under its own name.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

PAGE_HEADER_BYTES = 24  # PageHeaderData
LINE_POINTER_BYTES = 4  # ItemIdData, one per tuple on a page
HEAP_TUPLE_HEADER_BYTES = 23  # HeapTupleHeaderData, before its null bitmap
INDEX_TUPLE_HEADER_BYTES = 8  # IndexTupleData
INDEX_NULL_BITMAP_BYTES = 4  # an index tuple's null bitmap is fixed-size (INDEX_MAX_KEYS bits)
BTREE_SPECIAL_BYTES = 16  # BTPageOpaqueData at the end of every btree page
MAXALIGN = 8  # MAXIMUM_ALIGNOF on 64-bit servers
HEAP_DEFAULT_FILLFACTOR = 100
BTREE_DEFAULT_FILLFACTOR = 90


def align(size: float, alignment: int = MAXALIGN) -> int:
    """``size`` rounded up to a multiple of ``alignment``: ``align(23) == 24``, ``align(24) == 24``."""
    return int(math.ceil(size / alignment) * alignment)


def heap_tuple_bytes(data_width: float, columns: int, has_nulls: bool) -> int:
    """A heap tuple's size on its page: the header (with a null bitmap of one bit per column when any column holds
    NULLs) aligned, then the data aligned. ``data_width`` is the sum of avg_width × (1 − null_frac)."""
    header = HEAP_TUPLE_HEADER_BYTES + (math.ceil(columns / 8) if has_nulls else 0)
    return align(header) + align(data_width)


def expected_heap_pages(
    rows: float, data_width: float, columns: int, has_nulls: bool, block_size: int, fillfactor: int
) -> int:
    """Heap pages the ``rows`` live rows need when packed to ``fillfactor`` percent of each page."""
    if rows <= 0:
        return 0
    item = heap_tuple_bytes(data_width, columns, has_nulls) + LINE_POINTER_BYTES
    usable = (block_size - PAGE_HEADER_BYTES) * fillfactor / 100
    per_page = max(int(usable // item), 1)
    return math.ceil(rows / per_page)


def index_tuple_bytes(key_width: float, has_nulls: bool) -> int:
    """A btree index tuple: its header (and null bitmap) aligned, plus the key, the whole aligned."""
    header = INDEX_TUPLE_HEADER_BYTES + (INDEX_NULL_BITMAP_BYTES if has_nulls else 0)
    return align(align(header) + key_width)


def expected_btree_pages(rows: float, key_width: float, has_nulls: bool, block_size: int, fillfactor: int) -> int:
    """Leaf pages the ``rows`` index entries need at ``fillfactor``, plus the metapage (internal pages, a few per
    cent of a large index, are left out: the estimate errs towards less bloat)."""
    if rows <= 0:
        return 1
    item = index_tuple_bytes(key_width, has_nulls) + LINE_POINTER_BYTES
    usable = (block_size - PAGE_HEADER_BYTES - BTREE_SPECIAL_BYTES) * fillfactor / 100
    per_page = max(int(usable // item), 1)
    return math.ceil(rows / per_page) + 1


def wasted_pages(actual_pages: int, expected_pages: int) -> int:
    """Pages beyond what the rows need; never negative (an estimate below the actual size is no bloat)."""
    return max(actual_pages - expected_pages, 0)


@dataclass(frozen=True)
class RelationBloat:
    """One relation's estimated waste. ``wasted_bytes`` None means no estimate, and ``no_estimate`` says why (never
    analysed, statistics hidden from the role, not a btree index...). ``exact_wasted_bytes`` is pgstattuple's
    measured free and dead space, when that extension is installed and the relation was measured."""

    name: str  # schema.relation
    kind: str  # "table" or "index" (MySQL/MariaDB: "table")
    size_bytes: int | None  # what the waste is a share of: pages × block size (MySQL: data + index + DATA_FREE)
    wasted_bytes: int | None
    table: str | None = None  # an index's table
    no_estimate: str = ""
    locked_by: int | None = None  # another session holds ACCESS EXCLUSIVE on it (the estimate needs no lock)
    exact_wasted_bytes: int | None = None
    exact_note: str = ""  # why pgstattuple gave no figure for a relation it was asked about

    @property
    def ratio(self) -> float | None:
        """Wasted share of the relation's size, 0..1 (MySQL/MariaDB: DATA_FREE over data + index + DATA_FREE)."""
        if self.wasted_bytes is None or not self.size_bytes:
            return None if self.wasted_bytes is None else 0.0
        return self.wasted_bytes / self.size_bytes


def estimated_bloat(
    name: str, kind: str, actual_pages: int, expected_pages: int, block_size: int, **extra
) -> RelationBloat:
    """A relation's estimate from its actual and expected page counts."""
    return RelationBloat(
        name,
        kind,
        actual_pages * block_size,
        wasted_pages(actual_pages, expected_pages) * block_size,
        **extra,
    )
