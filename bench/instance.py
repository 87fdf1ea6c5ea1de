"""The cost of recording `recon run` in a Dagster instance (issue 22: under
1 s on the demo county).

    .venv/bin/python -m bench.instance [--repeat 5] [--work DIR]

The demo county (`make demo`: 300 households, seed 7, its recon.yaml) is run
once in memory, as `recon run` runs it; then the run is copied into fresh
instances `--repeat` times, timing the two things recording adds to a run:

- opening the instance: a new folder (writes dagster.yaml, creates the
  SQLite schema: a county's first run) and an existing one (every later run);
- copying the run (pipelines/instance.record_run): run record, snapshots and
  every event, one transaction per SQLite file.

For comparison, the same events written the way Dagster writes them during a
run on a persistent instance (one commit per event) are timed once.
Whole-process figures (`recon run` with and without RECON_RUN_HISTORY=off)
are in bench/results.md, *Run history*."""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from bench.drops import AS_OF, WORK

HOUSEHOLDS, SEED = 300, 7


def demo_drop(work: Path) -> Path:
    drop = work / "drops" / f"demo_{HOUSEHOLDS}_{SEED}"
    if not (drop / "system").is_dir():
        from recon.demo import generate
        shutil.rmtree(drop, ignore_errors=True)
        generate(drop, households=HOUSEHOLDS, seed=SEED, as_of=AS_OF)
    return drop


def run_in_memory(drop: Path, out: Path):
    """The demo county's run on the in-memory instance: (instance, run_id, events)."""
    from pipelines.cli import _job
    from recon.registry.store import database_url
    recon = dict(data_dir=str(drop.resolve()), out_dir=str(out.resolve()), as_of=AS_OF.isoformat(),
                 config_file=str((drop / "recon.yaml").resolve()), db_url=database_url(None))
    out.mkdir(parents=True, exist_ok=True)
    job, instance = _job(tuple(sorted(recon.items())), ())
    result = job.execute_in_process(instance=instance, raise_on_error=False)
    assert result.success, "the demo county's run failed"
    return instance, result.run_id, len(instance.all_logs(result.run_id))


CPU: list[float] = []   # CPU seconds of the last copies: on a busy machine wall time waits for a core


def seconds(call) -> float:
    start, cpu = time.perf_counter(), time.process_time()
    call()
    CPU.append(time.process_time() - cpu)
    return time.perf_counter() - start


def measure(repeat: int, work: Path) -> dict:
    from dagster import DagsterInstance

    from pipelines.instance import prepare_home, record_run
    drop = demo_drop(work)
    with tempfile.TemporaryDirectory(prefix="recon-bench-instance-") as tmp:
        tmp = Path(tmp)
        source, run_id, events = run_in_memory(drop, tmp / "out")
        new, existing, copy, copy_cpu = [], [], [], []
        for i in range(repeat):
            home = tmp / f"home{i}"
            new.append(seconds(lambda: DagsterInstance.from_config(str(prepare_home(home))).dispose()))
            existing.append(seconds(lambda: DagsterInstance.from_config(str(home)).dispose()))
            target = DagsterInstance.from_config(str(home))
            copy.append(seconds(lambda: record_run(source, target, run_id)))
            copy_cpu.append(CPU[-1])
            assert target.get_run_by_id(run_id).is_success
            target.dispose()
        # Dagster's own way, during a run: every event committed on its own.
        home = prepare_home(tmp / "per_event")
        target = DagsterInstance.from_config(str(home))
        run = source.get_run_by_id(run_id)
        target.add_snapshot(source.get_execution_plan_snapshot(run.execution_plan_snapshot_id))
        target.add_snapshot(source.get_job_snapshot(run.job_snapshot_id))
        target.add_run(run)
        per_event = seconds(lambda: [target.handle_new_event(e) for e in source.all_logs(run_id)])
        target.dispose()
    median = statistics.median
    return {"events": events, "repeat": repeat, "open_new": median(new), "open_existing": median(existing),
            "copy": median(copy), "copy_max": max(copy), "copy_cpu": median(copy_cpu),
            "load": os.getloadavg()[0], "cores": os.cpu_count(), "per_event_commits": per_event,
            "first_run": median(new) + median(copy), "later_run": median(existing) + median(copy)}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--work", type=Path, default=WORK)
    args = parser.parse_args(argv)
    r = measure(args.repeat, args.work)
    print(f"demo county run: {r['events']} events; medians of {r['repeat']}; "
          f"load average {r['load']:.1f} on {r['cores']} cores")
    print(f"| step | seconds |\n|---|---:|\n"
          f"| open the instance, new folder (schema created) | {r['open_new']:.2f} |\n"
          f"| open the instance, existing folder | {r['open_existing']:.2f} |\n"
          f"| copy the run (one transaction per file) | {r['copy']:.2f} (max {r['copy_max']:.2f}; CPU {r['copy_cpu']:.2f}) |\n"
          f"| **recording, a county's first run** | **{r['first_run']:.2f}** |\n"
          f"| **recording, every later run** | **{r['later_run']:.2f}** |\n"
          f"| for comparison: the same events committed one by one (Dagster during a run) | {r['per_event_commits']:.2f} |")


if __name__ == "__main__":
    main()
