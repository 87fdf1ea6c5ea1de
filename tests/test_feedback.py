"""Returned township lists and the exemption register (RULES.md §Lifecycle
and lists; CONTRACT.md §2 feedback/, exemptions/), read from real files and
fed to the registry."""
from __future__ import annotations

import datetime as dt
import shutil

import openpyxl
import pandas as pd
import pytest

from recon.feedback import read_exemptions, read_feedback
from recon.lists import write_township_lists
from recon.registry import issue_id, open_registry
from recon.settings import Settings
from files import write_xlsx
from registry_helpers import FEB, JAN, by_key, findings

HEADERS = ["问题编号", "规则", "乡镇", "整改责任人", "整改情况", "整改完成时间", "核实说明"]


def fill_in(path, answers: dict[str, tuple[str, str]]) -> None:
    """A clerk fills 整改情况 and 核实说明 of the rows whose 问题编号 is answered."""
    book = openpyxl.load_workbook(path)
    for sheet in book.worksheets:
        header = [cell.value for cell in sheet[1]]
        if "问题编号" not in header:
            continue
        issue, status, reason = (header.index(h) for h in ("问题编号", "整改情况", "核实说明"))
        for row in sheet.iter_rows(min_row=2):
            if row[issue].value in answers:
                row[status].value, row[reason].value = answers[row[issue].value]
    book.save(path)


@pytest.fixture
def registry(registry_url, tmp_path):
    opened = open_registry(registry_url, tmp_path)
    yield opened
    opened.close()


def test_returned_list_claims_fixed_and_verified_reach_the_next_run(registry, county, tmp_path):
    jan = registry.record_run(county, JAN, findings("A", "B", "C"))
    [written] = write_township_lists(jan.current, jan.resolved, tmp_path / "out", county, JAN, Settings())
    returned = tmp_path / "drop" / "feedback" / "城关镇" / written.name
    returned.parent.mkdir(parents=True)
    shutil.copy(written, returned)
    a, b = issue_id("ID02", "A", county), issue_id("ID02", "B", county)
    fill_in(returned, {a: ("已整改", None), b: ("核实无误", "证件号码录入错误，户籍信息为准")})

    claims, problems = read_feedback(tmp_path / "drop")
    assert problems.empty
    assert sorted(claims[["issue_id", "status_text"]].values.tolist()) == sorted([[a, "已整改"], [b, "核实无误"]])
    assert set(claims["list_as_of"]) == {pd.Timestamp(JAN)}

    feb = registry.record_run(county, FEB, findings("A", "B", "C"), feedback=claims)
    current = feb.current.set_index("key")
    assert current.loc["A", "claimed_fixed"] and current.loc["A", "message"].endswith("（整改未到位）")
    assert by_key(feb.suppressed) == {"B": "suppressed"} and by_key(feb.current) == {"A": "open", "C": "open"}


def sign(path, text: str) -> int:
    """The township head signs the signature line under every finding sheet; returns how many."""
    book = openpyxl.load_workbook(path)
    lines = [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row
             if isinstance(cell.value, str) and cell.value.startswith("乡镇负责人（签字）")]
    for cell in lines:
        cell.value = text
    book.save(path)
    return len(lines)


def test_a_signed_returned_list_reads_back_only_its_answered_findings(tmp_path):
    county = "测试县"
    current = findings("A", "B").assign(issue_id=lambda f: [issue_id("ID02", k, county) for k in f["key"]],
                                        status="new")
    [written] = write_township_lists(current, current.iloc[:0], tmp_path / "out", county, JAN, Settings())
    returned = tmp_path / "drop" / "feedback" / written.name
    returned.parent.mkdir(parents=True)
    shutil.copy(written, returned)
    a = issue_id("ID02", "A", county)
    fill_in(returned, {a: ("已整改", None)})
    assert sign(returned, "乡镇负责人（签字）：王五　　日期：2025年2月5日") == 2   # 身份信息 and 已销号

    claims, problems = read_feedback(tmp_path / "drop")
    assert problems.empty
    assert claims[["issue_id", "status_text", "sheet"]].values.tolist() == [[a, "已整改", "身份信息"]]


def test_verified_without_a_reason_is_an_input_problem_not_an_exemption(tmp_path):
    write_xlsx(tmp_path / "feedback" / "县_镇_整改清单_2025-01-31.xlsx", {
        "汇总": [["村", "红", "黄"], ["东村", 1, 2]],
        "身份信息": [HEADERS, ["0123456789abcdef", "ID02", "镇", "", "核实无误", "", ""],
                    ["fedcba9876543210", "ID02", "镇", "", "", "", ""]],
    })
    claims, problems = read_feedback(tmp_path)
    assert claims.empty
    assert problems[["sheet", "row", "column"]].values.tolist() == [["身份信息", 2, "核实说明"]]


def test_unknown_feedback_status_text_is_an_input_problem(tmp_path):
    write_xlsx(tmp_path / "feedback" / "x.xlsx", {"身份信息": [HEADERS, ["0123456789abcdef", "ID02", "镇", "",
                                                                         "正在整改", "", ""]]})
    claims, problems = read_feedback(tmp_path)
    assert claims.empty and problems["column"].tolist() == ["整改情况"]


def test_garbage_and_foreign_files_in_feedback_are_input_problems(tmp_path):
    folder = tmp_path / "feedback"
    folder.mkdir()
    (folder / "坏文件.xlsx").write_bytes(b"PK\x03\x04 this is not a workbook")
    write_xlsx(folder / "别的表.xlsx", {"Sheet1": [["姓名", "证件号码"], ["张三", "1"]]})
    claims, problems = read_feedback(tmp_path)
    assert claims.empty
    assert sorted(problems["file"]) == ["feedback/别的表.xlsx", "feedback/坏文件.xlsx"]


def test_exemption_register_is_read_with_normalised_ids(tmp_path):
    write_xlsx(tmp_path / "exemptions" / "豁免清单.xlsx", {"Sheet1": [
        ["规则", "身份证号", "户编号", "理由", "批准日期"],
        ["id02", " 43032119900101123x ", "", "户籍登记有误", "2025年1月5日"],
        ["EDU01", "", "H0009", "随迁子女在外地就读", dt.date(2025, 2, 1)],
        ["MED01", "430321199001011234", "", "", ""],
    ]})
    register, problems = read_exemptions(tmp_path, as_of=dt.date(2025, 3, 31))
    assert register[["rule", "id_number", "household_id", "reason"]].astype(object).where(
        register[["rule", "id_number", "household_id", "reason"]].notna(), None).values.tolist() == [
        ["ID02", "43032119900101123X", None, "户籍登记有误"],
        ["EDU01", None, "H0009", "随迁子女在外地就读"],
    ]
    assert register["approved_on"].tolist() == [pd.Timestamp("2025-01-05"), pd.Timestamp("2025-02-01")]
    assert problems[["row", "column"]].values.tolist() == [[4, "理由"]]


def test_register_read_from_file_suppresses_the_named_finding(registry, county, tmp_path):
    write_xlsx(tmp_path / "exemptions" / "豁免清单.xlsx", {"Sheet1": [
        ["规则", "证件号码", "理由"], ["ID02", "A", "已核实"]]})
    register, _ = read_exemptions(tmp_path)
    outcome = registry.record_run(county, JAN, findings("A", "B"), exemptions=register)
    assert by_key(outcome.suppressed) == {"A": "suppressed"} and by_key(outcome.current) == {"B": "new"}
