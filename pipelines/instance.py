"""The Dagster instance that keeps the history of `recon run`: every run,
each asset's materializations with their metadata and every check result,
so a run started from the command line, cron or a Windows task shows in the
Dagster UI like one launched there (docs/operations.md, *Run history*).

Where it lives, in this order:

1. `DAGSTER_HOME` when set: the instance configured by its dagster.yaml —
   SQLite files in that folder, or the PostgreSQL storage of
   deploy/dagster.yaml shared by several machines;
2. else `OUT/.dagster_home/`, beside the outputs and the registry of the
   drop (`recon ui --out OUT` and `make ui` open the same one).

A folder without a dagster.yaml gets one: SQLite storage, no telemetry.
`RECON_RUN_HISTORY=off` runs on an in-memory instance that keeps nothing.

Imports no Dagster at module level: `recon rules` and a refused config
should not wait for it."""
from __future__ import annotations

import contextlib
import functools
import os
import re
from pathlib import Path

HOME_ENV = "DAGSTER_HOME"
HISTORY_ENV = "RECON_RUN_HISTORY"
DEFAULT_HOME = ".dagster_home"
URL_PASSWORD = re.compile(r"(://[^:/@\s]+:)[^@\s]+@")   # never print a password from a storage URL
DAGSTER_YAML = """\
# The Dagster instance of recon (docs/operations.md, Run history): run
# history, asset materializations and check results, as SQLite files in
# this folder. To share one instance between machines, replace this file
# with recon's deploy/dagster.yaml (PostgreSQL).
telemetry:
  enabled: false
nux:
  enabled: false
"""


def instance_home(out_dir: str | Path) -> Path:
    """DAGSTER_HOME when set, else OUT/.dagster_home (absolute)."""
    home = os.environ.get(HOME_ENV, "").strip()
    return Path(home).expanduser().resolve() if home else Path(out_dir).resolve() / DEFAULT_HOME


def history_enabled() -> bool:
    return os.environ.get(HISTORY_ENV, "on").strip().lower() not in ("off", "no", "false", "0")


def prepare_home(home: Path) -> Path:
    """The folder, with a dagster.yaml (SQLite, no telemetry) unless it has one."""
    home.mkdir(parents=True, exist_ok=True)
    config = home / "dagster.yaml"
    if not config.exists():
        # Written whole or not at all: counties' workers may look at the same time.
        partial = home / f".dagster.yaml.{os.getpid()}"
        partial.write_text(DAGSTER_YAML, encoding="utf-8")
        os.replace(partial, config)
    return home


@functools.lru_cache(maxsize=4)
def open_instance(home: str | None):
    """The instance of `home` (its storage created on first use); None: an
    in-memory one. One per process and folder."""
    from dagster import DagsterInstance
    if home is None:
        return DagsterInstance.ephemeral()
    return DagsterInstance.from_config(str(prepare_home(Path(home))))


class InstanceUnavailable(Exception):
    """The instance cannot be opened (bad dagster.yaml, database unreachable)."""


def check_instance(home: str | None) -> None:
    """Open the instance once before any run, so that a broken one stops
    `recon run` with one line and the storage exists before workers start."""
    if home is None:
        return
    try:
        open_instance(home)
    except Exception as exc:   # dagster.yaml invalid, PostgreSQL unreachable, folder not writable
        open_instance.cache_clear()
        lines = [line.strip() for line in str(exc).strip().splitlines() if line.strip()]
        reason = URL_PASSWORD.sub(r"\1***@", lines[-1]) if lines else ""
        raise InstanceUnavailable(f"Dagster 实例不可用 ({home}): {type(exc).__name__}: {reason}") from None


def register_counties(instance, county_names) -> None:
    """The counties as partitions of the instance, those it does not know yet
    added. Call it from one process before counties' workers start: Dagster
    checks and inserts without a lock, so two workers adding the same new
    counties at once collide on the table's unique key."""
    from assets.partitions import COUNTY_PARTITIONS
    known = set(instance.get_dynamic_partitions(COUNTY_PARTITIONS.name))
    new = [name for name in county_names if name not in known]
    if new:
        instance.add_dynamic_partitions(COUNTY_PARTITIONS.name, new)


def record_run(source, target, run_id: str) -> None:
    """Copy one finished run — its record with tags, the job and plan
    snapshots, every event (materializations with their metadata, check
    results, step events) — from the in-memory instance it ran on into the
    persistent one, as `dagster debug import` does, but in one transaction
    per database file.

    Why not run on the persistent instance directly: Dagster's SQLite event
    log opens a new engine and commits (fsyncs) for every one of the ~600
    events of a county's run, 20–30 s on the demo county; copied at the end
    it is a fraction of a second (bench/results.md, *Run history*). The run
    shows in the UI once it has ended, failed ones included."""
    run = source.get_run_by_id(run_id)
    if run is None:
        return
    from dagster._core.storage.dagster_run import DagsterRunStatus
    for snapshot_id, get in ((run.execution_plan_snapshot_id, source.get_execution_plan_snapshot),
                             (run.job_snapshot_id, source.get_job_snapshot)):
        if snapshot_id and not target.has_snapshot(snapshot_id):
            target.add_snapshot(get(snapshot_id))
    if target.has_run(run_id):
        return
    # Added as not started: the replayed run events set its status, start and end times.
    target.add_run(run.with_status(DagsterRunStatus.NOT_STARTED))
    events = source.all_logs(run_id)
    try:
        with one_transaction_per_shard(target.event_log_storage):
            for event in events:
                target.handle_new_event(event)
    except BaseException:
        target.delete_run(run_id)   # no run left behind that never starts
        raise


@contextlib.contextmanager
def one_transaction_per_shard(storage):
    """Inside, a SQLite event log storage writes each of its files (the run's
    own, the cross-run index) through one connection and one transaction,
    committed at the end (rolled back on error); other storages (PostgreSQL:
    a pooled connection per event) are left as they are.

    Relies on SqliteEventLogStorage's `_connect(shard)`, `has_table`,
    `conn_string_for_shard`, `_initdb` and `_initialized_dbs` (dagster is
    pinned; tests/test_instance_history.py proves the copy)."""
    from dagster._core.storage.event_log.sqlite.sqlite_event_log import SqliteEventLogStorage
    if not isinstance(storage, SqliteEventLogStorage):
        yield
        return
    from sqlalchemy import create_engine
    from sqlalchemy.pool import NullPool

    from dagster._core.storage.sqlite import SQLITE_BUSY_TIMEOUT_SECONDS
    connections = {}
    with contextlib.ExitStack() as stack:
        @contextlib.contextmanager
        def shared(shard: str):
            if shard not in connections:
                engine = create_engine(storage.conn_string_for_shard(shard), poolclass=NullPool,
                                       connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS})
                stack.callback(engine.dispose)
                if shard not in storage._initialized_dbs:
                    storage._initdb(engine)
                    storage._initialized_dbs.add(shard)
                connection = stack.enter_context(engine.connect())
                stack.enter_context(connection.begin())
                connections[shard] = connection
            yield connections[shard]

        storage._connect = shared   # this object only, for the copy
        # Asked before every asset event, each time on a new engine; the schema does not change meanwhile.
        storage.has_table = functools.lru_cache(maxsize=None)(storage.has_table)
        try:
            yield
        finally:
            del storage._connect, storage.has_table
