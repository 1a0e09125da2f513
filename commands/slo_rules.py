"""``slo-rules``: the SLO burn tiers as a Prometheus rule file, so Prometheus evaluates them and keeps their firing
history in ``ALERTS`` (which the incidents page reads back with ``alerts history``)."""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

from commands.common import (
    EXIT_OK,
    CliError,
    cli_adjustments,
    load_cli_catalog,
    load_cli_settings,
    parse_cli_instant,
)


def command_slo_rules(args: argparse.Namespace) -> int:
    from data.slo.service import RequestError, alert_rule_file

    settings = load_cli_settings(args)
    catalog = load_cli_catalog(settings, [])
    try:
        at = parse_cli_instant(args.at, settings)
        rule_file = alert_rule_file(
            catalog, settings.catalog_path, at, cli_adjustments(settings), recording=args.recording
        )
    except RequestError as error:
        for problem in error.problems:
            print(f"catalog: {problem}", file=sys.stderr)
        raise CliError(str(error)) from None
    if not args.output:
        sys.stdout.write(rule_file.text)
        return EXIT_OK
    _write_atomically(Path(args.output), rule_file.text)
    recorded = f" ({rule_file.recordings} of them recording rules)" if args.recording else ""
    print(f"{args.output}: {rule_file.rules} rules{recorded} for {rule_file.slos} SLOs")
    return EXIT_OK


def _write_atomically(path: Path, text: str) -> None:
    """Write next to the target and rename: a Prometheus reloading meanwhile reads the old file or the new one."""
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent or Path("."))
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(temporary, path)
    except OSError as error:
        raise CliError(f"cannot write {path}: {error.strerror or type(error).__name__}") from None


def register(commands: argparse._SubParsersAction, collect_kinds: argparse._SubParsersAction) -> None:
    rules = commands.add_parser("slo-rules", help="the SLO burn tiers as Prometheus alerting rules (YAML)")
    rules.add_argument("--catalog", help="OpenSLO file or directory (default: settings, config/slos)")
    rules.add_argument("--output", help="write the rule file here (default: print it)")
    rules.add_argument("--at", help="instant whose calendar periods scale the thresholds, ISO 8601 (default: now)")
    rules.add_argument(
        "--recording",
        action="store_true",
        help="also record each SLO's error ratio over its tiers' windows (slo:sli_error:ratio_rate5m, ...) and "
        "make the alerts read them",
    )
    rules.set_defaults(handler=command_slo_rules)
