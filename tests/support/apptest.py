"""What the AppTest page suites share: a clean settings environment with its own migrated SQLite store, and
reading texts off rendered elements."""

from __future__ import annotations

from data.store import migrate

# Every variable that shapes data/settings.py; a test's environment starts without any of them.
SETTINGS_VARIABLES = (
    "PROMETHEUS_URL",
    "PROMETHEUS_NAME",
    "PROMETHEUS_TOKEN",
    "PROMETHEUS_USERNAME",
    "PROMETHEUS_PASSWORD",
    "PROMETHEUS_TIMEOUT_SECONDS",
    "SLO_CATALOG",
    "TEAM_TIMEZONE",
    "DATABASE_URL",
    "RELIABILITY_SECRETS_FILE",
    "ACCESS_CONFIG",
)


def isolated_store(monkeypatch, tmp_path, *, team_timezone: str, now: str | None = None) -> str:
    """Clear the settings variables, point the app at a fresh migrated SQLite store (AppTest runs a page without
    app.py's migration) and no secrets file; return the store's URL."""
    for name in SETTINGS_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    url = f"sqlite:///{tmp_path / 'store.db'}"
    migrate(url)
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("RELIABILITY_SECRETS_FILE", str(tmp_path / "no-secrets.toml"))
    monkeypatch.setenv("TEAM_TIMEZONE", team_timezone)
    if now is not None:
        monkeypatch.setenv("RELIABILITY_NOW", now)
    return url


def texts(elements) -> str:
    return "\n".join(str(element.value) for element in elements)
