"""The profiles in examples/ (RULES.md §Profiles): every file loads as `recon
run` loads it and `recon rules` prints it; the county profile uses every kind
of condition, scope and source; every example runs on a demo drop end to end,
and no county check is skipped there for a missing column; and every check of
the county profile fires on a planted case and not on its near miss.

The table CASES holds, per check code, the rows it fires on and rows that
differ by one value at its boundary, on which it does not fire. A check added
to examples/county_checks.yaml without an entry here fails
test_every_county_check_has_a_case. AS_OF is 2025-06-30: ages are full years
on that day (born 1965-06-30 is 60, born 1965-07-01 is 59)."""
from __future__ import annotations

import csv
import io
import itertools
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pytest

from checks.core import core_table
from checks.rules.catalog import rule_codes
from checks.rules.context import matched_context
from checks.rules.run import run_rules
from factories import AS_OF, make_id
from pipelines.cli import main
from recon.county_checks import (AgeCondition, ColumnCondition, HouseholdCondition, RiskCondition, SexCondition,
                                 StageCondition, walk)
from recon.demo import generate
from recon.settings import Settings
from recon.sources import DATA_SOURCES
from rule_helpers import context, fired

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
FILES = sorted(EXAMPLES.glob("*.yaml"))
COUNTY = EXAMPLES / "county_checks.yaml"
PROVINCES = sorted(EXAMPLES.glob("province_*.yaml"))


def load(path: Path) -> Settings:
    """As `recon run --config` loads it: `rules:` may name only catalog codes."""
    return Settings.load(path, rule_codes=rule_codes())


# ---- every file loads and `recon rules` prints it ------------------------------------------

def test_examples_hold_two_province_profiles_a_county_profile_and_a_readme():
    assert [p.name for p in PROVINCES] == ["province_guizhou.yaml", "province_yunnan.yaml"]
    assert COUNTY in FILES and (EXAMPLES / "README.md").is_file()


def test_the_readme_names_every_example_and_its_links_stay_in_the_project():
    text = (EXAMPLES / "README.md").read_text(encoding="utf-8")
    assert all(path.name in text for path in FILES)
    for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", text):
        assert (EXAMPLES / target).exists(), target


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_an_example_loads_and_recon_rules_prints_it_as_it_says(path, capsys):
    settings = load(path)
    assert main(["rules", "--config", str(path), "--format", "csv"]) == 0
    printed = {row["code"]: row for row in csv.DictReader(io.StringIO(capsys.readouterr().out))}
    assert set(rule_codes()) <= set(printed)
    for code, switch in settings.rules.items():
        assert printed[code]["enabled"] == ("true" if switch.enabled else "false"), code
        if switch.severity:
            assert printed[code]["severity"] == switch.severity, code
    for check in settings.checks:
        assert (printed[check.code]["title"], printed[check.code]["severity"]) == (check.title, check.severity)
        assert printed[check.code]["group"] == "county"


@pytest.mark.parametrize("path", PROVINCES, ids=lambda p: p.stem)
def test_a_province_profile_switches_settings_and_rules_and_keeps_no_county_checks(path):
    settings = load(path)
    assert settings.as_config().get("monitoring_threshold") is not None
    assert any(not switch.enabled for switch in settings.rules.values())
    assert any(switch.severity for switch in settings.rules.values())
    assert not settings.checks and not settings.columns


def test_the_province_profiles_set_their_own_monitoring_thresholds():
    yunnan, guizhou = load(EXAMPLES / "province_yunnan.yaml"), load(EXAMPLES / "province_guizhou.yaml")
    assert yunnan.threshold_for(AS_OF) == 8700 and guizhou.threshold_for(AS_OF) == 7300
    assert yunnan.compulsory_age_max == 16 and yunnan.school_status_blank == "not_in_school"


# ---- the county profile covers the check language ------------------------------------------

def language_used(settings: Settings) -> set[str]:
    """What the checks use: condition kinds (column tests with the kind of their
    column), scopes, sources, categories, message templates."""
    columns = settings.county_columns()
    used: set[str] = set()
    for check in settings.checks:
        usable = {**settings.source(check.source).columns, **columns.get(check.source, {})}
        used |= {f"scope:{check.scope}", f"source:{check.source}", f"category:{check.category}"}
        if check.message_columns():
            used.add("message names columns")
        for condition in check.when:
            if isinstance(condition, HouseholdCondition):
                test = condition.household
                used.add(f"household:{test.quantifier}" + (f":{'ge' if test.ge is not None else 'le'}"
                                                           if test.quantifier == "count" else ""))
        for _, condition in walk(check.when):
            if isinstance(condition, ColumnCondition):
                kind = usable[condition.column].kind
                for test in condition.tests():
                    used.add(test)
                    if test in ("lt", "le", "gt", "ge"):
                        used.add(f"{test}:{'date' if kind in ('date', 'month') else 'number'}")
                    if test in ("in", "not_in") and kind in ("codes", "health", "list"):
                        used.add(f"{test}:multi-value")
                if condition.column in columns.get(check.source, {}):
                    used.add("declared column")
            else:
                used.add({AgeCondition: "age", SexCondition: "sex", StageCondition: "stage",
                          RiskCondition: "risk"}[type(condition)])
    return used


def test_the_county_profile_uses_every_kind_of_condition_scope_and_source():
    settings = load(COUNTY)
    assert len(settings.checks) >= 30
    assert len(settings.columns["system"]) >= 3
    assert {spec.kind for spec in settings.columns["system"].values()} == {"text", "number", "date", "yesno",
                                                                           "phone", "list"}
    wanted = {"in", "not_in", "in:multi-value", "not_in:multi-value", "empty", "known", "contains", "matches",
              "not_matches", *(f"{test}:{kind}" for test in ("lt", "le", "gt", "ge") for kind in ("number", "date")),
              "age", "sex", "stage", "risk", "household:any", "household:none", "household:all",
              "household:count:ge", "household:count:le", "scope:members", "scope:heads", "scope:rows",
              "source:system", "source:ledger", "message names columns", "declared column"}
    used = language_used(settings)
    assert wanted - used == set()
    assert {name.split(":", 1)[1] for name in used if name.startswith("category:")} - {"逻辑校验"}
    declared = {name for source in settings.columns.values() for name in source}
    assert declared <= {column for check in settings.checks for column in check.columns()}, "a declared column no check reads"


# ---- every example end to end on a demo drop ------------------------------------------------

def report_skipped(report: str) -> str:
    """The 未运行的规则 section of report.html."""
    return report.split("<h2>未运行的规则</h2>", 1)[1].split("<h2>", 1)[0]


@pytest.fixture(scope="module")
def demo_drop(tmp_path_factory) -> Path:
    drop = tmp_path_factory.mktemp("examples") / "drop"
    generate(drop, households=60, seed=7, as_of=AS_OF)
    return drop


@pytest.mark.slow
@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_an_example_runs_on_the_demo_drop_and_no_county_check_is_skipped(demo_drop, path, tmp_path):
    out = tmp_path / "out"
    assert main(["run", "--data", str(demo_drop), "--out", str(out), "--as-of", "2026-11-30",
                 "--config", str(path)]) == 0
    found = pd.read_csv(out / "mismatches.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    settings = load(path)
    disabled = {code for code, switch in settings.rules.items() if not switch.enabled}
    assert disabled.isdisjoint(found["rule"])
    skipped = report_skipped((out / "report.html").read_text(encoding="utf-8"))
    assert all(check.code not in skipped for check in settings.checks)
    assert all(code in skipped for code in disabled)


@pytest.mark.slow
def test_every_county_check_runs_on_the_demo_drop_with_its_declared_columns_read(demo_drop):
    """The rules stage on the demo's core frames, as the pipeline builds them
    with the county's columns: no check skipped, every one counted."""
    settings = load(COUNTY)
    frames = {source: core_table(demo_drop, settings.source(source), AS_OF).frame for source in DATA_SOURCES}
    assert set(settings.columns["system"]) <= set(frames["system"].columns)
    result = run_rules(matched_context(frames, settings, AS_OF, "青岩县"), groups=("county",))
    assert result.skipped.empty, result.skipped.to_dict("records")
    assert set(result.counts["rule"]) == {check.code for check in settings.checks}
    # The demo's extra columns are filled (the export carries them), and some checks find something.
    assert frames["system"][list(settings.columns["system"])].notna().any().all()
    assert len(result.findings) > 0


# ---- every county check: a planted case and its near miss ----------------------------------

_seq = itertools.count(1)


def p(name: str, birth: str, relation: str = "户主", hh: str = "H1", sex: str = "男", **cells) -> dict:
    """A member row as a workbook holds it; `birth` YYYYMMDD, the ID's sex digit by `sex`."""
    n = next(_seq)
    seq = f"{2 * n + 1 if sex == '男' else 2 * n:03d}"
    return dict(县="测试县", 乡镇="城关镇", 行政村="新村", 户编号=hh, 姓名=name, 证件号码=make_id(birth=birth, seq=seq),
                与户主关系=relation, 户类型="脱贫户") | cells


def members(count: int, hh: str = "H1") -> list[dict]:
    """A household of `count`: a head born 1970, then children born 1995–."""
    return [p("户主甲", "19700101", hh=hh)] + [p(f"子{i}", f"{1995 + i}0101", "子", hh=hh) for i in range(1, count)]


@dataclass
class Case:
    fires: list[dict]            # rows on which the check fires (on `who`)
    misses: list[dict]           # rows differing by one value at the boundary: it does not fire
    who: str                     # the finding's name: the member, the 户主 or the row
    source: str = "system"
    system: list[dict] = field(default_factory=lambda: [p("系统户主", "19700101", hh="S1")])   # ledger cases


SCHOOL = dict(在校生情况="非在校生")
CASES: dict[str, Case] = {
    # 劳动技能与年龄、健康
    "X001": Case([p("甲", "19650630", 劳动技能="技能劳动力")],                          # 60 on the as-of day
                 [p("甲", "19650701", 劳动技能="技能劳动力")], "甲"),                     # 59
    "X002": Case([p("乙", "20080301", 在校生情况="普通高中一年级", 劳动技能="普通劳动力")],
                 [p("乙", "20080301", 在校生情况="普通高中一年级", 劳动技能="弱劳动力或半劳动力")], "乙"),
    "X003": Case([p("丙", "19700101", 健康状况="长期慢性病,患有大病", 劳动技能="技能劳动力")],   # any of its values
                 [p("丙", "19700101", 健康状况="长期慢性病", 劳动技能="技能劳动力")], "丙"),
    "X004": Case([p("丁", "19700101", 劳动技能="丧失劳动力", 健康状况="健康")],
                 [p("丁", "19700101", 劳动技能="丧失劳动力", 健康状况="残疾"),
                  p("丁二", "19700101", hh="H2", 劳动技能="丧失劳动力", 健康状况="")], "丁"),      # unknown: not fired
    "X005": Case([p("戊", "19650701", 劳动技能="")],                                    # 59
                 [p("戊", "19650630", 劳动技能=""),                                      # 60
                  p("戊二", "20090701", "子", 劳动技能="")], "戊"),                       # 15
    # 教育
    "X006": Case([p("己", "20090701", "子", 在校生情况="辍学")],                          # 15
                 [p("己", "20090630", "子", 在校生情况="辍学")], "己"),                   # 16
    "X007": Case([p("庚", "20180630", "子", 在校生情况="非在校生")],                      # 7
                 [p("庚", "20180701", "子", 在校生情况="非在校生"),                       # 6
                  p("庚二", "20150101", "子", 在校生情况="")], "庚"),    # empty is unknown (school_status_blank)
    "X008": Case([p("辛", "20170630", "子", 在校生情况="学前教育")],                       # 8
                 [p("辛", "20170701", "子", 在校生情况="学前教育")], "辛"),                # 7
    # 医疗（本县的大病保险、健康帮扶措施列）
    "X009": Case([p("壬", "19700101", 是否参加城乡居民基本医疗保险="是", 是否参加大病保险="否")],
                 [p("壬", "19700101", 是否参加城乡居民基本医疗保险="是", 是否参加大病保险="√")], "壬"),
    "X010": Case([p("癸", "19700101", 健康状况="长期慢性病", 健康帮扶措施="")],
                 [p("癸", "19700101", 健康状况="长期慢性病", 健康帮扶措施="家庭医生签约服务")], "癸"),
    "X011": Case([p("子鼠", "19700101", 健康状况="健康", 健康帮扶措施="家庭医生签约服务，大病专项救治")],
                 [p("子鼠", "19700101", 健康状况="健康", 健康帮扶措施="家庭医生签约服务，医疗救助")], "子鼠"),
    "X012": Case([p("丑牛", "19700101", 致贫原因="因病", 健康帮扶措施=""),
                  p("丑妻", "19720101", "配偶", sex="女", 健康帮扶措施="")],
                 [p("丑牛", "19700101", 致贫原因="因病", 健康帮扶措施=""),
                  p("丑妻", "19720101", "配偶", sex="女", 健康帮扶措施="先诊疗后付费")], "丑牛"),
    # 养老保险
    "X013": Case([p("寅虎", "19650630", 是否参加城乡居民基本养老保险="否", 是否参加城镇职工基本养老保险="否")],
                 [p("寅虎", "19650630", 是否参加城乡居民基本养老保险="否", 是否参加城镇职工基本养老保险="是"),
                  p("寅二", "19650630", hh="H2", 是否参加城乡居民基本养老保险="否", 是否参加城镇职工基本养老保险="")],
                 "寅虎"),
    "X014": Case([p("卯兔", "20090701", "子", 是否参加城乡居民基本养老保险="是")],          # 15
                 [p("卯兔", "20090630", "子", 是否参加城乡居民基本养老保险="是")], "卯兔"),   # 16
    # 兜底保障
    "X015": Case([p("辰龙", "19500101", 享受低保="农村低保", 特困供养="农村特困")],
                 [p("辰龙", "19500101", 享受低保="农村低保", 特困供养="不享受")], "辰龙"),
    "X016": Case([p("巳蛇", "19500101", 特困供养="是"),
                  p("巳子", "19650701", "子", 健康状况="健康", 劳动技能="普通劳动力")],          # 59
                 [p("巳蛇", "19500101", 特困供养="是"),
                  p("巳子", "19650630", "子", 健康状况="健康", 劳动技能="普通劳动力")], "巳蛇"),   # 60
    "X017": Case([p("午马", "19700101", 人均纯收入="20000"), p("午母", "19450101", "母亲", sex="女", 享受低保="是")],
                 [p("午马", "19700101", 人均纯收入="19999.99"),
                  p("午母", "19450101", "母亲", sex="女", 享受低保="是")], "午马"),
    # 联系电话
    "X018": Case([p("未羊", "19700101", 户联系电话="1381234567")],                        # 10 digits
                 [p("未羊", "19700101", 户联系电话="138 1234 5678"),
                  p("未二", "19700101", hh="H2", 户联系电话="0851-8123456")], "未羊"),     # a landline with area code
    "X019": Case([p("申猴", "19700101", 户联系电话="13333333333")],
                 [p("申猴", "19700101", 户联系电话="13333333334")], "申猴"),
    "X020": Case([p("酉鸡", "19700101", 帮扶责任人="王建国", 帮扶责任人电话="0851-8123456")],
                 [p("酉鸡", "19700101", 帮扶责任人="王建国", 帮扶责任人电话="139-0851-2345")], "酉鸡"),
    # 收入
    "X021": Case([p("戌狗", "19700101", 监测对象类别="", 人均纯收入="8999.99")],
                 [p("戌狗", "19700101", 监测对象类别="", 人均纯收入="9000"),
                  p("戌二", "19700101", hh="H2", 监测对象类别="脱贫不稳定户", 人均纯收入="8999.99")], "戌狗"),
    "X022": Case([p("亥猪", "19700101", 人均纯收入="50,000.01")],
                 [p("亥猪", "19700101", 人均纯收入="50000")], "亥猪"),
    "X023": Case([p("金", "19700101", 家庭纯收入="0")],
                 [p("金", "19700101", 家庭纯收入="0.01")], "金"),
    "X024": Case([p("木", "19800101", 工资性收入="0", 劳动技能="普通劳动力"),
                  p("木妻", "19820101", "配偶", sex="女", 劳动技能="技能劳动力")],
                 [p("木", "19800101", 工资性收入="0", 劳动技能="普通劳动力"),
                  p("木妻", "19820101", "配偶", sex="女", 劳动技能="弱劳动力或半劳动力")], "木"),
    # 风险类型与户情
    "X025": Case([p("水", "19700101", 致贫原因="因病", 健康状况="健康"), p("水母", "19450101", "母亲", sex="女", 健康状况="残疾")],
                 [p("水", "19700101", 致贫原因="因病", 健康状况="健康"),
                  p("水母", "19450101", "母亲", sex="女", 健康状况="残疾,长期慢性病"),
                  p("水二", "19700101", hh="H2", 致贫原因="因病", 健康状况="健康"),        # a member's 健康状况
                  p("水二母", "19450101", "母亲", hh="H2", sex="女", 健康状况="")], "水"),  # unknown: not fired
    "X026": Case([p("火", "19700101", 致贫原因="因学", **SCHOOL), p("火子", "20100101", "子", **SCHOOL)],
                 [p("火", "19700101", 致贫原因="因学", **SCHOOL), p("火子", "20100101", "子", 在校生情况="初中二年级"),
                  p("火二", "19700101", hh="H2", 致贫原因="因学", **SCHOOL),
                  p("火二子", "20100101", "子", hh="H2", 在校生情况="")], "火"),       # unknown stage: not fired
    "X027": Case([p("土", "19700101", 致贫原因="缺资金、因残", 残疾类别=""), p("土子", "19950101", "子", 残疾类别="")],
                 [p("土", "19700101", 致贫原因="缺资金、因残", 残疾类别=""),
                  p("土子", "19950101", "子", 残疾类别="肢体残疾")], "土"),
    "X028": Case([p("石", "19700101", 户类型="脱贫户", 致贫原因="")],
                 [p("石", "19700101", 户类型="脱贫户", 致贫原因="缺资金")], "石"),
    "X029": Case([p("竹", "19700101", 户类型="一般农户", 监测对象类别="边缘易致贫户", 住房安全="否", 致贫原因="因病、缺资金")],
                 [p("竹", "19700101", 户类型="一般农户", 监测对象类别="边缘易致贫户", 住房安全="否",
                    致贫原因="缺资金、因安全住房")], "竹"),
    # 户主、关系与性别
    "X030": Case([p("丝", "20080101", 在校生情况="普通高中二年级")],
                 [p("丝", "20080101", 在校生情况="大专一年级")], "丝"),
    "X031": Case([p("匏", "19450630")],                                                # 80, alone
                 [p("匏", "19450701"),                                                 # 79
                  p("匏二", "19450630", hh="H2"), p("匏妻", "19460101", "配偶", hh="H2", sex="女")], "匏"),
    "X032": Case([p("革", "19700101", sex="女"), p("革夫", "19700101", "妻", sex="男")],
                 [p("革", "19700101", sex="女"), p("革夫", "19700101", "妻", sex="女")], "革夫"),
    # 住房
    "X033": Case([p("瓦", "19700101", 住房面积="14.9"), p("瓦妻", "19720101", "配偶", sex="女"),
                  p("瓦子", "20070630", "子")],                                         # 18: three adults
                 [p("瓦", "19700101", 住房面积="14.9"), p("瓦妻", "19720101", "配偶", sex="女"),
                  p("瓦子", "20070701", "子"),                                         # 17: two adults
                  p("瓦二", "19700101", hh="H2", 住房面积="15"), p("瓦二妻", "19720101", "配偶", hh="H2", sex="女"),
                  p("瓦二子", "19950101", "子", hh="H2")], "瓦"),
    "X034": Case([p("砖", "19700101", 危房改造时间="2013年12月31日")],
                 [p("砖", "19700101", 危房改造时间="2014-01-01")], "砖"),
    "X035": Case([p("梁", "19700101", 危房改造时间="2020/12/31", 住房安全="否")],
                 [p("梁", "19700101", 危房改造时间="2021/1/1", 住房安全="否")], "梁"),
    # 监测日期与帮扶
    "X036": Case([p("柱", "19700101", 纳入监测时间="202002")],                            # a month: 2020-02-01
                 [p("柱", "19700101", 纳入监测时间="202003")], "柱"),
    "X037": Case([p("檐", "19700101", 纳入监测时间="2025年1月", 首次帮扶时间="")],
                 [p("檐", "19700101", 纳入监测时间="2024年12月", 首次帮扶时间="")], "檐"),
    "X038": Case([p("窗", "19700101", 风险是否消除="是", 风险消除时间="")],
                 [p("窗", "19700101", 风险是否消除="是", 风险消除时间="2024-10")], "窗"),
    "X039": Case([p("门", "19700101", 风险消除时间="2025-01", 最近回访时间="")],
                 [p("门", "19700101", 风险消除时间="2024-12-31", 最近回访时间="")], "门"),
    "X040": Case([p("墙", "19700101", 户类型="一般农户", 监测对象类别="突发严重困难户", 帮扶责任人="")],
                 [p("墙", "19700101", 户类型="一般农户", 监测对象类别="突发严重困难户", 帮扶责任人="李春梅")], "墙"),
    # 逐行检查
    "X041": Case([p("张三2", "19700101")],
                 [p("张三", "19700101")], "张三2"),
    # 村级台账 (the system beside them holds one household of its own)
    "X042": Case([p("台户", "19900101", hh="L1"), p("台妻", "20070701", "配偶", hh="L1", sex="女")],     # 17
                 [p("台户", "19900101", hh="L1"), p("台妻", "20070630", "配偶", hh="L1", sex="女")],     # 18
                 "台妻", source="ledger"),
    "X043": Case([p("台户", "19700101", hh="L1", 户类型="监测户", 风险是否消除="")],
                 [p("台户", "19700101", hh="L1", 户类型="监测户", 风险是否消除="否")], "台户", source="ledger"),
    "X044": Case(members(8, hh="L1"), members(7, hh="L1"), "户主甲", source="ledger"),
    "X045": Case([p("王", "19700101", hh="L1")],
                 [p("王五", "19700101", hh="L1"),
                  p("再努尔•艾买提", "19720101", "配偶", hh="L1", sex="女"),      # a minority name's middle dot
                  p("王　六", "20000101", "子", hh="L1")],                          # aligned with a full-width space
                 "王", source="ledger"),
}


@pytest.fixture(scope="module")
def county_settings() -> Settings:
    return load(COUNTY)


def test_every_county_check_has_a_case(county_settings):
    assert set(CASES) == {check.code for check in county_settings.checks}
    for code, case in CASES.items():
        source = next(check.source for check in county_settings.checks if check.code == code)
        assert case.source == source and case.fires and case.misses, code


def findings_of(case: Case, rows: list[dict], code: str, settings: Settings) -> pd.DataFrame:
    if case.source == "ledger":
        ctx = context(case.system, ledger=rows, settings=settings, cells=True)
    else:
        ctx = context(rows, settings=settings, cells=True)
    result = run_rules(ctx, groups=("county",), codes=(code,))
    assert code not in set(result.skipped["rule"]), result.skipped.to_dict("records")
    return fired(result, code)


@pytest.mark.parametrize("code", sorted(CASES))
def test_a_county_check_fires_on_its_case_and_not_on_its_near_miss(code, county_settings):
    case = CASES[code]
    check = next(check for check in county_settings.checks if check.code == code)
    found = findings_of(case, case.fires, code, county_settings)
    assert list(found["name"]) == [case.who]
    assert set(found["source"]) == {check.source} and set(found["severity"]) == {check.severity}
    assert set(found["category"]) == {check.category}
    message = found["message"].iloc[0]
    assert "{" not in message and (not check.message_columns() or message != check.message)
    missed = findings_of(case, case.misses, code, county_settings)
    assert missed.empty, missed[["name", "actual", "message"]].to_dict("records")
