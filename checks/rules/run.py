"""Running the catalog: every registered rule whose sources are present, in
catalog order, each group seeing the findings of the groups before it.

The catalog is what the modules of this package register: a module with a
`GROUP = group(...)` and its @rule functions is a group; adding one needs no
list to be edited."""
from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass, replace
from functools import lru_cache

import pandas as pd

import checks.rules
from checks.rules import base
from checks.rules.base import GROUPS, REGISTRY, Rule, RuleContext, empty_findings
from recon.settings import Settings


@lru_cache(maxsize=1)
def _import_modules() -> None:
    for module in pkgutil.iter_modules(checks.rules.__path__):
        importlib.import_module(f"checks.rules.{module.name}")


def load_catalog(settings: Settings | None = None) -> dict[str, Rule]:
    """Every rule, by code, in catalog order: groups in their order, rules in
    the order their module registers them; given a config's settings, its
    own checks follow (the county group, checks/rules/county.py)."""
    _import_modules()
    position = {code: i for i, code in enumerate(REGISTRY)}
    ordered = sorted(REGISTRY.values(), key=lambda rule: (GROUPS[rule.group].order, position[rule.code]))
    catalog = {rule.code: rule for rule in ordered}
    if settings is not None and settings.checks:
        from checks.rules.county import county_rules
        catalog |= county_rules(settings)
    return catalog


def group_names() -> tuple[str, ...]:
    """The groups in run order."""
    _import_modules()
    return tuple(sorted(GROUPS, key=lambda name: GROUPS[name].order))


def prior_groups(group: str) -> tuple[str, ...]:
    """The groups whose findings the rules of `group` read (their `reads`), in order."""
    catalog = load_catalog()
    read = {catalog[code].group for rule in catalog.values() if rule.group == group for code in rule.reads}
    return tuple(name for name in group_names() if name in read)


# Why a rule the config switches off did not run (report, metadata, run summary).
DISABLED = "配置中已停用（rules: enabled: false）"


@dataclass
class RuleRun:
    findings: pd.DataFrame          # FINDING_COLUMNS + severity, category, key
    skipped: pd.DataFrame           # rule, reason
    counts: pd.DataFrame            # rule, findings


def key_text(frame: pd.DataFrame, key: tuple[str, ...]) -> pd.Series:
    """The finding's key as one string (parts joined by |), for issue_id."""
    parts = [frame[column].astype("string").fillna("") for column in key]
    text = parts[0]
    for part in parts[1:]:
        text = text + "|" + part
    return text


def run_rules(ctx: RuleContext, groups: tuple[str, ...] | None = None, prior: pd.DataFrame | None = None,
              codes: tuple[str, ...] | None = None) -> RuleRun:
    """Run the catalog (or the `groups`, or only the rules `codes`, e.g. in a test of one rule)."""
    catalog = load_catalog(ctx.settings)
    groups = group_names() if groups is None else groups
    if codes is not None:
        catalog = {code: rule for code, rule in catalog.items() if code in codes}
    results = [prior] if prior is not None and len(prior) else []
    skipped, counts = [], []
    for group in groups:
        # A group sees the findings of the groups before it.
        group_ctx = replace(ctx, prior=pd.concat(results, ignore_index=True) if results else empty_findings())
        for code, rule in catalog.items():
            if rule.group != group:
                continue
            enabled, severity = rule.switched(ctx.settings)
            reason = DISABLED if not enabled else rule.missing(ctx)
            if reason:
                skipped.append({"rule": code, "reason": reason})
                continue
            found = rule.func(group_ctx)
            if not len(found):   # most rules find nothing on most drops: nothing to label or keep
                counts.append({"rule": code, "findings": 0})
                continue
            found = base.findings(found)
            found["rule"] = code
            found["severity"] = severity
            found["category"] = rule.category
            found["key"] = key_text(found, rule.key)
            counts.append({"rule": code, "findings": len(found)})
            results.append(found)
    new = [r for r in results if r is not prior]
    all_found = pd.concat(new, ignore_index=True) if new else empty_findings().assign(severity=None, category=None, key=None)
    return RuleRun(all_found, pd.DataFrame(skipped, columns=["rule", "reason"]),
                   pd.DataFrame(counts, columns=["rule", "findings"]))
