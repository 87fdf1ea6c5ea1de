"""A county's declared column and check, end to end through `recon run`, on
system exports as counties receive them (CONTRACT.md §2): a GBK CSV under a
title row, a workbook whose header is two rows of merged cells (the declared
column under a group cell), and that workbook saved by LibreOffice as .ods.
The declared column is found under its accepted name, read as a number, and
the finding names the right person, file row and value."""
from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest
import yaml

from files import libreoffice_convert, write_csv, write_openpyxl
from pipelines.cli import main
from tiny_drop import LEDGER_HEADER, SYSTEM_HEADER, household_rows

AS_OF = "2025-06-30"
AREA = "住房面积（平方米）"   # the drop's header; the config declares 住房面积 with this accepted name
CONFIG = {"columns": {"system": {"住房面积": {"names": [AREA], "kind": "number"}}},
          "checks": [{"code": "X101", "title": "住房面积过小", "source": "system", "scope": "heads",
                      "when": [{"column": "住房面积", "lt": 15}], "message": "{姓名}家住房面积{住房面积}平方米"}]}
TITLE = ["测试县防返贫监测对象信息表（导出）"]


def system_rows() -> list[list]:
    """Two households of two; the first one's 户主 lives in 12.5 m² (the cell as text in one form)."""
    rows = household_rows("测试县", 2)
    areas = ["12.5", "12.5", 80, 80]
    return [row + [area] for row, area in zip(rows, areas)]


def write_gbk_csv(system: Path) -> Path:
    return write_csv(system / "members.csv", [TITLE, [*SYSTEM_HEADER, AREA], *system_rows()], encoding="gbk")


def write_two_row_header(system: Path) -> Path:
    names = SYSTEM_HEADER[:-2]
    upper = [*names, "收入与住房", "", ""]
    lower = [""] * len(names) + ["家庭纯收入", "人均纯收入", AREA]
    merges = [f"{chr(65 + i)}2:{chr(65 + i)}3" for i in range(len(names))] + \
             [f"{chr(65 + len(names))}2:{chr(65 + len(names) + 2)}2"]
    return write_openpyxl(system / "members.xlsx", {"Sheet1": [TITLE, upper, lower, *system_rows()]},
                          {"Sheet1": merges})


def write_ods(system: Path) -> Path:
    if not shutil.which("soffice"):
        pytest.skip("LibreOffice (soffice) is not installed")
    staged = write_two_row_header(system.parent / "staging")
    converted = libreoffice_convert([staged], "ods", system, system.parent / "lo-profile")
    return converted[0]


@pytest.mark.parametrize("write, first_row", [(write_gbk_csv, 3), (write_two_row_header, 4), (write_ods, 4)],
                         ids=["gbk-csv-title-row", "xlsx-two-row-merged-header", "ods-two-row-merged-header"])
def test_a_declared_column_and_its_check_read_every_export_form(tmp_path, write, first_row):
    drop = tmp_path / "drop"
    system = write(drop / "system")
    rows = household_rows("测试县", 2)
    write_csv(drop / "ledger" / "东村.csv", [LEDGER_HEADER, *(r[:7] for r in rows)])
    config = tmp_path / "recon.yaml"
    config.write_text(yaml.safe_dump(CONFIG, allow_unicode=True), encoding="utf-8")
    out = tmp_path / "out"
    assert main(["run", "--data", str(drop), "--out", str(out), "--as-of", AS_OF, "--config", str(config)]) == 0
    found = pd.read_csv(out / "mismatches.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    mine = found[found["rule"] == "X101"]
    head = rows[0]
    assert mine[["name", "household_id", "row", "message"]].values.tolist() == [
        [head[4], head[3], str(first_row), f"{head[4]}家住房面积12.5平方米"]]
    assert Path(mine["file"].iloc[0].split("#")[0]).name == system.name   # a workbook's file is file#sheet
    problems = pd.read_csv(out / "input_problems.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert not problems["column"].eq("住房面积").any()   # 12.5 as text and 80 as a number both read as numbers
