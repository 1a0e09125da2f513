"""Secrets by construction: DSNs and URLs read once, shown masked everywhere, and one redaction for any text."""

from __future__ import annotations

import logging
from pathlib import Path
from urllib.parse import quote

import pytest

from data.databases.probes.common import ProbeError, engine_of_dsn, explain_connect_error, normalise_dsn
from data.secrets import (
    MASK,
    Dsn,
    RedactingFilter,
    SecretUrl,
    UrlError,
    install_log_redaction,
    redact,
    remember_secret,
)
from data.settings import load_settings

ISSUE_DSN = "postgresql://monitor:PG@PASS-2@127.0.0.1:1/orders"
NASTY = "PG@PASS-2:/%x"  # @, :, / and % unencoded
NO_SECRETS_FILE = Path("/nonexistent/secrets.toml")


def fragments_of(password: str) -> list[str]:
    """The password and what a parser splitting it at a delimiter would show (``PASS-2``)."""
    return [password, quote(password, safe=""), *(part for part in ("PASS-2", "S3cr", "h@sh") if part in password)]


def assert_no_secret(text: str, password: str) -> None:
    for fragment in fragments_of(password):
        assert fragment not in text, f"{fragment!r} leaked in {text!r}"


# --- parsing ------------------------------------------------------------------------------------------------------


def test_the_issue_dsn_is_split_at_the_last_at_sign():
    dsn = Dsn.parse(ISSUE_DSN)
    assert (dsn.host, dsn.port, dsn.database, dsn.username) == ("127.0.0.1", 1, "orders", "monitor")
    assert dsn.reveal_password() == "PG@PASS-2"
    assert dsn.where() == "127.0.0.1:1/orders"
    url = normalise_dsn(dsn)
    assert (url.drivername, url.host, url.port, url.database, url.password) == (
        "postgresql+psycopg",
        "127.0.0.1",
        1,
        "orders",
        "PG@PASS-2",
    )


@pytest.mark.parametrize("password", [NASTY, "a#b", "q?uery", "50%off", "colon:in:it", "sl/ash/es", "h@sh#q?/:%"])
@pytest.mark.parametrize("encoded", [False, True], ids=["unencoded", "encoded"])
def test_passwords_with_url_delimiters_connect_with_the_right_password_and_never_show(password, encoded):
    written = quote(password, safe="") if encoded else password
    dsn = Dsn.parse(f"mysql://monitor:{written}@db.example:3306/shop")
    assert dsn.problem is None
    assert (dsn.host, dsn.port, dsn.database) == ("db.example", 3306, "shop")
    url = normalise_dsn(dsn)
    assert (url.username, url.password, url.host, url.port, url.database) == (
        "monitor",
        password,
        "db.example",
        3306,
        "shop",
    )
    assert str(dsn) == "mysql://monitor:***@db.example:3306/shop"
    for shown in (str(dsn), repr(dsn), f"{dsn}", f"{dsn:>80}", "%s" % dsn, "%r" % (dsn,), dsn.describe()):
        assert password not in shown and written not in shown


def test_the_masked_rendering_of_the_issue_dsn():
    dsn = Dsn.parse(ISSUE_DSN)
    assert str(dsn) == "postgresql://monitor:***@127.0.0.1:1/orders"
    assert repr(dsn) == "Dsn('postgresql://monitor:***@127.0.0.1:1/orders')"
    assert f"probing {dsn}" == "probing postgresql://monitor:***@127.0.0.1:1/orders"
    assert "PASS" not in repr([dsn, {"dsn": dsn}])


@pytest.mark.parametrize("key", ["password", "passwd", "sslpassword", "token", "access_token", "api_key", "PASSWORD"])
def test_secret_query_values_are_masked_and_the_others_kept(key):
    url = SecretUrl.parse(f"postgresql+psycopg://u@127.0.0.1:1/db?sslmode=require&{key}=S3cr%40t&x=1")
    assert str(url) == f"postgresql+psycopg://u@127.0.0.1:1/db?sslmode=require&{key}=***&x=1"
    assert "S3cr" not in repr(url) and "S3cr" not in f"{url}"


def test_a_query_string_password_reaches_the_driver_decoded():
    url = SecretUrl.parse("postgresql+psycopg://u@127.0.0.1:1/db?password=S3cr%40t").sqlalchemy_url()
    assert url.query["password"] == "S3cr@t" and url.password is None


def test_a_store_url_with_a_password_is_masked_and_connects_with_it():
    url = SecretUrl.parse(f"postgresql+psycopg://app:{NASTY}@db:5432/reliability")
    assert str(url) == "postgresql+psycopg://app:***@db:5432/reliability"
    assert url.sqlalchemy_url().password == NASTY
    assert url.backend == "postgresql"


def test_a_store_settings_object_never_prints_its_passwords():
    settings = load_settings(
        {
            "DATABASE_URL": f"postgresql+psycopg://app:{NASTY}@db/reliability",
            "DB_DSN_ORDERS": ISSUE_DSN,
            "PROMETHEUS_URL": "http://prom:9090",
            "PROMETHEUS_PASSWORD": "prom-pa55word",
            "PROMETHEUS_USERNAME": "me",
            "PROMETHEUS_TOKEN": "tok-3f9a1c7e",
        },
        NO_SECRETS_FILE,
    )
    shown = f"{settings} {settings!r} {settings.database_url} {settings.dsn_for('orders')} {settings.prometheus!r}"
    assert_no_secret(shown, NASTY)
    assert "prom-pa55word" not in shown and "tok-3f9a1c7e" not in shown
    assert settings.database_url.sqlalchemy_url().password == NASTY


def test_sqlite_urls_keep_their_file_even_with_an_at_sign_in_the_path():
    assert SecretUrl.parse("sqlite:////srv/a@b/store.db").database == "/srv/a@b/store.db"
    assert SecretUrl.parse("sqlite:///var/store.db").sqlalchemy_url().database == "var/store.db"
    assert SecretUrl.parse("sqlite://").sqlalchemy_url().database is None


def test_an_unreadable_port_gives_a_clear_message_without_the_password():
    dsn = Dsn.parse("postgresql://u:s3cret-pw@host:abc/db")
    assert dsn.problem == "the DSN's port is not a number"
    with pytest.raises(ProbeError) as raised:
        engine_of_dsn(dsn)
    assert str(raised.value) == "the DSN's port is not a number"
    assert "s3cret-pw" not in str(dsn) + repr(dsn) + str(raised.value)
    with pytest.raises(UrlError, match="port is not a number"):
        dsn.sqlalchemy_url()


def test_an_out_of_range_port_and_a_text_that_is_no_url_are_named():
    assert Dsn.parse("postgresql://u:pw@host:99999/db").problem == "the DSN's port 99999 is out of range (1-65535)"
    not_a_url = Dsn.parse("monitor:s3cret-pw@host/db")
    assert not_a_url.problem.startswith("the DSN is not a URL like postgresql://")
    assert "s3cret-pw" not in str(not_a_url) + repr(not_a_url) + not_a_url.problem


def test_an_unsupported_scheme_is_named_by_the_probe():
    with pytest.raises(ProbeError, match="unsupported DSN scheme 'oracle'"):
        normalise_dsn(Dsn.parse("oracle://u:pw@h/db"))


def test_equal_dsns_are_equal_and_a_changed_password_changes_the_fingerprint():
    assert Dsn.parse(ISSUE_DSN) == Dsn.parse(ISSUE_DSN) and hash(Dsn.parse(ISSUE_DSN)) == hash(Dsn.parse(ISSUE_DSN))
    other = Dsn.parse(ISSUE_DSN.replace("PASS-2", "PASS-3"))
    assert other != Dsn.parse(ISSUE_DSN) and other.fingerprint() != Dsn.parse(ISSUE_DSN).fingerprint()
    assert "PASS" not in other.fingerprint()


# --- redaction ------------------------------------------------------------------------------------------------------


def test_driver_text_loses_a_known_password_raw_encoded_and_in_fragments():
    Dsn.parse(f"postgresql://monitor:{NASTY}@127.0.0.1:1/orders")  # parsing teaches redact the password
    text = (
        f'connection to server failed: password "{NASTY}" rejected; dsn was '
        f"user=monitor password={quote(NASTY, safe='')} host=PASS-2@127.0.0.1 (raw {quote(NASTY, safe='')})"
    )
    cleaned = redact(text)
    assert_no_secret(cleaned, NASTY)
    assert cleaned.startswith("connection to server failed") and "host=***@127.0.0.1" in cleaned


def test_unknown_secrets_are_masked_by_their_shape():
    text = (
        "could not connect to postgresql://bob:n0t-registered@h@db:5432/x; retry with "
        'sslpassword=abc123 token=\'t-1\' "api_key": "k-9" Authorization: Bearer eyJhbGciOi12345 '
        "and ALTER ROLE x PASSWORD 'p4ss'"
    )
    cleaned = redact(text)
    for secret in ("n0t-registered", "abc123", "t-1", "k-9", "eyJhbGciOi12345", "p4ss"):
        assert secret not in cleaned
    assert "postgresql://bob:***@db:5432/x" in cleaned


def test_redaction_keeps_ordinary_messages_readable():
    text = "cannot connect to 127.0.0.1:1/orders: authentication failed (check the user and password in its DSN)"
    assert redact(text) == text
    assert redact("Access denied for user 'x'@'h' (using password: YES)") == (
        "Access denied for user 'x'@'h' (using password: YES)"
    )


def test_short_secrets_are_masked_in_urls_but_not_wherever_their_letters_occur():
    remember_secret("pw")
    assert redact("pw in a word: upward") == "pw in a word: upward"
    assert redact("mysql://u:pw@h/db") == f"mysql://u:{MASK}@h/db"


def test_a_probe_error_is_redacted_whatever_it_was_given():
    remember_secret("hunter2-long")
    assert str(ProbeError("driver said hunter2-long")) == "driver said ***"


def test_a_connect_error_names_host_port_and_database_only():
    dsn = Dsn.parse(f"postgresql://monitor:{NASTY}@127.0.0.1:1/orders")
    error = RuntimeError(f"FATAL: odd failure for postgresql://monitor:{NASTY}@127.0.0.1:1/orders")
    message = explain_connect_error(error, dsn, 3)
    assert message.startswith("cannot connect to 127.0.0.1:1/orders: FATAL: odd failure")
    assert_no_secret(message, NASTY)


# --- logs ------------------------------------------------------------------------------------------------------------


def test_the_log_filter_masks_messages_arguments_and_tracebacks(caplog):
    dsn = Dsn.parse(f"postgresql://monitor:{NASTY}@127.0.0.1:1/orders")
    logger = logging.getLogger("tests.secrets")
    caplog.handler.addFilter(RedactingFilter())
    with caplog.at_level(logging.INFO, logger="tests.secrets"):
        logger.info("probing %s with %r", dsn, dsn)
        logger.warning("raw text %s", f"password={NASTY} in postgresql://monitor:{NASTY}@127.0.0.1:1/orders")
        try:
            raise RuntimeError(f"driver: {NASTY}")
        except RuntimeError:
            logger.exception("probe failed")
    text = caplog.text
    assert "probing postgresql://monitor:***@127.0.0.1:1/orders" in text and "Traceback" in text
    assert_no_secret(text, NASTY)


def test_installed_redaction_covers_handlers_added_later(capsys):
    install_log_redaction()
    remember_secret("later-handler-secret")
    logger = logging.getLogger("tests.secrets.later")
    handler = logging.StreamHandler()
    logger.addHandler(handler)
    try:
        logger.error("the secret is %s", "later-handler-secret")
    finally:
        logger.removeHandler(handler)
    assert "the secret is ***" in capsys.readouterr().err


def test_redacting_twice_changes_nothing():
    once = redact("could not migrate postgresql+psycopg://u@h:1/db?password=S3cr%40t: cannot connect (token=abc1).")
    assert once == "could not migrate postgresql+psycopg://u@h:1/db?password=***: cannot connect (token=***)."
    assert redact(once) == once


def test_prometheus_settings_show_their_url_masked_and_no_password_or_token():
    from data.slo.prometheus import PrometheusSettings

    settings = PrometheusSettings(
        url="http://reader:pr0m-pa55@prom:9090/api?token=t0k-abc123",
        password="basic-pa55word",
        bearer_token="bearer-t0ken-9",
    )
    shown = f"{settings!r} {settings}"
    assert "prom:9090/api?token=***" in shown
    for secret in ("pr0m-pa55", "t0k-abc123", "basic-pa55word", "bearer-t0ken-9"):
        assert secret not in shown
