"""Writing real input files for tests: each Python value is written with its
type (str → text cell, int/float → number cell, date → date cell), as
clerks' files hold them."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import xlsxwriter
import xlwt


def write_xlsx(path: Path, sheets: dict[str, list[list]]) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    book = xlsxwriter.Workbook(str(path))
    date_format = book.add_format({"num_format": "yyyy-mm-dd"})
    datetime_format = book.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
    for name, rows in sheets.items():
        sheet = book.add_worksheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if value is None or value == "":
                    continue
                if isinstance(value, bool):
                    sheet.write_boolean(r, c, value)
                elif isinstance(value, (int, float)):
                    sheet.write_number(r, c, value)
                elif isinstance(value, dt.datetime):
                    sheet.write_datetime(r, c, value, datetime_format)
                elif isinstance(value, dt.date):
                    sheet.write_datetime(r, c, dt.datetime.combine(value, dt.time()), date_format)
                else:
                    sheet.write_string(r, c, str(value))
    book.close()
    return path


def write_xls(path: Path, sheets: dict[str, list[list]]) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    book = xlwt.Workbook(encoding="utf-8")
    date_style = xlwt.easyxf(num_format_str="YYYY-MM-DD")
    for name, rows in sheets.items():
        sheet = book.add_sheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if value is None or value == "":
                    continue
                if isinstance(value, bool):
                    sheet.write(r, c, value)
                elif isinstance(value, (int, float)):
                    sheet.write(r, c, float(value))
                elif isinstance(value, dt.date):
                    sheet.write(r, c, value, date_style)
                else:
                    sheet.write(r, c, str(value))
    book.save(str(path))
    return path


def write_csv(path: Path, rows: list[list], encoding: str = "utf-8", newline: str = "\n") -> Path:
    """Comma separated; cells quoted only when they hold a comma, quote or line break."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)

    def cell(value) -> str:
        text = "" if value is None else str(value)
        if any(ch in text for ch in ',"\r\n'):
            text = '"' + text.replace('"', '""') + '"'
        return text

    text = "".join(",".join(cell(v) for v in row) + newline for row in rows)
    path.write_bytes(text.encode(encoding))
    return path
