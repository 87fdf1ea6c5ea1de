"""Dagster resources: the run's settings and the run state the assets share.

- ReconConfig: the values `recon run` takes on the command line (CONTRACT.md
  §1), so the UI and the CLI run the same graph the same way.
- Sidecar: a second process for work that can leave the run's critical path
  (preparing the biggest sources, Great Expectations); started with the run
  (or adopted from `recon run`, which starts it before importing Dagster:
  assets/sidecar.py), stopped at its end.
- SourceCache: the Parquet cache of core tables and its background writer,
  whose writes the end of the run waits for.

State lives on the resource (PrivateAttr), made in setup_for_execution and
released in teardown_after_execution — once per run with the in-process
executor both `recon run` and `dagster dev` use."""
from __future__ import annotations

import datetime as dt
import functools
import logging
import multiprocessing.util
import os
from concurrent.futures import Future
from pathlib import Path
from typing import Callable, Optional

from dagster import ConfigurableResource, InitResourceContext
from pydantic import PrivateAttr

from assets import sidecar as sidecar_process
from recon import cache
from recon.settings import Settings
from recon.sources import Source, source as declaration
from recon.tables import CoreTable

log = logging.getLogger(__name__)


class ReconConfig(ConfigurableResource):
    """Where the drop is, where outputs go, the as-of date, the settings file
    and the registry URL. A county's subfolder is chosen by the partition."""

    data_dir: str
    out_dir: str
    as_of: Optional[str] = None
    config_file: Optional[str] = None
    db_url: Optional[str] = None

    def as_of_date(self) -> dt.date:
        return dt.date.fromisoformat(self.as_of) if self.as_of else dt.date.today()

    def settings(self) -> Settings:
        """The config's settings, read once per file version (every asset asks)."""
        path = self.config_file
        return _settings(path, Path(path).stat().st_mtime_ns if path and Path(path).exists() else None)

    def data_path(self, county: str | None = None) -> Path:
        base = Path(self.data_dir)
        return base / county if county else base

    def out_path(self, county: str | None = None) -> Path:
        base = Path(self.out_dir)
        return base / county if county else base

    def database_url(self) -> str | None:
        from recon.registry.url import database_url
        return database_url(self.db_url)

    @classmethod
    def from_env(cls) -> "ReconConfig":
        """For `dagster dev`: RECON_DATA_DIR, RECON_OUT_DIR, RECON_AS_OF, RECON_CONFIG."""
        return cls(
            data_dir=os.environ.get("RECON_DATA_DIR", "demo_drop"),
            out_dir=os.environ.get("RECON_OUT_DIR", "out"),
            as_of=os.environ.get("RECON_AS_OF") or None,
            config_file=os.environ.get("RECON_CONFIG") or None,
        )


@functools.lru_cache(maxsize=8)
def _settings(path: str | None, version: int | None) -> Settings:
    from checks.rules.catalog import rule_codes   # the catalog's codes: a `rules:` entry must name one
    return Settings.load(path, rule_codes=rule_codes())


class Sidecar(ConfigurableResource):
    """A spawned process beside the run. Dagster's in-process run works on one
    core; on a machine with a second one the sidecar prepares (reads,
    normalises, validates) the sources it is handed while the run works on the
    others, and validates the Great Expectations suites as core tables are
    offered. Anything that fails there answers None: the run then does that
    work itself. `processes: 0` turns it off (executors that run each step in
    a process of its own gain nothing from it)."""

    processes: int = 1
    _pool: Optional[sidecar_process.SidecarPool] = PrivateAttr(default=None)
    _prepared: dict = PrivateAttr(default_factory=dict)    # (drop, source) → Future of a CoreTable
    _offered: dict = PrivateAttr(default_factory=dict)     # out folder → sources offered to GX

    def setup_for_execution(self, context: InitResourceContext) -> None:
        # `recon run` started the process before importing Dagster (assets/sidecar.py): take it over.
        pool, prepared = sidecar_process.adopt()
        if self.processes <= 0:
            if pool is not None:
                pool.shutdown(wait=False, cancel_futures=True)
            return
        self._pool = pool or sidecar_process.new_pool()
        if pool is not None:
            self._prepared.update(prepared)

    def teardown_after_execution(self, context: InitResourceContext) -> None:
        self.stop()

    @property
    def active(self) -> bool:
        return self._pool is not None

    def submit(self, call: Callable, *args) -> Future | None:
        """Queue call(*args) there; None when there is no sidecar to take it."""
        if self._pool is None:
            return None
        try:
            return self._pool.submit(call, *args)
        except RuntimeError:   # the pool broke or shut down
            return None

    def result(self, future: Future | None, what: str):
        """The future's result, None when there is none or it failed (the caller does the work)."""
        if future is None:
            return None
        try:
            return future.result()
        except Exception as exc:
            log.warning("%s in the sidecar process failed (%s): doing it here", what, type(exc).__name__)
            return None

    def run(self, call: Callable, *args):
        return self.result(self.submit(call, *args), getattr(call, "__name__", "a call"))

    # --- sources prepared there ---------------------------------------------
    def prepare(self, drop: Path, source: str | Source, as_of: dt.date) -> bool:
        """Start preparing drop/<source>/ there (unless it is already under
        way); False when there is no sidecar. `source`: its declaration as the
        county's config makes it (Settings.source)."""
        source = declaration(source)
        if self.preparing(drop, source.name):
            return True
        future = self.submit(sidecar_process.prepare_claimed, Path(drop), source, as_of)
        if future is not None:
            self._prepared[(str(drop), source.name)] = future
        return future is not None

    def preparing(self, drop: Path, source: str) -> bool:
        return (str(drop), source) in self._prepared

    def claim(self, drop: Path, source: str) -> bool:
        """True when the run should prepare `source` itself: it was not handed
        over, or the sidecar has not begun it (then it never will: the claim
        board, assets/sidecar.py)."""
        if not self.preparing(drop, source):
            return True
        if self._pool is None or not self._pool.claim(source):
            return False
        self._prepared.pop((str(drop), source)).cancel()   # the sidecar's task, if it still runs, answers None
        return True

    def take(self, drop: Path, source: str) -> CoreTable | None:
        """The prepared core table, waiting for it if need be; None when it was
        not handed over or failed."""
        return self.result(self._prepared.pop((str(drop), source), None), f"preparing {source}")

    # --- Great Expectations offers (checks/expectations.py) -------------------
    def note_offer(self, out_dir: Path, source: str) -> None:
        self._offered.setdefault(str(out_dir), set()).add(source)

    def offers(self, out_dir: Path) -> set[str]:
        return self._offered.pop(str(out_dir), set())

    def stop(self) -> None:
        for future in self._prepared.values():
            future.cancel()
        self._prepared.clear()
        self._offered.clear()
        if self._pool is not None:
            # The sidecar has nothing left to write: it leaves at once instead of
            # tearing down GX, pandas and its frames object by object (~1 s).
            # Not waited for: the process leaves while the run finishes (a wait here cost up to a
            # second of the run's end). The executor's thread reaps it, and the interpreter's exit
            # joins that thread, so no process outlives `recon run`.
            leaving = self.submit(_leave)
            self._pool.shutdown(wait=leaving is None, cancel_futures=leaving is None)
            self._pool = None


def _leave() -> None:
    # Release what must not outlive the process (locks libraries created there,
    # e.g. tqdm's, tracked by multiprocessing) as a normal exit would, then go.
    multiprocessing.util._run_finalizers(0)
    os._exit(0)


class SourceCache(ConfigurableResource):
    """The Parquet cache of core tables (recon/cache.py) under OUT/.cache.
    `enabled` None follows RECON_CACHE (off, 0, no, false turn it off)."""

    enabled: Optional[bool] = None
    _writer: Optional[cache.CacheWriter] = PrivateAttr(default=None)

    def setup_for_execution(self, context: InitResourceContext) -> None:
        self._writer = cache.CacheWriter()

    def teardown_after_execution(self, context: InitResourceContext) -> None:
        if self._writer is not None:
            self._writer.close()   # the next run (or county) may read what this one wrote
            self._writer = None

    def on(self) -> bool:
        if self.enabled is not None:
            return self.enabled
        return cache.enabled_by_env()

    def key(self, drop: Path, source: str | Source, as_of: dt.date) -> str | None:
        return cache.source_key(drop, source, as_of) if self.on() else None

    def has(self, out: Path, source: str, key: str | None) -> bool:
        return bool(key) and cache.has(out, source, key)

    def load(self, out: Path, source: str, key: str | None) -> CoreTable | None:
        return cache.load(out, source, key) if key else None

    def store(self, out: Path, key: str | None, table: CoreTable) -> None:
        if not key or table.frame is None:
            return
        if self._writer is None:       # outside a run (a test calling the asset directly)
            cache.store(out, key, table)
        else:
            self._writer.store(out, key, table)
