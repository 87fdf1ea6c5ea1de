"""Plants made on the rows of each source once they exist (identity,
household structure, sectors), and the near misses that must not fire.
Each plant takes its own households (Planter.pick) and records its findings,
cascades included, in the answer key."""
from __future__ import annotations

import numpy as np
import pandas as pd

from recon.demo.planter import Planter
from recon.demo.sectors import Frames
from recon.ids import check_chars


def plant_rows(pl: Planter, f: Frames) -> None:
    _ledger_noise(pl, f)
    _identity(pl, f)
    _structure(pl, f)
    _hukou(pl, f)
    _income(pl)
    _education(pl, f)
    _medical(pl, f)
    _housing(pl, f)
    _water(pl, f)


def _rows(frame: pd.DataFrame, pid: int) -> pd.Series:
    return frame["pid"] == pid


def _append(frame: pd.DataFrame, row: dict) -> None:
    """Add one row in place under a fresh label (sorted into place when written)."""
    frame.loc[frame.index.max() + 1] = row


def _wrong_check(id_number: str) -> str:
    right = check_chars(pd.Series([id_number[:17]])).iloc[0]
    chars = "10X98765432"
    return id_number[:17] + chars[(chars.index(right) + 1) % 11]


def _ledger_noise(pl: Planter, f: Frames) -> None:
    """Near misses spread over the ledger: names with stray or full-width
    spaces and other middle dots, lowercase x, 15-digit IDs of people born
    before 1980. All equal the system's after normalisation."""
    ledger, rng = f.ledger, pl.rng
    names = ledger["姓名"].astype(str)
    draw = rng.random(len(ledger))
    two = names.str.len() == 2
    names = names.where(~(two & (draw < 0.06)), names.str[0] + " " + names.str[1:])
    names = names.where(~((draw >= 0.06) & (draw < 0.09)), names + "\u3000")
    names = names.where(~(names.str.contains("·", regex=False) & (draw < 0.5)), names.str.replace("·", "•"))
    ledger["姓名"] = names
    ids = ledger["证件号码"].astype(str)
    ledger["证件号码"] = ids.where(~(ids.str.endswith("X") & (draw < 0.6)), ids.str.lower())
    old = ledger["出生日期"] < pd.Timestamp("1980-01-01")
    ids = ledger["证件号码"].astype(str)
    ledger["证件号码"] = ids.where(~(old & (draw > 0.85)), ids.str[:6] + ids.str[8:17])


def _identity(pl: Planter, f: Frames) -> None:
    adult = pl.nonhead_adult()
    digit_end = pl.p["证件号码"].str[-1] != "X"
    variants = ["empty", "check", "number"] * max(1, (pl.k + 2) // 3)
    for source, frame, cascade in (("system", f.system, "ID05"), ("ledger", f.ledger, "ID04")):
        for i, variant in enumerate(variants):
            style = {"fmt": ["xlsx", "xls"]} if source == "ledger" and variant == "number" else {}
            h = pl.pick(1, pl.with_member(pl.eligible("registered", **style), adult & digit_end), "ID01")[0]
            pid = pl.member(h, adult & digit_end)
            good = pl.id_of(pid)
            bad = {"empty": "", "check": _wrong_check(good), "number": float(good)}[variant]
            mark = f"ID01-{source}-{i}"
            rows = _rows(frame, pid)
            frame.loc[rows, "证件号码"] = pd.Series([bad] * int(rows.sum()), index=frame.index[rows], dtype=object)
            frame.loc[rows, "_mark"] = mark
            pl.answer("ID01", h, source=source, mark=mark)
            pl.answer(cascade, h, pid)   # the valid ID now stands in one source only
    for source, frame in (("system", f.system), ("ledger", f.ledger)):
        for h in pl.pick(pl.k, pl.with_member(pl.eligible("registered"), adult), "ID02"):
            pid = pl.member(h, adult)
            dup = frame[_rows(frame, pid)].assign(_order=lambda d: d["_order"] + 0.5)
            _append(frame, dup.iloc[0].to_dict())
            pl.answer("ID02", h, pid, source=source)
    for h in pl.pick(pl.k, pl.with_member(pl.eligible("registered"), adult), "ID03"):
        pid = pl.member(h, adult)
        rows = _rows(f.ledger, pid)
        name = pl.p.loc[pl.p["pid"] == pid, "姓名"].iloc[0]
        f.ledger.loc[rows, "姓名"] = name[:-1] + ("明" if name[-1] != "明" else "亮")
        pl.answer("ID03", h, pid)
    for h in pl.pick(pl.k, pl.with_member(pl.eligible("registered"), adult), "ID04"):
        pid = pl.member(h, adult)
        f.ledger.drop(f.ledger.index[_rows(f.ledger, pid)], inplace=True)
        pl.answer("ID04", h, pid)
    for i, h in enumerate(pl.pick(pl.k, pl.eligible("registered"), "ID05")):
        birth = pd.Timestamp(pl.county.as_of) - pd.Timedelta(days=400 + 30 * i)
        new_id = pl.new_id(birth, male=False)
        head = f.ledger[(f.ledger["hh"] == h)].iloc[0]
        _append(f.ledger, {**head.to_dict(), "pid": -1 - i, "姓名": head["姓名"][0] + "小雨",
                                              "证件号码": new_id, "与户主关系": "孙女", "性别": "女",
                                              "出生日期": birth, "_order": 50.0, "_mark": ""})
        pl.answer("ID05", h)
        pl.answers[-1]["id_number"] = new_id
    for _ in range(pl.k):
        first = pl.pick(1, pl.with_member(pl.eligible("registered"), adult), "ID06")[0]
        second = pl.pick(1, pl.eligible("registered", village_no=pl.hh.at[first, "village_no"]), "ID06 (a neighbour)")[0]
        pid = pl.member(first, adult)
        rows = _rows(f.ledger, pid)
        # In the neighbour's household the person is a relative (not a second 配偶 or child: REL02, REL03).
        f.ledger.loc[rows, ["hh", "户编号", "_order", "与户主关系"]] = [second, pl.hh.at[second, "户编号"], 60.0, "其他亲属"]
        pl.answer("ID06", first, pid)
    for source, frame in (("system", f.system), ("ledger", f.ledger)):
        for i, h in enumerate(pl.pick(pl.k, pl.with_member(pl.eligible("registered"), adult), "ID07")):
            pid = pl.member(h, adult)
            rows = _rows(frame, pid)
            if i % 2 == 0:
                frame.loc[rows, "性别"] = frame.loc[rows, "性别"].map({"男": "女", "女": "男"})
            else:
                frame.loc[rows, "出生日期"] = frame.loc[rows, "出生日期"] + pd.Timedelta(days=400)
            pl.answer("ID07", h, pid, source=source)


def _structure(pl: Planter, f: Frames) -> None:
    hh = pl.hh
    for h in pl.pick(pl.k, pl.eligible("registered"), "HH01 (system)"):
        hh.at[h, "sys_size_offset"] = 1
        pl.answer("HH01", h, source="system")
    for h in pl.pick(pl.k, pl.eligible("registered"), "HH01 (ledger)"):
        hh.at[h, "led_size_offset"] = 1
        pl.answer("HH01", h, source="ledger")
    two = pl.p["member_no"] > 0
    for source, frame, style in (("system", f.system, {}), ("ledger", f.ledger, {"has_hhid": True})):
        for i, h in enumerate(pl.pick(pl.k, pl.with_member(pl.eligible("registered", **style), two), "HH02")):
            pid = pl.member(h, two) if i % 2 == 0 else pl.member(h, pl.p["member_no"] == 0)
            frame.loc[_rows(frame, pid), "与户主关系"] = "户主" if i % 2 == 0 else "其他"
            pl.answer("HH02", h, source=source)
    typed = {"has_type": True}
    for h in pl.pick(pl.k, pl.eligible("poverty", **typed), "HH03 (户类型)"):
        hh.at[h, "led_type"] = "监测户"
        pl.answer("HH03", h, field="户类型")
    for h in pl.pick(pl.k, pl.eligible("monitored", **typed), "HH03 (风险是否消除)"):
        hh.at[h, "led_flip_eliminated"] = True
        pl.answer("HH03", h, field="风险是否消除")
    for _, village in pl.villages[pl.villages["role"] == "no_ledger"].iterrows():
        pl.answer("LED01", township=village["township"], village=village["village"])


def _hukou(pl: Planter, f: Frames) -> None:
    hukou, as_of = f.hukou, pd.Timestamp(pl.county.as_of)
    adult = pl.nonhead_adult()
    for h in pl.pick(pl.k, pl.with_member(pl.eligible("registered"), adult), "HUK01"):
        pid = pl.member(h, adult)
        hukou.loc[_rows(hukou, pid), ["户籍状态", "注销日期"]] = ["死亡注销", as_of - pd.Timedelta(days=60)]
        pl.answer("HUK01", h, pid)
    # Near misses: leaving after the as-of date, and military service, are not deregistration.
    for status, days in (("迁出注销", -20), ("服兵役注销", 100)):
        for h in pl.pick(1, pl.with_member(pl.eligible("registered"), adult), "a HUK01 near miss", optional=True):
            hukou.loc[_rows(hukou, pl.member(h, adult)), ["户籍状态", "注销日期"]] = [status, as_of - pd.Timedelta(days=days)]
    # A deregistered child without school rows: HUK01, never EDU01.
    child = pl.compulsory_child()
    for h in pl.pick(1, pl.with_member(pl.eligible("poverty"), child), "a deregistered child", optional=True):
        pid = pl.member(h, child)
        hukou.loc[_rows(hukou, pid), ["户籍状态", "注销日期"]] = ["死亡注销", as_of - pd.Timedelta(days=30)]
        f.education.drop(f.education.index[_rows(f.education, pid)], inplace=True)
        pl.answer("HUK01", h, pid)


def _income(pl: Planter) -> None:
    hh = pl.hh
    with_income = {"has_income": True}
    for source, style in (("system", {}), ("ledger", with_income)):
        wage, net = ("wage_sys", "net_sys") if source == "system" else ("wage_led", "net_led")
        for h in pl.pick(pl.k, pl.eligible("registered", **style), "INC01"):
            hh.at[h, wage] = 600.0          # the parts no longer add up to 家庭纯收入
            pl.answer("INC01", h, source=source)
        for h in pl.pick(pl.k, pl.eligible("registered", **style), "INC02"):
            hh.at[h, wage] = 2000.0         # parts and total agree, 人均 does not follow
            hh.at[h, net] = 2000.0
            pl.answer("INC02", h, source=source)
    for h in pl.pick(pl.k, pl.eligible("registered", **with_income), "INC03"):
        hh.at[h, "pc_led"] = 800.0
        pl.answer("INC03", h)


def _education(pl: Planter, f: Frames) -> None:
    edu, system = f.education, f.system
    child = pl.compulsory_child()
    cases = [("poverty", "dropout"), ("poverty", "none")] * max(1, pl.k // 2) + [("monitored_yes", "none")]
    for kind, variant in cases:
        # A small county may have no free 监测户 with a school-age child: a 脱贫户 then (MON02 has other plants).
        found = pl.pick(1, pl.with_member(pl.eligible(kind), child), "EDU01", optional=kind == "monitored_yes")
        if not found:
            kind = "poverty"
            found = pl.pick(1, pl.with_member(pl.eligible(kind), child), "EDU01")
        h = found[0]
        pid = pl.member(h, child)
        if variant == "dropout":
            edu.loc[_rows(edu, pid), ["学籍状态", "资助项目"]] = ["辍学", ""]
            system.loc[_rows(system, pid), "在校生情况"] = "辍学"
        else:
            edu.drop(edu.index[_rows(edu, pid)], inplace=True)
        pl.hh.at[h, "edu01"] = True
        pl.answer("EDU01", h, pid, actual=variant)
        pl.answer("MON01" if kind == "poverty" else "MON02", h, actual="教育")
    for i, h in enumerate(pl.pick(pl.k, pl.with_member(pl.eligible("registered"), child), "EDU02")):
        pid = pl.member(h, child)
        stage = edu.loc[_rows(edu, pid), "学段"].iloc[0]
        system.loc[_rows(system, pid), "在校生情况"] = "非在校生" if i % 2 == 0 else ("初中" if stage == "小学" else "小学")
        pl.answer("EDU02", h, pid)
        age = int(pl.age_cutoff()[pl.p["pid"] == pid].iloc[0])
        if i % 2 == 1 and stage == "小学" and age < 10:   # 初中 at 6 to 9: implausible for the stage too
            pl.answer("SCH01", h, pid)
    for h in pl.pick(pl.k, pl.with_member(pl.eligible("registered"), child), "EDU03"):
        pid = pl.member(h, child)
        edu.loc[_rows(edu, pid), "资助项目"] = ""
        pl.answer("EDU03", h, pid)
    # Near misses: 休学 and 送教上门 count as enrolled.
    for status in ("休学", "送教上门"):
        for h in pl.pick(1, pl.with_member(pl.eligible("registered"), child), "an EDU01 near miss", optional=True):
            pid = pl.member(h, child)
            edu.loc[_rows(edu, pid), "学籍状态"] = status
            if status == "送教上门":
                system.loc[_rows(system, pid), "在校生情况"] = "送教上门"


def _medical(pl: Planter, f: Frames) -> None:
    med, system, hh = f.medical, f.system, pl.hh
    year = pl.county.as_of.year
    head = pl.p["member_no"] == 0
    cases = [("poverty", "none"), ("poverty", "stopped")] * max(1, pl.k // 2) + [("monitored_yes", "none")]
    for kind, variant in cases:
        h = pl.pick(1, pl.eligible(kind), "MED01")[0]
        pid = pl.member(h, head)
        if variant == "none":
            med.drop(med.index[_rows(med, pid)], inplace=True)
        else:
            med.loc[_rows(med, pid), "参保状态"] = "停保"
        system.loc[_rows(system, pid), "是否参加城乡居民基本医疗保险"] = False
        hh.at[h, "med01"] = True
        pl.answer("MED01", h, pid, actual=variant)
        pl.answer("INS01", h, pid, actual="否/否")   # both flags 否 now
        if kind == "monitored_yes":
            pl.answer("MON02", h, actual="医疗")
    for i, h in enumerate(pl.pick(pl.k, pl.eligible("poverty"), "MED02")):
        pid = pl.member(h, head)
        if i % 2 == 0:   # says resident insurance, holds employee insurance only
            med.loc[_rows(med, pid), "险种"] = "职工基本医疗保险"
        else:            # says not insured, is insured as resident
            system.loc[_rows(system, pid), "是否参加城乡居民基本医疗保险"] = False
            pl.answer("INS01", h, pid, actual="否/否")
        pl.answer("MED02", h, pid)
    for h in pl.pick(pl.k, pl.eligible("monitored"), "MED03"):
        pid = pl.member(h, head)
        med.loc[_rows(med, pid), "资助参保"] = "否"
        pl.answer("MED03", h, pid)
    for h in pl.pick(pl.k, pl.eligible("poverty"), "MED04"):
        med.loc[_rows(med, pl.member(h, head)), "个人自付费用"] = 12000.0
        pl.answer("MED04", h)
    # Near misses: a 监测户 with high costs (MED04 is for 脱贫户), high costs in an
    # earlier year, an employee-insurance holder, a newborn without insurance.
    for h in pl.pick(1, pl.eligible("monitored"), "a MED04 near miss", optional=True):
        med.loc[_rows(med, pl.member(h, head)), "个人自付费用"] = 15000.0
    for h in pl.pick(1, pl.eligible("poverty"), "a MED04 near miss", optional=True):
        earlier = med[_rows(med, pl.member(h, head))].iloc[0].to_dict() | {"参保年度": year - 1, "个人自付费用": 20000.0}
        _append(med, earlier)
    for h in pl.pick(1, pl.eligible("registered"), "an employee-insurance near miss", optional=True):
        pid = pl.member(h, head)
        med.loc[_rows(med, pid), "险种"] = "职工基本医疗保险"
        system.loc[_rows(system, pid), ["是否参加城乡居民基本医疗保险", "是否参加城镇职工基本医疗保险"]] = [False, True]
    for pid in pl.p.loc[pl.p["school_override"] == "newborn", "pid"]:
        med.drop(med.index[_rows(med, pid)], inplace=True)
        system.loc[_rows(system, pid), "是否参加城乡居民基本医疗保险"] = False


def _unsafe_house(row: dict) -> dict:
    return row | {"鉴定等级": "四级", "纳入改造": "是", "竣工验收": "否", "保障方式": "危房改造"}


def _housing(pl: Planter, f: Frames) -> None:
    housing, hh = f.housing, pl.hh
    for kind in ["poverty"] * pl.k + ["monitored_yes"]:
        h = pl.pick(1, pl.eligible(kind), "HOU01")[0]
        rows = housing["hh"] == h
        housing.loc[rows, ["鉴定等级", "纳入改造", "竣工验收", "保障方式"]] = ["D级", "是", "否", "危房改造"]
        hh.loc[h, ["住房安全", "hou01"]] = [False, True]
        pl.answer("HOU01", h)
        pl.answer("MON01" if kind == "poverty" else "MON02", h, actual="住房")
    for h in pl.pick(pl.k, pl.eligible("registered"), "HOU02"):
        hh.at[h, "住房安全"] = False
        pl.answer("HOU02", h)
    for h in pl.pick(pl.k, pl.eligible("registered"), "HOU03"):
        housing.drop(housing.index[housing["hh"] == h], inplace=True)
        pl.answer("HOU03", h)
    for h in pl.pick(1, pl.eligible("registered"), "a HOU01 near miss", optional=True):   # one safe house among unsafe ones
        _append(housing, _unsafe_house(housing[housing["hh"] == h].iloc[0].to_dict()))


def _water(pl: Planter, f: Frames) -> None:
    hh, water = pl.hh, f.water
    household_rows = []
    for h in pl.pick(pl.k, pl.eligible("poverty", role=""), "WAT01"):
        household_rows.append(_water_row(pl, [h], safe=False))
        hh.loc[h, ["饮水安全", "wat01"]] = [False, True]
        pl.answer("WAT01", h)
        pl.answer("MON01", h, actual="饮水")
    for h in pl.pick(pl.k, pl.eligible("registered", role=""), "WAT02"):
        hh.at[h, "饮水安全"] = False
        pl.answer("WAT02", h)
    unsafe_village = pl.villages[pl.villages["role"] == "water_unsafe_village"].iloc[0]
    in_village = (water["village"] == unsafe_village["village"]) & (water["township"] == unsafe_village["township"])
    _append(water, water[in_village].iloc[0].to_dict() | {"水质达标": "否", "是否饮水安全": "否"})
    household_rows.append(_water_row(pl, hh.index[hh["village_no"] == unsafe_village["village_no"]], safe=True))
    bare = pl.villages[pl.villages["role"] == "water_no_village_row"].iloc[0]
    water.drop(water.index[(water["village"] == bare["village"]) & (water["township"] == bare["township"])],
               inplace=True)
    missing = pl.pick(pl.k, pl.eligible("registered", village_no=bare["village_no"]), "WAT03")
    for h in missing:
        pl.answer("WAT03", h)
    covered = hh.index[(hh["village_no"] == bare["village_no"]) & ~hh.index.isin(missing)]
    household_rows.append(_water_row(pl, covered, safe=True))
    f.water = pd.concat([water, *household_rows], ignore_index=True)


def _water_row(pl: Planter, households, safe: bool) -> pd.DataFrame:
    """Household water rows: half linked by 户编号, half by a member's 证件号码."""
    hh = pl.hh.loc[list(households)]
    by_id = np.arange(len(hh)) % 2 == 1
    heads = pl.p[pl.p["member_no"] == 0].set_index("hh")
    verdict = "是" if safe else "否"
    return pd.DataFrame({
        "township": hh["township"].to_numpy(), "village": hh["village"].to_numpy(),
        "户编号": np.where(by_id, "", hh["户编号"].to_numpy()),
        "证件号码": np.where(by_id, heads.loc[hh.index, "证件号码"].to_numpy(), ""),
        "姓名": heads.loc[hh.index, "姓名"].to_numpy(), "供水方式": "分散供水",
        "水量达标": "是", "水质达标": verdict, "用水方便达标": "是", "供水保证率达标": "是", "是否饮水安全": verdict,
    })
