"""recon run's helper process: work that leaves the run's critical path.

Dagster's in-process run works on one core. On a machine with a second one,
`recon run` starts one spawned helper process before it even imports Dagster:
- it prepares (reads, normalises, validates) the sources of IN_WORKER while
  the run reads and normalises the others; core_<source> then `take`s the
  finished core table as it would a cache hit (raw_<source> only notes that
  the helper has it, so the run does not wait for it before it must);
- it then imports Great Expectations and validates each core table as the
  run offers it (recon/expectations.py), so GX's seconds of Python hold
  neither the run's core nor its interpreter lock.
Frames come back Arrow-backed (pickled as buffers, not one Python object per
cell). Anything that goes wrong in the helper makes `take`/`run` answer
None: the run then does that work itself."""
from __future__ import annotations

import datetime as dt
import logging
import multiprocessing
import multiprocessing.util
import os
from concurrent.futures import Future, ProcessPoolExecutor, wait
from pathlib import Path
from typing import Callable

log = logging.getLogger(__name__)
# The system export: the biggest single source (its Excel parse alone is most
# of the county's raw-read floor) and the last raw step Dagster reaches but
# water, so the helper has the most time.
IN_WORKER = ("system",)
_POOL: ProcessPoolExecutor | None = None
_PREPARED: dict[tuple[str, str], Future] = {}


def start(drop: Path, sources: list[str], as_of: dt.date, then: tuple[Callable, ...] = ()) -> None:
    """Start the helper: prepare `sources` of `drop` in this order, then run
    the warm-up calls `then` (e.g. an import the run will need)."""
    global _POOL
    stop()
    _POOL = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"))
    for source in sources:
        _PREPARED[(str(Path(drop)), source)] = _POOL.submit(prepare, Path(drop), source, as_of)
    for call in then:
        _POOL.submit(call)


def active() -> bool:
    return _POOL is not None


def preparing(drop: Path, source: str) -> bool:
    """Whether the helper was handed `source` of `drop` (and it was not taken yet)."""
    return (str(Path(drop)), source) in _PREPARED


def take(drop: Path, source: str):
    """The source's prepared core table (recon.cache.CachedSource), waiting
    for it if need be; None when the helper was not handed it or failed."""
    future = _PREPARED.pop((str(Path(drop)), source), None)
    return None if future is None else _result(future, f"preparing {source}")


def submit(call: Callable, *args) -> bool:
    """Queue call(*args) in the helper without waiting; False when there is
    no helper to take it."""
    return _queued(call, *args) is not None


def run(call: Callable, *args):
    """call(*args) in the helper and its result; None when there is no helper
    or the call failed there (the caller then runs it itself)."""
    future = _queued(call, *args)
    return None if future is None else _result(future, getattr(call, "__name__", "a call"))


def _queued(call: Callable, *args) -> Future | None:
    if _POOL is None:
        return None
    try:
        return _POOL.submit(call, *args)
    except RuntimeError:   # the pool broke or shut down
        return None


def _result(future: Future, what: str):
    try:
        return future.result()
    except Exception as exc:   # the run does it itself
        log.warning("%s in the helper process failed (%s): doing it here", what, type(exc).__name__)
        return None


def stop() -> None:
    global _POOL
    for future in _PREPARED.values():
        future.cancel()
    _PREPARED.clear()
    if _POOL is not None:
        # The helper has nothing left to write: it leaves at once instead of
        # tearing down GX, pandas and its frames object by object (~1 s).
        leaving = _queued(_leave)
        if leaving is not None:
            wait([leaving], timeout=2)   # ends as "terminated abruptly", as it should
        _POOL.shutdown(wait=True, cancel_futures=True)
        _POOL = None


def _leave() -> None:
    # Release what must not outlive the process (locks libraries created here,
    # e.g. tqdm's, tracked by multiprocessing) as a normal exit would, then go.
    multiprocessing.util._run_finalizers(0)
    os._exit(0)


def prepare(drop: Path, source: str, as_of: dt.date):
    """What core_<source> computes: read, normalise, validate (same functions)."""
    from checks.schemas import validate
    from recon import problems as P
    from recon.cache import CachedSource
    from recon.normalise import normalise
    from recon.read import read_source
    read = read_source(drop, source)
    frame, parse_problems = normalise(source, read.frame, as_of)
    frame, schema_problems = validate(source, frame, as_of)
    return CachedSource(frame, P.concat([read.problems, parse_problems, schema_problems]), read.notes, read.files)
