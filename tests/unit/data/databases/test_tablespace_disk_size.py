"""databases.toml's ``tablespace_disk_size``: each PostgreSQL tablespace's disk, the tablespace forecast's limit."""

from __future__ import annotations

import pytest

from data.databases.config import parse_database_config

MINIMAL = '[[database]]\nname = "orders-primary"\nengine = "postgresql"\n'
WHERE = "databases.toml database 'orders-primary'.tablespace_disk_size"


def test_each_tablespace_gets_its_disk_size_in_bytes():
    text = MINIMAL + 'tablespace_disk_size = { fast_ssd = "500 GB", pg_default = "2 TiB" }\n'
    [database] = parse_database_config(text).databases
    assert database.tablespace_disk_size_bytes == {"fast_ssd": 500 * 10**9, "pg_default": 2 * 1024**4}


def test_without_the_field_no_tablespace_has_a_limit():
    [database] = parse_database_config(MINIMAL).databases
    assert database.tablespace_disk_size_bytes == {}


def test_a_server_entry_passes_its_tablespace_sizes_to_every_database_found():
    text = (
        '[[database]]\nname = "pg-main"\nengine = "postgresql"\ndiscover = true\n'
        'tablespace_disk_size = { fast_ssd = "1 TB" }\n'
    )
    [entry] = parse_database_config(text).databases
    found = entry.found("orders")
    assert (found.name, found.tablespace_disk_size_bytes) == ("pg-main/orders", {"fast_ssd": 10**12})


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ('"500 GB"', f'{WHERE}: must be a table of tablespace names to sizes, e.g. {{ fast_ssd = "500 GB" }}, got str'),
        (
            '["500 GB"]',
            f'{WHERE}: must be a table of tablespace names to sizes, e.g. {{ fast_ssd = "500 GB" }}, got list',
        ),
        (
            '{ fast_ssd = "500 gigs" }',
            f"{WHERE}.fast_ssd: unknown unit 'gigs' in '500 gigs' (known: B, kB, MB, GB, TB, "
            "PB, KiB, MiB, GiB, TiB, PiB)",
        ),
        ("{ fast_ssd = 500 }", f'{WHERE}.fast_ssd: must be text such as "500 GB" or "2 TiB", got 500'),
        (
            '{ fast_ssd = { size = "1 TB" } }',
            f"{WHERE}.fast_ssd: must be text such as \"500 GB\" or \"2 TiB\", got {{'size': '1 TB'}}",
        ),
        (
            '{ pg_global = "1 TB" }',
            f"{WHERE}.pg_global: not a tablespace to forecast (an unquoted PostgreSQL name; not pg_global)",
        ),
        (
            '{ "fast ssd" = "1 TB" }',
            f"{WHERE}.fast ssd: not a tablespace to forecast (an unquoted PostgreSQL name; not pg_global)",
        ),
    ],
)
def test_a_shape_other_than_names_to_sizes_is_refused_naming_file_entry_and_field(value, message):
    config = parse_database_config(MINIMAL + f"tablespace_disk_size = {value}\n", "databases.toml")
    assert config.databases == []
    assert config.problems == [message]


def test_mariadb_has_no_tablespaces_to_size():
    text = '[[database]]\nname = "shop"\nengine = "mariadb"\ntablespace_disk_size = { fast_ssd = "1 TB" }\n'
    config = parse_database_config(text, "databases.toml")
    assert config.databases == []
    assert config.problems == [
        "databases.toml database 'shop'.tablespace_disk_size: PostgreSQL only; mariadb has no tablespaces to "
        "forecast (use disk_size)"
    ]
