"""Township correction lists (RULES.md §Lifecycle and lists, CONTRACT.md §4),
read back with openpyxl as a clerk's Excel would see them, and printed with
LibreOffice as a township office would print them."""
from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from recon.lists import HEADERS, WRAP_WIDTHS, write_township_lists
from recon.settings import Settings
from factories import make_id

AS_OF = dt.date(2025, 6, 30)
COUNTY = "测试县"
ID_A = make_id(seq="111")
ID_B = make_id(seq="222")

RED, YELLOW, GREEN = "FFC7CE", "FFEB9C", "C6EFCE"


def finding(issue_id: str, **overrides) -> dict:
    row = {
        "issue_id": issue_id, "rule": "EDU01", "severity": "high", "source": "system|education",
        "county": COUNTY, "township": "甲镇", "village": "一村", "household_id": "H1",
        "id_number": ID_A, "name": "张三", "file": "x.xlsx#Sheet1", "row": 5, "field": "学籍状态",
        "expected": "在校", "actual": "无学籍", "message": "适龄儿童无学籍", "status": "new",
        "first_seen": AS_OF, "last_seen": AS_OF, "category": "教育", "claimed_fixed": False,
    }
    row.update(overrides)
    return row


def frame(*rows: dict) -> pd.DataFrame:
    return pd.DataFrame.from_records(list(rows), columns=list(finding("x")))


def write(tmp_path: Path, current: pd.DataFrame, resolved: pd.DataFrame | None = None,
          settings: Settings = Settings()) -> list[Path]:
    return write_township_lists(current, resolved if resolved is not None else frame(), tmp_path,
                                COUNTY, AS_OF, settings)


def data_rows(sheet) -> list[tuple]:
    """The finding rows of a finding sheet: from under the header down to the
    first empty row (the signature line comes after it)."""
    rows = []
    for row in sheet.iter_rows(min_row=2):
        if all(cell.value is None for cell in row):
            break
        rows.append(row)
    return rows


def rows_of(sheet) -> list[dict]:
    """Data rows of a finding sheet as {header: value}."""
    header = [c.value for c in sheet[1]]
    return [dict(zip(header, (cell.value for cell in row))) for row in data_rows(sheet)]


def fill(cell) -> str:
    return (cell.fill.fgColor.rgb or "")[-6:]


def test_one_list_per_township_named_by_county_township_and_as_of(tmp_path):
    paths = write(tmp_path, frame(finding("a"), finding("b", township="乙镇")),
                  frame(finding("c", township="丙镇", status="resolved")))
    assert sorted(p.name for p in paths) == sorted(
        f"{COUNTY}_{t}_整改清单_2025-06-30.xlsx" for t in ("甲镇", "乙镇", "丙镇"))
    assert all(p.parent == tmp_path / "townships" for p in paths)


def test_a_category_sheet_only_when_it_has_rows_in_catalog_order_and_yixiaohao_always(tmp_path):
    """RULES.md §lists: one sheet per category, a sheet only when it has rows; 已销号 for this run's resolved."""
    [path] = write(tmp_path, frame(finding("a"), finding("m", category="医疗", rule="MED01"),
                                   finding("i", category="身份信息", rule="ID03")))
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["汇总", "身份信息", "教育", "医疗", "已销号"]
    for name in book.sheetnames[1:]:
        assert [c.value for c in book[name][1]] == HEADERS
    assert HEADERS[-4:] == ["整改责任人", "整改情况", "整改完成时间", "核实说明"]
    assert len(rows_of(book["教育"])) == 1 and rows_of(book["已销号"]) == []
    assert book["教育"].freeze_panes == "A2"
    assert book["教育"].auto_filter.ref.startswith("A1:")


def test_category_sheets_hold_only_their_category_and_resolved_go_to_yixiaohao(tmp_path):
    current = frame(finding("edu"), finding("med", category="医疗", rule="MED01"))
    resolved = frame(finding("old", status="resolved", category="住房", rule="HOU01"))
    [path] = write(tmp_path, current, resolved)
    book = openpyxl.load_workbook(path)
    assert [r["问题编号"] for r in rows_of(book["教育"])] == ["edu"]
    assert [r["问题编号"] for r in rows_of(book["医疗"])] == ["med"]
    assert "住房" not in book.sheetnames     # resolved only: on 已销号, no sheet of its own
    done = rows_of(book["已销号"])
    assert [(r["问题编号"], r["状态"], r["三色"]) for r in done] == [("old", "已销号", "绿")]


def test_three_colours_red_for_reopened_overdue_and_claimed_fixed(tmp_path):
    long_ago = AS_OF - dt.timedelta(days=31)
    just_in_time = AS_OF - dt.timedelta(days=30)
    current = frame(
        finding("reopened", status="reopened"),
        finding("overdue", status="open", first_seen=long_ago),
        finding("claimed", status="open", first_seen=just_in_time, claimed_fixed=True),
        finding("new", status="new"),
        finding("recent", status="open", first_seen=just_in_time),
    )
    resolved = frame(finding("gone", status="resolved", first_seen=long_ago))
    [path] = write(tmp_path, current, resolved)
    book = openpyxl.load_workbook(path)
    colour_col = HEADERS.index("三色")
    message_col = HEADERS.index("问题描述")
    seen = {}
    for sheet in (book["教育"], book["已销号"]):
        for row in data_rows(sheet):
            seen[row[0].value] = (row[colour_col].value, fill(row[colour_col]), fill(row[message_col]))
    assert seen == {
        "reopened": ("红", RED, RED), "overdue": ("红", RED, RED), "claimed": ("红", RED, RED),
        "new": ("黄", YELLOW, YELLOW), "recent": ("黄", YELLOW, YELLOW), "gone": ("绿", GREEN, GREEN),
    }
    status = {r["问题编号"]: r["状态"] for r in rows_of(book["教育"])}
    assert status == {"reopened": "重现", "overdue": "持续", "claimed": "持续", "new": "新发现", "recent": "持续"}


def test_id_numbers_masked_by_default(tmp_path):
    [path] = write(tmp_path, frame(finding("a")))
    [row] = rows_of(openpyxl.load_workbook(path)["教育"])
    assert row["证件号码"] == ID_A[:6] + "********" + ID_A[-4:]
    assert row["严重程度"] == "高" and row["行号"] == 5


def test_full_id_numbers_when_mask_id_numbers_is_false(tmp_path):
    [path] = write(tmp_path, frame(finding("a")), settings=Settings(mask_id_numbers=False))
    [row] = rows_of(openpyxl.load_workbook(path)["教育"])
    assert row["证件号码"] == ID_A


def test_a_list_holds_no_other_townships_rows(tmp_path):
    current = frame(finding("a1"), finding("b1", township="乙镇", id_number=ID_B, name="李四"),
                    finding("blank", township=" "))
    paths = {p.name.split("_")[1]: p for p in write(tmp_path, current)}
    assert set(paths) == {"甲镇", "乙镇", "未知乡镇"}
    for township, path in paths.items():
        book = openpyxl.load_workbook(path)
        for name in book.sheetnames[1:]:
            assert {r["乡镇"] for r in rows_of(book[name])} <= {township}
    jia = openpyxl.load_workbook(paths["甲镇"])
    assert [r["问题编号"] for r in rows_of(jia["教育"])] == ["a1"]
    assert not any(ID_B[-4:] in str(c.value) for s in jia for row in s.iter_rows() for c in row)


HOSTILE = ['=HYPERLINK("http://x","y")', "+1", "@SUM(A1)", "-2+3", "=1+1", "\t=1"]


def test_no_cell_is_a_formula_whatever_the_input_held(tmp_path):
    current = frame(*[finding(f"h{i}", name=text, message=text, actual=text, village=text,
                              household_id=text, id_number=text) for i, text in enumerate(HOSTILE)])
    [path] = write(tmp_path, current)
    book = openpyxl.load_workbook(path)
    cells = [c for s in book for row in s.iter_rows() for c in row]
    assert all(c.data_type != "f" for c in cells)
    assert {c.hyperlink for c in cells} == {None}
    shown = {(r["姓名"], r["问题描述"]) for r in rows_of(book["教育"])}
    assert shown == {(text, text) for text in HOSTILE}


HOSTILE_TOWNSHIPS = ["../../etc", "a/b", "..", "a\\b", "/abs"]


def test_township_names_cannot_leave_the_townships_folder(tmp_path):
    current = frame(*[finding(f"t{i}", township=name) for i, name in enumerate(HOSTILE_TOWNSHIPS)])
    paths = write(tmp_path, current)
    assert len(set(paths)) == len(HOSTILE_TOWNSHIPS)
    assert all(p.parent == tmp_path / "townships" and p.exists() for p in paths)
    assert all(".." not in p.name and "/" not in p.name and "\\" not in p.name for p in paths)
    assert sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*.xlsx")) == sorted(
        f"townships/{p.name}" for p in paths)


def test_townships_that_sanitise_alike_do_not_overwrite_each_other(tmp_path):
    paths = write(tmp_path, frame(finding("slash", township="a/b"), finding("colon", township="a:b")))
    assert len(paths) == len(set(paths)) == 2
    ids = {rows_of(openpyxl.load_workbook(p)["教育"])[0]["问题编号"] for p in paths}
    assert ids == {"slash", "colon"}


def test_summary_counts_open_findings_per_village_and_category_with_colour_totals(tmp_path):
    long_ago = AS_OF - dt.timedelta(days=90)
    current = frame(finding("e1"), finding("e2", village="二村"),
                    finding("m1", category="医疗", status="reopened"),
                    finding("m2", category="医疗", status="open", first_seen=long_ago))
    resolved = frame(finding("r1", status="resolved", category="住房"))
    [path] = write(tmp_path, current, resolved)
    sheet = openpyxl.load_workbook(path)["汇总"]
    header = [c.value for c in sheet[4]]
    table = {row[0]: dict(zip(header, row)) for row in sheet.iter_rows(min_row=5, values_only=True)
             if row[0] is not None}
    assert header[:5] == ["行政村", "教育", "医疗", "住房", "合计"]   # the categories this township has
    assert (table["一村"]["教育"], table["一村"]["医疗"], table["一村"]["住房"]) == (1, 2, 0)
    assert (table["一村"]["红"], table["一村"]["黄"], table["一村"]["绿"]) == (2, 1, 1)
    assert table["合计"]["合计"] == 4 and table["合计"]["绿"] == 1 and table["二村"]["合计"] == 1


def test_feedback_column_has_a_dropdown_of_the_two_answers(tmp_path):
    [path] = write(tmp_path, frame(finding("a")))
    sheet = openpyxl.load_workbook(path)["教育"]
    [validation] = sheet.data_validations.dataValidation
    assert validation.type == "list" and "已整改" in validation.formula1 and "核实无误" in validation.formula1
    column = openpyxl.utils.get_column_letter(HEADERS.index("整改情况") + 1)
    assert str(validation.sqref).startswith(f"{column}2")


def test_big_lists_stream_rows_in_constant_memory_mode_and_lose_none(tmp_path, monkeypatch):
    monkeypatch.setattr("recon.lists.BIG_LIST_ROWS", 2)
    current = frame(*[finding(f"e{i}", village=f"{i % 2}村") for i in range(4)],
                    finding("m", category="医疗", name="=1+1"))
    [path] = write(tmp_path, current, frame(finding("r", status="resolved")))
    book = openpyxl.load_workbook(path)
    assert sorted(r["问题编号"] for r in rows_of(book["教育"])) == ["e0", "e1", "e2", "e3"]
    assert [(r["问题编号"], r["姓名"]) for r in rows_of(book["医疗"])] == [("m", "=1+1")]
    assert [r["问题编号"] for r in rows_of(book["已销号"])] == ["r"]
    assert all(c.data_type != "f" for s in book for row in s.iter_rows() for c in row)
    # Streamed rows keep the print set-up, and the signature line comes after the last finding.
    assert all(s.page_setup.orientation == "landscape" and fit_to(s) == (1, 0) for s in book.worksheets)
    assert book["教育"].print_title_rows == "$1:$1"
    assert book["教育"].max_row == 7 and "签字" in book["教育"].cell(7, 1).value
    assert book["汇总"].cell(2, 1).value.startswith("截至 2025-06-30")


def column_width(sheet, header: str) -> float:
    return sheet.column_dimensions[openpyxl.utils.get_column_letter(HEADERS.index(header) + 1)].width


def test_column_widths_fit_the_longest_text_with_cjk_counting_double(tmp_path):
    [path] = write(tmp_path, frame(finding("a", household_id="一" * 8), finding("b", household_id="x" * 5)))
    assert 16 <= column_width(openpyxl.load_workbook(path)["教育"], "户编号") <= 19


def test_long_text_wraps_in_a_capped_column_and_its_row_grows(tmp_path):
    [path] = write(tmp_path, frame(finding("short", message="一" * 5), finding("long", message="一" * 60),
                                   finding("huge", message="一" * 2000, household_id="H2")))
    sheet = openpyxl.load_workbook(path)["教育"]
    assert column_width(sheet, "问题描述") <= WRAP_WIDTHS["问题描述"] + 1
    message = sheet.cell(2, HEADERS.index("问题描述") + 1)
    assert message.alignment.wrap_text
    height = {row[0].value: sheet.row_dimensions[row[0].row].height for row in data_rows(sheet)}
    # 60 CJK characters take four lines of a 36-wide column; a row never passes Excel's 409 pt.
    assert height["short"] < height["long"] < height["huge"] <= 409 < height["huge"] + 1
    assert height["long"] >= 4 * 15


# ---- printing ---------------------------------------------------------------

def fit_to(sheet) -> tuple[int, int]:
    """(pages wide, pages tall) of a fit-to-page sheet; an absent attribute is OOXML's default, 1."""
    setup = sheet.page_setup
    return tuple(1 if n is None else int(n) for n in (setup.fitToWidth, setup.fitToHeight))


def test_every_sheet_prints_on_a4_landscape_one_page_wide_with_header_and_page_numbers(tmp_path):
    [path] = write(tmp_path, frame(finding("a")), frame(finding("r", status="resolved")))
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["汇总", "教育", "已销号"]
    for sheet in book.worksheets:
        assert (sheet.page_setup.orientation, int(sheet.page_setup.paperSize)) == ("landscape", 9), sheet.title
        assert sheet.sheet_properties.pageSetUpPr.fitToPage and fit_to(sheet) == (1, 0), sheet.title
        header = sheet.oddHeader.center.text
        assert COUNTY in header and "甲镇" in header and "2025-06-30" in header, sheet.title
        assert sheet.oddFooter.center.text == "第 &P 页 共 &N 页"
        assert 0.2 <= sheet.page_margins.left <= 0.75 and 0.2 <= sheet.page_margins.right <= 0.75
    for name in book.sheetnames[1:]:
        assert book[name].print_title_rows == "$1:$1"


def test_page_header_takes_names_as_text_and_stays_within_excels_limit(tmp_path):
    paths = write(tmp_path, frame(finding("amp", township="A&B镇"), finding("long", township="镇" * 300),
                                  finding("digit", township="12镇")))
    headers = {p: openpyxl.load_workbook(p)["教育"].oddHeader.center for p in paths}
    by_township = {p.name.split("_")[1][:5]: h for p, h in headers.items()}
    assert "A&&B镇" in by_township["A&B镇"].text                  # & is Excel's code character: doubled
    assert by_township["12镇"].text.startswith(f"{COUNTY} 12镇") and by_township["12镇"].size == 12
    long = by_township["镇" * 5]
    assert long.text.endswith("整改清单（截至 2025-06-30）") and "…" in long.text   # cut, not dropped by Excel
    assert all(len(h.text) < 255 for h in headers.values())


def test_a_signature_line_follows_the_last_finding_of_every_finding_sheet(tmp_path):
    [path] = write(tmp_path, frame(finding("a"), finding("b", village="二村")), frame(finding("r", status="resolved")))
    book = openpyxl.load_workbook(path)
    findings = {"教育": 2, "已销号": 1}
    assert book.sheetnames[1:] == list(findings)
    for name in book.sheetnames[1:]:
        sheet = book[name]
        last = 1 + findings.get(name, 0)
        assert sheet.max_row == last + 2, name
        assert all(cell.value is None for cell in sheet[last + 1])
        signature = sheet.cell(last + 2, 1).value
        assert "负责人（签字）" in signature and "日期" in signature and "年" in signature, name
        assert len(rows_of(sheet)) == findings.get(name, 0)


def test_fill_in_cells_are_blank_with_borders_to_write_within(tmp_path):
    [path] = write(tmp_path, frame(finding("a")))
    [row] = data_rows(openpyxl.load_workbook(path)["教育"])
    fill_in = row[HEADERS.index("整改责任人"):]
    assert [c.value for c in fill_in] == [None] * 4
    assert all(c.border.left.style == "thin" and c.border.bottom.style == "thin" for c in fill_in)
    assert all(fill(c) in ("", "000000") for c in fill_in)


def sheet_width_pixels(sheet) -> int:
    """The sheet's printed width at 100 %: column widths in pixels (7 per character of Calibri 11)."""
    return sum(round(d.width * 7) * (d.max - d.min + 1) for d in sheet.column_dimensions.values())


# Messages and files as the demo county's findings hold them: long sentences, long file names.
MESSAGES = [
    "户主吕金凤家在台账中家庭纯收入37569.44元除以3人为12523.15元，与登记的人均纯收入11856.48元不符，请核实",
    "曾凤英娟已在户籍系统中死亡或迁出注销，但仍是户编号 52242506050003 的成员，请核实后标注或删除",
    "刘帆在系统中在校生情况为“初中”，学籍库为“小学在读”，在校生情况与学籍不一致",
    "张秀荣户2021年01月纳入监测，2021年04月即标注风险消除，不足180天，风险消除过快",
    "户主阿不都·米日古丽家的人均纯收入系统为20710.56元、台账为21510.56元，请核实后统一",
    "何琳云户为脱贫户，饮水不安全，未纳入监测，疑似应纳未纳",
]


def demo_like_findings(n: int, category: str = "教育") -> list[dict]:
    return [finding(f"{category}{i:03d}", category=category, message=MESSAGES[i % len(MESSAGES)],
                    village=("安梅村", "湾寿村", "福柏村")[i % 3], household_id=f"5224250605{i:04d}",
                    id_number=make_id(seq=f"{i:03d}"), name=("李玉兰英", "阿不都·米日古丽", "张刚")[i % 3],
                    source="system|education", file="青岩县_脱贫户家庭成员信息.xlsx#Sheet2" if i % 4 == 0 else "",
                    field="在校生情况", expected="小学", actual="初中") for i in range(n)]


def test_a_demo_like_sheet_fits_the_page_width_at_a_readable_scale(tmp_path):
    [path] = write(tmp_path, frame(*demo_like_findings(30)))
    usable = (297 - 2 * 6.35) / 25.4 * 96          # A4 landscape less 0.25 in margins, in pixels
    assert usable / sheet_width_pixels(openpyxl.load_workbook(path)["教育"]) >= 0.55


def page_texts(pdf: Path) -> list[str]:
    from pypdf import PdfReader

    return [page.extract_text() for page in PdfReader(pdf).pages]


@pytest.mark.slow
def test_printed_list_puts_each_finding_sheet_of_up_to_30_rows_on_at_most_two_pages(tmp_path):
    if shutil.which("soffice") is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    current = frame(*demo_like_findings(30), *demo_like_findings(5, "医疗"), *demo_like_findings(12, "监测帮扶"))
    resolved = frame(*[dict(row, status="resolved") for row in demo_like_findings(3, "住房")])
    [path] = write(tmp_path / "out", current, resolved)
    subprocess.run(["soffice", f"-env:UserInstallation={(tmp_path / 'lo-profile').as_uri()}", "--headless",
                    "--convert-to", "pdf", "--outdir", str(tmp_path), str(path)],
                   check=True, capture_output=True, timeout=180)
    pages = page_texts(tmp_path / f"{path.stem}.pdf")
    # The page header names the sheet (&A) after county, township and as-of: pages by sheet.
    sheet_of = [re.search(rf"{COUNTY} 甲镇 整改清单（截至 2025-06-30）\s*(\S+)", text) for text in pages]
    assert all(sheet_of), "a page without the page header"
    by_sheet: dict[str, list[str]] = {}
    for match, text in zip(sheet_of, pages):
        by_sheet.setdefault(match.group(1), []).append(text)
    assert list(by_sheet) == ["汇总", "教育", "医疗", "监测帮扶", "已销号"]
    assert {name: len(texts) for name, texts in by_sheet.items() if len(texts) > 2} == {}
    assert len(by_sheet["教育"]) == 2                                   # 30 rows: two pages …
    assert all(text.count("问题编号") >= 1 for text in by_sheet["教育"])  # … each with the header row
    assert all(f"{i:03d}" in "".join(by_sheet["教育"]) for i in range(30))
    assert [f"第 {n} 页 共 {len(pages)} 页" in text for n, text in enumerate(pages, start=1)] == [True] * len(pages)
    for name in list(by_sheet)[1:]:
        assert "负责人（签字）" in by_sheet[name][-1], name
