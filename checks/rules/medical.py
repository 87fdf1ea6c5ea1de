"""Medical insurance rules (RULES.md §Medical insurance): members not insured,
the system's resident-insurance flag contradicting the bureau, 监测户 members
insured without subsidy, 脱贫户 with high out-of-pocket costs."""
from __future__ import annotations

import numpy as np
import pandas as pd

from checks.rules.base import RuleContext, findings, group, rule
from checks.rules.common import (amount_text, birth_dates, column, deregistered_ids, household_label,
                                 member_persons, person_codes, registered_households, shared)
from recon.match import NONE

GROUP = group("medical", order=40, title="基本医疗有保障 / medical insurance", category="医疗")

INSURED_STATES = ("正常参保", "已参保", "参保缴费")
RESIDENT_SCHEME = "城乡居民基本医疗保险"

_NEEDS = (("system", ()), ("medical", ("参保状态",)))


def _in_year(ctx: RuleContext, medical: pd.DataFrame) -> pd.Series:
    """参保年度 = as-of year (True/False/NA); all True without the column."""
    if "参保年度" not in medical.columns:
        return pd.Series(True, index=medical.index, dtype="boolean")
    return medical["参保年度"].astype("Int64").eq(ctx.as_of.year)


def insurance(ctx: RuleContext) -> pd.DataFrame:
    """Per 证件号码: insured / resident (surely, from known cells) and
    maybe_insured / maybe_resident (a row whose unknown 参保状态 or 参保年度
    could make it count). Unknown never counts as not insured."""
    return shared(ctx, "medical.insurance", _insurance, copy=False)


def _insurance(ctx: RuleContext) -> pd.DataFrame:
    medical = ctx.source("medical")
    state = medical["参保状态"].astype("string")
    state_ok = state.isin(INSURED_STATES).astype("boolean").mask(state.isna())
    insured = state_ok & _in_year(ctx, medical)
    scheme = column(medical, "险种").astype("string")
    resident = insured & (scheme.isna() | (scheme == RESIDENT_SCHEME))
    flags = {"insured": insured.fillna(False), "maybe_insured": insured.fillna(True),
             "resident": resident.fillna(False), "maybe_resident": resident.fillna(True)}
    # Per person code (recon.match's people; rows of other IDs concern no member): any row with the flag.
    person = person_codes(ctx, medical["证件号码"])
    known = person != NONE
    return pd.DataFrame({name: np.bincount(person[known & flag.to_numpy(bool)], minlength=len(ctx.people)) > 0
                         for name, flag in flags.items()})


def _with_insurance(ctx: RuleContext, persons: pd.DataFrame) -> pd.DataFrame:
    """persons + the insurance columns (False for people without medical rows)."""
    by_person = insurance(ctx)
    return persons.assign(**{name: by_person[name].to_numpy()[persons["_person"].to_numpy()] for name in by_person})


MED01_MEANING = (
    "脱贫户或监测户成员（出生已满设置项 newborn_days 规定的天数、户籍未注销）在医保数据中没有"
    "统计截止日期所在年度的参保记录（参保状态为正常参保、已参保或参保缴费）。")
MED01_ACTION = (
    "请医保部门和村里核实：确未参保的，动员参保并落实资助参保政策；已在外地参保或有参保凭证的，请医保"
    "部门补充数据，或在核实说明中写明参保地和险种后标“核实无误”；系统与医保数据中证件号码不一致的，"
    "改正号码。")


@rule("MED01", group=GROUP, level="person", severity="high", key=("id_number",),
      title="未参加基本医疗保险", needs=_NEEDS,
      settings=("newborn_days",), meaning=MED01_MEANING, action=MED01_ACTION)
def not_insured(ctx: RuleContext) -> pd.DataFrame:
    persons = _with_insurance(ctx, member_persons(ctx))
    age_days = (pd.Timestamp(ctx.as_of) - birth_dates(persons["id_number"])).dt.days
    old_enough = age_days.ge(ctx.settings.newborn_days).fillna(False).astype(bool)
    alive = ~persons["id_number"].isin(deregistered_ids(ctx))
    hit = persons[old_enough & alive & ~persons["maybe_insured"]].copy()
    hit["field"] = "参保状态"
    hit["message"] = (hit["name"].fillna("") + f"在医保数据中无{ctx.as_of.year}年度参保记录，疑似未参加基本医疗保险")
    return findings(hit, source="system|medical")


MED02_MEANING = (
    "系统中“是否参加城乡居民基本医疗保险”与医保数据不一致：系统填“是”，医保数据中却没有本年度的"
    "城乡居民医保参保记录；或者系统填“否”，医保数据中却有。")
MED02_ACTION = (
    "以医保部门的参保数据为准，改正系统中的参保情况；医保数据本身有误的，请医保部门核实更正，"
    "更正前可在核实说明中写明情况后标“核实无误”。")


@rule("MED02", group=GROUP, level="person", severity="medium", key=("id_number",),
      title="城乡居民医保参保标识与医保数据不一致",
      needs=(("system", ("是否参加城乡居民基本医疗保险",)), ("medical", ("参保状态",))),
      meaning=MED02_MEANING, action=MED02_ACTION)
def resident_flag_mismatch(ctx: RuleContext) -> pd.DataFrame:
    flag = "是否参加城乡居民基本医疗保险"
    persons = _with_insurance(ctx, member_persons(ctx, (flag,)))
    says_yes = persons[flag].eq(True).fillna(False).astype(bool)
    says_no = persons[flag].eq(False).fillna(False).astype(bool)
    yes_but_not = says_yes & ~persons["maybe_resident"]
    no_but_is = says_no & persons["resident"]
    hit = persons[yes_but_not | no_but_is].copy()
    claims_yes = hit[flag].eq(True).fillna(False).astype(bool)
    hit["field"] = flag
    hit["actual"] = claims_yes.map({True: "是", False: "否"})
    hit["expected"] = claims_yes.map({True: "否", False: "是"})
    year = ctx.as_of.year
    hit["message"] = (hit["name"].fillna("") + f"系统显示参加城乡居民基本医疗保险，医保数据中无{year}年度居民医保参保记录").where(
        claims_yes, hit["name"].fillna("") + f"系统显示未参加城乡居民基本医疗保险，医保数据中有{year}年度居民医保参保记录")
    return findings(hit, source="system|medical")


MED03_MEANING = (
    "监测户的成员参加了本年度城乡居民医保，但医保数据中“资助参保”为“否”，可能没有享受参保资助。"
    "只有医保数据中有“资助参保”这一列时才检查。")
MED03_ACTION = (
    "请医保部门核实该成员是否属于资助参保对象：应资助未资助的，落实资助或补登数据；按政策不属于资助"
    "对象的（如纳入监测前已自行缴费），在核实说明中写明原因后可标“核实无误”。")


@rule("MED03", group=GROUP, level="person", severity="low", key=("id_number",),
      title="监测对象未享受资助参保",
      needs=(("system", ()), ("medical", ("参保状态", "资助参保"))),
      meaning=MED03_MEANING, action=MED03_ACTION)
def unsubsidised(ctx: RuleContext) -> pd.DataFrame:
    medical = ctx.source("medical")
    state_ok = medical["参保状态"].isin(INSURED_STATES).fillna(False).astype(bool)
    scheme = column(medical, "险种").astype("string")
    resident_row = state_ok & _in_year(ctx, medical).fillna(False).astype(bool) & (
        scheme.isna() | (scheme == RESIDENT_SCHEME)).fillna(False).astype(bool)
    subsidy = medical.loc[resident_row, ["证件号码", "资助参保"]].dropna()
    # One resident row with 资助参保 = 是 is enough; fire only on a known 否.
    by_person = subsidy.groupby("证件号码", sort=False)["资助参保"].any()
    without = by_person.index[~by_person.astype(bool)]
    persons = member_persons(ctx)
    hit = persons[persons["monitored"].to_numpy(bool) & persons["id_number"].isin(without)].copy()
    hit["field"] = "资助参保"
    hit["expected"] = "是"
    hit["actual"] = "否"
    hit["message"] = hit["name"].fillna("") + "为监测户成员，参加城乡居民医保但未享受资助参保"
    return findings(hit, source="system|medical")


MED04_MEANING = (
    "一户没有纳入监测的脱贫户，家庭成员在统计年度的个人自付医疗费用合计超过设置项"
    " medical_oop_threshold 规定的金额，存在因病返贫的风险，却还不是监测户。只有医保数据中有"
    "“个人自付费用”这一列时才检查。")
MED04_ACTION = (
    "请村里和帮扶责任人入户核实医疗负担和家庭收支：有返贫风险的，按程序识别纳入监测并落实健康帮扶；"
    "费用已经通过大病保险、医疗救助等报销，或家庭收入足以承担、没有返贫风险的，在核实说明中写明"
    "核实结论后可标“核实无误”。")


@rule("MED04", group=GROUP, level="household", severity="high", key=("household_id",),
      title="疑似因病返贫风险未纳入监测",
      needs=(("system", ()), ("medical", ("参保状态", "个人自付费用"))),
      settings=("medical_oop_threshold",), meaning=MED04_MEANING, action=MED04_ACTION)
def high_out_of_pocket(ctx: RuleContext) -> pd.DataFrame:
    medical = ctx.source("medical")
    this_year = medical[_in_year(ctx, medical).fillna(False).astype(bool)]
    costs = this_year[["证件号码", "个人自付费用"]].merge(
        member_persons(ctx)[["id_number", "household_id"]], left_on="证件号码", right_on="id_number")
    totals = costs.groupby("household_id", sort=False)["个人自付费用"].sum().rename("total")
    households = registered_households(ctx).join(totals, on="household_id")
    limit = ctx.settings.medical_oop_threshold
    # A 脱贫户 not monitored: a 脱贫不稳定户 is a 脱贫户 already under monitoring.
    over = households["poverty"] & ~households["monitored"] & households["total"].gt(limit)
    hit = households[over.fillna(False).astype(bool)].copy()
    hit["field"] = "个人自付费用"
    hit["expected"] = pd.Series("≤" + amount_text(pd.Series([limit])).iloc[0], index=hit.index, dtype="string")
    hit["actual"] = amount_text(hit["total"])
    hit["message"] = (household_label(hit) + f"（脱贫户）家庭成员{ctx.as_of.year}年个人自付医疗费用合计" + hit["actual"]
                      + "元，超过" + hit["expected"].str.lstrip("≤") + "元，疑似因病返贫风险未纳入监测")
    return findings(hit, source="system|medical")
