"""Property-based checks of ``databases.toml`` parsing: whatever the text or the values, the result is a config
whose every database is usable, plus problems naming what was wrong — never an exception."""

from __future__ import annotations

import json
import math
from datetime import UTC, date, datetime, time

from hypothesis import example, given, settings
from hypothesis import strategies as st

from data.databases.config import (
    NAME_PATTERN,
    PROBE_FIELDS,
    ROLES,
    SOURCES,
    parse_database_config,
)
from data.settings import DEFAULT_DATABASES_CONFIG
from metrics.databases.checks import ENGINES, RECORD_KINDS, Thresholds

FUZZ = settings(max_examples=300, deadline=None)
EXAMPLE = DEFAULT_DATABASES_CONFIG.read_text(encoding="utf-8")


# --- a small TOML writer: inline tables and arrays hold any shape, so the parser sees every type anywhere --------


def toml_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf") if math.isinf(value) else repr(value)
    if isinstance(value, (int, str)):
        return toml_string(value) if isinstance(value, str) else str(value)
    if isinstance(value, (datetime, date, time)):
        return value.isoformat()
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(entry) for entry in value) + "]"
    return "{" + ", ".join(f"{toml_string(key)} = {toml_value(entry)}" for key, entry in value.items()) + "}"


def toml_string(text: str) -> str:
    """A TOML basic string: JSON's escapes are TOML's, but TOML also refuses a raw DEL and surrogate escapes."""
    return json.dumps(text, ensure_ascii=False).replace("\x7f", "\\u007f")


def toml_document(document: dict) -> str:
    return "\n".join(f"{toml_string(key)} = {toml_value(value)}" for key, value in document.items()) + "\n"


scalars = (
    st.booleans()
    | st.integers(-(2**63), 2**63 - 1)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=20)
    | st.datetimes(timezones=st.just(UTC))
    | st.dates()
)
anything = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8,
)
numbers = st.integers(-10, 10**12) | st.floats(allow_nan=True, allow_infinity=True)
thresholds = st.dictionaries(st.sampled_from([*Thresholds.names(), "conections_warn"]), numbers | anything, max_size=5)
database_entry = st.fixed_dictionaries(
    {"name": st.from_regex(NAME_PATTERN, fullmatch=True) | anything, "engine": st.sampled_from(ENGINES) | anything},
    optional={
        "role": st.sampled_from(ROLES) | anything,
        "source": st.sampled_from(SOURCES) | anything,
        "selector": st.just('{job="pg"}') | anything,
        "environment": anything,
        "owner": anything,
        "datname": st.just('orders"} or vector(1) #') | anything,
        "description": anything,
        "thresholds": thresholds | anything,
        "record_intervals": st.dictionaries(st.sampled_from(RECORD_KINDS), numbers | anything, max_size=3) | anything,
        "colour": anything,
    },
)
documents = st.fixed_dictionaries(
    {},
    optional={
        "probe": st.dictionaries(st.sampled_from([*PROBE_FIELDS, "deadline"]), numbers | anything, max_size=3)
        | anything,
        "defaults": st.fixed_dictionaries({}, optional={"thresholds": thresholds | anything, "extra": anything})
        | anything,
        "database": st.lists(database_entry | anything, max_size=4) | anything,
        "databases": anything,
    },
)


def assert_usable(config) -> None:
    """Every database that loaded can be probed as configured; every problem is one readable line."""
    assert all(isinstance(problem, str) and problem for problem in config.problems)
    for value in (config.probe.deadline_s, config.probe.connect_timeout_s, config.probe.statement_timeout_s):
        assert isinstance(value, float) and math.isfinite(value) and value > 0
    names = [database.name for database in config.databases]
    assert len(names) == len(set(names))
    for database in config.databases:
        assert NAME_PATTERN.match(database.name)
        assert database.engine in ENGINES and database.role in ROLES and database.source in SOURCES
        assert all(
            isinstance(text, str)
            for text in (
                database.environment,
                database.owner,
                database.selector,
                database.datname,
                database.description,
            )
        )
        for name in Thresholds.names():
            value = getattr(database.thresholds, name)
            assert value is None or (isinstance(value, float | int) and math.isfinite(value) and value >= 0), name
        for days in database.record_intervals.values():
            assert days is None or (isinstance(days, int) and days > 0)


@FUZZ
@given(st.text(max_size=500))
@example("a = " + "[" * 5000 + "]" * 5000)  # nesting deeper than Python's recursion limit
@example("a = " + "9" * 5000)  # an integer longer than Python reads without a limit
def test_arbitrary_text_gives_a_config_and_problems_never_an_exception(text):
    assert_usable(parse_database_config(text, "databases.toml"))


@FUZZ
@given(documents)
@example({"probe": {"deadline_seconds": float("inf")}})
@example({"probe": {"deadline_seconds": 10**400}})
@example({"database": [{"name": "orders", "engine": "postgresql", "thresholds": {"long_query_warn_s": float("nan")}}]})
def test_values_of_any_shape_give_a_config_and_problems_never_an_exception(document):
    config = parse_database_config(toml_document(document), "databases.toml")
    assert_usable(config)
    entries = document.get("database")
    if not config.problems:
        assert len(config.databases) == (len(entries) if isinstance(entries, list) else 0)


@FUZZ
@given(st.integers(min_value=0, max_value=len(EXAMPLE)), st.text(min_size=1, max_size=10))
def test_a_mutated_example_config_gives_a_config_and_problems_never_an_exception(position, insertion):
    assert_usable(parse_database_config(EXAMPLE[:position] + insertion + EXAMPLE[position:], "databases.toml"))


@FUZZ
@given(documents)
def test_every_entry_loads_or_is_named_in_a_problem(document):
    """Nothing is dropped silently: a database that did not load has a problem naming it (or its position)."""
    config = parse_database_config(toml_document(document), "databases.toml")
    entries = document.get("database")
    if not isinstance(entries, list):
        return
    loaded = {database.name for database in config.databases}
    for position, entry in enumerate(entries, start=1):
        name = entry.get("name") if isinstance(entry, dict) else None
        if isinstance(name, str) and name in loaded:
            continue
        label = repr(name) if isinstance(name, str) else f"#{position}"
        assert any(f"database {label}" in problem for problem in config.problems), (label, config.problems)
