"""Township correction lists and bureau verification lists (RULES.md
§Lifecycle and lists, CONTRACT.md §4): one workbook per township (整改清单) or
per sector bureau (核查清单, recon/bureaus.py) with a 汇总 sheet, one sheet per
category and a 已销号 sheet, rows coloured by the 三色制, every sheet set up to
print on A4 landscape (the township or bureau prints it, fills it in by hand
and signs it). The two kinds differ only in what ListKind says: columns,
fill-in columns, file-name word, signature line and the summary's rows.

Every cell is written with write_string / write_number / write_blank, never
write(), and the workbook is opened with strings_to_formulas off, so nothing
the input holds can become a formula or a link.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import xlsxwriter

from recon.atomic import atomic_path, safe_filename
from recon.ids import mask_id, mask_ids_in_text
from recon.labels import FEEDBACK_CHOICES, LIST_SHEETS, SEVERITY_LABELS, STATUS_LABELS
from recon.settings import Settings

# The sheets in order: the categories of the rule catalog (a rule's `category`),
# passed in by the caller; these are those of the first catalog, for callers without one.
CATEGORIES = LIST_SHEETS
RESOLVED_SHEET = "已销号"
OTHER_SHEET = "其他"              # only when a finding carries no known category
SUMMARY_SHEET = "汇总"
UNKNOWN_TOWNSHIP = "未知乡镇"
UNKNOWN_VILLAGE = "未填行政村"
BIG_LIST_ROWS = 50_000            # above this a workbook streams rows (constant_memory)

# (Chinese header, finding column) in sheet order; None = derived below.
FINDING_HEADERS = [
    ("问题编号", "issue_id"), ("规则", "rule"), ("严重程度", None), ("状态", None), ("三色", None),
    ("乡镇", None), ("行政村", "village"), ("户编号", "household_id"), ("证件号码", None),
    ("姓名", "name"), ("来源", "source"), ("文件", "file"), ("行号", None), ("字段", "field"),
    ("应为", "expected"), ("实为", "actual"), ("问题描述", "message"), ("首次发现", None),
    ("最近发现", None),
]
# Blank for the township to fill; returned lists are read back by these names.
FILL_IN_HEADERS = ["整改责任人", "整改情况", "整改完成时间", "核实说明"]
HEADERS = [h for h, _ in FINDING_HEADERS] + FILL_IN_HEADERS
# A bureau list shows, beside the finding, the bureau's own record of it (recon/bureaus.py).
BUREAU_RECORD_HEADERS = [("部门文件", "bureau_file"), ("部门行号", None)]
BUREAU_FINDING_HEADERS = (FINDING_HEADERS[:FINDING_HEADERS.index(("行号", None)) + 1] + BUREAU_RECORD_HEADERS
                          + FINDING_HEADERS[FINDING_HEADERS.index(("行号", None)) + 1:])
# Blank for the bureau to fill: 核查结果 takes the township's two answers; 核实说明 the reason.
BUREAU_FILL_IN_HEADERS = ["核查结果", "核查人", "核查日期", "核实说明"]
NUMBER_HEADERS = {"行号", "部门行号"}
# Number columns and the finding column each is read from.
NUMBER_SOURCES = {"行号": "row", "部门行号": "bureau_row"}

RED, YELLOW, GREEN = "红", "黄", "绿"
FILLS = {RED: "#FFC7CE", YELLOW: "#FFEB9C", GREEN: "#C6EFCE"}
MAX_WIDTH, MIN_WIDTH = 50, 6
# Printed fitted to one A4 width, the sum of the widths sets the scale (≈55 %):
# columns whose text runs long wrap within these widths, their rows grow taller.
WRAP_WIDTHS = {"乡镇": 6, "行政村": 10, "户编号": 20, "证件号码": 20, "姓名": 9, "来源": 10, "文件": 12, "字段": 10,
               "应为": 11, "实为": 11, "问题描述": 36, "部门文件": 12}
# Room to write by hand on the printed list.
FILL_IN_WIDTHS = {"整改责任人": 9, "整改情况": 9, "整改完成时间": 10, "核实说明": 18}
BUREAU_FILL_IN_WIDTHS = {"核查结果": 9, "核查人": 9, "核查日期": 10, "核实说明": 18}
# Rows get explicit heights: LibreOffice does not grow a row for wrapped text
# by itself, and so every program prints the same pages. A line of 11 pt CJK
# text takes 16 pt; at least two lines leave room to write in by hand.
LINE_POINTS, MIN_LINES, ROW_PADDING = 16, 2, 3
MAX_ROW_POINTS = 409              # Excel's highest row
WORKBOOK_OPTIONS = {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}

A4 = 9                            # Excel's paper code
PAGE_FOOTER = "&C第 &P 页 共 &N 页"
SIGNATURE = "乡镇负责人（签字）：________________　　　　日期：________年_____月_____日"
BUREAU_SIGNATURE = "部门负责人（签字）：________________　　　　日期：________年_____月_____日"
HEADER_NAME_CHARS = 40            # county, township each: Excel drops a page header over 255 characters


@dataclass(frozen=True)
class ListKind:
    """What a kind of list is: its folder and file-name word, its columns
    (finding columns as (header, finding column or None = derived), then the
    blank fill-in columns), the fill-in column with the 已整改/核实无误
    dropdown, the signature line, and what the 汇总 sheet has a row for."""
    folder: str
    word: str                                   # in the file name and the page header: 整改清单 / 核查清单
    finding_headers: tuple[tuple[str, str | None], ...]
    fill_in_headers: tuple[str, ...]
    fill_in_widths: dict[str, int]
    answer: str                                 # the fill-in column read back as 整改情况
    signature: str
    summary_by: str                             # 汇总: a row per 行政村 (township lists) or 乡镇 (bureau lists)
    summary_unknown: str                        # … and the row of the findings without one
    sort_by: tuple[str, ...]
    headers: tuple[str, ...] = field(init=False)
    header_widths: np.ndarray = field(init=False, repr=False, compare=False)
    header_needs: np.ndarray = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        headers = tuple(h for h, _ in self.finding_headers) + self.fill_in_headers
        widths = display_widths(headers)
        object.__setattr__(self, "headers", headers)
        object.__setattr__(self, "header_widths", widths)
        # Headers wrap onto two lines, so a column needs only half its header's width (whole CJK characters).
        object.__setattr__(self, "header_needs", -(-widths // 4) * 2)


# ---- frames ---------------------------------------------------------------

def _text(frame: pd.DataFrame, column: str) -> pd.Series:
    if column not in frame.columns:
        return pd.Series("", index=frame.index, dtype="string")
    return frame[column].astype("string").fillna("")


def township_key(frame: pd.DataFrame) -> pd.Series:
    """The township a finding is listed under (未知乡镇 when empty)."""
    township = _text(frame, "township").str.strip()
    return township.mask(township == "", UNKNOWN_TOWNSHIP)


def _datetimes(frame: pd.DataFrame, column: str) -> pd.Series:
    if column not in frame.columns:
        return pd.Series(pd.NaT, index=frame.index, dtype="datetime64[ns]")
    return pd.to_datetime(frame[column], errors="coerce")


def colours(frame: pd.DataFrame, as_of: dt.date, overdue_days: int) -> pd.Series:
    """三色制: green resolved; red reopened, claimed fixed or open longer than
    overdue_days since first_seen; yellow the other open and new findings."""
    status = _text(frame, "status")
    claimed = (frame["claimed_fixed"] if "claimed_fixed" in frame.columns
               else pd.Series(False, index=frame.index)).astype("boolean").fillna(False)
    first_seen = _datetimes(frame, "first_seen")
    overdue = ((pd.Timestamp(as_of) - first_seen).dt.days > overdue_days).fillna(False)
    red = (status == "reopened") | claimed.astype(bool) | overdue.astype(bool)
    picked = np.select([(status == "resolved").to_numpy(bool), red.to_numpy(bool)], [GREEN, RED], default=YELLOW)
    return pd.Series(picked, index=frame.index, dtype="string")


def _dates(frame: pd.DataFrame, column: str) -> pd.Series:
    return _datetimes(frame, column).dt.strftime("%Y-%m-%d").astype("string").fillna("")


def display_frame(frame: pd.DataFrame, as_of: dt.date, settings: Settings,
                  categories: tuple[str, ...] = CATEGORIES, kind: ListKind | None = None) -> pd.DataFrame:
    """Findings as the list shows them: the kind's headers in order, text cells
    as str, 行号 (部门行号) as a number (NA blank), plus `_colour` and `_category`."""
    kind = kind or TOWNSHIP_LIST
    ids = _text(frame, "id_number")
    shown = {header: _text(frame, column) for header, column in kind.finding_headers if column}
    shown.update({
        "严重程度": _text(frame, "severity").map(SEVERITY_LABELS).fillna(_text(frame, "severity")),
        "状态": _text(frame, "status").map(STATUS_LABELS).fillna(_text(frame, "status")),
        "三色": colours(frame, as_of, settings.overdue_days),
        "乡镇": township_key(frame),
        "证件号码": mask_id(ids).fillna("") if settings.mask_id_numbers else ids,
        # ID01 carries the raw cell and a suggested ID in 实为/应为: masked like 证件号码.
        **({header: mask_ids_in_text(shown[header]).fillna("") for header in ("应为", "实为")}
           if settings.mask_id_numbers else {}),
        **{header: pd.to_numeric(frame[column], errors="coerce") if column in frame.columns else np.nan
           for header, column in NUMBER_SOURCES.items() if header in kind.headers},
        "首次发现": _dates(frame, "first_seen"),
        "最近发现": _dates(frame, "last_seen"),
    })
    out = pd.DataFrame(shown, index=frame.index)
    out[list(kind.fill_in_headers)] = ""
    out = out[list(kind.headers)]
    out["_colour"] = out["三色"]
    category = _text(frame, "category")
    out["_category"] = category.where(category.isin(categories), OTHER_SHEET)
    return out.sort_values(list(kind.sort_by), kind="stable").reset_index(drop=True)


def display_widths(texts) -> np.ndarray:
    """Characters per text, CJK (non-Latin-1) ones counting double."""
    text = pd.Series(texts, dtype="string")
    return (text.str.len() + text.str.count(r"[^\x00-\xff]")).to_numpy(dtype=np.int64)


TOWNSHIP_LIST = ListKind(
    folder="townships", word="整改清单", finding_headers=tuple(FINDING_HEADERS),
    fill_in_headers=tuple(FILL_IN_HEADERS), fill_in_widths=FILL_IN_WIDTHS, answer="整改情况", signature=SIGNATURE,
    summary_by="行政村", summary_unknown=UNKNOWN_VILLAGE, sort_by=("行政村", "户编号", "规则", "问题编号"))
BUREAU_LIST = ListKind(
    folder="bureaus", word="核查清单", finding_headers=tuple(BUREAU_FINDING_HEADERS),
    fill_in_headers=tuple(BUREAU_FILL_IN_HEADERS), fill_in_widths=BUREAU_FILL_IN_WIDTHS, answer="核查结果",
    signature=BUREAU_SIGNATURE, summary_by="乡镇", summary_unknown=UNKNOWN_TOWNSHIP,
    sort_by=("乡镇", "行政村", "户编号", "规则", "问题编号"))


def line_counts(widths: np.ndarray, column_widths) -> np.ndarray:
    """Lines per cell when text of `widths` (columns × rows) wraps in columns
    of `column_widths`. A CJK character is a little wider than two digits and
    wrapping breaks at words: a line holds 90 % of the column, to be safe."""
    holds = np.maximum(np.asarray(column_widths, dtype=float) * 0.9 - 0.5, 1.0)
    return np.ceil(widths / holds[:, None]).astype(np.int64)


def row_heights(widths: np.ndarray, column_widths, least_lines: int = MIN_LINES) -> np.ndarray:
    """Points per row: its tallest wrapped cell's lines, at least `least_lines`."""
    lines = line_counts(widths, column_widths).max(axis=0, initial=1)
    return np.minimum(np.maximum(lines, least_lines) * LINE_POINTS + ROW_PADDING, MAX_ROW_POINTS)


class Cells:
    """A display frame converted once to what a sheet writes: per shown
    column a list of Python values (行号 float or None, the rest str), each
    cell's display width (CJK — non-Latin-1 — characters counting double)
    and each row's colour. Sheets take rows of it by position: converting
    per sheet costs more than the writing at 48 sheets a county."""

    def __init__(self, table: pd.DataFrame, kind: ListKind | None = None):
        self.kind = kind = kind or TOWNSHIP_LIST
        shown = [h for h, _ in kind.finding_headers]
        self.values = [table[h].astype("Float64").astype(object).where(table[h].notna(), None).tolist()
                       if h in NUMBER_HEADERS else table[h].astype("string").fillna("").tolist() for h in shown]
        self.colours = table["_colour"].tolist() if "_colour" in table.columns else [YELLOW] * len(table)
        cells = table[list(kind.headers)].astype("string").fillna("").to_numpy(dtype=object)
        self.widths = display_widths(cells.ravel(order="F")).reshape(len(kind.headers), len(table))

    def column_widths(self, rows: np.ndarray) -> list[int]:
        """Display width per column over `rows`: the longest cell or half the
        header, capped (WRAP_WIDTHS); the fill-in columns the kind's fill_in_widths."""
        longest = np.maximum(self.kind.header_needs, self.widths[:, rows].max(axis=1, initial=0))
        return [self.kind.fill_in_widths.get(header)
                or int(min(max(width + 1, MIN_WIDTH), WRAP_WIDTHS.get(header, MAX_WIDTH)))
                for header, width in zip(self.kind.headers, longest)]

    def heights(self, rows: np.ndarray, column_widths: list[int]) -> list[float]:
        """Points per row of `rows` in columns of `column_widths` (row_heights)."""
        return row_heights(self.widths[:, rows], column_widths).tolist()


# ---- file names -----------------------------------------------------------

def list_paths(townships: list[str], folder: Path, county: str, as_of: dt.date,
               word: str = TOWNSHIP_LIST.word) -> dict[str, Path]:
    """One file per township (bureau) inside `folder`, <县>_<name>_<word>_<as-of>.xlsx;
    names that sanitise alike get _2, _3 … so no list overwrites another."""
    paths, taken = {}, set()
    for township in sorted(townships):
        stem = f"{safe_filename(county)}_{safe_filename(township)}_{word}_{as_of:%Y-%m-%d}"
        name, suffix = stem, 1
        while name.casefold() in taken:      # casefold: Windows/macOS file systems ignore case
            suffix += 1
            name = f"{stem}_{suffix}"
        taken.add(name.casefold())
        path = folder / f"{name}.xlsx"
        if path.resolve().parent != folder.resolve():   # safe_filename makes this impossible; be sure
            raise ValueError(f"list path escapes the {folder.name} folder")
        paths[township] = path
    return paths


# ---- printing -------------------------------------------------------------

def _header_text(name: str) -> str:
    """User text for a page header: control characters blanked, cut to
    HEADER_NAME_CHARS, and & (Excel's code character: &P, &12 …) doubled."""
    name = re.sub(r"[\x00-\x1f\x7f]", " ", name)
    if len(name) > HEADER_NAME_CHARS:
        name = name[:HEADER_NAME_CHARS - 1] + "…"
    return name.replace("&", "&&")


def page_header(county: str, township: str, as_of: dt.date, word: str = TOWNSHIP_LIST.word) -> str:
    """County, township (bureau), list and as-of in the centre, in bold 12 pt
    (the size code before the font code: a name starting with a digit would
    run into it); the sheet's name (&A) on the right."""
    return (f'&C&12&"-,Bold"{_header_text(county)} {_header_text(township)} {word}（截至 {as_of:%Y-%m-%d}）'
            "&R&A")


def _set_up_printing(sheet, header: str, repeat_header_row: bool) -> None:
    """A4 landscape, one page wide and as many tall as it takes, page header
    and 第 N 页 共 M 页; headers and footers keep their size however small the fit."""
    sheet.set_paper(A4)
    sheet.set_landscape()
    sheet.fit_to_pages(1, 0)
    sheet.set_margins(left=0.25, right=0.25, top=0.6, bottom=0.55)
    sheet.center_horizontally()
    sheet.set_header(header, {"margin": 0.25, "scale_with_doc": False})
    sheet.set_footer(PAGE_FOOTER, {"margin": 0.25, "scale_with_doc": False})
    if repeat_header_row:
        sheet.repeat_rows(0)


# ---- workbook -------------------------------------------------------------

class _Formats:
    def __init__(self, book: xlsxwriter.Workbook):
        header = {"bold": True, "border": 1, "text_wrap": True, "align": "center", "valign": "vcenter"}
        self.header = book.add_format({**header, "bg_color": "#D9D9D9"})
        self.fill_in_header = book.add_format({**header, "bg_color": "#BDD7EE"})
        self.title = book.add_format({"bold": True, "font_size": 14})
        self.note = book.add_format({"text_wrap": True, "valign": "top"})
        # Finding cells wrap what is wider than its column; borders print, so the list reads as a table on paper.
        cell = {"border": 1, "text_wrap": True, "valign": "vcenter"}
        self.row = {colour: book.add_format({**cell, "bg_color": fill}) for colour, fill in FILLS.items()}
        self.unfilled = book.add_format(cell)   # fill-in cells: no colour, so they stand out as the township's part
        self.signature = book.add_format({"font_size": 12, "valign": "bottom"})
        self.plain = book.add_format({"border": 1})
        self.total = book.add_format({"bold": True, "border": 1, "bg_color": "#F2F2F2"})


def _write_header(sheet, headers, formats: _Formats, row: int = 0, fill_in: tuple[str, ...] = ()) -> None:
    for col, header in enumerate(headers):
        fmt = formats.fill_in_header if header in fill_in else formats.header
        sheet.write_string(row, col, header, fmt)


def _write_findings_sheet(book, name: str, cells: Cells, rows: np.ndarray, formats: _Formats, header: str) -> None:
    """The sheet `name` with the rows (positions) of `cells`, then the signature line."""
    kind = cells.kind
    sheet = book.add_worksheet(name)
    _set_up_printing(sheet, header, repeat_header_row=True)
    widths = cells.column_widths(rows)
    for col, width in enumerate(widths):
        sheet.set_column(col, col, width)
    sheet.set_row(0, float(row_heights(kind.header_widths[:, None], widths, least_lines=1)[0]))
    _write_header(sheet, kind.headers, formats, fill_in=kind.fill_in_headers)
    n_rows = len(rows)
    numeric = [h in NUMBER_HEADERS for h, _ in kind.finding_headers]
    fill_in_cols = range(len(kind.finding_headers), len(kind.headers))
    # Writing cells is inherently per cell; rows go in order so constant_memory can stream them.
    for r, (row, height) in enumerate(zip(rows.tolist(), cells.heights(rows, widths)), start=1):
        sheet.set_row(r, height)
        fmt = formats.row.get(cells.colours[row], formats.unfilled)
        for c, column in enumerate(cells.values):
            value = column[row]
            if not numeric[c]:
                sheet.write_string(r, c, value, fmt)
            elif value is None:
                sheet.write_blank(r, c, None, fmt)
            else:
                sheet.write_number(r, c, float(value), fmt)
        for c in fill_in_cols:             # blank, but with borders to write within on paper
            sheet.write_blank(r, c, None, formats.unfilled)
    # Last, after the data rows (constant_memory writes rows in order). It has no
    # 问题编号-like id and no 整改情况, so reading the returned list skips it.
    signature_row = n_rows + 2
    sheet.set_row(signature_row, 36)       # room to sign above the line
    sheet.write_string(signature_row, 0, kind.signature, formats.signature)
    sheet.freeze_panes(1, 0)
    sheet.autofilter(0, 0, max(n_rows, 1), len(kind.headers) - 1)
    feedback_col = kind.headers.index(kind.answer)
    sheet.data_validation(1, feedback_col, max(n_rows, 1), feedback_col,
                          {"validate": "list", "source": list(FEEDBACK_CHOICES),
                           "error_title": kind.answer, "error_message": "请选择 已整改 或 核实无误"})


def sheet_categories(categories: tuple[str, ...], *tables: pd.DataFrame) -> list[str]:
    """The categories (in catalog order, then 其他) that have rows in `tables`:
    a sheet only when it has rows (RULES.md §lists)."""
    present = set().union(*(set(table["_category"]) for table in tables if len(table)))
    return [c for c in (*categories, OTHER_SHEET) if c in present]


def summary_table(current: pd.DataFrame, resolved: pd.DataFrame,
                  categories: tuple[str, ...] = CATEGORIES, by: str = "行政村",
                  unknown: str = UNKNOWN_VILLAGE) -> pd.DataFrame:
    """Per village (per `by`): open findings per category, 合计, and 红/黄/绿 counts; last row 合计."""
    open_rows = pd.DataFrame({by: current[by], "category": current["_category"], "colour": current["_colour"]})
    done = pd.DataFrame({by: resolved[by], "category": resolved["_category"], "colour": GREEN})
    both = pd.concat([f for f in (open_rows, done) if len(f)] or [open_rows], ignore_index=True)
    both[by] = both[by].astype("string").replace("", unknown)
    open_only = both[both["colour"] != GREEN]
    categories = sheet_categories(categories, current, resolved)
    by_category = pd.crosstab(open_only[by], open_only["category"]).reindex(columns=categories, fill_value=0)
    by_colour = pd.crosstab(both[by], both["colour"]).reindex(columns=[RED, YELLOW, GREEN], fill_value=0)
    table = by_category.join(by_colour, how="outer").fillna(0).astype(int)
    table.insert(len(categories), "合计", table[categories].sum(axis=1))
    table = table.sort_index()
    table.loc["合计"] = table.sum()
    return table.rename_axis(by).reset_index()


def _write_note(sheet, row: int, note: str, widths: list[int], fmt) -> None:
    """The note wrapped across the table's width: text overflowing the last
    column would not print. A merged row does not grow by itself, so it is
    given the height its lines need."""
    height = row_heights(display_widths([note])[:, None], [sum(widths)], least_lines=1)[0]
    sheet.set_row(row, float(height))
    sheet.merge_range(row, 0, row, len(widths) - 1, "", fmt)
    sheet.write_string(row, 0, note, fmt)


def _write_summary(book, title: str, note: str, table: pd.DataFrame, formats: _Formats, header: str) -> None:
    sheet = book.add_worksheet(SUMMARY_SHEET)
    _set_up_printing(sheet, header, repeat_header_row=False)
    headers = list(table.columns)
    by = headers[0]
    widths = [max(12, min(MAX_WIDTH, int(table[by].str.len().max() or 0) * 2 + 2))] + [10] * (len(headers) - 1)
    for col, width in enumerate(widths):
        sheet.set_column(col, col, width)
    sheet.write_string(0, 0, title, formats.title)
    _write_note(sheet, 1, note, widths, formats.note)
    header_row = 3
    _write_header(sheet, headers, formats, row=header_row)
    counts = table[headers[1:]].to_numpy()
    for i, village in enumerate(table[by].tolist()):
        fmt = formats.total if i == len(table) - 1 else formats.plain
        sheet.write_string(header_row + 1 + i, 0, village, fmt)
        for c, count in enumerate(counts[i], start=1):
            sheet.write_number(header_row + 1 + i, c, int(count), fmt)
    villages = len(table) - 1
    if villages > 0:
        total_col = headers.index("合计")
        chart = book.add_chart({"type": "column"})
        chart.add_series({
            "name": "未销号问题数",
            "categories": [SUMMARY_SHEET, header_row + 1, 0, header_row + villages, 0],
            "values": [SUMMARY_SHEET, header_row + 1, total_col, header_row + villages, total_col],
        })
        chart.set_title({"name": f"各{by}未销号问题数"})
        chart.set_legend({"none": True})
        sheet.insert_chart(header_row + len(table) + 2, 0, chart, {"x_scale": 1.5})


def _write_workbook(path: Path, title: str, note: str, header: str, current: pd.DataFrame,
                    resolved: pd.DataFrame, categories: tuple[str, ...], kind: ListKind) -> None:
    big = len(current) + len(resolved) > BIG_LIST_ROWS
    with atomic_path(path) as tmp:
        book = xlsxwriter.Workbook(str(tmp), {**WORKBOOK_OPTIONS, "constant_memory": big})
        formats = _Formats(book)
        summary = summary_table(current, resolved, categories, kind.summary_by, kind.summary_unknown)
        _write_summary(book, title, note, summary, formats, header)
        sheets = sheet_categories(categories, current)
        current_cells, category = Cells(current, kind), current["_category"].to_numpy(dtype=object)
        for sheet in sheets:
            _write_findings_sheet(book, sheet, current_cells, np.flatnonzero(category == sheet), formats, header)
        _write_findings_sheet(book, RESOLVED_SHEET, Cells(resolved, kind), np.arange(len(resolved)), formats, header)
        book.close()


def write_lists(kind: ListKind, tables: dict[str, tuple[pd.DataFrame, pd.DataFrame]], out_dir: Path, county: str,
                as_of: dt.date, note: str, categories: tuple[str, ...] = CATEGORIES) -> list[Path]:
    """The one writer of both kinds: OUT/<kind.folder>/<县>_<name>_<kind.word>_<as-of>.xlsx
    for every `tables` name → (current, resolved) display frames (display_frame
    of the kind), each written atomically; returns the paths written.
    `categories`: the finding sheets in order (the rule catalog's)."""
    folder = Path(out_dir) / kind.folder
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, path in list_paths(list(tables), folder, county, as_of, kind.word).items():
        current, resolved = tables[name]
        title = f"{county} {name} {kind.word}（{as_of:%Y-%m-%d}）"
        _write_workbook(path, title, note, page_header(county, name, as_of, kind.word), current, resolved,
                        categories, kind)
        written.append(path)
    return written


def list_note(as_of: dt.date, settings: Settings, kind: ListKind) -> str:
    """The 汇总 sheet's note: the colours and what to fill in."""
    fill_in = "、".join(f"{h}（已整改/核实无误）" if h == kind.answer else h for h in kind.fill_in_headers)
    return (f"截至 {as_of:%Y-%m-%d}。三色：红=重现、已报整改仍发现或超过 {settings.overdue_days} 天未销号；"
            f"黄=其他未销号问题；绿=本次销号。请填写 {fill_in}。")


def write_township_lists(current: pd.DataFrame, resolved: pd.DataFrame, out_dir: Path, county: str,
                         as_of: dt.date, settings: Settings, categories: tuple[str, ...] = CATEGORIES) -> list[Path]:
    """Write OUT/townships/<县>_<乡镇>_整改清单_<as-of>.xlsx for every township
    with current or resolved findings; returns the paths written. `categories`:
    the finding sheets in order (the rule catalog's)."""
    current_table = display_frame(current, as_of, settings, categories)
    resolved_table = display_frame(resolved.assign(status="resolved"), as_of, settings, categories)
    townships = sorted(set(current_table["乡镇"]) | set(resolved_table["乡镇"]))
    tables = {township: (current_table[current_table["乡镇"] == township],
                         resolved_table[resolved_table["乡镇"] == township]) for township in townships}
    return write_lists(TOWNSHIP_LIST, tables, out_dir, county, as_of, list_note(as_of, settings, TOWNSHIP_LIST),
                       categories)
