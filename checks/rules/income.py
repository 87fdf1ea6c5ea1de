"""Income (收入测算): INC01–INC03 (RULES.md).

Household fields come from the head row (recon.match households /
ledger_households). Unknown amounts stay unknown — a rule whose inputs are not
all known does not fire. Differences are rounded to the fen before they are
compared with income_tolerance, so a difference of exactly the tolerance is
rounding, not a finding, whatever the float arithmetic says.
"""
from __future__ import annotations

import pandas as pd

from checks.rules.base import RuleContext, empty_findings, findings, group, rule
from checks.rules.common import SOURCE_LABEL, ledger_household_label, ledger_households_in_scope

GROUP = group("income", order=20, title="收入测算 / income", category="家庭与收入")

INCOME = dict(group=GROUP)
PARTS = ("工资性收入", "生产经营性收入", "财产性收入", "转移性收入")


def amount(values: pd.Series) -> pd.Series:
    """Yuan as text: 12345.6, 12000 (no trailing .0)."""
    return values.astype("Float64").round(2).astype("string").str.replace(r"\.0$", "", regex=True).fillna("")


def beyond(difference: pd.Series, ctx: RuleContext) -> pd.Series:
    return (difference.abs().round(2) > ctx.settings.income_tolerance).fillna(False).astype(bool)


def registered_parts(ctx: RuleContext) -> list[tuple[str, pd.DataFrame]]:
    system = ctx.households[ctx.households["registered"]]
    ledger = ledger_households_in_scope(ctx)
    ledger = ledger.assign(household_id=ledger_household_label(ctx, ledger))
    return [("system", system), ("ledger", ledger)]


def who(frame: pd.DataFrame) -> pd.Series:
    return ("户主" + frame["head_name"].astype("string") + "家").fillna("户编号 " + frame["household_id"].astype("string"))


def shaped(frame: pd.DataFrame, **columns) -> pd.DataFrame:
    return findings(frame.assign(id_number=frame["head_id"], name=frame["head_name"], **columns)
                    .drop_duplicates("household_id"))


def combined(parts: list[pd.DataFrame]) -> pd.DataFrame:
    return pd.concat(parts, ignore_index=True) if parts else empty_findings()


INC01_MEANING = (
    "工资性收入 + 生产经营性收入 + 财产性收入 + 转移性收入 − 生产经营性支出，算出的数与登记的家庭纯收入"
    "相差超过允许误差（设置项 income_tolerance，差额在此以内算四舍五入）。六项都有数才检查，空着的"
    "不当作 0。系统和台账分别检查。")
INC01_ACTION = (
    "找出这户的收入测算表，重新核算各项收入和生产经营性支出，改正录错的那一项或家庭纯收入。问题中"
    "写明了是系统还是台账，改那一边。")


@rule("INC01", level="household", severity="medium", key=("household_id", "source"), title="家庭纯收入测算不符",
      needs=(("system", PARTS + ("生产经营性支出", "家庭纯收入")),), **INCOME,
      settings=("income_tolerance",), meaning=INC01_MEANING, action=INC01_ACTION)
def net_income_sum(ctx: RuleContext) -> pd.DataFrame:
    parts = []
    for source, frame in registered_parts(ctx):
        columns = list(PARTS) + ["生产经营性支出", "家庭纯收入"]
        if not set(columns) <= set(frame.columns):
            continue
        computed = frame[list(PARTS)].sum(axis=1, skipna=False) - frame["生产经营性支出"]
        known = frame[columns].notna().all(axis=1)
        hit = known & beyond(computed - frame["家庭纯收入"], ctx)
        frame, computed = frame[hit], computed[hit]
        message = (who(frame) + "在" + SOURCE_LABEL[source] + "中按各项收入减生产经营性支出算得" + amount(computed)
                   + "元，与登记的家庭纯收入" + amount(frame["家庭纯收入"]) + "元不符，请核实")
        parts.append(shaped(frame, source=source, field="家庭纯收入", expected=amount(computed),
                            actual=amount(frame["家庭纯收入"]), message=message))
    return combined(parts)


INC02_MEANING = (
    "家庭纯收入除以登记的家庭人数，与登记的人均纯收入相差超过允许误差（income_tolerance）。这里用的是"
    "“人数”一栏的数，不是成员条数（两者不一致时另有 HH01）。系统和台账分别检查。")
INC02_ACTION = (
    "按“人均纯收入 = 家庭纯收入 ÷ 家庭人数”重新计算后改正。常见原因是家庭人数变了，人均纯收入"
    "没有重算。")


@rule("INC02", level="household", severity="medium", key=("household_id", "source"), title="人均纯收入测算不符",
      needs=(("system", ("家庭纯收入", "人数", "人均纯收入")),), **INCOME,
      settings=("income_tolerance",), meaning=INC02_MEANING, action=INC02_ACTION)
def per_capita_income(ctx: RuleContext) -> pd.DataFrame:
    parts = []
    for source, frame in registered_parts(ctx):
        if not {"家庭纯收入", "人数", "人均纯收入"} <= set(frame.columns):
            continue
        # The recorded 人数, not the member rows: HH01 reports when those differ.
        people = frame["人数"].astype("Float64")
        usable = (frame["家庭纯收入"].notna() & frame["人均纯收入"].notna() & (people > 0)).fillna(False).astype(bool)
        computed = (frame["家庭纯收入"] / people.where(usable)).where(usable)
        hit = usable & beyond(computed - frame["人均纯收入"], ctx)
        frame, computed = frame[hit], computed[hit]
        message = (who(frame) + "在" + SOURCE_LABEL[source] + "中家庭纯收入" + amount(frame["家庭纯收入"]) + "元除以"
                   + frame["人数"].astype("string") + "人为" + amount(computed) + "元，与登记的人均纯收入"
                   + amount(frame["人均纯收入"]) + "元不符，请核实")
        parts.append(shaped(frame, source=source, field="人均纯收入", expected=amount(computed),
                            actual=amount(frame["人均纯收入"]), message=message))
    return combined(parts)


INC03_MEANING = (
    "同一户的人均纯收入系统和台账都有数，两者相差超过允许误差（income_tolerance）。")
INC03_ACTION = (
    "以最近一次入户收入核算的结果为准，把系统和台账改成一致；通常是有一边没有随年度收入采集更新。")


@rule("INC03", level="household", severity="medium", key=("household_id",), title="系统与台账人均纯收入不一致",
      needs=(("system", ("人均纯收入",)), ("ledger", ("人均纯收入",))), **INCOME,
      settings=("income_tolerance",), meaning=INC03_MEANING, action=INC03_ACTION)
def per_capita_agrees(ctx: RuleContext) -> pd.DataFrame:
    system = ctx.households[ctx.households["registered"]]
    ledger = ctx.ledger_households.dropna(subset=["household_id", "人均纯收入"])[["household_id", "人均纯收入"]]
    pairs = system.merge(ledger, on="household_id", suffixes=("", "_ledger"))
    hit = pairs["人均纯收入"].notna() & beyond(pairs["人均纯收入"] - pairs["人均纯收入_ledger"], ctx)
    pairs = pairs[hit.fillna(False).to_numpy(bool)]
    message = (who(pairs) + "的人均纯收入系统为" + amount(pairs["人均纯收入"]) + "元、台账为"
               + amount(pairs["人均纯收入_ledger"]) + "元，请核实后统一")
    return shaped(pairs, source="system|ledger", field="人均纯收入", expected=amount(pairs["人均纯收入"]),
                  actual=amount(pairs["人均纯收入_ledger"]), message=message)
