"""The formula-injection rule of :mod:`gridgov.kit.spreadsheet` (OWASP CSV injection)."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from openpyxl import load_workbook

from gridgov.kit.spreadsheet import FORMULA_STARTS, cell_text, csv_text, new_workbook, safe_cell, xlsx_bytes

PAYLOAD = '=HYPERLINK("http://x","y")'


@pytest.mark.parametrize("start", FORMULA_STARTS)
def test_text_starting_like_a_formula_is_quoted_and_read_back(start):
    value = f"{start}1+1"
    assert safe_cell(value) == "'" + value
    assert cell_text(safe_cell(value)) == value


@pytest.mark.parametrize("value", [3, -3, 2.5, -0.5, date(2024, 1, 2), True, None, "张三", "0511-84441234", "'quoted",
                                   "a=b", ""])
def test_numbers_dates_and_plain_text_are_left_alone(value):
    assert safe_cell(value) == value
    assert cell_text(value) == value


def test_csv_cells_are_quoted():
    text = csv_text(["姓名", "分数"], [[PAYLOAD, -5], ["@SUM(A1)", "ok"]])
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows == [["姓名", "分数"], ["'" + PAYLOAD, "-5"], ["'@SUM(A1)", "ok"]]


def test_a_workbook_stores_formula_like_text_as_quoted_strings_however_it_was_written():
    wb = new_workbook()
    ws = wb.active
    ws.append([PAYLOAD, 7, "+1"])
    ws["D1"] = "=1+1"
    ws.cell(2, 1).value = "-2+3"
    for content in (xlsx_bytes(wb), _saved(wb)):
        sheet = load_workbook(io.BytesIO(content)).active
        cells = [sheet["A1"], sheet["C1"], sheet["D1"], sheet["A2"]]
        assert all(c.data_type == "s" and c.value.startswith("'") for c in cells), \
            [(c.data_type, c.value) for c in cells]
        assert sheet["B1"].value == 7 and sheet["B1"].data_type == "n"


def _saved(wb) -> bytes:
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
