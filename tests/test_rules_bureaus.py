"""Civil affairs, disability and pension rules (RULES.md §Civil affairs
CIV01–CIV06, §Disability DIS01–DIS03, §Pension insurance PEN02, PEN03), on
cells as the bureaus' files hold them, read by the pipeline's own normaliser.
AS_OF is 2025-06-30."""
from __future__ import annotations

import pandas as pd
import pytest

from checks.rules.run import run_rules
from factories import make_id
from rule_helpers import context as rule_context, found

HEAD = make_id(birth="19700101", seq="011")
WIFE = make_id(birth="19720101", seq="022")
OUTSIDER = make_id(birth="19500101", seq="033")
PLACE = dict(乡镇="镇A", 行政村="村1")


def member(household, name, id_number, relation, **fields) -> dict:
    return dict(户编号=household, 姓名=name, 证件号码=id_number, 与户主关系=relation, 户类型="脱贫户", **PLACE) | fields


def family(**wife) -> list[dict]:
    return [member("H1", "张三", HEAD, "户主"), member("H1", "李四", WIFE, "配偶", **wife)]


def context(system, **sources):
    return rule_context(system, cells=True, **sources)


def codes(ctx, group) -> pd.DataFrame:
    return run_rules(ctx, groups=(group,)).findings


def civil_row(id_number=WIFE, kind="农村低保", status="正常", **fields) -> dict:
    return dict(证件号码=id_number, 姓名="李四", 救助类型=kind, 保障状态=status, **PLACE) | fields


# CIV01–CIV04 ----------------------------------------------------------------

@pytest.mark.parametrize("status, end, fires", [("正常", "", True), ("在保", "2025-12", True), ("停保", "", False),
                                                ("", "", False), ("正常", "2025-06", False)])
def test_civ01_active_dibao_record_while_the_system_says_no(status, end, fires):
    ctx = context(family(享受低保="否"), civil=[civil_row(status=status, 终止日期=end)])
    assert (len(found(ctx, "CIV01", "civil")) == 1) is fires


@pytest.mark.parametrize("kind, status, fires", [("低保", "正常", False), ("农村低保", "", False),   # unknown standing: no
                                                 ("城市低保", "退出", True), ("农村特困", "正常", True)])
def test_civ02_system_says_dibao_without_a_record_active_or_unknown(kind, status, fires):
    ctx = context(family(享受低保="农村低保"), civil=[civil_row(kind=kind, status=status)])
    assert (len(found(ctx, "CIV02", "civil")) == 1) is fires


def test_civ02_not_for_an_unknown_flag():
    assert found(context(family(), civil=[civil_row(kind="农村特困")]), "CIV02", "civil").empty


def test_civ03_and_civ04_for_tekun():
    ctx = context(family(特困供养="未享受"), civil=[civil_row(kind="特困供养")])
    assert found(ctx, "CIV03", "civil")["id_number"].tolist() == [WIFE]
    ctx = context(family(特困供养="是"), civil=[civil_row(kind="特困", status="终止")])
    assert found(ctx, "CIV04", "civil")["id_number"].tolist() == [WIFE]


def test_civ_record_starting_after_the_as_of_date_is_not_active():
    ctx = context(family(享受低保="否"), civil=[civil_row(起始日期="2025-08")])
    assert found(ctx, "CIV01", "civil").empty


# CIV05, CIV06 -----------------------------------------------------------------

def test_civ05_active_record_of_a_person_outside_registered_households_placed_by_the_civil_row():
    ctx = context(family(), civil=[civil_row(id_number=OUTSIDER, 姓名="王五", 乡镇="镇B", 行政村="村9")])
    hit = found(ctx, "CIV05", "civil")
    assert hit[["id_number", "township", "village"]].values.tolist() == [[OUTSIDER, "镇B", "村9"]]
    assert "王五" in hit.iloc[0]["message"]


def test_civ05_person_of_an_ordinary_household_is_placed_by_the_system_row():
    system = family() + [member("H2", "王五", OUTSIDER, "户主", 户类型="一般农户", 乡镇="镇C", 行政村="村3")]
    hit = found(context(system, civil=[civil_row(id_number=OUTSIDER, 乡镇="镇B")]), "CIV05", "civil")
    assert hit[["township", "household_id"]].values.tolist() == [["镇C", "H2"]]


def test_civ05_not_for_members_ended_records_or_the_deregistered():
    assert found(context(family(), civil=[civil_row()]), "CIV05", "civil").empty
    assert found(context(family(), civil=[civil_row(id_number=OUTSIDER, status="停保")]), "CIV05", "civil").empty
    hukou = [dict(证件号码=OUTSIDER, 户籍状态="死亡注销", 注销日期="2025-01-01")]
    ctx = context(family(), civil=[civil_row(id_number=OUTSIDER)], hukou=hukou)
    assert found(ctx, "CIV05", "civil").empty
    assert found(ctx, "CIV06", "civil")["id_number"].tolist() == [OUTSIDER]


def test_civ06_needs_the_deregistration_on_or_before_the_as_of_date():
    hukou = [dict(证件号码=WIFE, 户籍状态="死亡注销", 注销日期="2025-07-01")]
    assert found(context(family(), civil=[civil_row()], hukou=hukou), "CIV06", "civil").empty


def test_civil_rules_do_not_run_without_civil_and_say_so():
    result = run_rules(context(family(享受低保="是")), groups=("civil",))
    assert result.findings.empty
    skipped = result.skipped.set_index("rule")["reason"]
    assert set(skipped.index) >= {"CIV01", "CIV02", "CIV03", "CIV04", "CIV05", "CIV06"}
    assert "civil" in skipped["CIV05"]


# DIS01–DIS03 ------------------------------------------------------------------

def cert(id_number=WIFE, category="肢体", status="有效", **fields) -> dict:
    return dict(证件号码=id_number, 姓名="李四", 残疾类别=category, 证件状态=status) | fields


@pytest.mark.parametrize("status, health, fires", [("有效", "健康", True), ("正常", "长期慢性病", True),
                                                   ("过期", "健康", False), ("", "健康", False), ("有效", "残疾", False),
                                                   ("有效", "", False)])
def test_dis01_valid_certificate_while_health_has_no_disability(status, health, fires):
    ctx = context(family(健康状况=health), disability=[cert(status=status)])
    assert (len(found(ctx, "DIS01", "disability")) == 1) is fires


@pytest.mark.parametrize("status, fires", [("注销", True), ("", False), ("有效", False)])
def test_dis02_disabled_without_a_certificate_valid_or_unknown(status, fires):
    ctx = context(family(健康状况="残疾,长期慢性病"), disability=[cert(status=status)])
    assert (len(found(ctx, "DIS02", "disability")) == 1) is fires


def test_dis01_a_20_character_certificate_number_is_the_person():
    ctx = context(family(健康状况="健康"), disability=[cert(id_number=WIFE + "42", category="")])
    assert found(ctx, "DIS01", "disability")["id_number"].tolist() == [WIFE]


@pytest.mark.parametrize("system_category, certificates, fires", [
    ("肢体", [("视力", "有效")], True), ("肢体残疾", [("视力", "有效"), ("肢体", "有效")], False),
    ("肢体", [("视力", "过期")], False), ("", [("视力", "有效")], False)])
def test_dis03_category_on_no_valid_certificate(system_category, certificates, fires):
    ctx = context(family(健康状况="残疾", 残疾类别=system_category),
                  disability=[cert(category=c, status=s) for c, s in certificates])
    assert (len(found(ctx, "DIS03", "disability")) == 1) is fires


def test_dis03_category_from_a_20_character_number():
    ctx = context(family(健康状况="残疾", 残疾类别="视力"), disability=[cert(id_number=WIFE + "12", category="")])
    assert found(ctx, "DIS03", "disability").empty   # 1 = 视力
    ctx = context(family(健康状况="残疾", 残疾类别="肢体"), disability=[cert(id_number=WIFE + "12", category="")])
    assert found(ctx, "DIS03", "disability")["expected"].tolist() == ["视力"]


# PEN02, PEN03 -------------------------------------------------------------------

def pension(id_number=WIFE, status="参保缴费", kind="城乡居民基本养老保险", year="2025") -> dict:
    return dict(证件号码=id_number, 姓名="李四", 参保状态=status, 险种=kind, 参保年度=year)


@pytest.mark.parametrize("flag, rows, fires", [
    ("是", [pension()], False), ("是", [pension(year="2024")], True), ("是", [pension(status="暂停缴费")], True),
    ("是", [pension(kind="城镇职工基本养老保险")], True), ("否", [pension(kind="")], True), ("否", [], False),
    ("", [pension()], False)])
def test_pen02_resident_pension_flag_against_this_years_enrolment(flag, rows, fires):
    ctx = context(family(是否参加城乡居民基本养老保险=flag, 在校生情况="非在校生"),
                  pension=rows or [pension(id_number=HEAD)])
    assert (len(found(ctx, "PEN02", "pension")) == 1) is fires


@pytest.mark.parametrize("birth, status, rows, fires", [
    ("19720101", "非在校生", [], True), ("19720101", "非在校生", ["城镇职工基本养老保险"], False),
    ("19720101", "本科", [], False), ("20090701", "非在校生", [], False), ("20090630", "非在校生", [], True)])
def test_pen03_adult_out_of_school_not_insured_at_all(birth, status, rows, fires):
    person = make_id(birth=birth, seq="044")
    system = [member("H1", "张三", HEAD, "户主", 在校生情况="本科"), member("H1", "张小", person, "弟", 在校生情况=status)]
    ctx = context(system, pension=[pension(id_number=person, kind=k) for k in rows] or [pension(id_number=HEAD)])
    assert (len(found(ctx, "PEN03", "pension")) == 1) is fires
