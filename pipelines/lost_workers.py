"""Steps whose Celery worker is gone (`recon run --executor celery`).

A worker *process* killed mid-step is reported by its worker's main process
(WorkerLostError: the step fails, pipelines/launch.py names it). A whole
worker gone — the machine lost, the worker killed with its processes — tells
no one: its step was acknowledged when taken, so the broker does not hand it
out again, and dagster-celery would wait for its result for ever. So `recon
run` asks the workers every WATCH_SECONDS which steps they are running
(Celery's remote control, `inspect().active()`); a step whose worker has not
answered for GRACE_SECONDS, and whose end the instance has not recorded, is
lost, and its run is ended as failed (launch.py) naming the county, the step
and the worker."""
from __future__ import annotations

import time

WATCH_SECONDS = 5.0
GRACE_SECONDS = 20.0   # a busy worker's main process still answers; a silent one this long is gone


class LostWorkers:
    def __init__(self, broker: str, grace: float = GRACE_SECONDS):
        from pipelines.engines import celery_app
        self.app = celery_app(broker)
        self.grace = grace
        self.holders: dict[tuple[str, str], str] = {}   # (run id, step) → the worker that took it
        self.silent_since: dict[str, float] = {}
        self.next_look = 0.0

    def lost(self, finished: dict[str, set[str]]) -> dict[str, tuple[str, str]]:
        """run id → (step, worker) for the steps lost with their worker;
        `finished` is every watched run's steps that have ended."""
        now = time.monotonic()
        if now < self.next_look:
            return {}
        self.next_look = now + WATCH_SECONDS
        try:
            replies = self.app.control.inspect(timeout=2.0).active() or {}
        except Exception:   # the broker itself is away: nothing can be told about the workers
            return {}
        for worker, tasks in replies.items():
            self.silent_since.pop(worker, None)
            for task in tasks or []:
                taken = step_of(task)
                if taken:
                    self.holders[taken] = worker
        lost = {}
        for (run_id, step), worker in list(self.holders.items()):
            if run_id not in finished or step in finished[run_id]:
                del self.holders[(run_id, step)]   # ended, or not a run of ours
                continue
            if worker not in replies:
                since = self.silent_since.setdefault(worker, now)
                if now - since >= self.grace:
                    lost[run_id] = (step, worker)
        return lost


def step_of(task: dict) -> tuple[str, str] | None:
    """(run id, step) of an `execute_plan` task as the remote control shows it."""
    from dagster._grpc.types import ExecuteStepArgs
    from dagster._serdes import unpack_value
    packed = (task.get("kwargs") or {}).get("execute_step_args_packed")
    if not isinstance(packed, dict):
        return None
    try:
        args = unpack_value(packed, as_type=ExecuteStepArgs)
    except Exception:
        return None
    steps = args.step_keys_to_execute or []
    return (args.run_id, steps[0]) if steps else None
