"""What a household is, as the national export marks it (CONTRACT.md §2.2
*Monitored households*, RULES.md §Terms) — the one definition that rules,
household classes, lists, report counts and Dagster metadata all read:

- **monitored** (监测对象): 监测对象类别 is known, or 户类型 is 监测户;
- **脱贫户**: 户类型 is 脱贫户 (a 脱贫不稳定户 is both);
- **registered**: 脱贫户 or monitored.

The export's 户类型 is 脱贫户 or 一般农户; 边缘易致贫户 and 突发严重困难户 are
一般农户 with a 监测对象类别. Ledgers read the same way: a ledger without a
监测对象类别 column is monitored exactly when its 户类型 is 监测户.
"""
from __future__ import annotations

import pandas as pd

MONITORED_TYPE = "监测户"
POVERTY_TYPE = "脱贫户"
ORDINARY_TYPE = "一般农户"
KIND_COLUMNS = ("monitored", "poverty", "registered")


def _column(frame: pd.DataFrame, name: str) -> pd.Series:
    if name in frame.columns:
        return frame[name].astype("string")
    return pd.Series(pd.NA, index=frame.index, dtype="string")


def says_monitored(frame: pd.DataFrame) -> pd.Series:
    """True when the record marks the household monitored, False when it
    marks it otherwise (a known 户类型 and no 监测对象类别), NA when it says nothing."""
    types, category = _column(frame, "户类型"), _column(frame, "监测对象类别")
    marked = category.notna() | types.eq(MONITORED_TYPE).fillna(False)
    return marked.astype("boolean").mask(~marked & types.isna())


def says_poverty(frame: pd.DataFrame) -> pd.Series:
    """True for 户类型 脱贫户, False for 一般农户, NA otherwise: a 户类型 of
    监测户 says nothing on whether the household is a 脱贫户."""
    types = _column(frame, "户类型")
    return types.map({POVERTY_TYPE: True, ORDINARY_TYPE: False}).astype("boolean")


def kinds(frame: pd.DataFrame) -> pd.DataFrame:
    """monitored, poverty (脱贫户) and registered per row, as plain booleans
    (unknown is not monitored and not a 脱贫户)."""
    monitored = says_monitored(frame).fillna(False).astype(bool)
    poverty = says_poverty(frame).fillna(False).astype(bool)
    return pd.DataFrame({"monitored": monitored, "poverty": poverty, "registered": monitored | poverty},
                        index=frame.index)
