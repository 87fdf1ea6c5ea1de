"""Outputs: all findings → the registry (lifecycle, feedback, exemptions) →
mismatches.csv, household_status.csv, input_problems.csv, township lists and
the report (CONTRACT.md §4)."""
# No `from __future__ import annotations` here: Dagster 1.13 compares the
# `context` annotation as an object and rejects it as a string.

from dataclasses import dataclass

import pandas as pd
from dagster import AssetExecutionContext, AssetIn, MetadataValue, PartitionsDefinition

from assets.metadata import counts_table, markdown_table, masked_preview
from assets.partitions import build_assets, county_asset
from assets.resources import ReconConfig
from assets.sources import SourceTable, county_partition
from checks.classes import household_status
from checks.rules.base import RuleContext
from checks.rules.run import GROUPS, RuleRun
from recon import outputs
from recon import problems as P
from recon.columns import SOURCES
from recon.feedback import read_exemptions, read_feedback
from recon.lists import write_township_lists
from recon.registry import RunOutcome, issue_ids, open_registry
from recon.report import write_report


@dataclass
class AllFindings:
    findings: pd.DataFrame      # every finding of this run, with issue_id
    skipped: pd.DataFrame       # rule, reason
    counts: pd.DataFrame        # rule, findings


GROUP_INS = {f"findings_{g}": AssetIn(f"findings_{g}") for g in GROUPS}
CORE_INS = {f"core_{s}": AssetIn(f"core_{s}") for s in SOURCES}


@county_asset(group_name="outputs", compute_kind="pandas", ins={"ctx": AssetIn("rule_context"), **GROUP_INS},
       description="全部问题 / every finding of this run, with its stable issue_id (hash of rule, key and county).")
def findings(context: AssetExecutionContext, ctx: RuleContext, **groups: RuleRun) -> AllFindings:
    runs = list(groups.values())
    frames = [r.findings for r in runs if len(r.findings)]
    all_findings = pd.concat(frames, ignore_index=True) if frames else runs[0].findings
    all_findings = all_findings.assign(county=ctx.county)
    all_findings.insert(0, "issue_id", issue_ids(all_findings, ctx.county))
    skipped = pd.concat([r.skipped for r in runs], ignore_index=True)
    counts = pd.concat([r.counts for r in runs], ignore_index=True)
    context.add_output_metadata({
        "findings": len(all_findings),
        "findings_per_rule": counts_table(counts),
        "rules_skipped": MetadataValue.md(markdown_table(skipped) if len(skipped) else "（无）"),
    })
    return AllFindings(all_findings, skipped, counts)


@county_asset(group_name="outputs", compute_kind="sqlalchemy", ins={"all_findings": AssetIn("findings")},
       description="问题台账 / the findings registry: new, open, reopened and resolved (销号) against the previous run; "
                   "feedback and exemptions applied. One transaction.")
def registry_run(context: AssetExecutionContext, recon: ReconConfig, all_findings: AllFindings) -> RunOutcome:
    county_dir = county_partition(context)
    drop = recon.data_path(county_dir)
    claims, feedback_problems = read_feedback(drop)
    exemptions, exemption_problems = read_exemptions(drop, recon.as_of_date())
    county = all_findings.findings["county"].iloc[0] if len(all_findings.findings) else drop.name
    registry = open_registry(recon.database_url(), recon.out_path(county_dir))
    try:
        outcome = registry.record_run(county, recon.as_of_date(), all_findings.findings,
                                      feedback=claims, exemptions=exemptions,
                                      skipped_rules=set(all_findings.skipped["rule"]))
    finally:
        registry.close()
    outcome.problems = P.concat([outcome.problems, feedback_problems, exemption_problems])
    status_counts = outcome.current["status"].value_counts().rename_axis("status").reset_index(name="findings")
    context.add_output_metadata({
        "status": counts_table(status_counts),
        "resolved": len(outcome.resolved),
        "suppressed": len(outcome.suppressed),
        "database": registry.shown_url,
    })
    return outcome


@county_asset(group_name="outputs", compute_kind="csv", ins={"outcome": AssetIn("registry_run")},
       description="mismatches.csv: every finding of this run with its status (CONTRACT.md §4).")
def mismatches_csv(context: AssetExecutionContext, recon: ReconConfig, outcome: RunOutcome) -> str:
    path = outputs.write_mismatches(outcome.current, recon.out_path(county_partition(context)))
    context.add_output_metadata({"path": MetadataValue.path(str(path)), "rows": len(outcome.current),
                                 "preview": masked_preview(outputs.mismatches_table(outcome.current))})
    return str(path)


@county_asset(group_name="outputs", compute_kind="csv",
       ins={"ctx": AssetIn("rule_context"), "all_findings": AssetIn("findings")},
       description="household_status.csv: A/B/C class and gaps of every system household (RULES.md).")
def household_status_csv(context: AssetExecutionContext, recon: ReconConfig, ctx: RuleContext,
                         all_findings: AllFindings) -> pd.DataFrame:
    status = household_status(ctx, all_findings.findings)
    path = outputs.write_household_status(status, recon.out_path(county_partition(context)))
    classes = status["class"].value_counts().rename_axis("class").reset_index(name="households")
    context.add_output_metadata({"path": MetadataValue.path(str(path)), "classes": counts_table(classes)})
    return status


@county_asset(group_name="outputs", compute_kind="csv", ins={**CORE_INS, "outcome": AssetIn("registry_run")},
       description="input_problems.csv: every file, row or cell that could not be read as data.")
def input_problems_csv(context: AssetExecutionContext, recon: ReconConfig, outcome: RunOutcome,
                       **cores: SourceTable) -> pd.DataFrame:
    problems = P.concat([t.problems for t in cores.values()] + [outcome.problems])
    path = outputs.write_input_problems(problems, recon.out_path(county_partition(context)))
    per_file = problems.groupby("file", dropna=False).size().rename("problems").reset_index()
    context.add_output_metadata({"path": MetadataValue.path(str(path)), "problems": len(problems),
                                 "per_file": counts_table(per_file)})
    return problems


@county_asset(group_name="outputs", compute_kind="excel", ins={"outcome": AssetIn("registry_run"), "ctx": AssetIn("rule_context")},
       description="整改清单 / one Excel correction list per township, 三色制, with a 已销号 sheet.")
def township_lists(context: AssetExecutionContext, recon: ReconConfig, outcome: RunOutcome, ctx: RuleContext) -> list[str]:
    paths = write_township_lists(outcome.current, outcome.resolved, recon.out_path(county_partition(context)),
                                 ctx.county, ctx.as_of, ctx.settings)
    context.add_output_metadata({"lists": len(paths),
                                 "files": MetadataValue.md("\n".join(f"- {p.name}" for p in paths) or "（无）")})
    return [str(p) for p in paths]


@county_asset(group_name="outputs", compute_kind="html",
       ins={"outcome": AssetIn("registry_run"), "ctx": AssetIn("rule_context"), "all_findings": AssetIn("findings"),
            "status": AssetIn("household_status_csv"), "problems": AssetIn("input_problems_csv")},
       description="report.html: findings by township, rule and severity, trends, the four guarantees, A/B/C classes.")
def report_html(context: AssetExecutionContext, recon: ReconConfig, outcome: RunOutcome, ctx: RuleContext,
                all_findings: AllFindings, status: pd.DataFrame, problems: pd.DataFrame) -> str:
    counts_by_source = {name: (0 if frame is None else len(frame)) for name, frame in ctx.sources.items()}
    path = write_report(recon.out_path(county_partition(context)) / "report.html", county=ctx.county, as_of=ctx.as_of,
                        current=outcome.current, resolved=outcome.resolved, suppressed=outcome.suppressed,
                        history=outcome.history, household_status=status, skipped=all_findings.skipped,
                        input_problems=problems, counts_by_source=counts_by_source, notes=ctx.notes)
    context.add_output_metadata({"path": MetadataValue.path(str(path))})
    return str(path)


OUTPUTS = [findings, registry_run, mismatches_csv, household_status_csv, input_problems_csv,
           township_lists, report_html]


def build_output_assets(partitions_def: PartitionsDefinition | None = None) -> list:
    return build_assets(OUTPUTS, partitions_def)


output_assets = build_output_assets()
