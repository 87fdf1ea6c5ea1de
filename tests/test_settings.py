"""The config model (recon/settings.py; RULES.md §Settings and §Profiles,
CONTRACT.md §1 --config): defaults, every setting read from YAML, the
per-rule switches, and a config that is not valid refused in one Chinese
line naming the key — before `recon run` reads anything."""
from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Annotated, Union

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import Discriminator, Field, Strict, ValidationError

from checks.rules.catalog import rule_codes
from pipelines.cli import main
from recon.config_base import ConfigModel, key_path, union_tag, validation_error_line
from pipelines.docs import generated_pages
from recon.settings import DEFAULT_STAGE_AGES, SEVERITIES, Settings, SettingsError
from tiny_drop import write_drop

ROOT = Path(__file__).resolve().parent.parent
CODES = rule_codes()
FAST = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                         HealthCheck.function_scoped_fixture])

# The defaults of the dataclass this model replaced, and of RULES.md §Settings for the new ones.
DEFAULTS = {
    "monitoring_threshold": 7300.0, "income_tolerance": 1.0, "assistance_days": 30, "min_monitoring_days": 180,
    "compulsory_age_min": 6, "compulsory_age_max": 15, "revisit_days": 180, "burst_households": 10,
    "medical_oop_threshold": 10000.0, "newborn_days": 90, "overdue_days": 30, "mask_id_numbers": True,
    "head_min_age": 16, "generation_gap_years": 15, "labour_age_min": 16, "labour_age_max": 60,
    "stage_ages": {"学龄前儿童": (0, 6), "学前": (2, 7), "小学": (5, 15), "初中": (10, 18), "高中": (13, 22),
                   "中职": (13, 22), "高职": (15, 30), "本科及以上": (16, 40)},
    "pension_age_min": 16, "shared_phone_households": 2, "rsk04_labourers": 2, "school_status_blank": "unknown",
    "monthly_cron": "0 6 1 * *", "row_count_tolerance": 0.2,
}
# A value other than the default for every setting, as a config writes it.
CHANGED = {
    "monitoring_threshold": 8700, "income_tolerance": 0.5, "assistance_days": 45, "min_monitoring_days": 90,
    "compulsory_age_min": 7, "compulsory_age_max": 16, "revisit_days": 365, "burst_households": 20,
    "medical_oop_threshold": 5000, "newborn_days": 60, "overdue_days": 15, "mask_id_numbers": False,
    "head_min_age": 18, "generation_gap_years": 16, "labour_age_min": 18, "labour_age_max": 65,
    "stage_ages": {"小学": [6, 14]}, "pension_age_min": 18, "shared_phone_households": 3, "rsk04_labourers": 3,
    "school_status_blank": "not_in_school", "monthly_cron": "0 7 2 * *", "row_count_tolerance": 0.5,
}


def write(tmp_path: Path, text: str, name: str = "county.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def load(tmp_path: Path, text: str) -> Settings:
    return Settings.load(write(tmp_path, text), rule_codes=CODES)


# ---- valid configs ------------------------------------------------------------------

def test_the_defaults_are_those_of_rules_md():
    defaults = Settings()
    assert set(Settings.setting_names()) == set(DEFAULTS)
    for name, value in DEFAULTS.items():
        assert getattr(defaults, name) == value, name
    assert defaults.rules == {} and Settings.load(None) == defaults


@pytest.mark.parametrize("text", ["", "# only a comment\n", "rules:\nstage_ages:\n"])
def test_an_empty_config_is_the_defaults(tmp_path, text):
    assert load(tmp_path, text) == Settings()


def test_every_setting_round_trips_from_yaml(tmp_path):
    assert set(CHANGED) == set(Settings.setting_names())
    loaded = load(tmp_path, yaml.safe_dump(CHANGED, allow_unicode=True))
    for name, value in CHANGED.items():
        if name == "stage_ages":
            continue
        assert getattr(loaded, name) == value and getattr(loaded, name) != DEFAULTS[name], name
    assert loaded.stage_ages["小学"] == (6, 14)
    assert Settings.model_validate(yaml.safe_load(yaml.safe_dump(loaded.as_config(), allow_unicode=True))) == loaded


def test_stage_ages_override_only_the_stages_they_name(tmp_path):
    loaded = load(tmp_path, "stage_ages:\n  小学: [6, 14]\n  高职: [16, 28]\n")
    assert loaded.stage_ages == {**DEFAULT_STAGE_AGES, "小学": (6, 14), "高职": (16, 28)}
    assert list(loaded.stage_ages) == list(DEFAULT_STAGE_AGES)        # the catalog's order, whatever the file's
    assert Settings(stage_ages={"初中": (11, 17)}).stage_ages["小学"] == (5, 15)


def test_monitoring_threshold_by_year(tmp_path):
    loaded = load(tmp_path, "monitoring_threshold: {2024: 7300, 2025: 8700}\n")
    assert loaded.monitoring_threshold == {2024: 7300.0, 2025: 8700.0}
    assert loaded.threshold_for(dt.date(2025, 6, 30)) == 8700.0
    assert loaded.threshold_for(dt.date(2024, 12, 31)) == 7300.0
    assert loaded.threshold_for(dt.date(2027, 1, 1)) == 8700.0      # the latest year before
    assert load(tmp_path, "monitoring_threshold: 8700\n").threshold_for(dt.date(2025, 1, 1)) == 8700.0


def test_rules_switch_and_change_severity(tmp_path):
    loaded = load(tmp_path, "rules:\n  MON04: {enabled: false}\n  ID03: {severity: low}\n  MED01: {}\n")
    assert loaded.rule_switch("MON04") == (False, None)
    assert loaded.rule_switch("ID03") == (True, "low")
    assert loaded.rule_switch("MED01") == (True, None)
    assert loaded.rule_switch("EDU01") == (True, None)             # not named: as the catalog says


def test_rule_codes_come_from_the_validation_context():
    data = {"rules": {"XYZ99": {"enabled": False}}}
    assert Settings.model_validate(data).rule_switch("XYZ99") == (False, None)   # no codes: shape only
    with pytest.raises(ValidationError, match="不是目录中的规则代码"):
        Settings.model_validate(data, context={"rule_codes": CODES})
    with pytest.raises(ValidationError, match="大写字母加数字"):
        Settings.model_validate({"rules": {"no-code": {}}})


def test_keyword_construction_and_attribute_access_as_before():
    changed = Settings(school_status_blank="not_in_school", income_tolerance=0.1)
    assert changed.school_status_blank == "not_in_school" and changed.income_tolerance == 0.1
    with pytest.raises(ValidationError):
        changed.assistance_days = 10                                # frozen, as the dataclass was
    with pytest.raises(ValidationError):
        Settings(school_status_blank="blank")


def test_the_example_of_the_docs_is_a_valid_config(tmp_path):
    page = generated_pages()["rules.md"]
    example = page.split("## 设置项 / Settings", 1)[1].split("```yaml\n", 1)[1].split("```", 1)[0]
    loaded = load(tmp_path, example)
    assert loaded.rule_switch("MON04") == (False, None) and loaded.stage_ages["小学"] == (6, 14)


# ---- configs that are not valid -------------------------------------------------------

BAD = {
    "unknown key": ("asistance_days: 30\n", ["未知的设置项 asistance_days", "（是否应为 assistance_days？）"]),
    "wrong type": ("assistance_days: thirty\n", ["assistance_days: 应为整数，实际为 'thirty'"]),
    "bool for a number": ("newborn_days: yes\n", ["newborn_days: 应为整数，实际为 true"]),
    "negative days": ("revisit_days: -5\n", ["revisit_days: 不能小于 0，实际为 -5"]),
    "age over 120": ("head_min_age: 200\n", ["head_min_age: 不能大于 120"]),
    "too few households": ("shared_phone_households: 1\n", ["shared_phone_households: 不能小于 2"]),
    "min > max": ("compulsory_age_min: 16\ncompulsory_age_max: 15\n",
                  ["compulsory_age_min: 为 16，不能大于 compulsory_age_max（15）"]),
    "empty labour age": ("labour_age_min: 60\n", ["labour_age_min: 为 60，应小于 labour_age_max（60）"]),
    "bad school_status_blank": ("school_status_blank: unkown\n",
                                ["school_status_blank: 应为 unknown 或 not_in_school", "（是否应为 unknown？）"]),
    "not a bool": ("mask_id_numbers: 1\n", ["mask_id_numbers: 应为 true 或 false，实际为 1"]),
    "bad cron": ("monthly_cron: monthly\n", ["monthly_cron: 应为五段的 cron 写法"]),
    "bad severity": ("rules:\n  MED01: {severity: urgent}\n",
                     ["rules.MED01.severity: 应为 high、medium 或 low，实际为 'urgent'"]),
    "unknown rule code": ("rules:\n  MDE01: {enabled: false}\n",
                          ["rules.MDE01: 不是目录中的规则代码", "（是否应为 MED01？）"]),
    "rules.X not a mapping": ("rules:\n  MED01: false\n", ["rules.MED01: 应为键值对"]),
    "rules.X.enabled not a bool": ("rules:\n  MED01: {enabled: 'no'}\n",
                                   ["rules.MED01.enabled: 应为 true 或 false，实际为 'no'"]),
    "rules.X unknown key": ("rules:\n  MED01: {enable: false}\n",
                            ["rules.MED01.enable: 未知的键", "（是否应为 enabled？）"]),
    "rules not a mapping": ("rules: [MED01]\n", ["rules: 应为键值对"]),
    "unknown stage": ("stage_ages: {大学: [18, 22]}\n", ["stage_ages.大学: 不是已知的学段"]),
    "stage min > max": ("stage_ages: {小学: [15, 5]}\n", ["stage_ages.小学: 最小年龄 15 大于最大年龄 5"]),
    "stage not a pair": ("stage_ages: {小学: [6]}\n", ["stage_ages.小学: 应为 [最小年龄, 最大年龄] 两个数"]),
    "stage age not a number": ("stage_ages: {小学: [six, 15]}\n", ["stage_ages.小学[0]: 应为整数"]),
    "YAML syntax": ("assistance_days: 30\nrules:\n  MED01: {enabled: false\nnewborn_days: 60\n",
                    ["第 4 行（自第 3 行起）: YAML 格式错误：花括号 { } 没有配对"]),
    "tab indentation": ("rules:\n\tMED01: {}\n", ["第 2 行: YAML 格式错误：不能用 Tab 缩进"]),
    "top-level list": ("- assistance_days: 30\n", ["顶层应为“设置项: 值”的键值对，实际为列表"]),
    "threshold year not a number": ("monitoring_threshold: {2024: abc}\n",
                                    ["monitoring_threshold.2024: 应为数字，实际为 'abc'"]),
    "threshold key not a year": ("monitoring_threshold: {24: 7300}\n", ["monitoring_threshold.24: 不能小于 2000"]),
    "threshold zero": ("monitoring_threshold: 0\n", ["monitoring_threshold: 应大于 0"]),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_an_invalid_config_is_one_line_naming_the_key(tmp_path, case):
    text, fragments = BAD[case]
    with pytest.raises(SettingsError) as raised:
        load(tmp_path, text)
    message = str(raised.value)
    assert "\n" not in message and message.startswith("配置文件 county.yaml: "), message
    for fragment in fragments:
        assert fragment in message, message


def test_several_errors_share_the_line(tmp_path):
    with pytest.raises(SettingsError) as raised:
        load(tmp_path, "revisit_days: -1\nnewborn_days: x\noverdue_days: y\nburst_households: 0\n")
    message = str(raised.value)
    assert "\n" not in message and message.count("；") == 3 and "另有 1 处错误" in message


@pytest.mark.parametrize("content, fragment", [
    ("monitoring_threshold: 8700\n".encode("gbk") + "# 县里的配置\n".encode("gbk"), "不是 UTF-8 编码"),
    (None, "文件不存在"),
])
def test_a_file_that_cannot_be_read_is_one_line(tmp_path, content, fragment):
    path = tmp_path / "county.yaml"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(SettingsError, match=fragment) as raised:
        Settings.load(path)
    assert "\n" not in str(raised.value)


def test_a_utf8_file_with_a_bom_is_read(tmp_path):
    path = tmp_path / "county.yaml"
    path.write_bytes("\ufeffmonitoring_threshold: 8700  # 本省标准\n".encode("utf-8"))
    assert Settings.load(path).monitoring_threshold == 8700.0


# ---- the commands ---------------------------------------------------------------------

def test_recon_run_with_a_bad_config_exits_2_before_it_reads_anything(tmp_path, capsys):
    drop = write_drop(tmp_path / "drop")
    out = tmp_path / "out"
    config = write(tmp_path, BAD["unknown rule code"][0], "bad.yaml")
    assert main(["run", "--data", str(drop), "--out", str(out), "--config", str(config)]) == 2
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("recon: 配置文件 bad.yaml: rules.MDE01: "), captured.err
    assert not out.exists()


def test_recon_run_refuses_a_bad_config_without_importing_dagster(tmp_path):
    config = write(tmp_path, "rules:\n  MED01: {enabled: maybe}\n", "bad.yaml")
    code = ("import sys; from pipelines.cli import main; "
            f"code = main(['run', '--data', {str(tmp_path / 'none')!r}, '--out', {str(tmp_path / 'out')!r}, "
            f"'--config', {str(config)!r}]); "
            "print(code, ' '.join(m for m in sys.modules if m.split('.')[0] in ('dagster', 'great_expectations')))")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.stdout.strip() == "2", done.stdout + done.stderr
    assert "rules.MED01.enabled" in done.stderr


def test_recon_rules_shows_the_configs_switches(tmp_path, capsys):
    config = write(tmp_path, "rules:\n  MON04: {enabled: false}\n  ID03: {severity: low}\n")
    assert main(["rules", "--config", str(config), "--format", "csv"]) == 0
    rows = {row["code"]: row for row in csv.DictReader(io.StringIO(capsys.readouterr().out))}
    assert rows["MON04"]["enabled"] == "false"
    assert rows["ID03"]["severity"] == "low" and rows["ID03"]["enabled"] == "true"
    assert rows["MED01"]["enabled"] == "true" and rows["MED01"]["severity"] == "high"


# ---- the JSON Schema ----------------------------------------------------------------------

def test_the_json_schema_is_up_to_date_and_describes_every_key():
    committed = (ROOT / "docs" / "config.schema.json").read_text(encoding="utf-8")
    assert committed == generated_pages()["config.schema.json"], \
        "docs/config.schema.json is stale: run `.venv/bin/python -m recon.docs` and commit it"
    schema = json.loads(committed)
    assert schema["additionalProperties"] is False
    assert set(schema["properties"]) == set(Settings.model_fields)
    assert all(prop.get("description") for prop in schema["properties"].values())
    assert set(schema["properties"]["rules"]["properties"]) == CODES


# ---- any valid config ------------------------------------------------------------------------

amounts = st.floats(min_value=0, max_value=1e7, allow_nan=False, allow_infinity=False)
thresholds = st.floats(min_value=0.01, max_value=1e6, allow_nan=False, allow_infinity=False)
days = st.integers(min_value=0, max_value=3650)
ages = st.integers(min_value=0, max_value=120)
ordered_ages = st.lists(ages, min_size=2, max_size=2).map(sorted)
distinct_ages = st.lists(ages, min_size=2, max_size=2, unique=True).map(sorted)
SIMPLE = {
    "monitoring_threshold": st.one_of(thresholds, st.integers(min_value=1, max_value=100000),
                                      st.dictionaries(st.integers(2000, 2100), thresholds, min_size=1, max_size=4)),
    "income_tolerance": amounts, "medical_oop_threshold": amounts, "row_count_tolerance": amounts,
    "assistance_days": days, "min_monitoring_days": days, "revisit_days": days, "newborn_days": days,
    "overdue_days": days, "burst_households": st.integers(1, 1000), "rsk04_labourers": st.integers(1, 20),
    "shared_phone_households": st.integers(2, 100), "head_min_age": ages, "generation_gap_years": ages,
    "pension_age_min": ages, "mask_id_numbers": st.booleans(),
    "school_status_blank": st.sampled_from(["unknown", "not_in_school"]),
    "monthly_cron": st.sampled_from(["0 6 1 * *", "30 2 * * 1", "0 0 15 1,7 *"]),
    "stage_ages": st.dictionaries(st.sampled_from(list(DEFAULT_STAGE_AGES)), ordered_ages, max_size=8),
    "rules": st.dictionaries(st.sampled_from(sorted(CODES)),
                             st.fixed_dictionaries({}, optional={"enabled": st.booleans(),
                                                                 "severity": st.sampled_from(SEVERITIES)}),
                             max_size=6),
}
# Keys checked together (min ≤ max; labour min < max) are drawn together.
PAIRS = {("compulsory_age_min", "compulsory_age_max"): ordered_ages,
         ("labour_age_min", "labour_age_max"): distinct_ages}


@st.composite
def valid_configs(draw) -> dict:
    config = {key: draw(SIMPLE[key]) for key in draw(st.sets(st.sampled_from(sorted(SIMPLE))))}
    for keys in draw(st.sets(st.sampled_from(sorted(PAIRS)))):
        config.update(zip(keys, draw(PAIRS[keys])))
    return config


@FAST
@given(valid_configs())
def test_any_valid_config_loads_and_round_trips(tmp_path, config):
    loaded = load(tmp_path, yaml.safe_dump(config, allow_unicode=True))
    for key, value in config.items():
        if key == "stage_ages":
            assert loaded.stage_ages == {**DEFAULT_STAGE_AGES, **{stage: tuple(v) for stage, v in value.items()}}
        elif key == "rules":
            for code, switch in value.items():
                assert loaded.rule_switch(code) == (switch.get("enabled", True), switch.get("severity"))
        else:
            assert getattr(loaded, key) == value, key
    again = load(tmp_path, yaml.safe_dump(loaded.as_config(), allow_unicode=True))
    assert again == loaded


def test_a_rule_code_has_the_shape_of_a_code():
    assert all(re.fullmatch(r"[A-Z]+[0-9]+", code) for code in CODES)


# ---- error paths of nested sections (the shape `checks:` will have) ----------------------------

class _Empty(ConfigModel):
    column: str
    empty: Annotated[bool, Strict()]


class _InList(ConfigModel):
    column: str
    in_: list[str] = Field(alias="in")      # `in` is a key of the file, not a Python name


def _condition_kind(value) -> str:
    return "<in>" if isinstance(value, dict) and "in" in value else "<empty>"


# Tagged by the key that tells the conditions apart; union_tag keeps the tag out of error paths.
_Condition = Annotated[Union[Annotated[_Empty, union_tag("empty")], Annotated[_InList, union_tag("in")]],
                       Discriminator(_condition_kind)]


class _Check(ConfigModel):
    code: str
    when: list[_Condition]


class _Profile(ConfigModel):
    checks: list[_Check] = []


def _profile_error(data: dict) -> str:
    with pytest.raises(ValidationError) as raised:
        _Profile.model_validate(data)
    return validation_error_line(raised.value, data)


def test_nested_paths_read_as_the_file_spells_them():
    fine = {"code": "X001", "when": [{"column": "劳动技能", "empty": True}]}
    assert _profile_error({"checks": [fine, fine, {"code": "X003", "when": [{"in": ["脱贫户"]}]}]}) == \
        "checks[2].when[0].column: 缺少这一项"
    assert _profile_error({"checks": [fine, {"code": "X002", "when": [fine["when"][0], {"colum": "户类型", "in": []}]}]}) \
        == "checks[1].when[1].colum: 未知的键（是否应为 column？）"
    assert _profile_error({"checks": [{"code": "X004", "when": [{"column": "户类型", "empty": "yes"}]}]}) == \
        "checks[0].when[0].empty: 应为 true 或 false，实际为 'yes'"
    assert key_path(("checks", 0, "when"), {"checks": "X"}) == "checks"      # stops where the data does
