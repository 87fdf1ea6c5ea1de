"""report.html (CONTRACT.md §4): written, self-contained, escaped, no full IDs."""
from __future__ import annotations

import datetime as dt
import html
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from factories import make_id
from recon.report import write_report

ROOT = Path(__file__).resolve().parent.parent
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
                              "township": ["甲镇", "乙镇<script>", "甲镇", "乙镇<script>"],
                              "open_findings": [3, 1, 2, 1]}),
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
    assert page.count('<svg') == 5 and "<image" not in page


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
                  history=pd.DataFrame(columns=["as_of", "township", "open_findings"]),
                  skipped=pd.DataFrame(columns=["rule", "reason"]),
                  input_problems=pd.DataFrame(columns=["file", "sheet", "row", "column", "problem"]))
    assert "<h1>" in page and "暂无历次运行记录" in page


def test_report_when_optional_inputs_are_absent(tmp_path):
    page = build(tmp_path, suppressed=None, history=None, household_status=pd.DataFrame(), skipped=None,
                 input_problems=None, counts_by_source=None)
    assert "EDU01" in page and "没有建档户的分类结果" in page


# ---- charts: Chinese text, one code path whatever fonts the machine has --------

SVG_TEXT = re.compile(r"<text[^>]*>([^<]*)</text>")


def chart_texts(page: str) -> list[str]:
    return [html.unescape(t) for t in SVG_TEXT.findall(page)]


def test_charts_carry_chinese_titles_labels_legends_and_township_names(page):
    texts = chart_texts(page)
    for label in ("各乡镇未销号问题（按严重程度）", "未销号问题数", "严重程度", "高", "中", "低", "甲镇", "乙镇<script>",
                  "未知乡镇", "各规则未销号问题数", "EDU01 疑似失学辍学", "MED01 未参保", "各乡镇未销号问题数（历次运行）",
                  "2025-05-31", "建档户各项保障达标率", "教育", "医疗", "住房", "饮水", "A类", "B类", "C类"):
        assert label in texts, label
    assert not any(re.fullmatch(r"T\d+", t) for t in texts)   # no township codes
    assert "<text>乙镇<script>" not in page                   # escaped inside the SVG too


def test_the_rule_chart_gives_every_one_of_64_rules_its_own_line(tmp_path):
    codes = [f"R{i:02d}" for i in range(64)]
    current = findings([{"issue_id": f"i{i}", "rule": code} for i, code in enumerate(codes)])
    page = build(tmp_path, current=current, rule_titles={c: f"规则标题{c}" for c in codes})
    ys = sorted(float(y) for y in re.findall(r'<text[^>]*y="([\d.]+)"[^>]*>R\d\d 规则标题', page))
    assert len(ys) == 64
    # Label font is 10 px: consecutive labels at least a line apart never overlap.
    assert min(b - a for a, b in zip(ys, ys[1:])) >= 11


NO_CJK_FONTS = '''
import sys, warnings
warnings.simplefilter("error")          # a missing glyph would warn
from matplotlib import font_manager
# Nothing but matplotlib's own DejaVu: no CJK font is visible to it.
font_manager.fontManager.ttflist = [f for f in font_manager.fontManager.ttflist if "DejaVu" in f.name]
sys.path.insert(0, "tests")
import pathlib, test_report
pathlib.Path(sys.argv[1]).write_text(test_report.build(pathlib.Path(sys.argv[2])), encoding="utf-8")
'''


def test_report_is_the_same_whether_or_not_the_machine_has_a_cjk_font(page, tmp_path):
    """One code path: the chart text does not depend on the machine's fonts."""
    empty_fonts = tmp_path / "fonts.conf"
    empty_fonts.write_text('<?xml version="1.0"?><fontconfig></fontconfig>')
    env = {**os.environ, "FONTCONFIG_FILE": str(empty_fonts), "MPLCONFIGDIR": str(tmp_path / "mpl")}
    out = tmp_path / "report.html"
    work = tmp_path / "work"
    work.mkdir()
    done = subprocess.run([sys.executable, "-c", NO_CJK_FONTS, str(out), str(work)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert out.read_text(encoding="utf-8") == page


def test_trend_counts_every_finding_open_at_each_as_of_date(tmp_path):
    """Three periods through the real registry: new, open and reopened all count."""
    from registry_helpers import FEB, JAN, MAR
    from registry_helpers import findings as registry_findings
    from recon.registry import open_registry
    registry = open_registry(None, tmp_path)
    north = ["a1", "a2", "a3"]
    try:
        registry.record_run("测试县", JAN, pd.concat([registry_findings(*north, township="甲镇"),
                                                    registry_findings("b1", "b2", township="乙镇")]))
        registry.record_run("测试县", FEB, registry_findings("a1", township="甲镇"))       # a2, a3, b* resolved
        outcome = registry.record_run("测试县", MAR, pd.concat([registry_findings("a1", "a2", township="甲镇"),
                                                              registry_findings("b3", township="乙镇")]))
    finally:
        registry.close()
    page = build(tmp_path, history=outcome.history)
    trend = page[page.index("<h2>各乡镇未销号问题趋势</h2>"):page.index("“三保障”")]
    rows = dict(re.findall(r"<tr><td>(\S+?)</td>((?:<td class=\"n\">\d+</td>)+)</tr>", trend))
    counts = {town: [int(n) for n in re.findall(r"\d+", cells)] for town, cells in rows.items()}
    # 甲镇: 3 new → 1 open → 1 open + 1 reopened; 乙镇: 2 new → 0 → 1 new.
    assert counts == {"甲镇": [3, 1, 2], "乙镇": [2, 0, 1]}


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("chromium") is None or shutil.which("pdftotext") is None,
                    reason="needs Debian's chromium and poppler-utils (.ci/run installs them)")
def test_chromium_draws_the_chart_labels_in_chinese(page, tmp_path):
    """The report as a user's browser shows it: printed by headless Chromium, the
    chart titles, legends and township names come out as Chinese text."""
    (tmp_path / "report.html").write_text(page, encoding="utf-8")
    pdf = tmp_path / "report.pdf"
    subprocess.run(["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    f"--user-data-dir={tmp_path / 'profile'}", "--no-pdf-header-footer", f"--print-to-pdf={pdf}",
                    (tmp_path / "report.html").as_uri()], capture_output=True, timeout=120, check=True)
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    for label in ("各乡镇未销号问题（按严重程度）", "严重程度", "各规则未销号问题数", "EDU01 疑似失学辍学", "建档户各项保障达标率"):
        assert label in text, label
