"""The one place a RuleContext is built: the core frames of the sources, the
match (recon/match.py) put back on system and ledger, the settings, the
as-of date and the county's name."""
from __future__ import annotations

import datetime as dt

import pandas as pd

from checks.rules.base import RuleContext
from recon.match import Matched, match
from recon.settings import Settings


def county_of(system: pd.DataFrame, fallback: str) -> str:
    """The county as the system spells it (its most frequent 县), else `fallback` (the drop's name)."""
    if "县" in system.columns:
        names = system["县"].dropna()
        if len(names):
            return str(names.value_counts().index[0])
    return fallback


def rule_context(sources: dict[str, pd.DataFrame | None], matched: Matched, settings: Settings, as_of: dt.date,
                 county: str) -> RuleContext:
    """The rules' view of one county: `sources` (absent ones None) with the
    matched system and ledger frames in place of the core ones."""
    frames = {**sources, "system": matched.system, "ledger": matched.ledger}
    return RuleContext(as_of=as_of, settings=settings, county=county_of(matched.system, county), sources=frames,
                       households=matched.households, ledger_households=matched.ledger_households,
                       people=matched.people)


def matched_context(sources: dict[str, pd.DataFrame | None], settings: Settings, as_of: dt.date,
                    county: str) -> RuleContext:
    """rule_context after matching system and ledger here (tests, the benchmark)."""
    return rule_context(sources, match(sources["system"], sources["ledger"]), settings, as_of, county)
