"""Housing rules (RULES.md §Housing): households whose dwellings are all
unsafe, the system's 住房安全 contradicting the bureau, households without a
housing row."""
from __future__ import annotations

import pandas as pd

from checks.rules.base import RuleContext, findings, group, rule
from checks.rules.common import (column, flag_disagrees, household_label, joined_per_group, link_to_households,
                                 registered_households, shared)

GROUP = group("housing", order=50, title="住房安全有保障 / housing", category="住房")

SAFE_SCHEMES = ("易地搬迁", "自筹新建", "租赁", "公租房", "投靠亲友")

_NEEDS = (("system", ()), ("housing", ()))


def row_safety(housing: pd.DataFrame) -> pd.Series:
    """True = safe (鉴定等级 A/B, 竣工验收 是, or a safe 保障方式); False =
    unsafe (not safe and graded C/D); NA = unknown (no grade and nothing else
    that makes it safe): unknown never counts as unsafe."""
    grade = column(housing, "鉴定等级").astype("string")
    finished = column(housing, "竣工验收", "boolean").astype("boolean").eq(True).fillna(False)
    scheme = column(housing, "保障方式").astype("string")
    safe = (grade.isin(["A", "B"]) | finished | scheme.isin(SAFE_SCHEMES)).fillna(False).astype(bool)
    unsafe = ~safe & grade.isin(["C", "D"]).fillna(False).astype(bool)
    return pd.Series(pd.NA, index=housing.index, dtype="boolean").mask(safe, True).mask(unsafe, False)


def household_verdicts(ctx: RuleContext) -> pd.DataFrame:
    """Registered households + `has_rows`, `safe` (True/False/NA: safe when any
    row is safe, unsafe when every row is known unsafe) and `grades` (the
    鉴定等级 of its rows, joined by 、). Built once per context for HOU01–HOU03."""
    return shared(ctx, "housing.household_verdicts", _household_verdicts)


def _household_verdicts(ctx: RuleContext) -> pd.DataFrame:
    housing = ctx.source("housing")
    links = link_to_households(ctx, housing)
    rows = links.assign(
        safe=row_safety(housing).reindex(links["row"]).array,
        grade=column(housing, "鉴定等级").astype("string").reindex(links["row"]).array)
    rows["is_safe"] = rows["safe"].eq(True).fillna(False).astype(bool)
    rows["is_unsafe"] = rows["safe"].eq(False).fillna(False).astype(bool)
    per = rows.groupby("household_id", sort=False).agg(any_safe=("is_safe", "any"), all_unsafe=("is_unsafe", "all"))
    per["grades"] = joined_per_group(rows["household_id"], rows["grade"], "、")
    households = registered_households(ctx).join(per, on="household_id")
    households["has_rows"] = households["any_safe"].notna()
    verdict = pd.Series(pd.NA, index=households.index, dtype="boolean")
    verdict = verdict.mask(households["all_unsafe"].eq(True).fillna(False).astype(bool), False)
    households["safe"] = verdict.mask(households["any_safe"].eq(True).fillna(False).astype(bool), True)
    return households


HOU01_MEANING = (
    "住建部门数据中这户的住房没有一处是安全的：鉴定等级为 C 级或 D 级，没有竣工验收，保障方式也不是"
    "易地搬迁、自筹新建、租赁、公租房或投靠亲友。")
HOU01_ACTION = (
    "请乡镇和住建部门核实住房现状：正在改造的，督促完工并组织竣工验收；已通过其他方式解决住房的，"
    "请住建部门补录保障方式或竣工验收；确实仍住危房的，立即落实住房安全保障措施。住房确有保障、"
    "只是住建数据未更新的，请住建部门更新，更新前可在核实说明中写明保障情况后标“核实无误”。")


@rule("HOU01", group=GROUP, level="household", severity="high", key=("household_id",),
      title="住房不安全", needs=_NEEDS,
      meaning=HOU01_MEANING, action=HOU01_ACTION)
def unsafe_housing(ctx: RuleContext) -> pd.DataFrame:
    households = household_verdicts(ctx)
    hit = households[households["safe"].eq(False).fillna(False).astype(bool)].copy()
    hit["field"] = "鉴定等级"
    hit["actual"] = hit["grades"]
    hit["message"] = (household_label(hit) + "住房鉴定等级为" + hit["grades"].fillna("")
                      + "级，且无竣工验收或其他安全住房保障，住房安全无保障")
    return findings(hit, source="housing")


HOU02_MEANING = (
    "系统中的“住房安全”（或“是否危房户”）与住建部门数据的判断相反：系统说安全，住建数据却显示是"
    "危房、也没有其他保障；或者系统说不安全，住建数据却显示已经安全。")
HOU02_ACTION = (
    "核实住房实际情况后，以住建部门的鉴定和改造验收结果为准改正系统；住建数据已过时、系统是对的，"
    "请住建部门更新，更新前可在核实说明中写明情况后标“核实无误”。")


@rule("HOU02", group=GROUP, level="household", severity="medium", key=("household_id",),
      title="住房安全标识与住建数据不一致", needs=(("system", ("住房安全",)), ("housing", ())),
      meaning=HOU02_MEANING, action=HOU02_ACTION)
def housing_flag_mismatch(ctx: RuleContext) -> pd.DataFrame:
    hit = flag_disagrees(household_verdicts(ctx), "住房安全")
    says_safe = hit["says_safe"]
    label = household_label(hit)
    hit["message"] = (label + "系统显示住房安全，但住建数据鉴定为" + hit["grades"].fillna("") + "级危房且无其他保障").where(
        says_safe, label + "系统显示住房不安全，但住建数据显示住房已安全")
    return findings(hit, source="system|housing")


HOU03_MEANING = (
    "住建部门的住房数据中找不到这一户（按户编号或任一成员的证件号码查找），无法判断住房是否安全。")
HOU03_ACTION = (
    "请住建部门核实这一户是否做过住房安全鉴定：没有鉴定的，安排鉴定；有鉴定但登记在别的号码下"
    "（如已故的原户主）的，请住建部门改正证件号码或户编号；确实不需要鉴定的（如已搬入城镇住房），"
    "在核实说明中写明情况后可标“核实无误”。")


@rule("HOU03", group=GROUP, level="household", severity="medium", key=("household_id",),
      title="无住房安全鉴定记录", needs=_NEEDS,
      meaning=HOU03_MEANING, action=HOU03_ACTION)
def no_housing_row(ctx: RuleContext) -> pd.DataFrame:
    households = household_verdicts(ctx)
    hit = households[~households["has_rows"]].copy()
    hit["message"] = household_label(hit) + "在住建部门住房数据中无记录，请核实住房安全情况"
    return findings(hit, source="system|housing")
