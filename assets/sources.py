"""Source assets, one pair per declared source (recon/sources/*.yaml):

- raw_drop: what the drop holds — which source folders, the cache key of each
  (a hash of its files) — and the start of the work handed to the sidecar;
- raw_<source>: every file and sheet of the folder read as text (header found
  under title rows, aliases mapped), or the cached core table when the files,
  the as-of date and the reading code are unchanged, or nothing yet when the
  source was offered to the sidecar;
- core_<source>: canonical columns, typed values, IDs normalised, validated by
  the pandera schema (checks/core.py); failing cells become input problems.
  An offered source is taken from the sidecar, or read here when the sidecar
  has not begun it by now.
"""
# No `from __future__ import annotations` here: Dagster 1.13 compares the
# `context` annotation as an object and rejects it as a string.

import warnings
from dataclasses import dataclass, field
from pathlib import Path

from dagster import (AssetExecutionContext, AssetIn, BetaWarning, DagsterType, Failure, MetadataValue,
                     PartitionsDefinition, asset)

from assets.metadata import masked_preview
from assets.partitions import build_assets, county_asset
from assets.resources import ReconConfig, Sidecar, SourceCache
from checks import expectations
from checks.core import core_from_read, core_table
from checks.schemas import SCHEMAS
from recon import layout
from recon.read import ReadResult
from recon.sources import DATA_SOURCES, SOURCES
from recon.tables import CoreTable

# Every core_<source> as an input: what the checks of the sources and core_county take.
CORE_INS = {f"core_{source}": AssetIn(f"core_{source}") for source in DATA_SOURCES}



class MissingRequiredSource(Failure):
    pass


@dataclass
class DropInventory:
    """What raw_drop found: the drop folder, the sources present and the cache key of each."""
    drop: Path
    present: dict[str, bool]
    cache_keys: dict[str, str | None] = field(default_factory=dict)


@dataclass
class RawSource:
    """What raw_<source> hands on: the files as read, or the cached core table
    (`read` None), or nothing yet when the source was offered to the sidecar
    (core_<source> then takes it from there, or reads it itself)."""
    read: ReadResult | None
    cached: CoreTable | None = None


def county_partition(context) -> str | None:
    return context.partition_key if context.has_partition_key else None


@county_asset(group_name="sources", compute_kind="python",
       description="数据包清单 / the drop's source folders, the cache key of each, and the sources offered to "
                   "the sidecar process (biggest first) to prepare while the run reads the others.")
def raw_drop(context: AssetExecutionContext, recon: ReconConfig, cache: SourceCache,
             sidecar: Sidecar) -> DropInventory:
    drop = recon.data_path(county_partition(context))
    out, as_of = recon.out_path(county_partition(context)), recon.as_of_date()
    present = {source: layout.source_present(drop, source) for source in DATA_SOURCES}
    missing = [source for source in DATA_SOURCES if SOURCES[source].required and not present[source]]
    if missing:
        raise MissingRequiredSource(f"数据目录 {drop} 中缺少必需的 {missing[0]}/ 文件夹或其中没有文件")
    settings = recon.settings()   # the sources as the county declares them (its own columns too)
    keys = {source: cache.key(drop, settings.source(source), as_of) for source in DATA_SOURCES if present[source]}
    # Every source to read, biggest first: the sidecar works down that list, and core_<source>
    # claims what the sidecar has not begun when the run needs it (assets/sidecar.py).
    to_read = layout.biggest_first(drop, [source for source in DATA_SOURCES
                                          if present[source] and not cache.has(out, source, keys[source])])
    handed = [source for source in to_read if sidecar.prepare(drop, settings.source(source), as_of)]
    if sidecar.active:
        sidecar.submit(expectations.import_gx)   # GX's seconds of import, off the run's path
    else:
        expectations.preload()
    context.add_output_metadata({"sources_present": ", ".join(s for s, here in present.items() if here),
                                 "cache": cache.on(), "offered_to_sidecar": ", ".join(handed) or "（无）"})
    return DropInventory(drop, present, keys)


def core_type(source: str) -> DagsterType:
    """The pandera schema shown as the core asset's type (columns, dtypes,
    checks in the UI); dagster-pandera is beta and only shows it: validation is
    checks/schemas.validate, reported by the schema checks (assets/source_checks.py)."""
    from dagster_pandera import pandera_schema_to_dagster_type   # here, not on import: it brings polars along
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", BetaWarning)
        shown = pandera_schema_to_dagster_type(SCHEMAS[source])
    return DagsterType(name=f"core_{source}", description=shown.description, metadata=shown.metadata,
                       type_check_fn=lambda _context, value: isinstance(value, CoreTable))


def build_source_assets(source: str, partitions_def: PartitionsDefinition | None = None):
    declared = SOURCES[source]

    @asset(name=f"raw_{source}", group_name="sources", compute_kind="pandas", partitions_def=partitions_def,
           ins={"inventory": AssetIn("raw_drop")},
           description=f"{declared.label}: every file and sheet of {source}/ read as text, header found under title rows.")
    def raw(context: AssetExecutionContext, recon: ReconConfig, cache: SourceCache, sidecar: Sidecar,
            inventory: DropInventory) -> RawSource | None:
        if not inventory.present[source]:
            context.add_output_metadata({"present": False})
            return None
        out = recon.out_path(county_partition(context))
        cached = cache.load(out, source, inventory.cache_keys.get(source))
        if cached is not None:
            context.add_output_metadata({"present": True, "rows": len(cached.frame), "files": len(cached.files),
                                         "from_cache": True})
            return RawSource(None, cached)
        if sidecar.preparing(inventory.drop, source):   # offered to the sidecar: core_<source> claims or takes it
            context.add_output_metadata({"present": True, "from_cache": False, "offered_to_sidecar": True})
            return RawSource(None)
        from recon.read import read_source
        result = read_source(inventory.drop, recon.settings().source(source))
        context.add_output_metadata({
            "present": True, "rows": len(result.frame), "files": len(result.files),
            "input_problems": len(result.problems), "from_cache": False,
            "notes": MetadataValue.md("\n".join(f"- {n}" for n in result.notes) or "（无）"),
        })
        return RawSource(result)

    @asset(name=f"core_{source}", group_name="sources", compute_kind="pandera", partitions_def=partitions_def,
           ins={"raw": AssetIn(f"raw_{source}"), "inventory": AssetIn("raw_drop")}, dagster_type=core_type(source),
           description=f"{declared.label}: canonical columns, typed values, IDs normalised; validated by the pandera schema.")
    def core(context: AssetExecutionContext, recon: ReconConfig, cache: SourceCache, sidecar: Sidecar,
             raw: RawSource | None, inventory: DropInventory) -> CoreTable:
        if raw is None:
            context.add_output_metadata({"present": False, "rows": 0})
            return CoreTable(source, None)
        out, as_of = recon.out_path(county_partition(context)), recon.as_of_date()
        key = inventory.cache_keys.get(source)
        table, fresh = raw.cached, raw.cached is None
        # Claimed when the table is needed, not when raw_<source> ran: the sidecar takes every
        # source it can reach before the run needs it (assets/sidecar.py).
        if fresh and not sidecar.claim(inventory.drop, source):
            table = sidecar.take(inventory.drop, source)
        from_sidecar, read_here = table is not None and fresh, False
        if table is None:   # read here (also when the sidecar failed)
            declared = recon.settings().source(source)
            read_here = raw.read is None
            table = (core_table(inventory.drop, declared, as_of) if read_here
                     else core_from_read(raw.read, declared, as_of))
        if fresh:
            cache.store(out, key, table)
        expectations.offer(sidecar, source, table.frame, out, recon.settings().row_count_tolerance)
        metadata = {"present": True, "rows": len(table.frame), "input_problems": len(table.problems),
                    "from_cache": not fresh, "prepared_in_sidecar": from_sidecar,
                    "columns": MetadataValue.md(", ".join(c for c in table.frame.columns if not c.startswith("_"))),
                    "preview": masked_preview(table.frame)}
        # Where the step's time went (bench/run.py reads these through pipelines/progress.py).
        metadata |= {f"{stage}_seconds": round(seconds, 3) for stage, seconds in table.seconds.items()
                     if stage != "read" or read_here}
        context.add_output_metadata(metadata)
        return table

    return raw, core


def build_all_source_assets(partitions_def: PartitionsDefinition | None = None) -> list:
    return [*build_assets([raw_drop], partitions_def),
            *(a for source in DATA_SOURCES for a in build_source_assets(source, partitions_def))]
