"""Returned township and bureau lists and the county's exemption register
(RULES.md §Lifecycle and lists, CONTRACT.md §2 feedback/ and exemptions/).
A bureau list (核查清单) answers in 核查结果 what a township list (整改清单)
answers in 整改情况, with the same two answers and the same meaning.

Reading only: what a claim means for a finding is decided by the registry
(recon.registry), which also knows which 问题编号 belong to the county.
Nothing here raises on a bad file: it becomes an input problem."""
from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pandas as pd

from recon.labels import CLAIMED_FIXED, VERIFIED
from recon.sources import SOURCES, header_key
from recon.ids import normalise_ids
from recon.problems import PATH, ROW, SHEET, concat, row_problems
from recon.read import read_table, source_files

# Headers of the lists written by recon.lists (the fill-in headers of TOWNSHIP_LIST, then BUREAU_LIST's).
FEEDBACK_COLUMNS = {
    "issue_id": ["问题编号"],
    "rule": ["规则"],
    "status_text": ["整改情况", "核查结果"],
    "responsible": ["整改责任人", "核查人"],
    "done_on": ["整改完成时间", "核查日期"],
    "reason": ["核实说明"],
}
CLAIM_COLUMNS = ["issue_id", "rule", "status_text", "reason", "file", "sheet", "row", "list_as_of"]
EXEMPTION_COLUMNS = ["rule", "id_number", "household_id", "reason", "approved_on"]
# <县>_<乡镇>_整改清单_<as-of>.xlsx or <县>_<部门>_核查清单_<as-of>.xlsx: the list's as-of date,
# also after a clerk's "(1)" or "_改".
_LIST_DATE = re.compile(r"(?:整改|核查)清单_(\d{4}-\d{2}-\d{2})")
_BUREAU_LIST = re.compile(r"核查清单")
_ISSUE_ID = re.compile(r"[0-9a-f]{16}")

NO_REASON = "整改情况填了“核实无误”，但核实说明为空：请写明理由，本行暂不作为豁免"
BAD_STATUS = "整改情况应填“已整改”或“核实无误”，本行已忽略"
# The same on a bureau list, whose answer column is 核查结果.
BUREAU_NO_REASON = NO_REASON.replace("整改情况", "核查结果")
BUREAU_BAD_STATUS = BAD_STATUS.replace("整改情况", "核查结果")
BAD_ISSUE_ID = "问题编号不是本系统生成的编号（可能被改动），本行已忽略"
NO_RULE = "规则为空，本行已忽略"
NO_PERSON = "证件号码和户编号都为空，不知道豁免的是谁，本行已忽略"
NO_EXEMPTION_REASON = "理由为空，本行已忽略（豁免须写明理由）"
BAD_DATE = "批准日期无法识别，已按空白处理"


def _aliases(columns: dict[str, list[str]]) -> dict[str, str]:
    return {header_key(alias): canonical for canonical, aliases in columns.items() for alias in aliases}


def _clean(values: pd.Series) -> pd.Series:
    return values.astype("string").fillna("").str.replace("\u3000", " ").str.strip()


def read_feedback(drop: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Claims of the returned lists in drop/feedback/, township and bureau
    lists alike: one row per finding row whose 整改情况 (核查结果) is filled
    in. Columns CLAIM_COLUMNS (file = path in the drop, list_as_of = the
    as-of date in the list's file name, NaT when absent). Rows with the
    answer empty are not claims; bad rows and foreign files are input problems."""
    drop = Path(drop)
    files, _notes = source_files(drop / "feedback")
    result = read_table(files, drop, _aliases(FEEDBACK_COLUMNS), ("issue_id",))
    frame = result.frame
    for column in FEEDBACK_COLUMNS:
        frame[column] = _clean(frame[column]) if column in frame.columns else ""
    filled = frame[frame["status_text"] != ""]
    is_claim = filled["status_text"].isin([CLAIMED_FIXED, VERIFIED])
    good_id = filled["issue_id"].str.fullmatch(_ISSUE_ID.pattern).fillna(False)
    no_reason = (filled["status_text"] == VERIFIED) & (filled["reason"] == "")
    bureau = filled[PATH].astype("string").str.contains(_BUREAU_LIST).fillna(False).astype(bool)
    found = [result.problems,
             row_problems(filled, ~is_claim & ~bureau, "整改情况", BAD_STATUS),
             row_problems(filled, ~is_claim & bureau, "核查结果", BUREAU_BAD_STATUS),
             row_problems(filled, is_claim & ~good_id, "问题编号", BAD_ISSUE_ID),
             row_problems(filled, is_claim & good_id & no_reason & ~bureau, "核实说明", NO_REASON),
             row_problems(filled, is_claim & good_id & no_reason & bureau, "核实说明", BUREAU_NO_REASON)]
    claims = filled[is_claim & good_id & ~no_reason]
    dates = claims[PATH].str.extract(_LIST_DATE, expand=False)
    out = pd.DataFrame({
        "issue_id": claims["issue_id"], "rule": claims["rule"], "status_text": claims["status_text"],
        "reason": claims["reason"].mask(claims["reason"] == ""), "file": claims[PATH], "sheet": claims[SHEET],
        "row": claims[ROW].astype("Int64"), "list_as_of": pd.to_datetime(dates, errors="coerce"),
    })
    out = out.astype({c: "string" for c in ["issue_id", "rule", "status_text", "reason", "file", "sheet"]})
    return out[CLAIM_COLUMNS].reset_index(drop=True), concat(found)


def read_exemptions(drop: Path, as_of: dt.date | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The exemption register in drop/exemptions/: columns EXEMPTION_COLUMNS
    (rule code, normalised 证件号码, 户编号, reason, approved_on as datetime64)."""
    drop = Path(drop)
    files, _notes = source_files(drop / "exemptions")
    register = SOURCES["exemptions"]
    result = read_table(files, drop, register.aliases(), register.key_columns, register.id_columns())
    frame = result.frame
    for column in ("规则", "证件号码", "户编号", "理由", "批准日期"):
        frame[column] = _clean(frame[column]) if column in frame.columns else ""
    flags = frame["_num_证件号码"] if "_num_证件号码" in frame.columns else None
    ids = normalise_ids(frame["证件号码"], as_of or dt.date.today(), flags)["id"]
    approved = _dates(frame["批准日期"])
    rule = frame["规则"].str.upper()
    no_rule = rule == ""
    no_person = ids.isna() & (frame["户编号"] == "")
    no_reason = frame["理由"] == ""
    keep = ~(no_rule | no_person | no_reason)
    found = [result.problems,
             row_problems(frame, no_rule, "规则", NO_RULE),
             row_problems(frame, ~no_rule & no_person, "证件号码", NO_PERSON),
             row_problems(frame, ~no_rule & ~no_person & no_reason, "理由", NO_EXEMPTION_REASON),
             row_problems(frame, keep & approved.isna() & (frame["批准日期"] != ""), "批准日期", BAD_DATE)]
    out = pd.DataFrame({
        "rule": rule, "id_number": ids, "household_id": frame["户编号"].mask(frame["户编号"] == ""),
        "reason": frame["理由"], "approved_on": approved,
    })[keep]
    out = out.astype({c: "string" for c in ["rule", "id_number", "household_id", "reason"]})
    return out[EXEMPTION_COLUMNS].reset_index(drop=True), concat(found)


def _dates(text: pd.Series) -> pd.Series:
    """2024-05-01, 2024/5/1, 2024.5.1, 2024年5月1日, 20240501 (the register is typed by hand)."""
    unified = text.str.replace(r"[年月/.]", "-", regex=True).str.replace("日", "", regex=False)
    compact = unified.str.fullmatch(r"\d{8}").fillna(False)
    unified = unified.where(~compact, unified.str.slice(0, 4) + "-" + unified.str.slice(4, 6) + "-" + unified.str.slice(6))
    return pd.to_datetime(unified, format="%Y-%m-%d", errors="coerce")
