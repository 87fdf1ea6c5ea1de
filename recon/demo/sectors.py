"""Clean rows of every source for the demo county: system and ledger member
rows, and the sector bureaus' rows (education, medical, housing, water,
hukou) for everybody who should have them, so that the clean county fires no
rule. Built vectorised from recon.demo.county frames."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from recon.demo.county import County, full_years, school_cutoff

GRADES = ["一年级", "二年级", "三年级", "四年级", "五年级", "六年级"]


@dataclass
class Frames:
    system: pd.DataFrame
    ledger: pd.DataFrame
    education: pd.DataFrame
    medical: pd.DataFrame
    housing: pd.DataFrame
    water: pd.DataFrame
    hukou: pd.DataFrame
    civil: pd.DataFrame | None = None          # recon/demo/assistance.py
    disability: pd.DataFrame | None = None
    pension: pd.DataFrame | None = None


def school_status(county: County, rng: np.random.Generator) -> pd.DataFrame:
    """在校生情况 and the 学段 of an 在读 record ("" = no record), by age at the
    school-year cutoff; persons[school_override] forces the near-miss cases."""
    persons = county.persons
    age = full_years(persons["出生日期"], school_cutoff(county.as_of))
    draw = rng.random(len(persons))
    studies_high = draw < 0.6
    studies_college = draw < 0.3
    stage = np.select(
        [age < 6, age <= 11, age <= 14, age == 15, (age <= 17) & studies_high, (age <= 21) & studies_college],
        ["学前", "小学", "初中", "高中", "高中", "本科及以上"], "")
    forced = persons["school_override"].isin(["none", "graduated_junior"])
    stage = np.where(forced, "", stage)
    grade_no = np.clip(age - 6, 0, 5)
    status = np.select(
        [stage == "学前", stage == "小学", stage == "初中", stage == "高中", stage == "本科及以上"],
        ["学龄前儿童", np.char.add("小学", np.array(GRADES)[grade_no]), "初中", "高中", "本科"], "非在校生")
    record = np.where(stage == "学前", "", stage)
    return pd.DataFrame({"age_cutoff": age, "在校生情况": status, "record_stage": record}, index=persons.index)


def build(county: County, rng: np.random.Generator) -> Frames:
    persons, hh = county.persons, county.households
    school = school_status(county, rng)
    system = persons.join(hh[["township", "village", "village_no"]], on="hh")
    system["在校生情况"] = school["在校生情况"]
    system.loc[persons["school_override"] == "graduated_junior", "在校生情况"] = "非在校生"
    age_now = full_years(persons["出生日期"], pd.Timestamp(county.as_of))
    system["健康状况"] = np.where(rng.random(len(persons)) < 0.12,
                              rng.choice(["长期慢性病", "残疾", "患有大病", "残疾,长期慢性病"], size=len(persons)), "健康")
    system["劳动技能"] = np.select([age_now < 16, age_now >= 65], ["无劳动力", "弱劳动力或半劳动力"], "普通劳动力")
    system["是否参加城乡居民基本医疗保险"] = True
    system["是否参加城镇职工基本医疗保险"] = False
    # Set by recon.demo.plant_consistency.settle once the school plants are made (None: not yet).
    system["是否参加城乡居民基本养老保险"] = pd.Series(None, index=system.index, dtype=object)
    system["是否参加城镇职工基本养老保险"] = False
    system["_order"] = system["member_no"].astype(float)
    system["_mark"] = ""

    ledger = system[["pid", "hh", "township", "village", "户编号", "姓名", "证件号码", "与户主关系", "性别",
                     "出生日期", "_order", "_mark"]].copy()
    return Frames(system, ledger, _education(county, school, system), _medical(county, rng),
                  _housing(county, rng), _water(county), _hukou(county))


def _education(county: County, school: pd.DataFrame, system: pd.DataFrame) -> pd.DataFrame:
    persons = county.persons
    enrolled = school["record_stage"] != ""
    graduated = persons["school_override"] == "graduated_junior"
    rows = system.loc[enrolled | graduated, ["pid", "姓名", "证件号码", "township"]].copy()
    stage = school.loc[rows.index, "record_stage"].where(~graduated[rows.index], "初中")
    rows["学段"] = stage
    rows["学籍状态"] = np.where(graduated[rows.index], "毕业", "在读")
    age = school.loc[rows.index, "age_cutoff"]
    rows["年级"] = np.select([stage == "小学", stage == "初中"],
                           [np.array(GRADES)[np.clip(age - 6, 0, 5)], np.array(["七年级", "八年级", "九年级"])[np.clip(age - 12, 0, 2)]],
                           "")
    rows["学校名称"] = np.select(
        [stage == "小学", stage == "初中", stage == "高中"],
        [rows["township"] + "中心小学", rows["township"] + "中学", "青岩县第一中学"], "贵州大学")
    rows["资助项目"] = np.select([stage == "小学", stage == "初中", stage == "高中"],
                             ["营养改善计划", "两免一补", "国家助学金"], "雨露计划")
    rows["资助项目"] = rows["资助项目"].where(rows["学籍状态"] == "在读", "")
    return rows.drop(columns="township").reset_index(drop=True)


def _medical(county: County, rng: np.random.Generator) -> pd.DataFrame:
    persons, hh = county.persons, county.households
    monitored = (hh["户类型"] == "监测户").to_numpy()[persons["hh"]]
    registered = (hh["户类型"] != "一般农户").to_numpy()[persons["hh"]]
    return pd.DataFrame({
        "pid": persons["pid"], "姓名": persons["姓名"], "证件号码": persons["证件号码"],
        "参保年度": county.as_of.year,
        "参保状态": np.where(rng.random(len(persons)) < 0.8, "正常参保", "已参保"),
        "险种": "城乡居民基本医疗保险",
        "资助参保": np.where(monitored | (registered & (rng.random(len(persons)) < 0.7)), "是", "否"),
        "个人自付费用": np.round(rng.uniform(0, 800, size=len(persons)), 2),
    })


def _housing(county: County, rng: np.random.Generator) -> pd.DataFrame:
    hh, persons = county.households, county.persons
    heads = persons[persons["member_no"] == 0].set_index("hh")
    renovated = rng.random(len(hh)) < 0.08
    grade = np.where(renovated, "C级", rng.choice(["A级", "A", "一级", "B级", "二级", "B"], size=len(hh)))
    return pd.DataFrame({
        "hh": hh.index, "户编号": hh["户编号"], "township": hh["township"], "village": hh["village"],
        "姓名": heads.loc[hh.index, "姓名"].to_numpy(), "证件号码": heads.loc[hh.index, "证件号码"].to_numpy(),
        "鉴定等级": grade,
        "鉴定日期": pd.Timestamp("2021-03-01") + pd.to_timedelta(rng.integers(0, 1200, size=len(hh)), unit="D"),
        "纳入改造": np.where(renovated, "是", "否"),
        "竣工验收": np.where(renovated, "是", ""),
        "保障方式": np.where(renovated, "危房改造", ""),
    })


def _water(county: County) -> pd.DataFrame:
    """One safe row per village; household rows are added by the plants."""
    villages = county.villages
    return pd.DataFrame({
        "township": villages["township"], "village": villages["village"], "户编号": "", "证件号码": "",
        "姓名": "", "供水方式": np.where(villages["village_no"] % 3 == 0, "分散供水", "集中供水"),
        "水量达标": "是", "水质达标": "是", "用水方便达标": "是", "供水保证率达标": "是", "是否饮水安全": "是",
    })


def _hukou(county: County) -> pd.DataFrame:
    persons = county.persons
    return pd.DataFrame({"pid": persons["pid"], "姓名": persons["姓名"], "证件号码": persons["证件号码"],
                         "性别": persons["性别"], "户籍状态": "正常", "注销日期": pd.NaT})
