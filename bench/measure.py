"""What the benchmark measures: one `recon run` as a child process (wall,
CPU, peak RSS, per-step times), the raw-read floor of the same files, and
the ledger–system comparison against datacompy on the same core frames."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from bench.drops import AS_OF

EXCEL_SUFFIXES = (".xlsx", ".xlsm", ".xls")


@dataclass
class ChildRun:
    wall: float
    cpu: float             # user + system seconds of the child
    peak_gb: float         # the child's peak resident set
    returncode: int
    timings: dict = field(default_factory=dict)   # pipelines/progress.py JSON: stages, steps, parts


def run_child(argv: list[str], env: dict | None = None, log: Path | None = None) -> ChildRun:
    """Run argv and measure it alone: os.wait4 gives this child's own rusage
    (RUSAGE_CHILDREN would mix in every earlier child)."""
    started = time.perf_counter()
    with open(log or os.devnull, "wb") as sink:
        child = subprocess.Popen(argv, env={**os.environ, **(env or {})}, stdout=sink, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(child.pid, 0)
        child.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - started
    # ru_maxrss is in KiB on Linux.
    return ChildRun(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024 ** 2, child.returncode)


def run_recon(drop: Path, out: Path, extra_env: dict | None = None) -> ChildRun:
    out.mkdir(parents=True, exist_ok=True)
    timings = out / "bench_timings.json"
    timings.unlink(missing_ok=True)
    argv = [sys.executable, "-m", "pipelines.cli", "run", "--data", str(drop), "--out", str(out),
            "--as-of", AS_OF.isoformat()]
    run = run_child(argv, env={"RECON_TIMINGS_JSON": str(timings), **(extra_env or {})}, log=out / "bench_run.log")
    if timings.exists():
        run.timings = json.loads(timings.read_text(encoding="utf-8"))
    return run


# Stages the issue names; steps map to them by name.
def stage_table(timings: dict) -> dict[str, float]:
    steps, parts = timings.get("steps", {}), timings.get("parts", {})
    stages = dict.fromkeys(["read", "normalise", "validate", "match", "rules", "outputs"], 0.0)
    for step, seconds in steps.items():
        if step.startswith("raw_"):
            stages["read"] += seconds
        elif step.startswith("core_"):
            split = parts.get(step, {})
            validate = split.get("validate", 0.0)
            stages["validate"] += validate
            stages["normalise"] += seconds - validate
        elif step in ("required_sources_usable", "great_expectations") or "check" in step:
            stages["validate"] += seconds     # the asset checks: blocking checks and the GX suites
        elif step == "rule_context":
            stages["match"] += seconds
        elif step.startswith("findings_"):
            stages["rules"] += seconds
        else:
            stages["outputs"] += seconds     # findings, registry, CSVs, township lists, report
    return stages


def data_files(drop: Path) -> list[Path]:
    return sorted(p for folder in sorted(drop.iterdir()) if folder.is_dir()
                  for p in folder.rglob("*") if p.is_file())


def raw_read_floor(drop: Path) -> dict:
    """Seconds to read every data file of the drop with the fastest plain
    reader and nothing else: python-calamine for Excel, pyarrow for CSV."""
    import pyarrow.csv as pacsv
    from python_calamine import CalamineWorkbook
    seconds = {"excel": 0.0, "csv": 0.0}
    cells = 0
    for path in data_files(drop):
        started = time.perf_counter()
        if path.suffix.lower() in EXCEL_SUFFIXES:
            book = CalamineWorkbook.from_path(str(path))
            for name in book.sheet_names:
                rows = book.get_sheet_by_name(name).to_python()
                cells += sum(map(len, rows))
            seconds["excel"] += time.perf_counter() - started
        else:
            table = _read_csv(pacsv, path)
            cells += table.num_rows * table.num_columns
            seconds["csv"] += time.perf_counter() - started
    return {**seconds, "total": seconds["excel"] + seconds["csv"], "cells": cells}


def _read_csv(pacsv, path: Path):
    with open(path, "rb") as handle:
        head = handle.read(65536)
    try:
        head.decode("utf-8")
        encoding = "utf8"
    except UnicodeDecodeError as exc:   # the demo's education list is GB18030, as county bureaus send it
        encoding = "utf8" if exc.start >= len(head) - 3 else "gb18030"
    return pacsv.read_csv(path, read_options=pacsv.ReadOptions(encoding=encoding),
                          parse_options=pacsv.ParseOptions(newlines_in_values=True))
