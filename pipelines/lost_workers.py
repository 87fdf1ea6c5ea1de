"""Steps whose Celery worker is gone (`recon run --executor celery`).

A worker *process* killed mid-step is reported by its worker's main process
(WorkerLostError: the step fails, pipelines/launch.py names it). A whole
worker gone — the machine lost, the worker killed with its processes — tells
no one: its step was acknowledged when taken, so the broker does not hand it
out again, and dagster-celery would wait for its result for ever.

A worker records in the instance which step it takes (dagster-celery's
engine event "Executing steps … in celery worker", with the worker's name);
`recon run` reads it with the run's other events. Every WATCH_SECONDS it
pings the workers holding unfinished steps (Celery's remote control: a
worker's main process answers while its processes work); a step whose worker
has not answered for GRACE_SECONDS is lost, and its run is ended as failed
(launch.py) naming the county, the step and the worker."""
from __future__ import annotations

import time

WATCH_SECONDS = 5.0
GRACE_SECONDS = 20.0


class LostWorkers:
    def __init__(self, broker: str, grace: float = GRACE_SECONDS):
        from pipelines.engines import celery_app
        self.app = celery_app(broker)
        self.grace = grace
        self.silent_since: dict[str, float] = {}
        self.next_look = 0.0

    def lost(self, held: dict[str, dict[str, str]]) -> dict[str, tuple[str, str]]:
        """run id → (step, worker) for the steps lost with their worker;
        `held` is, per watched run, its unfinished steps and the worker that took each."""
        now = time.monotonic()
        workers = {worker for steps in held.values() for worker in steps.values()}
        if now < self.next_look or not workers:
            return {}
        self.next_look = now + WATCH_SECONDS
        try:
            replies = self.app.control.ping(destination=sorted(workers), timeout=2.0) or []
        except Exception:   # the broker itself is away: nothing can be told about the workers
            return {}
        answered = {name for reply in replies for name in reply}
        for worker in workers:
            if worker in answered:
                self.silent_since.pop(worker, None)
            else:
                self.silent_since.setdefault(worker, now)
        gone = {worker for worker, since in self.silent_since.items() if now - since >= self.grace}
        lost = {}
        for run_id, steps in held.items():
            for step, worker in steps.items():
                if worker in gone:
                    lost[run_id] = (step, worker)
        return lost
