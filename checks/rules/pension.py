"""Pension insurance (养老保险): PEN02, PEN03 (RULES.md §Pension insurance),
人社's enrolment against the system; PEN01 (the system alone) is in
checks/rules/consistency.py and shares the 养老保险 sheet.

A person is pension-insured when a pension row of theirs has an insured
参保状态 and 参保年度 equal to the as-of year (or no 参保年度 column); as a
resident when that row's 险种 is 城乡居民基本养老保险 or empty."""
from __future__ import annotations

import numpy as np
import pandas as pd

from checks.rules.base import RuleContext, empty_findings, findings, group, rule
from checks.rules.common import members, person_codes, persons_among
from checks.rules.stages import NOT_IN_SCHOOL, member_stage

GROUP = group("pension", order=110, title="养老保险 / pension insurance", category="养老保险")

INSURED = ("参保缴费", "正常参保", "已参保", "待遇领取", "领取待遇")
RESIDENT = "城乡居民基本养老保险"
FLAG = "是否参加城乡居民基本养老保险"


def insured(ctx: RuleContext, resident_only: bool) -> np.ndarray:
    """Per person code of recon.match: pension-insured this year (as a resident only, if asked)."""
    pension = ctx.source("pension")
    rows = pension["_id_valid"].to_numpy(bool) & pension["参保状态"].isin(INSURED).fillna(False).to_numpy(bool)
    if "参保年度" in pension.columns:
        rows &= (pension["参保年度"] == ctx.as_of.year).fillna(False).to_numpy(bool)
    if resident_only and "险种" in pension.columns:
        rows &= (pension["险种"].isna() | (pension["险种"] == RESIDENT)).fillna(False).to_numpy(bool)
    return persons_among(ctx, person_codes(ctx, pension.loc[rows, "证件号码"]))


@rule("PEN02", group=GROUP, level="person", severity="medium", key=("id_number",), title="养老保险参保标识与人社数据不一致",
      needs=(("pension", ("参保状态",)), ("system", (FLAG,))),
      action="与人社部门核对本年度参保情况，改正系统中的参保标识；人社数据有误的请人社部门核实。",
      meaning="系统中“是否参加城乡居民基本养老保险”为“是”，但人社数据中这名成员本年度没有城乡居民养老保险的参保记录；或者反过来，系统为“否”而人社数据显示已参保。")
def flag_differs(ctx: RuleContext) -> pd.DataFrame:
    persons = members(ctx)
    flag = persons[FLAG].astype("boolean")
    resident = insured(ctx, resident_only=True)[persons["_person"].to_numpy()]
    says_yes, says_no = flag.fillna(False).to_numpy(bool), (~flag).fillna(False).to_numpy(bool)
    hit_mask = (says_yes & ~resident) | (says_no & resident)
    hit = persons[hit_mask]
    if hit.empty:
        return empty_findings()
    yes = says_yes[hit_mask]
    name = hit["name"].astype("string").fillna("该成员")
    message = name + pd.Series(np.where(
        yes, "在系统中参加城乡居民基本养老保险为“是”，但人社数据中本年度没有其参保记录，请核实",
        "在系统中参加城乡居民基本养老保险为“否”，但人社数据显示其本年度已参保，请更正系统"), index=hit.index)
    return findings(hit.assign(source="system|pension", field=FLAG,
                               actual=pd.Series(np.where(yes, "是", "否"), index=hit.index),
                               expected=pd.Series(np.where(yes, "否", "是"), index=hit.index), message=message))


@rule("PEN03", group=GROUP, level="person", severity="high", key=("id_number",), title="人社数据无养老保险参保记录",
      needs=(("pension", ("参保状态",)),), settings=("pension_age_min", "school_status_blank"),
      action="核实参保情况：未参保的动员参加城乡居民基本养老保险（困难群体由政府代缴）；已参保的请人社部门核实数据。",
      meaning="年满规定年龄（默认16周岁）、不在校的成员，人社数据中本年度没有任何养老保险的参保记录。")
def not_insured(ctx: RuleContext) -> pd.DataFrame:
    persons = members(ctx)
    covered = insured(ctx, resident_only=False)[persons["_person"].to_numpy()]
    adult = (persons["age"] >= ctx.settings.pension_age_min).to_numpy()
    stage = member_stage(ctx, persons["在校生情况"].astype("string"))
    out_of_school = (stage == NOT_IN_SCHOOL).fillna(False).to_numpy(bool)
    hit = persons[adult & out_of_school & ~covered]
    if hit.empty:
        return empty_findings()
    message = (hit["name"].astype("string").fillna("该成员") + "按证件号码" + hit["age"].astype(int).astype("string")
               + "岁、不在校，人社数据中本年度没有其养老保险参保记录，请核实")
    return findings(hit.assign(source="pension", field="参保状态", actual="无参保记录", expected="参保", message=message))
