"""Dagster asset checks on the core sources (what a data team watches):

- blocking (ERROR) on core_system and core_ledger: key columns present,
  at least one valid ID, no 户编号 under two 县 — when one fails, nothing
  downstream of them materialises in that run and the metadata says why;
- input_problems (WARN) on every core source: row-level problems per file;
- gx_<source> (WARN): the Great Expectations suites of recon/expectations.py,
  one validation step for all sources, Data Docs linked from the metadata.

Metadata holds counts, file names, column names and 户编号 at most — never
ID numbers or names."""
# No `from __future__ import annotations` here: Dagster 1.13 compares the
# `context` annotation as an object and rejects it as a string.

import pandas as pd
from dagster import (AssetCheckExecutionContext, AssetCheckResult, AssetCheckSeverity, AssetCheckSpec, AssetIn,
                     MetadataValue, PartitionsDefinition, multi_asset_check)

from assets.metadata import counts_table
from assets.resources import ReconConfig
from assets.sources import SourceTable
from recon.columns import KEY_COLUMNS, REQUIRED_SOURCES, SOURCES
from recon.expectations import validate
from recon.problems import PATH

BLOCKING = {
    "required_columns": "关键列齐全 / the key columns (CONTRACT.md §2) were found in at least one file",
    "valid_rows": "至少一行有效证件号码 / at least one row with a valid 证件号码",
    "one_county_per_household": "户编号不跨县 / no 户编号 appears under two different 县",
}
SAMPLE = 10


def required_columns(table: SourceTable) -> AssetCheckResult:
    keys = KEY_COLUMNS[table.source]
    frame = table.frame if table.frame is not None else pd.DataFrame()
    missing = [c for c in keys if c not in frame.columns]
    used = set(frame[PATH].dropna()) if PATH in frame.columns else set()
    unused = [f for f in table.files if f not in used]
    # The reader's own words for the files it skipped (e.g. 找不到表头：缺少关键列 证件号码).
    file_problems = table.problems[table.problems["file"].isin(unused) & table.problems["row"].isna()]
    passed = not missing and len(frame) > 0
    return AssetCheckResult(
        asset_key=f"core_{table.source}", check_name="required_columns",
        passed=passed, severity=AssetCheckSeverity.ERROR,
        description=None if passed else (
            f"{table.source}/ 中没有任何文件含有关键列 {'、'.join(keys)}" + (f"（缺少 {'、'.join(missing)}）" if missing else "")),
        metadata={
            "key_columns": ", ".join(keys), "missing_columns": ", ".join(missing) or "（无）",
            "files": len(table.files), "files_with_rows": len(used),
            "files_skipped": counts_table(file_problems[["file", "problem"]].drop_duplicates()),
        })


def valid_rows(table: SourceTable) -> AssetCheckResult:
    frame = table.frame if table.frame is not None else pd.DataFrame()
    valid = int(frame["_id_valid"].sum()) if "_id_valid" in frame.columns else 0
    return AssetCheckResult(
        asset_key=f"core_{table.source}", check_name="valid_rows",
        passed=valid > 0, severity=AssetCheckSeverity.ERROR,
        description=None if valid else f"{table.source}/ 中没有一行含有效的证件号码",
        metadata={"rows": len(frame), "rows_with_valid_id": valid})


def one_county_per_household(table: SourceTable) -> AssetCheckResult:
    frame = table.frame if table.frame is not None else pd.DataFrame()
    if not {"户编号", "县"} <= set(frame.columns):
        return AssetCheckResult(asset_key=f"core_{table.source}", check_name="one_county_per_household",
                                passed=True, severity=AssetCheckSeverity.ERROR,
                                metadata={"checked": False, "reason": "no 户编号 or 县 column"})
    counties_per_household = frame.dropna(subset=["户编号"]).groupby("户编号")["县"].nunique()
    split = counties_per_household[counties_per_household > 1]
    return AssetCheckResult(
        asset_key=f"core_{table.source}", check_name="one_county_per_household",
        passed=split.empty, severity=AssetCheckSeverity.ERROR,
        description=None if split.empty else f"{len(split)} 个户编号出现在两个以上的县下",
        metadata={"checked": True, "households_in_two_counties": len(split),
                  "sample_户编号": ", ".join(map(str, split.index[:SAMPLE])) or "（无）"})


def input_problems(table: SourceTable) -> AssetCheckResult:
    per_file = table.problems.groupby("file", dropna=False).size().rename("problems").reset_index()
    return AssetCheckResult(
        asset_key=f"core_{table.source}", check_name="input_problems", passed=table.problems.empty,
        severity=AssetCheckSeverity.WARN,
        metadata={"present": table.frame is not None, "problems": len(table.problems),
                  "per_file": counts_table(per_file)})


def build_asset_checks(partitions_def: PartitionsDefinition | None = None) -> list:
    def spec(source: str, name: str, description: str, blocking: bool = False) -> AssetCheckSpec:
        return AssetCheckSpec(name, asset=f"core_{source}", description=description, blocking=blocking,
                              partitions_def=partitions_def)

    core_ins = {f"core_{s}": AssetIn(f"core_{s}") for s in SOURCES}

    @multi_asset_check(
        name="required_sources_usable", compute_kind="pandas",
        specs=[spec(s, name, text, blocking=True) for s in REQUIRED_SOURCES for name, text in BLOCKING.items()],
        ins={f"core_{s}": AssetIn(f"core_{s}") for s in REQUIRED_SOURCES},
        description="Blocking: the system export and the ledger can be reconciled at all.")
    def required_sources_usable(**cores: SourceTable):
        for table in cores.values():
            for check in (required_columns, valid_rows, one_county_per_household):
                yield check(table)

    @multi_asset_check(
        name="source_problems", compute_kind="pandas", ins=core_ins,
        specs=[spec(s, "input_problems", "行级输入问题 / rows or cells that could not be read (input_problems.csv)")
               for s in SOURCES],
        description="Warn: row-level input problems per source, counted per file.")
    def input_problem_checks(**cores: SourceTable):
        for table in cores.values():
            yield input_problems(table)

    @multi_asset_check(
        name="great_expectations", compute_kind="great_expectations", ins=core_ins,
        specs=[spec(s, f"gx_{s}", "Great Expectations: row count vs the previous run, key columns complete, "
                                  "coded values in their sets") for s in SOURCES],
        description="Warn: one GX validation of every source; Data Docs in OUT/data_docs/.",
        # Last among the steps ready to run: recon run's helper validates meanwhile (recon/expectations.py).
        op_tags={"dagster/priority": "-1"})
    def gx_checks(context: AssetCheckExecutionContext, recon: ReconConfig, **cores: SourceTable):
        county = context.partition_key if context.has_partition_key else None
        frames = {name.removeprefix("core_"): table.frame for name, table in cores.items()}
        results, docs = validate(frames, recon.out_path(county), recon.settings().row_count_tolerance)
        for source in SOURCES:
            result = results.get(source)
            metadata = {"data_docs": MetadataValue.path(str(docs)), "data_docs_url": MetadataValue.url(docs.as_uri())}
            if result is not None:
                failed = pd.DataFrame(result.failed, columns=["expectation", "column", "observed"])
                metadata |= {"expectations": result.evaluated, "rows": result.rows,
                             "previous_rows": result.previous_rows if result.previous_rows is not None else "（无）",
                             "failed": counts_table(failed)}
            yield AssetCheckResult(asset_key=f"core_{source}", check_name=f"gx_{source}",
                                   passed=result is None or result.success, severity=AssetCheckSeverity.WARN,
                                   metadata={"present": result is not None, **metadata})

    return [required_sources_usable, input_problem_checks, gx_checks]
