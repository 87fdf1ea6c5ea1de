"""Plants of the internal consistency rules (逻辑校验: REL01–REL03, HH04,
LAB01, LAB02, SCH01, INS01, PEN01, PHN01, PHN02, RSK01–RSK05) and the
settling of the export's further columns for everybody else, so that the
clean county fires none of them: pension flags, phone numbers, and risk
labels that agree with the members.

`plant_young_heads` runs before the sector rows exist (a re-born 户主 gets
the school and labour rows of the new age); `plant_consistency` after the
other row plants; `settle` last, before recon.demo.finish."""
from __future__ import annotations

import numpy as np
import pandas as pd

from recon.demo.planter import Planter
from recon.demo.sectors import Frames

SAFE_RISKS = ("缺技术", "缺资金", "自身发展动力不足")   # labels no consistency rule reads
LABOURING = ("普通劳动力", "技能劳动力", "弱劳动力或半劳动力")
SWAP_SEX = {"子": "女", "女": "子", "孙子": "孙女", "孙女": "孙子"}


def _rows(frame: pd.DataFrame, pid: int) -> pd.Series:
    return frame["pid"] == pid


def _single(pl: Planter) -> pd.Series:
    """Persons alone in their household (the 户主 of a one-person household)."""
    size = pl.p.groupby("hh")["pid"].transform("size")
    return (size == 1) & (pl.p["member_no"] == 0)


def plant_young_heads(pl: Planter) -> None:
    """HH04: the 户主 of a one-person household is 15 (system and ledger
    each); a near miss is exactly 16 today."""
    as_of = pd.Timestamp(pl.county.as_of)
    alone = _single(pl)
    for h in pl.pick(pl.k, pl.with_member(pl.eligible("registered"), alone), "HH04"):
        pl.rebirth(pl.member(h, alone), as_of - pd.DateOffset(years=15) - pd.Timedelta(days=100))
        for source in ("system", "ledger"):
            pl.answer("HH04", h, source=source, actual="15岁")
    for h in pl.pick(1, pl.with_member(pl.eligible("registered"), alone), "an HH04 near miss", optional=True):
        pl.rebirth(pl.member(h, alone), as_of - pd.DateOffset(years=16))


def plant_consistency(pl: Planter, f: Frames) -> None:
    _relations(pl, f)
    _labour_and_school(pl, f)
    _insurance(pl, f)
    _phones(pl)
    _risks(pl, f)


def _relations(pl: Planter, f: Frames) -> None:
    p = pl.p
    child = (p["member_no"] > 0) & p["与户主关系"].isin(list(SWAP_SEX))
    for h in pl.pick(pl.k, pl.with_member(pl.eligible("registered"), child), "REL01"):
        pid = pl.member(h, child)
        relation = SWAP_SEX[p.loc[p["pid"] == pid, "与户主关系"].iloc[0]]
        for source, frame in (("system", f.system), ("ledger", f.ledger)):
            frame.loc[_rows(frame, pid), "与户主关系"] = relation
            pl.answer("REL01", h, pid, source=source, actual=relation)
    # A son spelled 儿子 in the ledger is a son: no REL01.
    son = (p["member_no"] > 0) & (p["与户主关系"] == "子")
    for h in pl.pick(1, pl.with_member(pl.eligible("registered"), son), "a REL01 near miss", optional=True):
        f.ledger.loc[_rows(f.ledger, pl.member(h, son)), "与户主关系"] = "儿子"
    # REL02: a child of the 户主's sex written as 配偶 (system).
    head_male = pl.hh["head_male"].to_numpy()[p["hh"]]
    same_sex_child = child & (p["male"].to_numpy() == head_male)
    for h in pl.pick(pl.k, pl.with_member(pl.eligible("registered"), same_sex_child), "REL02"):
        f.system.loc[_rows(f.system, pl.member(h, same_sex_child)), "与户主关系"] = "配偶"
        pl.answer("REL02", h, source="system")
    # REL03: the spouse written as a child of their own sex (ledger): a generation of a few years.
    spouse = p["与户主关系"] == "配偶"
    for h in pl.pick(pl.k, pl.with_member(pl.eligible("registered"), spouse), "REL03"):
        pid = pl.member(h, spouse)
        relation = "子" if bool(p.loc[p["pid"] == pid, "male"].iloc[0]) else "女"
        f.ledger.loc[_rows(f.ledger, pid), "与户主关系"] = relation
        pl.answer("REL03", h, pid, source="ledger")


def _labour_and_school(pl: Planter, f: Frames) -> None:
    p, system = pl.p, f.system
    age = pl.age_now()
    first = system.drop_duplicates("pid").set_index("pid")   # a person's own row (plants add copies)
    status = first["在校生情况"].reindex(p["pid"]).to_numpy()
    health = first["健康状况"].reindex(p["pid"]).to_numpy()
    minor = (p["member_no"] > 0) & (age >= 6) & (age < 16)
    for h in pl.pick(pl.k, pl.with_member(pl.eligible("registered"), minor), "LAB01"):
        pid = pl.member(h, minor)
        system.loc[_rows(system, pid), "劳动技能"] = "普通劳动力"
        pl.answer("LAB01", h, pid)
    idle_adult = age.between(20, 55) & (status == "非在校生") & (health == "健康")
    for h in pl.pick(pl.k, pl.with_member(pl.eligible("registered"), idle_adult), "LAB02"):
        pid = pl.member(h, idle_adult)
        system.loc[_rows(system, pid), "劳动技能"] = "丧失劳动力"
        pl.answer("LAB02", h, pid)
    # Near miss: the same with a chronic illness is plausible.
    for h in pl.pick(1, pl.with_member(pl.eligible("registered"), idle_adult), "a LAB02 near miss", optional=True):
        pid = pl.member(h, idle_adult)
        system.loc[_rows(system, pid), ["劳动技能", "健康状况"]] = ["丧失劳动力", "长期慢性病"]
    grown = (p["member_no"] > 0) & age.between(25, 55) & (status == "非在校生")
    for h in pl.pick(pl.k, pl.with_member(pl.eligible("registered"), grown), "SCH01"):
        pid = pl.member(h, grown)
        system.loc[_rows(system, pid), "在校生情况"] = "初中"
        pl.answer("SCH01", h, pid)
    for h in pl.pick(pl.k, pl.with_member(pl.eligible("registered"), grown), "PEN01"):
        pid = pl.member(h, grown)
        system.loc[_rows(system, pid), "是否参加城乡居民基本养老保险"] = False
        pl.answer("PEN01", h, pid)


def _insurance(pl: Planter, f: Frames) -> None:
    adult = (pl.p["member_no"] > 0) & (pl.age_now() >= 18)
    for h in pl.pick(pl.k, pl.with_member(pl.eligible("registered"), adult), "INS01"):
        pid = pl.member(h, adult)
        f.system.loc[_rows(f.system, pid), "是否参加城镇职工基本医疗保险"] = True
        pl.answer("INS01", h, pid, actual="是/是")


def _phones(pl: Planter) -> None:
    hh = pl.hh
    for i, h in enumerate(pl.pick(pl.k, pl.eligible("registered"), "PHN01")):
        hh.at[h, "户联系电话"] = "无" if i % 2 else "1380851123"
        pl.answer("PHN01", h)
    for _ in range(pl.k):
        pair = pl.pick(2, pl.eligible("registered"), "PHN02")
        hh.loc[pair, "户联系电话"] = phone_numbers(pd.Index([pair[0]])).iloc[0]
        for h in pair:
            pl.answer("PHN02", h, actual="2")
    # Near miss: an ordinary household shares a registered household's number.
    for h in pl.pick(1, pl.eligible("ordinary"), "a PHN02 near miss", optional=True):
        other = pl.pick(1, pl.eligible("registered"), "a PHN02 near miss", optional=True)
        if other:
            hh.loc[[h, other[0]], "户联系电话"] = phone_numbers(pd.Index([other[0]])).iloc[0]


def _risks(pl: Planter, f: Frames) -> None:
    facts = member_facts(pl, f.system)
    hh = pl.hh
    plants = [("RSK01", "致贫原因2", "因残", facts["disabled"] == 0),
              ("RSK02", "致贫原因", "因病", facts["sick"] == 0),
              ("RSK03", "致贫原因", "因学", facts["students"] == 0),
              ("RSK04", "致贫原因", "缺劳动力", facts["able"] >= 2)]
    for code, column, label, fits in plants:
        for h in pl.pick(pl.k, pl.eligible("registered") & fits.to_numpy(), code):
            hh.at[h, column], hh.at[h, "risk_planted"] = label, column
            pl.answer(code, h, actual=label)
    # RSK05: nobody in the household can work (children 无劳动力; the others 丧失劳动力, and those of
    # working age chronically ill, so that LAB02 has nothing to say).
    age = pl.age_now()
    for h in pl.pick(pl.k, pl.eligible("registered"), "RSK05"):
        pids = pl.p.loc[pl.p["hh"] == h, "pid"]
        for pid in pids:
            years = int(age[pl.p["pid"] == pid].iloc[0])
            rows = _rows(f.system, pid)
            f.system.loc[rows, "劳动技能"] = "无劳动力" if years < 16 else "丧失劳动力"
            if 16 <= years < 60:
                f.system.loc[rows, "健康状况"] = "长期慢性病"
        hh.at[h, "致贫原因"], hh.at[h, "risk_planted"] = "因务工就业不稳", "致贫原因"
        pl.answer("RSK05", h, actual="因务工就业不稳")


def member_facts(pl: Planter, system: pd.DataFrame) -> pd.DataFrame:
    """Per household (pl.hh index): members sick, disabled, in school,
    labouring, and able labourers (working age, healthy, 普通/技能劳动力)."""
    ages = pl.age_now().set_axis(pl.p["pid"]).reindex(system["pid"]).to_numpy()
    health = system["健康状况"].astype(str)
    labour = system["劳动技能"].astype(str)
    status = system["在校生情况"].fillna("").astype(str)
    rows = pd.DataFrame({
        "hh": system["hh"].to_numpy(),
        "sick": health.str.contains("长期慢性病|患有大病").to_numpy(),
        "disabled": health.str.contains("残疾").to_numpy(),
        "students": ~status.isin(["非在校生", "辍学", "学龄前儿童", ""]).to_numpy(),
        "labouring": labour.isin(LABOURING).to_numpy(),
        "able": ((ages >= 16) & (ages < 60) & (health == "健康").to_numpy()
                 & labour.isin(["普通劳动力", "技能劳动力"]).to_numpy()),
    })
    return rows.groupby("hh").sum().reindex(pl.hh.index, fill_value=0)


def phone_numbers(households: pd.Index) -> pd.Series:
    """A distinct mobile number per household, from its position (no random
    draws: the rest of the demo stays as it was)."""
    prefixes = np.array(["135", "136", "137", "138", "139", "150", "151", "158", "182", "187"])
    number = households.to_numpy().astype(np.int64)
    suffix = (number * 7919 + 1234567) % 10**8   # 7919 is prime to 10**8: distinct suffixes
    return pd.Series(np.char.add(prefixes[number % len(prefixes)], np.char.zfill(suffix.astype(str), 8)),
                     index=households, dtype=object)


def settle(pl: Planter, f: Frames) -> None:
    """What the clean county holds in the columns no plant set: pension
    flags by age and school, a phone number per household (some written
    with spaces and dashes), and risk labels that agree with the members."""
    system, hh = f.system, pl.hh
    age = pl.age_now().set_axis(pl.p["pid"]).reindex(system["pid"]).to_numpy()
    adult_out_of_school = pd.Series((age >= 16) & (system["在校生情况"] == "非在校生").to_numpy(), index=system.index)
    system["是否参加城乡居民基本养老保险"] = system["是否参加城乡居民基本养老保险"].where(
        system["是否参加城乡居民基本养老保险"].notna(), adult_out_of_school)
    unset = hh["户联系电话"] == ""
    numbers = phone_numbers(hh.index[unset])
    dashed = (numbers.index.to_numpy() % 5) == 0   # as clerks type them: 138-1234-5678
    numbers[dashed] = numbers[dashed].str.slice(0, 3) + "-" + numbers[dashed].str.slice(3, 7) + "-" + numbers[dashed].str.slice(7)
    hh.loc[unset, "户联系电话"] = numbers
    # Risk labels (致贫原因; 致贫原因2 holds planted ones only): kept where the members bear them out, else one no rule reads. Households whose
    # members a plant touched (IDs, heads, deregistration) take a safe label.
    facts = member_facts(pl, system)
    people = pl.lanes_used[:, pl.lane("people")]
    fits = {"因病": facts["sick"] > 0, "因残": facts["disabled"] > 0, "因学": facts["students"] > 0,
            "缺劳力": facts["able"] < 2}
    risk = hh["致贫原因"]
    keep = pd.Series(True, index=hh.index)
    for label, fine in fits.items():
        keep &= (risk != label) | (fine & ~people)
    safe = pd.Series(np.array(SAFE_RISKS)[hh.index.to_numpy() % len(SAFE_RISKS)], index=hh.index)
    hh["致贫原因"] = risk.where(keep | (hh["risk_planted"] == "致贫原因"), safe)
