from metrics.store.integrity import EXPECTED_GUARDS, gap_text, id_gaps, store_check


def test_no_gaps_in_a_contiguous_run():
    assert id_gaps([3, 1, 2, 4]) == []


def test_gaps_are_the_missing_runs_between_the_smallest_and_largest_id():
    assert id_gaps([1, 2, 5, 7, 8, 12]) == [(3, 4), (6, 6), (9, 11)]


def test_gap_text_names_single_ids_and_ranges():
    assert gap_text([(3, 4), (6, 6)]) == "3–4, 6"


def test_a_store_with_every_guard_and_no_orphans_is_healthy():
    check = store_check("postgresql", EXPECTED_GUARDS["postgresql"], {1: 10}, [10], {"tracker_reviews": [1]})
    assert check.healthy and check.missing_guards == () and check.orphan_reviews == ()


def test_a_missing_trigger_is_named_and_makes_the_store_unhealthy():
    installed = EXPECTED_GUARDS["sqlite"] - {"audit_log_no_delete"}
    check = store_check("sqlite", installed, {}, [], {})
    assert check.missing_guards == ("audit_log_no_delete",) and not check.healthy


def test_mariadb_counts_as_the_mysql_family():
    check = store_check("mariadb", EXPECTED_GUARDS["mysql"], {}, [], {})
    assert check.engine == "mysql" and check.healthy


def test_a_review_whose_item_is_gone_is_an_orphan():
    check = store_check("sqlite", EXPECTED_GUARDS["sqlite"], {1: 10, 2: 11, 3: 11}, [10], {})
    assert check.orphan_reviews == (2, 3) and not check.healthy


def test_a_gap_on_sqlite_means_removed_rows():
    check = store_check("sqlite", EXPECTED_GUARDS["sqlite"], {}, [], {"audit_log": [1, 2, 4]})
    assert check.gaps["audit_log"] == [(3, 3)] and check.gaps_are_conclusive and not check.healthy


def test_a_gap_on_postgresql_is_reported_but_may_be_a_refused_write():
    check = store_check("postgresql", EXPECTED_GUARDS["postgresql"], {}, [], {"audit_log": [1, 2, 4]})
    assert check.has_gaps and not check.gaps_are_conclusive and check.healthy
