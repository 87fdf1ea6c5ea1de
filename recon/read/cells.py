"""Cell values as the user sees them (docs/internals.md §Raw frames): every
value text, number cells without float noise, date cells as YYYY-MM-DD.

One column at a time, vectorised by the cells' Python type: calamine gives
str/int/float/bool/date/datetime/time/timedelta, CSV gives str."""
from __future__ import annotations

import datetime as dt
from itertools import repeat

import numpy as np
import pandas as pd

# Excel keeps 15 significant digits; below this an integral float is exact.
EXACT_INTEGER_LIMIT = 1e15
# A small integer per cell type: comparing int8 codes is far cheaper than
# comparing Python type objects once per type.
STR, FLOAT, INT, BOOL, WHEN, OTHER = range(6)
TYPE_CODES = {str: STR, float: FLOAT, int: INT, bool: BOOL, dt.date: WHEN, dt.datetime: WHEN}
_format_float = "%.15G".__mod__


def render(column: pd.Series) -> tuple[pd.Series, pd.Series]:
    """(text of every cell, True where the cell was a number cell)."""
    if isinstance(column.dtype, pd.StringDtype) and not column.hasnans:   # a regular CSV, parsed by pyarrow
        return column, pd.Series(False, index=column.index)
    if pd.api.types.infer_dtype(column, skipna=False) in ("string", "empty"):  # C speed: text columns, all CSV
        return column.astype(object), pd.Series(False, index=column.index)
    values = column.to_numpy(dtype=object)
    kind = np.fromiter(map(TYPE_CODES.get, map(type, values), repeat(OTHER)), np.int8, len(values))
    text = np.full(len(values), "", dtype=object)

    is_str = kind == STR
    text[is_str] = values[is_str]

    is_float = kind == FLOAT
    if is_float.any():
        where = np.flatnonzero(is_float)
        floats = values[where].astype("float64")
        with np.errstate(invalid="ignore"):
            exact = np.isfinite(floats) & (floats == np.floor(floats)) & (np.abs(floats) < EXACT_INTEGER_LIMIT)
        text[where[exact]] = floats[exact].astype("int64").astype(str).astype(object)
        text[where[~exact]] = list(map(_format_float, floats[~exact].tolist()))
    is_int = kind == INT
    if is_int.any():
        text[is_int] = list(map(str, values[is_int]))

    is_bool = kind == BOOL
    if is_bool.any():
        text[is_bool] = np.where(values[is_bool].astype(bool), "TRUE", "FALSE")

    is_when = kind == WHEN
    if is_when.any():
        when = pd.Series(values[is_when])
        stamps = pd.to_datetime(when, errors="coerce")
        has_time = stamps.notna() & (stamps != stamps.dt.normalize())
        shown = stamps.dt.strftime("%Y-%m-%d").where(~has_time, stamps.dt.strftime("%Y-%m-%d %H:%M:%S"))
        # Dates outside pandas' range (years before 1677) keep Python's form.
        text[is_when] = shown.where(stamps.notna(), when.astype(str)).to_numpy(dtype=object)

    other = (kind == OTHER) & column.notna().to_numpy()
    if other.any():  # time, timedelta, anything unexpected: Python's own text
        text[other] = list(map(str, values[other]))
    return pd.Series(text, index=column.index), pd.Series(is_float | is_int, index=column.index)
