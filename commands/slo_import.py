"""``slo-import``: Sloth and Pyrra SLOs as OpenSLO v1 files for the catalog. Exit 0 when everything was carried over,
1 when some SLOs were refused (one line each on stderr, the rest written), 2 when an input cannot be read or the
output cannot be written."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from commands.common import EXIT_ATTENTION, EXIT_FAILED, EXIT_OK, CliError, terminal_text


def command_slo_import(args: argparse.Namespace) -> int:
    from data.slo.importers.service import ImportOutcome, OutputError, import_slos
    from metrics.slo.imports import SLOTH_DEFAULT_WINDOW, NotCarried, Tool, rolling_window

    tool = Tool(args.source)
    if args.window and tool is not Tool.SLOTH:
        raise CliError("--window is for Sloth specs, which hold no window; Pyrra's spec.window is used as written")
    if args.service and tool is not Tool.PYRRA:
        raise CliError("--service is for Pyrra objects, which name no service; a Sloth spec names its own")
    window = SLOTH_DEFAULT_WINDOW
    if args.window:
        try:
            window = rolling_window(args.window, "--window")
        except NotCarried as error:
            raise CliError(str(error)) from None
    try:
        report = import_slos(
            tool, [Path(name) for name in args.files], Path(args.output), args.force, args.service, window
        )
    except OutputError as error:
        raise CliError(str(error)) from None
    for written in report.written:
        print(terminal_text(f"{written.path.as_posix()}: {len(written.slos)} SLOs ({', '.join(written.slos)})"))
    for refusal in report.refusals:
        print(terminal_text(f"refused: {refusal}"), file=sys.stderr)
    for source in report.empty:
        print(terminal_text(f"{source}: no SLO could be carried over; nothing written for it"), file=sys.stderr)
    for unreadable in report.unreadable:
        print(terminal_text(f"error: {unreadable}"), file=sys.stderr)
    return {
        ImportOutcome.CONVERTED: EXIT_OK,
        ImportOutcome.PARTLY: EXIT_ATTENTION,
        ImportOutcome.UNREADABLE: EXIT_FAILED,
    }[report.outcome]


def register(commands: argparse._SubParsersAction, collect_kinds: argparse._SubParsersAction) -> None:
    command = commands.add_parser("slo-import", help="convert Sloth or Pyrra SLOs into OpenSLO v1 catalog files")
    command.add_argument("--from", dest="source", required=True, choices=("sloth", "pyrra"), help="the input format")
    command.add_argument("files", nargs="+", metavar="FILE", help="Sloth spec or Pyrra ServiceLevelObjective YAML")
    command.add_argument("--output", required=True, help="folder for the OpenSLO files (one per input file)")
    command.add_argument("--force", action="store_true", help="replace output files that already exist")
    command.add_argument("--service", help="Pyrra: the service of every SLO (default: its namespace, else file name)")
    command.add_argument("--window", help="Sloth: the SLO period, which its spec does not hold (default: 30d)")
    command.set_defaults(handler=command_slo_import)
