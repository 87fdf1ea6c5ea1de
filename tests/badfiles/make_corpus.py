"""A corpus of the bad input files county data teams really send (issue 7):
broken, renamed, encrypted, empty, odd encodings and layouts, formula and
merged cells, mixed date spellings, IDs with letters.

    python tests/badfiles/make_corpus.py DIR     # writes DIR/<source>/<file>

`build_corpus(dir) -> list[Path]` writes every file under its source folder
(system/, ledger/, education/, …) so the folders can be laid over a data
drop; `EXPECT` says, per file (path relative to the drop), which input
problem it must give. `write_huge_xlsx` writes a full 1,048,576-row sheet
for the slow test. Generated, never committed: the script is the corpus.
"""
from __future__ import annotations

import datetime as dt
import io
import random
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import xlsxwriter

TESTS = Path(__file__).resolve().parents[1]
if str(TESTS) not in sys.path:
    sys.path.insert(0, str(TESTS))

from files import write_csv, write_xls, write_xlsx  # noqa: E402

from recon.ids import check_chars  # noqa: E402

EXCEL_MAX_ROWS = 1_048_576


@dataclass(frozen=True)
class Expect:
    """The input problem a corpus file must give. Row-level: sheet, row and
    column of the planted bad cell; file-level: row is None. `problem` is a
    substring of the problem text ("" = any)."""
    problem: str = ""
    sheet: str | None = None
    row: int | None = None
    column: str | None = None


EXPECT: dict[str, Expect] = {}


def person_id(seq: int, birth: str = "19850315", region: str = "430322") -> str:
    """A valid 18-digit ID (GB 11643 check digit) nobody in a test drop holds."""
    first17 = f"{region}{birth}{seq:03d}"
    return first17 + check_chars(pd.Series([first17])).iloc[0]


# Header rows and good rows per sector source; the planted bad cell is put in by each case.
HEADERS = {
    "education": ["姓名", "证件号码", "学段", "学籍状态"],
    "medical": ["证件号码", "参保年度", "参保状态"],
    "housing": ["证件号码", "鉴定等级", "鉴定日期"],
    "hukou": ["证件号码", "户籍状态", "注销日期"],
    "water": ["乡镇", "行政村", "供水方式"],
    "system": ["户编号", "姓名", "证件号码"],
    "ledger": ["姓名", "证件号码", "与户主关系"],
}


def good_rows(source: str, start: int, n: int = 3) -> list[list]:
    ids = [person_id(start + i) for i in range(n)]
    return {
        "education": [[f"学生{i}", ids[i], "小学", "在读"] for i in range(n)],
        "medical": [[ids[i], 2025, "正常参保"] for i in range(n)],
        "housing": [[ids[i], "A", dt.date(2024, 3, 1)] for i in range(n)],
        "hukou": [[ids[i], "正常", ""] for i in range(n)],
        "water": [["城关镇", f"村{i}", "集中供水"] for i in range(n)],
        "system": [[f"H9{start + i}", f"户主{i}", ids[i]] for i in range(n)],
        "ledger": [[f"户主{i}", ids[i], "户主"] for i in range(n)],
    }[source]


# A value the schema rejects, per source: (column, bad value, problem text).
BAD_CELL = {
    "education": ("学籍状态", "不详", "不在取值范围内"),
    "medical": ("参保状态", "不清楚", "不在取值范围内"),
    "housing": ("鉴定等级", "E级", "无法识别的鉴定等级"),
    "hukou": ("户籍状态", "失踪", "不在取值范围内"),
    "water": ("供水方式", "井水?", "不在取值范围内"),
}


def with_bad_cell(source: str, start: int, at: int = 2) -> list[list]:
    """Header + good rows, the `at`-th data row (0-based) holding the bad cell."""
    rows = good_rows(source, start)
    column, value, _ = BAD_CELL[source]
    rows[at][HEADERS[source].index(column)] = value
    return [HEADERS[source], *rows]


def _expect_bad_cell(relpath: str, source: str, row: int, sheet: str = "") -> None:
    column, _, text = BAD_CELL[source]
    EXPECT[relpath] = Expect(text, sheet, row, column)


def _xlsx_bytes(rows: list[list], sheet: str = "Sheet1") -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    ws = book.add_worksheet(sheet)
    for r, row in enumerate(rows):
        ws.write_row(r, 0, row)
    book.close()
    return buffer.getvalue()


def _encrypted_xlsx(plain: bytes) -> bytes:
    """A real password-protected workbook (ECMA-376 agile encryption in an OLE
    container); without msoffcrypto-tool, the OLE header and EncryptionInfo
    stream name the reader keys on."""
    try:
        from msoffcrypto.format.ooxml import OOXMLFile
    except ImportError:
        return b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504 + "EncryptionInfo".encode("utf-16-le") + b"\x00" * 512
    encrypted = io.BytesIO()
    OOXMLFile(io.BytesIO(plain)).encrypt("1234", encrypted)
    return encrypted.getvalue()


def _zip(entries: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in entries.items():
            archive.writestr(name, text)
    return buffer.getvalue()


def _html_table(rows: list[list]) -> bytes:
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    return f"<html><head><meta charset='utf-8'></head><body><table>{body}</table></body></html>".encode()


def _csv_text(rows: list[list]) -> str:
    return "".join(",".join("" if c is None else str(c) for c in row) + "\n" for row in rows)


def build_corpus(root: Path) -> list[Path]:
    """Write every corpus file under `root/<source>/`; returns their paths."""
    root = Path(root)
    EXPECT.clear()
    junk = random.Random(7)
    made: list[Path] = []

    def put(relpath: str, data: bytes, expect: Expect | None = None) -> None:
        path = root / relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        made.append(path)
        if expect is not None:
            EXPECT[relpath] = expect

    good_xlsx = _xlsx_bytes([HEADERS["system"], *good_rows("system", 1)])
    write_xls(root / ".scratch.xls", {"Sheet1": [HEADERS["ledger"], *good_rows("ledger", 1)]})
    good_xls = (root / ".scratch.xls").read_bytes()
    (root / ".scratch.xls").unlink()

    # Broken containers: one file-level problem each.
    put("system/截断.xlsx", good_xlsx[: len(good_xlsx) // 2], Expect("损坏"))
    put("system/只有文件头.xlsx", b"PK\x03\x04", Expect("损坏"))
    put("system/空文件.xlsx", b"", Expect("空"))
    put("system/加密.xlsx", _encrypted_xlsx(good_xlsx), Expect("密码"))
    put("system/乱码.csv", bytes(junk.randrange(256) for _ in range(4096)), Expect())
    put("ledger/截断.xls", good_xls[: len(good_xls) // 3], Expect("损坏"))
    put("ledger/空白.csv", b"\r\n  \n\t\n", Expect("空"))
    put("ledger/乱码.xlsx", bytes(junk.randrange(256) for _ in range(4096)), Expect())
    fake_cfb = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504 + "EncryptionInfo".encode("utf-16-le")
    put("ledger/伪加密.xlsx", fake_cfb, Expect("密码"))
    put("ledger/乱码.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(junk.randrange(256) for _ in range(2048)),
        Expect("损坏"))
    put("education/压缩包.xlsx", _zip({"readme.txt": "不是表格"}), Expect("损坏"))
    sheet_garbage = zipfile.ZipFile(io.BytesIO(good_xlsx))
    broken = {n: sheet_garbage.read(n).decode("utf-8", "replace") for n in sheet_garbage.namelist()}
    broken["xl/worksheets/sheet1.xml"] = "<worksheet><sheetData><row r='1'><c r='A1' t='s'><v>99"
    put("education/坏xml.xlsx", _zip(broken), Expect("损坏"))
    put("hukou/空工作表.xlsx", _xlsx_bytes([]), Expect("空"))
    book = io.BytesIO()
    two = xlsxwriter.Workbook(book, {"in_memory": True})
    two.add_worksheet("Sheet1"), two.add_worksheet("Sheet2")
    two.close()
    put("hukou/两个空工作表.xlsx", book.getvalue(), Expect("空"))
    put("hukou/NUL字节.csv", f"证件号码,户籍状态\n{person_id(8)},正常\n\x00\x00{person_id(9)},失踪\n".encode(), Expect())
    put("water/引号不配对.csv", ('乡镇,行政村,供水方式\n城关镇,"东村,集中供水\n' + "城关镇,西村,集中供水\n" * 3).encode(),
        Expect())
    put("education/空网页.xls", b"<html><body><p>\xe5\xaf\xbc\xe5\x87\xba\xe5\xa4\xb1\xe8\xb4\xa5</p></body></html>",
        Expect())

    # Header problems.
    put("ledger/只有表头.xlsx", _xlsx_bytes([["XX村户册"], HEADERS["ledger"]]), Expect("只有表头", "Sheet1"))
    put("water/只有表头.csv", _csv_text([HEADERS["water"]]).encode("utf-8-sig"), Expect("只有表头"))
    put("education/找不到表头.csv", _csv_text([["名字", "号码"], ["张三", person_id(5)]]).encode(), Expect("找不到表头"))
    put("hukou/只有标题.csv", "XX县户籍状态表\n".encode("gb18030"), Expect("找不到表头"))
    put("hukou/表头太靠下.xlsx", _xlsx_bytes([[f"说明{i}"] for i in range(60)] + with_bad_cell("hukou", 10)),
        Expect("找不到表头"))
    dup = [["姓名", "证件号码", "身份证号", "学段", "学籍状态"],
           *[[r[0], r[1], r[1], r[2], r[3]] for r in good_rows("education", 20)]]
    put("education/表头重复.xlsx", _xlsx_bytes(dup, "名单"), Expect("表头重复", "名单", 1))
    same = [["证件号码", "参保年度", "参保状态", "参保状态"], *[[*r, r[-1]] for r in good_rows("medical", 30)]]
    put("medical/同名列.csv", _csv_text(same).encode(), Expect("表头重复", "", 1))

    # Readable files with odd formats: read, and the planted bad cell is found where it is.
    put("education/CSV改名.xlsx", _csv_text(with_bad_cell("education", 40)).encode("utf-8"))
    _expect_bad_cell("education/CSV改名.xlsx", "education", 4)
    put("education/网页导出.xlsx", _html_table([["XX县学籍名单"], *with_bad_cell("education", 50)]))
    _expect_bad_cell("education/网页导出.xlsx", "education", 5)
    put("hukou/Excel改名.csv", _xlsx_bytes(with_bad_cell("hukou", 60), "户籍"))
    _expect_bad_cell("hukou/Excel改名.csv", "hukou", 4, "户籍")
    put("medical/utf16.csv", _csv_text(with_bad_cell("medical", 70)).replace("\n", "\r\n").encode("utf-16"))
    _expect_bad_cell("medical/utf16.csv", "medical", 4)
    put("medical/utf16无BOM.csv", _csv_text(with_bad_cell("medical", 75)).encode("utf-16-le"), Expect())
    lines = _csv_text(with_bad_cell("medical", 80, at=2)).splitlines()
    put("medical/混合换行.csv", (lines[0] + "\r\n" + lines[1] + "\r" + lines[2] + "\n" + lines[3] + "\r\n").encode())
    _expect_bad_cell("medical/混合换行.csv", "medical", 4)
    write_xls(root / "education/老格式.xls", {"学籍": with_bad_cell("education", 90)})
    made.append(root / "education/老格式.xls")
    _expect_bad_cell("education/老格式.xls", "education", 4, "学籍")
    write_xlsx(root / "housing/多工作表.xlsx", {"说明": [["本表由住建局提供"]], "数据": with_bad_cell("housing", 100)})
    made.append(root / "housing/多工作表.xlsx")
    _expect_bad_cell("housing/多工作表.xlsx", "housing", 4, "数据")
    write_csv(root / "water/超长单元格.csv", [HEADERS["water"], ["城关镇", "东村", "集中供水"],
                                               ["城关镇", "西村", "井" * 100_000]])
    made.append(root / "water/超长单元格.csv")
    EXPECT["water/超长单元格.csv"] = Expect("不在取值范围内", "", 3, "供水方式")
    write_csv(root / "water/控制字符.csv", [HEADERS["water"], ["城关镇\x07", "东\x1b村", "集中供水"],
                                             ["城关镇", "南\x00村", "井水?\x01"]])
    made.append(root / "water/控制字符.csv")
    EXPECT["water/控制字符.csv"] = Expect("不在取值范围内", "", 3, "供水方式")

    wide = with_bad_cell("education", 170)
    wide[2] = wide[2] + [""] * 5000          # a row dragged far to the right
    write_csv(root / "education/超宽行.csv", wide)
    made.append(root / "education/超宽行.csv")
    _expect_bad_cell("education/超宽行.csv", "education", 4)
    put("system/网页无表格.xlsx", "<!DOCTYPE html><html><body>系统繁忙，请稍后再试</body></html>".encode(), Expect())

    made += _formula_and_merged(root)
    made += _dates_and_ids(root)
    return made


def _formula_and_merged(root: Path) -> list[Path]:
    """Formula cells (cached values as Excel saved them) and merged header cells."""
    path = root / "medical/公式.xlsx"
    path.parent.mkdir(parents=True, exist_ok=True)
    book = xlsxwriter.Workbook(str(path))
    ws = book.add_worksheet("参保")
    ws.write_row(0, 0, HEADERS["medical"])
    for r, row in enumerate(good_rows("medical", 110), start=1):
        ws.write_string(r, 0, row[0])
        ws.write_formula(r, 1, "=2020+5", None, 2025)
        ws.write_formula(r, 2, '=IF(1,"正常参保","")', None, "正常参保")
    ws.write_formula(3, 2, '=IF(1,"未知","")', None, "未知")      # row 4: not a 参保状态
    ws.write_formula(2, 1, "=1/0", None, "#DIV/0!")               # an error cell reads as empty
    book.close()
    EXPECT["medical/公式.xlsx"] = Expect("不在取值范围内", "参保", 4, "参保状态")

    merged = root / "housing/合并表头.xlsx"
    book = xlsxwriter.Workbook(str(merged))
    ws = book.add_worksheet("鉴定")
    ws.merge_range(0, 0, 0, 3, "XX县农村住房安全鉴定汇总表")
    ws.merge_range(1, 0, 2, 0, "证件号码")      # key header merged over two rows
    ws.merge_range(1, 1, 1, 2, "鉴定情况")      # a group header above two sub-headers
    ws.write_row(2, 1, ["鉴定等级", "鉴定日期"])
    for r, row in enumerate(with_bad_cell("housing", 120)[1:], start=3):
        ws.write_row(r, 0, [row[0], row[1], row[2].isoformat()])
    book.close()
    EXPECT["housing/合并表头.xlsx"] = Expect("无法识别的鉴定等级", "鉴定", 6, "鉴定等级")
    return [path, merged]


def _dates_and_ids(root: Path) -> list[Path]:
    """Dates as text, date cells and serial numbers mixed; IDs with letters or
    stored as numbers."""
    ids = [person_id(130 + i) for i in range(8)]
    mixed = [HEADERS["hukou"],
             [ids[0], "死亡注销", "2023-05-01"],
             [ids[1], "死亡注销", dt.date(2023, 5, 2)],
             [ids[2], "迁出注销", 45050],                # serial number cell
             [ids[3], "迁出注销", "45051"],              # serial as text
             [ids[4], "死亡注销", "2023年5月5日"],
             [ids[5], "死亡注销", "20230506"],
             [ids[6], "死亡注销", "2023-02-30"],         # row 8: no such day
             [ids[7], "正常", ""]]
    write_xlsx(root / "hukou/日期混合.xlsx", {"户籍": mixed})
    EXPECT["hukou/日期混合.xlsx"] = Expect("无法识别的日期", "户籍", 8, "注销日期")
    write_csv(root / "hukou/日期混合.csv", [[str(c) for c in row] for row in mixed])
    EXPECT["hukou/日期混合.csv"] = Expect("无法识别的日期", "", 8, "注销日期")

    lettered = [HEADERS["housing"],
                [person_id(140), "B", "2024-01-01"],
                [person_id(141)[:-2] + "A" + person_id(141)[-1], "C", "2024-01-01"],   # row 3
                ["4303221985O315142X", "A", "2024-01-01"],
                ["身份证遗失", "A", "2024-01-01"]]
    write_xlsx(root / "housing/身份证含字母.xlsx", {"Sheet1": lettered})
    EXPECT["housing/身份证含字母.xlsx"] = Expect("证件号码无效", "Sheet1", 3, "证件号码")
    write_csv(root / "hukou/身份证含字母.csv", [HEADERS["hukou"], [person_id(150), "正常", ""],
                                                ["43032219850315ABCD", "正常", ""]])
    EXPECT["hukou/身份证含字母.csv"] = Expect("证件号码无效", "", 3, "证件号码")
    write_xlsx(root / "medical/数字格式身份证.xlsx",
               {"Sheet1": [HEADERS["medical"], [person_id(160), 2025, "正常参保"],
                           [int(person_id(161)[:-1] + "0"), 2025, "正常参保"]]})
    EXPECT["medical/数字格式身份证.xlsx"] = Expect("数字格式", "Sheet1", 3, "证件号码")
    return [root / p for p in ("hukou/日期混合.xlsx", "hukou/日期混合.csv", "housing/身份证含字母.xlsx",
                               "hukou/身份证含字母.csv", "medical/数字格式身份证.xlsx")]


def write_huge_xlsx(path: Path, source: str = "hukou", rows: int = EXCEL_MAX_ROWS) -> Path:
    """A sheet filled to Excel's last row (header + rows-1 data rows), the
    planted bad cell in the last row. The sheet XML is written directly with
    inline strings: xlsxwriter's constant_memory mode takes minutes for this."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    header = HEADERS[source]
    template = zipfile.ZipFile(io.BytesIO(_xlsx_bytes([header])))
    column, bad, _ = BAD_CELL[source]
    good = dict(zip(header, good_rows(source, 0, 1)[0]))

    def cell(ref: str, value) -> str:
        return f'<c r="{ref}" t="inlineStr"><is><t>{value}</t></is></c>'

    letters = "ABCDEFGH"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as out:
        for name in template.namelist():
            if name != "xl/worksheets/sheet1.xml":
                out.writestr(name, template.read(name))
        with out.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns='
                        b'"http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>')
            sheet.write(_row_xml(1, [cell(f"{letters[i]}1", h) for i, h in enumerate(header)]).encode())
            chunk = 50_000
            for start in range(2, rows + 1, chunk):
                stop = min(start + chunk, rows + 1)
                parts = []
                for r in range(start, stop):  # generating a test file, not processing data
                    values = {**good, column: bad} if r == rows else good
                    parts.append(_row_xml(r, [cell(f"{letters[i]}{r}", values[h]) for i, h in enumerate(header)]))
                sheet.write("".join(parts).encode())
            sheet.write(b"</sheetData></worksheet>")
    return path


def _row_xml(number: int, cells: list[str]) -> str:
    return f'<row r="{number}">{"".join(cells)}</row>'


if __name__ == "__main__":
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "badfiles_out")
    written = build_corpus(target)
    print(f"{len(written)} files under {target}")
