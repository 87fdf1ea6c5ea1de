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


def write_openpyxl(path: Path, sheets: dict[str, list[list]], merges: dict[str, list[str]] | None = None) -> Path:
    """An .xlsx written by openpyxl, as Excel and WPS write it: cell types as
    in write_xlsx, and merged ranges (e.g. {"Sheet1": ["A1:A2", "D1:F1"]})
    that keep only their top-left cell's value."""
    import openpyxl

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row, start=1):
                if value is None or value == "":
                    continue
                cell = sheet.cell(row=r, column=c, value=value)
                if isinstance(value, dt.date):
                    cell.number_format = "yyyy-mm-dd" if not isinstance(value, dt.datetime) else "yyyy-mm-dd hh:mm:ss"
        for merged in (merges or {}).get(name, []):
            sheet.merge_cells(merged)
    book.save(str(path))
    return path


# The content type that makes a workbook a macro-enabled one (.xlsm).
_XLSX_MAIN = b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
_XLSM_MAIN = b"application/vnd.ms-excel.sheet.macroEnabled.main+xml"


def as_xlsm(xlsx: Path, path: Path) -> Path:
    """The .xlsx re-packed as a macro-enabled workbook (its content type), as
    Excel and WPS save .xlsm."""
    import zipfile

    path = Path(path)
    with zipfile.ZipFile(xlsx) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "[Content_Types].xml":
                assert _XLSX_MAIN in data
                data = data.replace(_XLSX_MAIN, _XLSM_MAIN)
            target.writestr(item, data)
    return path


def write_xlsb(path: Path, sheets: dict[str, list[list]]) -> Path:
    """An Excel binary workbook (.xlsb) with the same cell types as write_xlsx."""
    from pyxlsbwriter import XlsbWriter

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with XlsbWriter(str(path)) as book:
        for name, rows in sheets.items():
            width = max((len(row) for row in rows), default=1)
            book.add_sheet(name)
            # The writer wants every row as wide as the widest; "" cells stay empty.
            book.write_sheet([[None if v == "" else v for v in row] + [None] * (width - len(row)) for row in rows])
    return path


def libreoffice_convert(files: list[Path], target: str, out_dir: Path, profile: Path) -> list[Path]:
    """Files converted by LibreOffice in one run (`soffice --convert-to target`),
    with a private profile so that parallel tests and a user's LibreOffice never meet."""
    import subprocess

    out_dir = Path(out_dir)
    subprocess.run(["soffice", f"-env:UserInstallation={Path(profile).resolve().as_uri()}", "--headless",
                    "--convert-to", target, "--outdir", str(out_dir), *map(str, files)],
                   check=True, capture_output=True, timeout=120)
    extension = target.split(":")[0]
    converted = [out_dir / f"{Path(f).stem}.{extension}" for f in files]
    missing = [p.name for p in converted if not p.exists()]
    assert not missing, f"LibreOffice did not write {missing}"
    return converted
