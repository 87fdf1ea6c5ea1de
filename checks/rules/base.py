"""What a rule is, and the context every rule receives.

A rule is one small unit: its code (RULES.md), the sources and columns it
needs, the columns of its key, and a vectorised function from the normalised
frames (RuleContext) to finding rows (FINDING_COLUMNS). Rules never read files.
It also carries what the catalog shows users (checks/rules/catalog.py,
docs/rules.md): the settings it reads and its meaning and action for clerks.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import pandas as pd

from recon.settings import Settings

# The columns a rule function returns (a subset is fine; missing ones are empty).
# They are the columns of mismatches.csv that a rule knows; issue_id, severity,
# status, first_seen and last_seen are added downstream.
FINDING_COLUMNS = [
    "rule", "source", "county", "township", "village", "household_id", "id_number", "name",
    "file", "row", "field", "expected", "actual", "message",
]


@dataclass
class RuleContext:
    """The normalised frames of one county at one as-of date.

    Each source frame is None when the source is absent from the drop.
    system/ledger carry `household_id` (system 户编号) after matching; see
    recon/match.py for the derived frames."""
    as_of: dt.date
    settings: Settings
    county: str
    sources: dict[str, pd.DataFrame | None]
    households: pd.DataFrame | None = None       # one row per system household (recon.match)
    ledger_households: pd.DataFrame | None = None  # one row per ledger household (recon.match)
    people: pd.DataFrame | None = None            # one row per person, their rows and households (recon.match)
    prior: pd.DataFrame | None = None             # findings of the groups already run
    extra: dict = field(default_factory=dict)

    def source(self, name: str) -> pd.DataFrame | None:
        return self.sources.get(name)


@dataclass(frozen=True)
class RuleGroup:
    """A group of the catalog: one module of checks/rules, one findings_<group>
    asset. Groups run in `order`; a group sees the findings of the groups its
    rules read (`reads` of @rule)."""
    name: str
    order: int
    title: str                      # shown in the Dagster UI and the docs
    category: str                   # the township-list sheet of its rules, unless a rule names another
    # Runs the group's rules (codes) in one call, returning their findings (findings()'s shape, `rule` set);
    # None: each rule's func runs alone. For groups of many similar rules (the county's checks).
    batch: Callable[["RuleContext", list[str]], pd.DataFrame] | None = field(default=None, compare=False)


GROUPS: dict[str, RuleGroup] = {}


def group(name: str, *, order: int, title: str, category: str,
          batch: Callable[[RuleContext, list[str]], pd.DataFrame] | None = None) -> RuleGroup:
    """Declare the group of a rules module (module-level `GROUP = group(...)`)."""
    if name in GROUPS and GROUPS[name] != RuleGroup(name, order, title, category):
        raise ValueError(f"rule group {name} declared twice")
    GROUPS[name] = RuleGroup(name, order, title, category, batch)
    return GROUPS[name]


@dataclass(frozen=True)
class Rule:
    code: str
    group: str                      # the name of its RuleGroup
    level: str                      # row, person, household, village
    severity: str                   # high, medium, low
    key: tuple[str, ...]            # finding columns forming the key (RULES.md)
    title: str                      # short Chinese title, e.g. 疑似失学辍学
    category: str                   # township list sheet: 身份信息, 家庭与收入, 教育, 医疗, 住房, 饮水, 监测帮扶
    needs: tuple[tuple[str, tuple[str, ...]], ...]  # (source, columns) pairs that must be present
    func: Callable[[RuleContext], pd.DataFrame]
    # For the catalog (`recon rules`, docs/rules.md): the Settings fields the
    # rule reads, and two texts for a township clerk — what a finding means in
    # practice (meaning) and what to do about it (action).
    settings: tuple[str, ...] = ()
    meaning: str = ""
    action: str = ""
    reads: tuple[str, ...] = ()     # codes of earlier rules whose findings it reads (ctx.prior)

    def switched(self, settings: Settings) -> tuple[bool, str]:
        """(enabled, severity) under a config's `rules: {CODE: {enabled,
        severity}}` (RULES.md §Profiles); a severity it leaves out is the catalog's."""
        enabled, severity = settings.rule_switch(self.code)
        return enabled, severity or self.severity

    def missing(self, ctx: RuleContext) -> str | None:
        """Why this rule cannot run on ctx (a plain sentence), or None."""
        for source, columns in self.needs:
            frame = ctx.source(source)
            if frame is None:
                return f"缺少数据源 {source}/"
            absent = [c for c in columns if c not in frame.columns]
            if absent:
                return f"{source}/ 缺少列 {'、'.join(absent)}"
        return None


REGISTRY: dict[str, Rule] = {}


def rule(code: str, *, group: RuleGroup, level: str, severity: str, key: tuple[str, ...], title: str,
         category: str | None = None, needs: tuple[tuple[str, tuple[str, ...]], ...] = (),
         settings: tuple[str, ...] = (), meaning: str = "", action: str = "", reads: tuple[str, ...] = ()):
    """Register a rule function under its catalog code, in its group."""
    def register(func: Callable[[RuleContext], pd.DataFrame]):
        if code in REGISTRY:
            raise ValueError(f"rule {code} registered twice")
        REGISTRY[code] = Rule(code=code, group=group.name, level=level, severity=severity, key=key, title=title,
                              category=category or group.category, needs=needs, func=func, settings=settings,
                              meaning=meaning, action=action, reads=reads)
        return func
    return register


def findings(frame: pd.DataFrame, **constants) -> pd.DataFrame:
    """Shape a rule's result: FINDING_COLUMNS in order, constants filled in,
    absent columns empty. Values are strings (row stays Int64)."""
    # One frame built from arrays: per-column inserts into a frame cost more than the rule itself.
    size = len(frame)
    columns = {}
    for column in FINDING_COLUMNS:
        value = constants[column] if column in constants else frame[column] if column in frame.columns else pd.NA
        dtype = "Int64" if column == "row" else "string"
        if isinstance(value, (pd.Series, pd.Index)):
            columns[column] = value.array if value.dtype == dtype else value.astype(dtype).array
        elif np.ndim(value):
            columns[column] = pd.Series(value).astype(dtype).array
        elif value is pd.NA or isinstance(value, str):
            columns[column] = pd.array([value] * size, dtype=dtype)
        else:
            columns[column] = pd.Series([value] * size, dtype=object).astype(dtype).array
    return pd.DataFrame(columns, index=pd.RangeIndex(size))


def empty_findings() -> pd.DataFrame:
    """No findings, with the columns and dtypes of findings() (a copy of one
    template: most rules find nothing on most drops, and building it costs ms)."""
    global _EMPTY
    if _EMPTY is None:
        _EMPTY = findings(pd.DataFrame(columns=FINDING_COLUMNS))
    return _EMPTY.copy()


_EMPTY: pd.DataFrame | None = None   # the template, never handed out itself
