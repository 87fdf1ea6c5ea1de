"""Internal consistency (逻辑校验): REL01–REL03, HH04, LAB01, LAB02, SCH01,
INS01, PEN01, PHN01, PHN02, RSK01–RSK05 (RULES.md §Internal consistency).

The checks a county runs on the monitoring system's own export before any
bureau's data: for these people this field must agree with that one. Every
rule here reads only system (REL*, HH04 also the ledger: "system and ledger
each"); unknown values never fire. Member tables are built once per context
(checks/rules/common.shared) from recon.match's row positions and codes.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from checks.rules.base import RuleContext, empty_findings, findings, group, rule
from checks.rules.common import (SOURCE_LABEL, column, deregistered_ids, ledger_household_label, members,
                                 person_codes, persons_among, registered_households, shared, text, years_between)
from checks.rules.people import links, located, person_facts
from checks.rules.stages import NOT_IN_SCHOOL, member_stage, school_stage
from recon.ids import mask_phone
from recon.match import NONE, first_rows

GROUP = group("consistency", order=80, title="逻辑校验 / internal consistency", category="逻辑校验")

# RULES.md §Internal consistency: relations that imply a sex, the two generations, labour values.
MALE_RELATIONS = ("子", "孙子", "外孙子", "曾孙子", "父", "父亲", "祖父", "外祖父", "岳父", "公公", "兄", "弟", "兄弟",
                  "女婿", "侄子")
FEMALE_RELATIONS = ("女", "孙女", "外孙女", "曾孙女", "母", "母亲", "祖母", "外祖母", "岳母", "婆婆", "姐", "妹", "姐妹",
                    "儿媳", "侄女")
YOUNGER = ("子", "女", "儿媳", "女婿", "孙子", "孙女", "外孙子", "外孙女", "曾孙子", "曾孙女")
OLDER = ("父", "父亲", "母", "母亲", "岳父", "岳母", "公公", "婆婆", "祖父", "祖母", "外祖父", "外祖母")
LABOURING = ("普通劳动力", "技能劳动力", "弱劳动力或半劳动力")
ABLE_LABOURERS = ("普通劳动力", "技能劳动力")
NO_LABOUR = "无劳动力"
HEALTHY = "健康"
PRESCHOOL = "学龄前儿童"
RISK_COLUMNS = ("致贫原因", "致贫原因2", "致贫原因3", "致贫原因4", "致贫原因5")


def date_text(values) -> pd.Series:
    return pd.Series(pd.DatetimeIndex(values).strftime("%Y-%m-%d"), dtype="string")


# --- Rows of a household, each side (REL01–REL03, HH04) ------------------------------

def side_rows(ctx: RuleContext, source: str) -> pd.DataFrame:
    """The rows the "system and ledger each" rules read on one side: system
    rows of registered households, ledger rows of households in scope; with
    pos (row position), household (the side's household code), relation,
    person (NONE: invalid ID), male and birth by ID, and member (valid ID, not
    deregistered). Built once per context and side."""
    return shared(ctx, f"consistency.rows.{source}", lambda ctx: _side_rows(ctx, source), copy=False)


def _side_rows(ctx: RuleContext, source: str) -> pd.DataFrame:
    frame, found = ctx.source(source), links(ctx)
    if source == "system":
        codes = frame["_household"].to_numpy()
        registered = ctx.households["registered"].to_numpy(bool)
        positions = np.flatnonzero((codes != NONE) & registered[np.maximum(codes, 0)])
    else:
        codes = frame["_ledger_household"].to_numpy()
        positions = found.ledger_rows[codes[found.ledger_rows] != NONE]
    person = found.person[source][positions]
    facts = person_facts(ctx)
    valid = person != NONE
    gone = persons_among(ctx, person_codes(ctx, pd.Series(deregistered_ids(ctx))))
    relation = column(frame, "与户主关系").astype("string").array.take(positions)
    return pd.DataFrame({
        "pos": positions, "household": codes[positions], "relation": relation, "person": person,
        "male": np.where(valid, facts["male"].to_numpy()[np.maximum(person, 0)], False),
        "birth": np.where(valid, facts["birth"].to_numpy()[np.maximum(person, 0)], np.datetime64("NaT")),
        "member": valid & ~gone[person],
    })


def heads(ctx: RuleContext, source: str) -> pd.DataFrame:
    """Per household of side_rows: its 户主 row (the first row whose relation
    is 户主) with the same columns, indexed by household code."""
    rows = side_rows(ctx, source)
    is_head = (rows["relation"] == "户主").fillna(False).to_numpy(bool)
    size = int(rows["household"].max()) + 1 if len(rows) else 0
    first = first_rows(rows["household"].to_numpy(), size, np.flatnonzero(is_head))
    first = first[first != NONE]
    return rows.iloc[first].set_index("household", drop=False)


def known_heads(ctx: RuleContext, source: str) -> pd.DataFrame:
    """heads() whose 证件号码 is valid: the 户主 rules compare by ID, an unknown never fires."""
    head = heads(ctx, source)
    return head[head["person"].to_numpy() != NONE]


def person_findings(ctx: RuleContext, source: str, rows: pd.DataFrame, **columns) -> pd.DataFrame:
    """Findings about the persons of `rows` (side_rows, one per person): their
    place, household, ID, name, file and row, plus `columns` (aligned on rows)."""
    rows = rows.drop_duplicates("person")
    place = located(ctx, source, rows["pos"].to_numpy())
    extra = {name: (value.loc[rows.index].to_numpy() if isinstance(value, pd.Series) else value)
             for name, value in columns.items()}
    return findings(place.assign(source=source, **extra))


def household_findings(ctx: RuleContext, source: str, head_rows: pd.DataFrame, **columns) -> pd.DataFrame:
    """Findings about households (by their 户主 rows): place, household_id
    (ledger: the mapped system 户编号, else its own), the head's ID and name."""
    place = located(ctx, source, head_rows["pos"].to_numpy())
    if source == "ledger":
        place["household_id"] = ledger_household_label(
            ctx, ctx.ledger_households.iloc[head_rows["household"].to_numpy()]).to_numpy()
    extra = {name: (value.loc[head_rows.index].to_numpy() if isinstance(value, pd.Series) else value)
             for name, value in columns.items()}
    return findings(place.assign(source=source, **extra))


def names_at(ctx: RuleContext, source: str, positions: np.ndarray) -> pd.Series:
    return text(column(ctx.source(source), "姓名").astype("string").array.take(positions))


def each_side(build) -> pd.DataFrame:
    parts = [build(source) for source in ("system", "ledger")]
    parts = [part for part in parts if len(part)]
    return pd.concat(parts, ignore_index=True) if parts else empty_findings()


REL01_MEANING = ("成员的“与户主关系”本身带有性别（如子、女、父亲、母亲、儿媳、女婿），但身份证号码第17位显示的性别"
                 "与之相反，例如“之子”的证件号码是女性。系统和台账分别检查。")
REL01_ACTION = ("对照户口簿核实：关系填错的改关系（如之子改为之女），证件号码错的改号码。")


@rule("REL01", group=GROUP, level="person", severity="low", key=("id_number", "source"), title="与户主关系与性别不符",
      needs=(("system", ("与户主关系",)),), meaning=REL01_MEANING, action=REL01_ACTION)
def relation_sex_contradicts(ctx: RuleContext) -> pd.DataFrame:
    implied = {**{r: True for r in MALE_RELATIONS}, **{r: False for r in FEMALE_RELATIONS}}

    def side(source: str) -> pd.DataFrame:
        rows = side_rows(ctx, source)
        rows = rows[rows["member"].to_numpy()]
        male = rows["relation"].map(implied)
        hit = rows[(male.notna() & (male != rows["male"])).fillna(False).to_numpy(bool)]
        if hit.empty:
            return empty_findings()
        relation, sex = text(hit["relation"]).to_numpy(), np.where(hit["male"], "男", "女")
        name = names_at(ctx, source, hit["pos"].to_numpy()).to_numpy()
        message = (pd.Series(name, dtype="string") + "在" + SOURCE_LABEL[source] + "中与户主关系为“" + relation
                   + "”，应为" + np.where(hit["male"], "女", "男") + "性，但证件号码显示为" + sex
                   + "性，请核实与户主关系或证件号码")
        return person_findings(ctx, source, hit, field="与户主关系", actual=pd.Series(relation, index=hit.index),
                               expected=pd.Series("证件号码性别为" + sex, index=hit.index),
                               message=pd.Series(message.to_numpy(), index=hit.index))

    return each_side(side)


REL02_MEANING = "户主和与户主关系为“配偶”的成员，按身份证号码是同一性别。系统和台账分别检查。"
REL02_ACTION = "对照户口簿核实户主和配偶的证件号码与关系，改正填错的一项。"


@rule("REL02", group=GROUP, level="household", severity="medium", key=("household_id", "source"),
      title="户主与配偶性别相同", needs=(("system", ("与户主关系",)),), meaning=REL02_MEANING, action=REL02_ACTION)
def spouse_same_sex(ctx: RuleContext) -> pd.DataFrame:
    def side(source: str) -> pd.DataFrame:
        rows, head = side_rows(ctx, source), known_heads(ctx, source)
        spouses = rows[(rows["relation"] == "配偶").fillna(False).to_numpy(bool) & rows["member"].to_numpy()
                       & rows["household"].isin(head.index).to_numpy()]
        head_male = head["male"].reindex(spouses["household"]).to_numpy(bool)
        same = spouses[spouses["male"].to_numpy() == head_male].drop_duplicates("household")
        hit = head.loc[same["household"].to_numpy()]
        if hit.empty:
            return empty_findings()
        sex = pd.Series(np.where(hit["male"], "男", "女"), index=hit.index)
        head_name = names_at(ctx, source, hit["pos"].to_numpy()).set_axis(hit.index)
        spouse_name = names_at(ctx, source, same["pos"].to_numpy()).set_axis(hit.index)
        message = ("户主" + head_name + "与配偶" + spouse_name + "在" + SOURCE_LABEL[source] + "中按证件号码均为" + sex
                   + "性，请核实与户主关系或证件号码")
        return household_findings(ctx, source, hit, field="与户主关系", actual="配偶同为" + sex + "性",
                                  expected="户主与配偶性别不同", message=message)

    return each_side(side)


REL03_MEANING = ("晚辈（子女、儿媳女婿、孙辈）与户主的出生时间相差不足规定的年数，或比户主出生还早；长辈（父母、"
                 "岳父母、公婆、祖父母）比户主年长不足规定的年数，或比户主还年轻。多为关系或证件号码填错。"
                 "系统和台账分别检查。")
REL03_ACTION = "对照户口簿核实这名成员与户主的关系和两人的出生日期（证件号码），改正填错的一项。"


@rule("REL03", group=GROUP, level="person", severity="low", key=("id_number", "source"), title="与户主年龄差不合理",
      needs=(("system", ("与户主关系",)),), settings=("generation_gap_years",),
      meaning=REL03_MEANING, action=REL03_ACTION)
def generation_gap(ctx: RuleContext) -> pd.DataFrame:
    gap = ctx.settings.generation_gap_years

    def side(source: str) -> pd.DataFrame:
        rows, head = side_rows(ctx, source), known_heads(ctx, source)
        younger = rows["relation"].isin(YOUNGER).fillna(False).to_numpy(bool)
        older = rows["relation"].isin(OLDER).fillna(False).to_numpy(bool)
        rows = rows[(younger | older) & rows["member"].to_numpy() & rows["household"].isin(head.index).to_numpy()]
        younger = rows["relation"].isin(YOUNGER).to_numpy(bool)
        head_birth = head["birth"].reindex(rows["household"]).to_numpy()
        # Years from the elder's birth to the younger's: too few (or negative) fires.
        years = np.where(younger, years_between(head_birth, rows["birth"]), years_between(rows["birth"], head_birth))
        hit = rows[~np.isnan(years) & (years < gap)]
        if hit.empty:
            return empty_findings()
        head_rows = head.loc[hit["household"].to_numpy()]
        name = names_at(ctx, source, hit["pos"].to_numpy()).set_axis(hit.index)
        head_name = names_at(ctx, source, head_rows["pos"].to_numpy()).set_axis(hit.index)
        own, heads_birth = date_text(hit["birth"]).set_axis(hit.index), date_text(head_rows["birth"]).set_axis(hit.index)
        generation = pd.Series(np.where(hit["relation"].isin(YOUNGER), "晚辈", "长辈"), index=hit.index)
        message = (name + "（与户主关系为“" + text(hit["relation"]) + "”，" + generation + "）在" + SOURCE_LABEL[source]
                   + "中按证件号码出生于" + own + "，户主" + head_name + "出生于" + heads_birth + "，两代人相差不足"
                   + str(gap) + "岁，请核实与户主关系或证件号码")
        return person_findings(ctx, source, hit, field="与户主关系", actual=own + "（户主" + heads_birth + "）",
                               expected=f"与户主相差至少{gap}岁", message=message)

    return each_side(side)


HH04_MEANING = "户主按身份证号码计算的年龄小于规定的最低年龄（默认16周岁），多为户主填错或证件号码错。系统和台账分别检查。"
HH04_ACTION = "核实谁是户主：未成年人确为户主的（如孤儿户），在核实说明中写明情况；否则改正户主或证件号码。"


@rule("HH04", group=GROUP, level="household", severity="medium", key=("household_id", "source"), title="户主年龄过小",
      needs=(("system", ("与户主关系",)),), settings=("head_min_age",),
      meaning=HH04_MEANING, action=HH04_ACTION)
def head_too_young(ctx: RuleContext) -> pd.DataFrame:
    minimum = ctx.settings.head_min_age
    as_of = np.datetime64(ctx.as_of, "D")

    def side(source: str) -> pd.DataFrame:
        head = known_heads(ctx, source)
        age = years_between(head["birth"], np.full(len(head), as_of))
        hit = head[~np.isnan(age) & (age < minimum)]
        if hit.empty:
            return empty_findings()
        age = pd.Series(age[~np.isnan(age) & (age < minimum)].astype(int), index=hit.index).astype("string")
        name = names_at(ctx, source, hit["pos"].to_numpy()).set_axis(hit.index)
        message = ("户主" + name + "在" + SOURCE_LABEL[source] + "中按证件号码只有" + age + "岁，不满" + str(minimum)
                   + "周岁，请核实户主是否填错")
        return household_findings(ctx, source, hit, field="与户主关系", actual=age + "岁",
                                  expected=f"不小于{minimum}岁", message=message)

    return each_side(side)


# --- Members of the system (LAB01, LAB02, SCH01, INS01, PEN01) -----------------------

def stage_of(ctx: RuleContext, persons: pd.DataFrame) -> pd.Series:
    """The members' stage (school_status_blank says what an empty cell is)."""
    return member_stage(ctx, persons["在校生情况"].astype("string"))


def member_findings(hit: pd.DataFrame, **columns) -> pd.DataFrame:
    return findings(hit.assign(source="system", **columns))


def known(values: pd.Series) -> np.ndarray:
    return values.notna().to_numpy(bool)


def yes(values: pd.Series) -> np.ndarray:
    return values.astype("boolean").fillna(False).to_numpy(bool)


def no(values: pd.Series) -> np.ndarray:
    return (~values.astype("boolean")).fillna(False).to_numpy(bool)


LAB01_MEANING = "不满劳动年龄（默认16周岁）的成员，劳动技能却不是“无劳动力”。"
LAB01_ACTION = "核实年龄（证件号码）和劳动技能：未成年人劳动技能应填“无劳动力”。"


@rule("LAB01", group=GROUP, level="person", severity="low", key=("id_number",), title="未成年人劳动技能有误",
      needs=(("system", ("劳动技能",)),), settings=("labour_age_min",), meaning=LAB01_MEANING, action=LAB01_ACTION)
def minor_labour(ctx: RuleContext) -> pd.DataFrame:
    persons, minimum = members(ctx), ctx.settings.labour_age_min
    labour = persons["劳动技能"].astype("string")
    hit = persons[(persons["age"] < minimum).to_numpy() & known(labour) & (labour != NO_LABOUR).fillna(False).to_numpy(bool)]
    if hit.empty:
        return empty_findings()
    age = hit["age"].astype(int).astype("string")
    message = (text(hit["name"]) + "按证件号码" + age + "岁，不满" + str(minimum) + "周岁，劳动技能却为“"
               + text(hit["劳动技能"]) + "”，请核实，未成年人应为无劳动力")
    return member_findings(hit, field="劳动技能", actual=hit["劳动技能"], expected=NO_LABOUR, message=message)


LAB02_MEANING = ("劳动年龄内（默认16至59周岁）、健康状况为“健康”、不在校的成员，劳动技能却是“丧失劳动力”或"
                 "“无劳动力”。")
LAB02_ACTION = "入户核实：确有劳动能力的改正劳动技能；确实丧失劳动能力的，核实并改正健康状况。"


@rule("LAB02", group=GROUP, level="person", severity="low", key=("id_number",), title="健康劳动年龄人口无劳动力",
      needs=(("system", ("劳动技能", "健康状况")),), settings=("labour_age_min", "labour_age_max", "school_status_blank"),
      meaning=LAB02_MEANING, action=LAB02_ACTION)
def healthy_without_labour(ctx: RuleContext) -> pd.DataFrame:
    persons, settings = members(ctx), ctx.settings
    labour = persons["劳动技能"].astype("string")
    working = ((persons["age"] >= settings.labour_age_min) & (persons["age"] < settings.labour_age_max)).to_numpy()
    healthy = (persons["健康状况"].astype("string") == HEALTHY).fillna(False).to_numpy(bool)
    out_of_school = (stage_of(ctx, persons) == NOT_IN_SCHOOL).fillna(False).to_numpy(bool)
    idle = known(labour) & ~labour.isin(LABOURING).fillna(False).to_numpy(bool)
    hit = persons[working & healthy & out_of_school & idle]
    if hit.empty:
        return empty_findings()
    message = (text(hit["name"]) + "按证件号码" + hit["age"].astype(int).astype("string") + "岁，健康、不在校，劳动技能却为“"
               + text(hit["劳动技能"]) + "”，请核实劳动技能或健康状况")
    return member_findings(hit, field="劳动技能", actual=hit["劳动技能"], expected="普通劳动力、技能劳动力或弱劳动力或半劳动力",
                           message=message)


SCH01_MEANING = ("在校生情况与按身份证号码算出的年龄（以当学年8月31日计）明显不符，例如3岁的“小学一年级”、"
                 "25岁的“初中”、10岁的“学龄前儿童”。")
SCH01_ACTION = "核实这名成员现在的就学情况和证件号码，改正在校生情况（或证件号码）。"


@rule("SCH01", group=GROUP, level="person", severity="low", key=("id_number",), title="在校生情况与年龄不符",
      needs=(("system", ("在校生情况",)),), settings=("stage_ages",), meaning=SCH01_MEANING, action=SCH01_ACTION)
def stage_age_implausible(ctx: RuleContext) -> pd.DataFrame:
    from checks.rules.education import cutoff_date
    persons, stage_ages = members(ctx), ctx.settings.stage_ages
    status = persons["在校生情况"].astype("string").str.strip()
    # 学龄前儿童 is checked as itself; the other 非在校 values, 辍学 and 送教上门 have no age range.
    stage = school_stage(status).mask(status == PRESCHOOL, PRESCHOOL)
    low = stage.map({name: ages[0] for name, ages in stage_ages.items()}).astype("Float64")
    high = stage.map({name: ages[1] for name, ages in stage_ages.items()}).astype("Float64")
    # Born after the cutoff: 0 (a baby is a 学龄前儿童, not -1 years old).
    age = pd.Series(years_between(persons["birth"], np.full(len(persons), np.datetime64(cutoff_date(ctx.as_of), "D"))),
                    index=persons.index).clip(lower=0)
    outside = ((age < low) | (age > high)).fillna(False).to_numpy(bool)
    hit = persons[known(status) & outside]
    if hit.empty:
        return empty_findings()
    cut_age = age[hit.index].astype(int).astype("string")
    ranges = low[hit.index].astype(int).astype("string") + "–" + high[hit.index].astype(int).astype("string") + "岁"
    message = (text(hit["name"]) + "的在校生情况为“" + text(hit["在校生情况"]) + "”，按证件号码在学年起点（8月31日）"
               + cut_age + "岁，不在该学段的合理年龄" + ranges + "内，请核实")
    return member_findings(hit, field="在校生情况", actual=text(hit["在校生情况"]) + "（" + cut_age + "岁）",
                           expected=ranges, message=message)


INS01_MEANING = ("同一成员的“是否参加城乡居民基本医疗保险”和“是否参加城镇职工基本医疗保险”都为“是”（重复参保），"
                 "或都为“否”（未参保）。出生不满规定天数的婴儿不检查。")
INS01_ACTION = "到医保部门核实实际参保险种：重复参保的办理清退，未参保的动员参保，并改正系统中的两项标识。"


@rule("INS01", group=GROUP, level="person", severity="medium", key=("id_number",), title="医保参保标识矛盾",
      needs=(("system", ("是否参加城乡居民基本医疗保险", "是否参加城镇职工基本医疗保险")),),
      settings=("newborn_days",), meaning=INS01_MEANING, action=INS01_ACTION)
def insurance_flags_contradict(ctx: RuleContext) -> pd.DataFrame:
    persons = members(ctx)
    resident, employee = persons["是否参加城乡居民基本医疗保险"], persons["是否参加城镇职工基本医疗保险"]
    days = (pd.Timestamp(ctx.as_of) - persons["birth"]).dt.days
    old_enough = (days >= ctx.settings.newborn_days).fillna(False).to_numpy(bool)
    both_yes, both_no = yes(resident) & yes(employee), no(resident) & no(employee)
    hit_mask = old_enough & (both_yes | both_no)
    hit = persons[hit_mask]
    if hit.empty:
        return empty_findings()
    twice = both_yes[hit_mask]
    actual = pd.Series(np.where(twice, "是/是", "否/否"), index=hit.index)
    message = text(hit["name"]) + pd.Series(np.where(
        twice, "的城乡居民基本医疗保险和城镇职工基本医疗保险均为“是”，疑似重复参保，请到医保部门核实",
        "的城乡居民基本医疗保险和城镇职工基本医疗保险均为“否”，未参加基本医疗保险，请核实参保情况"), index=hit.index)
    return member_findings(hit, field="是否参加城乡居民基本医疗保险/是否参加城镇职工基本医疗保险", actual=actual,
                           expected="是/否 或 否/是", message=message)


PEN01_MEANING = ("年满规定年龄（默认16周岁）、不在校的成员，既没有参加城乡居民基本养老保险，也没有参加城镇职工基本"
                 "养老保险（或系统没有这一列）。")
PEN01_ACTION = "核实参保情况：未参保的动员参加城乡居民基本养老保险（困难群体可代缴）；已参保的改正系统标识。"


@rule("PEN01", group=GROUP, level="person", severity="medium", key=("id_number",), title="未参加基本养老保险",
      category="养老保险", needs=(("system", ("是否参加城乡居民基本养老保险",)),),
      settings=("pension_age_min", "school_status_blank"), meaning=PEN01_MEANING, action=PEN01_ACTION)
def no_pension(ctx: RuleContext) -> pd.DataFrame:
    persons = members(ctx)
    employee = persons["是否参加城镇职工基本养老保险"]
    employee_no = no(employee) if "是否参加城镇职工基本养老保险" in ctx.source("system").columns else np.ones(len(persons), bool)
    adult = (persons["age"] >= ctx.settings.pension_age_min).to_numpy()
    out_of_school = (stage_of(ctx, persons) == NOT_IN_SCHOOL).fillna(False).to_numpy(bool)
    hit = persons[adult & out_of_school & no(persons["是否参加城乡居民基本养老保险"]) & employee_no]
    if hit.empty:
        return empty_findings()
    message = (text(hit["name"]) + "按证件号码" + hit["age"].astype(int).astype("string")
               + "岁、不在校，未参加城乡居民基本养老保险，也未参加城镇职工基本养老保险，请核实参保情况")
    return member_findings(hit, field="是否参加城乡居民基本养老保险", actual="否", expected="是", message=message)


# --- Households of the system (PHN01, PHN02, RSK01–RSK05) ----------------------------

PHN01_MEANING = "户联系电话填了，但不是有效的手机号码（11位，1开头）或带区号的固定电话，例如位数不够、填了“无”或“0”。"
PHN01_ACTION = "联系农户核实电话号码并改正；确实没有电话的，留空，不要填“无”或“0”。"


@rule("PHN01", group=GROUP, level="household", severity="low", key=("household_id",), title="户联系电话格式错误",
      needs=(("system", ("户联系电话",)),), meaning=PHN01_MEANING, action=PHN01_ACTION)
def malformed_phone(ctx: RuleContext) -> pd.DataFrame:
    households = registered_households(ctx)
    phone = households["户联系电话"].astype("string")
    well_formed = column(households, "户联系电话_ok", "boolean").astype("boolean")
    hit = households[known(phone) & (~well_formed).fillna(False).to_numpy(bool)]
    if hit.empty:
        return empty_findings()
    shown = mask_phone(hit["户联系电话"])
    message = "户主" + text(hit["name"]) + "家的户联系电话“" + text(shown) + "”不是有效的手机号码或固定电话，请核实后改正"
    return findings(hit.assign(source="system", field="户联系电话", actual=shown, expected="11位手机号码或带区号的固定电话",
                               message=message))


PHN02_MEANING = "同一个户联系电话登记在多户（默认2户及以上）建档户名下，多为村干部或帮扶干部的电话代填。"
PHN02_ACTION = "逐户核实并登记农户本人或家庭成员的电话；确为亲属共用的，在核实说明中写明。"


@rule("PHN02", group=GROUP, level="household", severity="low", key=("household_id",), title="多户共用联系电话",
      needs=(("system", ("户联系电话",)),), settings=("shared_phone_households",),
      meaning=PHN02_MEANING, action=PHN02_ACTION)
def shared_phone(ctx: RuleContext) -> pd.DataFrame:
    households = registered_households(ctx)
    well_formed = column(households, "户联系电话_ok", "boolean").astype("boolean").fillna(False).to_numpy(bool)
    codes, _ = pd.factorize(households["户联系电话"].astype("string").where(well_formed))
    per_number = np.bincount(codes[codes >= 0], minlength=1)
    count = pd.Series(np.where(codes >= 0, per_number[np.maximum(codes, 0)], 0), index=households.index)
    hit = households[(count >= ctx.settings.shared_phone_households).to_numpy(bool)]
    if hit.empty:
        return empty_findings()
    count = count[hit.index].astype(int).astype("string")
    shown = mask_phone(hit["户联系电话"])
    message = ("户主" + text(hit["name"]) + "家的户联系电话" + text(shown) + "同时登记在" + count
               + "户建档户名下，请核实是否为农户本人电话")
    return findings(hit.assign(source="system", field="户联系电话", actual=count, expected="1",
                               message=message))


def risk_households(ctx: RuleContext, label: str) -> pd.DataFrame:
    """Registered households whose risk labels (致贫原因 and 致贫原因2…5,
    CONTRACT.md §2.2) hold `label`."""
    households = registered_households(ctx)
    holds = np.zeros(len(households), dtype=bool)
    for name in RISK_COLUMNS:
        if name in households.columns:
            holds |= holds_label(households[name], (label,))
    return households[holds]


def per_household(persons: pd.DataFrame, values: np.ndarray, households: pd.DataFrame) -> np.ndarray:
    """For each row of `households`: how many of its members have `values` True
    (a count over recon.match's household codes, not a groupby on text)."""
    size = int(max(persons["_household"].to_numpy().max(initial=-1), households["_household"].to_numpy().max(initial=-1))) + 1
    counts = np.bincount(persons["_household"].to_numpy(), weights=np.asarray(values, dtype=float), minlength=size)
    return counts[households["_household"].to_numpy()]


def none_holds(households: pd.DataFrame, persons: pd.DataFrame, known_values: np.ndarray,
               holds: np.ndarray) -> pd.DataFrame:
    """Households (with at least one member) whose every member is known and none holds."""
    members = per_household(persons, np.ones(len(persons)), households)
    known_count = per_household(persons, known_values, households)
    fires = (members > 0) & (known_count == members) & (per_household(persons, holds, households) == 0)
    return households[fires]


def risk_findings(hit: pd.DataFrame, label: str, fact: str, check: str) -> pd.DataFrame:
    message = "户主" + text(hit["name"]) + "家的致贫（返贫）风险含“" + label + "”，但" + fact + "，请核实" + check
    return findings(hit.assign(source="system", field="致贫原因", actual=label, expected=fact, message=message))


def holds_label(values: pd.Series, labels: tuple[str, ...]) -> np.ndarray:
    """Cells of canonical labels joined by 、 (recon.values.parse_labels) that hold one of `labels`."""
    pattern = "(?:^|、)(?:" + "|".join(labels) + ")(?:、|$)"
    return values.astype("string").str.contains(pattern, regex=True).fillna(False).to_numpy(bool)


RSK_NEEDS = (("system", ("致贫原因",)),)
RSK01_MEANING = "户的致贫（返贫）风险含“因残”，但全户每个成员的健康状况都已填写，且没有一人是“残疾”。"
RSK02_MEANING = "户的致贫（返贫）风险含“因病”，但全户每个成员的健康状况都已填写，且没有一人是“长期慢性病”或“患有大病”。"
RSK03_MEANING = "户的致贫（返贫）风险含“因学”，但全户每个成员的在校生情况都已知，且没有一人在校。"
RSK04_MEANING = "户的致贫（返贫）风险含“缺劳动力”，但户中有多名（默认2名及以上）劳动年龄内、健康的普通或技能劳动力。"
RSK05_MEANING = "户的致贫（返贫）风险含“因务工就业不稳”，但全户每个成员的劳动技能都已填写，且没有一人有劳动能力。"
RSK_ACTION = "入户核实风险类型与家庭成员情况：风险类型填错的改正风险类型，成员信息填错的改正成员信息。"


@rule("RSK01", group=GROUP, level="household", severity="medium", key=("household_id",), title="因残风险无残疾成员",
      needs=RSK_NEEDS + (("system", ("健康状况",)),), meaning=RSK01_MEANING, action=RSK_ACTION)
def disability_risk_without_disabled(ctx: RuleContext) -> pd.DataFrame:
    persons = members(ctx)
    health = persons["健康状况"].astype("string")
    hit = none_holds(risk_households(ctx, "因残"), persons, known(health), holds_label(health, ("残疾",)))
    if hit.empty:
        return empty_findings()
    return risk_findings(hit, "因残", "没有健康状况为残疾的成员", "风险类型或成员健康状况")


@rule("RSK02", group=GROUP, level="household", severity="medium", key=("household_id",), title="因病风险无患病成员",
      needs=RSK_NEEDS + (("system", ("健康状况",)),), meaning=RSK02_MEANING, action=RSK_ACTION)
def illness_risk_without_sick(ctx: RuleContext) -> pd.DataFrame:
    persons = members(ctx)
    health = persons["健康状况"].astype("string")
    sick = holds_label(health, ("长期慢性病", "患有大病"))
    hit = none_holds(risk_households(ctx, "因病"), persons, known(health), sick)
    if hit.empty:
        return empty_findings()
    return risk_findings(hit, "因病", "没有健康状况为长期慢性病或患有大病的成员", "风险类型或成员健康状况")


@rule("RSK03", group=GROUP, level="household", severity="medium", key=("household_id",), title="因学风险无在校生",
      needs=RSK_NEEDS + (("system", ("在校生情况",)),), settings=("school_status_blank",),
      meaning=RSK03_MEANING, action=RSK_ACTION)
def school_risk_without_student(ctx: RuleContext) -> pd.DataFrame:
    persons = members(ctx)
    stage = stage_of(ctx, persons)
    in_school = (~stage.isin([NOT_IN_SCHOOL, "辍学"]) & stage.notna()).fillna(False).to_numpy(bool)
    hit = none_holds(risk_households(ctx, "因学"), persons, known(stage), in_school)
    if hit.empty:
        return empty_findings()
    return risk_findings(hit, "因学", "没有在校的成员", "风险类型或成员在校生情况")


@rule("RSK04", group=GROUP, level="household", severity="medium", key=("household_id",), title="缺劳动力风险有劳动力",
      needs=RSK_NEEDS + (("system", ("健康状况", "劳动技能")),),
      settings=("rsk04_labourers", "labour_age_min", "labour_age_max"), meaning=RSK04_MEANING, action=RSK_ACTION)
def labour_risk_with_labourers(ctx: RuleContext) -> pd.DataFrame:
    persons, settings = members(ctx), ctx.settings
    working = ((persons["age"] >= settings.labour_age_min) & (persons["age"] < settings.labour_age_max)).to_numpy()
    able = (working & (persons["健康状况"].astype("string") == HEALTHY).fillna(False).to_numpy(bool)
            & persons["劳动技能"].isin(ABLE_LABOURERS).fillna(False).to_numpy(bool))
    households = risk_households(ctx, "缺劳力")
    count = per_household(persons, able, households)
    hit = households[count >= settings.rsk04_labourers]
    if hit.empty:
        return empty_findings()
    count = pd.Series(count[count >= settings.rsk04_labourers].astype(int), index=hit.index).astype("string")
    return risk_findings(hit, "缺劳动力", "户中有" + count + "名劳动年龄内的健康劳动力", "风险类型或成员劳动技能、健康状况")


@rule("RSK05", group=GROUP, level="household", severity="medium", key=("household_id",), title="务工就业不稳风险无劳动力",
      needs=RSK_NEEDS + (("system", ("劳动技能",)),), meaning=RSK05_MEANING, action=RSK_ACTION)
def job_risk_without_labourers(ctx: RuleContext) -> pd.DataFrame:
    persons = members(ctx)
    labour = persons["劳动技能"]
    hit = none_holds(risk_households(ctx, "务工就业不稳"), persons, known(labour),
                     labour.isin(LABOURING).fillna(False).to_numpy(bool))
    return risk_findings(hit, "因务工就业不稳", "全户没有有劳动能力的成员", "风险类型或成员劳动技能")
