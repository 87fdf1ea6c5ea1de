"""Progress on the terminal for `recon run`: a Dagster logger that turns the
step events of the in-process run into one line per stage (rich).
Only asset names and counts are printed, never data.

With RECON_TIMINGS_JSON=path set, the wall time of every step (and the
`*_seconds` metadata an asset reports, e.g. normalise vs validate inside a
core asset) is also written to that file as JSON after each step, so a
benchmark can read where a run spent its time (bench/run.py). A county of a
multi-county drop writes its own file beside it: <stem>.<county>.json."""
from __future__ import annotations

import json
import logging
import os
import time
from pathlib import Path

from dagster import logger
from rich.console import Console

console = Console(stderr=True)
TIMINGS_ENV = "RECON_TIMINGS_JSON"

# Step key prefix → stage (first match wins).
STAGES = {"raw": "读取 read", "core": "规范化与校验 normalise+validate", "match": "匹配 match",
          "findings": "规则 rules", "out_findings": "规则 rules", "out_registry": "问题台账 registry",
          "out_": "输出 outputs", "required_sources_usable": "规范化与校验 normalise+validate",
          "source_quality": "规范化与校验 normalise+validate", "great_expectations": "规范化与校验 normalise+validate"}


def stage_of(step_key: str) -> str:
    # The longest matching prefix: out_registry before out_.
    matching = [prefix for prefix in STAGES if step_key.startswith(prefix)]
    return STAGES[max(matching, key=len)] if matching else step_key


class StepProgressHandler(logging.Handler):
    def __init__(self):
        super().__init__(logging.DEBUG)
        self.started: dict[str, float] = {}
        self.timings: dict[str, float] = {}
        self.steps: dict[str, float] = {}
        self.parts: dict[str, dict[str, float]] = {}   # step → {part: seconds} from asset metadata
        self.county: str | None = None                  # shown before each line; names the timings file

    def start(self, county: str | None) -> None:
        """Forget the last run's times; the next lines are about `county`."""
        self.started.clear(); self.timings.clear(); self.steps.clear(); self.parts.clear()
        self.county = county

    def emit(self, record: logging.LogRecord) -> None:
        meta = getattr(record, "dagster_meta", None) or {}
        event = meta.get("dagster_event")
        if event is None or not event.step_key:
            return
        metadata = (event.step_materialization_data.materialization.metadata
                    if event.event_type_value == "ASSET_MATERIALIZATION" else None)
        self.on_event(event.event_type_value, event.step_key, metadata, time.perf_counter())

    def on_event(self, kind: str, step: str, metadata=None, now: float | None = None) -> None:
        """One step event; `now` in seconds on any clock the run's events share
        (the event log's timestamps when read back from the instance: pipelines/launch.py)."""
        now = time.perf_counter() if now is None else now
        if kind == "STEP_START":
            self.started[step] = now
        elif kind == "ASSET_MATERIALIZATION":
            self.note_parts(step, metadata)
        elif kind in ("STEP_SUCCESS", "STEP_FAILURE"):
            elapsed = now - self.started.get(step, now)
            stage = stage_of(step)
            self.timings[stage] = self.timings.get(stage, 0.0) + elapsed
            self.steps[step] = self.steps.get(step, 0.0) + elapsed
            mark = "[green]✓[/green]" if kind == "STEP_SUCCESS" else "[red]✗[/red]"
            where = f"{self.county} " if self.county else ""
            console.print(f"{mark} {where}{stage:<34} {step:<28} {elapsed:6.2f}s", highlight=False)
            self.write_json()

    def note_parts(self, step: str, metadata) -> None:
        for name, value in (metadata or {}).items():
            if name.endswith("_seconds"):
                seconds = getattr(value, "value", value)
                if isinstance(seconds, (int, float)):
                    self.parts.setdefault(step, {})[name.removesuffix("_seconds")] = float(seconds)

    def write_json(self) -> None:
        path = timings_path(self.county)
        if path:
            path.write_text(json.dumps({"stages": self.timings, "steps": self.steps, "parts": self.parts},
                                             ensure_ascii=False, indent=1), encoding="utf-8")


def timings_path(county: str | None) -> Path | None:
    path = os.environ.get(TIMINGS_ENV)
    if not path:
        return None
    path = Path(path)
    return path if county is None else path.with_name(f"{path.stem}.{county}{path.suffix}")


HANDLER = StepProgressHandler()


@logger(description="Terminal progress per stage for recon run.")
def progress_logger(_init_context):
    log = logging.Logger("recon_progress", level=logging.DEBUG)
    log.addHandler(HANDLER)
    return log
