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
    row: int | None                # user row number of the header, None when not found
    columns: dict[object, str]     # grid column → canonical name
    missing: list[str]             # key columns the best candidate row lacks
    duplicates: list[str] = field(default_factory=list)  # problem texts


def _canonical(cells: pd.DataFrame, aliases: dict[str, str]) -> pd.DataFrame:
    return cells.map(lambda c: aliases.get(header_key(c)) if isinstance(c, str) else None)


def find_header(cells: pd.DataFrame, aliases: dict[str, str], keys: tuple[str, ...]) -> Header:
    """The first of the top rows holding every key column."""
    # Most headers sit in the first rows: a complete one there (with the row
    # under it, for _add_sub_header) is the answer the whole window would give.
    quick = _header_in(cells, cells.head(QUICK_ROWS), aliases, keys, last_look=False)
    return quick if quick is not None else _header_in(cells, cells.head(HEADER_SEARCH_ROWS), aliases, keys)


def _header_in(cells: pd.DataFrame, top: pd.DataFrame, aliases: dict[str, str], keys: tuple[str, ...],
               last_look: bool = True) -> Header | None:
    """find_header within `top`; None (unless last_look) when `top` holds no
    complete header row with a row under it."""
    if top.empty:
        return Header(None, {}, list(keys))
    names = _canonical(top, aliases)
    found = pd.DataFrame({k: names.eq(k).any(axis=1) for k in keys})
    complete = found.all(axis=1)
    texts = top
    if not last_look and not complete.iloc[:-1].any():
        return None
    if not complete.any():
        # Two-row headers with merged cells: 证件号码 merged down over both
        # rows sits in the upper row, 鉴定等级 under a group title in the lower.
        lower = names.shift(-1)
        stacked = lower.combine_first(names)
        stacked_found = pd.DataFrame({k: stacked.eq(k).any(axis=1) for k in keys})
        if not stacked_found.all(axis=1).any():
            best = found.sum(axis=1).idxmax()
            return Header(None, {}, [k for k in keys if not found.at[best, k]])
        upper = stacked_found.all(axis=1).idxmax()
        below = names.index[names.index.get_loc(upper) + 1]   # the header ends here; data starts after it
        names, texts = names.copy(), top.copy()
        names.loc[below] = stacked.loc[upper]
        texts.loc[below] = top.loc[below].where(lower.loc[upper].notna(), top.loc[upper])
        complete = pd.Series(names.index == below, index=names.index)
    row = complete.idxmax()
    header = Header(row, {}, [])
    mapped = names.loc[row].dropna()
    texts = texts.loc[row]
    first_text: dict[str, str] = {}
    for column, canonical in mapped.items():   # one header row: a few dozen cells
        if canonical in first_text:
            header.duplicates.append(
                f"表头重复：「{_shown(first_text[canonical])}」和「{_shown(texts[column])}」"
                f"都对应 {canonical}，只读取了「{_shown(first_text[canonical])}」这一列")
            continue
        first_text[canonical] = texts[column]
        header.columns[column] = canonical
    _add_sub_header(cells, names, header, keys)
    return header


def _add_sub_header(cells: pd.DataFrame, names: pd.DataFrame, header: Header, keys: tuple[str, ...]) -> None:
    """Two-row headers (收入情况 merged above 工资性收入 …): the row right under
    the header, with empty key cells, names the columns the header left open."""
    position = names.index.get_loc(header.row) + 1
    if position >= len(names):
        return
    below = names.index[position]
    key_cells = cells.loc[below, [c for c, n in header.columns.items() if n in keys]]
    if key_cells.map(lambda c: str(c).strip() != "").any():
        return
    taken = set(header.columns.values())
    extra = {c: n for c, n in names.loc[below].dropna().items()
             if c not in header.columns and n not in taken}
    if extra:
        header.columns.update(dict(pd.Series(extra).drop_duplicates(keep="first")))
        header.row = below


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
