"""household_status (RULES.md §Household class, CONTRACT.md §4 household_status.csv)."""
import pandas as pd

from checks.classes import STATUS_COLUMNS, household_status
from rule_helpers import context, make_id, person, run

IDS = {h: make_id(birth="19700101", seq=f"{i:02d}1") for i, h in enumerate(["A1", "B1", "C1", "C2", "N1", "B2"])}
CHILD = make_id(birth="20140301", seq="992")


def status(rows, **sources) -> pd.DataFrame:
    ctx = context(rows, **sources)
    findings = run(ctx, "education", "medical", "housing", "water", "monitoring").findings
    return household_status(ctx, findings).set_index("户编号")


def test_household_class_A_B_C_and_gaps_in_catalog_order():
    rows = [person("A1", "甲", IDS["A1"]),
            person("B1", "乙", IDS["B1"]), person("B1", "乙子", CHILD, "子"),
            person("C1", "丙", IDS["C1"], 人均纯收入=5000.0),
            person("C2", "丁", IDS["C2"], 人均纯收入=None),
            person("B2", "戊", IDS["B2"], 行政村="老村")]
    everyone = [IDS[h] for h in ("A1", "B1", "C1", "C2", "B2")]
    result = status(
        rows,
        housing=[{"证件号码": i, "鉴定等级": "D" if i == IDS["C1"] else "A"} for i in everyone],
        water=[{"乡镇": "城关镇", "行政村": "新村", "水质达标": True},
               {"乡镇": "城关镇", "行政村": "老村", "水质达标": False}],
        medical=[{"证件号码": i, "参保状态": "正常参保"} for i in everyone],
        education=[{"姓名": "x", "证件号码": IDS["A1"], "学籍状态": "毕业", "学段": "高中"}])
    assert list(result.reset_index().columns) == STATUS_COLUMNS
    assert result["class"].to_dict() == {"A1": "A", "B1": "B", "B2": "B", "C1": "C", "C2": "C"}
    assert result["gaps"].to_dict() == {"A1": "", "B1": "教育;医疗", "B2": "饮水", "C1": "收入;住房", "C2": "收入"}
    assert (result.loc["B2", "乡镇"], result.loc["B2", "行政村"]) == ("城关镇", "老村")


def test_household_status_lists_unregistered_households_without_class():
    rows = [person("A1", "甲", IDS["A1"]), person("N1", "己", IDS["N1"], 户类型="一般农户", 人均纯收入=1000.0)]
    result = status(rows)
    assert sorted(result.index) == ["A1", "N1"]
    assert pd.isna(result.loc["N1", "class"]) and pd.isna(result.loc["N1", "gaps"])
    assert result.loc["A1", "class"] == "A"  # no sector source: nothing but income is judged
