"""Secrets by construction: every DSN and URL is parsed once into a value that renders masked, and every text that
leaves the process (page, CLI, log, stored row) can pass through one ``redact``.

``SecretUrl.parse(text)`` (``Dsn.parse`` for a monitored database) never raises: a URL that cannot be read carries a
``problem`` that names what is wrong and no secret. ``str``, ``repr``, f-strings and ``%s`` all give the masked form
(``postgresql://monitor:***@127.0.0.1:1/orders``, secret query values as ``password=***``). The raw value is reachable
only through ``reveal()``, ``reveal_password()`` and ``sqlalchemy_url()``, which only code making a connection calls.

Why a hand-split userinfo: SQLAlchemy's ``make_url`` ends the password at the FIRST ``@`` and urllib's ``urlsplit``
ends the authority at the first ``/``, ``?`` or ``#``, so both misread an unencoded password holding those characters
and then quote part of it as the host. Here the user and password run to the LAST ``@`` (an ``@`` in the database name
or a query value must be written ``%40``); what follows is read by urllib and SQLAlchemy as usual.

Parsing teaches ``redact`` the secret: a process-wide registry of known secrets (passwords, tokens, secret query
values, in their raw, percent-encoded and decoded forms) is filled whenever a URL is parsed and whenever settings
hold a password or token, so a driver's message is cleaned even when it quotes the secret in a form no pattern knows.
"""

from __future__ import annotations

import logging
import re
import threading
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, quote, quote_plus, unquote, unquote_plus, urlsplit

MASK = "***"
# Shorter secrets are masked where they sit in a URL or a key=value pair, but not wherever the letters occur:
# replacing every "pw" in every message would make the messages unreadable.
MIN_KNOWN_SECRET_LENGTH = 4
MIN_FRAGMENT_LENGTH = 6  # a part of a secret, masked on its own only when it is long enough not to be a common word
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*")
# Keys whose values are secrets: password, passwd, sslpassword, pwd, token, access_token, api_key, client_secret...
_SECRET_KEY = r"[\w.\-]*(?:password|passwd|pwd|secret|token|api[_\-]?key)[\w.\-]*"
# An unquoted value ends before the punctuation that closes the sentence or the URL around it ("...=x: refused").
_SECRET_PAIR = re.compile(
    rf"(?i)(?<![\w.\-])(?P<key>{_SECRET_KEY})(?P<sep>\s*=\s*)"
    r"""(?P<value>"[^"]*"|'[^']*'|[^\s&;]+?(?=[:,.;)\]}'"]*(?:[\s&;]|$)))"""
)
_SECRET_JSON_PAIR = re.compile(rf"""(?i)(?P<key>(?P<q>["']){_SECRET_KEY}(?P=q)\s*:\s*)(?P<value>"[^"]*"|'[^']*')""")
_SQL_PASSWORD = re.compile(r"(?i)\b(?P<key>(?:password|identified\s+by)\s+)'(?:[^']|'')*'")
# scheme://userinfo@ in free text: greedy to the last "@" of the token, as the URL parser reads it
_URL_USERINFO = re.compile(r"(?P<scheme>\b[A-Za-z][A-Za-z0-9+.\-]*://)(?P<userinfo>\S*)@")
_BEARER = re.compile(r"(?i)\b(?P<key>bearer\s+)(?=[A-Za-z\-._~+/]*\d)[A-Za-z0-9\-._~+/]{8,}=*")
_AUTHORIZATION = re.compile(r"""(?i)\b(?P<key>authorization["']?\s*[:=]\s*["']?)[^"'\r\n]+""")
_FRAGMENT_DELIMITERS = re.compile(r"[@:/?#&=;%\s]+")


class UrlError(ValueError):
    """A URL that cannot be used; the message names the problem and never the secret."""


class _KnownSecrets:
    """The secrets this process has seen, longest first, so a longer one is masked before a part of it."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._values: set[str] = set()
        self._ordered: tuple[str, ...] = ()

    def remember(self, secret: str | None) -> None:
        if not secret:
            return
        forms = {
            secret,
            unquote(secret),
            unquote_plus(secret),
            quote(secret, safe=""),
            quote(secret),
            quote_plus(secret),
        }
        forms = {form for form in forms if len(form) >= MIN_KNOWN_SECRET_LENGTH and form != MASK}
        # What a parser splitting at the wrong delimiter shows as a host or path ("PASS-2" of "PG@PASS-2:/%x")
        forms |= {
            part
            for form in list(forms)
            for part in _FRAGMENT_DELIMITERS.split(form)
            if len(part) >= MIN_FRAGMENT_LENGTH
        }
        with self._lock:
            if forms <= self._values:
                return
            self._values |= forms
            self._ordered = tuple(sorted(self._values, key=len, reverse=True))

    def values(self) -> tuple[str, ...]:
        return self._ordered


_known = _KnownSecrets()


def remember_secret(*secrets: str | None) -> None:
    """Teach ``redact`` a secret read from the settings (a password, a token) in all its spellings."""
    for secret in secrets:
        _known.remember(secret)


def redact(text: Any) -> str:
    """The text with every known secret, URL password, ``password=...`` pair and bearer token masked.

    The one function every driver message, log record and stored error passes through."""
    if text is None:
        return ""
    text = str(text)
    for secret in _known.values():
        if secret in text:
            text = text.replace(secret, MASK)
    text = _URL_USERINFO.sub(_masked_userinfo, text)
    text = _SECRET_JSON_PAIR.sub(lambda m: f"{m['key']}{m['q']}{MASK}{m['q']}", text)
    text = _SECRET_PAIR.sub(_masked_pair, text)
    text = _SQL_PASSWORD.sub(lambda m: f"{m['key']}'{MASK}'", text)
    text = _BEARER.sub(lambda m: f"{m['key']}{MASK}", text)
    return _AUTHORIZATION.sub(lambda m: f"{m['key']}{MASK}", text)


def _masked_userinfo(match: re.Match) -> str:
    userinfo = match["userinfo"]
    if ":" not in userinfo:
        return match.group(0)  # a user name alone is no secret
    return f"{match['scheme']}{userinfo.split(':', 1)[0]}:{MASK}@"


def _masked_pair(match: re.Match) -> str:
    return f"{match['key']}{match['sep']}{MASK}"


def _mask_secret_pairs(text: str) -> str:
    return _SECRET_PAIR.sub(_masked_pair, text)


def _port_problem(netloc: str, kind: str) -> str:
    port_text = netloc.rsplit("]", 1)[-1].rpartition(":")[2]
    if port_text.isdigit():
        return f"the {kind}'s port {port_text} is out of range (1-65535)"
    return f"the {kind}'s port is not a number"


@dataclass(frozen=True, repr=False)
class SecretUrl:
    """A URL whose password and secret query values never show: use ``describe()`` (or ``str``) to show it,
    ``sqlalchemy_url()`` to connect. Build it with ``parse`` or ``of``."""

    scheme: str
    username: str | None
    host: str | None
    port: int | None
    database: str | None  # SQLAlchemy's reading of the path: the database name, or the SQLite file
    problem: str | None
    _password: str | None = None
    _hostpart: str | None = None  # everything after the userinfo, as written
    _raw: str = ""

    KIND = "URL"

    # --- building
    @classmethod
    def parse(cls, text: str) -> SecretUrl:
        """Read ``text``; never raises. A URL that cannot be read has ``problem`` set and still masks."""
        raw = (text or "").strip()
        scheme, separator, rest = raw.partition("://")
        if not separator or not _SCHEME.fullmatch(scheme):
            return cls(
                scheme="", username=None, host=None, port=None, database=None, _raw=raw, problem=cls._not_a_url()
            )
        username = password = None
        hostpart = rest
        at = -1 if rest.startswith("/") else rest.rfind("@")  # sqlite:///a@b.db has no userinfo
        if at >= 0:
            user, colon, secret = rest[:at].partition(":")
            username, hostpart = unquote(user), rest[at + 1 :]
            password = unquote(secret) if colon else None
            remember_secret(password, secret if colon else None)
        host = port = None
        problem = None
        try:
            parts = urlsplit(f"{scheme}://{hostpart}")
            host = parts.hostname
            try:
                port = parts.port
            except ValueError:
                problem = _port_problem(parts.netloc, cls.KIND)
        except ValueError:
            parts = None
            problem = f"the {cls.KIND}'s host is not valid (an IPv6 address goes in brackets: [::1])"
        if parts is not None:
            for text_part in (parts.query, parts.fragment):
                for key, value in parse_qsl(text_part, keep_blank_values=True):
                    if re.fullmatch(_SECRET_KEY, key, re.IGNORECASE):
                        remember_secret(value)
        database = None
        if problem is None:
            from sqlalchemy.engine import make_url
            from sqlalchemy.exc import ArgumentError

            try:
                database = make_url(f"{scheme}://{hostpart}").database
            except (ArgumentError, ValueError):
                database = unquote(parts.path[1:]) if parts and parts.path else None
        return cls(
            scheme=scheme,
            username=username,
            host=host,
            port=port,
            database=database,
            problem=problem,
            _password=password,
            _hostpart=hostpart,
            _raw=raw,
        )

    @classmethod
    def of(cls, value: Any) -> SecretUrl | None:
        """``value`` as this type: a SecretUrl as it is, a SQLAlchemy URL or text parsed; None stays None."""
        if value is None or isinstance(value, cls):
            return value
        if isinstance(value, SecretUrl):
            return cls.parse(value.reveal())
        if hasattr(value, "render_as_string"):  # a SQLAlchemy URL: its own rendering encodes the password
            return cls.parse(value.render_as_string(hide_password=False))
        return cls.parse(str(value))

    @classmethod
    def _not_a_url(cls) -> str:
        return f"the {cls.KIND} is not a URL like scheme://user@host:port/path"

    # --- showing
    def describe(self, userinfo: bool = True) -> str:
        """The URL with its password and secret query values masked (``userinfo=False``: no user either)."""
        if self._hostpart is None:
            return f"<{self.KIND} that is not a URL>"
        auth = ""
        if userinfo and (self.username or self._password is not None):
            auth = quote(self.username or "", safe="") + (f":{MASK}" if self._password is not None else "") + "@"
        return f"{self.scheme}://{auth}{_mask_secret_pairs(self._hostpart)}"

    def where(self) -> str:
        """host:port/database, the part of a DSN any message may name."""
        port = f":{self.port}" if self.port else ""
        return f"{self.host or 'localhost'}{port}/{self.database or ''}"

    @property
    def backend(self) -> str:
        """``postgresql`` of ``postgresql+psycopg``."""
        return self.scheme.split("+", 1)[0].lower()

    @property
    def has_password(self) -> bool:
        return self._password is not None

    def fingerprint(self) -> str:
        """A digest of the whole value: a cache key that changes with the password, and shows nothing."""
        import hashlib

        return hashlib.sha256(self._raw.encode()).hexdigest()[:16]

    def __str__(self) -> str:
        return self.describe()

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.describe()!r})"

    def __format__(self, spec: str) -> str:
        return format(self.describe(), spec)

    def __bool__(self) -> bool:
        return bool(self._raw)

    # --- using: the only ways to the secret
    def reveal(self) -> str:
        """The text as configured, password and all; for code handing it to a library that connects."""
        return self._raw

    def reveal_password(self) -> str | None:
        return self._password

    def reveal_without_userinfo(self) -> str:
        """The URL to connect to once user and password travel apart (HTTP basic auth); query secrets kept."""
        if self._hostpart is None:
            raise UrlError(self.problem)
        return f"{self.scheme}://{self._hostpart}"

    def with_database(self, database: str) -> SecretUrl:
        """The same URL (user, password, host, port, query) naming another database: a server entry's DSN for each
        database it found. Raises ``UrlError`` when the URL cannot be read."""
        return type(self).of(self.sqlalchemy_url().set(database=database))

    def sqlalchemy_url(self, drivername: str | None = None):
        """The SQLAlchemy URL to connect with: host, port, database and query as SQLAlchemy reads them, user and
        password as split here. Raises ``UrlError`` (naming the problem, not the secret) when unreadable."""
        if self.problem:
            raise UrlError(self.problem)
        from sqlalchemy.engine import make_url
        from sqlalchemy.exc import ArgumentError

        try:
            url = make_url(f"{self.scheme}://{self._hostpart}")
        except (ArgumentError, ValueError):
            raise UrlError(self._not_a_url()) from None
        url = url.set(username=self.username or None, password=self._password)
        return url.set(drivername=drivername) if drivername else url


@dataclass(frozen=True, repr=False)
class Dsn(SecretUrl):
    """A monitored database's DSN (``DB_DSN_<NAME>``): a SecretUrl whose problems speak of "the DSN"."""

    KIND = "DSN"

    @classmethod
    def _not_a_url(cls) -> str:
        return "the DSN is not a URL like postgresql://user@host:5432/db or mysql://user@host/db"


def as_sqlalchemy_url(value: Any):
    """What ``create_engine`` takes, from a SecretUrl, a SQLAlchemy URL or text (read with the last-``@`` rule)."""
    if hasattr(value, "render_as_string"):
        return value
    url = value if isinstance(value, SecretUrl) else SecretUrl.parse(str(value))
    return url.sqlalchemy_url()


# --- logs -----------------------------------------------------------------------------------------------------------


class RedactingFilter(logging.Filter):
    """Masks every known secret in a log record: its message, arguments, traceback and stack."""

    def filter(self, record: logging.LogRecord) -> bool:
        redact_record(record)
        return True


def redact_record(record: logging.LogRecord) -> None:
    if getattr(record, "_redacted", False):
        return
    try:
        message = record.getMessage()
    except Exception:  # a malformed call: keep what can be shown of it
        message = f"{record.msg!r} (arguments could not be formatted)"
    record.msg, record.args = redact(message), ()
    if record.exc_info:
        if not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        record.exc_info = None  # formatters then print exc_text, the redacted one
    if record.exc_text:
        record.exc_text = redact(record.exc_text)
    if record.stack_info:
        record.stack_info = redact(record.stack_info)
    record._redacted = True


_FILTER = RedactingFilter()
_install_lock = threading.Lock()


def install_log_redaction() -> None:
    """Redact every log record of this process: on the handlers that exist now (the root's, Streamlit's, the
    last-resort one) and, through the record factory, on records any later handler receives. Idempotent."""
    with _install_lock:
        handlers = list(logging.getLogger().handlers)
        for logger in list(logging.Logger.manager.loggerDict.values()):
            handlers += getattr(logger, "handlers", [])
        if logging.lastResort is not None:
            handlers.append(logging.lastResort)
        for handler in handlers:
            if _FILTER not in handler.filters:
                handler.addFilter(_FILTER)
        factory = logging.getLogRecordFactory()
        if getattr(factory, "redacts", False):
            return

        def redacting_factory(*args, **kwargs) -> logging.LogRecord:
            record = factory(*args, **kwargs)
            redact_record(record)
            return record

        redacting_factory.redacts = True
        logging.setLogRecordFactory(redacting_factory)
