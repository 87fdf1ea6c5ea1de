"""What the benchmark measures: one `recon run` as a child process (wall,
CPU, peak RSS, per-step times), the raw-read floor of the same files, and
the ledger–system comparison against datacompy on the same core frames."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
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
    (RUSAGE_CHILDREN would mix in every earlier child), CPU of its workers
    included. Peak memory is sampled over the child's whole process tree:
    workers running side by side add up, which ru_maxrss (the largest single
    process) would not show."""
    started = time.perf_counter()
    with open(log or os.devnull, "wb") as sink:
        child = subprocess.Popen(argv, env={**os.environ, **(env or {})}, stdout=sink, stderr=subprocess.STDOUT)
        tree_peak = [0]
        done = threading.Event()
        sampler = threading.Thread(target=_sample_tree_rss, args=(child.pid, tree_peak, done), daemon=True)
        sampler.start()
        _, status, usage = os.wait4(child.pid, 0)
        done.set()
        sampler.join()
        child.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - started
    # ru_maxrss is in KiB on Linux.
    peak = max(usage.ru_maxrss * 1024, tree_peak[0])
    return ChildRun(wall, usage.ru_utime + usage.ru_stime, peak / 1024 ** 3, child.returncode)


def _sample_tree_rss(pid: int, peak: list, done: threading.Event, every: float = 0.25) -> None:
    while not done.wait(every):
        peak[0] = max(peak[0], sum(_rss(p) for p in _tree(pid)))


def _tree(pid: int) -> list[int]:
    """pid and its descendants, from /proc/<pid>/task/*/children."""
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        for task in Path(f"/proc/{current}/task").glob("*/children"):
            try:
                todo += [int(c) for c in task.read_text().split()]
            except OSError:
                pass
    return found


def _rss(pid: int) -> int:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0
    for line in status.splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0


def run_recon(drop: Path, out: Path, extra_env: dict | None = None) -> ChildRun:
    out.mkdir(parents=True, exist_ok=True)
    timings = out / "bench_timings.json"
    for old in out.glob("bench_timings*.json"):
        old.unlink()
    argv = [sys.executable, "-m", "pipelines.cli", "run", "--data", str(drop), "--out", str(out),
            "--as-of", AS_OF.isoformat()]
    # The settings the demo writes beside an export-style drop (one per county of a province: all alike).
    config = next(iter(sorted(drop.glob("recon.yaml")) + sorted(drop.glob("*/recon.yaml"))), None)
    if config is not None:
        argv += ["--config", str(config)]
    run = run_child(argv, env={"RECON_TIMINGS_JSON": str(timings), **(extra_env or {})}, log=out / "bench_run.log")
    run.timings = merged_timings(sorted(out.glob("bench_timings*.json")))
    return run


def merged_timings(paths: list[Path]) -> dict:
    """One timings dict; a multi-county run's per-county files summed (seconds
    of work, not wall: counties run side by side)."""
    merged: dict = {"stages": {}, "steps": {}, "parts": {}}
    for path in paths:
        one = json.loads(path.read_text(encoding="utf-8"))
        for kind in ("stages", "steps"):
            for name, seconds in one.get(kind, {}).items():
                merged[kind][name] = merged[kind].get(name, 0.0) + seconds
        for step, parts in one.get("parts", {}).items():
            for name, seconds in parts.items():
                merged["parts"].setdefault(step, {})[name] = merged["parts"].get(step, {}).get(name, 0.0) + seconds
    merged["files"] = len(paths)
    return merged


# Stages the issue names; steps map to them by name.
def stage_table(timings: dict) -> dict[str, float]:
    steps, parts = timings.get("steps", {}), timings.get("parts", {})
    stages = dict.fromkeys(["read", "normalise", "validate", "match", "rules", "outputs"], 0.0)
    for step, seconds in steps.items():
        if step.startswith("raw_"):
            stages["read"] += seconds
        elif step.startswith("core_"):
            split = parts.get(step, {})
            validate, read = split.get("validate", 0.0), split.get("read", 0.0)   # read: a source read in its core step
            stages["validate"] += validate
            stages["read"] += read
            stages["normalise"] += seconds - validate - read
        elif step in ("required_sources_usable", "source_quality", "great_expectations") or "check" in step:
            stages["validate"] += seconds     # the asset checks: blocking, schema and GX checks
        elif step == "match":
            stages["match"] += seconds
        elif step.startswith("findings_"):
            stages["rules"] += seconds
        else:
            stages["outputs"] += seconds     # findings, registry, CSVs, township lists, report
    return stages


def data_files(drop: Path) -> list[Path]:
    """The files recon reads: those under the source folders of a county
    (DIR/<source>/… or DIR/<county>/<source>/…), not the demo's answer keys."""
    from recon.sources import DATA_SOURCES as SOURCES
    county_roots = [drop] if any((drop / s).is_dir() for s in SOURCES) else sorted(p for p in drop.iterdir() if p.is_dir())
    return [p for root in county_roots for source in SOURCES if (root / source).is_dir()
            for p in sorted((root / source).rglob("*")) if p.is_file()]


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
