"""The asset graph of one drop: assets with their checks, the reconciliation
job, the monthly schedule, the drop sensor and the resources
(`build_definitions`). `recon run` builds it for the drop it is given; the
code location `dagster dev` loads (pipelines/definitions.py) builds it from
the environment.

A multi-county drop (DIR/<county>/system/…) makes every asset and check
partitioned by county (assets/partitions.py); a single-county drop runs
unpartitioned. The layout is read when the code location loads."""
from __future__ import annotations

import warnings
from pathlib import Path

from dagster import (Definitions, ExecutorDefinition, FilesystemIOManager, IOManagerDefinition, PreviewWarning,
                     define_asset_job, in_process_executor)

from assets.findings import build_findings_assets
from assets.matching import build_match_assets
from assets.outputs import build_output_assets
from assets.partitions import COUNTY_PARTITIONS, is_partitioned
from assets.resources import ReconConfig, Sidecar, SourceCache
from assets.source_checks import build_asset_checks
from assets.sources import build_all_source_assets
from pipelines.progress import progress_logger
from pipelines.schedules import build_schedule
from pipelines.sensors import build_drop_sensor

# Partitioned asset checks are a Dagster preview; they are what lets a
# blocking check stop one county's run without touching the others.
warnings.filterwarnings("ignore", category=PreviewWarning)
# Dagster 1.13 warns on every asset job passed to Definitions; we resolve it as it asks.
warnings.filterwarnings("ignore", message="Found asset job named reconcile")

# One county is one run on one process, in `recon run` and in the UI alike
# (the sidecar resource takes work onto a second core); counties run side by side.
# `recon run --executor multiprocess|celery` builds the same job on another
# executor (pipelines/engines.py).
RECONCILE_DESCRIPTION = "核对全流程 / read → normalise → validate → match → rules → registry, lists and report."
reconcile_job = define_asset_job("reconcile", executor_def=in_process_executor, description=RECONCILE_DESCRIPTION)


def build_definitions(recon: ReconConfig, io_manager: IOManagerDefinition | None = None,
                      partitioned: bool | None = None, sidecar: Sidecar | None = None,
                      executor: ExecutorDefinition | None = None) -> Definitions:
    """The code location for one drop; `partitioned` None = detect from the drop's layout;
    `executor` None = in-process (one county, one process)."""
    if partitioned is None:
        partitioned = is_partitioned(recon.data_dir)
    partitions_def = COUNTY_PARTITIONS if partitioned else None
    assets = [*build_all_source_assets(partitions_def), *build_match_assets(partitions_def),
              *build_findings_assets(partitions_def), *build_output_assets(partitions_def)]
    # Intermediate frames hold IDs, names and health data: they stay beside the
    # other outputs of the drop (OUT/.dagster_storage), never under DAGSTER_HOME.
    resources = {"recon": recon, "sidecar": sidecar or Sidecar(), "cache": SourceCache(),
                 "io_manager": io_manager or FilesystemIOManager(base_dir=str(Path(recon.out_dir).resolve() / ".dagster_storage"))}
    job = reconcile_job if executor is None else define_asset_job(
        "reconcile", executor_def=executor, description=RECONCILE_DESCRIPTION)
    return Definitions(assets=assets, asset_checks=build_asset_checks(partitions_def), jobs=[job],
                       schedules=[build_schedule(job, recon, partitioned)],
                       sensors=[build_drop_sensor(job, partitioned)],
                       resources=resources, loggers={"recon_progress": progress_logger})
