"""Education rules (RULES.md §Education, §Compulsory school age and stages):
compulsory-age members without a school record, system/education stage
disagreements, in-school students without assistance."""
from __future__ import annotations

import datetime as dt

import pandas as pd

from checks.rules.base import RuleContext, findings, group, rule
from checks.rules.common import birth_dates, column, deregistered_ids, full_years, member_persons
from checks.rules.stages import BLANK_NOTE, member_stage, record_stage

GROUP = group("education", order=30, title="义务教育有保障 / education", category="教育")

# Statuses that count as being at school (RULES.md EDU01).
AT_SCHOOL = ("在读", "送教上门", "休学", "转出")
# 学段 from which a 毕业 record means compulsory schooling is done.
JUNIOR_OR_LATER = ("初中", "高中", "中职", "高职", "本科及以上")
# The current record is the first by 学籍状态 in this order.
RECORD_ORDER = ("在读", "送教上门", "休学", "转出", "辍学", "毕业")

_NEEDS = (("system", ()), ("education", ("学籍状态",)))


def current_records(education: pd.DataFrame) -> pd.DataFrame:
    """Each person's current education record (first by RECORD_ORDER, then
    file order): 证件号码, 学籍状态, 学段, 资助项目 (NA when absent), stage."""
    rank = education["学籍状态"].map({status: i for i, status in enumerate(RECORD_ORDER)})
    ranked = education.assign(_rank=rank).dropna(subset=["_rank", "证件号码"])
    current = ranked.sort_values("_rank", kind="stable").drop_duplicates("证件号码")
    out = pd.DataFrame({
        "证件号码": current["证件号码"].astype("string"),
        "学籍状态": current["学籍状态"].astype("string"),
        "学段": column(current, "学段").astype("string"),
        "资助项目": column(current, "资助项目").astype("string"),
    })
    out["stage"] = record_stage(out["学籍状态"], out["学段"])
    return out.reset_index(drop=True)


def cutoff_date(as_of: dt.date) -> pd.Timestamp:
    """31 August of the school year start S (S = as-of year from September on)."""
    start = as_of.year if as_of.month >= 9 else as_of.year - 1
    return pd.Timestamp(start, 8, 31)


def compulsory_children(ctx: RuleContext) -> pd.DataFrame:
    """Members of compulsory age at the cutoff, not deregistered, with `age`."""
    persons = member_persons(ctx)
    persons["age"] = full_years(birth_dates(persons["id_number"]), cutoff_date(ctx.as_of))
    low, high = ctx.settings.compulsory_age_min, ctx.settings.compulsory_age_max
    of_age = persons["age"].between(low, high).fillna(False).astype(bool)
    alive = ~persons["id_number"].isin(deregistered_ids(ctx))
    return persons[of_age & alive].reset_index(drop=True)


EDU01_MEANING = (
    "脱贫户或监测户中处于义务教育年龄的孩子（年龄按学年开始那年的 8 月 31 日计算，范围由设置项"
    " compulsory_age_min、compulsory_age_max 规定），在教育部门的学籍数据中既没有在读、送教上门、"
    "休学或转出的记录，也没有初中及以上的毕业记录，疑似失学辍学。户籍已注销的不算。学籍状态为"
    "“辍学”的，问题描述会直接写明辍学。")
EDU01_ACTION = (
    "请乡镇会同学校、教育部门核实孩子现在的实际就学情况：确已辍学的，立即落实控辍保学、劝返复学；"
    "在外地上学、学籍不在本地学籍库的，取得学校出具的就读证明后，标“核实无误”并在核实说明中写明"
    "学校名称；系统与学籍库的证件号码不一致的，改正号码。")


@rule("EDU01", group=GROUP, level="person", severity="high", key=("id_number",),
      title="疑似失学辍学", needs=_NEEDS,
      settings=("compulsory_age_min", "compulsory_age_max"), meaning=EDU01_MEANING, action=EDU01_ACTION)
def out_of_school(ctx: RuleContext) -> pd.DataFrame:
    education = ctx.source("education")
    status, level = education["学籍状态"], column(education, "学段")
    # A row whose 学籍状态 (or, for 毕业, 学段) is unknown might be one that counts: unknown never fires.
    graduated = (status == "毕业") & (level.isin(JUNIOR_OR_LATER) | level.isna())
    maybe_enrolled = (status.isna() | status.isin(AT_SCHOOL) | graduated).fillna(False).astype(bool)
    enrolled_ids = education.loc[maybe_enrolled, "证件号码"].dropna()
    children = compulsory_children(ctx)
    missing = children[~children["id_number"].isin(enrolled_ids)]
    missing = missing.merge(current_records(education)[["证件号码", "学籍状态"]],
                            left_on="id_number", right_on="证件号码", how="left")
    who = "义务教育阶段适龄儿童" + missing["name"].fillna("") + "（" + missing["age"].astype("string") + "岁）"
    dropped = missing["学籍状态"].eq("辍学").fillna(False).astype(bool)
    missing["message"] = (who + "在学籍库中无在读记录，疑似失学辍学").where(
        ~dropped, who + "在学籍库中学籍状态为辍学，疑似辍学")
    missing["field"] = "学籍状态"
    missing["expected"] = "在读"
    missing["actual"] = missing["学籍状态"]
    return findings(missing, source="system|education")


EDU02_MEANING = (
    "系统中“在校生情况”写的学段（如小学、初中、非在校），与学籍数据中此人当前学籍记录的学段不一致。"
    "当前学籍记录是按在读、送教上门、休学、转出、辍学、毕业的顺序取到的第一条。")
EDU02_ACTION = (
    "按学籍数据核实孩子现在读哪个学段，更新系统中的在校生情况（升学、毕业后常常忘了改）；学籍数据"
    "本身有误的，请教育部门更正，更正前可在核实说明中写明情况后标“核实无误”。")


@rule("EDU02", group=GROUP, level="person", severity="medium", key=("id_number",),
      title="在校生情况与学籍不一致",
      needs=(("system", ("在校生情况",)), ("education", ("学籍状态",))), settings=("school_status_blank",),
      meaning=EDU02_MEANING, action=EDU02_ACTION)
def stage_mismatch(ctx: RuleContext) -> pd.DataFrame:
    persons = member_persons(ctx, ("在校生情况",))
    persons["system_stage"] = member_stage(ctx, persons["在校生情况"])
    both = persons.merge(current_records(ctx.source("education")), left_on="id_number", right_on="证件号码")
    differ = both["stage"].notna() & both["system_stage"].notna() & (both["stage"] != both["system_stage"])
    hit = both[differ.fillna(False).astype(bool)].copy()
    hit["field"] = "在校生情况"
    hit["expected"] = hit["stage"]
    hit["actual"] = hit["在校生情况"]
    shown = ("“" + hit["在校生情况"] + "”").fillna(BLANK_NOTE)   # an empty cell read as 非在校 (school_status_blank)
    # 初中在读 / 初中休学; 辍学, 送教上门 as they are; 非在校（毕业）
    record = (hit["stage"] + "（" + hit["学籍状态"] + "）").where(hit["stage"] != hit["学籍状态"], hit["stage"])
    record = record.where(~hit["学籍状态"].isin(["在读", "休学"]), hit["stage"] + hit["学籍状态"])
    hit["message"] = (hit["name"].fillna("") + "在系统中在校生情况为" + shown + "，学籍库为“"
                      + record + "”，在校生情况与学籍不一致")
    return findings(hit, source="system|education")


EDU03_MEANING = (
    "脱贫户或监测户的学生学籍状态为在读，但学籍数据中“资助项目”为空，可能没有落实教育资助（如"
    "“两免一补”、营养改善计划、雨露计划）。只有学籍数据中有“资助项目”这一列时才检查。")
EDU03_ACTION = (
    "请教育部门和学校核实该生应当享受哪些资助、是否已经享受：应享未享的，按政策落实；已享受而未登记的，"
    "请教育部门补登；按政策不属于资助对象的，在核实说明中写明原因后可标“核实无误”。")


@rule("EDU03", group=GROUP, level="person", severity="medium", key=("id_number",),
      title="在读学生未享受资助",
      needs=(("system", ()), ("education", ("学籍状态", "资助项目"))),
      meaning=EDU03_MEANING, action=EDU03_ACTION)
def no_assistance(ctx: RuleContext) -> pd.DataFrame:
    current = current_records(ctx.source("education"))
    unassisted = current[(current["学籍状态"] == "在读") & current["资助项目"].str.strip().replace("", pd.NA).isna()]
    hit = member_persons(ctx).merge(unassisted, left_on="id_number", right_on="证件号码")
    hit["field"] = "资助项目"
    hit["message"] = hit["name"].fillna("") + "学籍状态为在读，学籍库中无资助项目，请核实是否落实教育资助"
    return findings(hit, source="system|education")
