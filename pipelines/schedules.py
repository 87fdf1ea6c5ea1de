"""The monthly reconciliation: the reconcile job on a cron in Beijing time
(RECON_SCHEDULE_CRON, else the settings' monthly_cron, whose default is
06:00 on the 1st). On a multi-county drop one run per county partition.
Schedules fire only while the Dagster daemon runs (`dagster dev` starts one)."""
# No `from __future__ import annotations` here: Dagster 1.13 compares the
# `context` annotation as an object and rejects it as a string.

import os

from dagster import RunRequest, ScheduleDefinition, ScheduleEvaluationContext, SkipReason, schedule

from assets.partitions import counties
from assets.resources import ReconConfig
from pipelines.instance import register_counties

TIMEZONE = "Asia/Shanghai"


def schedule_cron(recon: ReconConfig) -> str:
    return os.environ.get("RECON_SCHEDULE_CRON") or recon.settings().monthly_cron


def build_schedule(job, recon: ReconConfig, partitioned: bool) -> ScheduleDefinition:
    @schedule(name="monthly_reconciliation", job=job, cron_schedule=schedule_cron(recon),
              execution_timezone=TIMEZONE,
              description="每月核对 / the reconciliation on the whole drop, monthly (one run per county).")
    def monthly_reconciliation(context: ScheduleEvaluationContext, recon: ReconConfig):
        month = context.scheduled_execution_time.strftime("%Y-%m")
        if not partitioned:
            return RunRequest(run_key=f"monthly-{month}")
        names = counties(recon.data_dir)
        if not names:
            return SkipReason(f"no county folders in {recon.data_dir}")
        # Schedules cannot return partition requests as sensors do: register new counties here.
        register_counties(context.instance, names)
        return [RunRequest(run_key=f"monthly-{month}-{name}", partition_key=name) for name in names]

    return monthly_reconciliation
