"""The sidecar process itself, free of Dagster (the Sidecar resource in
assets/resources.py is its face in the asset graph).

A spawned interpreter needs a second or two to import pandas, pandera and
the readers before it can take any work, and `recon run` spends about as
long importing Dagster and building the job. So `recon run` starts the
sidecar first (`start_early`), before it imports Dagster, and hands it the
sources it prepares (IN_SIDECAR) at once; the Sidecar resource of the run
then adopts that process and the sources already under way (`adopt`)
instead of starting its own. Anything started early and not adopted is
stopped when the interpreter exits (`multiprocessing`'s own clean-up)."""
from __future__ import annotations

import datetime as dt
import multiprocessing
import os
import threading
import time
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path

# The biggest sources, prepared (read, normalised, validated) in the sidecar
# while the run reads the others: the system export's Excel parse is most of
# a county's raw-read floor, and the medical list is the next biggest sheet
# the run would otherwise read on its own lane.
IN_SIDECAR = ("system", "medical")

_early: dict = {}   # "pool": the early ProcessPoolExecutor, "prepared": {(drop, source): Future}


def new_pool() -> ProcessPoolExecutor | None:
    """One spawned worker process; None on a machine with one core (the run then does all its work itself)."""
    if (os.cpu_count() or 1) < 2:
        return None
    return ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"),
                               initializer=watch_parent, initargs=(os.getpid(),))


def watch_parent(parent: int, every: float = 1.0) -> None:
    """In a spawned worker: leave when the process that started it is gone.
    A run that is killed (Ctrl-C twice, the task manager, an OOM kill) cannot
    stop its workers, and they would go on reading and computing for minutes."""
    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(every)
        os._exit(1)
    threading.Thread(target=watch, name="recon-watch-parent", daemon=True).start()


def _warm() -> None:
    """The sidecar's first task: the imports every later task needs."""
    import checks.core  # noqa: F401


def start_early(data: Path) -> None:
    """Start the sidecar process now, so that it imports while the caller
    does; only for a single-county drop (one holding an IN_SIDECAR folder
    itself): the counties of a bigger drop run with sidecars of their own."""
    if "pool" in _early or not any((Path(data) / source).is_dir() for source in IN_SIDECAR):
        return
    pool = new_pool()
    if pool is None:
        return
    try:
        pool.submit(_warm)
    except RuntimeError:   # could not start it: the run starts its own sidecar
        pool.shutdown(wait=False, cancel_futures=True)
        return
    _early.update(pool=pool, prepared={})


def prepare_early(data_dir: str, out_dir: str, as_of: str | None, declaration=None) -> None:
    """Hand the sidecar started by start_early the IN_SIDECAR sources of the
    drop that the Parquet cache does not hold (raw_drop finds them under
    way): the same drop, output folder and as-of date as the run's
    ReconConfig; `declaration(name)` gives a source as the county's config
    declares it (Settings.source: with its own columns)."""
    pool = _early.get("pool")
    if pool is None:
        return
    from checks.core import core_table
    from recon import cache, layout
    drop, out = Path(data_dir), Path(out_dir)
    day = dt.date.fromisoformat(as_of) if as_of else dt.date.today()
    for source in IN_SIDECAR:
        if not layout.source_present(drop, source):
            continue
        declared = declaration(source) if declaration else source
        if cache.enabled_by_env() and cache.has(out, source, cache.source_key(drop, declared, day)):
            continue
        try:
            _early["prepared"][(str(drop), source)] = pool.submit(core_table, drop, declared, day)
        except RuntimeError:   # the process died (BrokenProcessPool): the run starts its own sidecar
            abandon()
            return


def adopt() -> tuple[ProcessPoolExecutor | None, dict[tuple[str, str], Future]]:
    """The early sidecar and the sources it prepares, handed over once (None, {} when there is none)."""
    pool, prepared = _early.pop("pool", None), _early.pop("prepared", {})
    return pool, prepared


def abandon() -> None:
    """Stop an early sidecar no run took over (a check failed before the run
    began) at once, instead of letting the interpreter's exit wait for its imports."""
    pool, prepared = adopt()
    if pool is None:
        return
    for future in prepared.values():
        future.cancel()
    # concurrent.futures has no public handle on its worker processes.
    for process in list((getattr(pool, "_processes", None) or {}).values()):
        process.terminate()
    pool.shutdown(wait=True, cancel_futures=True)
