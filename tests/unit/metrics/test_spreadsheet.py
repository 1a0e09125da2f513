"""Spreadsheet-safe CSV: text a spreadsheet would run as a formula gets one leading ', everything else is kept."""

from __future__ import annotations

import csv
import io

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from metrics.spreadsheet import protect_cell, spreadsheet_csv, spreadsheet_safe_frame, unprotect_cell

DANGEROUS = [
    '=HYPERLINK("http://evil","x")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(A1:A9)",
    "\t=1+1",
    "\r=1+1",
    "'quoted",
]


@pytest.mark.parametrize("text", DANGEROUS)
def test_a_formula_like_cell_gets_one_leading_quote(text):
    assert protect_cell(text) == "'" + text


@pytest.mark.parametrize("text", ["checkout", "99.95%", "", "a=b", "–1 (en dash)", "−0.5 (minus sign)"])
def test_ordinary_text_is_left_alone(text):
    assert protect_cell(text) == text


@given(st.text())
def test_unprotect_gives_back_exactly_what_was_protected(text):
    assert unprotect_cell(protect_cell(text)) == text


@given(st.text())
def test_no_protected_cell_starts_with_a_formula_character(text):
    assert not protect_cell(text).startswith(("=", "+", "-", "@", "\t", "\r"))


def test_only_text_cells_change_numbers_and_missing_values_stay():
    frame = pd.DataFrame({"name": ["=evil()", "fine"], "delta": [-3.5, 2.0], "count": [-1, None]})
    safe = spreadsheet_safe_frame(frame)
    assert safe["name"].tolist() == ["'=evil()", "fine"]
    assert safe["delta"].tolist() == [-3.5, 2.0]
    assert safe["count"].iloc[0] == -1 and pd.isna(safe["count"].iloc[1])
    assert frame["name"].iloc[0] == "=evil()"  # the shown table is not changed


def test_no_cell_of_the_csv_starts_with_a_formula_character():
    frame = pd.DataFrame({"summary": DANGEROUS, "id": [f"INC-{n}" for n in range(len(DANGEROUS))]})
    rows = list(csv.reader(io.StringIO(spreadsheet_csv(frame), newline="")))
    assert rows[0] == ["summary", "id"]
    assert [row[0] for row in rows[1:]] == ["'" + text for text in DANGEROUS]


def test_a_formula_like_column_name_is_neutralised_too():
    assert spreadsheet_csv(pd.DataFrame({"=1+1": ["x"]})).splitlines()[0] == "'=1+1"


def test_an_empty_table_keeps_its_header():
    assert spreadsheet_csv(pd.DataFrame(columns=["id", "summary"])) == "id,summary\r\n"


def test_a_lone_carriage_return_inside_a_cell_stays_inside_its_row():
    rows = list(csv.reader(io.StringIO(spreadsheet_csv(pd.DataFrame({"a": ["one\rtwo"], "b": ["x"]})), newline="")))
    assert rows == [["a", "b"], ["one\rtwo", "x"]]
