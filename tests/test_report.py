"""report.html (CONTRACT.md §4): written, self-contained, escaped, no full IDs."""
from __future__ import annotations

import datetime as dt
import re

import pandas as pd
import pytest

from factories import make_id
from recon.report import write_report

AS_OF = dt.date(2025, 6, 30)
ID_A = make_id(seq="111")
ID_18 = re.compile(r"(?<![0-9])\d{17}[0-9Xx](?![0-9])")


def findings(rows: list[dict], status: str = "new") -> pd.DataFrame:
    base = {"issue_id": "i", "rule": "EDU01", "severity": "high", "source": "system", "county": "测试县",
            "township": "甲镇", "village": "一村", "household_id": "H1", "id_number": ID_A, "name": "张三",
            "file": "x.xlsx", "row": 2, "field": "", "expected": "", "actual": ID_A,
            "message": f"证件号码 {ID_A} 无学籍", "status": status, "first_seen": AS_OF, "last_seen": AS_OF,
            "category": "教育", "claimed_fixed": False}
    return pd.DataFrame([{**base, **row} for row in rows])


def build(tmp_path, **overrides):
    inputs = dict(
        county="测试县", as_of=AS_OF,
        current=findings([{"issue_id": "a"}, {"issue_id": "b", "rule": "MED01", "severity": "medium",
                                               "township": "乙镇<script>", "category": "医疗"},
                          {"issue_id": "c", "rule": "HOU01", "township": "", "status": "reopened"}]),
        resolved=findings([{"issue_id": "d", "rule": "WAT01"}], status="resolved"),
        suppressed=pd.DataFrame({"rule": ["INC01", "INC01", "EDU02"]}),
        history=pd.DataFrame({"as_of": ["2025-05-31", "2025-05-31", "2025-06-30", "2025-06-30"],
                              "township": ["甲镇", "乙镇<script>", "甲镇", "乙镇<script>"], "open": [3, 1, 2, 1]}),
        household_status=pd.DataFrame({"户编号": ["H1", "H2", "H3", "H4"], "乡镇": ["甲镇", "甲镇", "乙镇<script>", "甲镇"],
                                       "行政村": ["一村"] * 4, "class": ["A", "B", "C", ""],
                                       "gaps": ["", "住房;饮水", "收入;教育", ""]}),
        skipped=pd.DataFrame({"rule": ["WAT02"], "reason": ["缺少数据源 water/"]}),
        input_problems=pd.DataFrame({"file": [f"system/{ID_A}.xlsx", "ledger/b.xlsx", "ledger/b.xlsx"],
                                     "sheet": "", "row": [1, 2, 3], "column": "", "problem": "x"}),
        counts_by_source={"system": 120, "ledger": 118},
        rule_titles={"EDU01": "疑似失学辍学", "MED01": "未参保"},
    )
    inputs.update(overrides)
    path = write_report(tmp_path / "report.html", **inputs)
    return path.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def page(tmp_path_factory) -> str:
    """One report of the sample run (charts are slow to draw; build it once)."""
    return build(tmp_path_factory.mktemp("report"))


def test_report_is_written_with_townships_rules_and_titles(page):
    for text in ("甲镇", "乙镇&lt;script&gt;", "未知乡镇", "EDU01", "MED01", "HOU01", "疑似失学辍学",
                 "WAT02", "缺少数据源 water/", "INC01", "ledger/b.xlsx", "测试县", "2025-06-30"):
        assert text in page, text


def test_report_is_self_contained(page):
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", page, re.IGNORECASE)
    assert "<script" not in page.lower().replace("&lt;script", "")
    assert "<link" not in page.lower()
    assert page.count('src="data:image/png;base64,') >= 4


def test_user_text_is_escaped(page):
    assert "乙镇<script>" not in page


def test_report_shows_no_full_id_number(page):
    assert ID_A not in page
    assert not ID_18.search(page)


def test_guarantee_rates_count_registered_households_only(page):
    # 3 registered households (class A/B/C); 住房 missing in 1 → 66.7 %, 教育 missing in 1 → 66.7 %, 医疗 100 %.
    assert "66.7" in page and "100.0" in page


def test_report_with_no_findings_and_no_history(tmp_path):
    empty = findings([]).iloc[0:0]
    page = build(tmp_path, current=empty, resolved=empty, suppressed=pd.DataFrame(columns=["rule"]),
                  history=pd.DataFrame(columns=["as_of", "township", "open"]),
                  skipped=pd.DataFrame(columns=["rule", "reason"]),
                  input_problems=pd.DataFrame(columns=["file", "sheet", "row", "column", "problem"]))
    assert "<h1>" in page and "暂无历次运行记录" in page


def test_report_when_optional_inputs_are_absent(tmp_path):
    page = build(tmp_path, suppressed=None, history=None, household_status=pd.DataFrame(), skipped=None,
                 input_problems=None, counts_by_source=None)
    assert "EDU01" in page and "没有建档户的分类结果" in page
