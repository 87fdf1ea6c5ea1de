"""The counties of a drop as Dagster runs on a Dagster engine (`recon run
--executor multiprocess|celery`): one run per county partition, created in
the Dagster instance and each executed by Dagster's own run worker (`dagster
api execute_run`, what Dagster's default run launcher starts), at most
`max_runs` at once — a run queue with a concurrency limit. With Celery the
run worker only sends the county's steps to the broker; `recon worker`
processes on any machine run them.

`recon run` waits for every run and shows what it shows for a local run: a
line per step as the step's events reach the instance, the summary of each
county from its assets' metadata, and one line per county that could not
complete (exit 2).

Unlike the local run (pipelines/instance.py copies an in-memory run at its
end), events are written to the instance as they happen: the only way
processes on other machines can share one run."""
from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from pipelines.progress import StepProgressHandler, console

POLL_SECONDS = 0.5
STOP_SECONDS = 10   # a run worker told to stop (SIGTERM: it revokes its steps) is killed after this
LOG_FOLDER = Path(".recon") / "runs"   # under OUT: the run worker's own log, per county
# "[out_registry]: celery.exceptions.WorkerLostError: Worker exited prematurely: signal 9 (SIGKILL) Job: 3."
WORKER_ERROR = re.compile(r"^\[(?P<step>[\w]+)\]: (?:[\w.]+\.)?(?P<kind>\w+): (?P<message>.*)$", re.MULTILINE)


@dataclass
class CountyRun:
    """One county's run: its process, what its events said so far."""
    county: str | None
    run_id: str
    progress: StepProgressHandler
    log: Path
    process: subprocess.Popen | None = None
    cursor: str | None = None
    metadata: dict[str, dict] = field(default_factory=dict)   # asset → its materialization's metadata
    failures: list = field(default_factory=list)              # failed ERROR checks, failed steps, run failure
    finished: bool = False
    ended_at: float | None = None
    taken: dict[str, str] = field(default_factory=dict)       # step → the Celery worker that took it
    lost: float | None = None   # when a step of it was found lost with its worker (pipelines/lost_workers.py)


def run_counties_on_engine(recon: dict, county_names: list[str], executor: str, home: str,
                           max_runs: int, broker: str | None = None) -> list[str]:
    """Every county's run on `executor`, launched and waited for; the one-line
    reasons of the counties that could not complete ([] when all did)."""
    from dagster import DagsterInstance  # noqa: F401  (imported before the job: Dagster's import order)

    from assets.metadata import run_tags
    from pipelines.engines import reconstructable_job
    from pipelines.instance import open_instance, register_counties
    instance = open_instance(home)
    job = reconstructable_job(executor, bool(county_names), recon)
    job_def = job.get_definition()
    register_counties(instance, county_names)
    as_of = recon["as_of"] or dt.date.today().isoformat()
    runs = []
    for county in county_names or [None]:
        tags = {**run_tags(county, as_of), **({"dagster/partition": county} if county else {})}
        run = instance.create_run_for_job(job_def=job_def, run_config={}, tags=tags,
                                          job_code_origin=job.get_python_origin())
        log = Path(recon["out_dir"]) / LOG_FOLDER / f"{county or 'run'}.log"
        runs.append(CountyRun(county, run.run_id, county_progress(county), log))
    console.print(f"[bold]recon[/bold] {len(runs)} run(s) on the {executor} executor, {max_runs} at a time "
                  f"(Dagster instance {home})")
    waiting, active = list(runs), []
    watchdog = None
    if executor == "celery" and broker:
        from pipelines.lost_workers import LostWorkers
        watchdog = LostWorkers(broker)
    try:
        while waiting or active:
            while waiting and len(active) < max_runs:
                run = waiting.pop(0)
                start_run(run, instance, job)
                active.append(run)
            if watchdog is not None:
                lost = watchdog.lost({run.run_id: {step: worker for step, worker in run.taken.items()
                                                    if step not in run.progress.steps} for run in active})
                for run in active:
                    if run.run_id in lost and not run.lost:
                        end_lost_run(run, *lost[run.run_id])
                    elif run.lost and time.monotonic() - run.lost > STOP_SECONDS and run.process.poll() is None:
                        # It waits for the lost step's result, which never comes: run_ended then fails the run.
                        run.process.kill()
            for run in list(active):
                read_events(run, instance)
                if run_ended(run, instance):
                    read_events(run, instance)
                    active.remove(run)
                    report(run)
            time.sleep(POLL_SECONDS)
    finally:
        for run in active:   # interrupted: the run workers revoke their steps and end their runs
            if run.process is not None and run.process.poll() is None:
                run.process.terminate()
    return [reason for reason in (failure_line(run) for run in runs) if reason]


def county_progress(county: str | None) -> StepProgressHandler:
    progress = StepProgressHandler()
    progress.start(county)
    return progress


def start_run(run: CountyRun, instance, job) -> None:
    """Dagster's run worker for the run, as the default run launcher starts it."""
    from dagster._grpc.types import ExecuteRunArgs
    args = ExecuteRunArgs(job_origin=job.get_python_origin(), run_id=run.run_id, instance_ref=instance.get_ref(),
                          set_exit_code_on_failure=True)
    where = f"{run.county} " if run.county else ""
    console.print(f"[bold]recon[/bold] {where}run {run.run_id[:8]} launched", highlight=False)
    run.log.parent.mkdir(parents=True, exist_ok=True)
    with open(run.log, "wb") as log:
        # `python -m dagster api execute_run ARGS`: this interpreter, whether its bin/ is on PATH or not.
        command = [sys.executable, "-m", "dagster", *args.get_command_args()[-3:]]
        run.process = subprocess.Popen(command, preexec_fn=_ends_with_parent, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                       env=os.environ.copy())


def _ends_with_parent() -> None:
    """In the run worker, before it starts (Linux): SIGTERM when `recon run`
    dies, so that a killed `recon run` leaves no run worker behind (SIGTERM
    makes it revoke its steps and end its run)."""
    if sys.platform.startswith("linux"):
        import ctypes
        import signal
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, int(signal.SIGTERM))   # PR_SET_PDEATHSIG


def read_events(run: CountyRun, instance) -> None:
    """The run's events since the last look: progress lines, metadata, failures."""
    while True:
        connection = instance.get_records_for_run(run.run_id, cursor=run.cursor, limit=500)
        for record in connection.records:
            note_event(run, record.event_log_entry)
        run.cursor = connection.cursor
        if not connection.has_more:
            return


def note_event(run: CountyRun, entry) -> None:
    event = entry.dagster_event
    if event is None:
        return
    kind = event.event_type_value
    if kind == "ASSET_MATERIALIZATION":
        materialization = event.step_materialization_data.materialization
        run.metadata[materialization.asset_key.path[-1]] = {
            name: getattr(value, "value", value) for name, value in materialization.metadata.items()}
        run.progress.on_event(kind, event.step_key, materialization.metadata, entry.timestamp)
    elif event.step_key and kind in ("STEP_START", "STEP_SUCCESS", "STEP_FAILURE"):
        run.progress.on_event(kind, event.step_key, None, entry.timestamp)
    if kind == "ENGINE_EVENT" and event.step_key:
        worker = (event.engine_event_data.metadata or {}).get("Celery worker")   # dagster_celery/tasks.py
        if worker is not None:
            run.taken[event.step_key] = getattr(worker, "value", worker)
    if kind == "ASSET_CHECK_EVALUATION":
        evaluation = event.event_specific_data
        if not evaluation.passed and evaluation.severity.value == "ERROR" and evaluation.description:
            run.failures.append(("check", evaluation.check_name, evaluation.description))
    elif kind == "STEP_FAILURE":
        run.failures.append(("step", event.step_key, innermost_message(event.step_failure_data.error)))
    elif kind == "PIPELINE_FAILURE":   # DagsterEventType.RUN_FAILURE's value
        data = event.event_specific_data
        error = getattr(data, "error", None)
        run.failures.append(("run", None, error.to_string() if error else (event.message or "")))


def innermost_message(error) -> str:
    if error is None:
        return ""
    cause = error.cause or error
    while cause.cause is not None:
        cause = cause.cause
    lines = (cause.message or error.message or "").strip().splitlines()
    return lines[-1] if lines else ""


def run_ended(run: CountyRun, instance) -> bool:
    """The run reached an end status; a run worker that died without ending
    its run (killed, out of memory) ends it as failed."""
    record = instance.get_run_by_id(run.run_id)
    if record is not None and record.is_finished:
        if run.process is not None:
            run.process.wait()
        if record.status.value != "SUCCESS" and not run.failures:   # canceled, or a failure without its event
            run.failures.append(("run", None, f"Dagster run {record.status.value}"))
        run.finished = True
        return True
    if run.process is None or run.process.poll() is None:
        return False
    # The process has gone; its last events may still be on their way.
    run.ended_at = run.ended_at or time.monotonic()
    if time.monotonic() - run.ended_at < 5:
        return False
    instance.report_run_failed(record, f"recon: the run worker exited with status {run.process.returncode} "
                                       "before ending the run")
    run.failures.append(("run", None, f"运行进程意外退出 (exit {run.process.returncode}; 日志 {run.log})"))
    run.finished = True
    return True


def end_lost_run(run: CountyRun, step: str, worker: str) -> None:
    """Stop the run worker of a run whose step was lost with its worker: it
    revokes the run's other steps and ends the run (run_ended reports it)."""
    run.lost = time.monotonic()
    run.failures.append(("lost", step, f"执行该步骤的 worker {worker} 失联（进程被终止或机器断开），"
                                       "可重新运行该县"))
    if run.process is not None and run.process.poll() is None:
        run.process.terminate()


def failure_line(run: CountyRun) -> str | None:
    """None when the run succeeded, else one line naming the county and why."""
    if not run.failures:
        return None
    prefix = f"{run.county}: " if run.county else ""
    for kind, name, text in run.failures:
        if kind == "check":
            return f"{prefix}运行未完成（数据检查 {name} 未通过）: {text}"
    for kind, name, text in run.failures:
        if kind in ("lost", "step"):
            return f"{prefix}运行未完成（{name}）: {text}"
    text = run.failures[-1][2]
    lost = WORKER_ERROR.search(text)
    if lost:   # a step that never reported back: its worker process was lost (Celery)
        reason = ("执行该步骤的 worker 进程意外退出（被终止或内存不足），可重新运行该县"
                  if lost["kind"] == "WorkerLostError" else "worker 报告错误")
        return f"{prefix}运行未完成（{lost['step']}）: {reason}: {lost['kind']}: {lost['message'].strip()}"
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return f"{prefix}运行未完成: {lines[0] if lines else '原因不明'}"


def report(run: CountyRun) -> None:
    """What a local run prints at its end, from the assets' metadata."""
    if failure_line(run):
        console.print(f"[red]✗[/red] {failure_line(run)}", soft_wrap=True, highlight=False)
        return
    from rich.table import Table

    from recon.sources import DATA_SOURCES
    county = run.county
    table = Table(title=f"{county or ''} 读取 / rows read".strip(), show_edge=False)
    table.add_column("source"); table.add_column("rows", justify="right"); table.add_column("input problems", justify="right")
    for source in DATA_SOURCES:
        shown = run.metadata.get(f"core_{source}", {})
        rows = str(shown.get("rows", 0)) if shown.get("present") else "—"
        table.add_row(source, rows, str(shown.get("input_problems", 0)))
    console.print(table)
    found, registry = run.metadata.get("out_findings", {}), run.metadata.get("out_registry", {})
    console.print(f"{county + ' ' if county else ''}问题 findings: {registry.get('open', 0)}  "
                  f"(high {found.get('findings_high', 0)}, medium {found.get('findings_medium', 0)}, "
                  f"low {found.get('findings_low', 0)}; new {registry.get('status_new', 0)}, "
                  f"open {registry.get('status_open', 0)}, reopened {registry.get('status_reopened', 0)}); "
                  f"销号 resolved {registry.get('resolved', 0)}; suppressed {registry.get('suppressed', 0)}",
                  highlight=False)
    console.print("stage times: " + ", ".join(f"{stage} {t:.1f}s" for stage, t in run.progress.timings.items()))


def max_concurrent_runs(instance, default: int) -> int:
    """The instance's `concurrency.runs.max_concurrent_runs` when its dagster.yaml sets one."""
    settings = instance.get_settings("concurrency") or {}
    limit = (settings.get("runs") or {}).get("max_concurrent_runs")
    return limit if isinstance(limit, int) and limit > 0 else default

