"""One grid (a sheet or a CSV) to raw rows: find the header, map it to
canonical columns, drop empty and trailer rows, render the cells."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from recon.sources import header_key
from recon.read.cells import render

HEADER_SEARCH_ROWS = 50
QUICK_ROWS = 8   # looked at first (find_header)
# CONTRACT.md §2: a row with empty keys that starts like this is not data.
TRAILER = re.compile(r"^\s*(合计|小计|填表|说明|注)")


@dataclass
class Header:
    row: int | None                # user row number of the header (the lower row of two), None when not found
    columns: dict[object, str]     # grid column → canonical name
    missing: list[str]             # key columns the best candidate row lacks
    duplicates: list[str] = field(default_factory=list)  # problem texts


def _texts(cells: pd.DataFrame) -> pd.DataFrame:
    """Header cells as trimmed text, "" for an empty cell (a merged cell's
    covered part reads as empty); a number cell is text too: not empty."""
    return cells.map(_text)


def _text(cell) -> str:
    if isinstance(cell, str):
        return cell.strip()
    return "" if cell is None or pd.isna(cell) else str(cell)


def _canonical(texts: pd.DataFrame, aliases: dict[str, str]) -> pd.DataFrame:
    return texts.map(lambda t: aliases.get(header_key(t)) if t else None)


def _holds_all(names: pd.DataFrame, keys: tuple[str, ...]) -> pd.Series:
    return pd.concat([names.eq(k).any(axis=1) for k in keys], axis=1).all(axis=1)


def find_header(cells: pd.DataFrame, aliases: dict[str, str], keys: tuple[str, ...]) -> Header:
    """The first of the top rows holding every key column, alone or as the
    upper row of a two-row header (CONTRACT.md §2)."""
    # Most headers sit in the first rows: a header starting there is the answer
    # the whole window would give (whether a row is a header depends only on it
    # and the row under it, which the quick look includes).
    quick = _header_in(cells, QUICK_ROWS, aliases, keys, last_look=False)
    return quick if quick is not None else _header_in(cells, HEADER_SEARCH_ROWS, aliases, keys)


def _header_in(cells: pd.DataFrame, rows: int, aliases: dict[str, str], keys: tuple[str, ...],
               last_look: bool = True) -> Header | None:
    """The header starting in the first `rows` rows; None (unless last_look)
    when there is none.

    A two-row header is a group row above the row of names: a column whose
    name cell is merged down over both rows has it in the upper row (the lower
    cell empty), a column under a group cell takes the lower row's name. Read
    so, the two rows must hold every key column, the lower row some name, and
    the upper row a name merged down (a group row of labels alone adds nothing
    to the lower row, which is then a header by itself). Data starts after the
    lower row."""
    top = _texts(cells.head(rows + 1))   # + the row under the last one looked at
    if top.empty:
        return Header(None, {}, list(keys))
    lower = top.shift(-1, fill_value="")
    stacked = lower.where(lower != "", top)
    names, stacked_names = _canonical(top, aliases), _canonical(stacked, aliases)
    lower_names = names.shift(-1)
    one_row = _holds_all(names, keys)
    two_row = (_holds_all(stacked_names, keys) & lower_names.notna().any(axis=1)
               & (names.notna() & (lower == "")).any(axis=1))
    two_row.iloc[-1] = False   # the last row has no row under it here
    starts = (one_row | two_row).iloc[:rows]
    if not starts.any():
        if not last_look:
            return None
        found = pd.DataFrame({k: names.eq(k).any(axis=1) for k in keys}).iloc[:rows]
        best = found.sum(axis=1).idxmax()
        return Header(None, {}, [k for k in keys if not found.at[best, k]])
    row = starts.idxmax()
    if two_row[row]:
        position = top.index.get_loc(row)
        return _header(top.index[position + 1], stacked_names.loc[row], stacked.loc[row])
    return _header(row, names.loc[row], top.loc[row])


def _header(row, names: pd.Series, texts: pd.Series) -> Header:
    """The header ending on `row`: the first column of each canonical name; a
    second one is reported."""
    header = Header(row, {}, [])
    first_text: dict[str, str] = {}
    for column, canonical in names.dropna().items():   # one header row: a few dozen cells
        if canonical in first_text:
            header.duplicates.append(
                f"表头重复：「{_shown(first_text[canonical])}」和「{_shown(texts[column])}」"
                f"都对应 {canonical}，只读取了「{_shown(first_text[canonical])}」这一列")
            continue
        first_text[canonical] = texts[column]
        header.columns[column] = canonical
    return header


def _shown(cell) -> str:
    return re.sub(r"\s+", " ", str(cell)).strip()


def data_rows(cells: pd.DataFrame, header: Header, keys: tuple[str, ...],
              id_columns: tuple[str, ...]) -> pd.DataFrame:
    """Rows under the header as canonical text columns plus `_num_<id>` flags,
    indexed by user row; empty rows and trailer rows dropped."""
    body = cells.iloc[cells.index.get_loc(header.row) + 1:]
    out = {}
    flags = {}
    for column, canonical in header.columns.items():
        text, is_number = render(body[column])
        out[canonical] = text
        if canonical in id_columns:
            flags[f"_num_{canonical}"] = is_number
    frame = pd.DataFrame(out, index=body.index)
    keys_here = [k for k in keys if k in frame.columns]
    key_filled = sum((~_blank(frame[k])).astype(int) for k in keys_here) if keys_here else 0
    # Only rows with at most one key cell filled can be empty or a trailer (the
    # 合计 label may sit under a key column); the rest are data as they stand.
    unkeyed = pd.Series(key_filled, index=frame.index).le(1)
    keep = pd.Series(True, index=frame.index)
    if unkeyed.any():
        part = frame.loc[unkeyed]
        keep[part.index[part.apply(_blank).all(axis=1)]] = False
        # The label often sits in an unmapped column (序号): look at the whole row.
        raw = body.loc[unkeyed].map(lambda c: "" if c is None else str(c).strip())
        cells_text = raw.to_numpy()
        first = pd.Series(cells_text[np.arange(len(raw)), (cells_text != "").argmax(axis=1)], index=raw.index)
        key_text = sum((part[k] for k in keys_here), pd.Series("", index=part.index)).str.strip()
        trailer = first.str.match(TRAILER) & (key_text.eq("") | key_text.str.match(TRAILER))
        keep[trailer[trailer].index] = False
    for name, flag in flags.items():
        frame[name] = flag.astype(bool)
    # take, not .loc: a new frame the caller may add columns to (no SettingWithCopy).
    return frame.take(np.flatnonzero(keep.to_numpy()))


def _blank(column: pd.Series) -> pd.Series:
    """Empty or only whitespace (also full-width spaces): str.isspace knows
    the same whitespace as str.strip, without building stripped copies."""
    if isinstance(column.dtype, pd.StringDtype) and not column.hasnans:   # Arrow text: trimmed in C, Unicode-aware
        return column.str.strip().eq("").astype(bool)
    values = column.to_numpy(dtype=object)
    return pd.Series(np.fromiter(map(str.isspace, values), bool, len(values)), index=column.index) | column.eq("")
