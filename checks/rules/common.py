"""Facts several rules share (RULES.md §Terms), computed vectorised from the
normalised frames of a RuleContext. The costly ones are built once per
context (`shared`) since a dozen rules read the same joins."""
from __future__ import annotations

from typing import Callable

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from checks.rules.base import RuleContext
from recon.match import NONE, at, coalesce, first_rows


# How a message names the two sides of "system and ledger each".
SOURCE_LABEL = {"system": "系统", "ledger": "台账"}


def text(values) -> pd.Series:
    """Values as message text: strings, "" where unknown."""
    return pd.Series(values).astype("string").fillna("")


def persons_among(ctx: RuleContext, codes: np.ndarray) -> np.ndarray:
    """Per person code of recon.match (index with a code; NONE, -1, lands in
    a spare last slot that is never asked for): the person is one of `codes`."""
    found = np.zeros(len(ctx.people) + 1, dtype=bool)
    found[codes] = True
    return found


def shared(ctx: RuleContext, name: str, build: Callable[[RuleContext], object], copy: bool = True):
    """build(ctx), computed once per context (kept in ctx.extra) and handed out
    as a copy — rules add columns to what they get. Stored with the frames it
    was built from: a context whose frames were swapped builds it anew."""
    frames = (ctx.households, ctx.ledger_households, ctx.people, *ctx.sources.values())
    held = ctx.extra.get(("shared", name))
    if held is None or len(held[0]) != len(frames) or any(a is not b for a, b in zip(held[0], frames)):
        held = (frames, build(ctx))
        ctx.extra[("shared", name)] = held
    value = held[1]
    return value.copy() if copy and isinstance(value, (pd.DataFrame, pd.Series)) else value


def joined_per_group(groups: pd.Series, values: pd.Series, sep: str) -> pd.Series:
    """The distinct values of each group, sorted and joined by sep (indexed by
    group) — groupby().agg(sep.join) without a Python call per group: one pass
    per distinct value, of which a column of grades or codes has few."""
    pairs = pd.DataFrame({"group": groups.to_numpy(), "value": values.astype("string").to_numpy()}).dropna()
    pairs = pairs.drop_duplicates()
    keys = pd.Index(pairs["group"].unique())
    text = np.full(len(keys), "", dtype=object)
    for value in sorted(pairs["value"].unique()):
        has = keys.isin(pairs.loc[pairs["value"] == value, "group"])
        text[has] = text[has] + sep + value
    return pd.Series(text, index=keys, dtype="string").str.slice(len(sep))


def birth_dates(id_numbers: pd.Series) -> pd.Series:
    """Birth date from digits 7–14 of normalised 18-character IDs (NaT where
    invalid), parsed once per distinct date (a county has ~30,000)."""
    codes, dates = pd.factorize(id_numbers.astype("string").str.slice(6, 14))
    parsed = pd.to_datetime(pd.Series(dates, dtype=object), format="%Y%m%d", errors="coerce").to_numpy("datetime64[ns]")
    return pd.Series(np.append(parsed, np.datetime64("NaT", "ns"))[codes], index=id_numbers.index)  # -1 → NaT


def full_years(birth: pd.Series, on: pd.Timestamp) -> pd.Series:
    """Age in full years on a date (vectorised; NA where birth is unknown)."""
    on = pd.Timestamp(on)
    before_birthday = (birth.dt.month > on.month) | ((birth.dt.month == on.month) & (birth.dt.day > on.day))
    return (on.year - birth.dt.year - before_birthday.astype("Int64")).astype("Int64")


def deregistered_ids(ctx: RuleContext) -> pd.Index:
    """证件号码 of persons the hukou source has as 死亡注销 or 迁出注销 with 注销日期 on
    or before the as-of date (an unknown 注销日期 does not count: unknown never fires)."""
    return shared(ctx, "deregistered_ids", _deregistered_ids)


def _deregistered_ids(ctx: RuleContext) -> pd.Index:
    hukou = ctx.source("hukou")
    if hukou is None or "户籍状态" not in hukou.columns or "注销日期" not in hukou.columns:
        return pd.Index([], dtype="string")
    gone = hukou["户籍状态"].isin(["死亡注销", "迁出注销"]) & (hukou["注销日期"] <= pd.Timestamp(ctx.as_of))
    return pd.Index(hukou.loc[gone.fillna(False), "证件号码"].dropna().unique())


def member_rows(ctx: RuleContext) -> np.ndarray:
    """Positions (in row order) of the system member rows of registered
    households (脱贫户 or monitored, read from the household's head row) with a valid
    证件号码 — recon.match's codes, built once per context."""
    return shared(ctx, "member_rows", _member_rows, copy=False)


def _member_rows(ctx: RuleContext) -> np.ndarray:
    system = ctx.source("system")
    registered = at(ctx.households["registered"].to_numpy(bool), system["_household"].to_numpy(), False)
    return np.flatnonzero(registered & (system["_person"].to_numpy() != NONE))


def first_member_rows(ctx: RuleContext) -> np.ndarray:
    """Per person code: the position of their first member row (member_rows),
    NONE for people on none — a person on several rows (ID02) counts once."""
    return shared(ctx, "first_member_rows", lambda ctx: first_rows(
        ctx.source("system")["_person"].to_numpy(), len(ctx.people), member_rows(ctx)), copy=False)


def person_codes(ctx: RuleContext, ids: pd.Series) -> np.ndarray:
    """recon.match's person code of each 证件号码 in `ids` (NONE for IDs no
    system or ledger row has): one hash lookup in Arrow per row."""
    found = pc.index_in(pa.array(ids.astype("string").array), value_set=pa.array(ctx.people["id_number"].astype("string").array))
    return found.fill_null(NONE).to_numpy(zero_copy_only=False).astype(np.int64)


def rows_at(frame: pd.DataFrame, positions: np.ndarray, columns: list[str]) -> pd.DataFrame:
    """frame's `columns` at `positions` (a take of a wide frame, or column
    inserts, cost more than the rule)."""
    return pd.DataFrame({c: frame[c].array.take(positions) for c in columns}, index=frame.index[positions])


# --- Shared by the sector and monitoring groups (education … monitoring) ---

def registered_households(ctx: RuleContext) -> pd.DataFrame:
    """One row per registered household with the columns of a household
    finding: county, township, village, household_id and the 户主's id_number
    and name; the household fields follow as recon.match gives them."""
    return shared(ctx, "registered_households", _registered_households)


def _registered_households(ctx: RuleContext) -> pd.DataFrame:
    households = ctx.households
    out = households[households["registered"].fillna(False).astype(bool)].copy()
    out["_household"] = out.index.to_numpy()   # recon.match's household code
    county = out["county"] if "county" in out.columns else pd.Series(pd.NA, index=out.index, dtype="string")
    out["county"] = county.astype("string").fillna(ctx.county)
    out["id_number"] = out["head_id"].astype("string")
    out["name"] = out["head_name"].astype("string")
    return out.reset_index(drop=True)


def member_persons(ctx: RuleContext, columns: tuple[str, ...] = ()) -> pd.DataFrame:
    """One row per person (valid 证件号码) of a registered household, with the
    columns of a person finding (county, township, village, household_id,
    id_number, name), `monitored` (the household is monitored, recon.household_kinds),
    `_person` (the person code of recon.match) and the member row's own `columns`
    where the system has them. A person on several rows
    (ID02) counts once, with their first row."""
    return shared(ctx, f"member_persons{columns}", lambda ctx: _member_persons(ctx, columns))


def _member_persons(ctx: RuleContext, columns: tuple[str, ...]) -> pd.DataFrame:
    system, households = ctx.source("system"), ctx.households
    first = first_member_rows(ctx)
    positions = np.sort(first[first != NONE])   # each person's first member row, in row order
    keep = list(dict.fromkeys(["household_id", "证件号码", "姓名", *columns]))
    persons = rows_at(system, positions, [c for c in keep if c in system.columns])
    code = system["_household"].to_numpy()[positions]

    def of_household(name: str) -> pd.Series:
        values = column(households, name).astype("string")
        return pd.Series(values.array.take(code), index=persons.index)

    persons["county"] = of_household("county").fillna(ctx.county)
    persons["township"], persons["village"] = of_household("township"), of_household("village")
    persons["monitored"] = households["monitored"].to_numpy(bool)[code]
    persons["_person"] = system["_person"].to_numpy()[positions]   # recon.match's person code
    persons["_household"] = code                                   # and household code
    return persons.rename(columns={"证件号码": "id_number", "姓名": "name"}).reset_index(drop=True)


def link_to_households(ctx: RuleContext, rows: pd.DataFrame) -> pd.DataFrame:
    """(row, household_id) pairs for sector rows (housing, water): a row belongs
    to the system household whose 户编号 it carries, else to the registered
    households any of whose members has its 证件号码. `row` is the index label
    in `rows`; unlinked rows are absent."""
    pairs = []
    by_code = pd.Series(False, index=rows.index)
    if "户编号" in rows.columns:
        code = rows["户编号"].astype("string").str.strip()
        by_code = code.isin(ctx.households["household_id"].dropna()).fillna(False).astype(bool)
        pairs.append(pd.DataFrame({"row": rows.index[by_code], "household_id": code[by_code].to_numpy()}))
    if "证件号码" in rows.columns:
        # Joined on person and household codes (recon.match): one string lookup per row, not a string merge.
        system, members = ctx.source("system"), member_rows(ctx)
        member_of = pd.DataFrame({"person": system["_person"].to_numpy()[members],
                                  "household": system["_household"].to_numpy()[members]}).drop_duplicates()
        rest = np.flatnonzero(~by_code.to_numpy(bool))
        person = person_codes(ctx, rows["证件号码"].iloc[rest])
        found = pd.DataFrame({"row": rest, "person": person})[person != NONE].merge(member_of, on="person")
        pairs.append(pd.DataFrame({"row": rows.index[found["row"].to_numpy()],
                                   "household_id": ctx.households["household_id"].array.take(found["household"].to_numpy())}))
    pairs = [pair for pair in pairs if len(pair)]
    if not pairs:
        return pd.DataFrame({"row": pd.Series(dtype=rows.index.dtype), "household_id": pd.Series(dtype="string")})
    linked = pd.concat(pairs, ignore_index=True).drop_duplicates()
    return linked.astype({"household_id": "string"})


def flag_disagrees(households: pd.DataFrame, flag: str) -> pd.DataFrame:
    """Households whose known system yes/no `flag` contradicts the known sector
    verdict `safe` (HOU02, WAT02), with field/actual/expected filled and
    `says_safe` (what the system claims)."""
    claimed = households[flag].astype("boolean")
    differ = claimed.notna() & households["safe"].notna() & (claimed != households["safe"])
    hit = households[differ.fillna(False).astype(bool)].copy()
    hit["says_safe"] = hit[flag].astype(bool)
    hit["field"] = flag
    hit["actual"] = hit["says_safe"].map({True: "是", False: "否"})
    hit["expected"] = hit["says_safe"].map({True: "否", False: "是"})
    return hit


def household_label(frame: pd.DataFrame) -> pd.Series:
    """How a message names a household: 户主 name + 户, else its 户编号."""
    name = frame["name"].astype("string")
    return (name + "户").fillna("户编号" + frame["household_id"].astype("string")).fillna("该户")


def amount_text(values: pd.Series) -> pd.Series:
    """Amounts as a clerk writes them: 12345 or 12345.5 (NA stays NA)."""
    rounded = values.astype("Float64").round(2)
    # Arrow writes the shortest digits of a double (12345, 12345.5) as Python does, but from 1e10 on
    # as 1e+10: those few take Python's text, trailing zeros cut.
    text = pd.Series(pd.array(pc.cast(pa.array(rounded.array), pa.string()), dtype="string"), index=values.index)
    large = (rounded.abs() >= 1e9).fillna(False).to_numpy(bool)
    if large.any():
        text[large] = (rounded[large].astype("string").str.replace(r"\.0+$", "", regex=True)
                       .str.replace(r"(\.\d*?)0+$", r"\1", regex=True))
    return text


def column(frame: pd.DataFrame, name: str, dtype: str = "string") -> pd.Series:
    """frame[name], or an all-unknown column when the source lacks it."""
    if name in frame.columns:
        return frame[name]
    return pd.Series(pd.NA, index=frame.index, dtype=dtype)


def ledger_households_in_scope(ctx: RuleContext) -> pd.DataFrame:
    """Ledger households that may be registered ones: mapped to a registered
    system household, or unmapped and not known (by their own 户类型) to be
    another type — village 户册 that list every household stay quiet."""
    return ctx.ledger_households[household_scope(ctx)]


def mapped_households(ctx: RuleContext) -> np.ndarray:
    """Per ledger household code (row of ctx.ledger_households): the system
    household code it maps to, NONE when none (recon.match codes)."""
    return ctx.ledger_households["_household"].to_numpy()


def household_scope(ctx: RuleContext) -> np.ndarray:
    """Per ledger household code: in scope (ledger_households_in_scope)."""
    return shared(ctx, "household_scope", _household_scope, copy=False)


def _household_scope(ctx: RuleContext) -> np.ndarray:
    mapped = mapped_households(ctx)
    mapped_registered = at(ctx.households["registered"].to_numpy(bool), mapped, False)
    # Known by its own 户类型 (and 监测对象类别) to be neither a 脱贫户 nor monitored.
    ledger = ctx.ledger_households
    other_type = (column(ledger, "户类型").notna() & ~ledger["registered"]).to_numpy(bool)
    return mapped_registered | ((mapped == NONE) & ~other_type)


def ledger_scope(ctx: RuleContext) -> np.ndarray:
    """Per ledger row: its household is in scope, or it has none (rows before
    any head, whose household is unknown)."""
    own = ctx.source("ledger")["_ledger_household"].to_numpy()
    return (own == NONE) | at(household_scope(ctx), own, False)


def ledger_household_label(ctx: RuleContext, ledger_households: pd.DataFrame) -> pd.Series:
    """household_id for a finding about ledger households: the mapped system
    户编号, else the ledger's own 户编号, else 台账 + the masked head ID (never
    a full ID number outside the id_number column)."""
    from recon.ids import mask_id
    ledger = ctx.source("ledger")
    own = pd.Series(pd.NA, index=ledger_households.index, dtype="string")
    if "户编号" in ledger.columns:
        # The 户编号 of each ledger household's first row (ledger household code = row of ctx.ledger_households).
        codes = ledger["_ledger_household"].to_numpy()
        first = first_rows(codes, len(ctx.ledger_households))[ledger_households.index.to_numpy()]
        numbers = ledger["户编号"].astype("string").take(np.maximum(first, 0)) if len(ledger) else own
        own = pd.Series(numbers.array, index=ledger_households.index).where(first != NONE)
    label = coalesce(ledger_households["household_id"], own)
    unlabelled = label.isna().to_numpy()
    key = ledger_households["ledger_household"].astype("string")[unlabelled]
    is_id = key.str.fullmatch(r"\d{17}[\dX]").fillna(False).astype(bool)
    fallback = ("台账:" + key.where(~is_id, mask_id(key))).reindex(label.index)
    return coalesce(label, fallback)


def years_between(start, end) -> np.ndarray:
    """Full years from each start date to each end date (float, NaN where
    either is unknown); negative when end is before start."""
    start, end = pd.DatetimeIndex(start), pd.DatetimeIndex(end)
    before = (end.month < start.month) | ((end.month == start.month) & (end.day < start.day))
    return np.asarray(end.year - start.year - before, dtype=float)


# The system columns of members(ctx): what the consistency, civil, disability and pension rules read.
MEMBER_COLUMNS = ("健康状况", "劳动技能", "在校生情况", "是否参加城乡居民基本医疗保险", "是否参加城镇职工基本医疗保险",
                  "是否参加城乡居民基本养老保险", "是否参加城镇职工基本养老保险", "享受低保", "特困供养", "残疾类别")


def members(ctx: RuleContext) -> pd.DataFrame:
    """One row per member person of a registered system household (not
    deregistered, valid ID) with MEMBER_COLUMNS, `age` at the as-of date,
    and `birth` (a rule that needs the stage asks checks/rules/stages.member_stage:
    it reads the setting school_status_blank)."""
    return shared(ctx, "members", _members)


def _members(ctx: RuleContext) -> pd.DataFrame:
    persons = member_persons(ctx, MEMBER_COLUMNS)
    persons = persons[~persons["id_number"].isin(deregistered_ids(ctx)).to_numpy(bool)].reset_index(drop=True)
    for name in MEMBER_COLUMNS:
        if name not in persons.columns:
            persons[name] = pd.Series(pd.NA, index=persons.index, dtype="object")
    persons["birth"] = birth_dates(persons["id_number"])
    persons["age"] = years_between(persons["birth"], np.full(len(persons), np.datetime64(ctx.as_of, "D")))
    return persons
