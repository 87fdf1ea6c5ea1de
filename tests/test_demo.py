"""The demo county generator (recon.demo.generate): a data drop laid out as
CONTRACT.md §2 describes, deterministic by seed, with an answer key that
plants every rule of RULES.md."""
from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pandas as pd
import pytest

from recon.sources import DATA_SOURCES as SOURCES
from recon.demo import ANSWER_COLUMNS, MIN_HOUSEHOLDS, generate
from checks.core import core_table
from checks.rules.run import load_catalog
from recon.household_kinds import kinds
from recon.ids import normalise_ids
from recon.read import read_source

AS_OF = dt.date(2025, 6, 30)
# Every rule code of RULES.md.
# Every rule of the catalog: the demo plants each one (a new rule needs its plant).
CATALOG = set(load_catalog())


@pytest.fixture(scope="module")
def drop(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("demo")
    generate(out, households=300, seed=7, as_of=AS_OF)
    return out


def _answer_key(drop: Path) -> pd.DataFrame:
    return pd.read_csv(drop / "answer_key.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig")


def _files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_same_seed_writes_byte_identical_files(drop, tmp_path):
    generate(tmp_path, households=300, seed=7, as_of=AS_OF)
    assert _files(tmp_path) == _files(drop)


def test_every_source_folder_of_the_contract_is_written_and_reads_without_problems(drop):
    for source in SOURCES:
        result = read_source(drop, source)
        assert len(result.frame) > 0, source
        assert result.problems.empty, (source, result.problems.to_dict("records"))


def test_the_system_export_is_messy_like_a_real_one(drop):
    system = next((drop / "system").glob("*.xlsx"))
    result = read_source(drop, "system")
    assert set(result.frame["_sheet"]) == {"Sheet1", "Sheet2"}          # split over two sheets
    assert result.frame["_row"].min() == 4                              # title rows, header on row 3
    assert {"合计", "填表人"}.isdisjoint(set(result.frame["户编号"]))      # trailer rows are not data
    assert "是否危房户" in pd.read_excel(system, header=2, nrows=1).columns


def test_the_system_export_carries_columns_the_contract_does_not_list(drop):
    """As real exports carry ≈180 columns: the county's own checks (examples/county_checks.yaml) read them."""
    from recon.demo.extra import COLUMNS
    system = next((drop / "system").glob("*.xlsx"))
    header = pd.read_excel(system, header=2, dtype=str)
    assert set(COLUMNS.values()) <= set(header.columns)
    for name in COLUMNS.values():
        assert header[name].notna().mean() > (0.02 if name in ("健康帮扶措施", "危房改造竣工时间") else 0.5), name
    assert pd.to_numeric(header["住房面积（平方米）"]).dropna().between(5, 300).all()


def test_ledgers_come_per_village_in_township_folders_in_every_format(drop):
    ledgers = list((drop / "ledger").rglob("*.*"))
    assert {p.suffix for p in ledgers} == {".xlsx", ".xls", ".csv"}
    assert all(p.parent.parent == drop / "ledger" for p in ledgers)
    starts = {p.read_bytes()[:3] for p in ledgers if p.suffix == ".csv"}
    assert b"\xef\xbb\xbf" in starts and len(starts) > 1                 # UTF-8 with BOM and GBK


def test_answer_key_plants_every_rule_of_the_catalog(drop):
    key = _answer_key(drop)
    assert list(key.columns) == ANSWER_COLUMNS
    assert set(key["rule"]) == CATALOG
    counts = key["rule"].value_counts()
    assert (counts.drop(["LED01", "MON04"]) >= 2).all()
    assert set(key.loc[key["rule"].isin(["ID02", "ID07", "HH01", "HH02", "INC01", "INC02"]), "source"]) == {"system", "ledger"}
    assert set(key.loc[key["rule"] == "MED01", "actual"]) == {"none", "stopped"}
    assert set(key.loc[key["rule"] == "EDU01", "actual"]) == {"none", "dropout"}
    summary = json.loads((drop / "demo.json").read_text(encoding="utf-8"))
    assert summary["planted"] == counts.sort_index().to_dict() and summary["seed"] == 7


def test_answer_files_stay_out_of_the_source_folders(drop):
    assert {"answer_key.csv", "answer_households.csv", "demo.json"} <= {p.name for p in drop.iterdir()}
    for source in SOURCES:
        assert not any("answer" in p.name for p in (drop / source).rglob("*"))


def test_ids_are_valid_except_the_planted_ID01_rows(drop):
    key = _answer_key(drop)
    planted = set(zip(key.loc[key["rule"] == "ID01", "file"], key.loc[key["rule"] == "ID01", "row"].astype(int)))
    invalid = set()
    for source in ("system", "ledger"):
        raw = read_source(drop, source).frame
        ids = normalise_ids(raw["证件号码"], AS_OF, raw["_num_证件号码"])
        bad = raw[~ids["valid"]]
        invalid |= set(zip(bad["_file"], bad["_row"]))
    assert invalid == planted and len(planted) == 6


def test_every_registered_household_has_a_class(drop):
    classes = pd.read_csv(drop / "answer_households.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    system = core_table(drop, "system", AS_OF).frame
    registered = system.loc[kinds(system)["registered"], "户编号"]
    assert set(classes["户编号"]) == set(registered)
    assert set(classes["class"]) == {"A", "B", "C"}
    assert (classes.loc[classes["class"] == "A", "gaps"] == "").all()


def test_csv_format_writes_every_source_as_plain_utf8_csv(tmp_path):
    generate(tmp_path, households=260, seed=3, as_of=AS_OF, formats="csv")
    data = [p for s in SOURCES for p in (tmp_path / s).rglob("*") if p.is_file()]
    assert data and all(p.suffix == ".csv" for p in data)
    assert all(not p.read_bytes().startswith(b"\xef\xbb\xbf") for p in data)
    header = (tmp_path / "system").glob("*.csv").__next__().read_text(encoding="utf-8").splitlines()[0]
    assert header.startswith("县,乡镇,行政村,户编号")


def test_a_county_too_small_for_every_plant_is_refused_saying_the_minimum(tmp_path):
    with pytest.raises(ValueError, match=f"at least {MIN_HOUSEHOLDS} households"):
        generate(tmp_path, households=MIN_HOUSEHOLDS - 1)


def test_cli_demo_too_small_exits_2_with_one_line_on_stderr(tmp_path, capsys):
    from pipelines.cli import main
    assert main(["demo", "--out", str(tmp_path / "drop"), "--households", "20", "--seed", "3"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and str(MIN_HOUSEHOLDS) in err


@pytest.mark.parametrize("households", [MIN_HOUSEHOLDS, MIN_HOUSEHOLDS + 1, 137])
def test_a_small_county_plants_every_rule_once_or_more(tmp_path, households):
    generate(tmp_path, households=households, seed=5, as_of=AS_OF, formats="csv")
    key = _answer_key(tmp_path)
    assert set(key["rule"]) == CATALOG
    assert set(key.loc[key["rule"] == "LED01", "village"]).__len__() == 1     # one plant per rule


def test_cli_demo_prints_a_short_human_summary(tmp_path, capsys):
    """`recon demo` says where the drop is and what it planted, as a table (no Python repr)."""
    from pipelines.cli import main
    assert main(["demo", "--out", str(tmp_path / "drop"), "--households", "60", "--seed", "3"]) == 0
    shown = capsys.readouterr().out
    assert "DemoSummary(" not in shown and "PosixPath" not in shown
    planted = json.loads((tmp_path / "drop" / "demo.json").read_text(encoding="utf-8"))["planted"]
    assert str(tmp_path / "drop") in shown and "青岩县" in shown and "households: 60" in shown
    for code, count in planted.items():
        assert re.search(rf"{code}\s.*\s{count}\s", shown), code
    assert re.search(rf"合计 total\s.*\s{sum(planted.values())}\s", shown)
