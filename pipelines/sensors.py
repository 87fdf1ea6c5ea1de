"""drop_sensor: a run when new or changed files land in the drop folder.

The cursor is the JSON {path relative to the drop: sha256 of the content} of
what was last launched, so the same files never launch twice (the run_key is
a hash of the snapshot, too). A file still being written — modified within
RECON_STABLE_SECONDS (default 30) — or an unfinished download (.tmp, .part,
.crdownload) holds back its county until it is stable; Excel lock files
(~$…) and hidden files are never data. On a multi-county drop each changed
county gets one run of its partition, and new counties become partitions."""
# No `from __future__ import annotations` here: Dagster 1.13 compares the
# `context` annotation as an object and rejects it as a string.

import hashlib
import json
import os
import time
from pathlib import Path

from dagster import RunRequest, SensorDefinition, SensorEvaluationContext, SensorResult, SkipReason, sensor

from assets.partitions import COUNTY_PARTITIONS, counties
from assets.resources import ReconConfig
from recon.sources import REQUIRED_SOURCES

DEFAULT_STABLE_SECONDS = 30
IN_PROGRESS_SUFFIXES = (".tmp", ".part", ".crdownload")
_HASHES: dict[tuple[str, int, int], str] = {}   # (path, size, mtime_ns) → sha256: unchanged files are not re-read


def stable_seconds() -> float:
    return float(os.environ.get("RECON_STABLE_SECONDS", DEFAULT_STABLE_SECONDS))


def is_ignored(relative: Path) -> bool:
    return any(part.startswith((".", "~$")) for part in relative.parts)


def file_hash(path: Path, stat: os.stat_result) -> str:
    key = (str(path), stat.st_size, stat.st_mtime_ns)
    if key not in _HASHES:
        digest = hashlib.sha256()
        with path.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
        _HASHES[key] = digest.hexdigest()
    return _HASHES[key]


def snapshot(folder: Path, now: float | None = None) -> tuple[dict[str, str], list[str]]:
    """({relative path: sha256} of the stable data files, [files not stable yet])."""
    now = time.time() if now is None else now
    settled, unsettled = {}, []
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        relative = path.relative_to(folder)
        if is_ignored(relative):
            continue
        stat = path.stat()
        if path.name.lower().endswith(IN_PROGRESS_SUFFIXES) or now - stat.st_mtime < stable_seconds():
            unsettled.append(relative.as_posix())
        else:
            settled[relative.as_posix()] = file_hash(path, stat)
    return settled, unsettled


def snapshot_key(files: dict[str, str]) -> str:
    return hashlib.sha256(json.dumps(files, sort_keys=True).encode()).hexdigest()[:32]


def _part(files: dict[str, str], prefix: str) -> dict[str, str]:
    return {path: digest for path, digest in files.items() if path.startswith(prefix)}


def _ready(files: dict[str, str], prefix: str) -> bool:
    """Both required sources hold a file: a half-copied county would only fail."""
    return all(any(p.startswith(f"{prefix}{source}/") for p in files) for source in REQUIRED_SOURCES)


def build_drop_sensor(job, partitioned: bool) -> SensorDefinition:
    @sensor(name="drop_sensor", job=job, minimum_interval_seconds=30,
            description="新数据到达即核对 / a run when new or changed files land in the drop folder.")
    def drop_sensor(context: SensorEvaluationContext, recon: ReconConfig):
        data = Path(recon.data_dir)
        if not data.is_dir():
            return SkipReason(f"drop folder {data} does not exist")
        launched = json.loads(context.cursor) if context.cursor else {}
        files, unsettled = snapshot(data)
        names = counties(data) if partitioned else [None]
        if partitioned and not names:
            return SkipReason("no county folders (DIR/<county>/system/): "
                              "reload the code location if the layout changed")
        cursor, requests, waiting = dict(launched), [], []
        for name in names:
            prefix = f"{name}/" if name else ""
            current, before = _part(files, prefix), _part(launched, prefix)
            if any(p.startswith(prefix) for p in unsettled) or not _ready(current, prefix):
                waiting.append(name or "drop")
                continue
            if current == before:
                continue
            key = snapshot_key(current)
            requests.append(RunRequest(run_key=f"{name}-{key}" if name else key, partition_key=name))
            cursor = {p: d for p, d in cursor.items() if not p.startswith(prefix)} | current
        if not requests:
            return SkipReason(f"waiting for files to settle: {', '.join(waiting)}" if waiting
                              else "no new or changed files")
        known = set(context.instance.get_dynamic_partitions(COUNTY_PARTITIONS.name)) if partitioned else set()
        new_counties = [r.partition_key for r in requests if r.partition_key and r.partition_key not in known]
        partition_requests = [COUNTY_PARTITIONS.build_add_request(new_counties)] if new_counties else []
        return SensorResult(run_requests=requests, cursor=json.dumps(cursor, ensure_ascii=False, sort_keys=True),
                            dynamic_partitions_requests=partition_requests)

    return drop_sensor
