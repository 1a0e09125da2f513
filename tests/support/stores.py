"""What the store-level tests share: a fresh migrated store on SQLite or the session's PostgreSQL, the tables it
has, and ``cli.py`` run in-process against it (a subprocess per call costs seconds of imports)."""

from __future__ import annotations

import os
import uuid

import sqlalchemy as sa

import cli
from data.store import engine_for, migrate

# Variables of data/settings.py a test must not inherit from the machine it runs on.
SETTINGS_PREFIXES = ("PROMETHEUS_", "SLO_", "TEAM_", "RELIABILITY_", "DATABASE", "DB_DSN_")


def fresh_store(request, tmp_path, prefix: str, *, migrated: bool = True) -> str:
    """The URL of an empty store: a SQLite file in ``tmp_path`` for ``request.param == "sqlite"``, otherwise a new
    database on the ``postgres_server`` fixture; migrated to head unless ``migrated`` is False."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / f'{prefix}.db'}"
    else:
        url = request.getfixturevalue("postgres_server").create_database(f"{prefix}_{uuid.uuid4().hex[:12]}")
    if migrated:
        migrate(url)
    return url


def table_names(url: str) -> set[str]:
    engine = engine_for(url)
    try:
        return set(sa.inspect(engine).get_table_names())
    finally:
        engine.dispose()


def run_cli(monkeypatch, capsys, env: dict[str, str], *args: str) -> tuple[int, str, str]:
    """``cli.main(args)`` with exactly the settings variables in ``env``; (exit code, stdout, stderr)."""
    for name in [n for n in os.environ if n.startswith(SETTINGS_PREFIXES)]:
        monkeypatch.delenv(name)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    capsys.readouterr()
    code = cli.main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err
