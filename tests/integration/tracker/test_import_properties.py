"""Property-based check of the tracker import against real stores (SQLite file, PostgreSQL): whatever the file
holds, an import stores every row or none — never some — and fails only with the module's ``ImportFailed``.

Rows mix valid items with items whose fields were replaced by values of any shape, so most files hold a bad row
somewhere; the stores' own limits (PostgreSQL's VARCHAR lengths, its text refusing NUL, 32-bit ids, JSON without
NaN) are exactly what the validation must catch first."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from data.store import engine_for, migrate
from data.tracker.transfer import ImportFailed, import_items, item_record, review_record
from tests.support.actors import admin
from tests.unit.data.tracker.test_transfer_properties import KNOWN, item_lists, item_shaped, reviews_of

pytestmark = pytest.mark.integration

NOW = datetime(2026, 11, 24, 5, 0, tzinfo=UTC)
STORE_FUZZ = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]
)
TABLES = ("tracker_items", "tracker_reviews", "audit_log")


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def engine(request, tmp_path_factory):
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('fuzz') / 'store.db'}"
    else:
        url = request.getfixturevalue("postgres_server").create_database(f"fuzz_{uuid.uuid4().hex[:12]}")
    migrate(url)
    engine = engine_for(url)
    yield engine
    engine.dispose()


def row_counts(engine) -> dict[str, int]:
    with engine.connect() as connection:
        return {table: connection.execute(sa.text(f"SELECT COUNT(*) FROM {table}")).scalar_one() for table in TABLES}


@st.composite
def mixed_files(draw) -> str:
    """A JSON export of valid items and their reviews, some of whose fields are then replaced by anything."""
    items = draw(item_lists)
    reviews = draw(reviews_of(items))
    records = [{**item_record(item), "reviews": [review_record(r) for r in reviews[item.id]]} for item in items]
    for record in records:
        if draw(st.booleans()):
            record.update(draw(item_shaped))
    return json.dumps({"items": records}, default=str)


def stores_all_or_nothing(engine, text: str, import_format: str) -> None:
    before = row_counts(engine)
    try:
        ids = import_items(engine, text, import_format, known=KNOWN, actor=admin("fuzz"), now=NOW)
    except ImportFailed as failure:
        assert failure.problems
        assert row_counts(engine) == before, "a failed import left rows behind"
    else:
        after = row_counts(engine)
        assert after["tracker_items"] - before["tracker_items"] == len(ids) > 0
        assert after["audit_log"] - before["audit_log"] == len(ids)


@STORE_FUZZ
@given(mixed_files())
def test_an_import_of_mixed_rows_stores_all_of_them_or_none(engine, text):
    stores_all_or_nothing(engine, text, "json")


@STORE_FUZZ
@given(st.text(max_size=400), st.sampled_from(["csv", "json"]))
def test_an_import_of_arbitrary_text_stores_all_or_none(engine, text, import_format):
    stores_all_or_nothing(engine, text, import_format)
