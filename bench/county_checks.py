"""What a county's own checks cost (issue 21: 100 checks add at most 20 % to
the rules stage of the county bench).

    .venv/bin/python -m bench.county_checks [--scale county12k] [--checks 100] [--repeat 3]

The drop's sources are read once; then the whole catalog runs on a fresh
RuleContext (nothing shared between repetitions) without and with N county
checks, alternately, and the medians are compared. The checks are drawn
round-robin from templates of every condition kind (row conditions, age,
sex, stage, risk and household conditions), each with its own threshold."""
from __future__ import annotations

import argparse
import gc
import statistics
import time

from bench.drops import AS_OF, SCALES, WORK, ensure_drop
from checks.core import core_table
from checks.rules.context import rule_context
from checks.rules.run import group_names, run_rules
from recon import layout
from recon.match import match
from recon.settings import Settings
from recon.sources import DATA_SOURCES

# Each template varies with n (a threshold, a label, a pattern): a hundred checks that repeat
# one condition would measure recon's sharing of equal conditions, not their evaluation.
RISKS = ["因病", "因残", "因学", "缺劳动力", "因灾"]
TEMPLATES = [
    lambda n: [{"age": {"min": 55 + n % 10}}, {"column": "劳动技能", "in": [["普通劳动力", "技能劳动力"], ["技能劳动力"]][n % 2]}],
    lambda n: [{"column": "户类型", "in": [["脱贫户"], ["监测户"]][n % 2]}, {"column": "劳动技能", "empty": True}],
    lambda n: [{"column": "人均纯收入", "lt": 6000 + 100 * n}, {"column": "户类型", "not_in": ["监测户"]}],
    lambda n: [{"risk": [RISKS[n % 5]]}, {"household": {"none": [{"column": "健康状况", "in": [["长期慢性病", "患有大病"], ["残疾"]][n % 2]}]}}],
    lambda n: [{"column": "户联系电话", "not_matches": rf"1[3-9]\d{{9}}|0\d{{{9 + n % 3},11}}"}],
    lambda n: [{"household": {"count": [{"age": {"min": 16 + n % 5}}], "ge": 3}}, {"column": "人数", "le": 2}],
    lambda n: [{"stage": ["小学", "初中"]}, {"age": {"min": 16 + n % 4}}],
    lambda n: [{"sex": "女男"[n % 2]}, {"column": "与户主关系", "in": [["子", "女婿"], ["女", "儿媳"]][n % 2]}],
    lambda n: [{"column": "健康状况", "contains": ["残疾", "病"][n % 2]}, {"column": "残疾类别", "empty": bool(n % 2)}],
    lambda n: [{"column": "纳入监测时间", "ge": f"20{20 + n % 5}-01-01"}, {"column": "首次帮扶时间", "empty": True}],
    lambda n: [{"household": {"any": [{"age": {"max": 5 + n % 3}}]}}, {"column": "享受低保", "in": ["否"]}],
    lambda n: [{"household": {"all": [{"age": {"min": 60 + n % 5}}]}}, {"column": "特困供养", "in": ["否"]}],
]
SCOPES = ("members", "heads", "rows")


def county_checks(count: int) -> list[dict]:
    return [{"code": f"B{n:03d}", "title": f"基准核查{n}", "source": "system" if n % 5 else "ledger",
             "scope": SCOPES[n % 3], "when": TEMPLATES[n % len(TEMPLATES)](n // len(TEMPLATES)),
             "message": "{姓名}：请核实"} for n in range(count)]


def measure(scale_name: str, count: int, repeat: int) -> dict:
    drop, _ = ensure_drop(SCALES[scale_name], WORK)
    sources = {source: core_table(drop, source, AS_OF).frame if layout.source_present(drop, source) else None
               for source in DATA_SOURCES}
    matched = match(sources["system"], sources["ledger"])
    plain = Settings(school_status_blank="not_in_school")
    with_checks = Settings.model_validate({"school_status_blank": "not_in_school", "checks": county_checks(count)})
    times: dict[str, list[float]] = {"catalog": [], "catalog+checks": [], "county group": []}
    found = {}
    others = tuple(name for name in group_names() if name != "county")
    for number in range(repeat):
        # Alternate which of the pair runs first, each after a full collection: the second run of a
        # pair otherwise pays for the first one's garbage.
        pair = [("catalog", plain), ("catalog+checks", with_checks)]
        for label, settings in pair[::-1] if number % 2 else pair:
            ctx = rule_context(sources, matched, settings, AS_OF, drop.name)
            gc.collect()
            started = time.perf_counter()
            result = run_rules(ctx, groups=others)
            catalog_done = time.perf_counter()
            county = run_rules(ctx, groups=("county",), prior=result.findings)   # as run_rules runs it last
            times[label].append(time.perf_counter() - started)
            if label == "catalog+checks":
                times["county group"].append(time.perf_counter() - catalog_done)
            found[label] = len(result.findings) + len(county.findings)
    base, more = statistics.median(times["catalog"]), statistics.median(times["catalog+checks"])
    # The catalog alone moves by ±20 % from run to run on a quiet machine (the allocator, the GC):
    # the ratio of each pair run in turn, and the county group's share of its own run, are steadier.
    pairs = sorted(b / a - 1 for a, b in zip(times["catalog"], times["catalog+checks"]))
    share = statistics.median(county / (whole - county) for whole, county
                              in zip(times["catalog+checks"], times["county group"]))
    return {"scale": scale_name, "checks": count, "persons": len(sources["system"]), "catalog_s": base,
            "with_checks_s": more, "added": more / base - 1, "pairs": pairs, "share": share,
            "county_s": statistics.median(times["county group"]), "findings": found, "runs": times}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default="county12k", choices=sorted(SCALES))
    parser.add_argument("--checks", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    result = measure(args.scale, args.checks, args.repeat)
    print(f"{result['scale']}: {result['persons']} system rows; rules stage (median of {args.repeat}) "
          f"catalog {result['catalog_s']:.2f} s, with {result['checks']} county checks {result['with_checks_s']:.2f} s "
          f"(+{result['added']:.0%}; pair by pair {' '.join(f'{p:+.0%}' for p in result['pairs'])}); "
          f"the county group alone {result['county_s']:.2f} s, +{result['share']:.0%} of the rest of its run; "
          f"findings {result['findings']}")


if __name__ == "__main__":
    main()
