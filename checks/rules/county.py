"""The county's own checks (config `checks:`, RULES.md §Profiles) as rules of
one more group, `county`: each check becomes a Rule like the catalog's —
key, severity, category, the columns it needs — whose function evaluates
its conditions (checks/conditions.py) over the whole source frame.

The group exists whatever the config says (its findings asset is part of the
graph); its rules come from the settings of the run (`county_rules`)."""
from __future__ import annotations

import string
import numpy as np
import pandas as pd

from checks.conditions import SourceView, evaluate_all
from checks.rules.base import Rule, RuleContext, empty_findings, findings, group
from checks.rules.common import amount_text, ledger_household_label, shared
from checks.rules.people import located
from recon.county_checks import ColumnCondition, CountyCheck
from recon.ids import mask_id, mask_phone
from recon.settings import Settings
from recon.sources import SOURCES

GROUP = group("county", order=900, title="本县自定义核查 / the county's own checks", category="逻辑校验")
LEVELS = {"members": "person", "heads": "household", "rows": "row"}
HEAD = "户主"
UNKNOWN = "空"


def county_rules(settings: Settings) -> dict[str, Rule]:
    """The config's checks as rules of the county group, in the config's order."""
    columns = settings.county_columns()
    return {check.code: _rule(check, {**SOURCES[check.source].columns, **columns.get(check.source, {})})
            for check in settings.checks}


def _rule(check: CountyCheck, usable: dict) -> Rule:
    def run(ctx: RuleContext) -> pd.DataFrame:
        return check_findings(ctx, check, usable)
    scope = {"members": "每名成员", "heads": "每户（户主行）", "rows": "每一行"}[check.scope]
    return Rule(code=check.code, group=GROUP.name, level=LEVELS[check.scope], severity=check.severity,
                key=check.key(), title=check.title, category=check.category,
                needs=((check.source, tuple(check.columns())),), func=run,
                meaning=f"本县在配置中自定义的核查（{check.source}，{scope}）。",
                action="按问题描述核实并改正；核查条件由本县配置文件规定。")


def check_findings(ctx: RuleContext, check: CountyCheck, usable: dict) -> pd.DataFrame:
    # One view per source and run: ages, stages and household codes are worked out once for all checks.
    view = shared(ctx, f"county_view_{check.source}", lambda ctx: SourceView(ctx, check.source, usable), copy=False)
    fired = evaluate_all(check.when, view).holds & view.remember(("scope", check.scope), lambda: in_scope(view, check.scope))
    positions = np.flatnonzero(fired)
    if check.scope == "members":   # a person on several rows is one finding (key id_number)
        _, first = np.unique(view.cells("证件号码").codes[positions], return_index=True)
        positions = positions[np.sort(first)]
    if not len(positions):
        return empty_findings()
    rows = located(ctx, check.source, positions)
    if check.scope == "heads" and check.source == "ledger" and rows["household_id"].isna().any():
        households = ctx.ledger_households.iloc[view.households[positions]]
        rows["household_id"] = rows["household_id"].fillna(
            pd.Series(ledger_household_label(ctx, households).to_numpy(), index=rows.index))
    named = [c.column for c in check.when if isinstance(c, ColumnCondition)]
    shown = {name: shown_values(view, name, positions) for name in dict.fromkeys(named + check.message_columns())}
    actual = pd.Series("", index=range(len(positions)), dtype="string")
    for position, name in enumerate(dict.fromkeys(named)):
        actual = actual + ("；" if position else "") + name + "=" + shown[name]
    return findings(rows.reset_index(drop=True), source=check.source, field="、".join(dict.fromkeys(named)) or pd.NA,
                    actual=actual if named else pd.NA, message=message(check, shown, len(positions)))


def in_scope(view: SourceView, scope: str) -> np.ndarray:
    """members: rows with an 证件号码; heads: the first 户主 row of each
    household; rows: every row."""
    frame = view.frame
    if scope == "rows":
        return np.ones(view.size, bool)
    has_id = frame["证件号码"].notna().to_numpy(bool)
    if scope == "members":
        return has_id
    head = (frame["与户主关系"] == HEAD).fillna(False).to_numpy(bool) if "与户主关系" in frame.columns \
        else np.zeros(view.size, bool)
    codes = view.households
    first = np.zeros(view.size, bool)
    candidates = np.flatnonzero(head & (codes >= 0))
    _, at = np.unique(codes[candidates], return_index=True)
    first[candidates[at]] = True
    return first


def shown_values(view: SourceView, name: str, positions: np.ndarray) -> pd.Series:
    """A column's values at `positions` as a clerk reads them, personal
    numbers masked: 12345.5, 2024-03-01, 是, 430321********1234, 138****5678; 空 when unknown."""
    column = view.columns[name]
    values = view.frame[name].iloc[positions].reset_index(drop=True)
    if column.kind == "id":
        text = mask_id(values)
    elif column.kind == "phone":
        text = mask_phone(values)
    elif column.kind in ("amount", "int", "year"):
        text = amount_text(values)
    elif column.kind in ("date", "month"):
        text = pd.to_datetime(values, errors="coerce").dt.strftime("%Y-%m-%d").astype("string")
    elif column.kind == "yesno":
        text = values.astype("boolean").map({True: "是", False: "否"}).astype("string")
    else:
        text = values.astype("string")
    return text.fillna(UNKNOWN)


def message(check: CountyCheck, shown: dict[str, pd.Series], size: int) -> pd.Series | str:
    """The check's message with each {列名} filled in per finding."""
    if not check.message:
        return check.title
    text = pd.Series("", index=range(size), dtype="string")
    for literal, name, _, _ in string.Formatter().parse(check.message):
        text = text + literal   # parse() has turned {{ }} into { }
        if name:
            text = text + shown[name]
    return text
