"""School stages (RULES.md §Compulsory school age and stages): the stage of a
system 在校生情况 value or of an education record, and what an empty
在校生情况 means under the setting school_status_blank. Every rule that reads
a member's stage reads it through `member_stage`."""
from __future__ import annotations

import numpy as np
import pandas as pd

from checks.rules.base import RuleContext

NOT_IN_SCHOOL = "非在校"
# How a message shows an empty 在校生情况 read as 非在校.
BLANK_NOTE = "空（按非在校）"


def _select(conditions: list[pd.Series], choices: list, index: pd.Index) -> pd.Series:
    """np.select over NA-safe conditions; rows matching none are unknown (NA).
    A choice may be a Series (aligned on index) or a constant."""
    masks = [c.fillna(False).to_numpy(bool) for c in conditions]
    values = [c.astype(object).to_numpy() if isinstance(c, pd.Series) else c for c in choices]
    return pd.Series(np.select(masks, values, default=None), index=index, dtype="string")


def school_stage(values: pd.Series) -> pd.Series:
    """Stage of a system 在校生情况 value (RULES.md §stages): 非在校, 学前, 小学,
    初中, 高中, 中职, 高职, 本科及以上, 辍学, 送教上门; NA = unknown. Also
    gives the stage of an education 学段 (学前教育 → 学前, …). Worked out once
    per distinct value (a column of a few labels)."""
    codes, labels = pd.factorize(values.astype("string"))
    stages = _stage_of(pd.Series(labels, dtype="string"))
    return pd.Series(stages.array.take(codes, allow_fill=True), index=values.index)


def _stage_of(values: pd.Series) -> pd.Series:
    text = values.astype("string").str.strip()
    starts = text.str.startswith
    conditions = [
        text.isin(["非在校生", "非在校", "学龄前儿童"]),
        text == "学前教育",
        starts("小学"),
        text.isin(["七年级", "八年级", "九年级"]) | starts("初中"),
        starts(("高中", "普通高中")),
        starts(("中职", "中专", "技师学院")),
        starts(("高职", "大专")),
        starts(("本科", "大学", "研究生", "硕士")),
        text.isin(["辍学", "失学或辍学"]),
        text == "送教上门",
    ]
    choices = ["非在校", "学前", "小学", "初中", "高中", "中职", "高职", "本科及以上", "辍学", "送教上门"]
    return _select(conditions, choices, text.index)


def record_stage(status: pd.Series, level: pd.Series) -> pd.Series:
    """Stage of an education record: 在读/休学 → its 学段; 送教上门; 辍学;
    毕业 → 非在校; 转出 → unknown."""
    return _select(
        [status.isin(["在读", "休学"]), status == "送教上门", status == "辍学", status == "毕业"],
        [school_stage(level), "送教上门", "辍学", "非在校"], status.index)


def member_stage(ctx: RuleContext, values: pd.Series) -> pd.Series:
    """Stage of system or ledger 在校生情况 cells; an empty cell is 非在校 when
    school_status_blank is not_in_school (the national export leaves people
    not in school empty), else unknown."""
    stage = school_stage(values)
    if ctx.settings.school_status_blank == "not_in_school":
        stage = stage.mask(values.isna(), NOT_IN_SCHOOL)
    return stage


WORKING_AGES = (16, 59)


def blank_status_notes(ctx: RuleContext) -> list[str]:
    """One sentence per source (system, ledger) when school_status_blank is
    unknown and most members aged 16–59 have an empty 在校生情况 — the sign of
    an export that leaves people not in school empty, where the rules that
    need the stage then say nothing about them."""
    if ctx.settings.school_status_blank != "unknown":
        return []
    from checks.rules.common import birth_dates, full_years, ledger_scope, member_rows
    notes = []
    for source, label in (("system", "系统导出"), ("ledger", "村级台账")):
        frame = ctx.source(source)
        if frame is None or "在校生情况" not in frame.columns:
            continue
        rows = member_rows(ctx) if source == "system" else np.flatnonzero(ledger_scope(ctx) & frame["_id_valid"].to_numpy(bool))
        ids = frame["证件号码"].take(rows)
        age = full_years(birth_dates(ids), pd.Timestamp(ctx.as_of))
        adults = age.between(*WORKING_AGES).fillna(False).to_numpy(bool)
        if not adults.any():
            continue
        share = float(frame["在校生情况"].take(rows[adults]).isna().mean())
        if share > 0.5:
            notes.append(f"{label}中{share:.0%}的16–59岁成员在校生情况为空：若本县导出对非在校人员留空，请在配置中设置 "
                         "school_status_blank: not_in_school，否则需要在校生情况的规则不会对这些人员作出判断。")
    return notes
