"""Counties as partitions. A drop holding several counties
(`DIR/<county>/system/…`) runs each county as one partition of the dynamic
partitions definition `county`; a single-county drop (`DIR/system/…`) runs
unpartitioned, exactly as CONTRACT.md §2 describes.

Assets are declared once with `county_asset(...)` and built with or without
the partitions by `build_assets`, so both layouts share one graph."""
from __future__ import annotations

import os
from pathlib import Path
from typing import Callable

from dagster import AssetsDefinition, DynamicPartitionsDefinition, PartitionsDefinition, asset

from recon.layout import counties

__all__ = ["COUNTY_PARTITIONS", "build_assets", "counties", "county_asset", "is_partitioned"]

COUNTY_PARTITIONS = DynamicPartitionsDefinition(name="county")
# RECON_COUNTY_PARTITIONS=yes|no overrides the detection (e.g. a drop folder
# that is still empty when the code location loads).
PARTITIONS_ENV = "RECON_COUNTY_PARTITIONS"


def is_partitioned(data_dir: str | Path) -> bool:
    """Whether the graph for this drop is partitioned by county."""
    forced = os.environ.get(PARTITIONS_ENV, "").strip().lower()
    if forced in ("yes", "true", "1"):
        return True
    if forced in ("no", "false", "0"):
        return False
    return bool(counties(data_dir))


def county_asset(**asset_kwargs) -> Callable:
    """Mark a compute function as an asset of the county graph; `build_assets`
    turns it into an asset definition, partitioned or not."""
    def mark(fn: Callable) -> Callable:
        fn.asset_kwargs = asset_kwargs
        return fn
    return mark


def build_assets(functions: list[Callable], partitions_def: PartitionsDefinition | None = None
                 ) -> list[AssetsDefinition]:
    return [asset(partitions_def=partitions_def, **fn.asset_kwargs)(fn) for fn in functions]
