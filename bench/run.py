"""Benchmark `recon run` at one scale and write the results as markdown.

    .venv/bin/python -m bench.run --scale county|province|ci [--work DIR] [--results FILE]

Per scale: the drop is generated (cached in WORK/drops), `recon run` runs as
a child process (wall, CPU, peak RSS; per-stage times from
RECON_TIMINGS_JSON), twice: cold (empty output folder, no cache) and warm
(same output folder: unchanged files come from the Parquet cache). Then the
raw-read floor of the same files and the ledger–system comparison against
datacompy. Results go into bench/results.md, one section per scale."""
from __future__ import annotations

import argparse
import json
import platform
import re
import shutil
import subprocess
from dataclasses import asdict
from pathlib import Path

from bench.compare import compare
from bench.drops import SCALES, WORK, ensure_drop
from bench.measure import raw_read_floor, run_recon, stage_table

RESULTS = Path(__file__).resolve().parent / "results.md"
# Issue 14: cold end to end ÷ the raw read of the same files (target, aim).
FLOOR_RATIO_TARGETS = {"county12k": (2.2, 1.8), "county": (2.0, None)}
TARGETS = {   # issue 6: seconds end to end, GB peak
    "county": {"wall": 60, "aim_wall": 30},
    "province": {"wall": 15 * 60, "aim_wall": 10 * 60, "peak_gb": 16, "aim_peak_gb": 12},
}


def bench(scale_name: str, work: Path = WORK, with_compare: bool = True, warm: bool | None = None) -> dict:
    scale = SCALES[scale_name]
    warm = scale.counties == 1 if warm is None else warm   # a province rerun costs another quarter hour
    drop, generated = ensure_drop(scale, work)
    out = work / "out" / scale.name
    shutil.rmtree(out, ignore_errors=True)
    cold = run_recon(drop, out)
    if cold.returncode != 0:
        raise RuntimeError(f"recon run failed at {scale.name} scale: see {out / 'bench_run.log'}")
    result = {"scale": scale.name, "drop": generated, "cold": asdict(cold), "stages": stage_table(cold.timings)}
    if warm:
        again = run_recon(drop, out)
        result["warm"] = asdict(again)
        result["warm_stages"] = stage_table(again.timings)
    result["floor"] = raw_read_floor(drop)
    if with_compare and scale.compare:
        result["compare"] = compare(drop)
    (out / "bench_result.json").write_text(json.dumps(result, indent=1, ensure_ascii=False), encoding="utf-8")
    return result


def machine() -> str:
    def sh(*argv: str) -> str:
        try:
            return subprocess.run(argv, capture_output=True, text=True, check=False).stdout
        except OSError:
            return ""
    model = re.search(r"Model name:\s*(.+)", sh("lscpu"))
    memory = re.search(r"Mem:\s+(\d+)", sh("free", "-g"))
    import pandas, pyarrow
    return (f"{sh('nproc').strip()} cores ({model.group(1).strip() if model else platform.processor()}), "
            f"{memory.group(1) if memory else '?'} GB RAM, Python {platform.python_version()}, "
            f"pandas {pandas.__version__}, pyarrow {pyarrow.__version__}, {platform.platform()}")


def section(result: dict) -> str:
    cold, stages, floor, drop = result["cold"], result["stages"], result["floor"], result["drop"]
    lines = [f"## {result['scale']}: {drop['households']:,} households, {drop['persons']:,} persons ({drop['formats']})",
             "", f"Drop generated in {drop['generate_seconds']:.0f} s (cached afterwards).", "",
             "| stage | seconds (cold run) | seconds (warm: unchanged files) |", "|---|---:|---:|"]
    warm_stages = result.get("warm_stages", {})
    counties = drop.get("counties", 1)
    if counties > 1:
        lines[-2:] = [f"| stage | seconds of work, summed over the {counties} counties (cold run) | |", "|---|---:|---:|"]
    for stage, seconds in stages.items():
        warm_cell = f"{warm_stages[stage]:.1f}" if stage in warm_stages else ""
        lines.append(f"| {stage} | {seconds:.1f} | {warm_cell} |")
    steps_total = sum(stages.values())
    if counties > 1:
        lines.append(f"| (counties side by side: steps' sum ÷ wall) | {steps_total / cold['wall']:.2f} | |")
    else:
        lines.append(f"| (Dagster, start-up, imports) | {cold['wall'] - steps_total:.1f} | "
                     f"{result['warm']['wall'] - sum(warm_stages.values()):.1f} |" if "warm" in result else "")
    lines += [f"| **end to end** | **{cold['wall']:.1f}** | **{result['warm']['wall']:.1f}** |" if "warm" in result
              else f"| **end to end** | **{cold['wall']:.1f}** | |", ""]
    lines.append(f"- Process: CPU {cold['cpu']:.1f} s (CPU/wall {cold['cpu'] / cold['wall']:.2f}: well below 1 means "
                 f"the run waited for a busy machine; 2 = both cores busy), peak RSS of the process tree {cold['peak_gb']:.2f} GB"
                 + (f" (warm: {result['warm']['peak_gb']:.2f} GB)" if "warm" in result else ""))
    lines.append(f"- Raw-read floor (python-calamine Excel {floor['excel']:.1f} s + pyarrow CSV {floor['csv']:.1f} s): "
                 f"**{floor['total']:.1f} s**; end to end = **{cold['wall'] / floor['total']:.1f}×** the floor"
                 + (f" (warm {result['warm']['wall'] / floor['total']:.1f}×)" if "warm" in result else ""))
    if "compare" in result:
        c = result["compare"]
        lines.append(f"- Ledger–system comparison ({c['system_rows']:,} system rows, {c['ledger_rows']:,} ledger rows): "
                     f"best of {c.get('runs', 1)} runs each, recon match + identity rules {c['recon']:.2f} s "
                     f"({c['recon_findings']:,} findings) vs "
                     f"datacompy PandasCompare on 证件号码 {c['datacompy']:.2f} s "
                     f"({c['datacompy_differing_rows']:,} differing rows): speed-up over datacompy "
                     f"**{c['datacompy'] / c['recon']:.1f}×** (target ≥ 3×, aim 5×)")
    ratio_target = FLOOR_RATIO_TARGETS.get(result["scale"])
    if ratio_target:
        lines.append(f"- Issue 14: {cold['wall'] / floor['total']:.1f}× the raw read vs ≤ {ratio_target[0]}×"
                     + (f" (aim {ratio_target[1]}×)" if ratio_target[1] else ""))
    target = TARGETS.get(result["scale"])
    if target:
        verdict = [f"end to end {cold['wall']:.0f} s vs target ≤ {target['wall']} s (aim ≤ {target['aim_wall']} s)",
                   f"{cold['wall'] / floor['total']:.1f}× the floor vs ≤ 2.5× (aim 2×)"]
        if "peak_gb" in target:
            verdict.append(f"peak {cold['peak_gb']:.1f} GB vs ≤ {target['peak_gb']} GB (aim ≤ {target['aim_peak_gb']} GB)")
        lines.append("- Targets: " + "; ".join(verdict))
    return "\n".join(line for line in lines) + "\n"


def write_results(result: dict, path: Path = RESULTS) -> Path:
    """Replace this scale's section of the results file, keep the others."""
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    head, sections = split_sections(text)
    sections[result["scale"]] = section(result)
    if not head.strip():
        head = "# recon benchmarks\n\n"
    head = re.sub(r"\nMachine: .*\n", "\n", head).rstrip("\n") + f"\n\nMachine: {machine()}\n\n"
    order = [s for s in ("ci", "county12k", "county", "province") if s in sections] + [s for s in sections if s not in SCALES]
    path.write_text(head + "\n".join(sections[s] for s in order), encoding="utf-8")
    return path


def split_sections(text: str) -> tuple[str, dict[str, str]]:
    parts = re.split(r"(?m)^(?=## )", text)
    head, sections = parts[0], {}
    for part in parts[1:]:
        name = part[3:].split(":", 1)[0].strip()
        sections[name] = part
    return head, sections


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench.run", description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=sorted(SCALES), required=True)
    parser.add_argument("--work", type=Path, default=WORK, help="where drops and outputs go (default bench/work)")
    parser.add_argument("--results", type=Path, default=RESULTS)
    parser.add_argument("--no-compare", action="store_true", help="skip the datacompy comparison")
    args = parser.parse_args(argv)
    result = bench(args.scale, args.work, with_compare=not args.no_compare)
    path = write_results(result, args.results)
    print(section(result))
    print(f"written to {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
