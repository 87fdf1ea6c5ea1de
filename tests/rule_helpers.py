"""Building a RuleContext for the sector/monitoring rule tests: system member
rows → core frame with household_id, and the `households` frame in the shape
docs/internals.md §Matching documents (built here so these tests do not
depend on recon.match)."""
from __future__ import annotations

import datetime as dt

import pandas as pd

from checks.rules import run as run_module
from checks.rules.base import RuleContext
from recon.settings import Settings
from factories import AS_OF, core, make_id

HOUSEHOLD_FIELDS = ("人数", "户类型", "监测对象类别", "风险是否消除", "纳入监测时间", "风险消除时间", "首次帮扶时间",
                    "最近回访时间", "工资性收入", "生产经营性收入", "财产性收入", "转移性收入", "生产经营性支出",
                    "家庭纯收入", "人均纯收入", "住房安全", "饮水安全")
PLACE = {"县": "county", "乡镇": "township", "行政村": "village"}


def person(household: str, name: str, id_number: str, relation: str = "户主", **fields) -> dict:
    """One system member row; place defaults to 测试县/城关镇/新村, 户类型 脱贫户."""
    row = {"县": "测试县", "乡镇": "城关镇", "行政村": "新村", "户编号": household, "姓名": name,
           "证件号码": id_number, "与户主关系": relation, "户类型": "脱贫户", "人均纯收入": 9000.0}
    row.update(fields)
    return row


def households_of(system: pd.DataFrame) -> pd.DataFrame:
    head = system["与户主关系"].eq("户主").fillna(False).astype(bool)
    rows = system.assign(_head=head, _order=range(len(system)))
    first = rows.sort_values(["household_id", "_head", "_order"], ascending=[True, False, True]).drop_duplicates("household_id")
    out = first[["household_id"] + list(PLACE)].rename(columns=PLACE)
    out["head_id"] = first["证件号码"].where(first["_head"])
    out["head_name"] = first["姓名"].where(first["_head"])
    out["registered"] = first["户类型"].isin(["脱贫户", "监测户"]).fillna(False).astype(bool)
    counts = rows.groupby("household_id").agg(member_rows=("_order", "size"), head_count=("_head", "sum"))
    out = out.join(counts, on="household_id")
    for field in HOUSEHOLD_FIELDS:
        if field in first.columns:
            out[field] = first[field]
    return out.reset_index(drop=True)


def context(system_rows: list[dict], as_of: dt.date = AS_OF, settings: Settings | None = None,
            **sources: list[dict] | pd.DataFrame) -> RuleContext:
    """A RuleContext from system member rows and other sources given as rows."""
    system = core("system", system_rows, as_of=as_of)
    system["household_id"] = system["户编号"]
    frames: dict[str, pd.DataFrame | None] = {"system": system, "ledger": None}
    for name, rows in sources.items():
        frames[name] = rows if isinstance(rows, pd.DataFrame) else core(name, rows, as_of=as_of)
    return RuleContext(as_of=as_of, settings=settings or Settings(), county="测试县", sources=frames,
                       households=households_of(system))


def run(ctx: RuleContext, *groups: str) -> run_module.RuleRun:
    """The public entry point, checks.rules.run.run_rules, on the named groups."""
    return run_module.run_rules(ctx, groups=groups)


def fired(result: run_module.RuleRun, code: str) -> pd.DataFrame:
    return result.findings[result.findings["rule"] == code].reset_index(drop=True)


__all__ = ["AS_OF", "context", "fired", "households_of", "make_id", "person", "run"]
