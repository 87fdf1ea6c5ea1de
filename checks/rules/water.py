"""Drinking-water rules (RULES.md §Drinking water): households whose verdict
is unsafe, the system's 饮水安全 contradicting it, households with no row.

Reading of "safe when each of the four 达标 columns it has is 是": a row is
safe when every 达标 column present in the file is 是 on it (and
是否饮水安全, where present, is not 否); unsafe when one of them is 否 (or
是否饮水安全 is 否). A row whose 达标 cells are 是 or unknown, none 否, is
literally not safe, but its verdict rests on an unknown cell, so it is
*unknown*: it never makes WAT01 or WAT02 fire (unknown never counts as 否).
"""
from __future__ import annotations

import pandas as pd

from checks.rules.base import RuleContext, findings, group, rule
from checks.rules.common import (column, flag_disagrees, household_label, link_to_households, registered_households,
                                 shared)

GROUP = group("water", order=60, title="饮水安全有保障 / drinking water", category="饮水")

STANDARDS = ("水量达标", "水质达标", "用水方便达标", "供水保证率达标")

_NEEDS = (("system", ()), ("water", ()))


def row_safety(water: pd.DataFrame) -> pd.Series:
    """True = safe, False = unsafe, NA = unknown (see module docstring)."""
    present = [c for c in STANDARDS if c in water.columns]
    overall = column(water, "是否饮水安全", "boolean").astype("boolean")
    if not present:
        return overall  # nothing else to judge by: 是 safe, 否 unsafe, empty unknown
    verdict = pd.Series(True, index=water.index, dtype="boolean")
    for standard in present:  # Kleene AND over the columns (not the rows)
        verdict = verdict & water[standard].astype("boolean")
    return verdict & overall.fillna(True)


def _three_valued(sure_true: pd.Series, sure_false: pd.Series) -> pd.Series:
    sure_true, sure_false = (flag.astype("boolean").fillna(False).astype(bool) for flag in (sure_true, sure_false))
    verdict = pd.Series(pd.NA, index=sure_true.index, dtype="boolean")
    return verdict.mask(sure_false, False).mask(sure_true, True)


def household_verdicts(ctx: RuleContext) -> pd.DataFrame:
    """Registered households + `has_rows` and `safe` (True/False/NA): from its
    household rows when it has any (safe when any is safe, unsafe when all are
    unsafe), else from its village's rows (safe when all are safe, unsafe when
    any is unsafe). Built once per context for WAT01–WAT03."""
    return shared(ctx, "water.household_verdicts", _household_verdicts)


def _household_verdicts(ctx: RuleContext) -> pd.DataFrame:
    water = ctx.source("water")
    safety = row_safety(water)
    own_row = (column(water, "户编号").astype("string").str.strip().replace("", pd.NA).notna()
               | column(water, "证件号码").astype("string").notna())

    links = link_to_households(ctx, water[own_row])
    rows = links.assign(safe=safety.reindex(links["row"]).array)
    own = rows.assign(is_safe=rows["safe"].eq(True).fillna(False), is_unsafe=rows["safe"].eq(False).fillna(False)
                      ).groupby("household_id", sort=False).agg(own_safe=("is_safe", "any"), own_unsafe=("is_unsafe", "all"))

    village_rows = pd.DataFrame({
        "township": column(water, "乡镇").astype("string").str.strip(),
        "village": column(water, "行政村").astype("string").str.strip(),
        "is_safe": safety.eq(True).fillna(False), "is_unsafe": safety.eq(False).fillna(False),
    })[~own_row]
    villages = village_rows.groupby(["township", "village"]).agg(
        village_safe=("is_safe", "all"), village_unsafe=("is_unsafe", "any")).reset_index()

    households = registered_households(ctx).join(own, on="household_id")
    households = households.merge(villages, on=["township", "village"], how="left")
    has_own = households["own_safe"].notna()
    has_village = households["village_safe"].notna()
    households["has_rows"] = has_own | has_village
    households["verdict_from"] = pd.Series(pd.NA, index=households.index, dtype="string").mask(
        has_village, "village").mask(has_own, "household")
    from_own = _three_valued(households["own_safe"], households["own_unsafe"])
    from_village = _three_valued(households["village_safe"], households["village_unsafe"])
    households["safe"] = from_own.where(has_own, from_village)
    return households


def _where(frame: pd.DataFrame) -> pd.Series:
    return pd.Series("饮水安全评价为不达标", index=frame.index, dtype="string").where(
        frame["verdict_from"] == "household", "所在村饮水安全评价为不达标")


WAT01_MEANING = (
    "按水利部门数据，这户饮水不安全：本户的记录中水量、水质、用水方便程度、供水保证率有一项不达标"
    "（或“是否饮水安全”为否）；没有本户记录时看所在村的记录，村里有一条不达标就判为不安全。")
WAT01_ACTION = (
    "请乡镇和水利部门核实实际供水情况：确不达标的，落实供水工程或应急供水措施；已经解决、只是数据"
    "未更新的，请水利部门更新，更新前可在核实说明中写明情况后标“核实无误”。")


@rule("WAT01", group=GROUP, level="household", severity="high", key=("household_id",),
      title="饮水不安全", needs=_NEEDS,
      meaning=WAT01_MEANING, action=WAT01_ACTION)
def unsafe_water(ctx: RuleContext) -> pd.DataFrame:
    households = household_verdicts(ctx)
    hit = households[households["safe"].eq(False).fillna(False).astype(bool)].copy()
    hit["message"] = household_label(hit) + "在水利部门数据中" + _where(hit) + "，饮水安全无保障"
    return findings(hit, source="water")


WAT02_MEANING = (
    "系统中的“饮水安全”与水利部门数据的判断相反：系统说安全而水利数据不达标，或者系统说不安全而"
    "水利数据达标。")
WAT02_ACTION = (
    "核实后以水利部门的评价为准改正系统；水利数据已过时、系统是对的，请水利部门更新，更新前可在"
    "核实说明中写明情况后标“核实无误”。")


@rule("WAT02", group=GROUP, level="household", severity="medium", key=("household_id",),
      title="饮水安全标识与水利数据不一致", needs=(("system", ("饮水安全",)), ("water", ())),
      meaning=WAT02_MEANING, action=WAT02_ACTION)
def water_flag_mismatch(ctx: RuleContext) -> pd.DataFrame:
    hit = flag_disagrees(household_verdicts(ctx), "饮水安全")
    says_safe = hit["says_safe"]
    label = household_label(hit)
    hit["message"] = (label + "系统显示饮水安全，但水利数据中" + _where(hit)).where(
        says_safe, label + "系统显示饮水不安全，但水利数据显示饮水安全达标")
    return findings(hit, source="system|water")


WAT03_MEANING = (
    "水利部门的饮水数据中既没有这一户的记录，也没有所在村的记录，无法判断饮水是否安全。")
WAT03_ACTION = (
    "请水利部门补充这户或这个村的饮水安全评价数据；同时检查水利数据中的乡镇、行政村名称是否与系统"
    "一字不差。")


@rule("WAT03", group=GROUP, level="household", severity="medium", key=("household_id",),
      title="无饮水安全记录", needs=_NEEDS,
      meaning=WAT03_MEANING, action=WAT03_ACTION)
def no_water_row(ctx: RuleContext) -> pd.DataFrame:
    households = household_verdicts(ctx)
    hit = households[~households["has_rows"]].copy()
    hit["message"] = household_label(hit) + "在水利部门饮水数据中无本户或本村记录，请核实饮水安全情况"
    return findings(hit, source="system|water")
