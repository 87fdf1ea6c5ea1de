"""Monitoring and assistance rules (RULES.md §Monitoring): 应纳未纳, 风险消除不实,
帮扶不及时, 集中突击纳入, 回访不及时, 风险消除过快. MON01/MON02 read the sector
findings (HOU01, WAT01, EDU01, MED01) of the earlier groups from ctx.prior."""
from __future__ import annotations

import pandas as pd

from checks.rules.base import RuleContext, findings, group, rule
from checks.rules.common import household_label, registered_households
from recon.guarantees import GUARANTEES

GROUP = group("monitoring", order=70, title="防返贫监测帮扶 / monitoring and assistance", category="监测帮扶")

# Reason (as MON01/MON02 messages say it) → the sector rule whose finding it is.
SECTOR_GAPS = {g.reason: g.rule for g in GUARANTEES}


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


MON01_MEANING = (
    "一户没有纳入监测的脱贫户出现了返贫风险，却还没有识别为监测对象（疑似应纳未纳）：人均纯收入"
    "低于监测标准（设置项 monitoring_threshold），或者住房不安全（HOU01）、饮水不安全（WAT01）、"
    "有适龄孩子疑似失学（EDU01）。问题描述中写明是哪几项。")
MON01_ACTION = (
    "请村里和帮扶责任人入户核实：风险属实的，按程序识别纳入监测、落实帮扶措施；收入录错的，改正收入；"
    "风险来自部门数据有误的，先处理对应的 HOU01、WAT01、EDU01 问题，那边解决后本条会在下次核对时"
    "自动销号。经核实确无返贫风险的，在核实说明中写明理由后可标“核实无误”。")


@rule("MON01", group=GROUP, level="household", severity="high", key=("household_id",),
      title="疑似应纳未纳", needs=(("system", ("户类型",)),), reads=("HOU01", "WAT01", "EDU01"),
      settings=("monitoring_threshold",), meaning=MON01_MEANING, action=MON01_ACTION)
def should_be_monitored(ctx: RuleContext) -> pd.DataFrame:
    households = registered_households(ctx)
    gaps = {k: v for k, v in SECTOR_GAPS.items() if v != "MED01"}
    households["reasons"] = _reasons(ctx, households, gaps)
    not_monitored_poverty = households["poverty"].astype(bool) & ~_monitored(households)
    hit = households[not_monitored_poverty & (households["reasons"] != "")].copy()
    hit["message"] = household_label(hit) + "为脱贫户，" + hit["reasons"] + "，未纳入监测，疑似应纳未纳"
    return findings(hit, source="system")


MON02_MEANING = (
    "监测户已标注“风险已消除”，但人均纯收入仍低于监测标准（monitoring_threshold），或者住房不安全"
    "（HOU01）、饮水不安全（WAT01）、有孩子疑似失学（EDU01）、有成员未参加医保（MED01），"
    "风险消除可能不实。")
MON02_ACTION = (
    "重新评估这户的风险：风险仍在的，按程序取消风险消除、继续监测帮扶；收入或部门数据录错的，"
    "改正数据（部门数据的问题按对应规则处理）。")


@rule("MON02", group=GROUP, level="household", severity="high", key=("household_id",),
      title="风险消除不实", needs=(("system", ("户类型", "风险是否消除")),), reads=tuple(SECTOR_GAPS.values()),
      settings=("monitoring_threshold",), meaning=MON02_MEANING, action=MON02_ACTION)
def elimination_not_real(ctx: RuleContext) -> pd.DataFrame:
    households = registered_households(ctx)
    households["reasons"] = _reasons(ctx, households, SECTOR_GAPS)
    hit = households[_eliminated_monitored(households) & (households["reasons"] != "")].copy()
    hit["field"] = "风险是否消除"
    hit["message"] = household_label(hit) + "已标注风险消除，但" + hit["reasons"] + "，疑似风险消除不实"
    return findings(hit, source="system")


MON03_MEANING = (
    "监测户从纳入监测到首次落实帮扶措施超过规定天数（设置项 assistance_days）；或者至今还没有首次"
    "帮扶时间，而纳入监测已超过规定天数。风险已经消除的户同样检查。只有系统中有“首次帮扶时间”"
    "这一列时才检查。")
MON03_ACTION = (
    "还没有落实帮扶的，立即制定并落实帮扶措施，在系统中录入措施和时间；已经落实只是没有录入的，"
    "补录首次帮扶时间。录入的时间无误、帮扶确实晚了的，这一事实无法再改，在核实说明中写明原因和"
    "已采取的措施后可标“核实无误”。")


@rule("MON03", group=GROUP, level="household", severity="medium", key=("household_id",),
      title="帮扶不及时", needs=(("system", ("户类型", "纳入监测时间", "首次帮扶时间")),),
      settings=("assistance_days",), meaning=MON03_MEANING, action=MON03_ACTION)
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


MON04_MEANING = (
    "同一个村在同一个月内纳入监测的户数达到设置项 burst_households 规定的户数，可能是集中突击纳入，"
    "而不是发现风险后随时识别。问题中的“实为”一栏是那个月份。")
MON04_ACTION = (
    "请乡镇核实这批户的识别是否按程序进行（农户申请或排查发现、入户核实、村级评议、乡镇审核）；"
    "确因灾害等原因集中出现风险的，在核实说明中写明原因后可标“核实无误”。")


@rule("MON04", group=GROUP, level="village", severity="low", key=("township", "village", "actual"),
      title="疑似集中突击纳入", needs=(("system", ("纳入监测时间",)),),
      settings=("burst_households",), meaning=MON04_MEANING, action=MON04_ACTION)
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


MON05_MEANING = (
    "监测户风险消除已超过规定天数（设置项 revisit_days），但最近这段时间内（同样是 revisit_days 天）"
    "没有风险消除之后的回访记录。只有系统中有“最近回访时间”这一列时才检查。")
MON05_ACTION = (
    "安排帮扶责任人入户回访，确认没有返贫风险，并在系统中录入回访时间；已回访未录入的，补录最近"
    "回访时间。")


@rule("MON05", group=GROUP, level="household", severity="low", key=("household_id",),
      title="风险消除后未按时回访",
      needs=(("system", ("户类型", "风险是否消除", "风险消除时间", "最近回访时间")),),
      settings=("revisit_days",), meaning=MON05_MEANING, action=MON05_ACTION)
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


MON06_MEANING = (
    "监测户从纳入监测到标注风险消除不足规定天数（设置项 min_monitoring_days），风险消除可能过快、"
    "过于简单。")
MON06_ACTION = (
    "请乡镇核实风险消除的依据（收入持续稳定高于监测标准，“三保障”和饮水安全有保障，帮扶措施已落实）："
    "依据不足的，按程序取消风险消除、继续监测帮扶；依据充分的，在核实说明中写明依据后可标“核实无误”。")


@rule("MON06", group=GROUP, level="household", severity="medium", key=("household_id",),
      title="风险消除过快",
      needs=(("system", ("户类型", "风险是否消除", "纳入监测时间", "风险消除时间")),),
      settings=("min_monitoring_days",), meaning=MON06_MEANING, action=MON06_ACTION)
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
