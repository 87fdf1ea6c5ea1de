"""Formula and path safety of the outputs (issue 7): a cell starting with
= + - @ (also after tab/CR) is text in every CSV (prefixed with ' so Excel
does not evaluate it) and every Excel output (a string cell, never a
formula); township and village names cannot steer where files are written."""
import re

import openpyxl
import pandas as pd
import pytest

from files import write_csv, write_xlsx
from pipelines.cli import main
from tiny_drop import LEDGER_HEADER, SYSTEM_HEADER, household_rows

AS_OF = "2025-06-30"
FORMULA_START = re.compile(r"^[\t\r]*[=+\-@]")
EVIL_NAMES = ['=HYPERLINK("http://x","y")', "+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1"]
EVIL_TOWNSHIPS = ["../../evil", "a/b", "..", "CON", "镇" * 300, "=1+1", "/etc/passwd", "C:\\x"]
BROKEN_ID = "43032119800101123"   # 17 digits: an ID01 finding on that ledger row


@pytest.fixture(scope="module")
def evil_run(tmp_path_factory):
    root = tmp_path_factory.mktemp("evil")
    drop = root / "drop"
    rows = household_rows("测试县", 3)
    rows[0][1:3] = ['=HYPERLINK("http://x","y")', "-2+3"]      # township, village of a system household
    rows[1][1:3] = rows[0][1:3]
    for row, name in zip(rows, EVIL_NAMES):
        row[4] = name
    write_csv(drop / "system" / "members.csv", [SYSTEM_HEADER, *rows])
    ledger = [r[:7] for r in rows]
    for township, name in zip(EVIL_TOWNSHIPS, EVIL_NAMES * 2):
        ledger.append(["测试县", township, "../村", "", name, BROKEN_ID, "户主"])
    write_csv(drop / "ledger" / "东村.csv", [LEDGER_HEADER, *ledger])
    # A sheet name and a bad cell that land in input_problems.csv.
    write_xlsx(drop / "hukou" / "户籍.xlsx", {"=1+2": [["证件号码", "户籍状态"], [rows[0][5], "-失踪"]]})
    out = root / "out"
    assert main(["run", "--data", str(drop), "--out", str(out), "--as-of", AS_OF]) == 0
    return root, out


@pytest.mark.parametrize("name", ["mismatches.csv", "input_problems.csv", "household_status.csv"])
def test_csv_cells_excel_would_evaluate_are_prefixed_with_an_apostrophe(evil_run, name):
    _, out = evil_run
    table = pd.read_csv(out / name, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    cells = pd.Series(table.to_numpy().ravel(), dtype="string")
    assert not cells.str.contains(FORMULA_START).any()
    assert cells.str.match(r"^'[\t\r]*[=+\-@]").any()   # the risky values are there, as text


def test_the_evil_names_reach_mismatches_as_text(evil_run):
    _, out = evil_run
    names = set(pd.read_csv(out / "mismatches.csv", dtype=str, keep_default_na=False)["name"])
    assert {"'=HYPERLINK(\"http://x\",\"y\")", "'+1", "'-2+3", "'@SUM(A1)"} <= names


def test_township_list_cells_are_strings_never_formulas(evil_run):
    _, out = evil_run
    lists = sorted((out / "townships").glob("*.xlsx"))
    assert lists
    seen = set()
    for path in lists:
        book = openpyxl.load_workbook(path)
        for sheet in book.worksheets:
            for row in sheet.iter_rows():
                for cell in row:
                    assert cell.data_type != "f", (path.name, sheet.title, cell.coordinate, cell.value)
                    seen.add(cell.value)
        book.close()
    assert {'=HYPERLINK("http://x","y")', "+1", "@SUM(A1)"} <= seen


def test_township_and_village_names_cannot_steer_output_paths(evil_run):
    root, out = evil_run
    written = [p for p in root.rglob("*") if p.is_file() and not p.is_relative_to(root / "drop")]
    assert written and all(p.resolve().is_relative_to(out.resolve()) for p in written)
    lists = sorted((out / "townships").glob("*.xlsx"))
    assert all(p.parent == out / "townships" for p in lists)
    assert len(lists) >= len(EVIL_TOWNSHIPS)          # no list overwrote another
    assert all(len(p.name.encode()) <= 255 for p in lists)
    assert not (root / "evil").exists() and not (out / "evil").exists()


def test_outputs_get_the_ordinary_file_mode_not_mkstemps_private_one(tmp_path):
    # A county data team shares OUT: atomic writing must not leave files readable by their writer only.
    import os
    import stat

    from recon.atomic import FILE_MODE, write_csv
    write_csv(pd.DataFrame({"a": ["1"]}), tmp_path / "x.csv")
    mask = os.umask(0o022)
    os.umask(mask)
    assert FILE_MODE == 0o666 & ~mask
    assert stat.S_IMODE(os.stat(tmp_path / "x.csv").st_mode) == FILE_MODE
