"""CSV that a spreadsheet opens as data: cells it would run as a formula are neutralised, for every CSV the app
writes (tracker export, every table's download button).

A cell starting with ``=``, ``+``, ``-`` or ``@`` is a formula to Excel, LibreOffice and Google Sheets, and a
leading tab or carriage return can hide one (OWASP "CSV injection"). Such a cell gets one leading ``'``, which the
spreadsheet shows as text. A cell that already starts with ``'`` gets one too, so that reading the file back
(``unprotect_cell``) removes exactly one ``'`` from every cell that has one and each value returns exactly as it
was. Only text is touched: a number such as ``-3`` is a value, not a formula.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "'")
CSV_LINE_END = "\r\n"


def protect_cell(text: str) -> str:
    """The cell as written to CSV: one ``'`` in front of text a spreadsheet would run as a formula (or of a
    leading ``'``, so that reading back can always remove exactly one)."""
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def unprotect_cell(text: str) -> str:
    """The value ``protect_cell`` was given: one leading ``'`` removed."""
    return text[1:] if text.startswith("'") else text


def _protect_value(value: Any) -> Any:
    return protect_cell(value) if isinstance(value, str) else value


def spreadsheet_safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text cells (and column names) are protected; numbers, dates and empties stay."""
    safe = frame.map(_protect_value)
    safe.columns = [_protect_value(column) for column in frame.columns]
    return safe


def spreadsheet_csv(frame: pd.DataFrame) -> str:
    """``frame`` as CSV text (no index) with every formula-like text cell neutralised.

    Lines end in CRLF (RFC 4180): the csv writer quotes a cell only for the characters of its line ending, so with
    a bare ``\n`` a lone carriage return inside a cell would be written unquoted and split the row on reading."""
    return spreadsheet_safe_frame(frame).to_csv(index=False, lineterminator=CSV_LINE_END)
