"""Income rules (RULES.md INC01–INC03), run through checks.rules.run.run_rules:
household fields from the head row, unknown never 0, tolerance inclusive."""
from __future__ import annotations

import pandas as pd

from checks.rules.run import run_rules
from factories import make_id
from recon.settings import Settings
from rule_helpers import context, found

HEAD, WIFE = make_id(seq="011"), make_id(seq="022")
# 3000 + 2000 + 500 + 1500 − 1000 = 6000 = 家庭纯收入; 6000 / 2 = 3000 = 人均纯收入.
INCOME = dict(工资性收入=3000.0, 生产经营性收入=2000.0, 财产性收入=500.0, 转移性收入=1500.0, 生产经营性支出=1000.0,
              家庭纯收入=6000.0, 人均纯收入=3000.0, 人数=2, 户类型="脱贫户")


def rows(household: str, head: dict | None = None, member: dict | None = None) -> list[dict]:
    place = dict(户编号=household, 乡镇="镇A", 行政村="村1")
    return [dict(姓名="张三", 证件号码=HEAD, 与户主关系="户主", **place) | INCOME | (head or {}),
            dict(姓名="李四", 证件号码=WIFE, 与户主关系="配偶", **place) | INCOME | (member or {})]


def income(ctx, code) -> pd.DataFrame:
    return found(ctx, code, "income")


def test_consistent_incomes_give_no_income_findings():
    run = run_rules(context(rows("H1"), rows("L1")), groups=("income",))
    assert run.findings.empty and run.skipped.empty


def test_inc01_net_income_differs_from_parts_each_source():
    ctx = context(rows("H1", head={"家庭纯收入": 6500.0}), rows("L1", head={"转移性收入": 900.0}))
    hits = income(ctx, "INC01").set_index("source")
    assert hits.loc["system", ["household_id", "id_number", "expected", "actual"]].tolist() == ["H1", HEAD, "6000", "6500"]
    assert hits.loc["ledger", ["household_id", "expected", "actual"]].tolist() == ["H1", "5400", "6000"]


def test_inc01_reads_the_head_row_not_other_members():
    ctx = context(rows("H1", member={"家庭纯收入": 9999.0}), rows("L1"))
    assert income(ctx, "INC01").empty


def test_inc01_unknown_part_is_not_zero():
    # Without 财产性收入 the parts would add to 5500 ≠ 6000 — but unknown is not 0.
    ctx = context(rows("H1", head={"财产性收入": None}), rows("L1", head={"生产经营性支出": None}))
    assert income(ctx, "INC01").empty


def test_inc01_difference_exactly_at_tolerance_does_not_fire():
    at = context(rows("H1", head={"家庭纯收入": 6001.0}), rows("L1", head={"家庭纯收入": 6000.1}),
                 settings=Settings(income_tolerance=0.1))
    assert income(at, "INC01")["source"].tolist() == ["system"]
    just_at = context(rows("H1", head={"家庭纯收入": 6001.0}), rows("L1"))
    assert income(just_at, "INC01").empty


def test_inc02_per_capita_uses_recorded_size_each_source():
    # Recorded 人数 3 (two member rows): 6000 / 3 = 2000 ≠ 3000.
    ctx = context(rows("H1", head={"人数": 3}), rows("L1", head={"人均纯收入": 2500.0}))
    hits = income(ctx, "INC02").set_index("source")
    assert hits.loc["system", ["expected", "actual"]].tolist() == ["2000", "3000"]
    assert hits.loc["ledger", ["expected", "actual"]].tolist() == ["3000", "2500"]


def test_inc02_not_when_size_unknown_or_zero_or_within_tolerance():
    unknown = context(rows("H1", head={"人数": None}), rows("L1", head={"人数": 0, "人均纯收入": 1.0}))
    assert income(unknown, "INC02").empty
    third = context(rows("H1", head={"人数": 3, "家庭纯收入": 6001.0, "人均纯收入": 2000.0,
                                     "生产经营性支出": 999.0}), rows("L1"))
    assert income(third, "INC02").empty  # 6001 / 3 = 2000.33, within 1 元


def test_inc03_per_capita_differs_between_ledger_and_system():
    ctx = context(rows("H1"), rows("L1", head={"人均纯收入": 3001.5}))
    hits = income(ctx, "INC03")
    assert hits[["household_id", "source", "expected", "actual"]].values.tolist() == [["H1", "system|ledger", "3000", "3001.5"]]


def test_inc03_not_at_tolerance_nor_with_unknown_ledger_value():
    assert income(context(rows("H1"), rows("L1", head={"人均纯收入": 3001.0})), "INC03").empty
    assert income(context(rows("H1"), rows("L1", head={"人均纯收入": None})), "INC03").empty


def test_inc03_skipped_when_ledger_has_no_income_column():
    ledger = [{k: v for k, v in row.items() if k not in INCOME} for row in rows("L1")]
    run = run_rules(context(rows("H1"), ledger), groups=("income",))
    assert run.skipped.set_index("rule").loc["INC03", "reason"] == "ledger/ 缺少列 人均纯收入"
    assert run.findings.empty


def test_income_rules_only_for_registered_households():
    general = {"户类型": "一般农户", "家庭纯收入": 1.0}
    ctx = context(rows("H1", head=general, member=general), rows("L1", head=general, member=general))
    assert run_rules(ctx, groups=("income",)).findings.empty
