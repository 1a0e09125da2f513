"""What the AppTest page suites share: a clean settings environment with its own migrated SQLite store, and
reading texts off rendered elements."""

from __future__ import annotations

import re

from data.store import migrate

MARKDOWN_ESCAPE = re.compile(r"\\([\\`*_{}\[\]<>|~:$#+\-.!()])")

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
    "REFRESH_SECONDS",
    "PAGE_FRAGMENTS",
    "SLO_DEPLOY_SERIES",
    "SLO_DEPLOY_SERVICE_LABEL",
    "SLO_DEPLOY_VERSION_LABEL",
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


def record_fragments(monkeypatch) -> dict[str, float | None]:
    """Each ``st.fragment`` a page sets up, by function name, with its ``run_every``: AppTest runs fragments inline
    and never on their timer, so the page tests read the timer this way."""
    import streamlit

    real = streamlit.fragment
    seen: dict[str, float | None] = {}

    def spy(func=None, *, run_every=None, **options):
        seen[func.__name__] = run_every
        return real(func, run_every=run_every, **options)

    monkeypatch.setattr(streamlit, "fragment", spy)
    return seen


def texts(elements) -> str:
    """The elements' text as a person reads it: Markdown's backslash escapes (``\\:``, ``\\_``, ``\\[``, which keep
    people's words from being read as Markdown) are not shown, so they are not compared either."""
    return "\n".join(readable(str(element.value)) for element in elements)


def readable(markdown: str) -> str:
    """Markdown source as it reads: no backslash escapes, no zero-width spaces that keep addresses from linking."""
    return MARKDOWN_ESCAPE.sub(r"\1", markdown).replace("&#8203;", "")
