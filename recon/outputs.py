"""The CSV outputs of CONTRACT.md §4, in their exact column order (UTF-8 with
BOM, formula-safe, written atomically)."""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from recon.atomic import write_csv
from recon.problems import PROBLEM_COLUMNS

MISMATCH_COLUMNS = [
    "issue_id", "rule", "severity", "source", "county", "township", "village", "household_id",
    "id_number", "name", "file", "row", "field", "expected", "actual", "message", "status",
    "first_seen", "last_seen",
]
HOUSEHOLD_STATUS_COLUMNS = ["户编号", "乡镇", "行政村", "class", "gaps"]
SEVERITY_ORDER = {"high": 0, "medium": 1, "low": 2}


def _dates(values: pd.Series) -> pd.Series:
    return pd.to_datetime(values, errors="coerce").dt.strftime("%Y-%m-%d")


def mismatches_table(current: pd.DataFrame) -> pd.DataFrame:
    """This run's findings as mismatches.csv rows, most severe first, then by place."""
    table = current.reindex(columns=MISMATCH_COLUMNS).copy()
    table["first_seen"] = _dates(table["first_seen"])
    table["last_seen"] = _dates(table["last_seen"])
    order = table["severity"].map(SEVERITY_ORDER)
    table = table.assign(_order=order).sort_values(
        ["_order", "township", "village", "rule", "household_id", "id_number", "file", "row"],
        na_position="last", kind="stable")
    return table.drop(columns="_order").reset_index(drop=True)


def write_mismatches(current: pd.DataFrame, out_dir: Path) -> Path:
    path = Path(out_dir) / "mismatches.csv"
    write_csv(mismatches_table(current), path)
    return path


def write_household_status(status: pd.DataFrame, out_dir: Path) -> Path:
    path = Path(out_dir) / "household_status.csv"
    write_csv(status.reindex(columns=HOUSEHOLD_STATUS_COLUMNS), path)
    return path


def write_input_problems(problems: pd.DataFrame, out_dir: Path) -> Path:
    path = Path(out_dir) / "input_problems.csv"
    table = problems.reindex(columns=PROBLEM_COLUMNS).sort_values(["file", "sheet", "row"], na_position="first", kind="stable")
    write_csv(table, path)
    return path
