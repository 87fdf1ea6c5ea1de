"""The Dagster code location, as `dagster dev` loads it through workspace.yaml:
the graph of pipelines/graph.py for the drop the environment names
(RECON_DATA_DIR, RECON_OUT_DIR, RECON_AS_OF, RECON_CONFIG).

Kept apart from pipelines/graph.py so that `recon run`, which builds the
graph for the drop on its command line, never builds this one."""
from assets.resources import ReconConfig
from pipelines.graph import build_definitions, reconcile_job

__all__ = ["build_definitions", "defs", "reconcile_job"]

defs = build_definitions(ReconConfig.from_env())
