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


def test_people_count_45_is_reported_at_its_row_and_set_unknown():
    frame = core("system", [{"证件号码": make_id(), "人数": 3}, {"证件号码": make_id(seq="124"), "人数": 45}])
    checked, problems = validate("system", frame, AS_OF)
    assert len(checked) == 2 and checked["人数"].tolist() == [3, pd.NA]
    assert checked["证件号码"].tolist() == frame["证件号码"].tolist()  # the rest of the row stays
    assert problems.to_dict("records") == [{"file": "system/x.xlsx", "sheet": "Sheet1", "row": 3, "column": "人数",
                                            "problem": "人数应在1到30之间，实际为 45"}]


def test_value_outside_its_value_set_is_reported_quoted():
    frame = core("education", [{"证件号码": make_id(), "学籍状态": "在读"}, {"证件号码": make_id(seq="124"), "学籍状态": "游学"}])
    checked, problems = validate("education", frame, AS_OF)
    assert checked["学籍状态"].tolist() == ["在读", pd.NA]
    assert problems[["row", "column", "problem"]].values.tolist() == [[3, "学籍状态", "不在取值范围内：'游学'"]]


def test_birth_date_after_the_as_of_date_is_reported():
    frame = core("system", [{"证件号码": make_id(), "出生日期": "2025-07-01"},
                            {"证件号码": make_id(seq="124"), "出生日期": "2025-06-30"}])
    checked, problems = validate("system", frame, AS_OF)
    assert checked["出生日期"].isna().tolist() == [True, False]
    assert problems["problem"].tolist() == ["出生日期应在1900-01-01到2025-06-30之间，实际为 2025-07-01"]


def test_other_dates_may_follow_the_as_of_date_by_up_to_a_year():
    # A deregistration just after the as-of date is real data (HUK01 simply does not fire yet).
    frame = core("hukou", [{"证件号码": make_id(), "户籍状态": "死亡注销", "注销日期": "2025-07-20"},
                           {"证件号码": make_id(seq="124"), "户籍状态": "死亡注销", "注销日期": "2027-01-01"}])
    checked, problems = validate("hukou", frame, AS_OF)
    assert checked["注销日期"].isna().tolist() == [False, True]
    assert problems["problem"].tolist() == ["注销日期应在1900-01-01到2026-06-30之间，实际为 2027-01-01"]


def test_negative_income_is_reported_but_negative_net_income_is_allowed():
    frame = core("system", [{"证件号码": make_id(), "工资性收入": -5.0, "家庭纯收入": -300.0, "人均纯收入": -100.0}])
    checked, problems = validate("system", frame, AS_OF)
    assert problems["column"].tolist() == ["工资性收入"]
    assert checked["家庭纯收入"].tolist() == [-300.0] and pd.isna(checked["工资性收入"].iloc[0])


def test_insurance_year_range_follows_the_as_of_year():
    frame = core("medical", [{"证件号码": make_id(), "参保年度": year, "参保状态": "正常参保"} for year in (1989, 2026, 2027)])
    _, problems = validate("medical", frame, AS_OF)
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
