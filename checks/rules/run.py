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

import numpy as np
import pandas as pd
import pyarrow as pa

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
        severities = {}
        for code, rule in catalog.items():
            if rule.group != group:
                continue
            enabled, severity = rule.switched(ctx.settings)
            reason = DISABLED if not enabled else rule.missing(ctx)
            if reason:
                skipped.append({"rule": code, "reason": reason})
            else:
                severities[code] = severity
        found = group_findings(group_ctx, group, [catalog[code] for code in severities])
        per_rule = found["rule"].value_counts()
        counts += [{"rule": code, "findings": int(per_rule.get(code, 0))} for code in severities]
        if len(found):
            results.append(labelled(found, catalog, severities))
    new = [r for r in results if r is not prior]
    all_found = pd.concat(new, ignore_index=True) if new else empty_findings().assign(severity=None, category=None, key=None)
    return RuleRun(all_found, pd.DataFrame(skipped, columns=["rule", "reason"]),
                   pd.DataFrame(counts, columns=["rule", "findings"]))


def group_findings(ctx: RuleContext, group: str, rules: list[Rule]) -> pd.DataFrame:
    """The findings of a group's runnable rules (FINDING_COLUMNS, `rule` set):
    in one call when the group runs its rules together, else rule by rule."""
    batch = GROUPS[group].batch
    if batch is not None:
        return batch(ctx, [rule.code for rule in rules]) if rules else empty_findings()
    found = [base.findings(result, rule=rule.code) for rule in rules if len(result := rule.func(ctx))]
    # most rules find nothing on most drops: nothing to shape or keep
    return pd.concat(found, ignore_index=True) if found else empty_findings()


def labelled(found: pd.DataFrame, catalog: dict[str, Rule], severities: dict[str, str]) -> pd.DataFrame:
    """Findings of several rules with each one's severity (the config's), category
    and key text (its key's columns joined), worked out per rule, not per row."""
    codes, rules = pd.factorize(found["rule"])
    found["severity"] = np.array([severities[code] for code in rules], dtype=object)[codes]
    found["category"] = np.array([catalog[code].category for code in rules], dtype=object)[codes]
    by_key: dict[tuple[str, ...], list[int]] = {}
    for number, code in enumerate(rules):
        by_key.setdefault(catalog[code].key, []).append(number)
    rows = [np.flatnonzero(np.isin(codes, numbers)) for numbers in by_key.values()]
    texts = [pa.array(key_text(found[list(columns)].iloc[at], columns).array) for columns, at in zip(by_key, rows)]
    # Each key's texts were built for its rows: put them back in the findings' order.
    key = pa.chunked_array(texts).take(np.argsort(np.concatenate(rows), kind="stable")) if len(texts) > 1 else texts[0]
    found["key"] = pd.array(key, dtype="string")
    return found
