"""Fixtures of the CLI tests: a throwaway SQLite store's environment, and ``cli.main`` run in-process."""

from __future__ import annotations

import os
from dataclasses import dataclass

import pytest

import cli

NOW = "2026-11-24T05:00:00Z"


@dataclass
class Completed:
    returncode: int
    stdout: str
    stderr: str


@pytest.fixture
def store_env(tmp_path) -> dict[str, str]:
    environment = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("PROMETHEUS_", "SLO_", "TEAM_", "RELIABILITY_", "DATABASE"))
    }
    environment.update(
        DATABASE_URL=f"sqlite:///{tmp_path / 'store.db'}",
        RELIABILITY_NOW=NOW,
        RELIABILITY_SECRETS_FILE=str(tmp_path / "none.toml"),
        TEAM_TIMEZONE="Asia/Seoul",
    )
    return environment


@pytest.fixture
def run_cli(monkeypatch, capsys):
    def run(env: dict[str, str], *args: str, command: str = "tracker") -> Completed:
        for name in list(os.environ):
            if name not in env:
                monkeypatch.delenv(name)
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        capsys.readouterr()
        code = cli.main([command, *args])
        captured = capsys.readouterr()
        return Completed(code, captured.out, captured.err)

    return run
