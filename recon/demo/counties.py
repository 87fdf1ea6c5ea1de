"""A demo drop of several counties (`recon demo --counties N`): the layout of
a province or city (DIR/<county>/system/…, CONTRACT.md §2), each county a
demo county of its own name, region code, seed and answer key, so a data
team can try scale-out (docs/operations.md) before its own data arrives.
The benchmark's province (bench/drops.py) is built the same way."""
from __future__ import annotations

import datetime as dt
import os
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

# County names: two syllables + 县, distinct for up to 400 counties of one province.
_FIRST = "安宝昌德丰福广和华建景乐临龙民宁平庆仁瑞盛顺泰天通万文武西祥新兴永元长正忠"
_SECOND = "安川丰和河江康乐林宁平山水顺台溪阳远源州"


def province_counties(count: int) -> list[tuple[str, str]]:
    """(name, 6-digit region code) of `count` distinct counties of one province."""
    names = [a + b + "县" for a in _FIRST for b in _SECOND if a != b]
    step = len(names) // count if 0 < count <= len(names) else 0
    if not step:
        raise ValueError(f"a demo province holds 1 to {len(names)} counties (asked for {count})")
    return [(names[i * step], f"52{i // 20 + 1:02d}{i % 20 + 21:02d}") for i in range(count)]


def _generate_one(args: tuple):
    from recon.demo import generate
    folder, households, seed, as_of, formats, name, region = args
    return generate(folder, households=households, seed=seed, as_of=as_of, formats=formats,
                    county_name=name, region=region)


def generate_counties(out: Path, counties: int, households: int = 300, seed: int = 7,
                      as_of: dt.date = dt.date(2025, 6, 30), formats: str = "mixed", workers: int | None = None):
    """`counties` demo counties under out/<name>/ (seeds seed, seed+1, …), each
    with its own answer key; the export-style settings (recon.yaml, alike for
    all) also at the drop root, for `recon run --config DIR/recon.yaml`.
    Generated side by side in worker processes; returns their DemoSummary list."""
    from recon.demo import CONFIG_NAME, EXPORT_CONFIG
    out = Path(out)
    jobs = [(out / name, households, seed + i, as_of, formats, name, region)
            for i, (name, region) in enumerate(province_counties(counties))]
    workers = max(1, min(len(jobs), workers or os.cpu_count() or 1))
    if workers == 1:
        summaries = [_generate_one(job) for job in jobs]
    else:
        with ProcessPoolExecutor(workers) as pool:
            summaries = list(pool.map(_generate_one, jobs))
    (out / CONFIG_NAME).write_text(EXPORT_CONFIG, encoding="utf-8")
    return summaries
