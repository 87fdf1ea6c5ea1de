"""Source assets: raw_<source> (files, sheets, header rows, aliases,
encodings → text frames) and core_<source> (normalised, typed, validated by
the pandera schema; failing cells become input problems)."""
# No `from __future__ import annotations` here: Dagster 1.13 compares the
# `context` annotation as an object and rejects it as a string.

from dataclasses import dataclass, field

import pandas as pd
from dagster import AssetExecutionContext, AssetIn, Failure, MetadataValue, asset

from assets.metadata import masked_preview
from assets.resources import ReconConfig
from checks.schemas import validate
from recon import problems as P
from recon.columns import REQUIRED_SOURCES, SOURCES
from recon.normalise import normalise
from recon.read import ReadResult, read_source

SOURCE_TITLES = {
    "system": "全国防返贫监测信息系统导出 / monitoring system export",
    "ledger": "村级台账 / village household ledgers",
    "education": "教育部门学籍 / education bureau",
    "medical": "医保参保 / medical insurance",
    "housing": "住房安全鉴定 / housing safety",
    "water": "农村饮水安全 / drinking water",
    "hukou": "户籍状态 / public security",
}


@dataclass
class SourceTable:
    """A normalised source: frame is None when the source is absent."""
    source: str
    frame: pd.DataFrame | None
    problems: pd.DataFrame
    notes: list[str] = field(default_factory=list)
    files: list[str] = field(default_factory=list)


class MissingRequiredSource(Failure):
    pass


def county_partition(context: AssetExecutionContext) -> str | None:
    return context.partition_key if context.has_partition_key else None


def read_drop_source(recon: ReconConfig, source: str, county: str | None) -> ReadResult | None:
    """Read one source folder; None when an optional source is absent. A
    missing or empty required folder stops the run with one clear line."""
    drop = recon.data_path(county)
    folder = drop / source
    present = folder.is_dir() and any(p.is_file() for p in folder.rglob("*"))
    if not present:
        if source in REQUIRED_SOURCES:
            raise MissingRequiredSource(f"数据目录 {drop} 中缺少必需的 {source}/ 文件夹或其中没有文件")
        return None
    result = read_source(drop, source)
    if source in REQUIRED_SOURCES and result.frame.empty:
        raise MissingRequiredSource(f"{source}/ 中没有可用的数据行（见 input_problems.csv）")
    return result


def build_source_assets(source: str):
    @asset(name=f"raw_{source}", group_name="sources", compute_kind="pandas",
           description=f"{SOURCE_TITLES[source]}: every file and sheet of {source}/ read as text, header found under title rows.")
    def raw(context: AssetExecutionContext, recon: ReconConfig) -> ReadResult | None:
        result = read_drop_source(recon, source, county_partition(context))
        if result is None:
            context.add_output_metadata({"present": False})
            return None
        context.add_output_metadata({
            "present": True, "rows": len(result.frame), "files": len(result.files),
            "input_problems": len(result.problems),
            "notes": MetadataValue.md("\n".join(f"- {n}" for n in result.notes) or "（无）"),
        })
        return result

    @asset(name=f"core_{source}", group_name="sources", compute_kind="pandera",
           ins={"raw": AssetIn(f"raw_{source}")},
           description=f"{SOURCE_TITLES[source]}: canonical columns, typed values, IDs normalised; validated by the pandera schema.")
    def core(context: AssetExecutionContext, recon: ReconConfig, raw: ReadResult | None) -> SourceTable:
        if raw is None:
            context.add_output_metadata({"present": False, "rows": 0})
            return SourceTable(source, None, P.problems())
        as_of = recon.as_of_date()
        frame, parse_problems = normalise(source, raw.frame, as_of)
        frame, schema_problems = validate(source, frame, as_of)
        table = SourceTable(source, frame, P.concat([raw.problems, parse_problems, schema_problems]),
                            raw.notes, raw.files)
        context.add_output_metadata({
            "present": True, "rows": len(frame), "input_problems": len(table.problems),
            "columns": MetadataValue.md(", ".join(c for c in frame.columns if not c.startswith("_"))),
            "preview": masked_preview(frame),
        })
        return table

    return raw, core


source_assets = [a for source in SOURCES for a in build_source_assets(source)]
