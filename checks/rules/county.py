"""The county's own checks (config `checks:`, RULES.md §Profiles) as rules of
one more group, `county`: each check becomes a Rule like the catalog's —
key, severity, category, the columns it needs — whose conditions
(checks/conditions.py) are evaluated over the whole source frame.

The group runs its checks in one call (`county_findings`): a county may
write a hundred checks, and the rows that fire for all of them are located
and worded together instead of once per check.

The group exists whatever the config says (its findings asset is part of the
graph); its rules come from the settings of the run (`county_rules`)."""
from __future__ import annotations

import string

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from checks.conditions import SourceView, evaluate_all
from checks.rules.base import FINDING_COLUMNS, Rule, RuleContext, empty_findings, findings, group
from checks.rules.common import amount_text, ledger_household_label, shared
from checks.rules.people import located
from recon.county_checks import ColumnCondition, CountyCheck
from recon.ids import mask_id, mask_phone
from recon.settings import Settings
from recon.sources import SOURCES

LEVELS = {"members": "person", "heads": "household", "rows": "row"}
HEAD = "户主"
UNKNOWN = "空"


def _run_together(ctx: RuleContext, codes: list[str]) -> pd.DataFrame:
    return county_findings(ctx, codes)


GROUP = group("county", order=900, title="本县自定义核查 / the county's own checks", category="逻辑校验",
              batch=_run_together)


def county_rules(settings: Settings) -> dict[str, Rule]:
    """The config's checks as rules of the county group, in the config's order."""
    return {check.code: _rule(check) for check in settings.checks}


def _rule(check: CountyCheck) -> Rule:
    def run(ctx: RuleContext) -> pd.DataFrame:   # the check alone (run_rules runs the group together)
        return county_findings(ctx, [check.code])
    scope = {"members": "每名成员", "heads": "每户（户主行）", "rows": "每一行"}[check.scope]
    return Rule(code=check.code, group=GROUP.name, level=LEVELS[check.scope], severity=check.severity,
                key=check.key(), title=check.title, category=check.category,
                needs=((check.source, tuple(check.columns())),), func=run,
                meaning=f"本县在配置中自定义的核查（{check.source}，{scope}）。",
                action="按问题描述核实并改正；核查条件由本县配置文件规定。")


def county_findings(ctx: RuleContext, codes: list[str]) -> pd.DataFrame:
    """The findings of the checks `codes` (FINDING_COLUMNS, `rule` set), in the config's order."""
    wanted = set(codes)
    checks = [check for check in ctx.settings.checks if check.code in wanted]
    declared = ctx.settings.county_columns()
    parts = []
    for source in dict.fromkeys(check.source for check in checks):
        usable = {**SOURCES[source].columns, **declared.get(source, {})}
        # One view per source and run: ages, stages and household codes are worked out once for all checks.
        view = shared(ctx, f"county_view_{source}", lambda ctx: SourceView(ctx, source, usable), copy=False)
        fired = [(check, fired_rows(view, check)) for check in checks if check.source == source]
        fired = [(check, positions) for check, positions in fired if len(positions)]
        if fired:
            parts.append(source_findings(ctx, view, fired))
    if not parts:
        return empty_findings()
    found = pd.concat(parts, ignore_index=True)
    if len(parts) > 1:   # the config's order, as if each check had run alone
        position = {check.code: n for n, check in enumerate(checks)}
        found = found.iloc[np.argsort(found["rule"].map(position).to_numpy(), kind="stable")].reset_index(drop=True)
    return found


def fired_rows(view: SourceView, check: CountyCheck) -> np.ndarray:
    """Row positions where the check fires: its conditions hold, in its scope;
    a person on several rows once (members are keyed by id_number)."""
    fired = evaluate_all(check.when, view).holds & view.remember(("scope", check.scope), lambda: in_scope(view, check.scope))
    positions = np.flatnonzero(fired)
    if check.scope == "members":
        _, first = np.unique(view.cells("证件号码").codes[positions], return_index=True)
        positions = positions[np.sort(first)]
    return positions


def source_findings(ctx: RuleContext, view: SourceView, fired: list[tuple[CountyCheck, np.ndarray]]) -> pd.DataFrame:
    """The findings of one source's checks: every fired row located once, each
    check's texts built over its own slice of rows."""
    positions = np.concatenate([rows for _, rows in fired])
    sizes = np.array([len(rows) for _, rows in fired])
    which = np.repeat(np.arange(len(fired)), sizes)          # per finding: its check
    distinct, back = np.unique(positions, return_inverse=True)
    places = located(ctx, view.source, distinct)
    columns = {name: pd.array(places[name].array.take(back)) for name in places.columns
               if name in FINDING_COLUMNS}
    heads = np.array([check.scope == "heads" for check, _ in fired])[which]
    if view.source == "ledger" and heads.any():
        columns["household_id"] = ledger_head_households(ctx, view, positions, heads, columns["household_id"])
    named = [[c.column for c in check.when if isinstance(c, ColumnCondition)] for check, _ in fired]
    needed = dict.fromkeys(name for (check, _), names in zip(fired, named)
                           for name in [*names, *check.message_columns()])
    shown = {name: pa.array(shown_values(view, name, distinct).array, type=pa.string()) for name in needed}
    ends = np.cumsum(sizes)
    actual, message = [], []
    for (check, _), names, end, size in zip(fired, named, ends, sizes):
        taken = {name: shown[name].take(pa.array(back[end - size:end])) for name in dict.fromkeys(
            [*names, *check.message_columns()])}
        actual.append(_joined([piece for position, name in enumerate(dict.fromkeys(names))
                               for piece in ("；" * bool(position) + name + "=", taken[name])], size))
        message.append(_message(check, taken, size))
    per_check = lambda values: pd.array(pa.array(values, pa.string()).take(which), dtype="string")
    columns.update(rule=per_check([check.code for check, _ in fired]),
                   field=per_check(["、".join(dict.fromkeys(names)) or None for names in named]),
                   actual=_strings(actual), message=_strings(message))
    return findings(pd.DataFrame(columns), source=view.source)


def ledger_head_households(ctx: RuleContext, view: SourceView, positions: np.ndarray, heads: np.ndarray,
                           household_id: pd.api.extensions.ExtensionArray):
    """A ledger household found by a `heads` check without an 户编号 of its
    own is labelled as other ledger-household findings are (台账 + masked head ID)."""
    household_id = pd.Series(household_id)
    unlabelled = np.flatnonzero(heads & household_id.isna().to_numpy())
    if len(unlabelled):
        households = ctx.ledger_households.iloc[view.households[positions[unlabelled]]]
        household_id.iloc[unlabelled] = ledger_household_label(ctx, households).to_numpy()
    return household_id.array


def _joined(pieces: list, size: int):
    """Texts and per-row arrays concatenated row by row (one Arrow call)."""
    if not pieces:
        return pa.nulls(size, pa.string())
    if len(pieces) == 1 and isinstance(pieces[0], str):
        return pa.array([pieces[0]] * size, pa.string())
    return pc.binary_join_element_wise(*[pa.scalar(p) if isinstance(p, str) else p for p in pieces], "")


def _message(check: CountyCheck, shown: dict, size: int):
    """The check's message with each {列名} filled in per finding (the title when it has none)."""
    if not check.message:
        return pa.array([check.title] * size, pa.string())
    pieces = []
    for literal, name, _, _ in string.Formatter().parse(check.message):   # parse() turns {{ }} into { }
        pieces += ([literal] if literal else []) + ([shown[name]] if name else [])
    return _joined(pieces or [""], size)


def _strings(chunks: list) -> pd.api.extensions.ExtensionArray:
    return pd.array(pa.chunked_array(chunks, pa.string()).combine_chunks(), dtype="string")


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
    # Each distinct value is worded once (a household's phone or income repeats on every member's row).
    codes, distinct = pd.factorize(view.frame[name].iloc[positions], use_na_sentinel=True)
    values = pd.Series(distinct)
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
    worded = pa.chunked_array([pa.array(text.fillna(UNKNOWN).array, type=pa.string()), pa.array([UNKNOWN])])
    return pd.Series(pd.array(worded.take(np.where(codes < 0, len(distinct), codes)), dtype="string"))
