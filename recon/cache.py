"""Parquet cache of normalised sources: a clerk reruns recon often with most
files unchanged, and reading + normalising is most of a run's cost.

The key of a source is a SHA-256 over recon's version, the code that reads
and normalises (its own bytes, so any change to it invalidates), the as-of
date (ID and date checks depend on it), the county's own columns of the
source (config `columns:`) and every data file of the source:
its path in the drop and its content. A hit is
`OUT/.cache/<source>/<key>.parquet` (the validated core frame) with
`<key>.problems.parquet` and `<key>.json` (notes, files). Anything unreadable
in the cache is a miss, never an error. Writes go through a `CacheWriter`
(one background thread), which the run's SourceCache resource owns."""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import os
from concurrent.futures import Future, ThreadPoolExecutor
from functools import lru_cache
from importlib import metadata
from pathlib import Path

import pandas as pd

from recon.atomic import atomic_path
from recon.sources import Source, source as declaration
from recon.tables import CoreTable

log = logging.getLogger(__name__)
ROOT = Path(__file__).resolve().parent.parent
# The code whose output is cached: a change to any of it is a new key.
CODE = ("recon/read", "recon/normalise.py", "recon/values.py", "recon/ids.py", "recon/sources",
        "recon/problems.py", "recon/tables.py", "checks/schemas.py", "checks/core.py", "recon/cache.py")
CODE_FILES = ("*.py", "*.yaml")
CHUNK = 1 << 20
KEEP = 3    # cached versions kept per source (older ones are deleted)
ENV = "RECON_CACHE"


def enabled_by_env() -> bool:
    """RECON_CACHE: off, 0, no, false turn the cache off; anything else (or unset) leaves it on."""
    return os.environ.get(ENV, "on").strip().lower() not in ("off", "0", "no", "false")


@lru_cache(maxsize=1)
def code_fingerprint() -> str:
    digest = hashlib.sha256()
    try:
        digest.update(metadata.version("recon").encode())
    except metadata.PackageNotFoundError:
        digest.update(b"unversioned")
    for name in CODE:
        path = ROOT / name
        for file in sorted(f for pattern in CODE_FILES for f in path.rglob(pattern)) if path.is_dir() else [path]:
            if file.exists():
                digest.update(file.relative_to(ROOT).as_posix().encode())
                digest.update(file.read_bytes())
    return digest.hexdigest()


def source_key(drop: Path, source: str | Source, as_of: dt.date) -> str:
    declared = declaration(source)
    digest = hashlib.sha256()
    digest.update(f"{code_fingerprint()}|{declared.name}|{as_of.isoformat()}".encode())
    county_columns = declared.county_columns()
    if county_columns:   # a county that declares a column wants it in the cached frame
        digest.update(repr(sorted((name, column.names, column.kind) for name, column in county_columns.items())).encode())
    folder = Path(drop) / declared.name
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest.update(b"\0" + path.relative_to(drop).as_posix().encode() + b"\0")
        with open(path, "rb") as handle:
            while chunk := handle.read(CHUNK):
                digest.update(chunk)
    return digest.hexdigest()


def _paths(out: Path, source: str, key: str) -> tuple[Path, Path, Path]:
    folder = Path(out) / ".cache" / source
    return folder / f"{key}.parquet", folder / f"{key}.problems.parquet", folder / f"{key}.json"


def has(out: Path, source: str, key: str) -> bool:
    """Whether `load` would find an entry (without reading it)."""
    return all(path.exists() for path in _paths(out, source, key))


def load(out: Path, source: str, key: str) -> CoreTable | None:
    frame_path, problems_path, info_path = _paths(out, source, key)
    if not (frame_path.exists() and problems_path.exists() and info_path.exists()):
        return None
    try:
        info = json.loads(info_path.read_text(encoding="utf-8"))
        frame = pd.read_parquet(frame_path).astype(info["dtypes"])
        problems = pd.read_parquet(problems_path).astype(info["problem_dtypes"])
    except Exception as exc:  # a damaged cache costs one normal read, nothing more
        log.warning("cache of %s unreadable (%s): reading the files", source, type(exc).__name__)
        return None
    return CoreTable(source, frame, problems, info["notes"], info["files"],
                     schema_failures=info.get("schema_failures", {}))


def store(out: Path, key: str, cached: CoreTable) -> None:
    source = cached.source
    frame_path, problems_path, info_path = _paths(out, source, key)
    frame_path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with atomic_path(frame_path) as tmp:
            cached.frame.to_parquet(tmp, index=False)
        with atomic_path(problems_path) as tmp:
            cached.problems.to_parquet(tmp, index=False)
        info = {"notes": cached.notes, "files": cached.files, "schema_failures": cached.schema_failures,
                "dtypes": {c: str(t) for c, t in cached.frame.dtypes.items()},
                "problem_dtypes": {c: str(t) for c, t in cached.problems.dtypes.items()}}
        with atomic_path(info_path) as tmp:
            Path(tmp).write_text(json.dumps(info, ensure_ascii=False), encoding="utf-8")
    except Exception as exc:  # no cache is a slower next run, not a failed one
        log.warning("could not cache %s (%s)", source, type(exc).__name__)
        return
    _prune(frame_path.parent)


class CacheWriter:
    """Writes core tables to the cache in one background thread: Parquet
    encoding runs in Arrow's C++ without the GIL, so a cold run goes on with
    the next source while the last one is written. `wait()` before anything
    reads the cache again (the next run or county)."""

    def __init__(self):
        self._writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="recon-cache")
        self._pending: list[Future] = []

    def store(self, out: Path, key: str, table: CoreTable) -> None:
        """store() in the writer thread, of shallow copies (the frames as they are now)."""
        copy = CoreTable(table.source, table.frame.copy(deep=False), table.problems.copy(deep=False),
                         list(table.notes), list(table.files), schema_failures=dict(table.schema_failures))
        self._pending.append(self._writer.submit(store, out, key, copy))

    def wait(self) -> None:
        while self._pending:
            self._pending.pop(0).result()

    def close(self) -> None:
        self.wait()
        self._writer.shutdown(wait=True)


def _prune(folder: Path) -> None:
    infos = sorted(folder.glob("*.json"), key=lambda p: p.stat().st_mtime, reverse=True)
    for stale in infos[KEEP:]:
        for path in (stale, stale.with_suffix(".parquet"), stale.with_name(stale.stem + ".problems.parquet")):
            path.unlink(missing_ok=True)
