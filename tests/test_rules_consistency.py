"""Internal consistency rules (RULES.md §Internal consistency, 逻辑校验):
REL01–REL03, HH04, LAB01, LAB02, SCH01, INS01, PEN01, PHN01, PHN02,
RSK01–RSK05, through checks.rules.run.run_rules on matched core frames.
AS_OF is 2025-06-30: ages are full years on that day; the school cutoff is
2024-08-31."""
from __future__ import annotations

import pandas as pd
import pytest

from checks.rules.run import run_rules
from factories import make_id
from recon.settings import Settings
from rule_helpers import context as rule_context, found

VILLAGE = dict(乡镇="镇A", 行政村="村1", 户类型="脱贫户")


def male(birth: str, n: int = 1) -> str:
    return make_id(birth=birth, seq=f"{2 * n + 1:03d}")


def female(birth: str, n: int = 1) -> str:
    return make_id(birth=birth, seq=f"{2 * n:03d}")


def row(household, name, id_number, relation, **fields) -> dict:
    return dict(户编号=household, 姓名=name, 证件号码=id_number, 与户主关系=relation, **VILLAGE) | fields


HEAD = male("19700101")
WIFE = female("19720101")


def family(*others: dict, head: str = HEAD, **head_fields) -> list[dict]:
    return [row("H1", "张三", head, "户主", **head_fields), row("H1", "李四", WIFE, "配偶"), *others]


def context(system_rows, ledger=None, **options):
    """Cells as the export holds them, read by the pipeline's own normaliser."""
    return rule_context(system_rows, ledger, cells=True, **options)


def consistency(ctx, code) -> pd.DataFrame:
    return found(ctx, code, "consistency")


def test_a_consistent_household_fires_no_consistency_rule():
    rows = [row("H1", "张三", HEAD, "户主", 健康状况="健康", 劳动技能="普通劳动力", 在校生情况="非在校生",
                是否参加城乡居民基本医疗保险="是", 是否参加城镇职工基本医疗保险="否", 是否参加城乡居民基本养老保险="是",
                户联系电话="13812345678", 致贫原因="因学"),
            row("H1", "张小", male("20100301", 2), "之子", 健康状况="健康", 劳动技能="无劳动力", 在校生情况="初中",
                是否参加城乡居民基本医疗保险="是", 是否参加城镇职工基本医疗保险="否")]
    result = run_rules(context(rows, rows), groups=("consistency",))
    assert result.findings.empty, result.findings[["rule", "message"]].to_string()


# REL01 --------------------------------------------------------------------

def test_rel01_a_son_whose_id_is_a_woman_system_and_ledger_each():
    son = female("20000101", 3)
    rows = family(row("H1", "张丽", son, "之子"))
    hits = consistency(context(rows, rows), "REL01")
    assert sorted(hits["source"]) == ["ledger", "system"]
    assert set(hits["id_number"]) == {son} and hits["actual"].eq("子").all()
    assert "张丽" in hits.iloc[0]["message"] and "女性" in hits.iloc[0]["message"]


@pytest.mark.parametrize("relation", ["之子", "子", "儿子"])
def test_rel01_silent_for_a_son_who_is_a_man_whatever_the_spelling(relation):
    assert consistency(context(family(row("H1", "张强", male("20000101", 3), relation))), "REL01").empty


def test_rel01_silent_for_relations_that_imply_no_sex():
    rows = family(row("H1", "王五", female("19500101", 3), "其他亲属"))
    assert consistency(context(rows), "REL01").empty


def test_rel01_儿媳_who_is_a_man():
    hits = consistency(context(family(row("H1", "赵六", male("19990101", 4), "儿媳"))), "REL01")
    assert len(hits) == 1 and hits.iloc[0]["actual"] == "儿媳"


# REL02 --------------------------------------------------------------------

def test_rel02_head_and_spouse_of_the_same_sex_system_and_ledger_each():
    rows = [row("H1", "张三", HEAD, "户主"), row("H1", "李四", male("19720101", 5), "配偶")]
    hits = consistency(context(rows, rows), "REL02")
    assert sorted(hits["source"]) == ["ledger", "system"]
    system = hits[hits["source"] == "system"].iloc[0]
    assert system["household_id"] == "H1" and system["id_number"] == HEAD
    assert "张三" in system["message"] and "李四" in system["message"]


def test_rel02_silent_for_opposite_sexes_and_without_a_head():
    assert consistency(context(family()), "REL02").empty
    no_head = [row("H2", "李四", male("19720101", 5), "配偶"), row("H2", "王五", male("19700101", 6), "子")]
    assert consistency(context(no_head), "REL02").empty


# REL03 --------------------------------------------------------------------

@pytest.mark.parametrize("birth, fires", [("19841231", True), ("19850101", False), ("19690101", True)])
def test_rel03_child_born_fewer_than_15_years_after_the_head_or_before(birth, fires):
    child = male(birth, 3)
    hits = consistency(context(family(row("H1", "张小", child, "之子"))), "REL03")
    assert (len(hits) == 1) is fires
    if fires:
        assert hits.iloc[0]["id_number"] == child and "15" in hits.iloc[0]["message"]


@pytest.mark.parametrize("birth, fires", [("19550102", True), ("19550101", False), ("19800101", True)])
def test_rel03_parent_fewer_than_15_years_older_than_the_head_or_younger(birth, fires):
    mother = female(birth, 3)
    assert (len(consistency(context(family(row("H1", "王母", mother, "母亲"))), "REL03")) == 1) is fires


def test_rel03_gap_follows_the_setting_and_the_ledger_is_checked_too():
    rows = family(row("H1", "张小", male("19880101", 3), "子"))   # 18 years after the head
    assert consistency(context(rows, rows), "REL03").empty
    hits = consistency(context(rows, rows, settings=Settings(generation_gap_years=20)), "REL03")
    assert sorted(hits["source"]) == ["ledger", "system"]


def test_rel03_silent_for_same_generation_and_invalid_ids():
    rows = family(row("H1", "张弟", male("19750101", 3), "弟"), row("H1", "张小", "123", "子"))
    assert consistency(context(rows), "REL03").empty


# HH04 ---------------------------------------------------------------------

@pytest.mark.parametrize("birth, fires", [("20090701", True), ("20090630", False)])
def test_hh04_head_below_head_min_age_boundary_exactly_16_is_fine(birth, fires):
    head = male(birth, 7)
    ctx = context([row("H1", "张三", head, "户主")], [row("H1", "张三", head, "户主")])
    hits = consistency(ctx, "HH04")
    assert len(hits) == (2 if fires else 0)
    if fires:
        assert set(hits["source"]) == {"system", "ledger"} and hits["actual"].eq("15岁").all()


def test_hh04_head_min_age_setting():
    head = male("20050101", 7)
    assert consistency(context([row("H1", "张三", head, "户主")], settings=Settings(head_min_age=21)), "HH04").shape[0] == 1


# LAB01, LAB02 ---------------------------------------------------------------

@pytest.mark.parametrize("birth, labour, fires", [
    ("20090701", "普通劳动力", True), ("20090630", "普通劳动力", False), ("20100101", "无劳动力", False),
    ("20100101", None, False)])
def test_lab01_minor_with_labour_other_than_无劳动力(birth, labour, fires):
    rows = family(row("H1", "张小", male(birth, 3), "子", 劳动技能=labour))
    assert (len(consistency(context(rows), "LAB01")) == 1) is fires


@pytest.mark.parametrize("birth, health, status, labour, fires", [
    ("19900101", "健康", "非在校生", "无劳动力", True),
    ("19900101", "健康", "非在校生", "丧失劳动力", True),
    ("19900101", "健康", "非在校生", "弱劳动力或半劳动力", False),
    ("19900101", "健康、长期慢性病", "非在校生", "无劳动力", False),   # not exactly 健康
    ("19900101", "健康", "本科", "无劳动力", False),                   # in school
    ("19900101", "健康", None, "无劳动力", False),                     # stage unknown
    ("19650701", "健康", "非在校生", "无劳动力", True),                 # 59: still working age
    ("19650630", "健康", "非在校生", "无劳动力", False),                # exactly labour_age_max (60)
])
def test_lab02_healthy_working_age_out_of_school_without_labour(birth, health, status, labour, fires):
    rows = family(row("H1", "张大", male(birth, 3), "弟", 健康状况=health, 在校生情况=status, 劳动技能=labour))
    assert (len(consistency(context(rows), "LAB02")) == 1) is fires


def test_lab02_empty_status_counts_as_out_of_school_when_the_setting_says_so():
    rows = family(row("H1", "张大", male("19900101", 3), "弟", 健康状况="健康", 劳动技能="无劳动力"))
    assert consistency(context(rows), "LAB02").empty
    assert len(consistency(context(rows, settings=Settings(school_status_blank="not_in_school")), "LAB02")) == 1


# SCH01 --------------------------------------------------------------------

@pytest.mark.parametrize("birth, status, fires", [
    ("20210101", "小学一年级", True),        # 3 at the cutoff
    ("20190831", "小学一年级", False),       # exactly 5 at the cutoff
    ("20190901", "小学一年级", True),        # 4
    ("20000101", "初中", True),              # 24
    ("20140101", "学龄前儿童", True),         # 10: 学龄前儿童 is checked as itself
    ("20200101", "学龄前儿童", False),
    ("19900101", "非在校生", False),          # other 非在校 values are not checked
    ("20140101", "辍学", False),
])
def test_sch01_stage_outside_its_plausible_ages_at_the_cutoff(birth, status, fires):
    rows = family(row("H1", "张小", male(birth, 3), "子", 在校生情况=status))
    assert (len(consistency(context(rows), "SCH01")) == 1) is fires


def test_sch01_stage_ages_setting():
    rows = family(row("H1", "张小", male("20000101", 3), "子", 在校生情况="初中"))
    assert consistency(context(rows, settings=Settings(stage_ages={"初中": [10, 30]})), "SCH01").empty


# INS01 --------------------------------------------------------------------

@pytest.mark.parametrize("resident, employee, actual", [("是", "是", "是/是"), ("否", "否", "否/否"),
                                                        ("是", "否", None), ("否", None, None)])
def test_ins01_both_flags_yes_or_both_no(resident, employee, actual):
    rows = family(row("H1", "张小", male("20000101", 3), "子", 是否参加城乡居民基本医疗保险=resident,
                      是否参加城镇职工基本医疗保险=employee))
    hits = consistency(context(rows), "INS01")
    assert hits["actual"].tolist() == ([actual] if actual else [])


def test_ins01_newborns_are_not_checked():
    baby = male("20250501", 3)   # 60 days old
    rows = family(row("H1", "张宝", baby, "子", 是否参加城乡居民基本医疗保险="否", 是否参加城镇职工基本医疗保险="否"))
    assert consistency(context(rows), "INS01").empty


# PEN01 --------------------------------------------------------------------

@pytest.mark.parametrize("birth, status, resident, employee, fires", [
    ("19900101", "非在校生", "否", "否", True),
    ("19900101", "非在校生", "否", "是", False),
    ("19900101", "非在校生", None, "否", False),
    ("19900101", "本科", "否", "否", False),
    ("20090630", "非在校生", "否", "否", True),     # exactly 16
    ("20090701", "非在校生", "否", "否", False),
])
def test_pen01_adult_out_of_school_without_pension(birth, status, resident, employee, fires):
    rows = family(row("H1", "张大", male(birth, 3), "弟", 在校生情况=status, 是否参加城乡居民基本养老保险=resident,
                      是否参加城镇职工基本养老保险=employee))
    assert (len(consistency(context(rows), "PEN01")) == 1) is fires


def test_pen01_fires_without_the_employee_pension_column_and_sits_on_the_养老保险_sheet():
    from checks.rules.base import REGISTRY
    rows = family(row("H1", "张大", male("19900101", 3), "弟", 在校生情况="非在校生", 是否参加城乡居民基本养老保险="否"))
    assert len(consistency(context(rows), "PEN01")) == 1
    assert REGISTRY["PEN01"].category == "养老保险" and REGISTRY["REL01"].category == "逻辑校验"


# PHN01, PHN02 ---------------------------------------------------------------

@pytest.mark.parametrize("phone, fires", [("13812345678", False), ("+86 138-1234-5678", False), ("0851-12345678", False),
                                          ("1381234567", True), ("无", True), ("0", True), (None, False)])
def test_phn01_malformed_household_phone(phone, fires):
    hits = consistency(context(family(户联系电话=phone)), "PHN01")
    assert (len(hits) == 1) is fires


def test_phn01_message_masks_a_long_number():
    hits = consistency(context(family(户联系电话="138123456789")), "PHN01")
    assert "138123456789" not in hits.iloc[0]["message"] and "138****6789" in hits.iloc[0]["message"]


def test_phn02_a_phone_on_two_registered_households_one_finding_each_masked():
    rows = family(户联系电话="13812345678") + [row("H2", "王五", male("19600101", 8), "户主", 户联系电话="138 1234 5678"),
                                              row("H3", "赵六", male("19600101", 9), "户主", 户联系电话="13900001111")]
    hits = consistency(context(rows), "PHN02")
    assert sorted(hits["household_id"]) == ["H1", "H2"] and hits["actual"].eq("2").all()
    assert not hits["message"].str.contains("13812345678").any() and hits["message"].str.contains("138\\*\\*\\*\\*5678").all()
    assert consistency(context(rows, settings=Settings(shared_phone_households=3)), "PHN02").empty


def test_phn02_ignores_malformed_numbers_and_ordinary_households():
    rows = family(户联系电话="0") + [row("H2", "王五", male("19600101", 8), "户主", 户联系电话="0"),
                                    row("H3", "赵六", male("19600101", 9), "户主", 户联系电话="13812345678"),
                                    row("H4", "钱七", male("19600101", 10), "户主", 户联系电话="13812345678", 户类型="一般农户")]
    assert consistency(context(rows), "PHN02").empty


# RSK01–RSK05 ----------------------------------------------------------------

def risk_family(label_fields: dict, *member_fields: dict) -> list[dict]:
    head = row("H1", "张三", HEAD, "户主", **label_fields, **member_fields[0])
    rest = [row("H1", f"成员{i}", female(f"19{70 + i}0101", 10 + i) if i % 2 else male(f"19{70 + i}0101", 10 + i), "其他亲属", **fields)
            for i, fields in enumerate(member_fields[1:], start=1)]
    return [head, *rest]


@pytest.mark.parametrize("health, fires", [(("健康", "健康"), True), (("健康", "残疾"), False),
                                           (("健康", "长期慢性病、残疾"), False), (("健康", None), False)])
def test_rsk01_因残_without_a_disabled_member(health, fires):
    rows = risk_family({"致贫原因": "缺资金", "致贫原因3": "因残"}, *({"健康状况": h} for h in health))
    assert (len(consistency(context(rows), "RSK01")) == 1) is fires


@pytest.mark.parametrize("health, fires", [(("健康", "残疾"), True), (("健康", "患有大病"), False),
                                           (("长期慢性病", "健康"), False), ((None, "健康"), False)])
def test_rsk02_因病_without_a_sick_member(health, fires):
    rows = risk_family({"致贫原因": "因病、缺技术"}, *({"健康状况": h} for h in health))
    assert (len(consistency(context(rows), "RSK02")) == 1) is fires


@pytest.mark.parametrize("statuses, blank, fires", [
    (("非在校生", "非在校生"), "unknown", True), (("非在校生", "辍学"), "unknown", True),
    (("非在校生", "初中"), "unknown", False), (("非在校生", None), "unknown", False),
    (("非在校生", None), "not_in_school", True)])
def test_rsk03_因学_without_a_member_in_school(statuses, blank, fires):
    rows = risk_family({"致贫原因": "缺资金", "致贫原因2": "因学"}, *({"在校生情况": s} for s in statuses))
    ctx = context(rows, settings=Settings(school_status_blank=blank))
    assert (len(consistency(ctx, "RSK03")) == 1) is fires


@pytest.mark.parametrize("members, fires", [
    ((("健康", "普通劳动力"), ("健康", "技能劳动力")), True),
    ((("健康", "普通劳动力"), ("健康", "弱劳动力或半劳动力")), False),
    ((("健康", "普通劳动力"), ("长期慢性病", "普通劳动力")), False),
    ((("健康", "普通劳动力"), (None, "普通劳动力")), False)])
def test_rsk04_缺劳动力_with_two_healthy_labourers(members, fires):
    rows = risk_family({"致贫原因": "缺劳动力"}, *({"健康状况": h, "劳动技能": skill} for h, skill in members))
    hits = consistency(context(rows), "RSK04")
    assert (len(hits) == 1) is fires
    assert consistency(context(rows, settings=Settings(rsk04_labourers=3)), "RSK04").empty


def test_rsk04_counts_working_age_only():
    rows = risk_family({"致贫原因": "缺劳力"}, {"健康状况": "健康", "劳动技能": "普通劳动力"})
    rows.append(row("H1", "老人", male("19500101", 30), "父亲", 健康状况="健康", 劳动技能="普通劳动力"))
    assert consistency(context(rows), "RSK04").empty


@pytest.mark.parametrize("skills, fires", [(("无劳动力", "丧失劳动力"), True), (("无劳动力", "弱劳动力或半劳动力"), False),
                                           (("无劳动力", None), False)])
def test_rsk05_因务工就业不稳_without_a_labourer(skills, fires):
    rows = risk_family({"致贫原因": "因务工就业不稳"}, *({"劳动技能": s} for s in skills))
    assert (len(consistency(context(rows), "RSK05")) == 1) is fires


def test_risk_rules_need_the_label_itself_not_one_without_its_因():
    rows = risk_family({"致贫原因": "其他"}, {"健康状况": "健康"}, {"健康状况": "健康"})
    assert consistency(context(rows), "RSK01").empty and consistency(context(rows), "RSK02").empty


def test_consistency_rules_skip_ordinary_households():
    rows = [row("H1", "张三", HEAD, "户主", 户类型="一般农户", 户联系电话="0", 致贫原因="因残", 健康状况="健康"),
            row("H1", "张丽", female("20000101", 3), "之子", 户类型="一般农户")]
    assert run_rules(context(rows), groups=("consistency",)).findings.empty


def test_sch01_a_baby_born_after_the_cutoff_is_a_学龄前儿童_of_age_0():
    rows = family(row("H1", "张宝", male("20250101", 3), "子", 在校生情况="学龄前儿童"))
    assert consistency(context(rows), "SCH01").empty
    rows = family(row("H1", "张宝", male("20250101", 3), "子", 在校生情况="小学一年级"))
    assert len(consistency(context(rows), "SCH01")) == 1
