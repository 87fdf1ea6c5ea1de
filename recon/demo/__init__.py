"""A demo data drop: one county's files as CONTRACT.md §2 describes them,
messy the way real counties' files are, with a planted instance of every
rule of RULES.md and an answer key of every finding planted.

    generate(out, households=300, seed=7, as_of=date(2025, 6, 30)) -> DemoSummary

Writes out/system, ledger, education, medical, housing, water, hukou and, at
the drop root (never read as data), answer_key.csv, answer_households.csv,
demo.json and (export style) recon.yaml. The same seed gives byte-identical files."""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from recon.demo import assistance, extra
from recon.demo import county as county_mod
from recon.demo.finish import finish, household_classes
from recon.demo.layout import STYLES, write_drop
from recon.demo.plant_consistency import plant_consistency, plant_young_heads, settle
from recon.demo.plant_households import plant_households, rotate_monitoring_kinds
from recon.demo.plant_rows import plant_rows
from recon.demo.planter import Planter, village_styles
from recon.demo.sectors import build as build_sectors
from recon.settings import DEFAULT_MONITORING_THRESHOLD

__all__ = ["ANSWER_COLUMNS", "DemoSummary", "generate"]

ANSWER_COLUMNS = ["rule", "county", "township", "village", "household_id", "id_number", "source", "file", "row",
                  "field", "actual"]
FORMATS = ("mixed", "csv")
# Beside an export-style drop (never read as data): the settings such an export needs.
CONFIG_NAME = "recon.yaml"
EXPORT_CONFIG = ("# Settings for this demo drop: recon run --data DROP --out OUT --config DROP/recon.yaml\n"
                 "# The national export leaves 在校生状况 empty for people not at school.\n"
                 "school_status_blank: not_in_school\n")
MIN_HOUSEHOLDS = 60   # the fewest households in which every rule can be planted


@dataclass
class DemoSummary:
    out: Path
    as_of: dt.date
    seed: int
    households: int
    persons: int
    county: str
    planted: dict[str, int]      # rule code → findings in the answer key


def plants_per_rule(households: int) -> int:
    """One of each rule in a small county, two in a usual one, four in big ones."""
    return 1 if households < county_mod.SMALL_COUNTY else 2 if households < 20000 else 4


def generate(out: Path, households: int = 300, seed: int = 7, as_of: dt.date = dt.date(2025, 6, 30),
             formats: str = "mixed", county_name: str = county_mod.COUNTY, region: str = county_mod.REGION,
             style: str = "export") -> DemoSummary:
    """`county_name` and `region` (6 digits) name the county; a province is several
    of them (bench/drops.py), each with its own seed, name and region code.

    style "export" writes the system as the national export does (户类型 脱贫户 or
    一般农户, monitored households marked by 监测对象类别, 在校生状况 empty for
    people not at school; some village ledgers write 监测户) and puts the
    matching settings in recon.yaml beside the drop; "legacy" writes 户类型 监测户
    as provincial exports and earlier demos do."""
    if formats not in FORMATS:
        raise ValueError(f"formats must be one of {FORMATS}")
    if style not in STYLES:
        raise ValueError(f"style must be one of {STYLES}")
    if households < MIN_HOUSEHOLDS:
        raise ValueError(f"a demo county needs at least {MIN_HOUSEHOLDS} households to plant every rule "
                         f"(asked for {households})")
    out = Path(out)
    rng = np.random.default_rng(seed)
    county = county_mod.build(households, seed, as_of, county_name, region)
    per_rule = plants_per_rule(households)
    villages = village_styles(county, rng, per_rule, style)
    planter = Planter(county, villages, rng, per_rule, style)
    plant_households(planter)
    plant_young_heads(planter)
    frames = build_sectors(county, rng)
    plant_rows(planter, frames)
    plant_consistency(planter, frames)
    settle(planter, frames)
    assistance.build_and_plant(planter, frames)
    if style == "export":
        rotate_monitoring_kinds(planter)
    frames = finish(county, frames)
    # Columns the contract does not list, as real exports carry them (the county's own checks read them).
    frames.system = extra.add_columns(frames.system, seed)
    placed = write_drop(out, frames, villages, formats, as_of.year, county.name, style)
    assistance.write(out, frames, formats, as_of.year, county.name)
    if style == "export":
        (out / CONFIG_NAME).write_text(EXPORT_CONFIG, encoding="utf-8")

    answers = _answer_key(planter.answers, placed, county.name)
    _write_csv(answers, out / "answer_key.csv")
    _write_csv(household_classes(county, DEFAULT_MONITORING_THRESHOLD), out / "answer_households.csv")
    planted = {code: int(n) for code, n in answers["rule"].value_counts().sort_index().items()}
    summary = DemoSummary(out, as_of, seed, households, len(frames.system), county.name, planted)
    (out / "demo.json").write_text(json.dumps({
        "as_of": as_of.isoformat(), "seed": seed, "households": households, "persons": summary.persons,
        "county": summary.county, "region": county.region, "formats": formats,
        "monitoring_threshold": DEFAULT_MONITORING_THRESHOLD, "planted": planted, "style": style,
    }, ensure_ascii=False, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return summary


def _answer_key(answers: list[dict], placed: pd.DataFrame, county: str) -> pd.DataFrame:
    key = pd.DataFrame(answers)
    key["county"] = county
    where = placed.drop_duplicates("_mark").set_index("_mark")
    marked = key["_mark"] != ""
    key.loc[marked, "file"] = key.loc[marked, "_mark"].map(where["file"])
    key.loc[marked, "row"] = key.loc[marked, "_mark"].map(where["row"]).astype(int).astype(str)
    # ID01 is about a row, not a person: its key is file and row.
    key.loc[key["rule"] == "ID01", ["id_number", "household_id"]] = ""
    return key[ANSWER_COLUMNS].sort_values(ANSWER_COLUMNS, kind="stable").reset_index(drop=True)


def _write_csv(frame: pd.DataFrame, path: Path) -> None:
    frame.to_csv(path, index=False, encoding="utf-8-sig", lineterminator="\n")
