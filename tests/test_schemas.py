"""Core-frame validation (checks/schemas.py): a failing cell is reported with
its location and set to unknown; its row flows on."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import pandera.pandas as pa

from checks.schemas import SCHEMAS, validate
from factories import AS_OF, core, make_id
from recon.sources import DATA_SOURCES as SOURCES


def test_every_source_has_a_schema():
    assert set(SCHEMAS) == set(SOURCES)
    assert all(isinstance(schema, pa.DataFrameSchema) for schema in SCHEMAS.values())


def test_people_count_45_is_reported_at_its_row_and_stays_a_value():
    frame = core("system", [{"证件号码": make_id(), "人数": 3}, {"证件号码": make_id(seq="124"), "人数": 45}])
    checked, problems = validate("system", frame, AS_OF)
    assert len(checked) == 2 and checked["人数"].tolist() == [3, 45]
    assert checked["证件号码"].tolist() == frame["证件号码"].tolist()  # the rest of the row stays
    assert problems.to_dict("records") == [{"file": "system/x.xlsx", "sheet": "Sheet1", "row": 3, "column": "人数",
                                            "problem": "人数应在1到30之间，实际为 45"}]


def test_value_outside_its_value_set_is_reported_quoted():
    frame = core("education", [{"证件号码": make_id(), "学籍状态": "在读"}, {"证件号码": make_id(seq="124"), "学籍状态": "游学"}])
    checked, problems = validate("education", frame, AS_OF)
    assert checked["学籍状态"].tolist() == ["在读", pd.NA]
    assert problems[["row", "column", "problem"]].values.tolist() == [[3, "学籍状态", "不在取值范围内：'游学'"]]


def test_birth_date_after_the_as_of_date_is_reported_and_stays_for_id07():
    # CONTRACT.md §3 bounds the birth date of a valid 证件号码, not the 出生日期
    # column: this one contradicts any valid ID, which is ID07's finding.
    frame = core("system", [{"证件号码": make_id(), "出生日期": "2025-07-01"},
                            {"证件号码": make_id(seq="124"), "出生日期": "2025-06-30"}])
    checked, problems = validate("system", frame, AS_OF)
    assert checked["出生日期"].tolist() == [pd.Timestamp("2025-07-01"), pd.Timestamp("2025-06-30")]
    assert problems["problem"].tolist() == ["出生日期应在1900-01-01到2025-06-30之间，实际为 2025-07-01"]


def test_other_dates_may_follow_the_as_of_date_by_up_to_a_year():
    # A deregistration just after the as-of date is real data (HUK01 simply does not fire yet).
    frame = core("hukou", [{"证件号码": make_id(), "户籍状态": "死亡注销", "注销日期": "2025-07-20"},
                           {"证件号码": make_id(seq="124"), "户籍状态": "死亡注销", "注销日期": "2027-01-01"}])
    checked, problems = validate("hukou", frame, AS_OF)
    assert checked["注销日期"].notna().all()
    assert problems["problem"].tolist() == ["注销日期应在1900-01-01到2026-06-30之间，实际为 2027-01-01"]


def test_negative_income_is_reported_but_negative_net_income_is_allowed():
    frame = core("system", [{"证件号码": make_id(), "工资性收入": -5.0, "家庭纯收入": -300.0, "人均纯收入": -100.0}])
    checked, problems = validate("system", frame, AS_OF)
    assert problems["column"].tolist() == ["工资性收入"]
    # Still a value: INC01 adds it up with the others.
    assert checked["家庭纯收入"].tolist() == [-300.0] and checked["工资性收入"].tolist() == [-5.0]


def test_insurance_year_range_follows_the_as_of_year():
    frame = core("medical", [{"证件号码": make_id(), "参保年度": year, "参保状态": "正常参保"} for year in (1989, 2026, 2027)])
    checked, problems = validate("medical", frame, AS_OF)
    assert checked["参保年度"].tolist() == [1989, 2026, 2027]
    assert problems["row"].tolist() == [2, 4]
    assert problems["problem"].iloc[0] == "参保年度应在1990到2026之间，实际为 1989"


def test_schema_is_built_per_as_of_date():
    late = core("system", [{"证件号码": make_id(), "出生日期": "2025-07-01"}])
    assert validate("system", late, dt.date(2025, 8, 1))[1].empty
    assert len(validate("system", late, dt.date(2025, 6, 30))[1]) == 1


def test_valid_frame_passes_unchanged_with_its_index():
    frame = core("system", [{"证件号码": make_id(), "人数": 2, "户类型": "脱贫户", "健康状况": "长期慢性病、残疾"}])
    frame.index = [7]
    checked, problems = validate("system", frame, AS_OF)
    assert problems.empty and checked.index.tolist() == [7]
    pd.testing.assert_frame_equal(checked, frame)


def test_untyped_cell_that_cannot_be_coerced_is_a_cell_problem():
    frame = core("system", [{"证件号码": make_id(), "人数": 2}, {"证件号码": make_id(seq="124"), "人数": 2}])
    frame["人数"] = pd.Series([2, "很多"], dtype="object")
    checked, problems = validate("system", frame, AS_OF)
    assert str(checked["人数"].dtype) == "Int64" and checked["人数"].tolist() == [2, pd.NA]
    assert problems[["row", "column"]].values.tolist() == [[3, "人数"]]


def test_a_value_outside_its_value_set_and_an_uncoercible_cell_are_cleared_in_the_same_frame_as_kept_values():
    frame = core("system", [{"证件号码": make_id(), "人数": 0, "户类型": "贫困户", "工资性收入": -1.0},
                            {"证件号码": make_id(seq="124"), "人数": 2, "户类型": "脱贫户", "工资性收入": 10.0}])
    frame["人数"] = pd.Series([0, "很多"], dtype="object")
    checked, problems = validate("system", frame, AS_OF)
    assert checked["户类型"].isna().tolist() == [True, False]
    assert checked["人数"].tolist()[0] == 0 and pd.isna(checked["人数"].iloc[1]) and str(checked["人数"].dtype) == "Int64"
    assert checked["工资性收入"].tolist() == [-1.0, 10.0]
    assert sorted(problems[["row", "column", "problem"]].values.tolist()) == [
        [2, "人数", "人数应在1到30之间，实际为 0"], [2, "工资性收入", "工资性收入不应为负数，实际为 -1"],
        [2, "户类型", "不在取值范围内：'贫困户'"], [3, "人数", "无法识别的值：'很多'"]]


def test_people_count_0_with_one_member_row_still_gives_hh01_and_is_reported(tmp_path):
    """The issue's county: a ledger household with 家庭人数 0 and one member
    row. 0 is a recorded value (RULES.md: unknown is only an empty cell), so
    HH01 fires; the input problem is still reported. Real files through the
    stages: read, normalise, validate, match, rules."""
    from checks.rules.base import RuleContext
    from checks.rules.run import run_rules
    from files import write_xlsx
    from recon.match import match
    from recon.normalise import normalise
    from recon.read import read_source
    from recon.settings import Settings

    head = make_id()
    write_xlsx(tmp_path / "system" / "a.xlsx", {"Sheet1": [
        ["户编号", "姓名", "证件号码", "与户主关系", "户类型", "人数"], ["H1", "张三", head, "户主", "脱贫户", 1]]})
    write_xlsx(tmp_path / "ledger" / "a.xlsx", {"Sheet1": [
        ["姓名", "证件号码", "与户主关系", "户类型", "家庭人数"], ["张三", head, "户主", "脱贫户", 0]]})
    frames, found = {}, []
    for source in ("system", "ledger"):
        frame, _ = normalise(source, read_source(tmp_path, source).frame, AS_OF)
        frames[source], problems = validate(source, frame, AS_OF)
        found += problems[["file", "row", "column", "problem"]].values.tolist()
    assert found == [["ledger/a.xlsx", 2, "人数", "人数应在1到30之间，实际为 0"]]
    matched = match(frames["system"], frames["ledger"])
    ctx = RuleContext(as_of=AS_OF, settings=Settings(), county="测试县",
                      sources={"system": matched.system, "ledger": matched.ledger},
                      households=matched.households, ledger_households=matched.ledger_households, people=matched.people)
    hh01 = run_rules(ctx, groups=("identity",), codes=("HH01",)).findings
    assert hh01[["source", "household_id", "expected", "actual"]].astype(str).values.tolist() == [
        ["ledger", "H1", "1", "0"]]
