"""The sidecar process itself, free of Dagster (the Sidecar resource in
assets/resources.py is its face in the asset graph).

A spawned interpreter needs a second or two to import pandas, pandera and
the readers before it can take any work, and `recon run` spends about as
long importing Dagster and building the job. So `recon run` starts the
sidecar first (`start_early`), before it imports Dagster, and hands it the
drop's biggest sources (EARLY_SOURCES) at once; the Sidecar resource of the run
then adopts that process and the sources already under way (`adopt`)
instead of starting its own. Anything started early and not adopted is
stopped when the interpreter exits (`multiprocessing`'s own clean-up).

Sources are shared out by claiming, not by a fixed list: the run hands the
sidecar every source it would read, biggest first, and claims a source
itself only when it needs the table (core_<source>); whichever side comes
to a source first claims it on a board both processes see
(`SidecarPool.claim`), and the other side skips it. So the sidecar does all
it can reach before the run needs it, and the run never waits for a source
the sidecar has not begun."""
from __future__ import annotations

import datetime as dt
import multiprocessing
import os
import threading
import time
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path

# How many sources `recon run` hands the early sidecar, the drop's biggest
# (the system export and, mostly, the ledger: most of a county's raw-read
# floor); raw_drop hands it the others, biggest first, once the run begins.
EARLY_SOURCES = 2

_early: dict = {}   # "pool": the early SidecarPool, "prepared": {(drop, source): Future}
_board = None       # in the sidecar process: the claim board of the pool it serves (set by _serve)
UNCLAIMED, BY_RUN, BY_SIDECAR = 0, 1, 2
BOARD_CELLS = 256   # one per declared source, sized without importing the declarations (they bring pandas)


class SidecarPool(ProcessPoolExecutor):
    """One spawned worker process and the claim board it shares with the
    run: a cell per declared source (DATA_SOURCES order), set once by
    whichever process prepares that source. One pool serves one run."""

    def __init__(self):
        context = multiprocessing.get_context("spawn")
        self.board = context.Array("b", BOARD_CELLS)
        super().__init__(1, mp_context=context, initializer=_serve, initargs=(os.getpid(), self.board))

    def claim(self, source: str) -> bool:
        """For the run: True when it may prepare `source` itself (the sidecar has not begun it)."""
        return _claim(self.board, source, BY_RUN)


def _board_sources() -> tuple[str, ...]:
    # Imported here, not with this module: `recon run` starts the sidecar before it imports pandas.
    from recon.sources import DATA_SOURCES
    return tuple(DATA_SOURCES)


def _claim(board, source: str, by: int) -> bool:
    sources = _board_sources()[:BOARD_CELLS]
    if source not in sources:   # not on the board: the side it was handed to does it
        return by == BY_SIDECAR
    at = sources.index(source)
    with board.get_lock():
        if board[at] != UNCLAIMED:
            return False
        board[at] = by
        return True


def _serve(parent: int, board) -> None:
    """The sidecar process's initializer: watch the run, keep the board."""
    global _board
    _board = board
    watch_parent(parent)


def prepare_claimed(drop: Path, source, as_of: dt.date):
    """In the sidecar: the source's core table, or None when the run claimed it first."""
    from checks.core import core_table
    from recon.sources import source as declaration
    if _board is not None and not _claim(_board, declaration(source).name, BY_SIDECAR):
        return None
    return core_table(drop, source, as_of)


def new_pool() -> SidecarPool | None:
    """One spawned worker process; None on a machine with one core (the run then does all its work itself)."""
    if (os.cpu_count() or 1) < 2:
        return None
    return SidecarPool()


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
    does; only for a single-county drop (one holding a system/ folder
    itself): the counties of a bigger drop run with sidecars of their own."""
    if "pool" in _early or not (Path(data) / "system").is_dir():
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
    """Hand the sidecar started by start_early the drop's EARLY_SOURCES biggest
    sources that the Parquet cache does not hold (raw_drop finds them under
    way): the same drop, output folder and as-of date as the run's
    ReconConfig; `declaration(name)` gives a source as the county's config
    declares it (Settings.source: with its own columns)."""
    pool = _early.get("pool")
    if pool is None:
        return
    from recon import cache, layout
    drop, out = Path(data_dir), Path(out_dir)
    day = dt.date.fromisoformat(as_of) if as_of else dt.date.today()
    present = [source for source in _board_sources() if layout.source_present(drop, source)]
    for source in layout.biggest_first(drop, present)[:EARLY_SOURCES]:
        declared = declaration(source) if declaration else source
        if cache.enabled_by_env() and cache.has(out, source, cache.source_key(drop, declared, day)):
            continue
        try:
            _early["prepared"][(str(drop), source)] = pool.submit(prepare_claimed, drop, declared, day)
        except RuntimeError:   # the process died (BrokenProcessPool): the run starts its own sidecar
            abandon()
            return


def adopt() -> tuple[SidecarPool | None, dict[tuple[str, str], Future]]:
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
