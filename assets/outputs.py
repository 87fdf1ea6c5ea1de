"""The out_ layer (CONTRACT.md §4): every finding with its issue_id →
the registry (lifecycle, feedback, exemptions) → mismatches.csv,
household_status.csv, input_problems.csv, the township and bureau lists and
the report.

Each file-writing asset returns what it wrote through `written`, which
attaches the same path and row-count metadata to every output.

The registry (SQLAlchemy, Alembic), the township lists and the report
(matplotlib) are imported by the asset that uses them: building the graph
needs none of them."""
# No `from __future__ import annotations` here: Dagster 1.13 compares the
# `context` annotation as an object and rejects it as a string.

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from dagster import AssetExecutionContext, AssetIn, MetadataValue, PartitionsDefinition

from assets.findings import COUNTY_IN, context_of
from assets.matching import County
from assets.metadata import counts_table, masked_preview, tag_run
from assets.partitions import build_assets, county_asset
from assets.resources import ReconConfig
from assets.sources import county_partition
from checks.classes import household_status
from checks.rules.catalog import categories
from checks.rules.run import RuleRun, group_names, load_catalog
from checks.rules.stages import blank_status_notes
from recon import outputs
from recon import problems as P
from recon.bureaus import bureaus, write_bureau_lists
from recon.feedback import read_exemptions, read_feedback
from recon.registry.outcome import REPORTED, RunOutcome   # REPORTED: new, open, reopened


@dataclass
class AllFindings:
    findings: pd.DataFrame      # every finding of this run, with issue_id
    skipped: pd.DataFrame       # rule, reason
    counts: pd.DataFrame        # rule, findings
    county: str
    notes: list[str] = field(default_factory=list)   # sentences about the data (report, run summary)


@dataclass
class Written:
    """What an output asset wrote: its files and the rows of its table."""
    paths: list[Path]
    rows: int | None = None
    table: pd.DataFrame | None = None   # the table written, when a later output reads it


def written(context: AssetExecutionContext, paths: list[Path], rows: int | None = None,
            table: pd.DataFrame | None = None, **metadata) -> Written:
    """The one way an output asset reports its files: path(s), rows, then its own metadata."""
    shown = {"path": MetadataValue.path(str(paths[0]))} if len(paths) == 1 else {
        "files": MetadataValue.md("\n".join(f"- {p.name}" for p in paths) or "（无）"), "file_count": len(paths)}
    if rows is not None:
        shown["rows"] = rows
    context.add_output_metadata({**shown, **metadata})
    return Written(paths, rows, table)


SEVERITIES = tuple(outputs.SEVERITY_ORDER)   # high, medium, low


def counts_of(values: pd.Series, keys: tuple[str, ...], prefix: str) -> dict[str, int]:
    """One plain integer per key (zero included), e.g. findings_high: the UI
    plots integer metadata across materializations (asset → Plots), which is
    the month-to-month trend of each count."""
    counted = values.value_counts()
    return {f"{prefix}{key}": int(counted.get(key, 0)) for key in keys}


def findings_per_month(history: pd.DataFrame) -> MetadataValue:
    """Per as-of date, the county's findings by status (the registry's own
    history, so a month re-run or run late lands on its month)."""
    if history is None or history.empty:
        return MetadataValue.md("（无）")
    columns = [c for c in ("open_findings", *REPORTED, "resolved", "suppressed") if c in history.columns]
    table = history.groupby(history["as_of"].dt.strftime("%Y-%m-%d"))[columns].sum().reset_index()
    return counts_table(table)


GROUP_INS = {f"findings_{g}": AssetIn(f"findings_{g}") for g in group_names()}


def _out(recon: ReconConfig, context: AssetExecutionContext) -> Path:
    return recon.out_path(county_partition(context))


@county_asset(group_name="outputs", compute_kind="pandas", ins={**GROUP_INS, **COUNTY_IN},
              description="全部问题 / every finding of this run, with its stable issue_id (hash of rule, key and county).")
def out_findings(context: AssetExecutionContext, recon: ReconConfig, county: County, **group_runs) -> AllFindings:
    from recon.registry import issue_ids
    runs: list[RuleRun] = [group_runs[name] for name in GROUP_INS]
    ctx = context_of(context, recon, county)
    frames = [r.findings for r in runs if len(r.findings)]
    found = pd.concat(frames, ignore_index=True) if frames else runs[0].findings
    found = found.assign(county=ctx.county)
    found.insert(0, "issue_id", issue_ids(found, ctx.county))
    skipped = pd.concat([r.skipped for r in runs], ignore_index=True)
    counts = pd.concat([r.counts for r in runs], ignore_index=True)
    notes = blank_status_notes(ctx)
    tag_run(context, ctx.county, recon.as_of_date().isoformat())
    severity = found["severity"].value_counts().rename_axis("severity").reset_index(name="findings")
    context.add_output_metadata({
        "county": ctx.county, "as_of": recon.as_of_date().isoformat(), "findings": len(found),
        **counts_of(found["severity"], SEVERITIES, "findings_"),
        "findings_per_rule": counts_table(counts), "findings_per_severity": counts_table(severity),
        "rules_skipped": counts_table(skipped),
        "notes": MetadataValue.md("\n".join(f"- {note}" for note in notes) or "（无）"),
    })
    return AllFindings(found, skipped, counts, ctx.county, notes)


@county_asset(group_name="outputs", compute_kind="sqlalchemy", ins={"all_findings": AssetIn("out_findings")},
              description="问题台账 / the findings registry: new, open, reopened and resolved (销号) against the "
                          "previous run; feedback and exemptions applied. One transaction.")
def out_registry(context: AssetExecutionContext, recon: ReconConfig, all_findings: AllFindings) -> RunOutcome:
    from recon.registry import open_registry
    drop = recon.data_path(county_partition(context))
    claims, feedback_problems = read_feedback(drop)
    exemptions, exemption_problems = read_exemptions(drop, recon.as_of_date())
    registry = open_registry(recon.database_url(), _out(recon, context))
    try:
        outcome = registry.record_run(all_findings.county, recon.as_of_date(), all_findings.findings,
                                      feedback=claims, exemptions=exemptions,
                                      skipped_rules=set(all_findings.skipped["rule"]))
    finally:
        registry.close()
    outcome.problems = P.concat([outcome.problems, feedback_problems, exemption_problems])
    status_counts = outcome.current["status"].value_counts().rename_axis("status").reset_index(name="findings")
    per_township = (outcome.current.groupby(outcome.current["township"].fillna("未知乡镇")).size()
                    .rename_axis("township").reset_index(name="open findings"))
    context.add_output_metadata({
        "status": counts_table(status_counts), "open": len(outcome.current),
        **counts_of(outcome.current["status"], REPORTED, "status_"), "resolved": len(outcome.resolved),
        "suppressed": len(outcome.suppressed), "per_township": counts_table(per_township),
        "findings_per_month": findings_per_month(outcome.history),
        "database": registry.shown_url,
    })
    return outcome


@county_asset(group_name="outputs", compute_kind="csv", ins={"outcome": AssetIn("out_registry")},
              description="mismatches.csv: every finding of this run with its status (CONTRACT.md §4).")
def out_mismatches(context: AssetExecutionContext, recon: ReconConfig, outcome: RunOutcome) -> Written:
    path = outputs.write_mismatches(outcome.current, _out(recon, context))
    return written(context, [path], len(outcome.current),
                   **counts_of(outcome.current["status"], REPORTED, "status_"),
                   **counts_of(outcome.current["severity"], SEVERITIES, "severity_"),
                   preview=masked_preview(outputs.mismatches_table(outcome.current)))


@county_asset(group_name="outputs", compute_kind="csv", ins={"all_findings": AssetIn("out_findings"), **COUNTY_IN},
              description="household_status.csv: A/B/C class and gaps of every system household (RULES.md).")
def out_household_status(context: AssetExecutionContext, recon: ReconConfig, all_findings: AllFindings,
                         county: County) -> Written:
    status = household_status(context_of(context, recon, county), all_findings.findings)
    path = outputs.write_household_status(status, _out(recon, context))
    classes = status["class"].value_counts().rename_axis("class").reset_index(name="households")
    return written(context, [path], len(status), status, classes=counts_table(classes))


@county_asset(group_name="outputs", compute_kind="csv", ins={**COUNTY_IN, "outcome": AssetIn("out_registry")},
              description="input_problems.csv: every file, row or cell that could not be read as data.")
def out_input_problems(context: AssetExecutionContext, recon: ReconConfig, outcome: RunOutcome,
                       county: County) -> Written:
    problems = P.concat([table.problems for _, table in sorted(county.tables.items())] + [outcome.problems])
    path = outputs.write_input_problems(problems, _out(recon, context))
    per_file = problems.groupby("file", dropna=False).size().rename("problems").reset_index()
    return written(context, [path], len(problems), problems, per_file=counts_table(per_file))


@county_asset(group_name="outputs", compute_kind="excel",
              ins={"outcome": AssetIn("out_registry"), "all_findings": AssetIn("out_findings")},
              description="整改清单 / one Excel correction list per township, 三色制, with a 已销号 sheet.")
def out_township_lists(context: AssetExecutionContext, recon: ReconConfig, outcome: RunOutcome,
                       all_findings: AllFindings) -> Written:
    from recon.lists import write_township_lists
    paths = write_township_lists(outcome.current, outcome.resolved, _out(recon, context), all_findings.county,
                                 recon.as_of_date(), recon.settings(), categories(recon.settings()))
    return written(context, paths, len(outcome.current) + len(outcome.resolved))


@county_asset(group_name="outputs", compute_kind="excel",
              ins={"outcome": AssetIn("out_registry"), "all_findings": AssetIn("out_findings"), **COUNTY_IN},
              description="核查清单 / one Excel verification list per sector bureau whose data a finding rests on "
                          "(三单制), with the bureau's own record beside each finding.")
def out_bureau_lists(context: AssetExecutionContext, recon: ReconConfig, outcome: RunOutcome,
                     all_findings: AllFindings, county: County) -> Written:
    # The bureaus' own records beside the findings, and the system's (which household a
    # member's ID on a water or housing row is about).
    records = {name: county.tables[name].frame for name in ("system", *bureaus())}
    paths = write_bureau_lists(outcome.current, outcome.resolved, _out(recon, context), all_findings.county,
                               recon.as_of_date(), recon.settings(), records, categories(recon.settings()))
    return written(context, paths, bureaus=len(paths))


@county_asset(group_name="outputs", compute_kind="html",
              ins={"outcome": AssetIn("out_registry"), "all_findings": AssetIn("out_findings"),
                   "status": AssetIn("out_household_status"), "problems": AssetIn("out_input_problems"), **COUNTY_IN},
              description="report.html: findings by township, rule and severity, trends, the four guarantees, A/B/C classes.")
def out_report(context: AssetExecutionContext, recon: ReconConfig, outcome: RunOutcome, all_findings: AllFindings,
               status: Written, problems: Written, county: County) -> Written:
    from recon.report import write_report
    counts_by_source = {source: (0 if table.frame is None else len(table.frame))
                        for source, table in sorted(county.tables.items())}
    path = write_report(_out(recon, context) / "report.html", county=all_findings.county, as_of=recon.as_of_date(),
                        current=outcome.current, resolved=outcome.resolved, suppressed=outcome.suppressed,
                        history=outcome.history, household_status=status.table, skipped=all_findings.skipped,
                        input_problems=problems.table, counts_by_source=counts_by_source,
                        rule_titles={code: rule.title for code, rule in load_catalog(recon.settings()).items()},
                        notes=all_findings.notes, source_history=outcome.source_history)
    return written(context, [path])


OUTPUTS = [out_findings, out_registry, out_mismatches, out_household_status, out_input_problems,
           out_township_lists, out_bureau_lists, out_report]


def build_output_assets(partitions_def: PartitionsDefinition | None = None) -> list:
    return build_assets(OUTPUTS, partitions_def)
