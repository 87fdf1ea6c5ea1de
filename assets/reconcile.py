"""Matching and the rule groups: core sources → matched households → one
findings asset per group of the catalog (RULES.md)."""
# No `from __future__ import annotations` here: Dagster 1.13 compares the
# `context` annotation as an object and rejects it as a string.

import pandas as pd
from dagster import AssetExecutionContext, AssetIn, MetadataValue, PartitionsDefinition, asset

from assets.metadata import counts_table, markdown_table
from assets.partitions import build_assets, county_asset
from assets.resources import ReconConfig
from assets.sources import SourceTable, county_partition
from checks.rules.base import RuleContext
from checks.rules.run import GROUPS, RuleRun, load_catalog, run_rules
from checks.rules.stages import blank_status_notes
from recon.columns import SOURCES
from recon.match import match

GROUP_TITLES = {
    "identity": "身份与家庭结构 / identity and household structure",
    "income": "收入测算 / income",
    "education": "义务教育有保障 / education",
    "medical": "基本医疗有保障 / medical insurance",
    "housing": "住房安全有保障 / housing",
    "water": "饮水安全有保障 / drinking water",
    "monitoring": "防返贫监测帮扶 / monitoring and assistance",
}


def county_of(system: pd.DataFrame, fallback: str) -> str:
    """The county as the system spells it (its most frequent 县), else the drop's name."""
    if "县" in system.columns:
        names = system["县"].dropna()
        if len(names):
            return str(names.value_counts().index[0])
    return fallback


@county_asset(group_name="matching", compute_kind="pandas",
       ins={f"core_{s}": AssetIn(f"core_{s}") for s in SOURCES},
       description="人户匹配 / persons and households linked across sources: the system 户编号 is the household; "
                   "ledger households map to it by their head's ID (or most members).")
def rule_context(context: AssetExecutionContext, recon: ReconConfig, **cores: SourceTable) -> RuleContext:
    tables = {name.removeprefix("core_"): table for name, table in cores.items()}
    matched = match(tables["system"].frame, tables["ledger"].frame)
    sources = {name: table.frame for name, table in tables.items()}
    sources["system"], sources["ledger"] = matched.system, matched.ledger
    county = county_of(matched.system, recon.data_path(county_partition(context)).name)
    ctx = RuleContext(as_of=recon.as_of_date(), settings=recon.settings(), county=county, sources=sources,
                      households=matched.households, ledger_households=matched.ledger_households,
                      people=matched.people)
    ctx.notes = blank_status_notes(ctx)
    hh = matched.households
    context.add_output_metadata({
        "county": county,
        "system_households": len(hh),
        "registered_households": int(hh["registered"].sum()) if len(hh) else 0,
        "monitored_households": int(hh["monitored"].sum()) if len(hh) else 0,
        "poverty_households": int(hh["poverty"].sum()) if len(hh) else 0,
        "ledger_households": len(matched.ledger_households),
        "ledger_households_unmatched": int(matched.ledger_households["household_id"].isna().sum()),
        "sources_present": ", ".join(s for s, f in sources.items() if f is not None),
        "notes": MetadataValue.md("\n".join(f"- {note}" for note in ctx.notes) or "（无）"),
    })
    return ctx


def group_metadata(result: RuleRun) -> dict:
    counts = result.counts.copy()
    catalog = load_catalog()
    counts.insert(1, "title", counts["rule"].map(lambda c: catalog[c].title))
    return {
        "findings": len(result.findings),
        "findings_per_rule": counts_table(counts),
        "rules_skipped": MetadataValue.md(markdown_table(result.skipped) if len(result.skipped) else "（无）"),
    }


def build_group_asset(group: str, partitions_def: PartitionsDefinition | None = None):
    # Monitoring reads the findings of the sector groups (MON01/MON02 name HOU01, WAT01, EDU01, MED01).
    upstream = ("education", "medical", "housing", "water") if group == "monitoring" else ()
    ins = {"ctx": AssetIn("rule_context"), **{f"findings_{g}": AssetIn(f"findings_{g}") for g in upstream}}

    @asset(name=f"findings_{group}", group_name="rules", compute_kind="pandas", ins=ins,
           partitions_def=partitions_def,
           description=f"{GROUP_TITLES[group]}: findings of the {group} rules of RULES.md.")
    def findings_asset(context: AssetExecutionContext, ctx: RuleContext, **prior_runs: RuleRun) -> RuleRun:
        prior = [run.findings for run in prior_runs.values() if len(run.findings)]
        result = run_rules(ctx, groups=(group,), prior=pd.concat(prior, ignore_index=True) if prior else None)
        context.add_output_metadata(group_metadata(result))
        return result

    return findings_asset


def build_rule_assets(partitions_def: PartitionsDefinition | None = None) -> list:
    return [*build_assets([rule_context], partitions_def), *(build_group_asset(g, partitions_def) for g in GROUPS)]


rule_assets = build_rule_assets()
