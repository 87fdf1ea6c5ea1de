"""Facts several rules share (RULES.md §Terms), computed vectorised from the
normalised frames of a RuleContext."""
from __future__ import annotations

import pandas as pd

from checks.rules.base import RuleContext

REGISTERED_TYPES = ("脱贫户", "监测户")


def birth_dates(id_numbers: pd.Series) -> pd.Series:
    """Birth date from digits 7–14 of normalised 18-character IDs (NaT where invalid)."""
    return pd.to_datetime(id_numbers.astype("string").str.slice(6, 14), format="%Y%m%d", errors="coerce")


def full_years(birth: pd.Series, on: pd.Timestamp) -> pd.Series:
    """Age in full years on a date (vectorised; NA where birth is unknown)."""
    on = pd.Timestamp(on)
    before_birthday = (birth.dt.month > on.month) | ((birth.dt.month == on.month) & (birth.dt.day > on.day))
    return (on.year - birth.dt.year - before_birthday.astype("Int64")).astype("Int64")


def deregistered_ids(ctx: RuleContext) -> pd.Index:
    """证件号码 of persons the hukou source has as 死亡注销 or 迁出注销 with 注销日期 on
    or before the as-of date (an unknown 注销日期 does not count: unknown never fires)."""
    hukou = ctx.source("hukou")
    if hukou is None or "户籍状态" not in hukou.columns or "注销日期" not in hukou.columns:
        return pd.Index([], dtype="string")
    gone = hukou["户籍状态"].isin(["死亡注销", "迁出注销"]) & (hukou["注销日期"] <= pd.Timestamp(ctx.as_of))
    return pd.Index(hukou.loc[gone.fillna(False), "证件号码"].dropna().unique())


def registered_members(ctx: RuleContext) -> pd.DataFrame:
    """System member rows of registered households (脱贫户/监测户, read from the
    household's head row) with a valid 证件号码."""
    system = ctx.source("system")
    households = ctx.households
    registered = households.loc[households["registered"], "household_id"]
    members = system[system["household_id"].isin(registered) & system["_id_valid"]]
    return members
