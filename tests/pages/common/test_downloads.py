"""Every table offered as "Download CSV" goes through one helper that neutralises formula-like cells."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pandas as pd

from pages.common.widgets import csv_download_bytes

REPO = Path(__file__).resolve().parents[3]


def test_the_download_is_utf8_csv_without_index_and_with_formulas_neutralised():
    frame = pd.DataFrame({"summary": ["=cmd|' /C calc'!A0", "Déjà vu, 한국어"], "TTR": ["3 h", "-"]})
    rows = list(csv.reader(io.StringIO(csv_download_bytes(frame).decode("utf-8"), newline="")))
    assert rows == [["summary", "TTR"], ["'=cmd|' /C calc'!A0", "3 h"], ["Déjà vu, 한국어", "'-"]]


def test_no_page_or_widget_writes_csv_without_the_helper():
    """A new download button that calls ``DataFrame.to_csv`` itself would skip the neutralisation."""
    offenders = [
        f"{path.relative_to(REPO)}:{number}"
        for path in sorted((REPO / "pages").rglob("*.py"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if re.search(r"\.to_csv\(", line)
    ]
    assert offenders == []
