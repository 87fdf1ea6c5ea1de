"""Running the catalog: every registered rule whose sources are present, in
catalog order, each group seeing the findings of the groups before it."""
from __future__ import annotations

import importlib
from dataclasses import dataclass, replace

import pandas as pd

from checks.rules import base
from checks.rules.base import REGISTRY, Rule, RuleContext, empty_findings

GROUPS = ("identity", "income", "education", "medical", "housing", "water", "monitoring")


def load_catalog() -> dict[str, Rule]:
    """Import the group modules (registration happens on import). A group
    module not written yet is skipped, so groups can be built one by one;
    any other import error is raised."""
    for group in GROUPS:
        name = f"checks.rules.{group}"
        try:
            importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
    return REGISTRY


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


def run_rules(ctx: RuleContext, groups: tuple[str, ...] = GROUPS, prior: pd.DataFrame | None = None,
              codes: tuple[str, ...] | None = None) -> RuleRun:
    """Run the catalog (or only the rules `codes`, e.g. in a test of one rule)."""
    catalog = load_catalog()
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
            reason = rule.missing(ctx)
            if reason:
                skipped.append({"rule": code, "reason": reason})
                continue
            found = rule.func(group_ctx)
            found = base.findings(found) if len(found) else empty_findings()
            found["rule"] = code
            found["severity"] = rule.severity
            found["category"] = rule.category
            found["key"] = key_text(found, rule.key)
            counts.append({"rule": code, "findings": len(found)})
            results.append(found)
    new = [r for r in results if r is not prior]
    all_found = pd.concat(new, ignore_index=True) if new else empty_findings().assign(severity=None, category=None, key=None)
    return RuleRun(all_found, pd.DataFrame(skipped, columns=["rule", "reason"]),
                   pd.DataFrame(counts, columns=["rule", "findings"]))
