"""Files of a data drop (CONTRACT.md §2) as grids of cells.

A grid is one sheet as read: an object DataFrame of raw cells (Excel values
with their Python type, CSV text), indexed by the row number the user sees.
The format is decided by the bytes, not the extension: clerks rename files.
"""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import charset_normalizer
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
from python_calamine import CalamineWorkbook, PasswordError, SheetTypeEnum

# .xlsm, .xlsb and .ods: what WPS and LibreOffice users save (CONTRACT.md §2);
# calamine reads them all, deciding the format by the bytes.
DATA_SUFFIXES = (".xlsx", ".xlsm", ".xlsb", ".xls", ".ods", ".csv")
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"
# An encrypted .xlsx is an OLE container holding this stream.
OLE_ENCRYPTED = "EncryptionInfo".encode("utf-16-le")
BOMS = ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16"))
_HTML_START = re.compile(rb"^\s*<(!doctype\s+html|html|table|meta|head|body|\?xml)", re.IGNORECASE)

_LINE_BREAK = re.compile(r"\r\n|\r|\n")

CORRUPT = "文件已损坏或不是有效的Excel文件，已跳过"
PASSWORD = "文件有密码保护，无法读取，已跳过（请去掉密码后另存为.xlsx）"
EMPTY = "文件是空的，已跳过"
UNREADABLE_TEXT = "文件不是可识别的表格或文本（无法判断编码），已跳过"
HTML_NO_TABLE = "文件其实是网页(HTML/XML)格式，里面没有表格，已跳过"


class FileProblem(Exception):
    """A file that cannot be read at all; the message is the user's problem text."""


@dataclass
class Grid:
    sheet: str          # sheet name, "" for CSV/HTML
    cells: pd.DataFrame  # raw cells, index = user row number (1-based)


@dataclass
class Loaded:
    grids: list[Grid]
    is_excel: bool      # provenance `_file` gets `#sheet` for Excel only
    notes: list[str]


def source_files(folder: Path) -> tuple[list[Path], list[str]]:
    """The data files under `folder` (recursive, sorted) and a note for each
    ignored file: Office lock files (~$), hidden files, other extensions."""
    files, notes = [], []
    if not folder.is_dir():
        return files, [f"文件夹 {folder.name}/ 不存在，没有读取任何文件"]
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        shown = path.relative_to(folder.parent).as_posix()
        parts = path.relative_to(folder).parts
        if path.name.startswith("~$"):
            notes.append(f"已忽略 {shown}：Excel 打开时留下的临时锁定文件")
        elif any(part.startswith(".") for part in parts):
            notes.append(f"已忽略 {shown}：隐藏文件")
        elif path.suffix.lower() not in DATA_SUFFIXES:
            notes.append(f"已忽略 {shown}：不是 {'/'.join(DATA_SUFFIXES)} 表格文件")
        else:
            files.append(path)
    return files, notes


def load(path: Path, shown: str) -> Loaded:
    """All sheets of one file as grids; raises FileProblem when unreadable."""
    data = path.read_bytes()
    if not data.strip():
        raise FileProblem(EMPTY)
    suffix = path.suffix.lower()
    if data.startswith(OLE_MAGIC) and OLE_ENCRYPTED in data:
        raise FileProblem(PASSWORD)
    if data.startswith((ZIP_MAGIC, OLE_MAGIC)):
        notes = [] if suffix != ".csv" else [f"{shown} 扩展名是 .csv，但内容是 Excel 文件，已按 Excel 读取"]
        return Loaded(_excel_grids(data), True, notes)
    if _HTML_START.match(data[:1024]) and b"<table" in data[:1_000_000].lower():
        return Loaded([Grid("", _html_cells(data))], False,
                      [f"{shown} 其实是网页(HTML/XML)格式导出的表格，已读取其中第一个表格"])
    notes = [] if suffix == ".csv" else [f"{shown} 扩展名是 {path.suffix}，但内容是文本(CSV)，已按 CSV 读取"]
    return Loaded([Grid("", csv_cells(decode(data)))], False, notes)


def _excel_grids(data: bytes) -> list[Grid]:
    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        # Chart sheets hold no cells; reading one would fail the whole file.
        names = [m.name for m in book.sheets_metadata if m.typ == SheetTypeEnum.WorkSheet]
        # skip_empty_area=False: list index i is sheet row i+1, as the user sees it.
        sheets = [(name, book.get_sheet_by_name(name).to_python(skip_empty_area=False)) for name in names]
    except PasswordError as exc:
        raise FileProblem(PASSWORD) from exc
    except Exception as exc:  # calamine raises many error types for broken files; all mean the same to a clerk
        raise FileProblem(CORRUPT) from exc
    grids = []
    for name, rows in sheets:
        cells = pd.DataFrame(rows, dtype=object)
        cells.index = pd.RangeIndex(1, len(cells) + 1)
        grids.append(Grid(name, cells))
    return grids


def decode(data: bytes) -> str:
    """CSV text: a BOM decides, else strict UTF-8, else GB18030 (superset of
    GBK), else whatever charset_normalizer finds most plausible."""
    for bom, encoding in BOMS:
        if data.startswith(bom):
            return data.decode(encoding)
    for encoding in ("utf-8", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" not in text:
            return text
    best = charset_normalizer.from_bytes(data).best()
    if best is None:
        raise FileProblem(UNREADABLE_TEXT)
    return str(best)


def _most_commas_on_a_line(text: str) -> int:
    """Commas on the line that has most (lines end at \\n or \\r). In UTF-8
    the bytes of , \\n \\r occur in no other character, so the bytes are counted."""
    raw = np.frombuffer(text.encode("utf-8", "surrogatepass"), dtype=np.uint8)
    commas_before = np.concatenate([[0], np.cumsum(raw == ord(","), dtype=np.int64)])
    ends = np.flatnonzero((raw == ord("\n")) | (raw == ord("\r")))
    bounds = np.concatenate([[0], ends, [len(raw)]])
    return int(np.diff(commas_before[bounds]).max(initial=0))


def csv_cells(text: str) -> pd.DataFrame:
    """Comma separated text as a grid of strings, indexed by the line each
    record starts on."""
    regular = _regular_csv_cells(text)
    return regular if regular is not None else _any_csv_cells(text)


def _line_count(text: str) -> int:
    return text.count("\n") + text.count("\r") - text.count("\r\n") + (not text.endswith(("\n", "\r")))


def _regular_csv_cells(text: str) -> pd.DataFrame | None:
    """The common case, parsed by pyarrow into Arrow-backed text (no Python
    object per cell): every line one record with as many fields as the first,
    no empty line, no line break inside a cell. None otherwise: title rows of
    fewer fields, blank lines and multi-line cells go the pandas way."""
    try:
        width = len(next(csv.reader(io.StringIO(text))))
    except (StopIteration, csv.Error):
        return None
    names = [str(i) for i in range(width)]
    try:
        table = pacsv.read_csv(
            io.BytesIO(text.encode("utf-8", "surrogatepass")),
            read_options=pacsv.ReadOptions(column_names=names),
            parse_options=pacsv.ParseOptions(newlines_in_values=False, ignore_empty_lines=False),
            convert_options=pacsv.ConvertOptions(column_types=dict.fromkeys(names, pa.string()),
                                                 strings_can_be_null=False, quoted_strings_can_be_null=False))
    except (pa.ArrowException, UnicodeError):
        return None
    if table.num_rows != _line_count(text):
        return None
    cells = table.to_pandas(types_mapper={pa.string(): pd.StringDtype("pyarrow")}.get)
    cells.columns = range(width)
    cells.index = pd.RangeIndex(1, len(cells) + 1)
    return cells


def _any_csv_cells(text: str) -> pd.DataFrame:
    # Title rows have fewer fields than the header: name enough columns up
    # front (an upper bound; empty extra columns are harmless).
    width = _most_commas_on_a_line(text) + 1
    for attempt in range(3):
        try:
            cells = pd.read_csv(io.StringIO(text), header=None, names=range(width), dtype=str,
                                keep_default_na=False, na_filter=False, skip_blank_lines=False)
            break
        except pd.errors.ParserError:  # a quoted field spanning lines holds more commas than any one line
            if attempt == 2:
                raise FileProblem("CSV 文件格式有误（引号不配对或列数异常），已跳过") from None
            width *= 4
    cells = cells.astype(object)
    lines = _line_count(text)
    if lines == len(cells):
        cells.index = pd.RangeIndex(1, len(cells) + 1)
    else:  # a quoted cell with line breaks moves every later record down that many lines
        # Count per cell only in the few columns holding a line break at all.
        broken = [c for c in cells.columns if _LINE_BREAK.search("".join(cells[c]))]
        breaks = sum((cells[c].str.count(_LINE_BREAK.pattern) for c in broken), pd.Series(0, index=cells.index))
        cells.index = pd.Index(cells.index + 1 + breaks.shift(fill_value=0).cumsum(), dtype="int64")
    return cells


def _html_cells(data: bytes) -> pd.DataFrame:
    parser = _FirstTable()
    parser.feed(decode(data))
    parser.close()
    if not parser.rows:
        raise FileProblem(HTML_NO_TABLE)
    cells = pd.DataFrame(parser.rows, dtype=object).fillna("")
    cells.index = pd.RangeIndex(1, len(cells) + 1)
    return cells


# HTML tables, and Excel 2003 XML (SpreadsheetML) <Table><Row><Cell>, also saved as .xls.
ROW_TAGS = ("tr", "row")
CELL_TAGS = ("td", "th", "cell")


class _FirstTable(HTMLParser):
    """Cell texts of the first table of a web system's "Excel" export. The
    standard library's parser: no lxml/bs4 dependency for this one case.

    Cells land in the columns they cover, as in Excel: a cell spanning rows
    (rowspan, ss:MergeDown: a header name over both rows of a two-row header)
    leaves its column empty in the rows below, a cell spanning columns
    (colspan, ss:MergeAcross) the columns to its right; ss:Index places a cell."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.rows: list[list[str]] = []
        self.depth, self.done = 0, False
        self.cell: list[str] | None = None
        self.span = self.down = 1
        self.covered: dict[int, int] = {}   # column → last row index a cell above spans

    def handle_starttag(self, tag, attrs):
        if self.done:
            return
        if tag == "table":
            self.depth += 1
        elif self.depth == 1 and tag in ROW_TAGS:
            self.rows.append([])
        elif self.depth == 1 and tag in CELL_TAGS and self.rows:
            attrs = dict(attrs)
            self._place(attrs.get("ss:index"))
            self.cell, self.span = [], _span(attrs.get("colspan"), attrs.get("ss:mergeacross"))
            self.down = _span(attrs.get("rowspan"), attrs.get("ss:mergedown"))
        elif tag == "br" and self.cell is not None:
            self.cell.append("\n")

    def _place(self, index: str | None) -> None:
        """Empty cells before the next one: up to its ss:Index, else over the
        columns that cells of the rows above still span."""
        row, here = self.rows[-1], len(self.rows) - 1
        if index and index.isdigit():
            row += [""] * max(0, min(int(index), MAX_SPAN) - 1 - len(row))
            return
        while self.covered.get(len(row), -1) >= here:
            row.append("")

    def handle_endtag(self, tag):
        if self.done:
            return
        if self.depth == 1 and tag in CELL_TAGS and self.cell is not None:
            row = self.rows[-1]
            if self.down > 1:
                for column in range(len(row), len(row) + self.span):
                    self.covered[column] = len(self.rows) - 1 + self.down - 1
            row += ["".join(self.cell).strip()] + [""] * (self.span - 1)
            self.cell = None
        elif tag == "table":
            self.depth -= 1
            self.done = self.depth == 0

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data)


MAX_SPAN = 1000


def _span(span: str | None, merge: str | None) -> int:
    """Columns (colspan / ss:MergeAcross) or rows (rowspan / ss:MergeDown) a cell covers."""
    try:
        count = int(span) if span else int(merge or 0) + 1
    except ValueError:
        return 1
    return max(1, min(count, MAX_SPAN))
