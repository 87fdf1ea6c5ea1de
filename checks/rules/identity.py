"""Identity and household structure: ID01–ID07, HH01–HH03, LED01, HUK01 (RULES.md).

Scope (RULES.md §Terms: registered households unless a rule says otherwise):
- ID01 and ID02 name their own scope — "a system or ledger row", "more than
  one row of the system, or of the ledger" — so they look at every row: an
  unreadable or doubled ID is a defect of the record whatever the household,
  and a ledger row cannot be placed in a household before its ID links it.
- Ledger-side rules (ID05, ID07, HH01, HH02 on the ledger) look at ledger
  households that map to a registered system household or map to none and
  do not call themselves another 户类型 (common.ledger_households_in_scope).
- ID06 fires when either side puts the person in a registered household.
- Everything else: members of registered system households.

The rules work on recon.match's integer codes and its people table (one row
per person: first system row, first ledger row, their households), so a rule
selects row positions with numpy and only the rows that fire become text.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from checks.rules.base import RuleContext, empty_findings, findings, rule
from checks.rules.common import (deregistered_ids, ledger_household_label, ledger_households_in_scope, ledger_scope,
                                 mapped_households, member_rows, rows_at, shared)
from checks.rules.id_suggest import name_key, suggest
from recon.ids import mask_id
from recon.match import NONE, coalesce, first_rows

IDENTITY = dict(group="identity", category="身份信息")
HOUSEHOLD = dict(group="identity", category="家庭与收入")
SOURCE_LABEL = {"system": "系统", "ledger": "台账"}


def text(values) -> pd.Series:
    return pd.Series(values).astype("string").fillna("")


@dataclass(frozen=True)
class Links:
    """One context's match as arrays (built once): person and household codes
    per row, the row positions each rule family looks at."""
    people: pd.DataFrame           # recon.match people table (row i = person code i)
    person: dict[str, np.ndarray]  # source → person code per row (NONE: invalid ID)
    registered: np.ndarray         # per system household code: 脱贫户/监测户
    member_rows: np.ndarray        # system positions: valid ID in a registered household
    ledger_rows: np.ndarray        # ledger positions of households in scope (common.ledger_scope)
    registered_person: np.ndarray  # per person: on a member row


def links(ctx: RuleContext) -> Links:
    return shared(ctx, "identity.links", _links, copy=False)


def _links(ctx: RuleContext) -> Links:
    system, ledger = ctx.source("system"), ctx.source("ledger")
    person = {"system": system["_person"].to_numpy(), "ledger": ledger["_person"].to_numpy()}
    registered = ctx.households["registered"].to_numpy(bool)
    members = member_rows(ctx)
    registered_person = np.zeros(len(ctx.people), dtype=bool)
    registered_person[person["system"][members]] = True
    ledger_rows = np.flatnonzero(ledger_scope(ctx))
    return Links(ctx.people, person, registered, members, ledger_rows, registered_person)


# The source columns identity rules read from located rows (ID01's suggestion
# included); the rest of a wide system frame is not carried through every filter.
LOCATED_COLUMNS = ("证件号码", "姓名", "_name_key", "_id_raw", "_id_valid", "_id_problem", "性别", "出生日期")


def located(ctx: RuleContext, source: str, positions: np.ndarray) -> pd.DataFrame:
    """The rows of system/ledger at `positions` with county/township/village in
    the system's spelling (via their household) where known, else their own;
    household_id for findings (the ledger's own 户编号 when the household is not
    in the system); id_number, name, file, row and the source's LOCATED_COLUMNS.
    Built for the rows asked only: rules ask for the rows that fire."""
    source_frame = ctx.source(source)
    used = [c for c in (*LOCATED_COLUMNS, "县", "乡镇", "行政村", "户编号", "household_id", "_household", "_file", "_row")
            if c in source_frame.columns]
    frame = rows_at(source_frame, positions, used)
    index = frame.index
    out = {c: frame[c] for c in LOCATED_COLUMNS if c in frame.columns}
    for column, own in (("county", "县"), ("township", "乡镇"), ("village", "行政村")):
        out[column] = coalesce(household_values(ctx, frame, column), own_values(frame, own))
    out["household_id"] = frame["household_id"]
    if source == "ledger" and "户编号" in frame.columns:
        out["household_id"] = coalesce(frame["household_id"], frame["户编号"])
    out["id_number"] = frame["证件号码"]
    out["name"] = frame["姓名"] if "姓名" in frame.columns else pd.Series(pd.NA, index=index, dtype="string")
    out["file"], out["row"] = frame["_file"], frame["_row"]
    return pd.DataFrame(out, index=index)


def household_values(ctx: RuleContext, frame: pd.DataFrame, column: str) -> pd.Series:
    """ctx.households[column] of each row's system household (NA when none)."""
    household = frame["_household"].to_numpy()
    values = ctx.households[column].astype("string")
    if not len(values):
        return pd.Series(pd.NA, index=frame.index, dtype="string")
    return pd.Series(values.array.take(household, allow_fill=True), index=frame.index)


def own_values(frame: pd.DataFrame, column: str) -> pd.Series:
    return (frame[column].astype("string") if column in frame.columns
            else pd.Series(pd.NA, index=frame.index, dtype="string"))


def located_in(ctx: RuleContext, source: str, places: pd.DataFrame) -> pd.DataFrame:
    """Rows whose located (township, village) is one of `places`: those two
    and the columns a suggestion reads (id_suggest.candidates)."""
    frame = ctx.source(source)
    household = frame["_household"].to_numpy()

    def could_be(column: str, own: str) -> np.ndarray:
        theirs = np.r_[ctx.households[column].isin(places[column]).fillna(False).to_numpy(bool), False]
        mine = own_values(frame, own).isin(places[column]).fillna(False).to_numpy(bool)
        return theirs[household] | mine  # NONE (-1) reads the appended False

    # Cheap superset first (each of the two values is the household's or the row's own), then the exact pair.
    maybe = np.flatnonzero(could_be("township", "乡镇") & could_be("village", "行政村"))
    rows = rows_at(frame, maybe, [c for c in ("_household", "乡镇", "行政村", "_name_key", "姓名", "证件号码", "_id_valid")
                                  if c in frame.columns])
    located_place = pd.DataFrame({column: coalesce(household_values(ctx, rows, column), own_values(rows, own))
                                  for column, own in (("township", "乡镇"), ("village", "行政村"))})
    exact = pd.MultiIndex.from_frame(located_place).isin(pd.MultiIndex.from_frame(places[["township", "village"]]))
    read = [c for c in ("_name_key", "姓名", "证件号码", "_id_valid") if c in rows.columns]
    return pd.concat([located_place, rows[read]], axis=1)[exact]


def ledger_villages(ctx: RuleContext) -> pd.MultiIndex:
    """(township, village) pairs that have ledger rows: the ledger's own and
    those of the system households its rows map to (built once per context)."""
    return shared(ctx, "identity.ledger_villages", _ledger_villages)


def _ledger_villages(ctx: RuleContext) -> pd.MultiIndex:
    ledger = ctx.source("ledger")
    own = pd.DataFrame({"_household": ledger["_household"], "乡镇": own_values(ledger, "乡镇"),
                        "行政村": own_values(ledger, "行政村")})
    # A row's place depends only on (household, own township, own village): place each combination once.
    combos = own.drop_duplicates()
    pairs = [pd.DataFrame({column: coalesce(household_values(ctx, combos, column), own_values(combos, mine))
                           for column, mine in (("township", "乡镇"), ("village", "行政村"))}),
             combos[["乡镇", "行政村"]].set_axis(["township", "village"], axis=1)]
    # An unknown place is "" on both sides: rows of unplaced households still count.
    return pd.MultiIndex.from_frame(pd.concat(pairs).astype("string").fillna("").drop_duplicates())


def in_villages(frame: pd.DataFrame, villages: pd.MultiIndex) -> pd.Series:
    places = frame[["township", "village"]].astype("string").fillna("")
    return pd.Series(pd.MultiIndex.from_frame(places).isin(villages), index=frame.index)


@rule("ID01", level="row", severity="high", key=("file", "row"), title="证件号码无效", **IDENTITY)
def invalid_id(ctx: RuleContext) -> pd.DataFrame:
    person = links(ctx).person
    bad = pd.concat([located(ctx, source, np.flatnonzero(person[source] == NONE)).assign(source=source)
                     for source in ("system", "ledger")], ignore_index=True)
    if bad.empty:
        return empty_findings()
    places = bad[["township", "village"]].dropna().drop_duplicates()
    pools = {source: located_in(ctx, source, places) for source in ("system", "ledger")}
    hint = suggest(ctx, bad, pools).reindex(bad.index)
    raw = bad["_id_raw"].astype("string").fillna("")
    reason = bad["_id_problem"].astype("string").fillna("证件号码无效").str.removeprefix("证件号码")
    empty = raw.str.strip() == ""
    who = text(bad["name"]).where(text(bad["name"]) != "", "该成员")
    message = np.where(empty, who + "的证件号码为空，请补录",
                       who + '的证件号码"' + text(mask_id(raw)) + '"无效（' + reason + "），请核对后更正")
    message = pd.Series(message, index=bad.index, dtype="string")
    note = np.where(hint["fuzzy"].eq(True).to_numpy(bool), "（姓名相近，系统建议，请核实）", "（系统建议，请核实）")
    suggestion = "；疑似正确证件号码为 " + text(mask_id(hint["suggested"])) + note
    message = message.where(hint["suggested"].isna(), message.str.removesuffix("，请核对后更正") + suggestion)
    bad = bad.assign(id_number=raw, message=message, field="证件号码", actual=raw.where(hint["suggested"].notna()),
                     expected=hint["suggested"])
    return findings(bad)


@rule("ID02", level="person", severity="high", key=("id_number", "source"), title="证件号码重复", **IDENTITY)
def duplicate_id(ctx: RuleContext) -> pd.DataFrame:
    parts = []
    for source in ("system", "ledger"):
        person = links(ctx).person[source]
        times = np.bincount(person[person != NONE], minlength=len(ctx.people))
        doubled = located(ctx, source, np.flatnonzero((person != NONE) & (times[np.maximum(person, 0)] > 1)))
        where = (doubled.dropna(subset=["household_id"]).drop_duplicates(["id_number", "household_id"])
                 .groupby("id_number")["household_id"].agg("、".join))
        first = doubled.drop_duplicates("id_number")
        first = first.assign(times=first["id_number"].map(doubled["id_number"].value_counts()))
        message = (text(first["name"]) + "（证件号码" + text(mask_id(first["id_number"])) + "）在" + SOURCE_LABEL[source]
                   + "中出现" + text(first["times"]) + "次（户编号 " + text(first["id_number"].map(where)) + "），请删除重复记录")
        parts.append(findings(first.assign(source=source, field="证件号码", actual=first["times"], message=message,
                                           file=pd.NA, row=pd.NA)))
    return pd.concat(parts, ignore_index=True)


def both(ctx: RuleContext) -> pd.DataFrame:
    """Persons on a system row and a ledger row (valid IDs): system_row and
    ledger_row (their first rows), household and ledger_household (the system
    household codes each side puts them in), registered (on a member row)."""
    return shared(ctx, "identity.both", _both)


def _both(ctx: RuleContext) -> pd.DataFrame:
    people = links(ctx).people
    pairs = people[(people["system_row"] != NONE).to_numpy() & (people["ledger_row"] != NONE).to_numpy()]
    pairs = pairs.sort_values("system_row")  # findings in system row order
    return pairs.assign(registered=links(ctx).registered_person[pairs.index.to_numpy()])


def name_as_read(ctx: RuleContext, source: str, positions: np.ndarray) -> np.ndarray:
    frame = ctx.source(source)
    names = frame["_name_key"] if "_name_key" in frame.columns else frame["姓名"]
    return names.astype("string").take(positions).array


@rule("ID03", level="person", severity="medium", key=("id_number",), title="姓名不一致", **IDENTITY)
def name_differs(ctx: RuleContext) -> pd.DataFrame:
    pairs = both(ctx)
    pairs = pairs[pairs["registered"].to_numpy()]
    system_name = name_as_read(ctx, "system", pairs["system_row"].to_numpy())
    ledger_name = name_as_read(ctx, "ledger", pairs["ledger_row"].to_numpy())
    # Equal names as read are equal once folded: only the others go through name_key.
    pairs = pairs[~(system_name == ledger_name).fillna(False).to_numpy(bool)]
    compared = [name_key(pd.DataFrame({"_name_key": name_as_read(ctx, source, pairs[f"{source}_row"].to_numpy())},
                                      dtype="string")) for source in ("system", "ledger")]
    pairs = pairs[(compared[0] != compared[1]).fillna(False).to_numpy(bool)]
    rows = located(ctx, "system", pairs["system_row"].to_numpy())
    ledger_name = pd.Series(located(ctx, "ledger", pairs["ledger_row"].to_numpy())["name"].astype("string").array,
                            index=rows.index)
    message = ("证件号码" + text(mask_id(rows["id_number"])) + "的姓名系统为" + text(rows["name"]) + "、台账为"
               + text(ledger_name) + "，请核实后统一")
    return findings(rows.assign(source="system|ledger", field="姓名", expected=rows["name"], actual=ledger_name,
                                message=message, file=pd.NA, row=pd.NA))


@rule("ID04", level="person", severity="high", key=("id_number",), title="系统有台账无", **IDENTITY)
def missing_from_ledger(ctx: RuleContext) -> pd.DataFrame:
    # A village with no ledger rows at all is one LED01 finding, not one ID04 per member.
    found = links(ctx)
    absent = found.registered_person & (found.people["ledger_row"] == NONE).to_numpy()
    member_row = first_rows(found.person["system"], len(found.people), found.member_rows)
    members = located(ctx, "system", np.sort(member_row[absent]))
    members = members[in_villages(members, ledger_villages(ctx)).to_numpy()]
    message = text(members["name"]) + "在系统中（户编号 " + text(members["household_id"]) + "），但村级台账中没有此人，请核实并补录台账"
    return findings(members.assign(source="system|ledger", message=message, file=pd.NA, row=pd.NA))


@rule("ID05", level="person", severity="high", key=("id_number",), title="台账有系统无", **IDENTITY)
def missing_from_system(ctx: RuleContext) -> pd.DataFrame:
    found = links(ctx)
    in_scope_row = first_rows(found.person["ledger"], len(found.people), found.ledger_rows)
    absent = (in_scope_row != NONE) & (found.people["system_row"] == NONE).to_numpy()
    rows = located(ctx, "ledger", np.sort(in_scope_row[absent]))
    message = text(rows["name"]) + "在村级台账中，但系统中没有此人，请核实是否应录入系统"
    return findings(rows.assign(source="system|ledger", message=message))


@rule("ID06", level="person", severity="medium", key=("id_number",), title="户籍归属不一致", **IDENTITY)
def other_household(ctx: RuleContext) -> pd.DataFrame:
    pairs = both(ctx)
    system_side, ledger_side = pairs["household"].to_numpy(), pairs["ledger_household"].to_numpy()
    registered = links(ctx).registered
    differs = ((system_side != NONE) & (ledger_side != NONE) & (system_side != ledger_side)
               & (registered[np.maximum(system_side, 0)] | registered[np.maximum(ledger_side, 0)]))
    pairs = pairs[differs]
    rows = located(ctx, "system", pairs["system_row"].to_numpy())
    ledger_household = pd.Series(ctx.households["household_id"].take(pairs["ledger_household"].to_numpy()).array,
                                 index=rows.index)
    message = (text(rows["name"]) + "在系统中属户编号 " + text(rows["household_id"]) + "，台账却把其列在对应户编号 "
               + text(ledger_household) + " 的户中，请核实家庭成员归属")
    return findings(rows.assign(source="system|ledger", field="户编号", expected=rows["household_id"],
                                actual=ledger_household, message=message, file=pd.NA, row=pd.NA))


def person_facts(ctx: RuleContext) -> pd.DataFrame:
    """Per person code: male (bool) and the birth date (datetime64[D]) their ID encodes."""
    return shared(ctx, "identity.person_facts", _person_facts, copy=False)


def _person_facts(ctx: RuleContext) -> pd.DataFrame:
    # Characters 7–17 of a valid ID are digits: yyyymmdd and a sequence whose last digit is odd for men.
    # Validation (recon.ids) already rejected impossible birth dates, so plain arithmetic builds them.
    ids = pa.array(ctx.people["id_number"].astype("string").array)
    digits = pc.cast(pc.utf8_slice_codeunits(ids, 6, 17), pa.int64()).to_numpy()
    day = digits // 1000
    years = np.asarray(day // 10000 - 1970, dtype="datetime64[Y]")
    birth = (years.astype("datetime64[M]") + (day // 100 % 100 - 1)).astype("datetime64[D]") + (day % 100 - 1)
    return pd.DataFrame({"male": digits % 2 == 1, "birth": birth})


@rule("ID07", level="person", severity="low", key=("id_number", "source"), title="性别或出生日期与证件号码不符", **IDENTITY)
def sex_or_birth_contradicts(ctx: RuleContext) -> pd.DataFrame:
    found, facts = links(ctx), person_facts(ctx)
    parts = []
    for source, positions in (("system", found.member_rows), ("ledger", found.ledger_rows)):
        frame = ctx.source(source)
        person = found.person[source][positions]
        positions, person = positions[person != NONE], person[person != NONE]
        id_male, id_birth = facts["male"].to_numpy()[person], facts["birth"].to_numpy()[person]
        sex = (frame["性别"].astype("string").take(positions) if "性别" in frame.columns
               else pd.Series(pd.NA, index=range(len(positions)), dtype="string"))
        birth = (frame["出生日期"].to_numpy(dtype="datetime64[ns]")[positions].astype("datetime64[D]")
                 if "出生日期" in frame.columns else np.full(len(positions), np.datetime64("NaT"), dtype="datetime64[D]"))
        sex_wrong = (sex.notna() & ((sex == "男") != id_male)).fillna(False).to_numpy(bool)
        birth_wrong = ~np.isnat(birth) & (birth != id_birth)
        # Texts only for the rows that fire; one row per person (their first that fires).
        wrong = np.flatnonzero(sex_wrong | birth_wrong)
        first = first_rows(person[wrong], len(facts))
        pick = wrong[np.sort(first[first != NONE])]
        rows = located(ctx, source, positions[pick])
        sex_wrong, birth_wrong = sex_wrong[pick], birth_wrong[pick]
        id_sex = pd.Series(np.where(id_male[pick], "男", "女"), index=rows.index, dtype="string")
        sex = pd.Series(sex.array.take(pick), index=rows.index)
        birth_text, id_birth_text = (pd.Series(pd.to_datetime(dates[pick]), index=rows.index).dt.strftime("%Y-%m-%d")
                                     .astype("string") for dates in (birth, id_birth))
        field = np.select([sex_wrong & birth_wrong, sex_wrong], ["性别、出生日期", "性别"], "出生日期")
        expected = np.select([sex_wrong & birth_wrong, sex_wrong], [id_sex + "、" + id_birth_text, id_sex], id_birth_text)
        actual = np.select([sex_wrong & birth_wrong, sex_wrong], [sex + "、" + birth_text, sex], birth_text)
        rows = rows.assign(field=field, expected=expected, actual=actual)
        message = (text(rows["name"]) + "的" + text(rows["field"]) + "在" + SOURCE_LABEL[source] + "中为" + text(rows["actual"])
                   + "，与证件号码显示的" + text(rows["expected"]) + "不符，请核实")
        parts.append(findings(rows.assign(source=source, message=message)))
    return pd.concat(parts, ignore_index=True)


def household_parts(ctx: RuleContext) -> list[tuple[str, pd.DataFrame]]:
    """(source, households in scope) with household_id for findings (built once per context)."""
    return shared(ctx, "identity.household_parts", _household_parts, copy=False)


def _household_parts(ctx: RuleContext) -> list[tuple[str, pd.DataFrame]]:
    system = ctx.households[ctx.households["registered"]]
    ledger = ledger_households_in_scope(ctx)
    ledger = ledger.assign(household_id=ledger_household_label(ctx, ledger))
    return [("system", system), ("ledger", ledger)]
def household_findings(frame: pd.DataFrame, **columns) -> pd.DataFrame:
    return findings(frame.assign(id_number=frame["head_id"], name=frame["head_name"], **columns)
                    .drop_duplicates(["household_id"]))


def who(frame: pd.DataFrame) -> pd.Series:
    """户主X家 or 户编号Y (a household without a head)."""
    return ("户主" + text(frame["head_name"]) + "家").where(frame["head_name"].notna(), "户编号 " + text(frame["household_id"]))


@rule("HH01", level="household", severity="medium", key=("household_id", "source"), title="家庭人数与成员数不符",
      needs=(("system", ("人数",)),), **HOUSEHOLD)
def size_differs(ctx: RuleContext) -> pd.DataFrame:
    parts = []
    for source, frame in household_parts(ctx):
        if "人数" not in frame.columns:
            continue
        frame = frame[(frame["人数"].notna() & (frame["人数"] != frame["member_rows"])).fillna(False).to_numpy(bool)]
        message = (who(frame) + "在" + SOURCE_LABEL[source] + "中登记人数为" + text(frame["人数"]) + "人，但有"
                   + text(frame["member_rows"]) + "条成员记录，请核实")
        parts.append(household_findings(frame, source=source, field="人数", expected=frame["member_rows"],
                                        actual=frame["人数"], message=message))
    return pd.concat(parts, ignore_index=True) if parts else empty_findings()


@rule("HH02", level="household", severity="medium", key=("household_id", "source"), title="户主人数不为一",
      needs=(("system", ("与户主关系",)),), **HOUSEHOLD)
def head_count_wrong(ctx: RuleContext) -> pd.DataFrame:
    parts = []
    for source, frame in household_parts(ctx):
        frame = frame[(frame["head_count"] != 1).fillna(False).to_numpy(bool)]
        message = (who(frame) + "在" + SOURCE_LABEL[source] + "中有" + text(frame["head_count"])
                   + "名成员与户主关系为户主，应有且只有一名，请核实")
        parts.append(household_findings(frame, source=source, field="与户主关系", expected="1",
                                        actual=frame["head_count"], message=message))
    return pd.concat(parts, ignore_index=True)


def shown(values: pd.Series) -> pd.Series:
    """Values as a clerk reads them (booleans as 是/否)."""
    if pd.api.types.is_bool_dtype(values.dtype):
        flags = values.astype("boolean")
        return pd.Series(np.where(flags.fillna(False).to_numpy(bool), "是", "否"), index=values.index,
                         dtype="string").where(flags.notna())
    return values.astype("string")


@rule("HH03", level="household", severity="medium", key=("household_id", "field"), title="户类型或风险状态不一致",
      needs=(("system", ("户类型",)),), **HOUSEHOLD)
def type_differs(ctx: RuleContext) -> pd.DataFrame:
    households = ctx.households
    shown_columns = ["household_id", "county", "township", "village", "head_id", "head_name", "户类型", "风险是否消除"]
    system = households[[c for c in shown_columns if c in households.columns]][households["registered"].to_numpy(bool)]
    # Joined on household codes (row i of households is code i), the ledger side narrowed to the compared fields.
    mapped = mapped_households(ctx)
    compared = [f for f in ("户类型", "风险是否消除") if f in ctx.ledger_households.columns]
    ledger = ctx.ledger_households[compared].assign(_code=mapped)[mapped != NONE]
    pairs = system.assign(_code=system.index.to_numpy()).merge(ledger, on="_code", suffixes=("", "_ledger"))
    parts = []
    for field in ("户类型", "风险是否消除"):
        if field not in system.columns or f"{field}_ledger" not in pairs.columns:
            continue
        expected, actual = shown(pairs[field]), shown(pairs[f"{field}_ledger"])
        differs = pairs[(expected.notna() & actual.notna() & (expected != actual)).fillna(False).to_numpy(bool)]
        expected, actual = expected[differs.index], actual[differs.index]
        message = who(differs) + "的" + field + "系统为" + text(expected) + "、台账为" + text(actual) + "，请核实后统一"
        parts.append(household_findings(differs, source="system|ledger", field=field, expected=expected,
                                        actual=actual, message=message))
    return pd.concat(parts, ignore_index=True) if parts else empty_findings()


@rule("LED01", level="village", severity="high", key=("township", "village"), title="村级台账缺失", **IDENTITY)
def village_without_ledger(ctx: RuleContext) -> pd.DataFrame:
    registered = ctx.households[ctx.households["registered"]]
    villages = (registered.groupby(["township", "village"], dropna=False, as_index=False)
                .agg(county=("county", "first"), households=("household_id", "size")))
    villages = villages[~in_villages(villages, ledger_villages(ctx))]
    message = (text(villages["township"]) + text(villages["village"]) + "在系统中有" + text(villages["households"])
               + "户脱贫户或监测户，但没有收到该村的村级台账，请补报")
    return findings(villages.assign(source="system|ledger", message=message))


@rule("HUK01", level="person", severity="high", key=("id_number",), title="已注销人员仍在户内",
      needs=(("hukou", ("户籍状态", "注销日期")),), **IDENTITY)
def deregistered_member(ctx: RuleContext) -> pd.DataFrame:
    found = links(ctx)
    member_row = first_rows(found.person["system"], len(found.people), found.member_rows)
    gone = (member_row != NONE) & found.people["id_number"].isin(deregistered_ids(ctx)).to_numpy(bool)
    members = located(ctx, "system", np.sort(member_row[gone]))
    message = text(members["name"]) + "已在户籍系统中死亡或迁出注销，但仍是户编号 " + text(members["household_id"]) + " 的成员，请核实后标注或删除"
    return findings(members.assign(source="system|hukou", message=message, file=pd.NA, row=pd.NA))
