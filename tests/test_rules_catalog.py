"""`recon rules` (CONTRACT.md §1) and the catalog metadata it shows: every
rule once, the columns the contract names, settings with the config's
values, texts for clerks on every rule, a bad config refused in one line."""
from __future__ import annotations

import csv
import io
import re
import subprocess
import sys
from pathlib import Path

import pytest

from checks.rules.catalog import CATALOG_COLUMNS, catalog_rules, catalog_table, setting_value
from pipelines.cli import main
from recon.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
CODES = [rule.code for rule in catalog_rules()]
HEADER = "code,title,group,severity,enabled,needs,settings"


def run_rules(capsys, *args: str) -> str:
    assert main(["rules", *args]) == 0
    return capsys.readouterr().out


def test_the_catalog_holds_every_rule_once_with_the_contract_columns():
    table = catalog_table(Settings())
    assert list(table.columns) == CATALOG_COLUMNS
    assert table["code"].is_unique and len(table) == len(CODES) >= 34
    assert table["enabled"].all()
    assert set(table["severity"]) <= {"high", "medium", "low"}


def test_csv_is_parseable_with_the_contract_header_and_every_code_once(capsys):
    out = run_rules(capsys, "--format", "csv")
    assert out.splitlines()[0] == HEADER
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [row["code"] for row in rows] == CODES
    med01 = next(row for row in rows if row["code"] == "MED01")
    assert med01["needs"] == "system; medical: 参保状态"
    assert med01["settings"] == "newborn_days=90"
    assert med01["enabled"] == "true" and med01["severity"] == "high"


def test_markdown_is_one_table_row_per_rule(capsys):
    lines = run_rules(capsys, "--format", "markdown").splitlines()
    assert lines[0] == "| " + " | ".join(CATALOG_COLUMNS) + " |"
    assert set(lines[1]) <= set("|-")
    codes = [line.split("|")[1].strip() for line in lines[2:]]
    assert codes == CODES


def test_the_table_shows_every_code_once(capsys):
    out = run_rules(capsys)            # the default format is the rich table
    for column in CATALOG_COLUMNS:
        assert column in out
    for code in CODES:
        assert len(re.findall(rf"\b{code}\b", out)) == 1, code


def test_a_config_changes_the_values_shown(tmp_path, capsys):
    config = tmp_path / "county.yaml"
    config.write_text("monitoring_threshold: 8700\nnewborn_days: 60\n", encoding="utf-8")
    rows = {row["code"]: row for row in csv.DictReader(io.StringIO(
        run_rules(capsys, "--config", str(config), "--format", "csv")))}
    assert rows["MON01"]["settings"] == "monitoring_threshold=8700"
    assert rows["MED01"]["settings"] == "newborn_days=60"
    assert rows["INC01"]["settings"] == "income_tolerance=1"      # not in the config: its default


def test_a_bad_config_exits_2_with_one_line(tmp_path, capsys):
    config = tmp_path / "bad.yaml"
    config.write_text("monitoring_treshold: 8700\n", encoding="utf-8")
    assert main(["rules", "--config", str(config)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("recon: ") and "monitoring_treshold" in lines[0]


def test_setting_values_are_spelled_as_in_a_config():
    assert setting_value(7300.0) == "7300"
    assert setting_value(0.5) == "0.5"
    assert setting_value(True) == "true"
    assert setting_value({2024: 7300.0, 2025: 8700.0}) == "{2024: 7300, 2025: 8700}"


@pytest.mark.parametrize("rule", catalog_rules(), ids=lambda rule: rule.code)
def test_every_rule_explains_itself_to_a_clerk(rule):
    assert rule.title.strip()
    assert len(rule.meaning.strip()) >= 20, f"{rule.code}: meaning= is missing or too short"
    assert len(rule.action.strip()) >= 20, f"{rule.code}: action= is missing or too short"


def test_setting_names_in_texts_stand_apart_from_the_chinese():
    """Texts are split over lines by implicit concatenation: a line break right
    before a setting name glues it to the Chinese (设置项newborn_days)."""
    for rule in catalog_rules():
        for text in (rule.meaning, rule.action):
            glued = re.findall(r"[\u4e00-\u9fff][A-Za-z_]{3,}|[A-Za-z_]{3,}[\u4e00-\u9fff]", text)
            assert not glued, f"{rule.code}: {glued}"


def test_every_declared_setting_is_a_settings_field():
    known = set(Settings.setting_names())
    for rule in catalog_rules():
        assert set(rule.settings) <= known, f"{rule.code} declares unknown settings {set(rule.settings) - known}"


# Where a rule module reads a setting: ctx.settings.<name>, and threshold_for() reads monitoring_threshold.
_SETTING_READ = re.compile(r"settings\.(\w+)")


# Shared helpers that read a setting for the rule that calls them (checks/rules/stages.py).
SHARED_READERS = {"member_stage(": {"school_status_blank"}}


def settings_read_by(path: Path) -> set[str]:
    text = path.read_text(encoding="utf-8")
    names = set(_SETTING_READ.findall(text)) - {"threshold_for", "rule_switch"}   # methods, not settings
    for call, read in SHARED_READERS.items():
        if call in text and not text.count(f"def {call}"):
            names |= read
    return names | ({"monitoring_threshold"} if "threshold_for(" in text else set())


def test_declared_settings_match_what_the_rule_modules_read():
    """A setting read in a group module but declared by none of its rules
    would be missing from the catalog (and the other way round)."""
    by_module: dict[str, set[str]] = {}
    for rule in catalog_rules():
        by_module.setdefault(rule.func.__module__, set()).update(rule.settings)
    for module, declared in by_module.items():
        path = ROOT / (module.replace(".", "/") + ".py")
        assert settings_read_by(path) == declared, module
    # Helpers shared by several groups must not read settings: the check above could not attribute them.
    for helper in ("common", "people", "id_suggest", "base"):
        assert not settings_read_by(ROOT / "checks" / "rules" / f"{helper}.py"), helper
    # ...except the shared readers, which read exactly what SHARED_READERS says.
    assert settings_read_by(ROOT / "checks" / "rules" / "stages.py") == set().union(*SHARED_READERS.values())


def test_recon_rules_does_not_import_dagster():
    """`recon rules` is a look-up: it must not wait seconds for the asset graph."""
    code = ("import sys; from pipelines.cli import main; main(['rules', '--format', 'csv']); "
            "sys.stderr.write(' '.join(m for m in sys.modules if m.split('.')[0] in ('dagster', 'great_expectations')))")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
