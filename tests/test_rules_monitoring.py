"""MON01–MON06 (RULES.md §Monitoring and assistance)."""
import pandas as pd
import pytest

from rule_helpers import context, fired, make_id, person, run

HEAD1 = make_id(birth="19700101", seq="011")
CHILD1 = make_id(birth="20140301", seq="013")
HEAD2 = make_id(birth="19710101", seq="021")


def monitored(household: str, head: str, **fields) -> dict:
    return person(household, "户主" + household, head, 户类型="监测户", **fields)


def test_MON01_fires_for_脱贫户_with_low_income():
    ctx = context([person("H1", "赵一", HEAD1, 人均纯收入=5000.0), person("H2", "钱二", HEAD2, 人均纯收入=7300.0)])
    found = fired(run(ctx, "monitoring"), "MON01")
    assert found["household_id"].tolist() == ["H1"]
    row = found.iloc[0]
    assert (row["id_number"], row["name"], row["source"]) == (HEAD1, "赵一", "system")
    assert "收入低于监测标准" in row["message"] and "疑似应纳未纳" in row["message"]


def test_MON01_unknown_income_is_no_reason():
    ctx = context([person("H1", "赵一", HEAD1, 人均纯收入=None)])
    assert fired(run(ctx, "monitoring"), "MON01").empty


def test_MON01_names_sector_gaps_from_earlier_groups():
    rows = [person("H1", "赵一", HEAD1), person("H1", "赵小", CHILD1, "子"), person("H2", "钱二", HEAD2)]
    ctx = context(rows,
                  housing=[{"证件号码": HEAD1, "鉴定等级": "D"}, {"证件号码": HEAD2, "鉴定等级": "A"}],
                  water=[{"乡镇": "城关镇", "行政村": "新村", "水质达标": False}],
                  education=[{"姓名": "钱", "证件号码": HEAD2, "学籍状态": "毕业", "学段": "高中"}])
    result = run(ctx, "education", "housing", "water", "monitoring")
    found = fired(result, "MON01").set_index("household_id")
    assert "收入" not in found.loc["H1", "message"]
    assert "住房不安全、饮水不安全、有适龄儿童疑似失学" in found.loc["H1", "message"]
    assert "饮水不安全" in found.loc["H2", "message"] and "住房" not in found.loc["H2", "message"]


def test_MON01_not_for_监测户():
    ctx = context([monitored("H1", HEAD1, 人均纯收入=5000.0, 风险是否消除=False)])
    assert fired(run(ctx, "monitoring"), "MON01").empty


def test_MON02_fires_when_risk_eliminated_but_gap_remains():
    ctx = context([monitored("H1", HEAD1, 人均纯收入=5000.0, 风险是否消除=True),
                   monitored("H2", HEAD2, 人均纯收入=5000.0, 风险是否消除=False)])
    found = fired(run(ctx, "monitoring"), "MON02")
    assert found["household_id"].tolist() == ["H1"]
    assert "风险消除不实" in found.loc[0, "message"]


def test_MON02_reads_MED01_of_a_member():
    ctx = context([monitored("H1", HEAD1, 风险是否消除=True)], medical=[{"证件号码": HEAD2, "参保状态": "正常参保"}])
    found = fired(run(ctx, "medical", "monitoring"), "MON02")
    assert found["household_id"].tolist() == ["H1"]
    assert "医疗保险" in found.loc[0, "message"]


@pytest.mark.parametrize("start, first_help, fires", [
    ("2025-01-01", "2025-03-01", True),    # 59 days later
    ("2025-01-01", "2025-01-31", False),   # exactly 30 days
    ("2025-01-01", None, True),            # none, and as-of is far later
    ("2025-06-15", None, False),           # none yet, within 30 days of as-of
    (None, None, False),                   # 纳入监测时间 unknown
])
def test_MON03_late_first_assistance(start, first_help, fires):
    ctx = context([monitored("H1", HEAD1, 纳入监测时间=start, 首次帮扶时间=first_help, 风险是否消除=True,
                             风险消除时间="2025-06-01")])
    assert len(fired(run(ctx, "monitoring"), "MON03")) == int(fires)


def test_MON03_skips_without_首次帮扶时间_column():
    result = run(context([monitored("H1", HEAD1, 纳入监测时间="2025-01-01")]), "monitoring")
    assert "MON03" in set(result.skipped["rule"])


@pytest.mark.parametrize("households, fires", [(10, True), (9, False)])
def test_MON04_burst_of_new_monitoring_households_in_one_month(households, fires):
    rows = [monitored(f"H{i}", make_id(birth="19700101", seq=f"{i:03d}"), 纳入监测时间=f"2025-03-{i + 1:02d}")
            for i in range(households)]
    rows.append(monitored("X", make_id(birth="19700101", seq="500"), 纳入监测时间="2025-04-01"))
    found = fired(run(context(rows), "monitoring"), "MON04")
    assert len(found) == int(fires)
    if fires:
        row = found.iloc[0]
        assert (row["township"], row["village"], row["actual"], row["key"]) == ("城关镇", "新村", "2025-03",
                                                                               "城关镇|新村|2025-03")
        assert pd.isna(row["household_id"]) and pd.isna(row["id_number"])


@pytest.mark.parametrize("eliminated, visit, fires", [
    ("2024-06-01", None, True),            # eliminated > 180 days ago, never visited
    ("2024-06-01", "2025-03-01", False),   # visited after elimination, within 180 days
    ("2024-06-01", "2024-05-01", True),    # the only visit is before elimination
    ("2024-06-01", "2024-10-01", True),    # visited, but more than 180 days ago
    ("2025-03-01", None, False),           # eliminated recently: not due yet
])
def test_MON05_revisit_after_elimination(eliminated, visit, fires):
    ctx = context([monitored("H1", HEAD1, 风险是否消除=True, 纳入监测时间="2023-01-01", 风险消除时间=eliminated,
                             最近回访时间=visit)])
    assert len(fired(run(ctx, "monitoring"), "MON05")) == int(fires)


@pytest.mark.parametrize("start, eliminated, risk_eliminated, fires", [
    ("2025-01-01", "2025-03-01", True, True),
    ("2024-01-01", "2024-12-01", True, False),
    ("2025-01-01", "2025-03-01", False, False),
    ("2025-01-01", None, True, False),
])
def test_MON06_risk_eliminated_too_fast(start, eliminated, risk_eliminated, fires):
    ctx = context([monitored("H1", HEAD1, 纳入监测时间=start, 风险消除时间=eliminated, 风险是否消除=risk_eliminated)])
    found = fired(run(ctx, "monitoring"), "MON06")
    assert len(found) == int(fires)
    if fires:
        assert "风险消除过快" in found.loc[0, "message"]
