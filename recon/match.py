"""Linking system and ledger into households (CONTRACT.md §3, docs/internals.md
§Matching).

A person is the normalised 证件号码 (valid IDs only link). A household is the
system's 户编号. A ledger household is its own 户编号, else its 户主's ID from
户主证件号码, else the run of rows that starts at a 户主 row (row order within
one file/sheet); it maps to the system household holding its head's ID, else
the one holding most of its members — by people, never by the ledger's
户编号 string, which villages number their own way.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

REGISTERED_TYPES = ("脱贫户", "监测户")
# Fields that repeat on member rows and are read from the 户主's row (RULES.md §Terms).
HOUSEHOLD_FIELDS = (
    "人数", "户类型", "监测对象类别", "风险是否消除", "纳入监测时间", "风险消除时间", "首次帮扶时间",
    "最近回访时间", "工资性收入", "生产经营性收入", "财产性收入", "转移性收入", "生产经营性支出",
    "家庭纯收入", "人均纯收入", "住房安全", "饮水安全",
)
PLACE = {"县": "county", "乡镇": "township", "行政村": "village"}


@dataclass
class Matched:
    system: pd.DataFrame             # + household_id (the 户编号)
    ledger: pd.DataFrame             # + ledger_household, household_id (mapped system household, NA when none)
    households: pd.DataFrame         # one row per system household
    ledger_households: pd.DataFrame  # one row per ledger household, with its mapped household_id


def is_head(frame: pd.DataFrame) -> pd.Series:
    if "与户主关系" not in frame.columns:
        return pd.Series(False, index=frame.index)
    return frame["与户主关系"].eq("户主").fillna(False).astype(bool)


def _known(values: pd.Series) -> pd.Series:
    text = values.astype("string").str.strip()
    return text.mask(text == "")


def _valid_ids(frame: pd.DataFrame) -> pd.Series:
    """证件号码 where valid, NA elsewhere (only valid IDs link people)."""
    return frame["证件号码"].astype("string").where(frame["_id_valid"].astype(bool))


def per_household(frame: pd.DataFrame, by: str) -> pd.DataFrame:
    """One row per value of `by`: place, head, counts and the household fields
    read from the head row, else the household's first row."""
    # Order on the three keys alone, then take the few columns needed: sorting the wide frame is the cost.
    rows = pd.DataFrame({by: frame[by], "_head": is_head(frame), "_order": np.arange(len(frame))},
                        index=frame.index).dropna(subset=[by])
    order = rows.sort_values([by, "_head", "_order"], ascending=[True, False, True]).drop_duplicates(by)
    counts = rows.groupby(by, sort=False).agg(member_rows=("_order", "size"), head_count=("_head", "sum"))
    fields = [c for c in HOUSEHOLD_FIELDS if c in frame.columns]
    taken = [by] + [c for c in PLACE if c in frame.columns] + fields + [c for c in ("证件号码", "姓名") if c in frame.columns]
    first = frame[list(dict.fromkeys(taken))].iloc[order["_order"].to_numpy()].set_axis(order.index)
    first["_head"] = order["_head"]
    out = first[[by] + [c for c in PLACE if c in frame.columns] + fields].rename(columns=PLACE)
    for column in PLACE.values():
        if column not in out.columns:
            out[column] = pd.Series(pd.NA, index=out.index, dtype="string")
    out["head_id"] = first["证件号码"].astype("string").where(first["_head"])
    out["head_name"] = first["姓名"].astype("string").where(first["_head"]) if "姓名" in first else pd.NA
    types = out["户类型"] if "户类型" in out.columns else pd.Series(pd.NA, index=out.index, dtype="string")
    out["registered"] = types.isin(REGISTERED_TYPES).fillna(False).astype(bool)
    out = out.join(counts, on=by)
    out["member_rows"] = out["member_rows"].astype("Int64")
    out["head_count"] = out["head_count"].astype("Int64")
    lead = [by, "county", "township", "village", "head_id", "head_name", "registered", "member_rows", "head_count"]
    return out[lead + fields].reset_index(drop=True)


def ledger_households_of(ledger: pd.DataFrame) -> pd.Series:
    """Each ledger row's own household: 户编号, else 户主证件号码, else the head
    row it follows in its file/sheet (NA for rows before the first head)."""
    own = _known(ledger["户编号"]) if "户编号" in ledger.columns else pd.Series(pd.NA, index=ledger.index, dtype="string")
    if "户主证件号码" in ledger.columns:
        own = own.fillna(_known(ledger["户主证件号码"]))
    head = is_head(ledger)
    ordered = (ledger[["_path", "_sheet", "_row", "_file", "证件号码"]].assign(_head=head)
               .sort_values(["_path", "_sheet", "_row"], kind="stable"))
    run = ordered.groupby(["_path", "_sheet"], sort=False)["_head"].cumsum()
    # The run's key is the head's ID (as read) or, when that is empty, its file and row.
    heads = ordered[ordered["_head"].to_numpy(bool)]
    head_key = _known(heads["证件号码"]).fillna(heads["_file"].astype("string") + ":" + heads["_row"].astype("string"))
    run_key = pd.Series(pd.NA, index=ordered.index, dtype="string")
    run_key[ordered["_head"].to_numpy(bool)] = head_key.to_numpy()
    run_key = run_key.groupby([ordered["_path"], ordered["_sheet"]], sort=False).ffill()
    run_key = run_key.where(run > 0)
    return own.fillna(run_key.reindex(ledger.index)).astype("string")


def map_ledger(ledger: pd.DataFrame, person_household: pd.Series) -> pd.Series:
    """ledger_household → system household_id: the head's, else most members'."""
    rows = pd.DataFrame({
        "ledger_household": ledger["ledger_household"],
        "head": is_head(ledger),
        "household_id": _valid_ids(ledger).map(person_household),
        "_order": range(len(ledger)),
    }).dropna(subset=["ledger_household", "household_id"])
    by_head = (rows[rows["head"]].sort_values("_order")
               .drop_duplicates("ledger_household").set_index("ledger_household")["household_id"])
    votes = rows.groupby(["ledger_household", "household_id"], sort=False).size().rename("n").reset_index()
    by_members = (votes.sort_values(["n", "household_id"], ascending=[False, True])
                  .drop_duplicates("ledger_household").set_index("ledger_household")["household_id"])
    return by_head.combine_first(by_members).astype("string")


def match(system: pd.DataFrame, ledger: pd.DataFrame) -> Matched:
    system = system.copy()
    system["household_id"] = _known(system["户编号"]) if "户编号" in system.columns else pd.NA
    system["household_id"] = system["household_id"].astype("string")
    ids = _valid_ids(system)
    # A person on rows of several households (ID02) links to the first one.
    person_household = (pd.DataFrame({"id": ids, "household_id": system["household_id"]})
                        .dropna().drop_duplicates("id").set_index("id")["household_id"])

    ledger = ledger.copy()
    ledger["ledger_household"] = ledger_households_of(ledger)
    mapping = map_ledger(ledger, person_household)
    ledger["household_id"] = ledger["ledger_household"].map(mapping).astype("string")

    households = per_household(system, "household_id")
    ledger_households = per_household(ledger, "ledger_household")
    ledger_households.insert(1, "household_id", ledger_households["ledger_household"].map(mapping).astype("string"))
    return Matched(system, ledger, households, ledger_households)
