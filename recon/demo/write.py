"""Writing one table to one file in the format a clerk would use, and
telling where each data row landed (file label and the row the user sees,
as mismatches.csv shows them: `name.xlsx#Sheet1` / `name.csv`)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import xlsxwriter
import xlwt

CSV_ENCODINGS = {"csv": "utf-8", "csv_bom": "utf-8-sig", "csv_gbk": "gb18030"}
XLS_MAX_ROWS = 60000


@dataclass
class Table:
    header: list[str]
    cells: pd.DataFrame                                   # object cells, one column per header entry
    title: list[str] = field(default_factory=list)        # rows above the header (Excel only)
    trailer: list[list] = field(default_factory=list)     # rows below the data (Excel only)
    sheets: list[str] = field(default_factory=lambda: ["Sheet1"])
    splits: list[int] | None = None                       # data rows per sheet (default: all on the first)


def write_table(path: Path, fmt: str, table: Table) -> pd.DataFrame:
    """Write `table` to `path`; returns file label and row for each data row
    (indexed like table.cells)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    cells = table.cells.astype(object).where(table.cells.notna(), None)
    if fmt in CSV_ENCODINGS:
        cells.to_csv(path, index=False, header=table.header, encoding=CSV_ENCODINGS[fmt], lineterminator="\n")
        # A line break inside a (quoted) header cell makes the header several lines long.
        first_data = 2 + sum(str(h).count("\n") for h in table.header)
        return pd.DataFrame({"file": path.name, "row": np.arange(len(cells)) + first_data}, index=cells.index)
    splits = table.splits or [len(cells)]
    if fmt == "xls":   # an .xls sheet holds 65,536 rows
        splits = [min(n, XLS_MAX_ROWS) for n in splits]
        while sum(splits) < len(cells):
            splits.append(min(XLS_MAX_ROWS, len(cells) - sum(splits)))
    names = table.sheets + [f"Sheet{i + 1}" for i in range(len(table.sheets), len(splits))]
    values = cells.to_numpy(dtype=object)
    first_data = len(table.title) + 2            # 1-based row of the first data row
    labels, rows, start = [], [], 0
    writer = _XlsxBook(path) if fmt == "xlsx" else _XlsBook(path)
    for name, count in zip(names, splits):
        sheet = writer.sheet(name)
        for r, text in enumerate(table.title):
            writer.row(sheet, r, [text])
        writer.row(sheet, len(table.title), table.header)
        for i, cells_of_row in enumerate(values[start:start + count].tolist()):   # Excel writers take one row at a time
            writer.row(sheet, first_data - 1 + i, cells_of_row)
        for j, extra in enumerate(table.trailer):
            writer.row(sheet, first_data - 1 + count + j, extra)
        labels += [f"{path.name}#{name}"] * count
        rows += list(range(first_data, first_data + count))
        start += count
    writer.close()
    return pd.DataFrame({"file": labels, "row": rows}, index=cells.index)


class _XlsxBook:
    """xlsxwriter in constant_memory mode (rows go out in order, each row is
    flushed when the next starts): typed cells — text, numbers, dates."""

    def __init__(self, path: Path):
        self.book = xlsxwriter.Workbook(str(path), {
            "constant_memory": True, "default_date_format": "yyyy-mm-dd",
            "strings_to_formulas": False, "strings_to_urls": False})
        # A fixed creation time: the same seed must give byte-identical files.
        self.book.set_properties({"created": dt.datetime(2025, 1, 1)})

    def sheet(self, name: str):
        return self.book.add_worksheet(name)

    def row(self, sheet, r: int, values: list) -> None:
        sheet.write_row(r, 0, values)

    def close(self) -> None:
        self.book.close()


class _XlsBook:
    def __init__(self, path: Path):
        self.path = path
        self.book = xlwt.Workbook(encoding="utf-8")
        self.date_style = xlwt.easyxf(num_format_str="YYYY-MM-DD")

    def sheet(self, name: str):
        return self.book.add_sheet(name)

    def row(self, sheet, r: int, values) -> None:
        for c, value in enumerate(values):
            if value is None or value == "":
                continue
            if isinstance(value, (dt.date, dt.datetime)):
                sheet.write(r, c, value, self.date_style)
            elif isinstance(value, (np.integer, np.floating)):
                sheet.write(r, c, value.item())
            else:
                sheet.write(r, c, value)

    def close(self) -> None:
        self.book.save(str(self.path))
