"""``import_slos``: the steps of ``cli.py slo-import``. Read Sloth or Pyrra files, convert what can be carried over,
and write one OpenSLO v1 file per input file into the output folder, named after the input (``api.yaml`` from
``api.yaml``, ``api.yml`` or ``api.json``).

Nothing is overwritten unless asked (``force``): every target is checked before the first one is written, so a
refused run writes nothing. Each file is written next to its target and renamed into place. A file none of whose
SLOs could be carried over writes nothing.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any

import yaml

from data.slo.catalog import DEFAULT_LIMITS
from data.slo.importers.pyrra import convert_pyrra
from data.slo.importers.sloth import convert_sloth
from metrics.slo.imports import SLOTH_DEFAULT_WINDOW, Conversion, Refusal, Tool, openslo_name


class OutputError(Exception):
    """The output cannot be written as asked (a file exists, two inputs would write the same file, the folder is
    not writable); the message says what, if anything, was written."""


class ImportOutcome(Enum):
    CONVERTED = "converted"  # everything was carried over
    PARTLY = "partly"  # some SLOs or documents were refused
    UNREADABLE = "unreadable"  # at least one input could not be read


@dataclass(frozen=True)
class UnreadableInput:
    file: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}: {self.message}"


@dataclass(frozen=True)
class WrittenFile:
    source: str
    path: Path
    slos: tuple[str, ...]


@dataclass
class ImportReport:
    written: list[WrittenFile] = field(default_factory=list)
    refusals: list[Refusal] = field(default_factory=list)
    unreadable: list[UnreadableInput] = field(default_factory=list)
    empty: list[str] = field(default_factory=list)  # inputs read whose every SLO was refused: nothing written

    @property
    def outcome(self) -> ImportOutcome:
        if self.unreadable:
            return ImportOutcome.UNREADABLE
        return ImportOutcome.PARTLY if self.refusals else ImportOutcome.CONVERTED


def import_slos(
    tool: Tool,
    files: list[Path],
    output: Path,
    force: bool = False,
    service: str | None = None,
    window: str = SLOTH_DEFAULT_WINDOW,
) -> ImportReport:
    """Convert ``files`` (Sloth specs or Pyrra objects, as ``tool`` says) into OpenSLO files under ``output``."""
    report = ImportReport()
    files = list(dict.fromkeys(files))
    targets = _targets(files, output)
    planned: list[tuple[Path, Path, Conversion]] = []
    for path in files:
        shown = path.as_posix()
        documents = _read(path)
        if isinstance(documents, str):
            report.unreadable.append(UnreadableInput(shown, documents))
            continue
        if tool is Tool.SLOTH:
            conversion = convert_sloth(documents, shown, window)
        else:
            conversion = convert_pyrra(documents, shown, service, _file_service(path))
        report.refusals.extend(conversion.refusals)
        if conversion.slos:
            planned.append((path, targets[path], conversion))
        else:
            report.empty.append(shown)
    existing = [target for _, target, _ in planned if target.exists() or target.is_symlink()]
    if existing and not force:
        raise OutputError(
            f"{', '.join(target.as_posix() for target in existing)} already exist(s); nothing was written "
            "(give --force to replace them)"
        )
    for path, target, conversion in planned:
        try:
            _write(target, _text(path, tool, conversion))
        except OSError as error:
            done = ", ".join(written.path.as_posix() for written in report.written) or "nothing"
            raise OutputError(
                f"cannot write {target.as_posix()}: {error.strerror or type(error).__name__} (written before it: "
                f"{done})"
            ) from None
        report.written.append(WrittenFile(path.as_posix(), target, tuple(slo.name for slo in conversion.slos)))
    return report


def _targets(files: list[Path], output: Path) -> dict[Path, Path]:
    targets: dict[Path, Path] = {}
    by_target: dict[Path, Path] = {}
    for path in files:
        target = output / f"{path.stem}.yaml"
        if target in by_target and by_target[target] != path:
            raise OutputError(
                f"{by_target[target].as_posix()} and {path.as_posix()} would both be written to "
                f"{target.as_posix()}; nothing was written (rename one, or import them in two runs)"
            )
        by_target[target] = path
        targets[path] = target
    return targets


def _file_service(path: Path) -> str:
    try:
        return openslo_name(path.stem)
    except ValueError:
        return "imported"


def _read(path: Path) -> list[tuple[int, Any]] | str:
    """The file's YAML documents as (number, data) pairs, empty ones left out; or why it cannot be read."""
    cap = DEFAULT_LIMITS.file_bytes
    try:
        with path.open("rb") as handle:
            data = handle.read(cap + 1)
    except OSError as error:
        return f"cannot be read ({error.strerror or type(error).__name__})"
    if len(data) > cap:
        return f"larger than {cap >> 20} MiB, the catalog's cap for one file"
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        return f"not UTF-8 text ({error.reason} at byte {error.start})"
    documents: list[tuple[int, Any]] = []
    try:
        for number, document in enumerate(yaml.safe_load_all(text), start=1):
            if number > DEFAULT_LIMITS.documents:
                return f"more than {DEFAULT_LIMITS.documents} documents, the catalog's cap for one file"
            if document is not None:
                documents.append((number, document))
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        what = getattr(error, "problem", None) or type(error).__name__
        return f"malformed YAML{where}: {what}"
    except RecursionError:
        return "nested too deeply to read as YAML"
    if not documents:
        return "holds no YAML document"
    return documents


def _text(source: Path, tool: Tool, conversion: Conversion) -> str:
    header = (
        f"# OpenSLO v1, converted from the {tool.value} file {source.name} by cli.py slo-import.\n"
        "# The reliability-dashboard/* annotations keep what the catalog does not read yet (see the README).\n"
    )
    return header + yaml.safe_dump_all(conversion.documents(), sort_keys=False, allow_unicode=True, width=1000)


def _write(target: Path, text: str) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(temporary, target)
    except OSError:
        Path(temporary).unlink(missing_ok=True)
        raise
