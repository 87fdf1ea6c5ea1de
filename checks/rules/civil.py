"""Civil affairs (兜底保障): CIV01–CIV06 (RULES.md §Civil affairs), the
民政 低保/特困 records against the monitoring system.

A record's standing at the as-of date (CONTRACT.md §2.10): active, ended,
or unknown (neither: e.g. an empty 保障状态). "No record that is active or of
unknown standing" is what CIV02/CIV04 need: an unclear record never fires
them. CIV05 and CIV06 look at people outside the registered households too,
placed by their system row where the system has them, else by the civil row.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from checks.rules.base import RuleContext, empty_findings, findings, group, rule
from checks.rules.common import column, deregistered_ids, members, person_codes, persons_among
from checks.rules.people import located

GROUP = group("civil", order=90, title="兜底保障 / civil affairs", category="兜底保障")

ACTIVE = ("正常", "在保", "享受中")
ENDED = ("停保", "退出", "终止", "注销")
KINDS = {"低保": ("农村低保", "城市低保"), "特困": ("农村特困", "城市特困")}
FLAGS = {"低保": "享受低保", "特困": "特困供养"}


def standing(ctx: RuleContext, civil: pd.DataFrame) -> pd.Series:
    """active / ended / unknown per civil record at the as-of date."""
    as_of = pd.Timestamp(ctx.as_of)
    status = column(civil, "保障状态")
    start, end = column(civil, "起始日期", "datetime64[ns]"), column(civil, "终止日期", "datetime64[ns]")
    status_active = status.isin(ACTIVE).fillna(False) if "保障状态" in civil.columns else pd.Series(True, index=civil.index)
    active = status_active & (start.isna() | (start <= as_of)).fillna(False) & (end.isna() | (end > as_of)).fillna(False)
    ended = status.isin(ENDED).fillna(False) | (end <= as_of).fillna(False)
    return pd.Series(np.select([active.to_numpy(bool), ended.to_numpy(bool)], ["active", "ended"], "unknown"),
                     index=civil.index)


def records(ctx: RuleContext) -> pd.DataFrame:
    """Civil rows with a valid 证件号码: kind (低保 / 特困 / NA), standing, and
    the person code of recon.match (NONE for people neither system nor ledger holds)."""
    civil = ctx.source("civil")
    civil = civil[civil["_id_valid"].to_numpy(bool)]
    kind = pd.Series(pd.NA, index=civil.index, dtype="string")
    for name, types in KINDS.items():
        kind = kind.mask(civil["救助类型"].isin(types).fillna(False), name)
    return civil.assign(kind=kind, standing=standing(ctx, civil), person=person_codes(ctx, civil["证件号码"]))


def flag_disagrees(ctx: RuleContext, kind: str, says: bool) -> pd.DataFrame:
    """Members whose system flag for `kind` is known and `says`, where the
    records disagree: says 否 with an active record (CIV01/03), or says 是 with
    no record active or of unknown standing (CIV02/04)."""
    persons, recs = members(ctx), records(ctx)
    recs = recs[(recs["kind"] == kind).fillna(False).to_numpy(bool)]
    flag = persons[FLAGS[kind]].astype("boolean")
    codes = persons["_person"].to_numpy()
    if says:
        backed = persons_among(ctx, recs.loc[recs["standing"] != "ended", "person"].to_numpy())[codes]
        return persons[flag.fillna(False).to_numpy(bool) & ~backed]
    active = persons_among(ctx, recs.loc[recs["standing"] == "active", "person"].to_numpy())[codes]
    return persons[(~flag).fillna(False).to_numpy(bool) & active]


def flag_findings(ctx: RuleContext, kind: str, says: bool) -> pd.DataFrame:
    """CIV01–CIV04: the members flag_disagrees finds, as findings."""
    hit = flag_disagrees(ctx, kind, says)
    if hit.empty:
        return empty_findings()
    name = hit["name"].astype("string").fillna("该成员")
    if says:
        message = name + "在系统中" + FLAGS[kind] + "为“是”，但民政数据中没有其在保或状态不明的" + kind + "记录，请与民政部门核实"
    else:
        message = name + "在民政数据中有在保的" + kind + "记录，但系统中" + FLAGS[kind] + "为“否”，请核实后更正系统"
    return findings(hit.assign(source="system|civil", field=FLAGS[kind], actual="是" if says else "否",
                               expected="否" if says else "是", message=message))


CIV_ACTION = "与民政部门核对救助记录：系统标识错的改系统；民政数据错的，请民政部门核实更正。"


@rule("CIV01", group=GROUP, level="person", severity="high", key=("id_number",), title="在保低保对象系统未标识",
      needs=(("civil", ()), ("system", ("享受低保",))), action=CIV_ACTION,
      meaning="民政数据显示这名成员正在享受低保，但系统中“享受低保”为“否”。")
def dibao_not_flagged(ctx: RuleContext) -> pd.DataFrame:
    return flag_findings(ctx, "低保", says=False)


@rule("CIV02", group=GROUP, level="person", severity="medium", key=("id_number",), title="系统标识低保但民政无记录",
      needs=(("civil", ()), ("system", ("享受低保",))), action=CIV_ACTION,
      meaning="系统中“享受低保”为“是”，但民政数据中没有这名成员在保（或状态不明）的低保记录，可能已停保。")
def dibao_without_record(ctx: RuleContext) -> pd.DataFrame:
    return flag_findings(ctx, "低保", says=True)


@rule("CIV03", group=GROUP, level="person", severity="high", key=("id_number",), title="在保特困人员系统未标识",
      needs=(("civil", ()), ("system", ("特困供养",))), action=CIV_ACTION,
      meaning="民政数据显示这名成员正在享受特困供养，但系统中“特困供养”为“否”。")
def tekun_not_flagged(ctx: RuleContext) -> pd.DataFrame:
    return flag_findings(ctx, "特困", says=False)


@rule("CIV04", group=GROUP, level="person", severity="medium", key=("id_number",), title="系统标识特困但民政无记录",
      needs=(("civil", ()), ("system", ("特困供养",))), action=CIV_ACTION,
      meaning="系统中“特困供养”为“是”，但民政数据中没有这名成员在保（或状态不明）的特困记录，可能已终止。")
def tekun_without_record(ctx: RuleContext) -> pd.DataFrame:
    return flag_findings(ctx, "特困", says=True)


def active_people(ctx: RuleContext) -> pd.DataFrame:
    """Each person's first active 低保 or 特困 record."""
    recs = records(ctx)
    active = recs[recs["kind"].notna().to_numpy(bool) & (recs["standing"] == "active").to_numpy()]
    return active.drop_duplicates("证件号码")


def placed(ctx: RuleContext, recs: pd.DataFrame) -> pd.DataFrame:
    """Finding rows for civil records: place and household from the person's
    first system row where the system holds them, else the civil row's own."""
    system = ctx.source("system")
    first_system_row = ctx.people["system_row"].to_numpy()
    codes = recs["person"].to_numpy()
    in_system = (codes >= 0) & (first_system_row[np.maximum(codes, 0)] >= 0)
    own = pd.DataFrame({"county": column(recs, "县").fillna(ctx.county), "township": column(recs, "乡镇"),
                        "village": column(recs, "行政村"), "household_id": column(recs, "户编号"),
                        "id_number": recs["证件号码"], "name": column(recs, "姓名"),
                        "file": recs["_file"], "row": recs["_row"]}, index=recs.index)
    if in_system.any() and system is not None:
        rows = located(ctx, "system", first_system_row[codes[in_system]])
        for name in ("county", "township", "village", "household_id", "name"):
            own.loc[in_system, name] = rows[name].to_numpy()
    return own.assign(kind=recs["kind"].to_numpy())


@rule("CIV05", group=GROUP, level="person", severity="medium", key=("id_number",), title="低保特困对象未纳入监测",
      needs=(("civil", ()),), action="核实该人员家庭情况，符合条件的按程序纳入防返贫监测；不符合的在核实说明中写明理由。",
      meaning="民政数据中正在享受低保或特困供养的人员，不在任何脱贫户或监测户中（部门预警：核实是否应纳入监测）。")
def assisted_outside_monitoring(ctx: RuleContext) -> pd.DataFrame:
    people = active_people(ctx)
    inside = pd.Index(members(ctx)["id_number"]).union(pd.Index(deregistered_ids(ctx)))
    hit = placed(ctx, people[~people["证件号码"].isin(inside).to_numpy(bool)])
    if hit.empty:
        return empty_findings()
    message = (hit["name"].astype("string").fillna("该人员") + "正在享受" + hit["kind"]
               + "，但不在脱贫户或监测户中，请核实是否应纳入防返贫监测")
    return findings(hit.assign(source="civil", field="救助类型", actual=hit["kind"], expected="纳入监测或核实说明",
                               message=message))


@rule("CIV06", group=GROUP, level="person", severity="high", key=("id_number",), title="已注销人员仍享受低保特困",
      needs=(("civil", ()), ("hukou", ("户籍状态", "注销日期"))),
      action="请民政部门核实并按规定停发；户籍信息有误的，请公安部门核实。",
      meaning="公安户籍显示已死亡或迁出注销的人员，民政数据中仍有在保的低保或特困记录。")
def deregistered_still_assisted(ctx: RuleContext) -> pd.DataFrame:
    people = active_people(ctx)
    hit = placed(ctx, people[people["证件号码"].isin(deregistered_ids(ctx)).to_numpy(bool)])
    if hit.empty:
        return empty_findings()
    message = (hit["name"].astype("string").fillna("该人员") + "户籍已注销，但民政数据中仍在享受" + hit["kind"]
               + "，请民政部门核实")
    return findings(hit.assign(source="civil|hukou", field="救助类型", actual=hit["kind"], expected="停保",
                               message=message))
