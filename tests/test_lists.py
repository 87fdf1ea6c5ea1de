"""Township correction lists (RULES.md §Lifecycle and lists, CONTRACT.md §4),
read back with openpyxl as a clerk's Excel would see them."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pandas as pd

from recon.lists import CATEGORIES, HEADERS, write_township_lists
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


def rows_of(sheet) -> list[dict]:
    """Data rows of a finding sheet as {header: cell}."""
    header = [c.value for c in sheet[1]]
    return [dict(zip(header, row)) for row in sheet.iter_rows(min_row=2, values_only=True)]


def fill(cell) -> str:
    return (cell.fill.fgColor.rgb or "")[-6:]


def test_one_list_per_township_named_by_county_township_and_as_of(tmp_path):
    paths = write(tmp_path, frame(finding("a"), finding("b", township="乙镇")),
                  frame(finding("c", township="丙镇", status="resolved")))
    assert sorted(p.name for p in paths) == sorted(
        f"{COUNTY}_{t}_整改清单_2025-06-30.xlsx" for t in ("甲镇", "乙镇", "丙镇"))
    assert all(p.parent == tmp_path / "townships" for p in paths)


def test_sheets_in_order_and_finding_headers_even_when_empty(tmp_path):
    [path] = write(tmp_path, frame(finding("a")))
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["汇总", *CATEGORIES, "已销号"]
    for name in [*CATEGORIES, "已销号"]:
        assert [c.value for c in book[name][1]] == HEADERS
    assert HEADERS[-4:] == ["整改责任人", "整改情况", "整改完成时间", "核实说明"]
    assert book["教育"].max_row == 2 and book["医疗"].max_row == 1
    assert book["教育"].freeze_panes == "A2"
    assert book["教育"].auto_filter.ref.startswith("A1:")


def test_category_sheets_hold_only_their_category_and_resolved_go_to_yixiaohao(tmp_path):
    current = frame(finding("edu"), finding("med", category="医疗", rule="MED01"))
    resolved = frame(finding("old", status="resolved", category="住房", rule="HOU01"))
    [path] = write(tmp_path, current, resolved)
    book = openpyxl.load_workbook(path)
    assert [r["问题编号"] for r in rows_of(book["教育"])] == ["edu"]
    assert [r["问题编号"] for r in rows_of(book["医疗"])] == ["med"]
    assert rows_of(book["住房"]) == []
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
        for row in sheet.iter_rows(min_row=2):
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
        for name in [*CATEGORIES, "已销号"]:
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
    assert header[:9] == ["行政村", *CATEGORIES, "合计"]
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


def test_column_widths_fit_the_longest_text_with_cjk_counting_double(tmp_path):
    [path] = write(tmp_path, frame(finding("a", message="一" * 20), finding("b", message="x" * 5)))
    sheet = openpyxl.load_workbook(path)["教育"]
    width = sheet.column_dimensions[openpyxl.utils.get_column_letter(HEADERS.index("问题描述") + 1)].width
    assert 40 <= width <= 45
    long = write(tmp_path / "long", frame(finding("a", message="一" * 500)))[0]
    sheet = openpyxl.load_workbook(long)["教育"]
    assert sheet.column_dimensions[openpyxl.utils.get_column_letter(HEADERS.index("问题描述") + 1)].width <= 51
