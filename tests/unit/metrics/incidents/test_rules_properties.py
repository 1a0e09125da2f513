"""Property-based check of the incidents CSV import: any text gives incidents the store can keep, or
``IncidentError`` listing the problems — never another exception."""

from __future__ import annotations

from datetime import UTC

from hypothesis import example, given, settings
from hypothesis import strategies as st

from metrics.incidents.rules import (
    CSV_COLUMNS,
    MAX_POSTMORTEM_URL,
    IncidentError,
    incident_problems,
    parse_incidents_csv,
)

SERVICES = ["checkout", "search"]
HEADER = ",".join(CSV_COLUMNS) + "\n"
cells = st.text(max_size=15) | st.sampled_from(
    [
        "checkout",
        "SEV2",
        "2026-11-24T10:00",
        "0001-01-01T00:00+05:00",
        "9999-12-31T23:00-05:00",
        "https://wiki/pm",
        '"',
        "\x00",
    ]
)
rows = st.lists(cells, min_size=len(CSV_COLUMNS), max_size=len(CSV_COLUMNS)).map(
    lambda values: ",".join('"' + value.replace('"', '""') + '"' for value in values) + "\n"
)


def parses_or_fails_cleanly(text: str) -> None:
    try:
        incidents = parse_incidents_csv(text, "Europe/Berlin", SERVICES)
    except IncidentError as error:
        assert error.problems and all(isinstance(problem, str) for problem in error.problems)
        return
    for incident in incidents:
        assert incident_problems(incident, SERVICES) == []
        assert incident.started.astimezone(UTC)  # the store keeps UTC
        assert len(incident.postmortem_url) <= MAX_POSTMORTEM_URL


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=400))
@example(HEADER + "x" * 200_000 + "\n")  # a cell over the csv module's field size limit
def test_arbitrary_text_gives_incidents_or_incident_error(text):
    parses_or_fails_cleanly(text)


@settings(max_examples=300, deadline=None)
@given(st.lists(rows, max_size=4))
@example(['"INC-1","checkout","SEV2","0001-01-01T00:00+05:00","","","","",""\n'])
@example(['"INC-1","checkout","SEV2","2026-11-24T10:00","","","","a\x00b",""\n'])
def test_rows_of_any_cells_give_incidents_or_incident_error(lines):
    parses_or_fails_cleanly(HEADER + "".join(lines))
