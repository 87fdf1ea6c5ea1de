"""Building a RuleContext for the sector/monitoring rule tests: system member
rows → core frame → recon.match (as the pipeline does; the rules read its
household and person codes) with an empty ledger."""
from __future__ import annotations

import datetime as dt

import pandas as pd

from checks.rules import run as run_module
from checks.rules.base import RuleContext
from recon.match import match
from recon.settings import Settings
from factories import AS_OF, core, make_id



def person(household: str, name: str, id_number: str, relation: str = "户主", **fields) -> dict:
    """One system member row; place defaults to 测试县/城关镇/新村, 户类型 脱贫户."""
    row = {"县": "测试县", "乡镇": "城关镇", "行政村": "新村", "户编号": household, "姓名": name,
           "证件号码": id_number, "与户主关系": relation, "户类型": "脱贫户", "人均纯收入": 9000.0}
    row.update(fields)
    return row


def context(system_rows: list[dict], as_of: dt.date = AS_OF, settings: Settings | None = None,
            ledger: list[dict] | None = None, **sources: list[dict] | pd.DataFrame) -> RuleContext:
    """A RuleContext from system member rows and other sources given as rows,
    matched as the pipeline does (recon.match) against the ledger rows (none by default)."""
    matched = match(core("system", system_rows, as_of=as_of),
                    core("ledger", ledger or [], columns=["姓名", "证件号码", "与户主关系"], as_of=as_of))
    frames: dict[str, pd.DataFrame | None] = {"system": matched.system, "ledger": matched.ledger}
    for name, rows in sources.items():
        frames[name] = rows if isinstance(rows, pd.DataFrame) else core(name, rows, as_of=as_of)
    return RuleContext(as_of=as_of, settings=settings or Settings(), county="测试县", sources=frames,
                       households=matched.households, ledger_households=matched.ledger_households,
                       people=matched.people)


def run(ctx: RuleContext, *groups: str) -> run_module.RuleRun:
    """The public entry point, checks.rules.run.run_rules, on the named groups."""
    return run_module.run_rules(ctx, groups=groups)


def fired(result: run_module.RuleRun, code: str) -> pd.DataFrame:
    return result.findings[result.findings["rule"] == code].reset_index(drop=True)


__all__ = ["AS_OF", "context", "fired", "make_id", "person", "run"]
