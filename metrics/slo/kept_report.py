"""A report as plain JSON-able inputs and back: what the store keeps of the last good report so that a restarted
process, or another replica, can show it when its source fails (``data.slo.kept_reports``).

Kept are the counts each SLO's figures come from (per window, before and after budget adjustments), its error, the
report's instant, source, errors and warnings, and each split value's counts. Rebuilt with today's catalog: the
figures are recomputed from those counts with the SLOs' targets and tiers, an SLO no longer in the catalog is left
out. Not kept: which adjustments touched an SLO (its adjusted counts are kept, so its figures are the same) and the
long windows' note.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from metrics.slo.definitions import EventCounts, SloDefinition
from metrics.slo.report import SloReport, build_report

Counts = Mapping[str, EventCounts | None]


def _plain(counts: Counts) -> dict[str, list[float] | None]:
    return {key: None if value is None else [value.total, value.bad] for key, value in counts.items()}


def _counts(plain: Mapping[str, list[float] | None]) -> dict[str, EventCounts | None]:
    return {key: None if value is None else EventCounts(total=value[0], bad=value[1]) for key, value in plain.items()}


def report_inputs(report: SloReport) -> dict:
    return {
        "at": report.at.isoformat(),
        "source": report.source,
        "errors": dict(report.errors),
        "warnings": list(report.warnings),
        "slos": {
            status.slo.name: {
                "counts": _plain(status.counts),
                "raw": _plain(status.raw.counts) if status.raw is not None else None,
                "error": status.error,
            }
            for status in report.statuses
        },
        "splits": {
            name: [[[value for _, value in split.values], _plain(split.status.counts)] for split in splits]
            for name, splits in report.splits.items()
        },
    }


def report_from_inputs(inputs: Mapping, slos: Sequence[SloDefinition]) -> SloReport:
    """The report ``report_inputs`` kept, rebuilt for those of ``slos`` it holds."""
    kept = inputs["slos"]
    mine = [slo for slo in slos if slo.name in kept]
    return build_report(
        mine,
        datetime.fromisoformat(inputs["at"]),
        {slo.name: _counts(kept[slo.name]["counts"]) for slo in mine},
        {slo.name: kept[slo.name]["error"] for slo in mine if kept[slo.name]["error"]},
        inputs["source"],
        dict(inputs["errors"]),
        tuple(inputs["warnings"]),
        raw_counts_by_slo={slo.name: _counts(kept[slo.name]["raw"]) for slo in mine if kept[slo.name]["raw"]},
        split_counts_by_slo={
            name: {tuple(values): _counts(counts) for values, counts in splits}
            for name, splits in inputs["splits"].items()
        },
    )
