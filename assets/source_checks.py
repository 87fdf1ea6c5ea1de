"""Dagster asset checks on the core sources (what a data team watches):

- blocking (ERROR) on the required sources (system, ledger): key columns
  present, at least one valid ID, no 户编号 under two 县 — when one fails,
  nothing downstream materialises in that run and the metadata says why;
- per source, generated from its declaration and pandera schema:
  `pandera_schema` (WARN: cells the schema failed, per column; the schema's
  columns and checks in the description) and `input_problems` (WARN: rows or
  cells that could not be read, per file);
- gx_<source> (WARN): the Great Expectations suites (checks/expectations.py),
  one validation for all sources, Data Docs linked from the metadata.

Metadata holds counts, file names, column names and 户编号 at most — never
ID numbers or names."""
# No `from __future__ import annotations` here: Dagster 1.13 compares the
# `context` annotation as an object and rejects it as a string.

import pandas as pd
from dagster import (AssetCheckExecutionContext, AssetCheckResult, AssetCheckSeverity, AssetCheckSpec, AssetIn,
                     MetadataValue, PartitionsDefinition, multi_asset_check)

from assets.metadata import counts_table
from assets.resources import ReconConfig, Sidecar
from assets.sources import CORE_INS
from checks import expectations
from checks.schemas import SCHEMAS
from recon.problems import PATH
from recon.sources import DATA_SOURCES, REQUIRED_SOURCES, SOURCES
from recon.tables import CoreTable

BLOCKING = {
    "required_columns": "关键列齐全 / the key columns (docs/columns.md) were found in at least one file",
    "valid_rows": "至少一行有效证件号码 / at least one row with a valid 证件号码",
    "one_county_per_household": "户编号不跨县 / no 户编号 appears under two different 县",
}
SAMPLE = 10


def _frame(table: CoreTable) -> pd.DataFrame:
    return table.frame if table.frame is not None else pd.DataFrame()


def required_columns(table: CoreTable) -> AssetCheckResult:
    keys = SOURCES[table.source].key_columns
    frame = _frame(table)
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


def valid_rows(table: CoreTable) -> AssetCheckResult:
    frame = _frame(table)
    valid = int(frame["_id_valid"].sum()) if "_id_valid" in frame.columns else 0
    return AssetCheckResult(
        asset_key=f"core_{table.source}", check_name="valid_rows",
        passed=valid > 0, severity=AssetCheckSeverity.ERROR,
        description=None if valid else f"{table.source}/ 中没有一行含有效的证件号码",
        metadata={"rows": len(frame), "rows_with_valid_id": valid})


def one_county_per_household(table: CoreTable) -> AssetCheckResult:
    frame = _frame(table)
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


def schema_description(source: str) -> str:
    """The schema's columns and checks, as the check's description in the UI."""
    schema = SCHEMAS[source]
    lines = [f"pandera schema {schema.name}: 无法通过检查的单元格按列计数 / cells failing the schema, per column"]
    for name, column in schema.columns.items():
        checks = "; ".join(str(check.error or check.name) for check in column.checks)
        lines.append(f"- {name} ({column.dtype})" + (f": {checks}" if checks else ""))
    return "\n".join(lines)


def schema_result(table: CoreTable) -> AssetCheckResult:
    failures = pd.DataFrame(list(table.schema_failures.items()), columns=["column", "cells"])
    return AssetCheckResult(
        asset_key=f"core_{table.source}", check_name="pandera_schema", passed=failures.empty,
        severity=AssetCheckSeverity.WARN,
        metadata={"present": table.present, "failing_cells": int(failures["cells"].sum()),
                  "per_column": counts_table(failures)})


def input_problems(table: CoreTable) -> AssetCheckResult:
    per_file = table.problems.groupby("file", dropna=False).size().rename("problems").reset_index()
    return AssetCheckResult(
        asset_key=f"core_{table.source}", check_name="input_problems", passed=table.problems.empty,
        severity=AssetCheckSeverity.WARN,
        metadata={"present": table.present, "problems": len(table.problems), "per_file": counts_table(per_file)})


def build_asset_checks(partitions_def: PartitionsDefinition | None = None) -> list:
    def spec(source: str, name: str, description: str, blocking: bool = False) -> AssetCheckSpec:
        return AssetCheckSpec(name, asset=f"core_{source}", description=description, blocking=blocking,
                              partitions_def=partitions_def)


    @multi_asset_check(
        name="required_sources_usable", compute_kind="pandas",
        specs=[spec(s, name, text, blocking=True) for s in REQUIRED_SOURCES for name, text in BLOCKING.items()],
        ins={f"core_{s}": AssetIn(f"core_{s}") for s in REQUIRED_SOURCES},
        description="Blocking: the system export and the ledger can be reconciled at all.")
    def required_sources_usable(**cores: CoreTable):
        for table in cores.values():
            for check in (required_columns, valid_rows, one_county_per_household):
                yield check(table)

    # One step for every source's two generated checks: each check step costs Dagster bookkeeping.
    @multi_asset_check(
        name="source_quality", compute_kind="pandera", ins=CORE_INS,
        specs=[check for s in DATA_SOURCES for check in (
            spec(s, "pandera_schema", schema_description(s)),
            spec(s, "input_problems", "行级输入问题 / rows or cells that could not be read (input_problems.csv)"))],
        description="Warn: per source, the cells its pandera schema failed and the rows or cells that could not be read.")
    def source_quality(**cores: CoreTable):
        for table in cores.values():
            yield schema_result(table)
            yield input_problems(table)

    @multi_asset_check(
        name="great_expectations", compute_kind="great_expectations", ins=CORE_INS,
        specs=[spec(s, f"gx_{s}", "Great Expectations: row count vs the previous run, key columns complete, "
                                  "coded values in their sets") for s in DATA_SOURCES],
        description="Warn: one GX validation of every source; Data Docs in OUT/data_docs/.",
        # Dagster runs ready steps by priority: this one last, so that the sidecar,
        # which validates each source as it is offered, is done by then.
        op_tags={"dagster/priority": "-1"})
    def gx_checks(context: AssetCheckExecutionContext, recon: ReconConfig, sidecar: Sidecar, **cores: CoreTable):
        county = context.partition_key if context.has_partition_key else None
        frames = {name.removeprefix("core_"): table.frame for name, table in cores.items()}
        results, docs = expectations.validate(sidecar, frames, recon.out_path(county),
                                              recon.settings().row_count_tolerance)
        for source in DATA_SOURCES:
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

    return [required_sources_usable, source_quality, gx_checks]
