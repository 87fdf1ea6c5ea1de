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

from checks.rules.base import RuleContext, empty_findings, findings, group, rule
from checks.rules.common import (SOURCE_LABEL, column, deregistered_ids, first_member_rows, ledger_household_label,
                                 ledger_households_in_scope, mapped_households, shared, text)
from checks.rules.id_suggest import name_key, suggest
from checks.rules.people import both, in_villages, ledger_villages, links, located, located_in, name_as_read, person_facts
from recon.household_kinds import MONITORED_TYPE, says_monitored, says_poverty
from recon.ids import mask_id
from recon.match import NONE, at, coalesce, first_rows

GROUP = group("identity", order=10, title="身份与家庭结构 / identity and household structure", category="身份信息")

IDENTITY = dict(group=GROUP)
HOUSEHOLD = dict(group=GROUP, category="家庭与收入")


ID01_MEANING = (
    "系统或村级台账中这一行的证件号码为空，或者不是有效的身份证号码：位数不对、号码里的出生日期不存在、"
    "最后一位校验码对不上，或者号码在 Excel 里存成了数字格式（18 位号码存成数字后，后几位已经丢失，"
    "无法还原）。号码不对，这个人就没法和台账、各部门的数据对上。")
ID01_ACTION = (
    "按问题中的文件名和行号找到这一行，对照身份证或户口簿改正号码；存成数字的，先把这一列设成“文本”格式，"
    "再重新录入完整号码。问题描述中给出的“疑似正确证件号码”是程序按姓名和同村数据推测的，必须对照原件"
    "确认后才能使用。确实没有身份证号码的（如新生儿尚未落户），在核实说明中写明情况后可标“核实无误”；"
    "其他情况都应改正。")


@rule("ID01", level="row", severity="high", key=("file", "row"), title="证件号码无效", **IDENTITY,
      meaning=ID01_MEANING, action=ID01_ACTION)
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


ID02_MEANING = (
    "同一个证件号码在系统中（或在台账中）出现了不止一行，也就是同一个人被录了两次，可能在同一户里，"
    "也可能挂在两个户里。系统和台账分别检查，各报一条。")
ID02_ACTION = (
    "按问题描述中列出的户编号找到重复的记录，向村里核实此人实际属于哪一户，删除多余的记录；如果其实是"
    "两个人，说明其中一人的号码录错了，对照户口簿改正。这类问题必须改正，不应标“核实无误”。")


@rule("ID02", level="person", severity="high", key=("id_number", "source"), title="证件号码重复", **IDENTITY,
      meaning=ID02_MEANING, action=ID02_ACTION)
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


ID03_MEANING = (
    "同一个证件号码，系统中的姓名和台账中的姓名不一样（空格、少数民族姓名中间点的写法不同不算）。"
    "常见原因是错别字、同音字、改过名，或者号码录到了别人名下。")
ID03_ACTION = (
    "对照身份证或户口簿确认正确的姓名，改正写错的一边；如果两个姓名都没错、只是号码录成了别人的，"
    "要改正号码。两边应当一致，一般不标“核实无误”。")


@rule("ID03", level="person", severity="medium", key=("id_number",), title="姓名不一致", **IDENTITY,
      meaning=ID03_MEANING, action=ID03_ACTION)
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


ID04_MEANING = (
    "脱贫户或监测户的某个成员在系统中有，村级台账中却没有这个人。只在报了台账的村检查；整个村都没有"
    "台账的，只报一条 LED01，不逐人报。")
ID04_ACTION = (
    "向村里核实此人现在是否还是这一户的成员：是的，补录进台账；已去世、迁出、出嫁等不再是成员的，"
    "按程序在系统中办理减员。也要看看台账中是否把此人的证件号码写错了（这时往往同时有一条 ID05）。")


@rule("ID04", level="person", severity="high", key=("id_number",), title="系统有台账无", **IDENTITY,
      meaning=ID04_MEANING, action=ID04_ACTION)
def missing_from_ledger(ctx: RuleContext) -> pd.DataFrame:
    # A village with no ledger rows at all is one LED01 finding, not one ID04 per member.
    found = links(ctx)
    absent = found.registered_person & (found.people["ledger_row"] == NONE).to_numpy()
    members = located(ctx, "system", np.sort(first_member_rows(ctx)[absent]))
    members = members[in_villages(members, ledger_villages(ctx)).to_numpy()]
    message = text(members["name"]) + "在系统中（户编号 " + text(members["household_id"]) + "），但村级台账中没有此人，请核实并补录台账"
    return findings(members.assign(source="system|ledger", message=message, file=pd.NA, row=pd.NA))


ID05_MEANING = (
    "台账中的某个人，在系统中查不到（按证件号码查）。可能是系统漏录了新增人口，也可能是台账中的号码"
    "写错了，或者台账里还留着已经减员的人。")
ID05_ACTION = (
    "先对照户口簿核对台账中的证件号码；号码没错、确实是该户成员的，按程序在系统中增加该成员；"
    "已不是成员的，从台账中删去。")


@rule("ID05", level="person", severity="high", key=("id_number",), title="台账有系统无", **IDENTITY,
      meaning=ID05_MEANING, action=ID05_ACTION)
def missing_from_system(ctx: RuleContext) -> pd.DataFrame:
    found = links(ctx)
    in_scope_row = first_rows(found.person["ledger"], len(found.people), found.ledger_rows)
    absent = (in_scope_row != NONE) & (found.people["system_row"] == NONE).to_numpy()
    rows = located(ctx, "ledger", np.sort(in_scope_row[absent]))
    message = text(rows["name"]) + "在村级台账中，但系统中没有此人，请核实是否应录入系统"
    return findings(rows.assign(source="system|ledger", message=message))


ID06_MEANING = (
    "同一个人在系统和台账中都有，但被放在了不同的户里：台账把此人列在另一户中，而那一户在系统中是"
    "另一个户编号。常见于分户、合户、婚嫁后只改了一边。")
ID06_ACTION = (
    "向村里核实此人现在实际属于哪一户，以户籍和实际居住情况为准，改正系统或台账中的家庭成员归属，"
    "使两边一致。")


@rule("ID06", level="person", severity="medium", key=("id_number",), title="户籍归属不一致", **IDENTITY,
      meaning=ID06_MEANING, action=ID06_ACTION)
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


ID07_MEANING = (
    "系统或台账中填的性别或出生日期，与证件号码本身不符。身份证号码的第 7–14 位是出生日期，第 17 位"
    "单数为男、双数为女。要么性别或出生日期填错了，要么号码错了。系统和台账分别检查，各报一条。")
ID07_ACTION = (
    "对照身份证或户口簿：号码对的，按号码改正性别或出生日期；号码错的，改正号码。问题中写明了是系统"
    "还是台账，改那一边。")


@rule("ID07", level="person", severity="low", key=("id_number", "source"), title="性别或出生日期与证件号码不符", **IDENTITY,
      meaning=ID07_MEANING, action=ID07_ACTION)
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


HH01_MEANING = (
    "一户登记的“人数”与实际列出的成员条数不一致，例如人数写 4 人，却只有 3 条成员记录。"
    "系统和台账分别检查。")
HH01_ACTION = (
    "核实这一户现在几口人：漏录或多录了成员的，补录或删除成员记录；增减人口后人数没有跟着改的，"
    "改正人数。人数变了，人均纯收入往往也要重算（见 INC02）。")


@rule("HH01", level="household", severity="medium", key=("household_id", "source"), title="家庭人数与成员数不符",
      needs=(("system", ("人数",)),), **HOUSEHOLD,
      meaning=HH01_MEANING, action=HH01_ACTION)
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


HH02_MEANING = (
    "一户中“与户主关系”填为户主的人不是正好一个：要么没有户主，要么有两个以上户主。"
    "系统和台账分别检查。")
HH02_ACTION = (
    "核实谁是户主，把其他人的与户主关系改正（如配偶、之子、之女）；没有户主的补上。原户主去世或"
    "迁出的，按程序变更户主。")


@rule("HH02", level="household", severity="medium", key=("household_id", "source"), title="户主人数不为一",
      needs=(("system", ("与户主关系",)),), **HOUSEHOLD,
      meaning=HH02_MEANING, action=HH02_ACTION)
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

HH03_MEANING = (
    "同一户在系统和台账中的户类型不一致——一边是监测户、另一边不是，或者一边是脱贫户、另一边是"
    "一般农户（台账只写“监测户”时，不拿它判断是不是脱贫户）；或者“风险是否消除”不一致。"
    "户类型和风险是否消除各报一条。")
HH03_ACTION = (
    "以系统中按程序认定的结果为准：台账没有随识别纳入、风险消除及时更新的，改台账；系统录错的，"
    "按程序在系统中改正。")


@rule("HH03", level="household", severity="medium", key=("household_id", "field"), title="户类型或风险状态不一致",
      needs=(("system", ("户类型",)),), **HOUSEHOLD,
      meaning=HH03_MEANING, action=HH03_ACTION)
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


LED01_MEANING = (
    "系统中这个村有脱贫户或监测户，但这次收到的村级台账里没有这个村的任何一行。多数情况是台账漏报，"
    "或者台账中的乡镇、村名与系统写法不一样。")
LED01_ACTION = (
    "请乡镇督促该村把台账补报上来，放进下次数据的 ledger/ 文件夹；同时检查台账中的乡镇、行政村名称"
    "是否与系统一字不差（如“XX村”与“XX村委会”会被当成两个村）。")


@rule("LED01", level="village", severity="high", key=("township", "village"), title="村级台账缺失", **IDENTITY,
      meaning=LED01_MEANING, action=LED01_ACTION)
def village_without_ledger(ctx: RuleContext) -> pd.DataFrame:
    registered = ctx.households[ctx.households["registered"]]
    villages = (registered.groupby(["township", "village"], dropna=False, as_index=False)
                .agg(county=("county", "first"), households=("household_id", "size")))
    villages = villages[~in_villages(villages, ledger_villages(ctx))]
    message = (text(villages["township"]) + text(villages["village"]) + "在系统中有" + text(villages["households"])
               + "户脱贫户或监测户，但没有收到该村的村级台账，请补报")
    return findings(villages.assign(source="system|ledger", message=message))


HUK01_MEANING = (
    "公安户籍数据显示此人已死亡注销或迁出注销（注销日期在统计截止日期之前），但在系统中仍是"
    "脱贫户或监测户的成员。")
HUK01_ACTION = (
    "向派出所和村里核实：确已死亡或迁出的，按程序在系统中办理减员，并同步修改台账；户籍数据本身"
    "有误的（如错误注销），在核实说明中写明核实经过，可标“核实无误”。")


@rule("HUK01", level="person", severity="high", key=("id_number",), title="已注销人员仍在户内",
      needs=(("hukou", ("户籍状态", "注销日期")),), **IDENTITY,
      meaning=HUK01_MEANING, action=HUK01_ACTION)
def deregistered_member(ctx: RuleContext) -> pd.DataFrame:
    member_row = first_member_rows(ctx)
    gone = (member_row != NONE) & ctx.people["id_number"].isin(deregistered_ids(ctx)).to_numpy(bool)
    members = located(ctx, "system", np.sort(member_row[gone]))
    message = text(members["name"]) + "已在户籍系统中死亡或迁出注销，但仍是户编号 " + text(members["household_id"]) + " 的成员，请核实后标注或删除"
    return findings(members.assign(source="system|hukou", message=message, file=pd.NA, row=pd.NA))
