"""EDU01–EDU03 (RULES.md §Education, §Compulsory school age and stages)."""
import datetime as dt

import pandas as pd
import pytest

from checks.rules.stages import blank_status_notes, member_stage, record_stage, school_stage
from recon.settings import Settings, SettingsError
from rule_helpers import context, fired, make_id, person, run

HEAD = make_id(birth="19800101", seq="011")


def family(child_birth: str, seq: str = "021", household: str = "H1", **child_fields) -> list[dict]:
    return [person(household, "王父", make_id(birth="19800101", seq=seq[:2] + "1")),
            person(household, "王小", make_id(birth=child_birth, seq=seq), "子", **child_fields)]


def school(id_number: str, status: str, level: str = "小学", **fields) -> dict:
    return {"姓名": "王小", "证件号码": id_number, "学籍状态": status, "学段": level, **fields}


def test_EDU01_fires_for_compulsory_age_child_without_school_record():
    child = make_id(birth="20140301", seq="021")
    ctx = context(family("20140301"), education=[school(make_id(birth="20100101", seq="099"), "在读")])
    found = fired(run(ctx, "education"), "EDU01")
    assert found["id_number"].tolist() == [child]
    row = found.iloc[0]
    assert row["message"] == "义务教育阶段适龄儿童王小（10岁）在学籍库中无在读记录，疑似失学辍学"
    assert (row["household_id"], row["township"], row["village"], row["source"]) == ("H1", "城关镇", "新村", "system|education")
    assert child not in row["message"]


def test_EDU01_message_says_dropout_when_current_record_is_dropout():
    child = make_id(birth="20120501", seq="021")
    ctx = context(family("20120501"), education=[school(child, "辍学", "初中")])
    row = fired(run(ctx, "education"), "EDU01").iloc[0]
    assert "辍学" in row["message"] and "失学" not in row["message"]
    assert row["actual"] == "辍学"


@pytest.mark.parametrize("birth, fires", [
    ("20180831", True),   # 6 on 31 August 2024 (school year of as-of 2025-06-30)
    ("20180901", False),  # 5 at the cutoff
    ("20080901", True),   # 15 at the cutoff
    ("20080831", False),  # 16 at the cutoff
])
def test_EDU01_compulsory_age_boundaries_at_31_august(birth, fires):
    ctx = context(family(birth), education=[school(make_id(birth="20100101", seq="099"), "在读")])
    assert len(fired(run(ctx, "education"), "EDU01")) == int(fires)


def test_EDU01_school_year_starts_in_september():
    # as-of 2025-09-01: cutoff 31 August 2025, so a child born 2019-08-31 is 6.
    ctx = context(family("20190831"), as_of=dt.date(2025, 9, 1),
                  education=[school(make_id(birth="20100101", seq="099"), "在读")])
    assert len(fired(run(ctx, "education"), "EDU01")) == 1


@pytest.mark.parametrize("status, level, fires", [
    ("毕业", "初中", False),   # finished junior school at 15
    ("毕业", "小学", True),    # finished only primary school
    ("休学", "初中", False),
    ("转出", "初中", False),
    ("送教上门", "小学", False),
    (None, "小学", False),      # 学籍状态 unknown: unknown never fires
    ("毕业", None, False),      # 学段 of the 毕业 row unknown
    ("辍学", "初中", True),
])
def test_EDU01_fifteen_year_old_records(status, level, fires):
    child = make_id(birth="20090301", seq="021")
    ctx = context(family("20090301"), education=[school(child, status, level)])
    assert len(fired(run(ctx, "education"), "EDU01")) == int(fires)


def test_EDU01_not_for_deregistered_child():
    child = make_id(birth="20140301", seq="021")
    ctx = context(family("20140301"), education=[school(HEAD, "毕业", "高中")],
                  hukou=[{"证件号码": child, "户籍状态": "死亡注销", "注销日期": "2025-01-10"}])
    assert fired(run(ctx, "education"), "EDU01").empty


def test_EDU01_not_for_child_of_unregistered_household():
    rows = [dict(r, 户类型="一般农户") for r in family("20140301")]
    ctx = context(rows, education=[school(HEAD, "毕业", "高中")])
    assert fired(run(ctx, "education"), "EDU01").empty


def test_education_rules_skip_without_education_source():
    result = run(context(family("20140301")), "education")
    assert result.findings.empty
    assert set(result.skipped["rule"]) == {"EDU01", "EDU02", "EDU03"}


@pytest.mark.parametrize("value, stage", [
    ("非在校生", "非在校"), ("学龄前儿童", "非在校"), ("学前教育", "学前"), ("小学三年级", "小学"),
    ("八年级", "初中"), ("初中一年级", "初中"), ("普通高中二年级", "高中"), ("中专", "中职"),
    ("技师学院", "中职"), ("大专", "高职"), ("硕士研究生", "本科及以上"), ("大学本科", "本科及以上"),
    ("失学或辍学", "辍学"), ("送教上门", "送教上门"), (None, None), ("其他", None),
])
def test_stage_of_在校生情况(value, stage):
    result = school_stage(pd.Series([value], dtype="string")).iloc[0]
    assert (result if pd.notna(result) else None) == stage


def test_stage_of_current_record():
    status = pd.Series(["在读", "休学", "送教上门", "辍学", "毕业", "转出"], dtype="string")
    level = pd.Series(["初中", "学前教育", "小学", "小学", "初中", "小学"], dtype="string")
    stages = record_stage(status, level)
    assert stages.fillna("?").tolist() == ["初中", "学前", "送教上门", "辍学", "非在校", "?"]


def test_EDU02_fires_when_system_stage_differs_from_current_record():
    child = make_id(birth="20120501", seq="021")
    ctx = context(family("20120501", 在校生情况="小学六年级"),
                  education=[school(child, "毕业", "小学"), school(child, "在读", "初中")])
    row = fired(run(ctx, "education"), "EDU02").iloc[0]
    assert (row["id_number"], row["field"], row["expected"], row["actual"]) == (child, "在校生情况", "初中", "小学六年级")
    assert row["message"] == "王小在系统中在校生情况为“小学六年级”，学籍库为“初中在读”，在校生情况与学籍不一致"


@pytest.mark.parametrize("system_value, status", [
    ("七年级", "在读"),        # same stage, different spelling
    (None, "在读"),            # 在校生情况 unknown
    ("小学六年级", "转出"),     # current record's stage unknown
])
def test_EDU02_does_not_fire_on_agreement_or_unknown(system_value, status):
    child = make_id(birth="20120501", seq="021")
    ctx = context(family("20120501", 在校生情况=system_value), education=[school(child, status, "初中")])
    assert fired(run(ctx, "education"), "EDU02").empty


def test_EDU03_fires_for_in_school_student_without_assistance():
    child = make_id(birth="20120501", seq="021")
    other = make_id(birth="20120601", seq="031")
    rows = family("20120501") + [person("H1", "王二", other, "子")]
    ctx = context(rows, education=[school(child, "在读", "初中", 资助项目=None),
                                   school(other, "在读", "初中", 资助项目="两免一补")])
    assert fired(run(ctx, "education"), "EDU03")["id_number"].tolist() == [child]


def test_EDU03_needs_the_资助项目_column():
    child = make_id(birth="20120501", seq="021")
    result = run(context(family("20120501"), education=[school(child, "在读", "初中")]), "education")
    assert "EDU03" in set(result.skipped["rule"])


# ---- school_status_blank (RULES.md §Settings, §stages) -----------------------------

def enrolled_with_empty_status(setting: str):
    child = make_id(birth="20140301", seq="021")
    ctx = context(family("20140301", 在校生情况=None), settings=Settings(school_status_blank=setting),
                  education=[school(child, "在读", "小学")])
    return fired(run(ctx, "education"), "EDU02")


def test_EDU02_an_enrolled_student_with_an_empty_在校生情况_is_a_finding_under_not_in_school():
    found = enrolled_with_empty_status("not_in_school")
    assert len(found) == 1
    row = found.iloc[0]
    assert row["expected"] == "小学" and pd.isna(row["actual"])
    assert "在校生情况为空（按非在校）" in row["message"]


def test_EDU02_an_empty_在校生情况_is_unknown_by_default():
    assert enrolled_with_empty_status("unknown").empty


@pytest.mark.parametrize("setting, stage", [("unknown", None), ("not_in_school", "非在校")])
def test_member_stage_of_an_empty_cell_follows_the_setting(setting, stage):
    """What every stage-reading rule (EDU02 today; LAB02, PEN01, RSK03 …) sees for an empty cell."""
    ctx = context(family("20140301"), settings=Settings(school_status_blank=setting))
    stages = member_stage(ctx, pd.Series([None, "小学三年级", "非在校生"], dtype="string"))
    assert stages.tolist()[1:] == ["小学", "非在校"]
    assert (pd.isna(stages.iloc[0]) if stage is None else stages.iloc[0] == stage)


def adults(empty_share: float, setting: str = "unknown"):
    """Ten members aged 16–59, a share of them with an empty 在校生情况."""
    rows = []
    for i in range(10):
        status = None if i < round(10 * empty_share) else "非在校生"
        rows.append(person(f"H{i}", f"成员{i}", make_id(birth=f"19{80 + i}0101", seq=f"{i}31"), 在校生情况=status))
    return context(rows, settings=Settings(school_status_blank=setting))


def test_the_run_says_once_when_most_working_age_members_have_an_empty_在校生情况():
    notes = blank_status_notes(adults(0.8))
    assert len(notes) == 1 and "school_status_blank" in notes[0] and "80%" in notes[0]
    assert blank_status_notes(adults(0.5)) == []                           # not most
    assert blank_status_notes(adults(0.8, "not_in_school")) == []           # the setting already says it


def test_the_report_carries_the_sentence(tmp_path):
    from recon.report import write_report
    note = blank_status_notes(adults(0.9))[0]
    empty = pd.DataFrame(columns=["issue_id", "rule", "severity", "township", "status", "category"])
    path = write_report(tmp_path / "report.html", county="测试县", as_of=dt.date(2025, 6, 30), current=empty,
                        resolved=empty, suppressed=None, history=None, household_status=None, skipped=None,
                        input_problems=None, counts_by_source=None, rule_titles={}, notes=[note])
    assert "school_status_blank: not_in_school" in path.read_text(encoding="utf-8")


def test_school_status_blank_takes_only_its_two_values(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("school_status_blank: empty\n", encoding="utf-8")
    with pytest.raises(SettingsError, match="school_status_blank"):
        Settings.load(bad)
