"""`recon run` on the demo county, as a user runs it (CONTRACT.md §1, §4):
mismatches.csv holds every planted finding and nothing else (precision and
recall 1.0 per rule), household_status.csv the answer key's classes, and a
township list filled in and returned in feedback/ changes the next run
(RULES.md §Lifecycle and lists)."""
from __future__ import annotations

import shutil
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from checks.rules.base import REGISTRY
from checks.rules.run import load_catalog
from pipelines.cli import main
from recon.demo import generate

pytestmark = pytest.mark.slow
MISMATCH_HEADER = ("issue_id,rule,severity,source,county,township,village,household_id,id_number,name,file,row,"
                   "field,expected,actual,message,status,first_seen,last_seen")


def read_csv(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")


def keys(frame: pd.DataFrame, code: str) -> set[tuple[str, ...]]:
    rows = frame.loc[frame["rule"] == code, list(REGISTRY[code].key)]
    return set(map(tuple, rows.to_numpy().tolist()))


@pytest.fixture(scope="module")
def first_run(tmp_path_factory):
    root = tmp_path_factory.mktemp("e2e")
    drop, out = root / "drop", root / "out"
    generate(drop, households=300, seed=7)
    assert main(["run", "--data", str(drop), "--out", str(out), "--as-of", "2025-06-30",
                 "--config", str(drop / "recon.yaml")]) == 0
    return drop, out


def test_mismatches_csv_has_the_contract_header_and_a_bom(first_run):
    _, out = first_run
    raw = (out / "mismatches.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    assert raw[3:].decode("utf-8").splitlines()[0] == MISMATCH_HEADER


@pytest.mark.parametrize("code", sorted(load_catalog()))
def test_recon_run_finds_exactly_the_planted_findings_of(first_run, code):
    drop, out = first_run
    answer, found = read_csv(drop / "answer_key.csv"), read_csv(out / "mismatches.csv")
    expected, reported = keys(answer, code), keys(found, code)
    assert expected, f"{code} is not planted"
    assert reported - expected == set(), "false positives (precision < 1)"
    assert expected - reported == set(), "missed plants (recall < 1)"


def test_household_status_csv_gives_every_household_its_class(first_run):
    drop, out = first_run
    status = read_csv(out / "household_status.csv")
    want = read_csv(drop / "answer_households.csv")
    got = status[status["class"] != ""][["户编号", "class", "gaps"]]
    assert got.sort_values("户编号").values.tolist() == want.sort_values("户编号").values.tolist()
    assert len(status) == status["户编号"].nunique()


def fill_in(list_path: Path, answers: dict[str, tuple[str, str]], target: Path) -> None:
    """A township clerk's returned list: 整改情况 (and 核实说明) filled for some rows."""
    book = openpyxl.load_workbook(list_path)
    for sheet in book.worksheets:
        header_row = next((r for r in sheet.iter_rows(max_row=10) if any(c.value == "问题编号" for c in r)), None)
        if header_row is None:
            continue
        column = {cell.value: cell.column for cell in header_row}
        for row in sheet.iter_rows(min_row=header_row[0].row + 1):
            issue = row[column["问题编号"] - 1].value
            if issue in answers:
                status_text, reason = answers[issue]
                sheet.cell(row=row[0].row, column=column["整改情况"], value=status_text)
                sheet.cell(row=row[0].row, column=column["核实说明"], value=reason)
    target.parent.mkdir(parents=True, exist_ok=True)
    book.save(target)


def test_returned_list_changes_the_next_run(first_run, tmp_path):
    drop, out = first_run
    found = read_csv(out / "mismatches.csv")
    # Two person findings of one township: one claimed fixed (but still in the data), one verified correct.
    township = found["township"].value_counts().index[0]
    mine = found[(found["township"] == township) & (found["rule"].isin(["ID07", "MED01", "ID03", "EDU03", "MED03"]))]
    claimed, verified = mine["issue_id"].iloc[0], mine["issue_id"].iloc[1]
    list_path = next((out / "townships").glob(f"*_{township}_整改清单_2025-06-30.xlsx"))

    next_drop = tmp_path / "drop"
    shutil.copytree(drop, next_drop)
    fill_in(list_path, {claimed: ("已整改", ""), verified: ("核实无误", "经入户核实，证件与户籍一致")},
            next_drop / "feedback" / list_path.name)
    assert main(["run", "--data", str(next_drop), "--out", str(out), "--as-of", "2025-07-31",
                 "--config", str(drop / "recon.yaml")]) == 0

    again = read_csv(out / "mismatches.csv").set_index("issue_id")
    assert again.loc[claimed, "status"] == "open"
    assert again.loc[claimed, "message"].endswith("（整改未到位）")
    assert verified not in again.index                      # exempted, not reported again
    assert (again["status"] == "open").sum() == len(found) - 1
    assert (again["last_seen"] == "2025-07-31").all()
    # The claimed-fixed finding is red in the township's new list.
    new_list = next((out / "townships").glob(f"*_{township}_整改清单_2025-07-31.xlsx"))
    book = openpyxl.load_workbook(new_list)
    cells = [row for sheet in book.worksheets for row in sheet.iter_rows(values_only=True) if claimed in row]
    assert cells and "红" in cells[0]
    # Suppressed findings are counted in the report, never silently dropped.
    exempted_section = (out / "report.html").read_text(encoding="utf-8").split("已豁免的问题（按规则）")[1]
    assert found.set_index("issue_id").loc[verified, "rule"] in exempted_section[:2000]


def test_an_export_style_drop_run_without_school_status_blank_says_so(tmp_path, capsys):
    """RULES.md §Settings school_status_blank: the export leaves 在校生状况 empty for
    people not at school; without the setting the run summary and the report say so
    in one sentence naming it."""
    drop, out = tmp_path / "drop", tmp_path / "out"
    generate(drop, households=60, seed=3)
    capsys.readouterr()
    assert main(["run", "--data", str(drop), "--out", str(out), "--as-of", "2025-06-30"]) == 0
    summary = capsys.readouterr().err
    assert summary.count("school_status_blank: not_in_school") == 1
    assert "school_status_blank: not_in_school" in (out / "report.html").read_text(encoding="utf-8")


def test_a_month_without_civil_disability_or_pension_runs_the_rest_and_strikes_none_of_theirs_off(first_run, tmp_path, capfd):
    """RULES.md §Terms: a rule whose optional source is absent does not run, the run says so, and its
    open findings are not struck off (unchecked), while every other rule runs as before."""
    drop, out = first_run
    found = read_csv(out / "mismatches.csv")
    bureau_rules = {code for code in load_catalog() if code[:3] in ("CIV", "DIS") or code in ("PEN02", "PEN03")}
    assert bureau_rules <= set(found["rule"])
    next_drop, next_out = tmp_path / "drop", tmp_path / "out"
    shutil.copytree(drop, next_drop)
    shutil.copytree(out, next_out)
    for source in ("civil", "disability", "pension"):
        shutil.rmtree(next_drop / source)
    capfd.readouterr()
    assert main(["run", "--data", str(next_drop), "--out", str(next_out), "--as-of", "2025-07-31",
                 "--config", str(drop / "recon.yaml")]) == 0
    said = "".join(capfd.readouterr().err.split())
    assert all(code in said for code in bureau_rules), said[-600:]
    again = read_csv(next_out / "mismatches.csv")
    assert not set(again["rule"]) & bureau_rules
    # None of them is struck off: the 已销号 sheets hold no finding of those rules.
    for path in (next_out / "townships").glob("*_2025-07-31.xlsx"):
        book = openpyxl.load_workbook(path, read_only=True)
        if "已销号" in book.sheetnames:
            struck = {row[1] for row in book["已销号"].iter_rows(values_only=True) if row and len(row) > 1}
            assert not struck & bureau_rules, path.name
    # The rest ran: the other rules' findings are all still open.
    others = found[~found["rule"].isin(bureau_rules)]
    assert set(others["issue_id"]) <= set(again["issue_id"])
