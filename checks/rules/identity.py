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

The rules work on recon.match's integer codes and its people table through
checks/rules/people.py: a rule selects row positions with numpy and only the
rows that fire become text.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from checks.rules.base import RuleContext, empty_findings, findings, rule
from checks.rules.common import (column, deregistered_ids, first_member_rows, ledger_household_label,
                                 ledger_households_in_scope, mapped_households, shared)
from checks.rules.id_suggest import name_key, suggest
from checks.rules.people import both, in_villages, ledger_villages, links, located, located_in, name_as_read, person_facts
from recon.household_kinds import MONITORED_TYPE, says_monitored, says_poverty
from recon.ids import mask_id
from recon.match import NONE, at, coalesce, first_rows

IDENTITY = dict(group="identity", category="身份信息")
HOUSEHOLD = dict(group="identity", category="家庭与收入")
SOURCE_LABEL = {"system": "系统", "ledger": "台账"}


def text(values) -> pd.Series:
    return pd.Series(values).astype("string").fillna("")


@rule("ID01", level="row", severity="high", key=("file", "row"), title="证件号码无效", **IDENTITY)
def invalid_id(ctx: RuleContext) -> pd.DataFrame:
    person = links(ctx).person
    bad = pd.concat([located(ctx, source, np.flatnonzero(person[source] == NONE)).assign(source=source)
                     for source in ("system", "ledger")], ignore_index=True)
    if bad.empty:
        return empty_findings()
    # A row's suggestion comes from the other sources: each pool only from the villages of the other's bad rows.
    pools = {source: located_in(ctx, source, bad.loc[bad["source"] != source, ["township", "village"]].dropna()
                                .drop_duplicates()) for source in ("system", "ledger")}
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
        doubled = located(ctx, source, np.flatnonzero(at(times, person, 0) > 1))
        where = (doubled.dropna(subset=["household_id"]).drop_duplicates(["id_number", "household_id"])
                 .groupby("id_number")["household_id"].agg("、".join))
        first = doubled.drop_duplicates("id_number")
        first = first.assign(times=first["id_number"].map(doubled["id_number"].value_counts()))
        message = (text(first["name"]) + "（证件号码" + text(mask_id(first["id_number"])) + "）在" + SOURCE_LABEL[source]
                   + "中出现" + text(first["times"]) + "次（户编号 " + text(first["id_number"].map(where)) + "），请删除重复记录")
        parts.append(findings(first.assign(source=source, field="证件号码", actual=first["times"], message=message,
                                           file=pd.NA, row=pd.NA)))
    return pd.concat(parts, ignore_index=True)


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
    members = located(ctx, "system", np.sort(first_member_rows(ctx)[absent]))
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
               & (at(registered, system_side, False) | at(registered, ledger_side, False)))
    pairs = pairs[differs]
    rows = located(ctx, "system", pairs["system_row"].to_numpy())
    ledger_household = pd.Series(ctx.households["household_id"].take(pairs["ledger_household"].to_numpy()).array,
                                 index=rows.index)
    message = (text(rows["name"]) + "在系统中属户编号 " + text(rows["household_id"]) + "，台账却把其列在对应户编号 "
               + text(ledger_household) + " 的户中，请核实家庭成员归属")
    return findings(rows.assign(source="system|ledger", field="户编号", expected=rows["household_id"],
                                actual=ledger_household, message=message, file=pd.NA, row=pd.NA))


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


def type_shown(households: pd.DataFrame) -> pd.Series:
    """户类型 as a clerk reads it, with the 监测对象类别 that makes a 脱贫户 or
    一般农户 monitored: 一般农户（边缘易致贫户）; 监测户 as written."""
    types = column(households, "户类型").astype("string")
    category = column(households, "监测对象类别").astype("string")
    with_category = (types + "（" + category + "）").where(types != MONITORED_TYPE, types)
    return coalesce(with_category.where(category.notna(), types), category)


def type_differs_mask(system: pd.DataFrame, ledger: pd.DataFrame) -> pd.Series:
    """RULES.md HH03 on 户类型: one side says monitored and the other not, or
    one says 脱贫户 and the other 一般农户 (监测户 says nothing on 脱贫户)."""
    facets = [(says_monitored(system), says_monitored(ledger)), (says_poverty(system), says_poverty(ledger))]
    differs = pd.Series(False, index=system.index)
    for own, theirs in facets:
        theirs = pd.Series(theirs.array, index=own.index)
        differs |= (own != theirs).fillna(False).astype(bool)   # NA on either side: says nothing
    return differs


@rule("HH03", level="household", severity="medium", key=("household_id", "field"), title="户类型或风险状态不一致",
      needs=(("system", ("户类型",)),), **HOUSEHOLD)
def type_differs(ctx: RuleContext) -> pd.DataFrame:
    households = ctx.households
    shown_columns = ["household_id", "county", "township", "village", "head_id", "head_name", "户类型", "监测对象类别",
                     "风险是否消除"]
    system = households[[c for c in shown_columns if c in households.columns]][households["registered"].to_numpy(bool)]
    # Joined on household codes (row i of households is code i), the ledger side narrowed to the compared fields.
    mapped = mapped_households(ctx)
    compared = [f for f in ("户类型", "监测对象类别", "风险是否消除") if f in ctx.ledger_households.columns]
    ledger = ctx.ledger_households[compared].add_suffix("_ledger").assign(_code=mapped)[mapped != NONE]
    pairs = system.assign(_code=system.index.to_numpy()).merge(ledger, on="_code")
    ledger_side = pairs[[f"{f}_ledger" for f in compared]].set_axis(compared, axis=1)
    parts = []
    if "户类型" in pairs.columns and "户类型" in compared:
        differs = type_differs_mask(pairs, ledger_side)
        parts.append(_hh03_findings(pairs[differs.to_numpy()], "户类型", type_shown(pairs)[differs],
                                    type_shown(ledger_side)[differs]))
    if "风险是否消除" in pairs.columns and "风险是否消除" in compared:
        expected, actual = shown(pairs["风险是否消除"]), shown(ledger_side["风险是否消除"])
        differs = (expected.notna() & actual.notna() & (expected != actual)).fillna(False).to_numpy(bool)
        parts.append(_hh03_findings(pairs[differs], "风险是否消除", expected[differs], actual[differs]))
    return pd.concat(parts, ignore_index=True) if parts else empty_findings()


def _hh03_findings(differs: pd.DataFrame, field: str, expected: pd.Series, actual: pd.Series) -> pd.DataFrame:
    message = who(differs) + "的" + field + "系统为" + text(expected) + "、台账为" + text(actual) + "，请核实后统一"
    return household_findings(differs, source="system|ledger", field=field, expected=expected, actual=actual,
                              message=message)


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
    member_row = first_member_rows(ctx)
    gone = (member_row != NONE) & ctx.people["id_number"].isin(deregistered_ids(ctx)).to_numpy(bool)
    members = located(ctx, "system", np.sort(member_row[gone]))
    message = text(members["name"]) + "已在户籍系统中死亡或迁出注销，但仍是户编号 " + text(members["household_id"]) + " 的成员，请核实后标注或删除"
    return findings(members.assign(source="system|hukou", message=message, file=pd.NA, row=pd.NA))
