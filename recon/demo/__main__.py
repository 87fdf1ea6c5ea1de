"""python -m recon.demo --out DIR [--households N] [--seed S] [--as-of YYYY-MM-DD] [--formats mixed|csv]"""
from __future__ import annotations

import argparse
import datetime as dt

from recon.demo import generate

parser = argparse.ArgumentParser(prog="python -m recon.demo", description="Write a demo county data drop.")
parser.add_argument("--out", required=True)
parser.add_argument("--households", type=int, default=300)
parser.add_argument("--seed", type=int, default=7)
parser.add_argument("--as-of", type=dt.date.fromisoformat, default=dt.date(2025, 6, 30))
parser.add_argument("--formats", choices=["mixed", "csv"], default="mixed")
args = parser.parse_args()
summary = generate(args.out, args.households, args.seed, args.as_of, formats=args.formats)
print(f"{summary.county}: {summary.households} households, {summary.persons} member rows, "
      f"{sum(summary.planted.values())} planted findings → {summary.out}")
