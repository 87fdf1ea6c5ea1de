"""Build a RuleContext from small core frames the way the pipeline does:
tests/factories.core → recon.match.match → RuleContext."""
from __future__ import annotations

import pandas as pd

from checks.rules.base import RuleContext
from checks.rules.run import run_rules
from recon.match import match
from recon.settings import Settings
from factories import AS_OF, core


def context(system: list[dict], ledger: list[dict], settings: Settings | None = None,
            ledger_columns: list[str] | None = None, **others: list[dict]) -> RuleContext:
    matched = match(core("system", system), core("ledger", ledger, columns=ledger_columns or ["与户主关系"]))
    sources = {"system": matched.system, "ledger": matched.ledger}
    sources.update({name: core(name, rows) for name, rows in others.items()})
    return RuleContext(as_of=AS_OF, settings=settings or Settings(), county="测试县", sources=sources,
                       households=matched.households, ledger_households=matched.ledger_households,
                       people=matched.people)


def found(ctx: RuleContext, code: str, group: str) -> pd.DataFrame:
    """Findings of one rule, run through the public entry point."""
    run = run_rules(ctx, groups=(group,), codes=(code,))
    return run.findings[run.findings["rule"] == code].reset_index(drop=True)
