"""The store down: one clear message from a real driver error, naming the store without user, password or SQL."""

from __future__ import annotations

import socket

import pytest
import sqlalchemy as sa

from pages.common.store_writes import NOT_SAVED, is_store_error, store_failure_message, store_read_message

PASSWORD = "pl4nted-s3cret"


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def driver_error(url: str) -> Exception:
    engine = sa.create_engine(url, connect_args={"connect_timeout": 5} if url.startswith("postgresql") else {})
    with pytest.raises(sa.exc.DBAPIError) as raised:
        with engine.connect() as connection:
            connection.execute(
                sa.text("INSERT INTO incidents (summary) VALUES (:summary)"), {"summary": "typed by a person"}
            )
    return raised.value


def test_a_postgresql_store_that_refuses_connections_is_unreachable_and_nothing_secret_is_said():
    url = f"postgresql+psycopg://app:{PASSWORD}@127.0.0.1:{closed_port()}/reliability"
    error = driver_error(url)
    message = store_failure_message("save incident INC-1", error, url)
    assert is_store_error(error)
    assert message.startswith(
        f"**The store is unreachable: {NOT_SAVED}.** Could not save incident INC-1: the PostgreSQL store on 127.0.0.1:"
    )
    assert "(database reliability) said" in message and "OperationalError" in message
    for secret in (PASSWORD, "app:", "postgresql+psycopg://"):
        assert secret not in message


def test_the_message_quotes_no_sql_and_no_parameters(tmp_path):
    url = f"sqlite:///{tmp_path / 'store.db'}"  # no incidents table: the driver refuses the statement
    message = store_failure_message("save incident INC-1", driver_error(url), url)
    assert "no such table: incidents" in message
    assert "INSERT" not in message and "typed by a person" not in message
    assert f"the SQLite store {tmp_path / 'store.db'}" in message


def test_a_panel_that_cannot_read_the_store_says_the_rest_of_the_page_works():
    url = f"postgresql+psycopg://app:{PASSWORD}@127.0.0.1:{closed_port()}/reliability"
    message = store_read_message("the incident list", driver_error(url), url)
    assert message.startswith("**The store is unreachable: the incident list cannot be shown.** The PostgreSQL store")
    assert message.endswith("The rest of the page still works.")
    assert PASSWORD not in message


def test_errors_that_are_not_the_stores_are_not_taken_for_it():
    assert not is_store_error(ValueError("bad date"))
