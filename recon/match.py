"""Linking system and ledger into households (CONTRACT.md §3, docs/internals.md
§Matching).

A person is the normalised 证件号码 (valid IDs only link). A household is the
system's 户编号. A ledger household is its own 户编号, else its 户主's ID from
户主证件号码, else the run of rows that starts at a 户主 row (row order within
one file/sheet); it maps to the system household holding its head's ID, else
the one holding most of its members — by people, never by the ledger's
户编号 string, which villages number their own way.

Every link is also kept as an integer code (`_person`, `_household`,
`_ledger_household`; -1 where none) and `people` is the one person ↔ household
table: the identity rules join on integers and array positions, not on
18-character strings.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from recon.household_kinds import kinds

# Fields that repeat on member rows and are read from the 户主's row (RULES.md §Terms).
HOUSEHOLD_FIELDS = (
    "人数", "户类型", "监测对象类别", "风险是否消除", "纳入监测时间", "风险消除时间", "首次帮扶时间",
    "最近回访时间", "工资性收入", "生产经营性收入", "财产性收入", "转移性收入", "生产经营性支出",
    "家庭纯收入", "人均纯收入", "住房安全", "饮水安全", "致贫原因", "致贫原因2", "致贫原因3", "致贫原因4", "致贫原因5",
    "户联系电话", "户联系电话_ok",
)
PLACE = {"县": "county", "乡镇": "township", "行政村": "village"}
NONE = -1


@dataclass
class Matched:
    system: pd.DataFrame             # + household_id (the 户编号), _household, _person
    ledger: pd.DataFrame             # + ledger_household, household_id (mapped system household, NA when none),
                                     #   _ledger_household, _household, _person
    households: pd.DataFrame         # one row per system household; row i is _household code i
    ledger_households: pd.DataFrame  # one row per ledger household (row i: _ledger_household i), mapped household_id
                                     #   and its code _household
    people: pd.DataFrame             # one row per person (row i: _person code i), see link_people

    def links(self) -> "Links":
        return Links(self.system[list(LINK_COLUMNS["system"])], self.ledger[list(LINK_COLUMNS["ledger"])])


# What match adds to each row of system and ledger.
LINK_COLUMNS = {"system": ("household_id", "_household", "_person"),
                "ledger": ("ledger_household", "household_id", "_ledger_household", "_household", "_person")}


@dataclass
class Links:
    """The columns match adds to the rows of system and ledger (LINK_COLUMNS),
    kept apart from the core frames so that the matched tables are assets of
    their own; `attach` puts them back on the core frames (no copy of the rows)."""
    system: pd.DataFrame
    ledger: pd.DataFrame

    def attach(self, system: pd.DataFrame, ledger: pd.DataFrame, households: pd.DataFrame,
               ledger_households: pd.DataFrame, people: pd.DataFrame) -> Matched:
        system = system.copy(deep=False)
        ledger = ledger.copy(deep=False)
        for column in LINK_COLUMNS["system"]:
            system[column] = self.system[column].to_numpy()
        for column in LINK_COLUMNS["ledger"]:
            ledger[column] = self.ledger[column].to_numpy()
        return Matched(system, ledger, households, ledger_households, people)


def is_head(frame: pd.DataFrame) -> pd.Series:
    if "与户主关系" not in frame.columns:
        return pd.Series(False, index=frame.index)
    return frame["与户主关系"].eq("户主").fillna(False).astype(bool)


def coalesce(first: pd.Series, *rest: pd.Series) -> pd.Series:
    """The text of `first`, each NA filled from `rest` in turn (same length,
    positions aligned) — Arrow's coalesce: pandas' fillna on Arrow text goes
    through a Python-level conversion that costs ten times more."""
    arrays = [pa.array(values.astype("string").array) for values in (first, *rest)]
    return pd.Series(pd.arrays.ArrowStringArray(pc.coalesce(*arrays)), index=first.index)


def _known(values: pd.Series) -> pd.Series:
    text = values.astype("string").str.strip()
    return text.mask(text == "")


def _valid_ids(frame: pd.DataFrame) -> pd.Series:
    """证件号码 where valid, NA elsewhere (only valid IDs link people)."""
    return frame["证件号码"].astype("string").where(frame["_id_valid"].astype(bool))


def first_rows(codes: np.ndarray, size: int, rows: np.ndarray | None = None) -> np.ndarray:
    """For each code 0..size-1, the position of its first row (among `rows`, all
    by default), NONE when it has none."""
    rows = np.flatnonzero(codes >= 0) if rows is None else rows[codes[rows] >= 0]
    unset = np.iinfo(np.int64).max
    out = np.full(size, unset, dtype=np.int64)
    np.minimum.at(out, codes[rows], rows)  # unbuffered: one pass, no sort
    out[out == unset] = NONE
    return out


def per_household(frame: pd.DataFrame, codes: np.ndarray, keys: pd.Index, by: str) -> pd.DataFrame:
    """One row per key (row i = code i): place, head, counts and the household
    fields read from the head row, else the household's first row."""
    head = is_head(frame).to_numpy(bool)
    linked = codes >= 0
    first_head = first_rows(codes, len(keys), np.flatnonzero(head))
    row = np.where(first_head != NONE, first_head, first_rows(codes, len(keys)))
    has_head = first_head != NONE

    def taken(column: str) -> pd.api.extensions.ExtensionArray | np.ndarray:
        if column not in frame.columns:
            return pd.array([pd.NA] * len(keys), dtype="string")
        return frame[column].array.take(row)   # built from arrays: no frame copies

    out = {by: pd.array(keys, dtype="string"), **{name: taken(column) for column, name in PLACE.items()},
           "head_id": pd.Series(taken("证件号码"), dtype="string").where(has_head).array,
           "head_name": pd.Series(taken("姓名"), dtype="string").where(has_head).array,
           "member_rows": pd.array(np.bincount(codes[linked], minlength=len(keys)), dtype="Int64"),
           "head_count": pd.array(np.bincount(codes[linked & head], minlength=len(keys)), dtype="Int64")}
    out.update({column: taken(column) for column in HOUSEHOLD_FIELDS if column in frame.columns})
    households = pd.DataFrame(out, index=pd.RangeIndex(len(keys)))
    # monitored / 脱贫户 / registered from the household's own 户类型 and 监测对象类别 (recon.household_kinds).
    return pd.concat([households, kinds(households)], axis=1)


def ledger_households_of(ledger: pd.DataFrame) -> pd.Series:
    """Each ledger row's own household: 户编号, else 户主证件号码, else the head
    row it follows in its file/sheet (NA for rows before the first head)."""
    own = _known(ledger["户编号"]) if "户编号" in ledger.columns else pd.Series(pd.NA, index=ledger.index, dtype="string")
    if "户主证件号码" in ledger.columns:
        own = coalesce(own, _known(ledger["户主证件号码"]))
    if not own.isna().any():
        return own.astype("string")
    return coalesce(own, _run_keys(ledger))


def _run_keys(ledger: pd.DataFrame) -> pd.Series:
    """Per row, the key of the head row it follows in its file/sheet: the
    head's ID (as read) or, when that is empty, its file and row. Integer
    work: sheets as codes, rows in (sheet, row) order, the last head so far."""
    n = len(ledger)
    head = is_head(ledger).to_numpy(bool)
    path, sheet = pd.factorize(ledger["_path"])[0], pd.factorize(ledger["_sheet"])[0]
    sheet_of_file = pd.factorize(path.astype(np.int64) * (int(sheet.max()) + 2) + sheet)[0]
    order = np.lexsort((ledger["_row"].to_numpy(np.int64), sheet_of_file))
    position = np.arange(n)
    starts = np.r_[True, sheet_of_file[order][1:] != sheet_of_file[order][:-1]]
    sheet_start = np.maximum.accumulate(np.where(starts, position, 0))
    last_head = np.maximum.accumulate(np.where(head[order], position, -1))
    follows = last_head >= sheet_start
    heads = ledger.loc[head, ["证件号码", "_file", "_row"]]
    head_key = coalesce(_known(heads["证件号码"]), heads["_file"].astype("string") + ":" + heads["_row"].astype("string"))
    governing = np.searchsorted(np.flatnonzero(head), order[last_head[follows]])
    taken = np.full(n, -1)
    taken[order[follows]] = governing
    return pd.Series(head_key.array.take(taken, allow_fill=True), index=ledger.index)


def map_ledger(ledger_household: np.ndarray, head: np.ndarray, person_household: np.ndarray, size: int) -> np.ndarray:
    """ledger household code → system household code: the household of its
    first head row whose ID is in the system, else the one holding most of its
    members (ties: the smallest 户编号 — codes are in 户编号 order)."""
    household = person_household
    rows = np.flatnonzero((ledger_household >= 0) & (household >= 0))
    by_head = np.full(size, NONE, dtype=np.int64)
    heads = rows[head[rows]]
    found, first = np.unique(ledger_household[heads], return_index=True)
    by_head[found] = household[heads[first]]
    # Votes: distinct (ledger, household) pairs and their counts; per ledger household the most, then the smallest.
    width = int(household.max()) + 1 if len(household) else 1
    pairs, votes = np.unique(ledger_household[rows] * width + household[rows], return_counts=True)
    ledger, voted = pairs // width, pairs % width
    best = np.lexsort((voted, -votes, ledger))
    first = best[np.r_[True, ledger[best][1:] != ledger[best][:-1]]] if len(best) else best
    by_members = np.full(size, NONE, dtype=np.int64)
    by_members[ledger[first]] = voted[first]
    return np.where(by_head != NONE, by_head, by_members)


def link_people(system_person: np.ndarray, ledger_person: np.ndarray, ids: pd.Index,
                system_household: np.ndarray, ledger_household: np.ndarray) -> pd.DataFrame:
    """One row per person (valid ID on either side): id_number, the position of
    their first system and ledger row (NONE when absent), the system household
    of that system row (`household`) and the one that ledger row maps to
    (`ledger_household`: the mapped system household code)."""
    system_row = first_rows(system_person, len(ids))
    ledger_row = first_rows(ledger_person, len(ids))
    return pd.DataFrame({
        "id_number": pd.Series(ids, dtype="string"),
        "system_row": system_row,
        "ledger_row": ledger_row,
        "household": at(system_household, system_row),
        "ledger_household": at(ledger_household, ledger_row),
    })


def at(values: np.ndarray, positions: np.ndarray, missing=NONE) -> np.ndarray:
    """values[position] per position (codes, flags, counts), `missing` where
    the position is NONE."""
    if not len(values):
        return np.full(len(positions), missing)
    return np.where(positions != NONE, values[positions], missing)


def codes_of(values: pd.Series, sort: bool = True) -> tuple[np.ndarray, pd.Index]:
    """Factorisation, NA → NONE; sorted: code order is the values' order."""
    codes, keys = pd.factorize(values, sort=sort)
    return codes.astype(np.int64), pd.Index(keys)


def match(system: pd.DataFrame, ledger: pd.DataFrame) -> Matched:
    # Shallow copies: match only adds columns, the caller's frames stay as they were.
    system, ledger = system.copy(deep=False), ledger.copy(deep=False)
    system["household_id"] = (_known(system["户编号"]) if "户编号" in system.columns
                              else pd.Series(pd.NA, index=system.index, dtype="string"))
    system_household, household_keys = codes_of(system["household_id"])
    # One code per person over both sources.
    person_codes, ids = codes_of(pd.concat([_valid_ids(system), _valid_ids(ledger)], ignore_index=True), sort=False)
    system_person, ledger_person = person_codes[:len(system)], person_codes[len(system):]
    # A person on rows of several households (ID02) links to the first one.
    first_system_row = first_rows(system_person, len(ids))
    person_household = at(system_household, first_system_row)

    ledger["ledger_household"] = ledger_households_of(ledger)
    ledger_household, ledger_keys = codes_of(ledger["ledger_household"])
    by_row = at(person_household, ledger_person)
    mapping = map_ledger(ledger_household, is_head(ledger).to_numpy(bool), by_row, len(ledger_keys))
    ledger_mapped = at(mapping, ledger_household)

    household_ids = pd.Series(household_keys, dtype="string")
    system["_household"], system["_person"] = system_household, system_person
    ledger["_ledger_household"], ledger["_household"], ledger["_person"] = ledger_household, ledger_mapped, ledger_person
    ledger["household_id"] = labels(household_ids, ledger_mapped, ledger.index)

    households = per_household(system, system_household, household_keys, "household_id")
    ledger_households = per_household(ledger, ledger_household, ledger_keys, "ledger_household")
    ledger_households.insert(1, "household_id", labels(household_ids, mapping, ledger_households.index))
    ledger_households["_household"] = mapping   # the same, as the system household code
    people = link_people(system_person, ledger_person, ids, system_household, ledger_mapped)
    return Matched(system, ledger, households, ledger_households, people)


def labels(keys: pd.Series, codes: np.ndarray, index: pd.Index) -> pd.Series:
    """keys[code] per code (NA for NONE), as strings on `index`."""
    taken = keys.take(np.where(codes != NONE, codes, 0)) if len(keys) else pd.Series(pd.NA, index=range(len(codes)))
    return pd.Series(taken.astype("string").array, index=index).where(codes != NONE)
