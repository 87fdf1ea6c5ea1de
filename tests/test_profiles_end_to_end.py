"""Profiles through `recon run`, month after month (RULES.md §Profiles,
§Lifecycle and lists): a rule disabled between two runs keeps its findings
open-but-unchecked and is reported as disabled; re-enabled, they resume as
open. A changed severity reaches mismatches.csv, the lists and the report.
A county check's findings are findings like any other: stable issue_id, on
their category's sheet of the township list, in the report."""
from __future__ import annotations

from pathlib import Path

import openpyxl
import pandas as pd
import pytest
import yaml

from checks.rules.run import DISABLED
from pipelines.cli import main
from recon.demo import generate

pytestmark = pytest.mark.slow
MONTHS = ("2025-06-30", "2025-07-31", "2025-08-31")
# 60-plus members still written as 普通劳动力 or 技能劳动力: the demo has some.
OLD_WORKER = {"code": "X001", "title": "60岁以上人员为普通或技能劳动力", "severity": "low", "category": "家庭与收入",
              "source": "system", "scope": "members",
              "when": [{"age": {"min": 60}}, {"column": "劳动技能", "in": ["普通劳动力", "技能劳动力"]}],
              "message": "{姓名}已满60岁，劳动技能为{劳动技能}，请核实"}


def read_csv(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")


def run_month(drop: Path, out: Path, as_of: str, config: dict) -> pd.DataFrame:
    path = out.parent / f"config-{as_of}.yaml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    assert main(["run", "--data", str(drop), "--out", str(out), "--as-of", as_of, "--config", str(path)]) == 0
    return read_csv(out / "mismatches.csv")


def list_rows(out: Path, as_of: str, sheet: str) -> list[tuple]:
    rows = []
    for path in sorted((out / "townships").glob(f"*_{as_of}.xlsx")):
        book = openpyxl.load_workbook(path, read_only=True)
        if sheet in book.sheetnames:
            rows += [row for row in book[sheet].iter_rows(values_only=True) if row and row[0]]
    return rows


@pytest.fixture(scope="module")
def months(tmp_path_factory):
    root = tmp_path_factory.mktemp("profiles")
    drop, out = root / "drop", root / "out"
    generate(drop, households=60, seed=7)
    base = yaml.safe_load((drop / "recon.yaml").read_text(encoding="utf-8")) or {}
    first = run_month(drop, out, MONTHS[0], base | {"checks": [OLD_WORKER]})
    counts = first[first["rule"] != "X001"]["rule"].value_counts()
    switched, resevered = counts.index[0], counts.index[1]     # two catalog rules that found something
    second = run_month(drop, out, MONTHS[1], base | {
        "rules": {switched: {"enabled": False}, resevered: {"severity": "low"}}, "checks": [OLD_WORKER]})
    report = (out / "report.html").read_text(encoding="utf-8")
    second_lists = {sheet: list_rows(out, MONTHS[1], sheet) for sheet in ("已销号", "家庭与收入")}
    third = run_month(drop, out, MONTHS[2], base | {"checks": [OLD_WORKER]})
    return dict(first=first, second=second, third=third, switched=switched, resevered=resevered,
                report=report, lists=second_lists)


def test_a_disabled_rule_does_not_run_is_reported_and_its_findings_are_not_struck_off(months):
    switched, first, second = months["switched"], months["first"], months["second"]
    assert (first["rule"] == switched).any() and not (second["rule"] == switched).any()
    assert switched in months["report"] and DISABLED.split("（")[0] in months["report"]
    struck = {row[1] for row in months["lists"]["已销号"]}
    assert switched not in struck


def test_a_re_enabled_rule_resumes_its_findings_as_open(months):
    switched, first, third = months["switched"], months["first"], months["third"]
    before = first[first["rule"] == switched].set_index("issue_id")
    after = third[third["rule"] == switched].set_index("issue_id")
    assert set(after.index) == set(before.index)
    assert set(after["status"]) == {"open"} and set(after["first_seen"]) == set(before["first_seen"])


def test_a_changed_severity_reaches_mismatches_lists_and_report(months):
    resevered, first, second = months["resevered"], months["first"], months["second"]
    assert set(second.loc[second["rule"] == resevered, "severity"]) == {"low"}
    assert set(first.loc[first["rule"] == resevered, "severity"]) != {"low"}
    assert set(months["third"].loc[months["third"]["rule"] == resevered, "severity"]) != {"low"}


def test_a_county_checks_findings_are_findings_like_any_other(months):
    first, second = months["first"], months["second"]
    mine = first[first["rule"] == "X001"]
    assert len(mine) > 0 and set(mine["severity"]) == {"low"} and set(mine["status"]) == {"new"}
    assert mine["message"].str.contains("已满60岁，劳动技能为").all()
    # Stable issue_id: next month the same findings are open, with the same first_seen.
    again = second[second["rule"] == "X001"].set_index("issue_id")
    assert set(again.index) == set(mine["issue_id"]) and set(again["status"]) == {"open"}
    # On their category's sheet of the township lists, with the low severity (低).
    listed = [row for row in months["lists"]["家庭与收入"] if row[1] == "X001"]
    assert len(listed) == len(again) and {row[2] for row in listed} == {"低"}
    assert "X001" in months["report"] and OLD_WORKER["title"] in months["report"]
