"""The benchmark drops: demo counties generated once per scale and seed and
kept under bench/work/ (gitignored), so reruns measure recon, not the generator.

A province is a multi-county drop (DIR/<county>/system/…, CONTRACT.md §2):
each county is one demo county of its own seed, name and region code, the
counties generated side by side in worker processes."""
from __future__ import annotations

import datetime as dt
import json
import time
from dataclasses import dataclass
from pathlib import Path

from recon.demo.counties import generate_counties

AS_OF = dt.date(2025, 6, 30)
SEED = 7
WORK = Path(__file__).resolve().parent / "work"


@dataclass(frozen=True)
class Scale:
    name: str
    households: int
    formats: str        # "mixed": Excel (xlsx/xls) with the demo's CSVs; "csv": every source as CSV
    compare: bool = True
    counties: int = 1   # > 1: a multi-county drop, households split evenly


SCALES = {
    "ci": Scale("ci", 5_000, "csv"),
    # The county of the architecture issue: ≈45,000 persons as Excel, every source.
    "county12k": Scale("county12k", 12_000, "mixed"),
    "county": Scale("county", 50_000, "mixed"),
    "province": Scale("province", 2_500_000, "csv", compare=False, counties=50),
}


def drop_path(scale: Scale, work: Path = WORK, seed: int = SEED) -> Path:
    return work / "drops" / f"{scale.name}-{scale.households}-{scale.formats}-seed{seed}"


def ensure_drop(scale: Scale, work: Path = WORK, seed: int = SEED) -> tuple[Path, dict]:
    """The drop for `scale`, generated unless a finished one is cached; the
    generator's own seconds are kept in its marker file."""
    from recon.demo import generate
    drop = drop_path(scale, work, seed)
    marker = drop / "bench.json"
    if marker.exists():
        return drop, json.loads(marker.read_text(encoding="utf-8"))
    started = time.perf_counter()
    if scale.counties > 1:
        persons = _generate_counties(drop, scale, seed)
    else:
        persons = generate(drop, households=scale.households, seed=seed, as_of=AS_OF, formats=scale.formats).persons
    info = {"households": scale.households, "persons": persons, "formats": scale.formats, "seed": seed,
            "counties": scale.counties, "generate_seconds": round(time.perf_counter() - started, 1)}
    # bench.json sits at the drop root beside demo.json, which recon never reads as data.
    marker.write_text(json.dumps(info, indent=1), encoding="utf-8")
    return drop, info


def _generate_counties(drop: Path, scale: Scale, seed: int) -> int:
    summaries = generate_counties(drop, scale.counties, households=scale.households // scale.counties, seed=seed,
                                  as_of=AS_OF, formats=scale.formats)
    return sum(summary.persons for summary in summaries)
