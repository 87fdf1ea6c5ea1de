"""The benchmark drops: demo counties generated once per scale and seed and
kept under bench/work/ (gitignored), so reruns measure recon, not the generator.

A province is a multi-county drop (DIR/<county>/system/…, CONTRACT.md §2):
each county is one demo county of its own seed, name and region code, the
counties generated side by side in worker processes."""
from __future__ import annotations

import datetime as dt
import json
import os
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

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
# Province county names: two syllables + 县, distinct for up to 400 counties.
_FIRST = "安宝昌德丰福广和华建景乐临龙民宁平庆仁瑞盛顺泰天通万文武西祥新兴永元长正忠"
_SECOND = "安川丰和河江康乐林宁平山水顺台溪阳远源州"


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


def province_counties(count: int) -> list[tuple[str, str]]:
    """(name, region code) of `count` distinct counties of one province."""
    names = [a + b + "县" for a in _FIRST for b in _SECOND if a != b]
    step = len(names) // count if count <= len(names) else 0
    if not step:
        raise ValueError(f"at most {len(names)} counties")
    return [(names[i * step], f"52{i // 20 + 1:02d}{i % 20 + 21:02d}") for i in range(count)]


def _generate_one(args: tuple) -> int:
    from recon.demo import generate
    folder, households, seed, formats, name, region = args
    return generate(folder, households=households, seed=seed, as_of=AS_OF, formats=formats,
                    county_name=name, region=region).persons


def _generate_counties(drop: Path, scale: Scale, seed: int) -> int:
    per_county = scale.households // scale.counties
    jobs = [(drop / name, per_county, seed + i, scale.formats, name, region)
            for i, (name, region) in enumerate(province_counties(scale.counties))]
    with ProcessPoolExecutor(max_workers=min(len(jobs), os.cpu_count() or 1)) as pool:
        return sum(pool.map(_generate_one, jobs))
