"""Building a RuleContext for the rule tests the way the pipeline does:
rows → core frames (tests/factories.core) → checks.rules.context.matched_context
(recon.match, whose codes the rules read) → the public entry point run_rules."""
from __future__ import annotations

import datetime as dt

import pandas as pd

from checks.rules import run as run_module
from checks.rules.base import RuleContext
from checks.rules.context import matched_context
from recon.settings import Settings
from factories import AS_OF, core, core_from_cells, make_id


def person(household: str, name: str, id_number: str, relation: str = "户主", **fields) -> dict:
    """One system member row; place defaults to 测试县/城关镇/新村, 户类型 脱贫户."""
    row = {"县": "测试县", "乡镇": "城关镇", "行政村": "新村", "户编号": household, "姓名": name,
           "证件号码": id_number, "与户主关系": relation, "户类型": "脱贫户", "人均纯收入": 9000.0}
    row.update(fields)
    return row


def context(system_rows: list[dict], ledger: list[dict] | None = None, settings: Settings | None = None,
            as_of: dt.date = AS_OF, ledger_columns: list[str] | None = None, cells: bool = False,
            **sources: list[dict] | pd.DataFrame) -> RuleContext:
    """A RuleContext from system member rows, ledger rows (none by default) and
    other sources given as rows or core frames. With cells=True system and
    ledger rows are cells as a workbook holds them (之子, 是, 138-1234-5678),
    read by the pipeline's own normalise and validate (with the columns the
    settings declare)."""
    settings = settings or Settings()
    if cells:
        frames: dict[str, pd.DataFrame | None] = {
            "system": core_from_cells(settings.source("system"), system_rows, as_of=as_of),
            "ledger": core_from_cells(settings.source("ledger"), ledger or [dict.fromkeys(ledger_columns or ["姓名", "证件号码", "与户主关系"], "")],
                                      as_of=as_of)}
        if not ledger:
            frames["ledger"] = frames["ledger"].iloc[0:0]
    else:
        frames = {
            "system": core("system", system_rows, as_of=as_of),
            "ledger": core("ledger", ledger or [], columns=ledger_columns or ["姓名", "证件号码", "与户主关系"], as_of=as_of)}
    for name, rows in sources.items():
        if isinstance(rows, pd.DataFrame):
            frames[name] = rows
        else:
            frames[name] = core_from_cells(settings.source(name), rows, as_of=as_of) if cells else core(name, rows, as_of=as_of)
    return matched_context(frames, settings, as_of, "测试县")


def run(ctx: RuleContext, *groups: str) -> run_module.RuleRun:
    """The public entry point, checks.rules.run.run_rules, on the named groups."""
    return run_module.run_rules(ctx, groups=groups)


def fired(result: run_module.RuleRun, code: str) -> pd.DataFrame:
    return result.findings[result.findings["rule"] == code].reset_index(drop=True)


def found(ctx: RuleContext, code: str, group: str) -> pd.DataFrame:
    """Findings of one rule, run through the public entry point."""
    result = run_module.run_rules(ctx, groups=(group,), codes=(code,))
    return fired(result, code)


__all__ = ["AS_OF", "context", "fired", "found", "make_id", "person", "run"]
