"""Cell values as the user sees them (docs/internals.md §Raw frames): every
value text, number cells without float noise, date cells as YYYY-MM-DD.

One column at a time, vectorised by the cells' Python type: calamine gives
str/int/float/bool/date/datetime/time/timedelta, CSV gives str."""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

# Excel keeps 15 significant digits; below this an integral float is exact.
EXACT_INTEGER_LIMIT = 1e15


def render(column: pd.Series) -> tuple[pd.Series, pd.Series]:
    """(text of every cell, True where the cell was a number cell)."""
    if pd.api.types.infer_dtype(column, skipna=False) in ("string", "empty"):  # C speed: text columns, all CSV
        return column.astype(object), pd.Series(False, index=column.index)
    types = column.map(type)
    is_str = types == str
    text = pd.Series("", index=column.index, dtype=object)
    text[is_str] = column[is_str]

    is_float = types == float
    is_int = types == int
    if is_float.any():
        values = column[is_float].astype("float64")
        exact = np.isfinite(values) & (values == np.floor(values)) & (values.abs() < EXACT_INTEGER_LIMIT)
        text[exact[exact].index] = values[exact].astype("int64").astype(str)
        rest = values[~exact]
        text[rest.index] = np.char.mod("%.15G", rest.to_numpy())
    if is_int.any():
        text[is_int] = column[is_int].astype(str)

    is_bool = types == bool
    if is_bool.any():
        text[is_bool] = np.where(column[is_bool].astype(bool), "TRUE", "FALSE")

    is_date = types == dt.date
    is_datetime = types == dt.datetime
    if is_date.any() or is_datetime.any():
        when = column[is_date | is_datetime]
        stamps = pd.to_datetime(when, errors="coerce")
        has_time = stamps.notna() & (stamps != stamps.dt.normalize())
        shown = stamps.dt.strftime("%Y-%m-%d").where(~has_time, stamps.dt.strftime("%Y-%m-%d %H:%M:%S"))
        # Dates outside pandas' range (years before 1677) keep Python's form.
        text[when.index] = shown.where(stamps.notna(), when.astype(str))

    other = ~(is_str | is_float | is_int | is_bool | is_date | is_datetime) & column.notna()
    if other.any():  # time, timedelta, anything unexpected: Python's own text
        text[other] = column[other].astype(str)
    return text, is_float | is_int
