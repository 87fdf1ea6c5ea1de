"""The county's own checks (RULES.md §Profiles): every condition kind and
scope on small frames read by the pipeline's own normaliser, unknown values
(never satisfy a condition), household conditions over members with unknown
values, declared columns, messages, and the findings' key and category.
AS_OF is 2025-06-30: ages are full years on that day."""
from __future__ import annotations

import pandas as pd
import pytest

from factories import make_id
from recon.settings import Settings
from rule_helpers import context, fired, run

PLACE = dict(乡镇="镇A", 行政村="村1", 户类型="脱贫户")


def male(birth: str, n: int = 1) -> str:
    return make_id(birth=birth, seq=f"{2 * n + 1:03d}")


def female(birth: str, n: int = 1) -> str:
    return make_id(birth=birth, seq=f"{2 * n:03d}")


def invalid(id_number: str) -> str:
    """The ID with a wrong check character."""
    return id_number[:-1] + ("0" if id_number[-1] != "0" else "1")


def member(household: str, name: str, id_number: str, relation: str = "子", **cells) -> dict:
    return dict(户编号=household, 姓名=name, 证件号码=id_number, 与户主关系=relation, **PLACE) | cells


def settings(*when: dict, scope: str = "members", source: str = "system", columns: dict | None = None,
             message: str | None = None, **check) -> Settings:
    body = dict(code="X001", title="测试核查", source=source, scope=scope, when=list(when)) | check
    if message:
        body["message"] = message
    return Settings.model_validate({"checks": [body], "columns": columns or {}})


def findings(rows: list[dict], *when: dict, ledger: list[dict] | None = None, **options) -> pd.DataFrame:
    config = settings(*when, **options)
    return fired(run(context(rows, ledger=ledger, settings=config, cells=True), "county"), "X001")


def names(found: pd.DataFrame) -> set[str]:
    return set(found["name"])


# ---- column conditions ------------------------------------------------------------------

def test_in_compares_after_normalisation_and_unknown_is_neither_in_nor_not_in():
    rows = [member("H1", "甲", male("19800101", 1), "户主", 户类型="普通农户"),
            member("H2", "乙", male("19800101", 2), "户主", 户类型="脱贫户"),
            member("H3", "丙", male("19800101", 3), "户主", 户类型="")]
    assert names(findings(rows, {"column": "户类型", "in": ["普通农户"]})) == {"甲"}     # 普通农户 reads as 一般农户
    assert names(findings(rows, {"column": "户类型", "not_in": ["一般农户"]})) == {"乙"}  # 丙 unknown: not fired


def test_in_on_a_multi_value_column_holds_when_any_value_is_listed_and_not_in_when_none_is():
    rows = [member("H1", "甲", male("19800101", 1), "户主", 健康状况="残疾,长期慢性病"),
            member("H1", "乙", female("19820101", 1), "配偶", 健康状况="健康"),
            member("H1", "丙", male("20100101", 2), 健康状况="")]
    assert names(findings(rows, {"column": "健康状况", "in": ["长期慢性病", "大病"]})) == {"甲"}
    assert names(findings(rows, {"column": "健康状况", "not_in": ["长期慢性病", "患有大病"]})) == {"乙"}


def test_empty_and_known():
    rows = [member("H1", "甲", male("19800101", 1), "户主", 劳动技能=""),
            member("H1", "乙", female("19820101", 1), "配偶", 劳动技能="普通劳动力")]
    assert names(findings(rows, {"column": "劳动技能", "empty": True})) == {"甲"}
    assert names(findings(rows, {"column": "劳动技能", "known": True})) == {"乙"}
    assert names(findings(rows, {"column": "劳动技能", "empty": False})) == {"乙"}


@pytest.mark.parametrize("test, bound, expected", [
    ("lt", 7300, {"低"}), ("le", 7300, {"低", "等"}), ("gt", 7300, {"高"}), ("ge", 7300, {"等", "高"})])
def test_number_comparisons_at_the_boundary_and_unknown_never_holds(test, bound, expected):
    rows = [member("H1", "低", male("19800101", 1), "户主", 人均纯收入="7299.99"),
            member("H2", "等", male("19800101", 2), "户主", 人均纯收入="7300"),
            member("H3", "高", male("19800101", 3), "户主", 人均纯收入="7,300.01"),
            member("H4", "空", male("19800101", 4), "户主", 人均纯收入="")]
    assert names(findings(rows, {"column": "人均纯收入", test: bound})) == expected


def test_date_comparisons_read_a_month_column_as_its_first_day():
    rows = [member("H1", "甲", male("19800101", 1), "户主", 纳入监测时间="2024年3月"),
            member("H2", "乙", male("19800101", 2), "户主", 纳入监测时间="2024-02-29"),
            member("H3", "丙", male("19800101", 3), "户主", 纳入监测时间="")]
    assert names(findings(rows, {"column": "纳入监测时间", "ge": "2024-03-01"})) == {"甲"}
    assert names(findings(rows, {"column": "纳入监测时间", "lt": "2024-03-01"})) == {"乙"}
    # Several tests in one condition all hold: a window.
    assert names(findings(rows, {"column": "纳入监测时间", "ge": "2024-02-01", "le": "2024-02-29"})) == {"乙"}


def test_contains_matches_and_not_matches_on_the_normalised_text():
    rows = [member("H1", "甲", male("19800101", 1), "户主", 户联系电话="138-1234-5678"),
            member("H2", "乙", male("19800101", 2), "户主", 户联系电话="1381234"),
            member("H3", "丙", male("19800101", 3), "户主", 户联系电话="")]
    mobile = r"1[3-9]\d{9}"
    assert names(findings(rows, {"column": "户联系电话", "matches": mobile})) == {"甲"}   # hyphens are not part of it
    assert names(findings(rows, {"column": "户联系电话", "not_matches": mobile})) == {"乙"}  # 丙 unknown
    assert names(findings(rows, {"column": "户联系电话", "contains": "1381"})) == {"甲", "乙"}


# ---- age, sex, stage, risk ------------------------------------------------------------------

def test_age_is_inclusive_at_both_ends_and_does_not_hold_for_an_invalid_id():
    rows = [member("H1", "满60", male("19650630", 1), "户主"),       # 60 on the as-of day
            member("H1", "差一天", male("19650701", 2), "父"),       # still 59
            member("H1", "无效", invalid(female("19500101", 1)), "母")]
    assert names(findings(rows, {"age": {"min": 60}})) == {"满60"}
    assert names(findings(rows, {"age": {"max": 59}})) == {"差一天"}
    assert names(findings(rows, {"age": {"min": 59, "max": 60}})) == {"满60", "差一天"}


def test_sex_is_read_from_the_id():
    rows = [member("H1", "男", male("19800101", 1), "户主"), member("H1", "女", female("19820101", 1), "配偶"),
            member("H1", "无效", invalid(male("19800101", 2)), "子")]
    assert names(findings(rows, {"sex": "女"})) == {"女"}
    assert names(findings(rows, {"sex": "男"})) == {"男"}


def test_stage_follows_school_status_blank():
    rows = [member("H1", "初中生", male("20110101", 1), 在校生情况="初中二年级"),
            member("H1", "空白", male("20120101", 2), 在校生情况="")]
    assert names(findings(rows, {"stage": ["初中"]})) == {"初中生"}
    assert names(findings(rows, {"stage": ["非在校"]})) == set()   # school_status_blank: unknown
    config = settings({"stage": ["非在校"]}).model_copy(update={"school_status_blank": "not_in_school"})
    assert names(fired(run(context(rows, settings=config, cells=True), "county"), "X001")) == {"空白"}


def test_risk_reads_every_label_of_the_household_on_any_of_its_rows():
    rows = [member("H1", "甲", male("19800101", 1), "户主", 致贫原因="缺资金", 致贫原因2="因病、因学"),
            member("H1", "乙", female("19820101", 1), "配偶"),
            member("H2", "丙", male("19800101", 2), "户主", 致贫原因="缺劳动力")]
    assert names(findings(rows, {"risk": ["因病"]})) == {"甲", "乙"}
    assert names(findings(rows, {"risk": ["缺劳力"]})) == {"丙"}   # 缺劳动力 is 缺劳力


# ---- household conditions ------------------------------------------------------------------

def ill_household(*health: str) -> list[dict]:
    return [member("H1", f"成员{i}", male("19800101", i), "户主" if i == 0 else "子", 健康状况=value)
            for i, value in enumerate(health)]


ILL = {"column": "健康状况", "in": ["长期慢性病", "患有大病"]}


@pytest.mark.parametrize("health, quantifier, fires", [
    (("健康", "长期慢性病"), "any", True), (("健康", "健康"), "any", False), (("健康", ""), "any", False),
    (("健康", "健康"), "none", True), (("健康", "患有大病"), "none", False),
    (("健康", ""), "none", False),            # one member's health unknown: none cannot be known
    (("长期慢性病", "患有大病"), "all", True), (("长期慢性病", "健康"), "all", False),
    (("长期慢性病", ""), "all", False),
])
def test_household_any_none_all_over_members_with_unknown_values(health, quantifier, fires):
    found = findings(ill_household(*health), {"household": {quantifier: [ILL]}}, scope="heads")
    assert (len(found) == 1) is fires


@pytest.mark.parametrize("health, bound, fires", [
    (("长期慢性病", "患有大病", "健康"), {"ge": 2}, True), (("长期慢性病", "健康", "健康"), {"ge": 2}, False),
    (("长期慢性病", "", "健康"), {"ge": 2}, False),        # an unknown member does not count
    (("长期慢性病", "健康", "健康"), {"le": 1}, True), (("长期慢性病", "患有大病", "健康"), {"le": 1}, False),
    (("长期慢性病", "", "健康"), {"le": 1}, False),        # the unknown member might make it two
])
def test_household_count(health, bound, fires):
    found = findings(ill_household(*health), {"household": {"count": [ILL], **bound}}, scope="heads")
    assert (len(found) == 1) is fires


def test_household_conditions_combine_member_conditions_and_stay_in_the_household():
    three_adults = [member("H1", "户主甲", male("19700101", 1), "户主", 住房面积="14"),
                    member("H1", "妻", female("19720101", 1), "配偶"), member("H1", "子", male("20000101", 2))]
    two_adults = [member("H2", "户主乙", male("19700101", 3), "户主", 住房面积="14"),
                  member("H2", "妻", female("19720101", 2), "配偶"), member("H2", "孩", male("20150101", 4))]
    found = findings(three_adults + two_adults, {"column": "住房面积", "lt": 15},
                     {"household": {"count": [{"age": {"min": 16}}], "ge": 3}}, scope="heads",
                     columns={"system": {"住房面积": {"names": ["住房面积（平方米）"], "kind": "number"}}},
                     message="{姓名}户住房面积{住房面积}平方米")
    assert list(found["household_id"]) == ["H1"] and list(found["message"]) == ["户主甲户住房面积14平方米"]


# ---- scopes, keys, messages ------------------------------------------------------------------

def test_members_scope_is_one_finding_per_person_keyed_by_id_and_source():
    twice = male("19800101", 1)
    rows = [member("H1", "甲", twice, "户主", 劳动技能=""), member("H2", "甲", twice, "户主", 劳动技能="")]
    found = findings(rows, {"column": "劳动技能", "empty": True})
    assert len(found) == 1 and found.loc[0, "id_number"] == twice and found.loc[0, "source"] == "system"


def test_heads_scope_is_the_first_head_row_of_each_household():
    rows = [member("H1", "户主", male("19800101", 1), "户主"), member("H1", "配偶", female("19820101", 1), "配偶"),
            member("H2", "无户主", male("19800101", 2), "子")]
    found = findings(rows, {"sex": "男"}, scope="heads")
    assert list(found["name"]) == ["户主"] and list(found["household_id"]) == ["H1"]


def test_rows_scope_sees_rows_without_an_id_and_is_keyed_by_file_and_row():
    rows = [member("H1", "甲", male("19800101", 1), "户主", 户联系电话="12"), member("H1", "乙", "", "配偶", 户联系电话="34")]
    found = findings(rows, {"column": "户联系电话", "known": True}, scope="rows")
    assert list(found["row"]) == [2, 3] and found["file"].notna().all()


def test_a_ledger_check_reads_the_ledger():
    ledger = [member("L1", "甲", male("19800101", 1), "户主", 户联系电话="123"),
              member("L1", "乙", female("19820101", 1), "配偶", 户联系电话="13812345678")]
    found = findings([member("H9", "丙", male("19800101", 9), "户主")], {"column": "户联系电话", "not_matches": r"1\d{10}"},
                     ledger=ledger, source="ledger")
    assert names(found) == {"甲"} and set(found["source"]) == {"ledger"}


def test_a_message_fills_values_and_masks_ids_and_phones():
    person = male("19800101", 1)
    rows = [member("H1", "甲", person, "户主", 户联系电话="13812345678", 人均纯收入="6800.5", 享受低保="是", 劳动技能="")]
    found = findings(rows, {"column": "人均纯收入", "lt": 7300},
                     message="{姓名}（{证件号码}，电话{户联系电话}）人均{人均纯收入}元，低保{享受低保}，劳动技能{劳动技能}")
    text = found.loc[0, "message"]
    assert text == f"甲（{person[:6]}********{person[-4:]}，电话138****5678）人均6800.5元，低保是，劳动技能空"
    assert person not in text and found.loc[0, "actual"] == "人均纯收入=6800.5"


def test_findings_carry_the_checks_severity_category_and_field():
    rows = [member("H1", "甲", male("19800101", 1), "户主", 劳动技能="")]
    config = settings({"column": "劳动技能", "empty": True}, severity="high", category="家庭与收入")
    found = fired(run(context(rows, settings=config, cells=True), "county"), "X001")
    assert found.loc[0, ["severity", "category", "field"]].tolist() == ["high", "家庭与收入", "劳动技能"]


# ---- declared columns ------------------------------------------------------------------------

COLUMNS = {"system": {"住房面积": {"names": ["住房面积（平方米）"], "kind": "number"},
                      "健康帮扶措施": {"kind": "list"}, "是否参加大病保险": {"kind": "yesno"},
                      "危房改造时间": {"kind": "date"}}}


def test_declared_columns_are_read_with_the_normalisation_of_their_kind():
    rows = [member("H1", "甲", male("19800101", 1), "户主", 住房面积="12.5", 健康帮扶措施="送医，签约医生",
                   是否参加大病保险="否", 危房改造时间="2019年5月1日"),
            member("H2", "乙", male("19800101", 2), "户主", 住房面积="abc", 健康帮扶措施="签约医生",
                   是否参加大病保险="是", 危房改造时间="2021-01-01")]
    ask = lambda *when: names(findings(rows, *when, columns=COLUMNS))   # noqa: E731
    assert ask({"column": "住房面积", "lt": 15}) == {"甲"}              # abc: an input problem, unknown here
    assert ask({"column": "健康帮扶措施", "in": ["送医"]}) == {"甲"}
    assert ask({"column": "是否参加大病保险", "in": ["否"]}) == {"甲"}
    assert ask({"column": "危房改造时间", "lt": "2020-01-01"}) == {"甲"}


def test_a_declared_column_the_drop_lacks_makes_the_check_not_run():
    rows = [member("H1", "甲", male("19800101", 1), "户主")]
    config = settings({"column": "住房面积", "lt": 15}, columns=COLUMNS)
    result = run(context(rows, settings=config, cells=True), "county")
    assert fired(result, "X001").empty
    assert result.skipped.to_dict("records") == [{"rule": "X001", "reason": "system/ 缺少列 住房面积"}]


def test_a_python_regex_that_arrows_engine_cannot_run_still_runs():
    """RULES.md §Profiles: matches takes Python regular expressions (here a back-reference)."""
    rows = [member("H1", "甲", male("19800101", 1), "户主", 户联系电话="13333333333"),
            member("H2", "乙", male("19800101", 2), "户主", 户联系电话="13812345678")]
    assert names(findings(rows, {"column": "户联系电话", "matches": r"1(\d)\1{9}"})) == {"甲"}
    assert names(findings(rows, {"column": "户联系电话", "not_matches": r"(?!138)\d{11}"})) == {"乙"}


def test_names_compare_as_their_key_without_spaces_and_with_one_middle_dot():
    rows = [member("H1", "再努尔•艾买提", male("19800101", 1), "户主"), member("H2", "崔 彬", male("19800101", 2), "户主")]
    assert names(findings(rows, {"column": "姓名", "in": ["再努尔·艾买提", "崔彬"]})) == {"再努尔•艾买提", "崔 彬"}
    assert names(findings(rows, {"column": "姓名", "matches": r"[一-龥]{2}"})) == {"崔 彬"}


# ---- the group runs its checks together ----------------------------------------------------

def test_checks_run_together_find_what_each_finds_alone_in_the_configs_order():
    """run_rules runs the county group in one call (RuleGroup.batch): the findings, their
    order (the config's), keys, severities, fields and messages are those of each check
    run alone (Rule.func); a disabled check is skipped, not run."""
    rows = [member("H1", "甲", male("19500101", 1), "户主", 劳动技能="普通劳动力", 户联系电话="12345", 人均纯收入="5000"),
            member("H1", "乙", female("19550101", 1), "配偶", 劳动技能="", 户联系电话="12345", 人均纯收入="5000"),
            member("H2", "丙", male("19800101", 2), "户主", 劳动技能="技能劳动力", 户联系电话="13812345678", 人均纯收入="9000")]
    ledger = [dict(户编号="L1", 姓名="丁", 证件号码=male("19900101", 3), 与户主关系="户主", 乡镇="镇A", 行政村="村1")]
    checks = [
        dict(code="C1", title="老年人有劳动力", source="system", when=[{"age": {"min": 60}}, {"column": "劳动技能", "known": True}],
             message="{姓名}（{劳动技能}）", severity="high"),
        dict(code="C2", title="台账户主", source="ledger", scope="heads", when=[{"column": "与户主关系", "in": ["户主"]}]),
        dict(code="C3", title="电话格式", source="system", scope="heads", when=[{"column": "户联系电话", "not_matches": r"1\d{10}"}],
             message="电话 {户联系电话}，收入 {人均纯收入}", category="家庭与收入"),
        dict(code="C4", title="每一行", source="system", scope="rows", when=[{"column": "人均纯收入", "lt": 6000}]),
        dict(code="C5", title="停用", source="system", when=[{"age": {"min": 0}}]),
    ]
    config = Settings.model_validate({"checks": checks, "rules": {"C5": {"enabled": False}}})
    ctx = context(rows, ledger=ledger, settings=config, cells=True)
    together = run(ctx, "county")
    assert list(dict.fromkeys(together.findings["rule"])) == ["C1", "C2", "C3", "C4"]
    assert together.skipped["rule"].tolist() == ["C5"]
    assert dict(zip(together.counts["rule"], together.counts["findings"])) == {"C1": 1, "C2": 1, "C3": 1, "C4": 2}
    from checks.rules.run import load_catalog
    catalog = load_catalog(config)
    for code in ("C1", "C2", "C3", "C4"):
        alone = catalog[code].func(context(rows, ledger=ledger, settings=config, cells=True))
        mine = fired(together, code)
        columns = [c for c in alone.columns if c != "rule"]
        pd.testing.assert_frame_equal(mine[columns].reset_index(drop=True), alone[columns].reset_index(drop=True),
                                      check_dtype=False)
    first = fired(together, "C1").iloc[0]
    assert (first["message"], first["severity"], first["key"]) == ("甲（普通劳动力）", "high", f"{male('19500101', 1)}|system")
    phone = fired(together, "C3").iloc[0]
    assert (phone["message"], phone["category"], phone["field"], phone["actual"]) == \
        ("电话 12345，收入 5000", "家庭与收入", "户联系电话", "户联系电话=12345")
