"""Household class A/B/C of household_status.csv (RULES.md §Household class,
CONTRACT.md §4): C when 人均纯收入 is unknown or below the monitoring
threshold; else B when the household has HOU01, WAT01, or a member with EDU01
or MED01; else A. `gaps` lists what fails, in the order 收入;住房;饮水;教育;医疗.

Every system household gets a row (CONTRACT.md: one row per system household);
class and gaps are only given to registered households (RULES.md) and left
empty for the others.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from checks.rules.base import RuleContext
from recon.guarantees import GUARANTEES, INCOME_GAP

STATUS_COLUMNS = ["户编号", "乡镇", "行政村", "class", "gaps"]
# gap → the rule whose finding (on the household or one of its members) means it fails
SECTOR_GAPS = {g.gap: g.rule for g in GUARANTEES}


def household_status(ctx: RuleContext, findings: pd.DataFrame) -> pd.DataFrame:
    households = ctx.households
    index = households.index
    income = households["人均纯收入"].astype("Float64") if "人均纯收入" in households.columns \
        else pd.Series(pd.NA, index=index, dtype="Float64")
    threshold = ctx.settings.threshold_for(ctx.as_of)
    income_gap = (income.isna() | income.lt(threshold)).fillna(True).astype(bool)

    gaps = pd.Series(INCOME_GAP + ";", index=index).where(income_gap, "")
    sector_gap = pd.Series(False, index=index)
    for gap, code in SECTOR_GAPS.items():  # over the four sectors, not rows
        flagged = findings.loc[findings["rule"] == code, "household_id"].dropna() if len(findings) else []
        has = households["household_id"].isin(flagged)
        sector_gap |= has
        gaps = gaps + pd.Series(gap + ";", index=index).where(has, "")

    registered = households["registered"].fillna(False).astype(bool)
    klass = np.select([income_gap, sector_gap], ["C", "B"], default="A")
    return pd.DataFrame({
        "户编号": households["household_id"].astype("string"),
        "乡镇": households["township"].astype("string"),
        "行政村": households["village"].astype("string"),
        "class": pd.Series(klass, index=index, dtype="string").where(registered),
        "gaps": gaps.str.rstrip(";").astype("string").where(registered),
    }, columns=STATUS_COLUMNS).reset_index(drop=True)
