"""The freshness line says whether the data is stale as a field, not as a word to look for in its text."""

from datetime import UTC, datetime, timedelta

from pages.common.widgets import Freshness, freshness, freshness_text

AT = datetime(2026, 11, 24, 5, 5, tzinfo=UTC)  # 14:05 in Seoul


def test_fresh_data_is_not_stale_and_carries_its_age():
    line = freshness(AT, "Asia/Seoul", "demo data", now=AT + timedelta(minutes=1))
    assert line == Freshness("as of 14:05 (Asia/Seoul) · demo data", stale=False, age=timedelta(minutes=1))


def test_data_older_than_five_minutes_is_stale_and_says_its_age():
    line = freshness(AT, "Asia/Seoul", "demo data", now=AT + timedelta(minutes=12))
    assert line.stale and line.age == timedelta(minutes=12)
    assert line.text == "as of 14:05 (Asia/Seoul) · demo data · stale: 12 min old"


def test_a_source_named_stale_does_not_make_fresh_data_stale():
    assert not freshness(AT, "Asia/Seoul", "stale-mirror Prometheus", now=AT).stale


def test_an_instant_fixed_by_a_link_is_never_stale():
    line = freshness(AT, "Asia/Seoul", "demo data", now=AT + timedelta(days=3), fixed=True)
    assert not line.stale and line.age is None
    assert line.text == "evaluated at Tue 24 Nov 14:05 (Asia/Seoul) · demo data · fixed by the link's ?at="


def test_freshness_text_is_the_lines_text():
    now = AT + timedelta(minutes=12)
    assert freshness_text(AT, "Asia/Seoul", "demo data", now=now) == freshness(AT, "Asia/Seoul", "demo data", now).text
