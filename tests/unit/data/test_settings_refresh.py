"""REFRESH_SECONDS and PAGE_FRAGMENTS: how the live pages refresh, read like every other setting."""

from pathlib import Path

import pytest

from data.settings import SettingsError, load_settings

NO_SECRETS = Path("/nonexistent/secrets.toml")


def test_live_pages_refresh_every_minute_with_fragments_by_default():
    settings = load_settings({}, NO_SECRETS)
    assert settings.refresh_seconds == 60.0 and settings.fragments is True


def test_refresh_seconds_and_fragments_come_from_the_environment_or_secrets(tmp_path):
    secrets = tmp_path / "secrets.toml"
    secrets.write_text("[app]\nrefresh_seconds = 30\nfragments = false\n")
    from_file = load_settings({}, secrets)
    assert from_file.refresh_seconds == 30.0 and from_file.fragments is False
    from_environment = load_settings({"REFRESH_SECONDS": "0", "PAGE_FRAGMENTS": "true"}, secrets)
    assert from_environment.refresh_seconds == 0.0 and from_environment.fragments is True


@pytest.mark.parametrize("value", ["-5", "0.5", "soon", "100000"])
def test_a_refresh_interval_that_is_not_off_or_1_to_86400_seconds_is_named(value):
    with pytest.raises(SettingsError) as raised:
        load_settings({"REFRESH_SECONDS": value}, NO_SECRETS)
    assert raised.value.problems == [
        f"REFRESH_SECONDS: must be 0 (no auto-refresh) or a number of seconds from 1 to 86400, got {value!r}"
    ]


def test_a_fragments_flag_that_is_not_true_or_false_is_named():
    with pytest.raises(SettingsError) as raised:
        load_settings({"PAGE_FRAGMENTS": "maybe"}, NO_SECRETS)
    assert raised.value.problems == ["PAGE_FRAGMENTS: must be true or false, got 'maybe'"]
