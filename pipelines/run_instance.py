"""The in-memory Dagster instance a `recon run` executes on before the run is
copied into the run history (pipelines/instance.py `record_run`).

Dagster's ephemeral instance opens a new SQLite connection, sets two
PRAGMAs, begins and commits for every event it stores (~1,000 per county:
step starts, inputs, outputs, materializations, check results), and opens
another to ask whether a table exists before each asset or check event:
about 7 % of a 12,000-household run's time (bench/results.md). These storages
hold one connection for the run and give it out under the storage's lock,
one transaction per event as before: the same rows, the same order.

Relies on InMemoryEventLogStorage's `_connect`, `_db_lock`, `_held_conn` and
`has_table` and InMemoryRunStorage's `connect` and `_held_conn` (dagster is pinned;
tests/test_run_instance.py proves the events and the copy). Imports no
Dagster at module level, like pipelines/instance.py."""
from __future__ import annotations

import contextlib
import functools
import threading


def run_instance():
    """An ephemeral DagsterInstance whose run and event storages reuse one connection each."""
    from dagster import DagsterInstance
    from dagster._core.instance import InstanceType
    from dagster._core.launcher.sync_in_memory_run_launcher import SyncInMemoryRunLauncher
    from dagster._core.run_coordinator import DefaultRunCoordinator
    from dagster._core.storage.noop_compute_log_manager import NoOpComputeLogManager
    from dagster._core.storage.root import TemporaryLocalArtifactStorage
    run_storage, event_storage = _storages()
    return DagsterInstance(
        instance_type=InstanceType.EPHEMERAL,
        local_artifact_storage=TemporaryLocalArtifactStorage(),
        run_storage=run_storage(),
        event_storage=event_storage(),
        compute_log_manager=NoOpComputeLogManager(),
        run_coordinator=DefaultRunCoordinator(),
        run_launcher=SyncInMemoryRunLauncher(),
    )


@contextlib.contextmanager
def _held(connection, lock: threading.Lock, owner: int, fresh):
    """The held connection in a transaction of its own, under `lock`. A fresh
    connection, as Dagster gives, from another thread (an SQLite connection
    stays in its thread) or while the held one is in use (a nested call)."""
    if threading.get_ident() != owner or not lock.acquire(blocking=False):
        with fresh() as connection:
            yield connection
        return
    try:
        with connection.begin():
            yield connection
    finally:
        lock.release()


@functools.lru_cache(maxsize=1)
def _storages() -> tuple[type, type]:
    """The two storage classes, defined once Dagster is imported."""
    from sqlalchemy import text

    from dagster._core.storage.event_log import InMemoryEventLogStorage
    from dagster._core.storage.runs import InMemoryRunStorage

    def hold(storage) -> int:
        # Dagster sets foreign_keys per connection it opens; once is enough on the held one.
        with storage._held_conn.begin():
            storage._held_conn.execute(text("PRAGMA foreign_keys=ON;")).close()
        return threading.get_ident()

    class HeldRunStorage(InMemoryRunStorage):
        def __init__(self):
            super().__init__()
            self._lock, self._owner = threading.Lock(), hold(self)

        def connect(self):
            return _held(self._held_conn, self._lock, self._owner, super().connect)

    class HeldEventLogStorage(InMemoryEventLogStorage):
        def __init__(self):
            super().__init__()
            self._owner, self._tables = hold(self), {}

        def _connect(self):
            return _held(self._held_conn, self._db_lock, self._owner, super()._connect)

        def has_table(self, table_name: str) -> bool:
            # Asked before every asset and check event, each time on a new connection; the schema is fixed.
            if table_name not in self._tables:
                self._tables[table_name] = super().has_table(table_name)
            return self._tables[table_name]

    return HeldRunStorage, HeldEventLogStorage
