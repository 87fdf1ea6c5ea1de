"""Typed demo values → cells as a clerk's file holds them: text, numbers,
Excel dates, yes/no in the village's own spelling, dates in many forms.
Vectorised per column."""
from __future__ import annotations

import numpy as np
import pandas as pd

YESNO = {"是否": ("是", "否"), "√×": ("√", "×"), "YN": ("Y", "N")}


def yesno(values: pd.Series, style: str = "是否") -> pd.Series:
    yes, no = YESNO[style]
    known = values.notna() & (values.astype(str) != "")
    truth = values.where(known, False).astype(bool)
    return pd.Series(np.where(known, np.where(truth, yes, no), ""), index=values.index, dtype=object)


def date_text(values: pd.Series, style: str = "iso") -> pd.Series:
    """Dates as text: iso 2023-05-01, slash 2023/5/1, cn 2023年5月1日, compact 20230501, month 202305."""
    stamps = pd.to_datetime(values)
    y, m, d = stamps.dt.year, stamps.dt.month, stamps.dt.day
    text = {
        "iso": stamps.dt.strftime("%Y-%m-%d"),
        "slash": y.astype("Int64").astype(str) + "/" + m.astype("Int64").astype(str) + "/" + d.astype("Int64").astype(str),
        "cn": y.astype("Int64").astype(str) + "年" + m.astype("Int64").astype(str) + "月" + d.astype("Int64").astype(str) + "日",
        "compact": stamps.dt.strftime("%Y%m%d"),
        "month": stamps.dt.strftime("%Y%m"),
    }[style]
    return text.where(stamps.notna(), "").astype(object)


def date_cells(values: pd.Series) -> pd.Series:
    """Excel date cells (None where empty)."""
    stamps = pd.to_datetime(values)
    return pd.Series([t.to_pydatetime() if not pd.isna(t) else None for t in stamps], index=values.index, dtype=object)


def amounts(values: pd.Series, as_text: bool, style: str = "plain") -> pd.Series:
    """Amounts: numbers (Excel cells, or plain CSV text written by to_csv), or
    text such as 12,345.60 / 12345.60元 as some clerks type them."""
    numbers = pd.to_numeric(values, errors="coerce").round(2)
    if not as_text or style == "plain":
        return numbers.astype(object).where(numbers.notna(), None)
    text = pd.Series(np.char.mod("%.2f", numbers.fillna(0).to_numpy()), index=values.index)
    if style == "comma":
        whole = text.str.split(".").str[0].astype(int)
        text = pd.Series(np.char.mod("%s", [f"{w:,}" for w in whole]), index=values.index) + "." + text.str.split(".").str[1]
    if style == "yuan":
        text = text + "元"
    return text.where(numbers.notna(), "").astype(object)


def id_cells(values: pd.Series, as_text: bool) -> pd.Series:
    """证件号码 cells: text, except the planted number cells (floats), which a
    CSV export shows the way Excel does (5.22425199001011E+17)."""
    is_number = values.map(type) == float
    if not is_number.any():
        return values.astype(object)
    if as_text:
        shown = values.copy().astype(object)
        shown[is_number] = np.char.mod("%.15G", values[is_number].astype(float).to_numpy())
        return shown
    return values.astype(object)


def text_cells(values: pd.Series) -> pd.Series:
    return values.astype(object).where(values.notna(), "")
