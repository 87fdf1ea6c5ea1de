"""The Dagster code location: the asset graph, the reconciliation job, and
the resources, as `dagster dev` loads them through workspace.yaml."""
from __future__ import annotations

from dagster import Definitions, IOManagerDefinition, define_asset_job

from assets.outputs import output_assets
from assets.reconcile import rule_assets
from assets.resources import ReconConfig
from assets.sources import source_assets
from pipelines.progress import progress_logger

ALL_ASSETS = [*source_assets, *rule_assets, *output_assets]

reconcile_job = define_asset_job(
    "reconcile",
    description="核对全流程 / read → normalise → validate → match → rules → registry, lists and report.",
)


def build_definitions(recon: ReconConfig, io_manager: IOManagerDefinition | None = None) -> Definitions:
    resources = {"recon": recon}
    if io_manager is not None:
        resources["io_manager"] = io_manager
    return Definitions(assets=ALL_ASSETS, jobs=[reconcile_job], resources=resources,
                       loggers={"recon_progress": progress_logger})


defs = build_definitions(ReconConfig.from_env())
