"""Progress on the terminal for `recon run`: a Dagster logger that turns the
step events of the in-process run into one line per stage (rich).
Only asset names and counts are printed, never data."""
from __future__ import annotations

import logging
import time

from dagster import logger
from rich.console import Console

console = Console(stderr=True)

STAGES = {"raw": "读取 read", "core": "规范化与校验 normalise+validate", "rule": "匹配 match",
          "findings": "规则 rules", "registry": "问题台账 registry", "mismatches": "输出 outputs",
          "household": "输出 outputs", "input": "输出 outputs", "township": "输出 outputs", "report": "输出 outputs"}


def stage_of(step_key: str) -> str:
    for prefix, stage in STAGES.items():
        if step_key.startswith(prefix):
            return stage
    return step_key


class StepProgressHandler(logging.Handler):
    def __init__(self):
        super().__init__(logging.DEBUG)
        self.started: dict[str, float] = {}
        self.timings: dict[str, float] = {}

    def emit(self, record: logging.LogRecord) -> None:
        meta = getattr(record, "dagster_meta", None) or {}
        event = meta.get("dagster_event")
        if event is None or not event.step_key:
            return
        kind, step = event.event_type_value, event.step_key
        if kind == "STEP_START":
            self.started[step] = time.perf_counter()
        elif kind in ("STEP_SUCCESS", "STEP_FAILURE"):
            elapsed = time.perf_counter() - self.started.get(step, time.perf_counter())
            stage = stage_of(step)
            self.timings[stage] = self.timings.get(stage, 0.0) + elapsed
            mark = "[green]✓[/green]" if kind == "STEP_SUCCESS" else "[red]✗[/red]"
            console.print(f"{mark} {stage:<34} {step:<28} {elapsed:6.2f}s", highlight=False)


HANDLER = StepProgressHandler()


@logger(description="Terminal progress per stage for recon run.")
def progress_logger(_init_context):
    log = logging.Logger("recon_progress", level=logging.DEBUG)
    log.addHandler(HANDLER)
    return log
