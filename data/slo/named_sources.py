"""The catalog's DataSources as Prometheus settings: what the catalog says (URL, plain headers) plus what only the
environment may say (token, user and password, secret headers, a URL override), on top of the default Prometheus
settings' timeout, cache TTL and caps.

For a DataSource named ``eu-mimir`` the environment keys are ``PROMETHEUS_SOURCE_EU_MIMIR_TOKEN``, ``..._USERNAME``,
``..._PASSWORD``, ``..._HEADERS`` (``Name: value; Name: value``, as ``PROMETHEUS_HEADERS``) and ``..._URL``, or the
same keys (``token``, ``username``, ``password``, ``headers``, ``url``) under ``[sources.eu-mimir]`` in
secrets.toml; the environment wins. ``data.settings`` reads them (``Settings.source_options``); this module only
combines them.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from data.secrets import SecretUrl, remember_secret
from data.slo.catalog import DataSource, EngineKind, source_env_prefix
from data.slo.prometheus import PrometheusSettings

SOURCE_KEYS = ("url", "token", "username", "password", "headers")


def options_key(name: str) -> str:
    """The key a DataSource's options are kept under: ``EU_MIMIR`` for ``eu-mimir`` (and for ``[sources.eu-mimir]``)."""
    return source_env_prefix(name).removeprefix("PROMETHEUS_SOURCE_").removesuffix("_")


@dataclass(frozen=True, repr=False)
class SourceOptions:
    """What the environment says about one DataSource; the secrets never show in its repr."""

    url: str | None = None  # without userinfo: a user and password in it are moved to ``username``/``password``
    bearer_token: str | None = field(default=None, repr=False)
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    headers: tuple[tuple[str, str], ...] = field(default=(), repr=False)  # values may be secrets

    def __post_init__(self) -> None:
        remember_secret(self.password, self.bearer_token, *(value for _, value in self.headers))

    def __repr__(self) -> str:
        url = SecretUrl.parse(self.url).describe(userinfo=False) if self.url else None
        headers = tuple(name for name, _ in self.headers)
        return f"SourceOptions(url={url!r}, username={self.username!r}, headers={headers!r})"


def source_name(data_source: DataSource) -> str:
    """How messages name it: ``EU Mimir [eu-mimir]``, or ``eu-mimir`` without a displayName; an engine other than
    Prometheus says so (``VictoriaMetrics eu-vm``)."""
    if data_source.display_name and data_source.display_name != data_source.name:
        name = f"{data_source.display_name} [{data_source.name}]"
    else:
        name = data_source.name
    kind = data_source.kind
    return name if kind is EngineKind.PROMETHEUS or kind.value.lower() in name.lower() else f"{kind.value} {name}"


def named_settings(
    data_source: DataSource, options: SourceOptions | None, base: PrometheusSettings | None
) -> PrometheusSettings:
    """The settings to read ``data_source`` with: its URL and headers from the catalog, the environment's URL,
    credentials and headers over them (a header of the same name, case-insensitively, replaced), and ``base``'s
    TLS verification, timeout, cache TTL and caps. Never ``base``'s credentials or headers: those belong to the
    default Prometheus."""
    options = options or SourceOptions()
    headers = {name.lower(): (name, value) for name, value in data_source.headers}
    headers.update({name.lower(): (name, value) for name, value in options.headers})
    template = base or PrometheusSettings(url=data_source.url)
    prefix = source_env_prefix(data_source.name)
    return replace(
        template,
        url=(options.url or data_source.url).rstrip("/"),
        name=source_name(data_source),
        bearer_token=options.bearer_token,
        username=options.username,
        password=options.password,
        headers=tuple(headers.values()),
        url_setting=f"the url of DataSource {data_source.name!r} ({data_source.place}) or {prefix}URL",
        token_setting=f"{prefix}TOKEN",
    )


def named_source_settings(
    data_sources: dict[str, DataSource], source_options: dict[str, SourceOptions], base: PrometheusSettings | None
) -> dict[str, PrometheusSettings]:
    """Every DataSource's settings, by DataSource name."""
    return {
        name: named_settings(data_source, source_options.get(options_key(name)), base)
        for name, data_source in data_sources.items()
    }
