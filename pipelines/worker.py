"""`recon worker`: a Celery worker that runs the steps of counties' runs
(`recon run --executor celery`) on any machine that reaches the broker, the
drop, OUT (shared storage) and the registry and Dagster instance databases.

Each step arrives as dagster-celery's `execute_plan` task: the job's code
pointer and the run's id (pipelines/engines.py); the worker rebuilds the job,
reads the run from the Dagster instance, runs the step, and writes its events
to the instance and its outputs under OUT/.dagster_storage. `--concurrency N`
processes (prefork) take one step each at a time."""
from __future__ import annotations

import os
import socket


def run_worker(broker: str, concurrency: int, name: str | None = None, loglevel: str = "INFO") -> int:
    from pipelines.engines import BROKER_ENV, QUEUE, celery_app
    # The job's executor config names the broker by this variable (pipelines/engines.py).
    os.environ[BROKER_ENV] = broker
    app = celery_app(broker)
    # Imported once here, before the pool forks: every step process starts with the graph's
    # modules loaded instead of importing Dagster, pandas and the rules on its first step.
    import pipelines.graph  # noqa: F401
    argv = ["worker", f"--loglevel={loglevel}", f"--concurrency={concurrency}", f"--queues={QUEUE}",
            "--prefetch-multiplier=1", "--without-gossip", "--without-mingle",
            f"--hostname={name or default_name()}"]
    app.worker_main(argv)
    return 0


def default_name() -> str:
    """recon-<pid>@<host>: distinct for several workers on one machine."""
    return f"recon-{os.getpid()}@{socket.gethostname()}"
