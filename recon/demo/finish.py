"""The last step before writing: household fields onto member rows, the
recorded 人数 of each source (its own row count, unless a plant says
otherwise) and incomes that add up for that 人数."""
from __future__ import annotations

import numpy as np
import pandas as pd

from recon.demo.county import County
from recon.demo.sectors import Frames

HOUSEHOLD_FIELDS = ["户类型", "监测对象类别", "风险是否消除", "纳入监测时间", "风险消除时间", "首次帮扶时间",
                    "最近回访时间", "住房安全", "饮水安全", "致贫原因", "致贫原因2", "户联系电话"]
INCOME = ["工资性收入", "生产经营性收入", "财产性收入", "转移性收入", "生产经营性支出", "家庭纯收入", "人均纯收入"]


def incomes(hh: pd.DataFrame, size: pd.Series, per_capita: pd.Series, wage_delta: pd.Series,
            net_delta: pd.Series) -> pd.DataFrame:
    """The seven income columns for households whose 人均纯收入 is per_capita
    and whose recorded 人数 is size: the parts add up to 家庭纯收入 to the cent."""
    net = (per_capita * size).round(2)
    parts = {name: (net * hh[share]).round(2) for name, share in
             (("生产经营性收入", "share_business"), ("财产性收入", "share_property"),
              ("转移性收入", "share_transfer"), ("生产经营性支出", "share_expense"))}
    wage = (net - parts["生产经营性收入"] - parts["财产性收入"] - parts["转移性收入"] + parts["生产经营性支出"]).round(2)
    return pd.DataFrame({"工资性收入": wage + wage_delta, **parts, "家庭纯收入": net + net_delta,
                         "人均纯收入": per_capita}, index=hh.index)[INCOME]


def finish(county: County, f: Frames) -> Frames:
    hh = county.households
    system = f.system.sort_values(["户编号", "_order"], kind="stable").reset_index(drop=True)
    size = system.groupby("hh").size().reindex(hh.index, fill_value=0) + hh["sys_size_offset"]
    fields = hh[HOUSEHOLD_FIELDS].copy()
    for risk in ("致贫原因", "致贫原因2"):
        fields[risk] = fields[risk].where(hh["户类型"] != "一般农户", "")
    money = incomes(hh, size, hh["人均纯收入"], hh["wage_sys"], hh["net_sys"])
    money["人均纯收入"] = money["人均纯收入"].mask(hh["pc_unknown"])
    system = system.join(fields.assign(人数=size).join(money), on="hh")
    system["县"] = county.name
    system["人编号"] = system["户编号"] + (system.groupby("户编号").cumcount() + 1).astype(str).str.zfill(2)

    ledger = f.ledger.sort_values(["户编号", "_order"], kind="stable").reset_index(drop=True)
    by_number = pd.Series(hh.index, index=hh["户编号"])
    ledger["hh"] = by_number.loc[ledger["户编号"]].to_numpy()   # the ledger household (moved rows follow it)
    led_size = ledger.groupby("hh").size().reindex(hh.index, fill_value=0) + hh["led_size_offset"]
    led_fields = hh[["户类型", "监测对象类别", "风险是否消除"]].copy()
    led_fields["户类型"] = hh["led_type"].where(hh["led_type"] != "", hh["户类型"])
    flip = hh["led_flip_eliminated"]
    led_fields.loc[flip, "风险是否消除"] = ~hh.loc[flip, "风险是否消除"].astype(bool)
    led_money = incomes(hh, led_size, hh["人均纯收入"] + hh["pc_led"], hh["wage_led"], hh["net_led"])
    ledger = ledger.join(led_fields.assign(人数=led_size).join(led_money), on="hh")
    ledger["县"] = county.name
    heads = ledger[ledger["与户主关系"] == "户主"].groupby("hh")["证件号码"].first()
    original = f.ledger[f.ledger["pid"].isin(county.persons.loc[county.persons["member_no"] == 0, "pid"])]
    fallback = original.groupby("hh")["证件号码"].first()
    ledger["户主证件号码"] = ledger["hh"].map(heads).fillna(ledger["hh"].map(fallback)).fillna("")
    return Frames(system, ledger, f.education, f.medical, f.housing.reset_index(drop=True),
                  f.water.reset_index(drop=True), f.hukou, f.civil, f.disability, f.pension)


def household_classes(county: County, threshold: float) -> pd.DataFrame:
    """RULES.md §Household class of every registered household, from the plants."""
    hh = county.households
    registered = hh[hh["户类型"].isin(["脱贫户", "监测户"])]
    low = registered["pc_unknown"] | (registered["人均纯收入"] < threshold)
    gaps = pd.DataFrame({"收入": low, "住房": registered["hou01"], "饮水": registered["wat01"],
                         "教育": registered["edu01"], "医疗": registered["med01"]})
    text = pd.Series("", index=registered.index)
    for name in gaps.columns:
        text = text + np.where(gaps[name], name + ";", "")
    klass = np.select([low, gaps[["住房", "饮水", "教育", "医疗"]].any(axis=1)], ["C", "B"], "A")
    return pd.DataFrame({"户编号": registered["户编号"], "class": klass, "gaps": text.str.rstrip(";")})
