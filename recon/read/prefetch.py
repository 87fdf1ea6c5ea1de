"""Preparing some of a county's sources in a worker process (`recon run`).

Dagster's in-process run reads every source, then normalises every source,
on one core. `start` hands a few sources to a spawned worker process that
reads, normalises and validates them while the run works on the others;
raw_<source> then `take`s the finished core table as it would a cache hit.
The frames come back Arrow-backed (pickled as buffers, not one Python
object per cell). Anything that goes wrong in the worker makes `take`
return None: the asset then reads the files itself."""
from __future__ import annotations

import datetime as dt
import logging
import multiprocessing
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path

log = logging.getLogger(__name__)
# The system export: the biggest single source, and the last raw step Dagster
# reaches but water, so the worker has the most time. Also giving it medical
# made its lane the longer one (county: 62.6 s against 55–56 s with system alone).
IN_WORKER = ("system",)
_POOL: ProcessPoolExecutor | None = None
_PREPARED: dict[tuple[str, str], Future] = {}


def start(drop: Path, sources: list[str], as_of: dt.date) -> None:
    """Prepare `sources` of `drop` in a worker process, in this order."""
    global _POOL
    stop()
    if not sources:
        return
    _POOL = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"))
    for source in sources:
        _PREPARED[(str(Path(drop)), source)] = _POOL.submit(prepare, Path(drop), source, as_of)


def take(drop: Path, source: str):
    """The source's prepared core table (recon.cache.CachedSource), or None."""
    future = _PREPARED.pop((str(Path(drop)), source), None)
    if future is None:
        return None
    try:
        return future.result()
    except Exception as exc:   # the asset reads the files itself
        log.warning("preparing %s in a worker failed (%s): reading it now", source, type(exc).__name__)
        return None


def stop() -> None:
    global _POOL
    for future in _PREPARED.values():
        future.cancel()
    _PREPARED.clear()
    if _POOL is not None:
        _POOL.shutdown(wait=True, cancel_futures=True)
        _POOL = None


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
