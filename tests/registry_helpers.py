"""Findings frames and registry snapshots for the registry and feedback tests."""
from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import select

from recon.registry import store

JAN, FEB, MAR = dt.date(2025, 1, 31), dt.date(2025, 2, 28), dt.date(2025, 3, 31)


def findings(*keys: str, rule: str = "ID02", actual: str = "男", township: str = "城关镇") -> pd.DataFrame:
    """One finding per key (the key is the person's ID, as for a person rule)."""
    return pd.DataFrame({
        "rule": rule, "severity": "high", "source": "system", "county": "", "township": township,
        "village": "东村", "household_id": [f"H{k}" for k in keys], "id_number": list(keys), "name": "张三",
        "file": "a.xlsx#Sheet1", "row": 3, "field": "性别", "expected": "女", "actual": actual,
        "message": "性别与证件号码不符", "category": "身份信息", "key": list(keys),
    })


def by_key(frame: pd.DataFrame) -> dict[str, str]:
    return dict(zip(frame["key"], frame["status"]))


def snapshot(registry, county: str) -> dict[str, list]:
    """Every registry row of the county (ids included)."""
    tables = {"runs": store.RUNS, "findings": store.FINDINGS, "events": store.EVENTS,
              "feedback": store.FEEDBACK, "exemptions": store.EXEMPTIONS}
    with registry.engine.connect() as connection:
        return {name: sorted(map(tuple, connection.execute(select(t).where(t.c.county == county)).all()), key=str)
                for name, t in tables.items()}
