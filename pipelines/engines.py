"""Dagster's own engines for the counties of a drop (issue 18): the
`reconcile` job as a *reconstructable* job, which a process other than the
one that launched the run can rebuild — the run worker `recon run` starts
per county (`dagster api execute_run`), the multiprocess executor's step
processes, and `recon worker` processes on other machines (Celery).

    local         one county, one process (recon run's default; pipelines/cli.py)
    multiprocess  Dagster's multiprocess executor: each step a process of its own
    celery        dagster-celery: each step a Celery task on RabbitMQ, run by any `recon worker`

What crosses to another process is data, never objects: the job's factory
arguments (folders, as-of date, config file, registry URL without password)
travel in the job's code pointer; the frames between steps go through the
filesystem IO manager under OUT/.dagster_storage (shared storage when workers
are other machines); events go to the Dagster instance (PostgreSQL for Celery).
No personal data is in either: tests/test_celery.py reads the broker's
messages and the instance's tables for IDs.

Imports no Dagster at module level (recon run's refusals come first)."""
from __future__ import annotations

import functools
import os

EXECUTORS = ("local", "multiprocess", "celery")
BROKER_ENV = "RECON_CELERY_BROKER"
DEFAULT_BROKER = "pyamqp://guest@127.0.0.1:5672//"
QUEUE = "dagster"
TICK_SECONDS = 0.25   # dagster-celery's queue; `recon worker` consumes it
# The Celery app of both sides, the run worker that sends a county's steps and
# `recon worker` that runs them. One step at a time per worker process (a
# county's step may hold a few GB; prefetching more would hide steps from an
# idle worker). Acknowledged on receipt (Celery's default): a worker process
# killed mid-step makes that step fail (WorkerLostError) instead of being
# redelivered and run twice (a whole worker lost: pipelines/lost_workers.py).
CELERY_SETTINGS = {
    "worker_prefetch_multiplier": 1,
    "task_acks_late": False,
    "broker_connection_retry_on_startup": True,
    "worker_hijack_root_logger": False,
}


def broker_url(broker: str | None = None) -> str:
    """--broker, else RECON_CELERY_BROKER, else RabbitMQ on this machine as guest."""
    return broker or os.environ.get(BROKER_ENV) or DEFAULT_BROKER


def shown_broker(url: str) -> str:
    """The broker URL as printed: never its password."""
    from pipelines.instance import URL_PASSWORD
    return URL_PASSWORD.sub(r"\1***@", url)


def executor_def(name: str):
    """The Dagster executor of `name` (None: the job's own in-process one)."""
    if name == "local":
        return None
    if name == "multiprocess":
        from dagster import multiprocess_executor
        return multiprocess_executor
    if name == "celery":
        from dagster_celery import celery_executor, core_execution_loop
        # The run worker looks for finished steps and sends the next ones once per tick, 1 s
        # in dagster-celery: a county's ~45 steps in chains ~10 deep waited up to a second
        # each. A quarter second costs the run worker little (bench/results.md, Scale-out).
        core_execution_loop.TICK_SECONDS = TICK_SECONDS
        # The broker comes from the environment of the process that runs the job, so its
        # credentials never land in the run's config (shown in the UI, kept in the instance).
        return celery_executor.configured({"broker": {"env": BROKER_ENV}, "backend": "rpc://",
                                           "config_source": CELERY_SETTINGS}, name="celery")
    raise ValueError(f"unknown executor {name!r}: one of {', '.join(EXECUTORS)}")


@functools.lru_cache(maxsize=4)
def reconcile_job(executor: str, partitioned: bool, data_dir: str, out_dir: str, as_of: str | None = None,
                  config_file: str | None = None, db_url: str | None = None):
    """The `reconcile` job of a drop on `executor`: what every process of a
    distributed run rebuilds from the job's code pointer (built once per
    process: a Celery worker runs many steps)."""
    from assets.resources import ReconConfig, Sidecar
    from pipelines.graph import build_definitions
    recon = ReconConfig(data_dir=data_dir, out_dir=out_dir, as_of=as_of, config_file=config_file, db_url=db_url)
    # Each step runs in a process of its own: a sidecar per step would cost more than it saves.
    defs = build_definitions(recon, partitioned=partitioned, sidecar=Sidecar(processes=0),
                             executor=executor_def(executor))
    return defs.resolve_job_def("reconcile")


def reconstructable_job(executor: str, partitioned: bool, recon: dict):
    """The job as a ReconstructableJob: module and function name plus these
    arguments, which is what a task message carries (no data, no password)."""
    from dagster import build_reconstructable_job
    kwargs = {key: recon.get(key) for key in ("data_dir", "out_dir", "as_of", "config_file")}
    kwargs["db_url"] = without_password(recon.get("db_url"))
    return build_reconstructable_job(__name__, "reconcile_job", reconstructable_args=(executor, partitioned),
                                     reconstructable_kwargs=kwargs)


def without_password(url: str | None) -> str | None:
    """A registry URL to hand to other processes and machines: its password
    stays on this machine (workers take theirs from PGPASSWORD or ~/.pgpass,
    as libpq does)."""
    if not url or "@" not in url:
        return url
    from sqlalchemy.engine import URL, make_url
    parsed = make_url(url)
    if not parsed.password:
        return url
    # (URL.set(password=None) keeps the password: None means "unchanged" there.)
    return URL.create(parsed.drivername, parsed.username, None, parsed.host, parsed.port, parsed.database,
                      parsed.query).render_as_string(hide_password=False)


def celery_app(broker: str):
    """dagster-celery's app on this broker with recon's settings, its
    `execute_plan` task registered (the one task a worker runs)."""
    from dagster_celery.make_app import make_app
    from dagster_celery.tasks import create_task
    app = make_app({"broker": broker, "backend": "rpc://", "include": [], "config_source": CELERY_SETTINGS})
    create_task(app)
    return app
