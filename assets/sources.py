"""Source assets: raw_<source> (files, sheets, header rows, aliases,
encodings → text frames) and core_<source> (normalised, typed, validated by
the pandera schema; failing cells become input problems).

A source whose files, as-of date and reading code are unchanged since an
earlier run into the same output folder is not read again: raw_<source>
finds its core frame in the Parquet cache (recon/cache.py) and core_<source>
passes it on. RECON_CACHE=off turns the cache off."""
# No `from __future__ import annotations` here: Dagster 1.13 compares the
# `context` annotation as an object and rejects it as a string.

import time
import warnings
from dataclasses import dataclass, field

import pandas as pd
from dagster import (AssetExecutionContext, AssetIn, BetaWarning, DagsterType, Failure, MetadataValue,
                     PartitionsDefinition, asset)
from dagster_pandera import pandera_schema_to_dagster_type

from assets.metadata import masked_preview
from assets.resources import ReconConfig
from checks.schemas import SCHEMAS, validate
from recon import cache, expectations, helper, layout
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


@dataclass
class RawSource:
    """What raw_<source> hands on: the files as read, or the cached core
    table when they are unchanged (then `read` is None); `cache_key` names
    the cache entry core_<source> writes (None: cache off)."""
    read: ReadResult | None
    cached: cache.CachedSource | None = None
    cache_key: str | None = None
    prepared: bool = False   # `cached` was computed by recon run's helper (recon/helper.py), not cached
    in_helper: bool = False  # the helper is preparing it: core_<source> takes it (recon/helper.py)


class MissingRequiredSource(Failure):
    pass


def county_partition(context: AssetExecutionContext) -> str | None:
    return context.partition_key if context.has_partition_key else None


def source_present(recon: ReconConfig, source: str, county: str | None) -> bool:
    return layout.source_present(recon.data_path(county), source)


def read_drop_source(recon: ReconConfig, source: str, county: str | None) -> ReadResult | None:
    """Read one source folder; None when an optional source is absent. A
    missing required folder, or one without files, stops the run with one
    clear line; files without usable rows are reported by the blocking asset
    checks (checks/asset_checks.py), which say why."""
    drop = recon.data_path(county)
    if not source_present(recon, source, county):
        if source in REQUIRED_SOURCES:
            raise MissingRequiredSource(f"数据目录 {drop} 中缺少必需的 {source}/ 文件夹或其中没有文件")
        return None
    return read_source(drop, source)


def offer_to_gx(recon: ReconConfig, context: AssetExecutionContext, source: str, frame: pd.DataFrame) -> None:
    """Let recon run's helper start the great_expectations check's validation of this source now."""
    expectations.offer(source, frame, recon.out_path(county_partition(context)), recon.settings().row_count_tolerance)


def core_type(source: str) -> DagsterType:
    """The pandera schema of checks/schemas.py shown as the core asset's type
    (columns, dtypes, checks in the UI); dagster-pandera is beta and only
    shows it: validation is checks/schemas.validate and the asset checks."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", BetaWarning)
        shown = pandera_schema_to_dagster_type(SCHEMAS[source])
    return DagsterType(name=f"core_{source}", description=shown.description, metadata=shown.metadata,
                       type_check_fn=lambda _context, value: isinstance(value, SourceTable))


def build_source_assets(source: str, partitions_def: PartitionsDefinition | None = None):
    @asset(name=f"raw_{source}", group_name="sources", compute_kind="pandas", partitions_def=partitions_def,
           description=f"{SOURCE_TITLES[source]}: every file and sheet of {source}/ read as text, header found under title rows.")
    def raw(context: AssetExecutionContext, recon: ReconConfig) -> RawSource | None:
        county = county_partition(context)
        present = source_present(recon, source, county)
        if not present:
            read_drop_source(recon, source, county)   # raises for a missing required source
            context.add_output_metadata({"present": False})
            return None
        key = cache.source_key(recon.data_path(county), source, recon.as_of_date()) if cache.enabled() else None
        cached = cache.load(recon.out_path(county), source, key) if key else None
        if cached is not None:
            context.add_output_metadata({"present": True, "rows": len(cached.frame), "files": len(cached.files),
                                         "from_cache": True})
            return RawSource(None, cached, key)
        if helper.preparing(recon.data_path(county), source):   # read, normalised and validated there
            context.add_output_metadata({"present": True, "from_cache": False, "prepared_in_helper": True})
            return RawSource(None, None, key, in_helper=True)
        result = read_drop_source(recon, source, county)
        context.add_output_metadata({
            "present": True, "rows": len(result.frame), "files": len(result.files),
            "input_problems": len(result.problems), "from_cache": False,
            "notes": MetadataValue.md("\n".join(f"- {n}" for n in result.notes) or "（无）"),
        })
        return RawSource(result, None, key)

    @asset(name=f"core_{source}", group_name="sources", compute_kind="pandera", partitions_def=partitions_def,
           ins={"raw": AssetIn(f"raw_{source}")}, dagster_type=core_type(source),
           description=f"{SOURCE_TITLES[source]}: canonical columns, typed values, IDs normalised; validated by the pandera schema.")
    def core(context: AssetExecutionContext, recon: ReconConfig, raw: RawSource | None) -> SourceTable:
        if raw is None:
            context.add_output_metadata({"present": False, "rows": 0})
            return SourceTable(source, None, P.problems())
        if raw.in_helper:
            prepared = helper.take(recon.data_path(county_partition(context)), source)
            raw = (RawSource(None, prepared, raw.cache_key, prepared=True) if prepared is not None   # else: read it here
                   else RawSource(read_drop_source(recon, source, county_partition(context)), None, raw.cache_key))
        if raw.cached is not None:
            hit = raw.cached
            if raw.prepared and raw.cache_key:
                cache.store_in_background(recon.out_path(county_partition(context)), source, raw.cache_key, hit)
            context.add_output_metadata({"present": True, "rows": len(hit.frame), "input_problems": len(hit.problems),
                                         "from_cache": not raw.prepared, "preview": masked_preview(hit.frame)})
            offer_to_gx(recon, context, source, hit.frame)
            return SourceTable(source, hit.frame, hit.problems, hit.notes, hit.files)
        as_of = recon.as_of_date()
        started = time.perf_counter()
        frame, parse_problems = normalise(source, raw.read.frame, as_of)
        normalised = time.perf_counter()
        frame, schema_problems = validate(source, frame, as_of)
        validated = time.perf_counter()
        table = SourceTable(source, frame, P.concat([raw.read.problems, parse_problems, schema_problems]),
                            raw.read.notes, raw.read.files)
        offer_to_gx(recon, context, source, frame)
        if raw.cache_key:
            cache.store_in_background(recon.out_path(county_partition(context)), source, raw.cache_key,
                                      cache.CachedSource(frame, table.problems, table.notes, table.files))
        context.add_output_metadata({
            "present": True, "rows": len(frame), "input_problems": len(table.problems),
            "columns": MetadataValue.md(", ".join(c for c in frame.columns if not c.startswith("_"))),
            "preview": masked_preview(frame),
            # Where the step's time went (bench/run.py reads these through pipelines/progress.py).
            "normalise_seconds": round(normalised - started, 3), "validate_seconds": round(validated - normalised, 3),
        })
        return table

    return raw, core


def build_all_source_assets(partitions_def: PartitionsDefinition | None = None) -> list:
    return [a for source in SOURCES for a in build_source_assets(source, partitions_def)]


source_assets = build_all_source_assets()
