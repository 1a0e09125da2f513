"""Settings from environment variables and ``.streamlit/secrets.toml``; the environment wins.

Invalid settings raise one ``SettingsError`` that lists every problem by the name a person would edit, and never
quotes a secret's value. The store URL and every DSN are read once into ``SecretUrl`` / ``Dsn`` values (which show
masked and teach ``data.secrets.redact`` their passwords); the Prometheus password and token are remembered too.
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from data.secrets import Dsn, SecretUrl
from data.slo.named_sources import SOURCE_KEYS, SourceOptions, options_key
from data.slo.prometheus import DEFAULT_MAX_ANSWER_BYTES, DEFAULT_MAX_SPLIT_VALUES, PrometheusSettings
from data.slo.promql import DEFAULT_MAX_QUERY_BYTES
from metrics.slo.deploys import DeploySeries

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = f"sqlite:///{REPO_ROOT / 'var' / 'reliability.db'}"
DEFAULT_CATALOG = REPO_ROOT / "config" / "slos"
DEFAULT_DATABASES_CONFIG = REPO_ROOT / "config" / "databases.toml"
DEFAULT_ACCESS_CONFIG = REPO_ROOT / "config" / "access.toml"
# DSN of a monitored database: DB_DSN_<NAME> with the name upper-cased and "-" turned into "_", or
# `[databases] <name> = "..."` in secrets.toml.
DSN_ENV_PREFIX = "DB_DSN_"
DEFAULT_SECRETS_FILE = REPO_ROOT / ".streamlit" / "secrets.toml"
# A catalog DataSource's secrets and overrides: PROMETHEUS_SOURCE_<NAME>_<KEY>, the name upper-cased with "-" as "_",
# or `[sources.<name>] <key> = "..."` in secrets.toml (``data.slo.named_sources``).
SOURCE_ENV_PREFIX = "PROMETHEUS_SOURCE_"

# secrets.toml section -> key -> environment variable
_KEYS: dict[str, dict[str, str]] = {
    "prometheus": {
        "url": "PROMETHEUS_URL",
        "name": "PROMETHEUS_NAME",
        "token": "PROMETHEUS_TOKEN",
        "username": "PROMETHEUS_USERNAME",
        "password": "PROMETHEUS_PASSWORD",
        "verify_tls": "PROMETHEUS_VERIFY_TLS",
        "ca_bundle": "PROMETHEUS_CA_BUNDLE",
        "timeout_seconds": "PROMETHEUS_TIMEOUT_SECONDS",
        "cache_ttl_seconds": "PROMETHEUS_CACHE_TTL_SECONDS",
        "max_answer_bytes": "PROMETHEUS_MAX_ANSWER_BYTES",
        "max_query_bytes": "PROMETHEUS_MAX_QUERY_BYTES",
        "headers": "PROMETHEUS_HEADERS",
        "max_split_values": "PROMETHEUS_MAX_SPLIT_VALUES",
    },
    "store": {"database_url": "DATABASE_URL"},
    "app": {
        "catalog": "SLO_CATALOG",
        "team_timezone": "TEAM_TIMEZONE",
        "databases": "DATABASES_CONFIG",
        "access": "ACCESS_CONFIG",
        "now": "RELIABILITY_NOW",
        "refresh_seconds": "REFRESH_SECONDS",
        "fragments": "PAGE_FRAGMENTS",
        "windows_from_rollups": "SLO_WINDOWS_FROM_ROLLUPS",
        "shared_answers": "PROMETHEUS_SHARED_ANSWERS",
        "deploy_series": "SLO_DEPLOY_SERIES",
        "deploy_service_label": "SLO_DEPLOY_SERVICE_LABEL",
        "deploy_version_label": "SLO_DEPLOY_VERSION_LABEL",
    },
}
# Sections other parts of the stack read from the same file (Streamlit's own sign-in settings).
_FOREIGN_SECTIONS = {"auth", "connections"}


class SettingsError(ValueError):
    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("Invalid settings: " + "; ".join(problems))


@dataclass(frozen=True)
class Settings:
    prometheus: PrometheusSettings | None
    database_url: SecretUrl  # text is read into a SecretUrl on construction
    catalog_path: Path
    team_timezone: str
    databases_path: Path = DEFAULT_DATABASES_CONFIG
    access_path: Path = DEFAULT_ACCESS_CONFIG  # who gets which role once sign-in is on
    database_dsns: dict[str, Dsn] = field(default_factory=dict, repr=False, compare=False, hash=False)
    now_override: datetime | None = None  # RELIABILITY_NOW: the clock the app reads, for demos and tests
    # REFRESH_SECONDS: how often the SLO overview and the database fleet refresh themselves on screen; 0 = never
    refresh_seconds: float = 60.0
    # PAGE_FRAGMENTS: False reruns the whole page on every interaction, as before fragments (for measuring them)
    fragments: bool = True
    # SLO_WINDOWS_FROM_ROLLUPS: long windows summed from stored daily rollups plus their edges (False: read whole)
    windows_from_rollups: bool = True
    # PROMETHEUS_SHARED_ANSWERS: Prometheus answers shared through the store by every app process on it; None: on
    # for a PostgreSQL or MariaDB store, off for SQLite (one process, and its writes would contend with the app's)
    shared_answers: bool | None = None
    # the configured Prometheus options (timeout, token, auth, TLS, cap), kept when no URL is set
    prometheus_options: PrometheusSettings | None = field(default=None, repr=False, compare=False, hash=False)
    # SLO_DEPLOY_SERIES (+ _SERVICE_LABEL, _VERSION_LABEL): the series deploys are read from, besides entered ones
    deploy_series: DeploySeries | None = None
    # PROMETHEUS_SOURCE_<NAME>_* and [sources.<name>]: per catalog DataSource (by ``named_sources.options_key``)
    source_options: dict[str, SourceOptions] = field(default_factory=dict, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        """Text given for the store URL or a DSN (tests, ``dataclasses.replace``) becomes its secret type here, so
        no setting holds a printable password."""
        object.__setattr__(self, "database_url", SecretUrl.of(self.database_url))
        object.__setattr__(self, "database_dsns", {name: Dsn.of(dsn) for name, dsn in self.database_dsns.items()})

    @property
    def is_demo(self) -> bool:
        return self.prometheus is None

    def with_prometheus_url(self, url: str) -> Settings:
        """These settings reading the Prometheus at ``url`` (``--prometheus-url``): only the URL is replaced, the
        configured name, timeout, token, basic auth, TLS verification and answer cap are kept, whether or not a URL
        was configured too."""
        base = self.prometheus_options or self.prometheus or PrometheusSettings(url=url)
        return replace(self, prometheus=replace(base, url=url.rstrip("/")))

    def now(self) -> datetime:
        """The current instant as the app sees it (UTC)."""
        return self.now_override or datetime.now(UTC)

    def dsn_for(self, database_name: str) -> Dsn | None:
        """The DSN of a monitored database, from DB_DSN_<NAME> or ``[databases]`` in secrets.toml."""
        return self.database_dsns.get(database_name)


def _read_secrets(path: Path, problems: list[str]) -> dict[str, dict[str, object]]:
    if not path.exists():
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        problems.append(f"{path}: not valid TOML ({error})")
        return {}
    values: dict[str, dict[str, object]] = {}
    for section, content in data.items():
        if section in _FOREIGN_SECTIONS:
            continue
        if section == "databases" and isinstance(content, dict):
            for name, dsn in content.items():
                if not isinstance(dsn, str):
                    problems.append(f"{path}: [databases] {name} must be a DSN string")
                else:
                    values.setdefault("databases", {})[name] = dsn
            continue
        if section == "sources" and isinstance(content, dict):
            for name, keys in content.items():
                if not isinstance(keys, dict):
                    problems.append(f"{path}: [sources.{name}] must be a table of {', '.join(SOURCE_KEYS)}")
                    continue
                for key, item in keys.items():
                    if key not in SOURCE_KEYS:
                        problems.append(
                            f"{path}: unknown key {key!r} in [sources.{name}] (known: {', '.join(SOURCE_KEYS)})"
                        )
                    else:
                        values.setdefault("sources", {}).setdefault(options_key(str(name)), {})[key] = item
            continue
        if section not in _KEYS or not isinstance(content, dict):
            known = ", ".join(f"[{name}]" for name in _KEYS)
            problems.append(f"{path}: unknown section [{section}] (known: {known})")
            continue
        for key, value in content.items():
            if key not in _KEYS[section]:
                problems.append(f"{path}: unknown key {key!r} in [{section}] (known: {', '.join(_KEYS[section])})")
            else:
                values.setdefault(section, {})[key] = value
    return values


def load_settings(environ: dict[str, str] | None = None, secrets_file: Path | None = None) -> Settings:
    environ = dict(os.environ if environ is None else environ)
    problems: list[str] = []
    secrets_path = secrets_file or Path(environ.get("RELIABILITY_SECRETS_FILE", DEFAULT_SECRETS_FILE))
    secrets = _read_secrets(secrets_path, problems)

    def value(section: str, key: str) -> tuple[str | None, str]:
        variable = _KEYS[section][key]
        if environ.get(variable, "").strip():
            return environ[variable].strip(), variable
        raw = secrets.get(section, {}).get(key)
        return (None if raw is None else str(raw).strip() or None), f"[{section}] {key} in {secrets_path.name}"

    prometheus, prometheus_options = _prometheus_settings(value, problems)
    database_url = _database_url(value, problems)
    catalog, where = value("app", "catalog")
    catalog_path = _repo_path(catalog, DEFAULT_CATALOG)
    if not catalog_path.exists():
        problems.append(f"{where}: the SLO catalog {catalog_path} does not exist")
    team_timezone = _team_timezone(value, problems)
    databases_path = _repo_path(value("app", "databases")[0], DEFAULT_DATABASES_CONFIG)
    access_path = _repo_path(value("app", "access")[0], DEFAULT_ACCESS_CONFIG)
    dsns = _database_dsns(secrets, environ)
    now_override = _now_override(value, problems)
    refresh_seconds = _refresh_seconds(value, problems)
    fragments = _flag(value, "fragments", True, problems)
    windows_from_rollups = _flag(value, "windows_from_rollups", True, problems)
    shared_answers = _flag(value, "shared_answers", False, problems) if value("app", "shared_answers")[0] else None
    deploy_series = _deploy_series(value, problems)
    source_options = _source_options(secrets, environ, secrets_path, problems)
    if problems:
        raise SettingsError(problems)
    return Settings(
        prometheus=prometheus,
        prometheus_options=prometheus_options,
        database_url=database_url,
        catalog_path=catalog_path,
        team_timezone=team_timezone,
        databases_path=databases_path,
        access_path=access_path,
        database_dsns=dsns,
        now_override=now_override,
        refresh_seconds=refresh_seconds,
        fragments=fragments,
        windows_from_rollups=windows_from_rollups,
        shared_answers=shared_answers,
        deploy_series=deploy_series,
        source_options=source_options,
    )


def _source_options(
    secrets: dict[str, dict[str, object]], environ: dict[str, str], secrets_path: Path, problems: list[str]
) -> dict[str, SourceOptions]:
    """Per DataSource key (``EU_MIMIR``): ``[sources.eu-mimir]`` in the secrets file, overridden key by key by
    ``PROMETHEUS_SOURCE_EU_MIMIR_TOKEN`` and the like. No message quotes a value."""
    texts: dict[str, dict[str, tuple[str, str]]] = {}
    for key, keys in secrets.get("sources", {}).items():
        for item, raw in keys.items():
            if str(raw).strip():
                texts.setdefault(key, {})[item] = (str(raw).strip(), f"[sources] {item} in {secrets_path.name}")
    suffixes = sorted(SOURCE_KEYS, key=len, reverse=True)
    for variable, raw in environ.items():
        if not variable.startswith(SOURCE_ENV_PREFIX) or not raw.strip():
            continue
        rest = variable[len(SOURCE_ENV_PREFIX) :]
        item = next((suffix for suffix in suffixes if rest.endswith("_" + suffix.upper())), None)
        name = rest[: -len(item) - 1] if item else ""
        if not item or not name:
            known = ", ".join(suffix.upper() for suffix in SOURCE_KEYS)
            problems.append(
                f"{variable}: not a DataSource setting (PROMETHEUS_SOURCE_<NAME>_<KEY>, KEY one of {known})"
            )
            continue
        texts.setdefault(name, {})[item] = (raw.strip(), variable)
    options: dict[str, SourceOptions] = {}
    for key, items in texts.items():

        def value(_section: str, _key: str, items=items) -> tuple[str | None, str]:
            return items.get("headers", (None, ""))

        url_text, where = items.get("url", (None, ""))
        username = items.get("username", (None, ""))[0]
        password = items.get("password", (None, ""))[0]
        url = None
        if url_text:
            parsed = SecretUrl.parse(url_text)
            if parsed.problem or parsed.scheme.lower() not in ("http", "https") or not parsed.host:
                shown = "the value" if parsed.problem else parsed.describe(userinfo=False)
                problems.append(f"{where}: {shown} is not an http(s) URL like http://mimir:8080/prometheus")
                continue
            if parsed.username and not username:
                username, password = parsed.username, parsed.reveal_password()
            url = parsed.reveal_without_userinfo()
        options[key] = SourceOptions(
            url=url,
            bearer_token=items.get("token", (None, ""))[0],
            username=username,
            password=password,
            headers=_headers(value, problems),
        )
    return options


def _repo_path(text: str | None, default: Path) -> Path:
    """A configured path (default when not set); a relative one that does not exist here is taken from the repo."""
    path = Path(text) if text else default
    if not path.is_absolute() and not path.exists():
        path = REPO_ROOT / path
    return path


def _database_url(value, problems: list[str]) -> SecretUrl:
    database_text, where = value("store", "database_url")
    database_url = SecretUrl.parse(database_text or DEFAULT_DATABASE_URL)
    if database_url.problem and not database_url.scheme:
        problems.append(
            f"{where}: not a database URL (expected e.g. sqlite:///var/reliability.db or "
            "postgresql+psycopg://user@host/db)"
        )
    elif database_url.problem:
        problems.append(f"{where}: {database_url.problem}")
    return database_url


def _team_timezone(value, problems: list[str]) -> str:
    team_timezone, where = value("app", "team_timezone")
    team_timezone = team_timezone or "UTC"
    try:
        ZoneInfo(team_timezone)
    except (ZoneInfoNotFoundError, ValueError):
        problems.append(f"{where}: {team_timezone!r} is not a time zone name like Europe/Berlin")
    return team_timezone


def _database_dsns(secrets: dict[str, dict[str, object]], environ: dict[str, str]) -> dict[str, Dsn]:
    """DSNs by database name: ``[databases]`` in the secrets file, overridden by ``DB_DSN_<NAME>`` variables."""
    dsn_texts = {name: str(dsn) for name, dsn in secrets.get("databases", {}).items() if str(dsn).strip()}
    for variable, dsn in environ.items():
        if variable.startswith(DSN_ENV_PREFIX) and dsn.strip():
            dsn_texts[variable[len(DSN_ENV_PREFIX) :].lower().replace("_", "-")] = dsn.strip()
    return {name: Dsn.parse(text) for name, text in dsn_texts.items()}  # an unreadable one fails its probe only


def _now_override(value, problems: list[str]) -> datetime | None:
    now_text, where = value("app", "now")
    if not now_text:
        return None
    try:
        now_override = datetime.fromisoformat(now_text.replace("Z", "+00:00"))
    except ValueError:
        problems.append(f"{where}: {now_text!r} is not an ISO 8601 instant like 2026-11-24T14:05:00Z")
        return None
    return now_override if now_override.tzinfo else now_override.replace(tzinfo=UTC)


def _refresh_seconds(value, problems: list[str]) -> float:
    """Seconds between a live page's refreshes: 0 turns them off; otherwise at least 1 s."""
    text, where = value("app", "refresh_seconds")
    if text is None:
        return 60.0
    try:
        parsed = float(text)
    except ValueError:
        parsed = -1.0
    if parsed != 0 and not 1 <= parsed <= 86_400:
        problems.append(f"{where}: must be 0 (no auto-refresh) or a number of seconds from 1 to 86400, got {text!r}")
        return 60.0
    return parsed


_METRIC_NAME = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*")
_LABEL_NAME = re.compile(r"[a-zA-Z_][a-zA-Z0-9_]*")


def _deploy_series(value, problems: list[str]) -> DeploySeries | None:
    """The series deploys are read from: a metric name, optionally with matchers (``app_build_info{env="prod"}``),
    and the labels that name the service (default ``service``) and, if any, the version."""
    selector, where = value("app", "deploy_series")
    service_label, where_service = value("app", "deploy_service_label")
    version_label, where_version = value("app", "deploy_version_label")
    if selector is None:
        return None
    name, brace, rest = selector.partition("{")
    if not _METRIC_NAME.fullmatch(name) or (brace and not rest.endswith("}")):
        problems.append(
            f"{where}: {selector!r} is not a metric name, optionally with matchers, like deploy_timestamp_seconds "
            'or app_build_info{env="prod"}'
        )
        return None
    for label, where_label in ((service_label, where_service), (version_label, where_version)):
        if label is not None and not _LABEL_NAME.fullmatch(label):
            problems.append(f"{where_label}: {label!r} is not a Prometheus label name like service")
            return None
    return DeploySeries(selector=selector, service_label=service_label or "service", version_label=version_label)


def _flag(value, key: str, default: bool, problems: list[str]) -> bool:
    text, where = value("app", key)
    if text is None:
        return default
    lowered = text.lower()
    if lowered in ("true", "1", "yes", "on"):
        return True
    if lowered in ("false", "0", "no", "off"):
        return False
    problems.append(f"{where}: must be true or false, got {text!r}")
    return default


def _prometheus_settings(value, problems: list[str]) -> tuple[PrometheusSettings | None, PrometheusSettings | None]:
    """The configured Prometheus (None when no URL is set: demo data) and its options, read even without a URL so
    ``--prometheus-url`` keeps the configured timeout, token, basic auth, TLS and cap (``with_prometheus_url``)."""
    text, where = value("prometheus", "url")
    url = SecretUrl.parse(text or "")
    if text and (url.problem or url.scheme.lower() not in ("http", "https") or not url.host):
        shown = "the value" if url.problem else url.describe(userinfo=False)
        problems.append(f"{where}: {shown} is not an http(s) URL like http://prometheus:9090")
        return None, None  # its other settings are not read for a URL that is already wrong
    username, _ = value("prometheus", "username")
    password, _ = value("prometheus", "password")
    if text and url.username and not username:
        username, password = url.username, url.reveal_password()
    token, _ = value("prometheus", "token")
    name, _ = value("prometheus", "name")

    def number(key: str, default: float) -> float:
        text, where_number = value("prometheus", key)
        if text is None:
            return default
        try:
            parsed = float(text)
        except ValueError:
            parsed = -1.0
        if parsed <= 0:
            problems.append(f"{where_number}: must be a positive number of seconds, got {text!r}")
            return default
        return parsed

    options = PrometheusSettings(
        url=url.reveal_without_userinfo() if text else "",
        name=name or "Prometheus",
        bearer_token=token,
        username=username,
        password=password,
        verify_tls=_verify_tls(value, problems),
        timeout_seconds=number("timeout_seconds", 10.0),
        cache_ttl_seconds=number("cache_ttl_seconds", 60.0),
        max_answer_bytes=_whole_bytes(value, problems, "max_answer_bytes", DEFAULT_MAX_ANSWER_BYTES),
        max_query_bytes=_whole_bytes(value, problems, "max_query_bytes", DEFAULT_MAX_QUERY_BYTES),
        headers=_headers(value, problems),
        max_split_values=_max_split_values(value, problems),
    )
    return (options if text else None), options


_HEADER_NAME = re.compile(r"[A-Za-z0-9!#$%&'*+.^_`|~-]+")
# Set by the app itself (the token, the request), never by a setting.
_RESERVED_HEADERS = frozenset({"authorization", "host", "content-length", "content-type", "accept-encoding"})


def _max_split_values(value, problems: list[str]) -> int:
    """The most values a split SLO may have: a whole number from 1 to 100,000."""
    text, where = value("prometheus", "max_split_values")
    if text is None:
        return DEFAULT_MAX_SPLIT_VALUES
    number = text.strip().replace("_", "")
    if not number.isdigit() or not 1 <= int(number) <= 100_000:
        problems.append(f"{where}: must be a whole number of values from 1 to 100000, got {text!r}")
        return DEFAULT_MAX_SPLIT_VALUES
    return int(number)


def _headers(value, problems: list[str]) -> tuple[tuple[str, str], ...]:
    """Extra request headers, ``Name: value`` pairs separated by ``;`` (``X-Scope-OrgID: team-a`` for Mimir). The
    values may be secrets: no message quotes them."""
    text, where = value("prometheus", "headers")
    if not text:
        return ()
    headers: list[tuple[str, str]] = []
    for number, pair in enumerate((part for part in text.split(";") if part.strip()), start=1):
        name, colon, header_value = pair.partition(":")
        name, header_value = name.strip(), header_value.strip()
        if not colon or not _HEADER_NAME.fullmatch(name) or not header_value:
            problems.append(f"{where}: header {number} is not 'Name: value' (headers are separated by ';')")
        elif name.lower() in _RESERVED_HEADERS:
            problems.append(f"{where}: {name} is set by the app (for a token, use PROMETHEUS_TOKEN)")
        elif any(char in header_value for char in "\r\n\x00"):
            problems.append(f"{where}: the value of {name} holds a line break")
        else:
            headers.append((name, header_value))
    return tuple(headers)


def _whole_bytes(value, problems: list[str], key: str, default: int) -> int:
    """A size in bytes (the cap on one answer, the longest query): a whole number, ``_`` allowed as a separator,
    at least 1 kB."""
    text, where = value("prometheus", key)
    if text is None:
        return default
    try:
        parsed = int(text.replace("_", ""))
    except ValueError:
        parsed = 0
    if parsed < 1024:
        problems.append(f"{where}: must be a whole number of bytes of at least 1024, got {text!r}")
        return default
    return parsed


def _verify_tls(value, problems: list[str]) -> bool | str:
    """True, False, or the CA bundle's path: ``verify_tls`` and ``ca_bundle``, the bundle winning when it exists."""
    verify_text, where_verify = value("prometheus", "verify_tls")
    verify: bool | str = True
    if verify_text is not None:
        lowered = verify_text.lower()
        if lowered in ("true", "1", "yes"):
            verify = True
        elif lowered in ("false", "0", "no"):
            verify = False
        else:
            problems.append(f"{where_verify}: must be true or false, got {verify_text!r}")
    ca_bundle, where_ca = value("prometheus", "ca_bundle")
    if ca_bundle:
        if not Path(ca_bundle).exists():
            problems.append(f"{where_ca}: the CA bundle {ca_bundle} does not exist")
        else:
            verify = ca_bundle
    return verify
