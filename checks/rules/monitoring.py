"""Monitoring and assistance rules (RULES.md §Monitoring): 应纳未纳, 风险消除不实,
帮扶不及时, 集中突击纳入, 回访不及时, 风险消除过快. MON01/MON02 read the sector
findings (HOU01, WAT01, EDU01, MED01) of the earlier groups from ctx.prior."""
from __future__ import annotations

import pandas as pd

from checks.rules.base import RuleContext, findings, rule
from checks.rules.common import household_label, registered_households

# Gap name (as MON01/MON02 messages and household_status say it) → sector rule.
SECTOR_GAPS = {"住房不安全": "HOU01", "饮水不安全": "WAT01", "有适龄儿童疑似失学": "EDU01", "有成员未参加基本医疗保险": "MED01"}


def flagged_households(ctx: RuleContext, code: str) -> pd.Index:
    """household_id of the earlier findings of one rule (person findings carry
    the member's household)."""
    prior = ctx.prior
    if prior is None or not len(prior):
        return pd.Index([], dtype="string")
    return pd.Index(prior.loc[prior["rule"] == code, "household_id"].dropna().unique())


def low_income(ctx: RuleContext, households: pd.DataFrame) -> pd.Series:
    """人均纯收入 known and below the threshold of the as-of year (unknown → False)."""
    if "人均纯收入" not in households.columns:
        return pd.Series(False, index=households.index)
    income = households["人均纯收入"].astype("Float64")
    return income.lt(ctx.settings.threshold_for(ctx.as_of)).fillna(False).astype(bool)


def _reasons(ctx: RuleContext, households: pd.DataFrame, gaps: dict[str, str]) -> pd.Series:
    """The `、`-joined reasons that apply to each household ("" when none)."""
    joined = pd.Series("收入低于监测标准、", index=households.index, dtype="string").where(low_income(ctx, households), "")
    for text, code in gaps.items():
        has = households["household_id"].isin(flagged_households(ctx, code))
        joined = joined + pd.Series(text + "、", index=households.index, dtype="string").where(has, "")
    return joined.str.rstrip("、")


def _monitored(households: pd.DataFrame) -> pd.Series:
    """RULES.md's 监测户: a monitored household (recon.household_kinds)."""
    return households["monitored"].astype(bool)


def _eliminated_monitored(households: pd.DataFrame) -> pd.Series:
    return _monitored(households) & households["风险是否消除"].astype("boolean").eq(True).fillna(False).astype(bool)


def _days(later: pd.Series, earlier: pd.Series) -> pd.Series:
    return (pd.to_datetime(later) - pd.to_datetime(earlier)).dt.days


@rule("MON01", group="monitoring", level="household", severity="high", key=("household_id",),
      title="疑似应纳未纳", category="监测帮扶", needs=(("system", ("户类型",)),))
def should_be_monitored(ctx: RuleContext) -> pd.DataFrame:
    households = registered_households(ctx)
    gaps = {k: v for k, v in SECTOR_GAPS.items() if v != "MED01"}
    households["reasons"] = _reasons(ctx, households, gaps)
    not_monitored_poverty = households["poverty"].astype(bool) & ~_monitored(households)
    hit = households[not_monitored_poverty & (households["reasons"] != "")].copy()
    hit["message"] = household_label(hit) + "为脱贫户，" + hit["reasons"] + "，未纳入监测，疑似应纳未纳"
    return findings(hit, source="system")


@rule("MON02", group="monitoring", level="household", severity="high", key=("household_id",),
      title="风险消除不实", category="监测帮扶", needs=(("system", ("户类型", "风险是否消除")),))
def elimination_not_real(ctx: RuleContext) -> pd.DataFrame:
    households = registered_households(ctx)
    households["reasons"] = _reasons(ctx, households, SECTOR_GAPS)
    hit = households[_eliminated_monitored(households) & (households["reasons"] != "")].copy()
    hit["field"] = "风险是否消除"
    hit["message"] = household_label(hit) + "已标注风险消除，但" + hit["reasons"] + "，疑似风险消除不实"
    return findings(hit, source="system")


@rule("MON03", group="monitoring", level="household", severity="medium", key=("household_id",),
      title="帮扶不及时", category="监测帮扶", needs=(("system", ("户类型", "纳入监测时间", "首次帮扶时间")),))
def late_assistance(ctx: RuleContext) -> pd.DataFrame:
    households = registered_households(ctx)
    limit = ctx.settings.assistance_days
    start, first_help = households["纳入监测时间"], households["首次帮扶时间"]
    late = _days(first_help, start).gt(limit).fillna(False).astype(bool)
    waiting = first_help.isna() & _days(pd.Series(pd.Timestamp(ctx.as_of), index=households.index), start).gt(limit).fillna(False)
    hit = households[_monitored(households) & start.notna() & (late | waiting.astype(bool))].copy()
    hit["field"] = "首次帮扶时间"
    hit["actual"] = hit["首次帮扶时间"].dt.strftime("%Y-%m-%d").astype("string")
    label = household_label(hit) + hit["纳入监测时间"].dt.strftime("%Y年%m月纳入监测，").astype("string")
    hit["message"] = (label + "首次帮扶时间为" + hit["actual"].fillna("") + f"，超过{limit}天，帮扶不及时").where(
        hit["首次帮扶时间"].notna(), label + f"至今超过{limit}天仍无首次帮扶记录，帮扶不及时")
    return findings(hit, source="system")


@rule("MON04", group="monitoring", level="village", severity="low", key=("township", "village", "actual"),
      title="疑似集中突击纳入", category="监测帮扶", needs=(("system", ("纳入监测时间",)),))
def burst_enrolment(ctx: RuleContext) -> pd.DataFrame:
    households = ctx.households.dropna(subset=["纳入监测时间"])
    counted = households.assign(month=households["纳入监测时间"].dt.strftime("%Y-%m").astype("string"))
    per = counted.groupby(["township", "village", "month"]).size().rename("n").reset_index()
    hit = per[per["n"] >= ctx.settings.burst_households].copy()
    hit["county"] = ctx.county
    if "county" in ctx.households.columns:
        county = ctx.households.dropna(subset=["county"]).drop_duplicates(["township", "village"])
        hit = hit.drop(columns="county").merge(county[["township", "village", "county"]], on=["township", "village"],
                                               how="left")
        hit["county"] = hit["county"].fillna(ctx.county)
    hit["field"] = "纳入监测时间"
    hit["actual"] = hit["month"]
    hit["message"] = (hit["village"].fillna("") + hit["month"] + "集中纳入监测" + hit["n"].astype("string")
                      + "户，疑似集中突击纳入")
    return findings(hit, source="system")


@rule("MON05", group="monitoring", level="household", severity="low", key=("household_id",),
      title="风险消除后未按时回访", category="监测帮扶",
      needs=(("system", ("户类型", "风险是否消除", "风险消除时间", "最近回访时间")),))
def missing_revisit(ctx: RuleContext) -> pd.DataFrame:
    households = registered_households(ctx)
    limit = ctx.settings.revisit_days
    as_of = pd.Series(pd.Timestamp(ctx.as_of), index=households.index)
    eliminated, visit = households["风险消除时间"], households["最近回访时间"]
    due = _days(as_of, eliminated).gt(limit).fillna(False).astype(bool)
    recent = (visit.gt(eliminated) & _days(as_of, visit).le(limit)).fillna(False).astype(bool)
    hit = households[_eliminated_monitored(households) & due & ~recent].copy()
    hit["field"] = "最近回访时间"
    hit["actual"] = hit["最近回访时间"].dt.strftime("%Y-%m-%d").astype("string")
    hit["message"] = (household_label(hit) + hit["风险消除时间"].dt.strftime("%Y年%m月风险消除，").astype("string")
                      + f"近{limit}天内无回访记录，未按时回访")
    return findings(hit, source="system")


@rule("MON06", group="monitoring", level="household", severity="medium", key=("household_id",),
      title="风险消除过快", category="监测帮扶",
      needs=(("system", ("户类型", "风险是否消除", "纳入监测时间", "风险消除时间")),))
def eliminated_too_fast(ctx: RuleContext) -> pd.DataFrame:
    households = registered_households(ctx)
    limit = ctx.settings.min_monitoring_days
    monitored_days = _days(households["风险消除时间"], households["纳入监测时间"])
    hit = households[_eliminated_monitored(households) & monitored_days.lt(limit).fillna(False).astype(bool)].copy()
    hit["field"] = "风险消除时间"
    hit["actual"] = hit["风险消除时间"].dt.strftime("%Y-%m-%d").astype("string")
    hit["message"] = (household_label(hit) + hit["纳入监测时间"].dt.strftime("%Y年%m月纳入监测，").astype("string")
                      + hit["风险消除时间"].dt.strftime("%Y年%m月即标注风险消除，").astype("string") + f"不足{limit}天，风险消除过快")
    return findings(hit, source="system")
