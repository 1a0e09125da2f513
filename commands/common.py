"""What every subcommand shares: exit codes, the one-line error, settings and catalog loading."""

from __future__ import annotations

import argparse
import sys
import unicodedata
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path

EXIT_OK, EXIT_ATTENTION, EXIT_FAILED = 0, 1, 2


class CliError(Exception):
    """A problem the user can fix; printed as one line, exit code 2."""


def source_options(command: argparse.ArgumentParser) -> None:
    command.add_argument("--catalog", help="OpenSLO file or directory (default: settings, config/slos)")
    command.add_argument("--prometheus-url", help="Prometheus-compatible base URL (default: settings)")
    command.add_argument("--demo", action="store_true", help="use the demo data even if Prometheus is set")
    command.add_argument("--at", help="evaluation instant, ISO 8601 (default: now)")


def load_cli_settings(args: argparse.Namespace):
    from data.settings import SettingsError, load_settings
    from data.slo.prometheus import PrometheusSettings

    try:
        settings = load_settings()
    except SettingsError as error:
        raise CliError("\n".join(["invalid settings:"] + [f"  - {p}" for p in error.problems])) from None
    if getattr(args, "prometheus_url", None):
        base = settings.prometheus or PrometheusSettings(url=args.prometheus_url)
        settings = replace(settings, prometheus=replace(base, url=args.prometheus_url.rstrip("/")))
    if getattr(args, "demo", False):
        settings = replace(settings, prometheus=None)
    if getattr(args, "catalog", None):
        settings = replace(settings, catalog_path=Path(args.catalog))
    return settings


def load_cli_catalog(settings, strict_problems: list[str]):
    from data.slo.catalog import CatalogError, load_catalog

    try:
        catalog = load_catalog(settings.catalog_path)
    except CatalogError as error:
        raise CliError(str(error)) from None
    strict_problems.extend(str(problem) for problem in catalog.problems)
    return catalog


def parse_cli_date(text: str | None, option: str) -> date | None:
    """A YYYY-MM-DD option's day; None when not given; one readable error naming the option otherwise."""
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CliError(f"{option} {text!r} is not a date like 2026-11-24") from None


def parse_cli_instant(text: str | None, settings=None) -> datetime:
    """``--at`` as an instant; without it, the settings' clock (``RELIABILITY_NOW`` when set), as the pages read it."""
    from data.slo.service import parse_instant

    if not text and settings is not None:
        return settings.now()
    try:
        return parse_instant(text)
    except ValueError:
        raise CliError(f"--at {text!r} is not an ISO 8601 instant like 2026-11-24T14:05:00Z") from None


# Bidirectional overrides reorder what a terminal shows (a title could hide a command inside it).
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def terminal_text(text: str) -> str:
    """``text`` with every control character shown as its escape (``\\x1b``, ``\\r``), so stored data cannot move
    the cursor, recolour or clear a terminal, or fake a line of the table."""
    return "".join(
        character.encode("unicode_escape").decode("ascii")
        if unicodedata.category(character) == "Cc" or character in _BIDI_CONTROLS
        else character
        for character in text
    )


def text_table(header: list[str], rows: list[list[str]]) -> str:
    """Columns padded to their widest cell, a rule under the header; what the table formats print. Cells are
    ``terminal_text``: whatever a title holds, the table stays a table."""
    header = [terminal_text(cell) for cell in header]
    rows = [[terminal_text(cell) for cell in row] for row in rows]
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip() for row in [header, *rows]]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(lines)


def cli_actor(name: str | None = None):
    """Who the command line acts as: whoever holds the machine and the store's credentials, so an admin; the
    audit trail records ``--as NAME`` or the login name, with ``via = cli``."""
    import getpass

    from metrics.access import NAME_MAX_LENGTH, VIA_CLI, Actor, Role

    if not name:
        try:
            name = f"{getpass.getuser()} (cli)"
        except Exception:  # no login name in this environment (a container without a passwd entry)
            name = "cli"
    elif len(name) > NAME_MAX_LENGTH or any(unicodedata.category(character) == "Cc" for character in name):
        raise CliError(
            f"--as {terminal_text(name[:40])!r}: the name to record must be at most {NAME_MAX_LENGTH} characters "
            "with no control characters"
        )
    return Actor(name, Role.ADMIN, VIA_CLI)


def cli_source(settings, at: datetime, catalog=None):
    """The source the settings name; with ``--prometheus-url`` the configured timeout, token, basic auth, TLS and
    answer cap still apply, only the URL is the option's (``Settings.with_prometheus_url``). With a ``catalog``
    defining DataSources, each SLO is read from its own (``data.slo.routed.RoutedSource``)."""
    from data.slo.service import demo_history_end, make_source

    if settings.prometheus is not None:
        settings = settings.with_prometheus_url(settings.prometheus.url)
    return make_source(settings, demo_end=demo_history_end(settings, at), catalog=catalog)


def cli_adjustments(settings) -> list:
    """The budget adjustments in force; a store that cannot be read leaves the figures raw, and says so."""
    from data.slo_adjustments.service import adjustments_in_force

    try:
        return adjustments_in_force(settings)
    except Exception as error:  # driver errors vary: name the kind, never the DSN
        print(
            f"warning: budget adjustments could not be read from the store ({type(error).__name__}): they are not "
            "applied",
            file=sys.stderr,
        )
        return []
