"""Writing CSV and Excel files that open as data, never as formulas (CSV / formula injection).

A spreadsheet program treats a cell that starts with ``=``, ``+``, ``-`` or ``@`` (and, in some,
a tab or carriage return before them) as a formula: a staff name ``=HYPERLINK("http://x","y")``
exported as is becomes a live link or worse in the reader's Excel. The rule, after OWASP's
"CSV Injection": a *text* value starting with one of those characters is written with a single
quote ``'`` in front, so it shows as text; numbers, dates and booleans are left alone.

Every CSV and .xlsx the application writes goes through this module: :func:`csv_text` for CSV and
:func:`new_workbook` for Excel (its ``save`` makes every cell safe first, whichever way the cell
was filled, and stores each text cell as a string, never as a formula). ``tests/kit/test_spreadsheet``
fails when a module outside ``gridgov.kit`` writes CSV or creates a workbook by itself.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import Any

from openpyxl import Workbook

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""Characters that make a spreadsheet program read a text cell as a formula (OWASP)."""

QUOTE = "'"


def safe_cell(value: Any) -> Any:
    """``"=1+1"`` → ``"'=1+1"``; any other value (numbers, dates, safe text) unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return QUOTE + value
    return value


def cell_text(value: Any) -> Any:
    """The value a user typed, from a cell written by :func:`safe_cell` (the import reads an
    export back: ``"'=1+1"`` → ``"=1+1"``); other values unchanged."""
    if isinstance(value, str) and value.startswith(QUOTE) and value[1:2] and value[1:].startswith(FORMULA_STARTS):
        return value[1:]
    return value


def safe_row(values: Iterable[Any]) -> list[Any]:
    return [safe_cell(v) for v in values]


def csv_text(header: Iterable[Any] | None, rows: Iterable[Iterable[Any]], *, bom: bool = True) -> str:
    """A CSV document (with a BOM by default, so that Excel reads the Chinese text as UTF-8), every
    cell made safe."""
    out = io.StringIO()
    if bom:
        out.write("\ufeff")
    writer = csv.writer(out)
    if header is not None:
        writer.writerow(safe_row(header))
    for row in rows:
        writer.writerow(safe_row(row))
    return out.getvalue()


class SafeWorkbook(Workbook):
    """An openpyxl workbook that makes every cell safe when it is saved."""

    def save(self, filename) -> None:
        make_safe(self)
        super().save(filename)


def make_safe(wb: Workbook) -> None:
    """Every text or formula cell of ``wb`` that would run as a formula becomes quoted text."""
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                value = cell.value
                if isinstance(value, str) and (cell.data_type == "f" or value.startswith(FORMULA_STARTS)):
                    cell.value = safe_cell(value) if value.startswith(FORMULA_STARTS) else value
                    cell.data_type = "s"


def new_workbook() -> SafeWorkbook:
    """The only way the application makes an Excel workbook (see the module's rule)."""
    return SafeWorkbook()


def xlsx_bytes(wb: Workbook) -> bytes:
    """The workbook as the bytes of an .xlsx file, made safe first."""
    make_safe(wb)
    out = io.BytesIO()
    Workbook.save(wb, out)
    return out.getvalue()
