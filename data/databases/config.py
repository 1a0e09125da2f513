"""The databases to watch, from ``config/databases.toml``.

Each ``[[database]]`` names a database, its engine, environment, role, owner, where its numbers come from (``sql``:
live probes; ``prometheus``: exporter metrics) and optional threshold and record-interval overrides. DSNs never live
here: they come from ``DB_DSN_<NAME>`` or ``[databases]`` in ``.streamlit/secrets.toml`` (``Settings.dsn_for``).

Custom checks (``metrics.databases.custom``) are ``[[checks]]`` for every database of their engine read by SQL (or
the ``databases`` they name) and a database's own ``[[database.checks]]``; a bad check is reported (file, check, field)
and skipped alone, its database and the other checks still load.

A server entry (``discover = true``) watches every database on its server instead of one: the probe lists them
(``include`` / ``exclude`` glob patterns choose which), names each ``<entry>/<database>`` and gives it the entry's
environment, role, owner, thresholds, record intervals and checks; ``max_connections`` is the server's connection
budget (the listing and the probes together, default 4). Its DSN (``DB_DSN_<NAME>``) is the one the listing connects
with; each database found is probed through the same DSN with only the database name changed.

A malformed entry is reported (file, database, field) and skipped; the others still load. Unknown fields are errors,
with a suggestion, because a misspelt threshold silently falling back to its default is worse than no threshold.
"""

from __future__ import annotations

import math
import re
import tomllib
from dataclasses import dataclass, field, replace
from difflib import get_close_matches
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

from data.slo.promql import SelectorError, parse_selector
from metrics.databases.checks import (
    CHECK_IDS,
    DEFAULT_RECORD_INTERVAL_DAYS,
    ENGINES,
    RECORD_KINDS,
    Thresholds,
    thresholds_with,
)
from metrics.databases.custom import DIRECTIONS, KINDS, CustomCheck, sql_problem

SOURCES = ("sql", "prometheus")
ROLES = ("primary", "replica")
NAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
DATABASE_FIELDS = (
    "name",
    "engine",
    "environment",
    "role",
    "owner",
    "source",
    "selector",
    "datname",
    "description",
    "disk_size",
    "tablespace_disk_size",
    "thresholds",
    "record_intervals",
    "checks",
    "discover",
    "include",
    "exclude",
    "max_connections",
)
DISCOVERY_FIELDS = ("include", "exclude", "max_connections")  # only with discover = true
DEFAULT_SERVER_CONNECTIONS = 4  # a discovering server's budget: the listing and its probes, at once
MAX_SERVER_CONNECTIONS = 64
CHECK_FIELDS = (
    "name",
    "title",
    "engine",
    "databases",
    "sql",
    "kind",
    "unit",
    "description",
    "action",
    "warn",
    "critical",
    "direction",
)
CHECK_NAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]{0,62}$")
PROBE_FIELDS = ("deadline_seconds", "connect_timeout_seconds", "statement_timeout_seconds", "max_parallel_probes")
DEFAULT_MAX_PARALLEL_PROBES = 32  # the whole fleet's probes at once, every server together
MAX_PARALLEL_PROBES_LIMIT = 256
TOP_LEVEL = ("database", "probe", "defaults", "checks")
DEFAULT_DEADLINE_S = 10.0
DEFAULT_CONNECT_TIMEOUT_S = 3.0
DEFAULT_STATEMENT_TIMEOUT_S = 5.0


@dataclass(frozen=True)
class DatabaseTarget:
    name: str
    engine: str
    environment: str = ""
    role: str = "primary"
    owner: str = ""
    source: str = "sql"
    selector: str = ""  # PromQL label matchers for source = "prometheus", e.g. {instance="db1:9187"}
    datname: str = ""  # with postgres_exporter: the database's datname label (default: every database summed)
    description: str = ""
    thresholds: Thresholds = field(default_factory=Thresholds)
    record_intervals: dict[str, int | None] = field(default_factory=lambda: dict(DEFAULT_RECORD_INTERVAL_DAYS))
    checks: tuple[CustomCheck, ...] = ()  # custom SQL checks: the file's [[checks]] of its engine, then its own
    disk_size_bytes: int | None = None  # the disk the database lives on ("500 GB"): the capacity forecast's limit
    # PostgreSQL: each tablespace's disk ({"fast_ssd": "500 GB"} in the file), the tablespace forecast's limit
    tablespace_disk_size_bytes: dict[str, int] = field(default_factory=dict)
    # A server entry: every database its server lists (those ``include`` and ``exclude`` let through) is watched.
    discover: bool = False
    include: tuple[str, ...] = ()  # glob patterns (fnmatch, case-sensitive); none = every database
    exclude: tuple[str, ...] = ()
    max_connections: int = DEFAULT_SERVER_CONNECTIONS  # a server entry's connections at once
    # A database found on a server entry's server: the entry's name, and the database's name on the server.
    server: str = ""
    database_name: str = ""

    @property
    def dsn_variable(self) -> str:
        """The environment variable that holds this database's DSN (a found database's: its server entry's)."""
        return "DB_DSN_" + (self.server or self.name).upper().replace("-", "_")

    def watches(self, database_name: str) -> bool:
        """Whether this server entry watches the server's database ``database_name``: it matches an ``include``
        pattern (or there are none) and no ``exclude`` pattern."""
        included = not self.include or any(fnmatchcase(database_name, pattern) for pattern in self.include)
        return included and not any(fnmatchcase(database_name, pattern) for pattern in self.exclude)

    def found(self, database_name: str) -> DatabaseTarget:
        """The database ``database_name`` of this server entry's server, as a target of its own: named
        ``<entry>/<database>``, with the entry's labels, thresholds, record intervals and checks."""
        return replace(
            self,
            name=f"{self.name}/{database_name}",
            discover=False,
            include=(),
            exclude=(),
            server=self.name,
            database_name=database_name,
            description=self.description or f"found on {self.name}",
        )


@dataclass(frozen=True)
class ProbeOptions:
    deadline_s: float = DEFAULT_DEADLINE_S  # the whole fleet's probe; a slower database is reported as timed out
    connect_timeout_s: float = DEFAULT_CONNECT_TIMEOUT_S
    statement_timeout_s: float = DEFAULT_STATEMENT_TIMEOUT_S
    max_parallel_probes: int = DEFAULT_MAX_PARALLEL_PROBES


@dataclass
class DatabaseConfig:
    databases: list[DatabaseTarget]
    problems: list[str]
    path: Path | None = None
    found: bool = True
    probe: ProbeOptions = field(default_factory=ProbeOptions)

    def database(self, name: str) -> DatabaseTarget | None:
        """The entry named ``name``, or a database a server entry watches (``<entry>/<database>``, as the fleet
        names what it found), without asking the server whether it is still there; None when neither."""
        entry = next((d for d in self.databases if d.name == name), None)
        if entry is not None or "/" not in name:
            return entry
        server, _, database_name = name.partition("/")
        entry = next((d for d in self.databases if d.name == server and d.discover), None)
        return entry.found(database_name) if entry is not None and entry.watches(database_name) else None


def _unknown(where: str, key: str, known: tuple[str, ...]) -> str:
    hint = get_close_matches(key, known, n=1)
    suggestion = f"; did you mean {hint[0]!r}?" if hint else f" (known: {', '.join(known)})"
    return f"{where}: unknown field {key!r}{suggestion}"


def _number(value: Any) -> bool:
    """A finite int or float: TOML also has nan and inf, which no threshold or timeout can mean."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    try:
        return math.isfinite(value)
    except OverflowError:  # an integer beyond any float
        return False


def _key_values(
    raw: Any, where: str, what: str, known: tuple[str, ...], base: dict[str, Any], read, problems: list[str]
) -> dict[str, Any] | None:
    """A TOML table of ``what`` (known keys only) over ``base``; ``read(value)`` gives (value, problem or None).
    None when anything is wrong, with every problem named."""
    if not isinstance(raw, dict):
        problems.append(f"{where}: must be a table of {what}")
        return None
    values = dict(base)
    ok = True
    for key, value in raw.items():
        if key not in known:
            problems.append(_unknown(where, key, known))
            ok = False
            continue
        values[key], problem = read(value)
        if problem:
            problems.append(f"{where}.{key}: {problem}")
            ok = False
    return values if ok else None


SIZE_UNITS = {
    "b": 1,
    "kb": 10**3,
    "mb": 10**6,
    "gb": 10**9,
    "tb": 10**12,
    "pb": 10**15,
    "kib": 2**10,
    "mib": 2**20,
    "gib": 2**30,
    "tib": 2**40,
    "pib": 2**50,
}
SIZE_PATTERN = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([A-Za-z]+)\s*$")


class SizeError(ValueError):
    """A size that cannot be read, with what a good one looks like."""


def parse_size(text: Any) -> int:
    """ "500 GB" (SI, as the pages show sizes), "2 TiB" (binary) or "1.5 TB" → bytes; raises SizeError saying why."""
    if not isinstance(text, str):
        raise SizeError(f'must be text such as "500 GB" or "2 TiB", got {text!r}')
    match = SIZE_PATTERN.match(text)
    if match is None:
        raise SizeError(f'must be a number and a unit such as "500 GB" or "2 TiB", got {text!r}')
    number, unit = float(match.group(1)), match.group(2).lower()
    if unit not in SIZE_UNITS:
        units = ", ".join(("B", "kB", "MB", "GB", "TB", "PB", "KiB", "MiB", "GiB", "TiB", "PiB"))
        raise SizeError(f"unknown unit {match.group(2)!r} in {text!r} (known: {units})")
    size = int(number * SIZE_UNITS[unit])
    if size <= 0:
        raise SizeError(f"must be more than 0 bytes, got {text!r}")
    return size


def _whole(value: Any, low: int, high: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high


def _patterns(entry: dict, key: str, where: str, problems: list[str]) -> tuple[str, ...] | None:
    value = entry.get(key, [])
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(p, str) and p.strip() for p in value):
        problems.append(
            f'{where}.{key}: a list of database name patterns such as ["orders_*", "billing"] (* ? [abc] as in '
            f"shell globs), got {value!r}"
        )
        return None
    return tuple(p.strip() for p in value)


def _discovery(entry: dict, where: str, source: str | None, problems: list[str]) -> dict[str, Any]:
    """``discover``, ``include``, ``exclude`` and ``max_connections`` of one entry, each problem named."""
    discover = entry.get("discover", False)
    if not isinstance(discover, bool):
        problems.append(f"{where}.discover: true (watch every database on the server) or false, got {discover!r}")
        return {}
    if not discover:
        for key in DISCOVERY_FIELDS:
            if key in entry:
                problems.append(f"{where}.{key}: only for a server entry; add discover = true to watch its databases")
        return {}
    if source == "prometheus":
        problems.append(f'{where}.discover: the server lists its databases over SQL, so it needs source = "sql"')
    if entry.get("datname"):
        problems.append(f"{where}.datname: a server entry watches many databases; datname names one (leave it out)")
    values: dict[str, Any] = {"discover": True}
    for key in ("include", "exclude"):
        patterns = _patterns(entry, key, where, problems)
        if patterns is not None:
            values[key] = patterns
    budget = entry.get("max_connections", DEFAULT_SERVER_CONNECTIONS)
    if not _whole(budget, 1, MAX_SERVER_CONNECTIONS):
        problems.append(
            f"{where}.max_connections: a whole number from 1 to {MAX_SERVER_CONNECTIONS} (the server's connections "
            f"at once, the listing and the probes together), got {budget!r}"
        )
    else:
        values["max_connections"] = budget
    return values


def _threshold_value(value: Any) -> tuple[float | None, str | None]:
    if not _number(value) or value < 0:
        return None, f"must be a non-negative number, got {value!r}"
    return float(value), None


def _thresholds(raw: Any, where: str, base: dict[str, Any], problems: list[str]) -> dict[str, Any] | None:
    return _key_values(raw, where, "threshold = number", Thresholds.names(), base, _threshold_value, problems)


def _threshold_order(values: dict[str, Any], where: str, problems: list[str]) -> bool:
    """warn must come before critical, in the direction the check reads."""
    ok = True
    pairs = [
        ("connections_warn", "connections_critical"),
        ("idle_in_transaction_warn_s", "idle_in_transaction_critical_s"),
        ("long_query_warn_s", "long_query_critical_s"),
        ("blocked_warn", "blocked_critical"),
        ("replication_lag_warn_s", "replication_lag_critical_s"),
        ("wraparound_warn", "wraparound_critical"),
        ("sequence_warn", "sequence_critical"),
        ("forecast_critical_days", "forecast_warn_days"),  # days left: critical is the nearer date
    ]
    merged = {**Thresholds().__dict__, **values}
    for warn, critical in pairs:
        if merged[warn] > merged[critical]:
            problems.append(f"{where}: {warn} ({merged[warn]:g}) is above {critical} ({merged[critical]:g})")
            ok = False
    if merged["cache_hit_warn"] < merged["cache_hit_critical"]:
        problems.append(
            f"{where}: cache_hit_warn ({merged['cache_hit_warn']:g}) is below cache_hit_critical "
            f"({merged['cache_hit_critical']:g}); the hit ratio warns below the higher one"
        )
        ok = False
    return ok


def _interval_days(value: Any) -> tuple[int | None, str | None]:
    if value == 0:
        return None, None  # 0 turns the expectation off
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        return None, f"must be a whole number of days (0 = no expectation), got {value!r}"
    return value, None


def _record_intervals(raw: Any, where: str, problems: list[str]) -> dict[str, int | None] | None:
    return _key_values(
        raw, where, "record kind = days", RECORD_KINDS, DEFAULT_RECORD_INTERVAL_DAYS, _interval_days, problems
    )


def _text(
    entry: dict, key: str, where: str, problems: list[str], choices: tuple[str, ...] | None = None, default: str = ""
) -> str | None:
    value = entry.get(key, default)
    if not isinstance(value, str):
        problems.append(f"{where}.{key}: must be text, got {value!r}")
        return None
    if choices and value not in choices:
        problems.append(f"{where}.{key}: {value!r} is not one of {', '.join(choices)}")
        return None
    return value


def parse_database_config(text: str, path: Path | str = "databases.toml") -> DatabaseConfig:
    """Parse the TOML text; never raises: every problem is in ``problems``."""
    name_of_file = str(path)
    problems: list[str] = []
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        return DatabaseConfig([], [f"{name_of_file}: not valid TOML ({error})"], Path(path))
    except (ValueError, RecursionError) as error:  # an integer too long to read, nesting deeper than the stack
        return DatabaseConfig([], [f"{name_of_file}: not readable TOML ({type(error).__name__})"], Path(path))
    for key in data:
        if key not in TOP_LEVEL:
            problems.append(_unknown(name_of_file, key, TOP_LEVEL))

    probe = ProbeOptions()
    raw_probe = data.get("probe", {})
    if isinstance(raw_probe, dict):
        values = {}
        for key, value in raw_probe.items():
            if key not in PROBE_FIELDS:
                problems.append(_unknown(f"{name_of_file} [probe]", key, PROBE_FIELDS))
            elif key == "max_parallel_probes":
                if not _whole(value, 1, MAX_PARALLEL_PROBES_LIMIT):
                    problems.append(
                        f"{name_of_file} [probe].{key}: must be a whole number from 1 to {MAX_PARALLEL_PROBES_LIMIT} "
                        f"(probes at once, the whole fleet), got {value!r}"
                    )
                else:
                    values[key] = value
            elif not _number(value) or value <= 0:
                problems.append(f"{name_of_file} [probe].{key}: must be a positive number of seconds, got {value!r}")
            else:
                values[key.replace("_seconds", "_s")] = float(value)
        probe = ProbeOptions(**values)
    else:
        problems.append(f"{name_of_file}: [probe] must be a table")

    default_thresholds: dict[str, Any] = {}
    raw_defaults = data.get("defaults", {})
    if isinstance(raw_defaults, dict):
        for key in raw_defaults:
            if key != "thresholds":
                problems.append(_unknown(f"{name_of_file} [defaults]", key, ("thresholds",)))
        if "thresholds" in raw_defaults:
            parsed = _thresholds(raw_defaults["thresholds"], f"{name_of_file} [defaults.thresholds]", {}, problems)
            default_thresholds = parsed or {}
    else:
        problems.append(f"{name_of_file}: [defaults] must be a table")

    entries = data.get("database", [])
    if not isinstance(entries, list):
        problems.append(f"{name_of_file}: databases are [[database]] tables")
        entries = []
    databases: list[DatabaseTarget] = []
    own_checks: dict[str, list[CustomCheck]] = {}
    seen: set[str] = set()
    for index, entry in enumerate(entries, start=1):
        label = entry.get("name") if isinstance(entry, dict) and isinstance(entry.get("name"), str) else f"#{index}"
        where = f"{name_of_file} database {label!r}" if label != f"#{index}" else f"{name_of_file} database {label}"
        target = _parse_database(entry, where, default_thresholds, problems)
        if target is None:
            continue
        if target.name in seen:
            problems.append(f"{where}: the name is used twice; names must be unique")
            continue
        seen.add(target.name)
        databases.append(target)
        own_checks[target.name] = _database_checks(entry.get("checks", []), where, target, problems)
    shared = _shared_checks(data.get("checks", []), name_of_file, databases, problems)
    databases = [_with_checks(target, shared, own_checks[target.name], name_of_file, problems) for target in databases]
    return DatabaseConfig(databases, problems, Path(path), True, probe)


def _check_where(prefix: str, raw: Any, index: int) -> str:
    name = raw.get("name") if isinstance(raw, dict) else None
    return f"{prefix} check {name!r}" if isinstance(name, str) and name else f"{prefix} check #{index}"


def _optional_number(raw: dict, key: str, where: str, problems: list[str]) -> float | None:
    value = raw.get(key)
    if value is None:
        return None
    if not _number(value):
        problems.append(f"{where}.{key}: must be a number, got {value!r}")
        return None
    return float(value)


def _parse_check(
    raw: Any, where: str, problems: list[str], *, database_engine: str | None
) -> tuple[CustomCheck, tuple[str, ...] | None] | None:
    """One [[checks]] table (``database_engine`` None) or [[database.checks]] table; None when anything is wrong,
    with every problem named (file, check, field). Returns the check and the databases it is limited to."""
    if not isinstance(raw, dict):
        problems.append(f"{where}: must be a table")
        return None
    before = len(problems)
    known = CHECK_FIELDS if database_engine is None else tuple(f for f in CHECK_FIELDS if f != "databases")
    for key in raw:
        if key not in known:
            problems.append(_unknown(where, key, known))
    name = raw.get("name")
    if not isinstance(name, str) or not CHECK_NAME_PATTERN.match(name):
        problems.append(
            f"{where}.name: required; lower-case letters, digits, '-' and '_' (it is the check's id), got {name!r}"
        )
    elif name in CHECK_IDS:
        problems.append(f"{where}.name: {name!r} is a built-in check; give the custom check a name of its own")
    if database_engine is None and "engine" not in raw:
        problems.append(f"{where}.engine: required, one of {', '.join(ENGINES)} (the SQL is the engine's dialect)")
    engine = _text(raw, "engine", where, problems, ENGINES, default=database_engine or "postgresql")
    if database_engine is not None and engine is not None and engine != database_engine:
        problems.append(f"{where}.engine: {engine!r}, but the database's engine is {database_engine!r}")
    sql = raw.get("sql")
    if not isinstance(sql, str):
        problems.append(f"{where}.sql: required, the query as text (one SELECT or SHOW)")
    elif engine is not None:
        problem = sql_problem(sql, engine)
        if problem:
            problems.append(f"{where}.sql: {problem}")
    description = raw.get("description")
    if not isinstance(description, str) or not description.strip():
        problems.append(f"{where}.description: required, what the value means (shown beside it)")
    texts = {key: _text(raw, key, where, problems) for key in ("title", "unit", "action")}
    kind = _text(raw, "kind", where, problems, KINDS, default="value")
    direction = _text(raw, "direction", where, problems, DIRECTIONS, default="above")
    warn = _optional_number(raw, "warn", where, problems)
    critical = _optional_number(raw, "critical", where, problems)
    if warn is not None and critical is not None and direction in DIRECTIONS:
        if direction == "above" and warn > critical:
            problems.append(
                f"{where}: warn ({warn:g}) is above critical ({critical:g}); with direction = "
                '"above" the status worsens as the value rises'
            )
        if direction == "below" and warn < critical:
            problems.append(
                f"{where}: warn ({warn:g}) is below critical ({critical:g}); with direction = "
                '"below" the status worsens as the value falls'
            )
    limited_to = None
    if "databases" in raw:
        names = raw["databases"]
        if not isinstance(names, list) or not names or not all(isinstance(n, str) for n in names):
            problems.append(f'{where}.databases: a list of database names, e.g. ["orders-primary"], got {names!r}')
        else:
            limited_to = tuple(names)
    if len(problems) > before:
        return None
    check = CustomCheck(
        name=name,
        engine=engine,
        sql=sql.strip(),
        description=description.strip(),
        kind=kind,
        direction=direction,
        warn=warn,
        critical=critical,
        **{key: value.strip() for key, value in texts.items()},
    )
    return check, limited_to


def _database_checks(raw: Any, where: str, target: DatabaseTarget, problems: list[str]) -> list[CustomCheck]:
    """A database's own [[database.checks]]; a bad one is named and skipped, the database and its other checks
    stay."""
    if not isinstance(raw, list):
        problems.append(f"{where}: its checks are [[database.checks]] tables")
        return []
    if raw and target.source != "sql":
        problems.append(f'{where}.checks: custom checks run SQL, so they need source = "sql" (not {target.source!r})')
        return []
    checks = []
    for index, entry in enumerate(raw, start=1):
        parsed = _parse_check(entry, _check_where(where, entry, index), problems, database_engine=target.engine)
        if parsed is not None:
            checks.append(parsed[0])
    return checks


def _shared_checks(
    raw: Any, name_of_file: str, databases: list[DatabaseTarget], problems: list[str]
) -> list[tuple[CustomCheck, tuple[str, ...] | None]]:
    """The file's [[checks]]: each for every database of its engine read by SQL, or only those it names."""
    if not isinstance(raw, list):
        problems.append(f"{name_of_file}: custom checks are [[checks]] tables")
        return []
    by_name = {d.name: d for d in databases}
    checks, seen = [], set()
    for index, entry in enumerate(raw, start=1):
        where = _check_where(name_of_file, entry, index)
        parsed = _parse_check(entry, where, problems, database_engine=None)
        if parsed is None:
            continue
        check, limited_to = parsed
        if check.name in seen:
            problems.append(f"{where}.name: used twice in [[checks]]; names must be unique")
            continue
        wrong = [
            f"{name!r} ({'not in this file' if name not in by_name else by_name[name].engine})"
            for name in limited_to or ()
            if name not in by_name or by_name[name].engine != check.engine
        ]
        if wrong:
            problems.append(f"{where}.databases: not {check.engine} databases of this file: {', '.join(wrong)}")
            continue
        seen.add(check.name)
        checks.append(parsed)
    return checks


def _with_checks(
    target: DatabaseTarget,
    shared: list[tuple[CustomCheck, tuple[str, ...] | None]],
    own: list[CustomCheck],
    name_of_file: str,
    problems: list[str],
) -> DatabaseTarget:
    """The database with the shared checks that apply to it, then its own (a name used twice is named, skipped)."""
    if target.source != "sql":
        return target
    checks = [
        c for c, limited_to in shared if c.engine == target.engine and (limited_to is None or target.name in limited_to)
    ]
    names = {c.name for c in checks}
    for check in own:
        if check.name in names:
            problems.append(
                f"{name_of_file} database {target.name!r} check {check.name!r}.name: used twice for this database "
                "(a [[checks]] entry has it too); names must be unique"
            )
            continue
        names.add(check.name)
        checks.append(check)
    return replace(target, checks=tuple(checks))


def _parse_database(
    entry: Any, where: str, default_thresholds: dict[str, Any], problems: list[str]
) -> DatabaseTarget | None:
    if not isinstance(entry, dict):
        problems.append(f"{where}: must be a table")
        return None
    before = len(problems)
    for key in entry:
        if key not in DATABASE_FIELDS:
            problems.append(_unknown(where, key, DATABASE_FIELDS))
    name = entry.get("name")
    if not isinstance(name, str) or not NAME_PATTERN.match(name):
        problems.append(
            f"{where}.name: required; lower-case letters, digits and '-' (it names the DSN variable "
            "DB_DSN_<NAME>), got " + repr(name)
        )
    if "engine" not in entry:
        problems.append(f"{where}.engine: required, one of {', '.join(ENGINES)}")
    engine = _text(entry, "engine", where, problems, ENGINES, default="postgresql")
    role = _text(entry, "role", where, problems, ROLES, default="primary")
    source = _text(entry, "source", where, problems, SOURCES, default="sql")
    environment = _text(entry, "environment", where, problems)
    owner = _text(entry, "owner", where, problems)
    selector = _text(entry, "selector", where, problems)
    description = _text(entry, "description", where, problems)
    datname = _text(entry, "datname", where, problems)
    if source == "prometheus" and not selector:
        problems.append(f'{where}.selector: required with source = "prometheus", e.g. \'{{instance="db1:9187"}}\'')
    if isinstance(selector, str) and selector:
        problem = _selector_problem(selector)
        if problem:
            problems.append(
                f"{where}.selector: PromQL label matchers in braces, e.g. '{{instance=\"db1:9187\"}}' ({problem})"
            )
    thresholds = _thresholds(entry.get("thresholds", {}), f"{where}.thresholds", default_thresholds, problems)
    if thresholds is not None and not _threshold_order(thresholds, f"{where}.thresholds", problems):
        thresholds = None
    intervals = _record_intervals(entry.get("record_intervals", {}), f"{where}.record_intervals", problems)
    discovery = _discovery(entry, where, source, problems)
    disk_size = None
    if "disk_size" in entry:
        try:
            disk_size = parse_size(entry["disk_size"])
        except SizeError as error:
            problems.append(f"{where}.disk_size: {error}")
    tablespace_sizes = _tablespace_disk_sizes(entry, where, engine, problems)
    if len(problems) > before:
        return None
    return DatabaseTarget(
        name=name,
        engine=engine,
        environment=environment,
        role=role,
        owner=owner,
        source=source,
        selector=selector,
        datname=datname,
        description=description,
        thresholds=thresholds_with(thresholds),
        record_intervals=intervals,
        disk_size_bytes=disk_size,
        tablespace_disk_size_bytes=tablespace_sizes,
        **discovery,
    )


TABLESPACE_NAME_PATTERN = re.compile(r"^[A-Za-z_][A-Za-z0-9_$]{0,62}$")


def _tablespace_disk_sizes(entry: dict, where: str, engine: str, problems: list[str]) -> dict[str, int]:
    """``tablespace_disk_size = { fast_ssd = "500 GB", pg_default = "2 TB" }``: PostgreSQL only, a table of
    tablespace names (not pg_global, which holds the shared catalogs) to sizes."""
    if "tablespace_disk_size" not in entry:
        return {}
    field_name = f"{where}.tablespace_disk_size"
    value = entry["tablespace_disk_size"]
    if engine != "postgresql":
        problems.append(f"{field_name}: PostgreSQL only; {engine} has no tablespaces to forecast (use disk_size)")
        return {}
    if not isinstance(value, dict):
        problems.append(
            f'{field_name}: must be a table of tablespace names to sizes, e.g. {{ fast_ssd = "500 GB" }}, got '
            f"{type(value).__name__}"
        )
        return {}
    sizes: dict[str, int] = {}
    for name, size in value.items():
        if not TABLESPACE_NAME_PATTERN.match(name) or name == "pg_global":
            problems.append(
                f"{field_name}.{name}: not a tablespace to forecast (an unquoted PostgreSQL name; not pg_global)"
            )
            continue
        try:
            sizes[name] = parse_size(size)
        except SizeError as error:
            problems.append(f"{field_name}.{name}: {error}")
    return sizes


def _selector_problem(selector: str) -> str | None:
    """Label matchers in braces and nothing else: the exporter source pastes them into its queries, so
    ``{job="pg"} or vector(1)`` must not pass for a selector."""
    if not (selector.strip().startswith("{") and selector.strip().endswith("}")):
        return "not in braces"
    try:
        parse_selector("up" + selector.strip())
    except SelectorError as error:
        return str(error)
    return None


def load_database_config(path: Path) -> DatabaseConfig:
    """The databases in ``path``; a missing file is an empty fleet (``found=False``), not an error."""
    path = Path(path)
    if not path.exists():
        return DatabaseConfig([], [], path, found=False)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        return DatabaseConfig([], [f"{path}: cannot be read ({type(error).__name__})"], path)
    return parse_database_config(text, path)
