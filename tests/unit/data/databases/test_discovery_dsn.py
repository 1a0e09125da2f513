"""A found database's DSN is its server entry's with the database name changed, and nothing else; the fleet groups
databases by their server entry, or host:port of their DSN."""

from __future__ import annotations

from data.databases.config import parse_database_config
from data.databases.fleet import dsn_of, server_label
from data.settings import load_settings

CONFIG = parse_database_config(
    '[[database]]\nname = "main"\nengine = "postgresql"\ndiscover = true\n'
    '[[database]]\nname = "orders"\nengine = "postgresql"\n'
)


def settings(tmp_path, **env):
    return load_settings(env, secrets_file=tmp_path / "none.toml")


def test_a_found_database_keeps_the_server_dsn_but_its_own_database_name(tmp_path):
    current = settings(tmp_path, DB_DSN_MAIN="postgresql://mon:p%40ss@db1:5432/postgres?sslmode=require")
    dsn = dsn_of(current, CONFIG.database("main/Sales Q?"))
    assert (dsn.host, dsn.port, dsn.database, dsn.reveal_password()) == ("db1", 5432, "Sales Q?", "p@ss")
    assert "sslmode=require" in str(dsn) and "p@ss" not in str(dsn)


def test_without_the_server_dsn_a_found_database_has_none(tmp_path):
    assert dsn_of(settings(tmp_path), CONFIG.database("main/orders")) is None


def test_the_server_of_a_found_database_is_its_entry_and_of_a_listed_one_its_host_and_port(tmp_path):
    current = settings(tmp_path, DB_DSN_ORDERS="postgresql://mon@db2:6432/orders")
    assert server_label(CONFIG.database("main/x"), None) == "main"
    assert server_label(CONFIG.database("main"), None) == "main"
    orders = CONFIG.database("orders")
    assert server_label(orders, dsn_of(current, orders)) == "db2:6432"
    assert server_label(orders, None) == ""
