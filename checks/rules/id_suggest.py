"""The suggested 证件号码 for an ID01 row (RULES.md ID01, issue text): the one
person of another source with the same name in the same village (and the same
birth date where the row has one); failing an exact name, the one whose name
differs by a single character. A village is 乡镇 + 行政村: a source without
them offers no candidates, since a name alone is not enough.
"""
from __future__ import annotations

import pandas as pd
from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from checks.rules.base import RuleContext
from recon.ids import to_half_width

SECTOR_SOURCES = ("education", "medical", "hukou")


def name_key(frame: pd.DataFrame) -> pd.Series:
    """Names as compared: _name_key (no whitespace, one middle dot) also
    folded to half-width, so 'Ａ' and 'A' are one name."""
    key = frame["_name_key"] if "_name_key" in frame.columns else frame["姓名"]
    key = to_half_width(key).str.replace(r"\s+", "", regex=True)
    return key.mask(key == "")


def candidates(ctx: RuleContext, located: dict[str, pd.DataFrame], places: pd.DataFrame) -> pd.DataFrame:
    """Valid IDs of every source that knows villages, in the townships and
    villages of `places` (the ID01 rows'): other (the source), township,
    village, name (as read: _name_key, else 姓名) and suggested (the ID)."""
    frames = dict(located)
    for source in SECTOR_SOURCES:
        frame = ctx.source(source)
        if frame is not None and {"乡镇", "行政村", "姓名"} <= set(frame.columns):
            wanted = [c for c in ("乡镇", "行政村", "_name_key", "姓名", "证件号码", "_id_valid") if c in frame.columns]
            frames[source] = frame[wanted].rename(columns={"乡镇": "township", "行政村": "village"})
    parts = []
    for source, f in frames.items():
        # A superset of the places (township in one, village in another is kept); the merge in suggest is exact.
        keep = (f["township"].isin(places["township"]) & f["village"].isin(places["village"])).fillna(False)
        keep = (keep & f["_id_valid"].astype(bool)).to_numpy(bool)
        name = f["_name_key"] if "_name_key" in f.columns else f["姓名"]
        parts.append(pd.DataFrame({"other": source, "township": f["township"].astype("string").array[keep],
                                   "village": f["village"].astype("string").array[keep],
                                   "name": name.astype("string").array[keep],
                                   "suggested": f["证件号码"].astype("string").array[keep]}))
    return pd.concat(parts, ignore_index=True).dropna()


def _single(pairs: pd.DataFrame) -> pd.DataFrame:
    """Pairs of rows whose candidates are exactly one person."""
    people = pairs.drop_duplicates(["bad", "suggested"])
    one = people.groupby("bad")["suggested"].transform("size") == 1
    return people[one]


def suggest(ctx: RuleContext, bad: pd.DataFrame, located: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """For ID01 rows `bad` (columns source, township, village, 姓名/_name_key,
    optional 出生日期), a frame indexed like `bad` with `suggested` (an ID) and
    `fuzzy` (True when the name differs by one character); rows without one
    suggestion are absent. `located`: each source's rows with their located
    township and village (at least those of the `bad` rows)."""
    rows = pd.DataFrame({"bad": bad.index, "source": bad["source"], "township": bad["township"].astype("string"),
                         "village": bad["village"].astype("string"), "key": name_key(bad),
                         "birth": (bad["出生日期"].dt.strftime("%Y%m%d") if "出生日期" in bad.columns
                                   else pd.NA)}).astype({"birth": "string"}).dropna(subset=["township", "village", "key"])
    pool = candidates(ctx, located, rows[["township", "village"]].drop_duplicates())
    pairs = rows.merge(pool, on=["township", "village"])
    pairs = pairs[(pairs["other"] != pairs["source"]).to_numpy(bool)]
    # The birth date first (digits 7–14 of the ID, as text): it leaves few pairs whose names need folding.
    birth_ok = pairs["birth"].isna() | (pairs["birth"] == pairs["suggested"].str.slice(6, 14))
    pairs = pairs[birth_ok.fillna(False).to_numpy(bool)]
    pairs = pairs.assign(key_other=name_key(pd.DataFrame({"_name_key": pairs["name"]}))).dropna(subset=["key_other"])
    exact = pairs[(pairs["key"] == pairs["key_other"]).to_numpy(bool)]
    distance = process.cpdist(pairs["key"].tolist(), pairs["key_other"].tolist(), scorer=Levenshtein.distance) \
        if len(pairs) else []
    near = pairs[(pd.Series(distance, index=pairs.index, dtype="int64") == 1)
                 & ~pairs["bad"].isin(exact["bad"])]
    found = pd.concat([_single(exact).assign(fuzzy=False), _single(near).assign(fuzzy=True)])
    return found.set_index("bad")[["suggested", "fuzzy"]]
