"""The civil affairs, disability and pension bureaus of the demo county
(civil/, disability/, pension/): their clean rows, built from the members as
the other plants left them, the system flags that agree with them, and the
plants of CIV01–CIV06, DIS01–DIS03, PEN02, PEN03 with their near misses.

Runs after recon.demo.plant_consistency.settle (the pension flags and the
final health and school columns exist) and before recon.demo.finish. Adds
no random draws: the rest of the demo stays as it was."""
from __future__ import annotations

import numpy as np
import pandas as pd

from recon.demo import cells as c
from recon.demo.planter import Planter
from recon.demo.sectors import Frames
from recon.demo.write import Table, write_table

CATEGORIES = ("视力", "听力", "言语", "肢体", "智力", "精神", "多重")


def _rows(frame: pd.DataFrame, pid: int) -> pd.Series:
    return frame["pid"] == pid


def build_and_plant(pl: Planter, f: Frames) -> None:
    """f.civil, f.disability, f.pension: clean rows, then the plants."""
    persons = f.system.drop_duplicates("pid").set_index("pid")
    gone = set(f.hukou.loc[f.hukou["注销日期"].notna() & (f.hukou["户籍状态"] != "服兵役注销"), "pid"])
    f.civil = _civil(pl, f, persons, gone)
    f.disability = _disability(pl, f, persons)
    f.pension = _pension(pl, f)
    _plant_civil(pl, f, gone)
    _plant_disability(pl, f)
    _plant_pension(pl, f)


def _civil(pl: Planter, f: Frames, persons: pd.DataFrame, gone: set) -> pd.DataFrame:
    """低保 for every member of one registered household in thirteen, 特困 for
    the 户主 of one in seven one-person households; households whose members
    an identity plant touched are left out. The system's flags follow."""
    hh, p = pl.hh, pl.p
    untouched = ~pl.lanes_used[:, pl.lane("people")]
    registered = hh["户类型"].isin(["脱贫户", "监测户"]).to_numpy()
    index = hh.index.to_numpy()
    size = p.groupby("hh").size().reindex(hh.index, fill_value=0).to_numpy()
    dibao = registered & untouched & (index % 13 == 5)
    tekun = registered & untouched & (size == 1) & (index % 7 == 3) & ~dibao
    kind = pd.Series(np.select([dibao, tekun], ["农村低保", "农村特困"], ""), index=hh.index)
    pl.lanes_used[dibao | tekun, pl.lane("civil")] = True
    who = p[(kind.to_numpy()[p["hh"]] != "") & ~p["pid"].isin(gone)]
    civil = pd.DataFrame({
        "pid": who["pid"].to_numpy(), "hh": who["hh"].to_numpy(), "姓名": who["姓名"].to_numpy(),
        "证件号码": who["证件号码"].to_numpy(), "救助类型": kind.to_numpy()[who["hh"]],
        "乡镇": hh["township"].to_numpy()[who["hh"]], "行政村": hh["village"].to_numpy()[who["hh"]],
        "保障状态": "正常", "起始日期": pd.Timestamp("2022-03-01"), "终止日期": pd.NaT})
    system = f.system
    system["享受低保"] = system["pid"].isin(civil.loc[civil["救助类型"] == "农村低保", "pid"])
    system["特困供养"] = system["pid"].isin(civil.loc[civil["救助类型"] == "农村特困", "pid"])
    return civil


def _disability(pl: Planter, f: Frames, persons: pd.DataFrame) -> pd.DataFrame:
    """A valid certificate for everybody whose 健康状况 holds 残疾, its
    category also in the system's 残疾类别."""
    system = f.system
    disabled = system["健康状况"].astype(str).str.contains("残疾")
    category = pd.Series(np.array(CATEGORIES)[system["pid"].to_numpy() % len(CATEGORIES)], index=system.index)
    system["残疾类别"] = category.where(disabled, "")
    system["残疾等级"] = pd.Series(np.array(["一级", "二级", "三级", "四级"])[system["pid"].to_numpy() % 4],
                               index=system.index).where(disabled, "")
    holders = system[disabled].drop_duplicates("pid")
    return pd.DataFrame({"pid": holders["pid"].to_numpy(), "姓名": holders["姓名"].to_numpy(),
                         "证件号码": holders["证件号码"].to_numpy(), "残疾类别": holders["残疾类别"].to_numpy(),
                         "残疾等级": holders["残疾等级"].to_numpy(), "证件状态": "有效"})


def _pension(pl: Planter, f: Frames) -> pd.DataFrame:
    """This year's resident enrolment of everybody the system says is enrolled."""
    enrolled = f.system[f.system["是否参加城乡居民基本养老保险"].eq(True)].drop_duplicates("pid")
    return pd.DataFrame({"pid": enrolled["pid"].to_numpy(), "姓名": enrolled["姓名"].to_numpy(),
                         "证件号码": enrolled["证件号码"].to_numpy(), "险种": "城乡居民基本养老保险",
                         "参保状态": "参保缴费", "参保年度": pl.county.as_of.year})


def _append(frame: pd.DataFrame, row: dict) -> pd.DataFrame:
    return pd.concat([frame, pd.DataFrame([row])], ignore_index=True)


def _plant_civil(pl: Planter, f: Frames, gone: set) -> None:
    system, as_of = f.system, pd.Timestamp(pl.county.as_of)
    p = pl.p
    adult = (p["member_no"] > 0) & (pl.age_now() >= 18) & ~p["pid"].isin(gone)
    plants = [("CIV01", "农村低保", False), ("CIV02", "农村低保", True), ("CIV03", "农村特困", False),
              ("CIV04", "农村特困", True)]
    for code, kind, says in plants:
        for i, h in enumerate(pl.pick(pl.k, pl.with_member(pl.eligible("registered"), adult), code)):
            pid = pl.member(h, adult)
            flag = "享受低保" if kind == "农村低保" else "特困供养"
            system.loc[_rows(system, pid), flag] = says
            if says:   # the system says so, the record has ended (by its status, or by its end date)
                status, end = ("停保", pd.NaT) if i % 2 == 0 else ("正常", as_of - pd.Timedelta(days=40))
            else:      # an active record the system does not show
                status, end = ("正常" if i % 2 == 0 else "在保"), pd.NaT
            f.civil = _append(f.civil, _civil_row(pl, pid, kind, status, end))
            pl.answer(code, h, pid, actual="是" if says else "否")
    # Near miss: the system says 低保 and the record's 保障状态 is empty (unknown standing): no CIV02.
    for h in pl.pick(1, pl.with_member(pl.eligible("registered"), adult), "a CIV02 near miss", optional=True):
        pid = pl.member(h, adult)
        system.loc[_rows(system, pid), "享受低保"] = True
        f.civil = _append(f.civil, _civil_row(pl, pid, "低保", "", pd.NaT))
    # CIV05: a member of an ordinary household, and somebody the system does not hold, on 低保.
    for h in pl.pick(pl.k, pl.with_member(pl.eligible("ordinary"), adult), "CIV05"):
        pid = pl.member(h, adult)
        f.civil = _append(f.civil, _civil_row(pl, pid, "农村低保", "正常", pd.NaT))
        pl.answer("CIV05", h, pid)
        pl.answers[-1]["household_id"] = pl.hh.at[h, "户编号"]
    village = pl.villages.iloc[0]
    outsider = pl.new_id(pd.Timestamp("1956-04-12"), male=True)
    f.civil = _append(f.civil, {"pid": -1, "hh": -1, "姓名": "外来户", "证件号码": outsider, "救助类型": "城市低保",
                                "乡镇": village["township"], "行政村": village["village"], "保障状态": "享受中",
                                "起始日期": pd.Timestamp("2023-01-01"), "终止日期": pd.NaT})
    pl.answer("CIV05", township=village["township"], village=village["village"])
    pl.answers[-1]["id_number"] = outsider
    # Near miss: an ended record of somebody outside the registered households.
    for h in pl.pick(1, pl.with_member(pl.eligible("ordinary"), adult), "a CIV05 near miss", optional=True):
        f.civil = _append(f.civil, _civil_row(pl, pl.member(h, adult), "农村低保", "退出", pd.NaT))
    # CIV06: a person deregistered by a HUK01 plant still on 低保.
    dead = f.hukou.loc[(f.hukou["户籍状态"] == "死亡注销") & f.hukou["pid"].isin(p["pid"]), "pid"].tolist()
    for pid in dead[:pl.k]:
        h = int(p.loc[p["pid"] == pid, "hh"].iloc[0])
        f.civil = _append(f.civil, _civil_row(pl, pid, "农村低保", "正常", pd.NaT))
        pl.answer("CIV06", h, pid)


def _civil_row(pl: Planter, pid: int, kind: str, status: str, end) -> dict:
    person = pl.p.loc[pl.p["pid"] == pid].iloc[0]
    h = int(person["hh"])
    return {"pid": pid, "hh": h, "姓名": person["姓名"], "证件号码": person["证件号码"], "救助类型": kind,
            "乡镇": pl.hh.at[h, "township"], "行政村": pl.hh.at[h, "village"], "保障状态": status,
            "起始日期": pd.Timestamp("2022-05-01"), "终止日期": end}


def _plant_disability(pl: Planter, f: Frames) -> None:
    system, p = f.system, pl.p
    health = system.drop_duplicates("pid").set_index("pid")["健康状况"].astype(str).reindex(p["pid"]).to_numpy()
    healthy = pd.Series((health == "健康"), index=p.index) & (p["member_no"] > 0)
    disabled = pd.Series(np.char.find(health.astype(str), "残疾") >= 0, index=p.index) & (p["member_no"] > 0)
    for h in pl.pick(pl.k, pl.with_member(pl.eligible("registered"), healthy), "DIS01"):
        pid = pl.member(h, healthy)
        f.disability = _append(f.disability, _certificate(pl, pid, "肢体", "有效"))
        pl.answer("DIS01", h, pid)
    # The other plants need a disabled member with a certificate: one of the household's disabled
    # members, or (small counties have few) an adult member made disabled here.
    candidate = (disabled | (healthy & (pl.age_now() >= 18))) & (p["member_no"] > 0)
    for i, h in enumerate(pl.pick(pl.k, pl.with_member(pl.eligible("registered"), candidate), "DIS02")):
        pid = _disabled(pl, f, pl.member(h, candidate))
        f.disability.loc[_rows(f.disability, pid), "证件状态"] = "注销" if i % 2 == 0 else "过期"
        pl.answer("DIS02", h, pid)
    for h in pl.pick(pl.k, pl.with_member(pl.eligible("registered"), candidate), "DIS03"):
        pid = _disabled(pl, f, pl.member(h, candidate))
        own = f.disability.loc[_rows(f.disability, pid), "残疾类别"].iloc[0]
        other = CATEGORIES[(CATEGORIES.index(own) + 1) % len(CATEGORIES)]
        system.loc[_rows(system, pid), "残疾类别"] = other
        pl.answer("DIS03", h, pid, actual=other)
    # Near misses: a certificate of unknown standing (no DIS02), and a 20-character 残疾人证 number whose
    # category and grade (its last two characters) agree with the system while its own cells are empty.
    for h in pl.pick(1, pl.with_member(pl.eligible("registered"), candidate), "a DIS02 near miss", optional=True):
        pid = _disabled(pl, f, pl.member(h, candidate))
        f.disability.loc[_rows(f.disability, pid), "证件状态"] = ""
    for h in pl.pick(1, pl.with_member(pl.eligible("registered"), candidate), "a DIS03 near miss", optional=True):
        pid = _disabled(pl, f, pl.member(h, candidate))   # may add its certificate: rows after
        rows = _rows(f.disability, pid)
        category, grade = f.disability.loc[rows, ["残疾类别", "残疾等级"]].iloc[0]
        code = f"{CATEGORIES.index(category) + 1}{'一二三四'.index(grade[0]) + 1}"
        f.disability.loc[rows, "证件号码"] = f.disability.loc[rows, "证件号码"] + code
        f.disability.loc[rows, ["残疾类别", "残疾等级"]] = ""


def _disabled(pl: Planter, f: Frames, pid: int) -> int:
    """pid, made disabled (system 健康状况, 残疾类别, 残疾等级 and a valid certificate) unless already."""
    rows = _rows(f.system, pid)
    if "残疾" not in str(f.system.loc[rows, "健康状况"].iloc[0]):
        category, grade = CATEGORIES[pid % len(CATEGORIES)], "二级"
        f.system.loc[rows, ["健康状况", "残疾类别", "残疾等级"]] = ["残疾", category, grade]
        f.disability = _append(f.disability, _certificate(pl, pid, category, "有效") | {"残疾等级": grade})
    return pid


def _certificate(pl: Planter, pid: int, category: str, status: str) -> dict:
    person = pl.p.loc[pl.p["pid"] == pid].iloc[0]
    return {"pid": pid, "姓名": person["姓名"], "证件号码": person["证件号码"], "残疾类别": category, "残疾等级": "三级",
            "证件状态": status}


def _plant_pension(pl: Planter, f: Frames) -> None:
    system, p, year = f.system, pl.p, pl.county.as_of.year
    enrolled = p["pid"].isin(f.pension["pid"]) & (p["member_no"] > 0)
    # PEN02: the system says resident enrolment, the bureau has this year's employee enrolment only.
    for h in pl.pick(pl.k, pl.with_member(pl.eligible("registered"), enrolled), "PEN02"):
        pid = pl.member(h, enrolled)
        f.pension.loc[_rows(f.pension, pid), "险种"] = "城镇职工基本养老保险"
        pl.answer("PEN02", h, pid, actual="是")
    # PEN03: no enrolment this year at all (last year's row only); the system still says 是: PEN02 too.
    for h in pl.pick(pl.k, pl.with_member(pl.eligible("registered"), enrolled), "PEN03"):
        pid = pl.member(h, enrolled)
        f.pension.loc[_rows(f.pension, pid), "参保年度"] = year - 1
        pl.answer("PEN03", h, pid)
        pl.answer("PEN02", h, pid, actual="是")
    # The PEN01 plants (the system says 否, adult, out of school) have no enrolment either: PEN03.
    for answer in [a for a in pl.answers if a["rule"] == "PEN01"]:
        pl.answers.append(answer | {"rule": "PEN03"})
    # Near miss: a student of pension age with no enrolment is not PEN03 (students are never enrolled here).


def write(drop, f: Frames, formats: str, as_of_year: int, county: str) -> None:
    """civil/ as a GB18030 CSV with months, disability/ and pension/ as workbooks with title rows."""
    messy = formats == "mixed"
    kind = (lambda wanted: wanted) if messy else (lambda wanted: "csv")
    ext = {"xlsx": ".xlsx", "csv": ".csv", "csv_gbk": ".csv"}
    civil = f.civil
    months = (lambda s: c.date_text(s, "month")) if messy else c.date_text
    _write(drop / "civil" / f"{county}低保特困保障对象名单{ext[kind('csv_gbk')]}", kind("csv_gbk"), messy, [
        ("乡镇", "乡镇", c.text_cells(civil["乡镇"])), ("行政村", "行政村", c.text_cells(civil["行政村"])),
        ("姓名", "姓名", c.text_cells(civil["姓名"])), ("证件号码", "身份证号码", c.text_cells(civil["证件号码"])),
        ("救助类型", "保障类型", c.text_cells(civil["救助类型"])), ("保障状态", "保障状态", c.text_cells(civil["保障状态"])),
        ("起始日期", "开始享受时间", months(civil["起始日期"])), ("终止日期", "停保日期", months(civil["终止日期"]))])
    certs = f.disability
    _write(drop / "disability" / f"残疾人证持证人员{ext[kind('xlsx')]}", kind("xlsx"), messy, [
        ("姓名", "姓名", c.text_cells(certs["姓名"])), ("证件号码", "残疾人证号", c.text_cells(certs["证件号码"])),
        ("残疾类别", "残疾类别", c.text_cells(certs["残疾类别"])), ("残疾等级", "残疾等级", c.text_cells(certs["残疾等级"])),
        ("证件状态", "持证状态", c.text_cells(certs["证件状态"]))], title=f"{county}残疾人证持证人员名单")
    pension = f.pension
    _write(drop / "pension" / f"{as_of_year}年城乡居民养老保险参保名单{ext[kind('xlsx')]}", kind("xlsx"), messy, [
        ("姓名", "姓名", c.text_cells(pension["姓名"])), ("证件号码", "公民身份号码", c.text_cells(pension["证件号码"])),
        ("险种", "参保险种", c.text_cells(pension["险种"])), ("参保状态", "参保状态", c.text_cells(pension["参保状态"])),
        ("参保年度", "年度", pension["参保年度"].astype("int64").astype(object))], title=f"{county}{as_of_year}年养老保险参保名单")


def _write(path, kind: str, messy: bool, columns: list, title: str = "") -> None:
    header = [alias if messy else canonical for canonical, alias, _ in columns]
    frame = pd.DataFrame({i: values.to_numpy() for i, (_, _, values) in enumerate(columns)})
    write_table(path, kind, Table(header, frame, title=[title] if messy and title else []))
