"""Raw frames (all text) → core frames (typed), docs/internals.md §Core frames.

Every non-empty cell that cannot be read becomes NA and one input problem;
its row flows on. Problem texts quote the cell, except for ID and name
columns: personal data is never copied into a problem text.
"""
from __future__ import annotations

import datetime as dt

import pandas as pd

from recon import values as v
from recon.ids import normalise_ids
from recon.problems import PROVENANCE, concat, row_problems
from recon.sources import Source, source as declaration

ID = "证件号码"
HEAD_ID = "户主证件号码"

# Value kind → parser of a column's cells (its declaration gives labels and spellings).
PARSERS = {
    "text": lambda values, column: (v.normalise_text(values), None),
    "code": lambda values, column: v.normalise_code(values, column.labels()),
    "relation": lambda values, column: v.normalise_relation(values, column.labels()),
    "sex": lambda values, column: v.parse_sex(values),
    "grade": lambda values, column: v.parse_grade(values),
    "health": lambda values, column: v.parse_labels(values, column.labels()),
    "codes": lambda values, column: v.parse_labels(values, column.labels()),
    "date": lambda values, column: v.parse_date(values),
    "month": lambda values, column: v.parse_date(values, months=True),
    "yesno": lambda values, column: v.parse_yesno(values, column.spellings),
    "amount": lambda values, column: v.parse_amount(values),
    "int": lambda values, column: v.parse_int(values),
    "year": lambda values, column: v.parse_year(values),
    "phone": lambda values, column: v.parse_phone(values),
    "list": lambda values, column: v.parse_list(values),
}
# Kinds whose parser's second output is a companion column (its name: the
# column's + suffix), not the unreadable cells: a malformed phone number is a
# finding of its own (PHN01), not an input problem, and keeps its text.
COMPANIONS = {"phone": "_ok"}
QUOTE_MAX = 40
FAILURE_TEXTS = {
    "code": "不在取值范围内", "codes": "不在取值范围内", "relation": "不在取值范围内", "sex": "无法识别的性别", "grade": "无法识别的鉴定等级",
    "health": "无法识别的健康状况", "date": "无法识别的日期", "month": "无法识别的日期或月份",
    "yesno": "无法识别的是/否值", "amount": "无法识别的金额", "int": "无法识别的整数",
    "year": "无法识别的年度",
}


def normalise(source: str | Source, raw: pd.DataFrame, as_of: dt.date) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The core frame of one source (by name, or a county's declaration with
    its own columns) and the problems of its unreadable cells."""
    source = declaration(source)
    raw = raw.reset_index(drop=True)
    for column in PROVENANCE:
        if column not in raw.columns:
            raw[column] = pd.NA
    frame = raw.copy()
    declared = source.columns
    found = {name: column for name, column in declared.items() if name in raw.columns}
    problems = []
    for name, column in found.items():  # columns, not rows
        kind = column.kind
        if kind == "id":
            continue
        if kind == "name":
            frame[name], frame["_name_key"] = v.normalise_name(raw[name])
            continue
        parsed, bad = PARSERS[kind](raw[name], column)
        frame[name] = parsed
        if kind in COMPANIONS:
            frame[name + COMPANIONS[kind]], bad = bad, None
        if bad is not None and bad.any():
            cell = v.normalise_text(raw[name])
            # A pasted paragraph is quoted by its start: the problem stays one readable line.
            cell = cell.where(cell.str.len() <= QUOTE_MAX, cell.str.slice(0, QUOTE_MAX) + "…")
            problems.append(row_problems(raw, bad, name, FAILURE_TEXTS[kind] + "：'" + cell + "'"))
    if ID in found:
        problems.append(_person_ids(source, raw, frame, as_of))
    if HEAD_ID in found:
        frame[HEAD_ID] = normalise_ids(raw[HEAD_ID], as_of, _from_number(raw, HEAD_ID))["id"]
    _fill_housing_safety(frame)
    _fill_certificate_codes(frame)
    found_problems = concat(problems).sort_values(["file", "sheet", "row"], kind="stable", ignore_index=True)
    return frame, found_problems


def _from_number(raw: pd.DataFrame, column: str) -> pd.Series | None:
    flag = raw.get(f"_num_{column}")
    return None if flag is None else flag.astype("boolean").fillna(False).astype(bool)


def _person_ids(source: Source, raw: pd.DataFrame, frame: pd.DataFrame, as_of: dt.date) -> pd.DataFrame:
    """证件号码 normalised (CONTRACT.md §3) with `_id_raw`, `_id_valid`,
    `_id_problem`, and `_cert_category` / `_cert_grade` where the cell is a
    20-character 残疾人证 number; the problems of rows that cannot be linked by it."""
    cell = raw[ID].astype("string").fillna("")
    ids = normalise_ids(cell, as_of, _from_number(raw, ID))
    frame[ID], frame["_id_raw"] = ids["id"], cell
    frame["_id_valid"], frame["_id_problem"] = ids["valid"], ids["problem"]
    frame["_cert_category"], frame["_cert_grade"] = ids["disability_category"], ids["disability_grade"]
    declared = source
    # Rows linked to people by 证件号码 alone: an unusable ID is an input problem (in system/ledger
    # it is a finding, ID01, instead); where rows may be about a village, an empty ID marks one.
    if not declared.links_by_id:
        return None
    empty = ids["id"].isna()
    unusable = ~ids["valid"] & ~(empty & declared.village_rows)
    reason = ids["problem"].str.replace(r"^证件号码", "", regex=True)
    text = ("证件号码无效（" + reason + "），该行无法与其他数据关联").mask(empty, "证件号码为空，该行无法与其他数据关联")
    return row_problems(raw, unusable, ID, text)


def _fill_certificate_codes(frame: pd.DataFrame) -> None:
    """残疾类别 and 残疾等级 from a 20-character 残疾人证 number where the row's
    own cells are empty (CONTRACT.md §2.11, §3), in sources that have them."""
    for column, from_number in (("残疾类别", "_cert_category"), ("残疾等级", "_cert_grade")):
        if column in frame.columns and from_number in frame.columns:
            frame[column] = frame[column].astype("string").fillna(frame[from_number].astype("string"))


def _fill_housing_safety(frame: pd.DataFrame) -> None:
    """住房安全 is the opposite of 是否危房户 where it is not known itself."""
    if "是否危房户" not in frame.columns:
        return
    safe = ~frame["是否危房户"]
    frame["住房安全"] = frame["住房安全"].fillna(safe) if "住房安全" in frame.columns else safe
