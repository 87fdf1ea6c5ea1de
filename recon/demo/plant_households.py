"""Plants made before the sector rows exist: household fields (type, income,
monitoring dates) and persons' birth dates, so the sector rows built after
them follow (a re-born child gets the education and medical rows of its new
age). Each plant records its findings, cascades included, in the answer key."""
from __future__ import annotations

import pandas as pd

from recon.demo.planter import Planter


def plant_households(pl: Planter) -> None:
    _burst(pl)
    _low_income(pl)
    _monitoring_dates(pl)
    _school_near_misses(pl)
    _newborn_near_miss(pl)


def _burst(pl: Planter) -> None:
    """MON04: ten households of one village taken into monitoring in one month."""
    hh, as_of = pl.hh, pd.Timestamp(pl.county.as_of)
    month = (as_of.to_period("M") - 1).to_timestamp()
    threshold = 10
    for village_no in pl.villages.index[pl.villages["role"] == "burst"]:
        # Not eliminated ones first: small counties need every 风险已消除 监测户 for other plants.
        chosen = pl.pick(threshold, pl.eligible("registered", village_no=village_no)
                         & pl.eligible("not_eliminated", village_no=village_no), "MON04", optional=True)
        chosen += pl.pick(threshold - len(chosen), pl.eligible("registered", village_no=village_no), "MON04")
        hh.loc[chosen, "户类型"] = "监测户"
        hh.loc[chosen, "监测对象类别"] = "突发严重困难户"
        hh.loc[chosen, "风险是否消除"] = False
        hh.loc[chosen, "纳入监测时间"] = month
        hh.loc[chosen, "首次帮扶时间"] = month + pd.Timedelta(days=6)
        hh.loc[chosen, ["风险消除时间", "最近回访时间"]] = pd.NaT
        village = pl.villages.loc[village_no]
        pl.answer("MON04", township=village["township"], village=village["village"], actual=month.strftime("%Y-%m"))


def _low_income(pl: Planter) -> None:
    hh = pl.hh
    for h in pl.pick(pl.k, pl.eligible("poverty"), "MON01 (income)"):
        hh.at[h, "人均纯收入"] = round(float(pl.rng.uniform(4000, 7000)), 2)
        pl.answer("MON01", h, actual="收入")
    for h in pl.pick(pl.k, pl.eligible("monitored_yes"), "MON02 (income)"):
        hh.at[h, "人均纯收入"] = round(float(pl.rng.uniform(4000, 7000)), 2)
        pl.answer("MON02", h, actual="收入")
    # Near misses: low income where no rule asks (一般农户; 监测户 still at risk),
    # and an unknown 人均纯收入 (class C, no finding).
    for kind in ("ordinary", "monitored_no"):
        for h in pl.pick(1, pl.eligible(kind), "a low-income near miss", optional=True):
            hh.at[h, "人均纯收入"] = 6100.0
    for h in pl.pick(1, pl.eligible("poverty"), "an unknown income", optional=True):
        hh.at[h, "pc_unknown"] = True


def _plants(pl: Planter, why: str, kind: str) -> list[int]:
    """pl.k households for a monitoring plant; in an export-style drop of a
    usual county up to three (if it has them), so that each kind of monitored
    household can carry one (rotate_monitoring_kinds). A small county (one
    plant per rule) keeps its few monitored households for the other plants."""
    chosen = pl.pick(pl.k, pl.eligible(kind), why)
    if pl.style == "export" and pl.k > 1 and len(chosen) < 3:
        chosen += pl.pick(3 - len(chosen), pl.eligible(kind), why, optional=True)
    return chosen


def _monitoring_dates(pl: Planter) -> None:
    hh, as_of = pl.hh, pd.Timestamp(pl.county.as_of)
    for i, h in enumerate(_plants(pl, "MON03", "monitored_no")):
        late = hh.at[h, "纳入监测时间"] + pd.Timedelta(days=45)
        hh.at[h, "首次帮扶时间"] = late if i % 2 == 0 else pd.NaT
        pl.answer("MON03", h)
    for h in pl.pick(1, pl.eligible("monitored_no"), "a MON03 near miss", optional=True):
        hh.at[h, "首次帮扶时间"] = hh.at[h, "纳入监测时间"] + pd.Timedelta(days=30)  # "more than" 30: not late
    for i, h in enumerate(_plants(pl, "MON05", "monitored_yes")):
        # no visit at all, or the last visit before the risk was eliminated
        hh.at[h, "最近回访时间"] = pd.NaT if i % 2 == 0 else hh.at[h, "风险消除时间"] - pd.Timedelta(days=10)
        pl.answer("MON05", h)
    for h in pl.pick(1, pl.eligible("monitored_yes"), "a MON05 near miss", optional=True):
        # eliminated recently: no visit is due yet
        hh.at[h, "风险消除时间"] = (as_of - pd.Timedelta(days=100)).to_period("M").to_timestamp()
        hh.at[h, "最近回访时间"] = pd.NaT
    for h in _plants(pl, "MON06", "monitored_yes"):
        start = hh.at[h, "纳入监测时间"]
        hh.at[h, "风险消除时间"] = (start.to_period("M") + 3).to_timestamp()
        pl.answer("MON06", h)


def _school_near_misses(pl: Planter) -> None:
    """Children born either side of the school-year cutoff, and a 15-year-old who
    finished 初中: none is EDU01."""
    p, cutoff = pl.p, pl.cutoff
    # The head at least 40: a child re-born 16 years ago stays a generation younger (REL03).
    head_age = pl.hh["head_age"].to_numpy()[p["hh"]]
    child = (p["member_no"] > 0) & (pl.age_now() < 25) & p["与户主关系"].isin(["子", "女", "孙子", "孙女"]) & (head_age >= 40)
    cases = [
        (pd.Timestamp(cutoff.year - 6, 9, 1), ""),              # 5 at the cutoff: not yet compulsory
        (pd.Timestamp(cutoff.year - 6, 8, 31), ""),             # 6 at the cutoff: compulsory, enrolled
        (pd.Timestamp(cutoff.year - 16, 8, 31), "none"),        # 16 at the cutoff: no longer compulsory
        (pd.Timestamp(cutoff.year - 16, 9, 1), ""),             # 15 at the cutoff: compulsory, enrolled
        (pd.Timestamp(cutoff.year - 16, 10, 1), "graduated_junior"),  # 15, finished 初中
    ]
    for birth, override in cases:
        for h in pl.pick(1, pl.with_member(pl.eligible("registered"), child), "a school-age near miss", optional=True):
            pid = pl.member(h, child)
            pl.rebirth(pid, birth)
            p.loc[p["pid"] == pid, "school_override"] = override


def _newborn_near_miss(pl: Planter) -> None:
    """A baby younger than newborn_days without insurance: not MED01."""
    p = pl.p
    young = (p["member_no"] > 0) & p["与户主关系"].isin(["孙子", "孙女", "子", "女"]) & (pl.age_now() < 12)
    for h in pl.pick(1, pl.with_member(pl.eligible("registered"), young), "a newborn near miss", optional=True):
        pid = pl.member(h, young)
        pl.rebirth(pid, pd.Timestamp(pl.county.as_of) - pd.Timedelta(days=40))
        p.loc[p["pid"] == pid, "school_override"] = "newborn"


MONITORING_KINDS = ("脱贫不稳定户", "边缘易致贫户", "突发严重困难户")


def rotate_monitoring_kinds(pl: Planter) -> None:
    """The households planted for MON02, MON03, MON05 and MON06 take the three
    kinds of monitored household in turn, each rule starting where the last
    left off: the answer key then covers every kind (a 脱贫不稳定户 keeps 户类型
    脱贫户 in the export, the other two are 一般农户)."""
    answers = pd.DataFrame(pl.answers)
    row_of = pd.Series(pl.hh.index, index=pl.hh["户编号"])
    turn = 0
    done: set[int] = set()
    for code in ("MON02", "MON03", "MON05", "MON06"):
        for number in answers.loc[answers["rule"] == code, "household_id"].drop_duplicates():
            h = int(row_of[number])
            if h in done:
                continue
            pl.hh.at[h, "监测对象类别"] = MONITORING_KINDS[turn % 3]
            done.add(h)
            turn += 1
