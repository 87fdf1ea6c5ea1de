"""One findings_<group> asset per group of the rule catalog (checks/rules/):
the group's rules on the county (core_county: its core tables and the match). A group whose
rules read earlier findings (`reads` of @rule, e.g. MON01 reads HOU01) takes
the findings assets of those groups."""
# No `from __future__ import annotations` here: Dagster 1.13 compares the
# `context` annotation as an object and rejects it as a string.

import pandas as pd
from dagster import AssetExecutionContext, AssetIn, PartitionsDefinition, asset

from assets.matching import County
from assets.metadata import counts_table
from assets.resources import ReconConfig
from assets.sources import county_partition
from checks.rules.base import GROUPS, RuleContext
from checks.rules.run import RuleRun, group_names, load_catalog, prior_groups, run_rules

COUNTY_IN = {"county": AssetIn("core_county")}


def context_of(context: AssetExecutionContext, recon: ReconConfig, county: County) -> RuleContext:
    """The RuleContext of this county (checks/rules/context.py) with the run's settings and as-of date."""
    return county.context(recon.settings(), recon.as_of_date(), recon.data_path(county_partition(context)).name)


def group_metadata(result: RuleRun, group: str | None = None, settings=None) -> dict:
    """Counts per rule and severity, the rules that did not run and why, and
    (given the group and the run's settings) the group's effective catalog:
    each rule with enabled and severity as the config makes them."""
    counts = result.counts.copy()
    catalog = load_catalog(settings)
    effective = {}
    if group is not None and settings is not None:
        rows = [(rule.code, rule.title, *rule.switched(settings)) for rule in catalog.values() if rule.group == group]
        table = pd.DataFrame(rows, columns=["rule", "title", "enabled", "severity"])
        table["enabled"] = table["enabled"].map({True: "是", False: "否（配置停用）"})
        effective = {"rules": counts_table(table)}
    counts.insert(1, "title", counts["rule"].map(lambda c: catalog[c].title))
    severity = result.findings["severity"].value_counts().rename_axis("severity").reset_index(name="findings")
    return {
        "findings": len(result.findings),
        "findings_per_rule": counts_table(counts),
        "findings_per_severity": counts_table(severity),
        "rules_skipped": counts_table(result.skipped),
        **effective,
    }


def build_group_asset(group: str, partitions_def: PartitionsDefinition | None = None):
    prior = prior_groups(group)
    ins = {**COUNTY_IN, **{f"findings_{g}": AssetIn(f"findings_{g}") for g in prior}}

    @asset(name=f"findings_{group}", group_name="rules", compute_kind="pandas", ins=ins,
           partitions_def=partitions_def,
           description=f"{GROUPS[group].title}: findings of the {group} rules"
                       + (f" (reads the findings of {', '.join(prior)})." if prior else "."))
    def findings_asset(context: AssetExecutionContext, recon: ReconConfig, county: County, **earlier_runs) -> RuleRun:
        earlier = [earlier_runs[f"findings_{g}"].findings for g in prior if len(earlier_runs[f"findings_{g}"].findings)]
        result = run_rules(context_of(context, recon, county), groups=(group,),
                           prior=pd.concat(earlier, ignore_index=True) if earlier else None)
        context.add_output_metadata(group_metadata(result, group, recon.settings()))
        return result

    return findings_asset


def build_findings_assets(partitions_def: PartitionsDefinition | None = None) -> list:
    return [build_group_asset(group, partitions_def) for group in group_names()]
