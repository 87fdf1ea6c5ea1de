"""Bureau verification lists (三单制, RULES.md §Lifecycle and lists, CONTRACT.md §4):
OUT/bureaus/<县>_<部门>_核查清单_<as-of>.xlsx, one per sector bureau whose data
a finding rests on — its `source` names the bureau's folder (education in
"system|education"). Each holds every such finding of the county (and those
resolved on this run, on 已销号), with the bureau's own record of it beside
it (部门文件, 部门行号) and blank 核查结果, 核查人, 核查日期, 核实说明.
Written by recon.lists' one writer, so colours, masking, formula safety and
print set-up are the township lists'.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from recon.labels import BUREAUS
from recon.lists import BUREAU_LIST, CATEGORIES, display_frame, list_note, write_lists
from recon.settings import Settings
from recon.sources import DATA_SOURCES, SOURCES

RECORD_COLUMNS = ["bureau_file", "bureau_row"]
# Sources whose row is a household's record (a dwelling, a water supply), not a
# person's: a finding also finds its record by household — the row's 户编号, or
# the system household of the member whose 证件号码 it carries.
HOUSEHOLD_RECORDS = ("housing", "water")


def bureaus() -> dict[str, str]:
    """Source folder → bureau, for every declared data source of a sector
    bureau (BUREAUS, else the declaration's `bureau:`), in source order."""
    return {name: BUREAUS.get(name) or SOURCES[name].bureau for name in DATA_SOURCES
            if name in BUREAUS or SOURCES[name].bureau}


def names_source(sources: pd.Series, name: str) -> pd.Series:
    """Whether each finding's `source` ("system|medical") names the folder `name` as one of its parts."""
    text = "|" + sources.astype("string").fillna("").str.replace(" ", "", regex=False) + "|"
    return text.str.contains(f"|{name}|", regex=False).fillna(False).astype(bool)


def _text(frame: pd.DataFrame, column: str) -> pd.Series:
    if column not in frame.columns:
        return pd.Series("", index=frame.index, dtype="string")
    return frame[column].astype("string").fillna("").str.strip()


def _rows(frame: pd.DataFrame, column: str) -> pd.Series:
    return pd.to_numeric(frame[column], errors="coerce").astype("Int64").astype("string").fillna("") \
        if column in frame.columns else pd.Series("", index=frame.index, dtype="string")


def _first(keys: pd.Series, wanted: pd.Series) -> np.ndarray:
    """Position in `keys` of the first row holding each wanted key, -1 when none (or the key is empty)."""
    known = (keys != "").to_numpy(bool)
    index = pd.Index(keys.to_numpy(dtype=object)[known])
    positions = np.flatnonzero(known)
    if not len(positions):
        return np.full(len(wanted), -1, dtype=np.int64)
    first = ~index.duplicated()
    at = index[first].get_indexer(wanted.to_numpy(dtype=object))
    return np.where(at >= 0, positions[first][np.maximum(at, 0)], -1)


def _households(records: pd.DataFrame, system: pd.DataFrame | None) -> pd.Series:
    """The household each record is about: its 户编号, else the system
    household holding its 证件号码 (a member's: water rows carry any member's)."""
    own = _text(records, "户编号")
    if system is None or system.empty or "证件号码" not in system.columns or "户编号" not in system.columns:
        return own
    at = _first(_text(system, "证件号码"), _text(records, "证件号码"))
    member_of = np.where(at >= 0, _text(system, "户编号").to_numpy(dtype=object)[np.maximum(at, 0)], "")
    return own.where(own != "", pd.Series(member_of, index=records.index, dtype="string"))


def bureau_records(findings: pd.DataFrame, records: pd.DataFrame | None, source: str = "",
                   system: pd.DataFrame | None = None) -> pd.DataFrame:
    """The bureau's own record of each finding, as bureau_file / bureau_row
    (its `_file` and `_row`): the finding's own row when that is a row of the
    bureau's (and of the same person), else the bureau's first row of the
    finding's 证件号码; for HOUSEHOLD_RECORDS sources then the first row of its
    household (`system`: the system core frame, linking members' IDs to
    households), and for sources with village rows (water) its village's row;
    blank when the bureau holds none (MED01: no insurance record)."""
    file = pd.Series(pd.NA, index=findings.index, dtype="string")
    row = pd.Series(pd.NA, index=findings.index, dtype="Int64")
    if records is None or records.empty or findings.empty:
        return pd.DataFrame({"bureau_file": file, "bureau_row": row})
    record_file, record_row, record_id = _text(records, "_file"), _rows(records, "_row"), _text(records, "证件号码")
    finding_id = _text(findings, "id_number")
    own = _first(record_file + "\x00" + record_row, _text(findings, "file") + "\x00" + _rows(findings, "row"))
    same_person = (finding_id.to_numpy(dtype=object) == "") | (
        record_id.to_numpy(dtype=object)[np.maximum(own, 0)] == finding_id.to_numpy(dtype=object))
    position = np.where((own >= 0) & same_person, own, -1)
    by_id = _first(record_id, finding_id)
    position = np.where(position >= 0, position, by_id)
    if source in HOUSEHOLD_RECORDS:
        by_household = _first(_households(records, system), _text(findings, "household_id"))
        position = np.where(position >= 0, position, by_household)
    if source in SOURCES and SOURCES[source].village_rows:
        village_row = (record_id == "") & (_text(records, "户编号") == "")
        place = _text(records, "乡镇") + "\x00" + _text(records, "行政村")
        by_village = _first(place.where(village_row, ""), _text(findings, "township") + "\x00" + _text(findings, "village"))
        position = np.where(position >= 0, position, by_village)
    found = position >= 0
    file[found] = record_file.to_numpy(dtype=object)[position[found]]
    row[found] = pd.to_numeric(records["_row"], errors="coerce").to_numpy()[position[found]]
    return pd.DataFrame({"bureau_file": file, "bureau_row": row})


def with_records(findings: pd.DataFrame, records: pd.DataFrame | None, source: str,
                 system: pd.DataFrame | None) -> pd.DataFrame:
    return findings.drop(columns=RECORD_COLUMNS, errors="ignore").join(
        bureau_records(findings, records, source, system))


def write_bureau_lists(current: pd.DataFrame, resolved: pd.DataFrame, out_dir: Path, county: str, as_of: dt.date,
                       settings: Settings, records: Mapping[str, pd.DataFrame | None],
                       categories: tuple[str, ...] = CATEGORIES) -> list[Path]:
    """Write OUT/bureaus/<县>_<部门>_核查清单_<as-of>.xlsx for every bureau
    (bureaus()) that a current or resolved finding's source names; `records`:
    the core frames by source folder, the bureaus' and the system's (absent
    or None: no records to show beside the findings). Returns the paths written."""
    tables = {}
    for name, bureau in bureaus().items():
        mine = current[names_source(current["source"], name)] if "source" in current.columns else current.iloc[:0]
        done = resolved[names_source(resolved["source"], name)] if "source" in resolved.columns else resolved.iloc[:0]
        if mine.empty and done.empty:
            continue
        frame, system = records.get(name), records.get("system")
        tables[bureau] = (display_frame(with_records(mine, frame, name, system), as_of, settings, categories,
                                        BUREAU_LIST),
                          display_frame(with_records(done, frame, name, system).assign(status="resolved"), as_of,
                                        settings, categories, BUREAU_LIST))
    return write_lists(BUREAU_LIST, tables, out_dir, county, as_of, list_note(as_of, settings, BUREAU_LIST),
                       categories)
