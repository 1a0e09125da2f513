"""Which indexes another index makes redundant."""

from metrics.databases.indexes import IndexDefinition, redundant_indexes


def index(name, columns, **fields):
    return IndexDefinition(name, "t", tuple(columns), **fields)


def names(found):
    return [(i.name, i.duplicate_of) for i in found]


def test_an_index_whose_columns_prefix_another_is_redundant():
    assert names(redundant_indexes([index("a", "1"), index("ab", "12")])) == [("a", "ab")]


def test_of_two_identical_indexes_the_later_name_is_reported():
    assert names(redundant_indexes([index("x2", "1"), index("x1", "1")])) == [("x2", "x1")]


def test_a_unique_index_is_kept_when_a_plain_twin_exists():
    assert names(redundant_indexes([index("plain", "1"), index("uniq", "1", unique=True)])) == [("plain", "uniq")]


def test_a_unique_index_is_not_implied_by_a_wider_unique_index():
    assert redundant_indexes([index("u_a", "1", unique=True), index("u_ab", "12", unique=True)]) == []


def test_different_predicates_methods_or_order_are_not_duplicates():
    assert redundant_indexes([index("a", "1", predicate="x > 0"), index("ab", "12")]) == []
    assert redundant_indexes([index("a", "1", method="hash"), index("ab", "12")]) == []
    assert redundant_indexes([index("ba", "21"), index("ab", "12")]) == []
