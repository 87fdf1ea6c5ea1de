"""A config whose `checks:` or `columns:` cannot be used stops `recon run`
and `recon rules` with exit 2 and one line naming the key path, before
anything is read (RULES.md §Profiles, CONTRACT.md §1)."""
from __future__ import annotations

import csv
import io

import pytest

from pipelines.cli import main

OK_CHECK = "{code: X001, title: 测试, source: system, when: [{column: 劳动技能, empty: true}]}"

INVALID = {
    "unknown column": ("checks:\n  - {code: X001, title: t, source: system, when: [{column: 劳动能力, empty: true}]}\n",
                       "checks[0].when[0].column: 劳动能力 不是 system 的列（是否应为 劳动技能？）"),
    "column of another source": ("checks:\n  - {code: X001, title: t, source: ledger, when: [{column: 参保状态, known: true}]}\n",
                                 "checks[0].when[0].column: 参保状态 不是 ledger 的列"),
    "value outside the value set": ("checks:\n  - {code: X001, title: t, source: system, when: [{column: 户类型, in: [贫困户]}]}\n",
                                    "checks[0].when[0].in[0]: 贫困户 不是 户类型 的取值"),
    "lt on a text column": ("checks:\n  - {code: X001, title: t, source: system, when: [{column: 文化程度, lt: 3}]}\n",
                            "checks[0].when[0].lt: lt 只能用于数字或日期列"),
    "a text bound on a number column": ("checks:\n  - {code: X001, title: t, source: system, when: [{column: 人均纯收入, lt: 很少}]}\n",
                                        "checks[0].when[0].lt: 人均纯收入 是数字列，应写数字"),
    "a number bound on a date column": ("checks:\n  - {code: X001, title: t, source: system, when: [{column: 首次帮扶时间, lt: 2024}]}\n",
                                        "checks[0].when[0].lt: 首次帮扶时间 是日期列，应写日期 YYYY-MM-DD"),
    "matches on a number column": ("checks:\n  - {code: X001, title: t, source: system, when: [{column: 人数, matches: '\\d+'}]}\n",
                                   "checks[0].when[0].matches: matches 只能用于文字列"),
    "invalid regex": ("checks:\n  - {code: X001, title: t, source: system, when: [{column: 户联系电话, matches: '1[3-9'}]}\n",
                      "checks[0].when[0].matches: 不是有效的正则表达式"),
    "message names an unusable column": (f"checks:\n  - {{code: X001, title: t, source: system, when: [{{column: 劳动技能, empty: true}}], message: '{{住房面积}}不足'}}\n",
                                         "checks[0].message: {住房面积} 不是 system 的列"),
    "duplicate code": (f"checks:\n  - {OK_CHECK}\n  - {OK_CHECK}\n", "checks[1].code: X001 与 checks[0] 的代码重复"),
    "a catalog code": ("checks:\n  - {code: LAB01, title: t, source: system, when: [{column: 劳动技能, empty: true}]}\n",
                       "checks[0].code: LAB01 是规则目录中的代码"),
    "code of the wrong shape": ("checks:\n  - {code: 劳动, title: t, source: system, when: [{column: 劳动技能, empty: true}]}\n",
                                "checks[0].code: 本县核查代码应为字母加数字"),
    "unknown key in a check": (f"checks:\n  - {{code: X001, title: t, source: system, when: [{{column: 劳动技能, empty: true}}], severty: low}}\n",
                               "checks[0].severty: 未知的键（是否应为 severity？）"),
    "unknown condition": ("checks:\n  - {code: X001, title: t, source: system, when: [{ages: {min: 60}}]}\n",
                          "checks[0].when[0]: 条件应含 column、age、sex、stage、risk 或 household 之一"),
    "household in a household": ("checks:\n  - {code: X001, title: t, source: system, scope: heads, when: [{household: {any: [{household: {any: [{sex: 男}]}}]}}]}\n",
                                 "checks[0].when[0].household.any[0]: 条件应含"),
    "count without a bound": ("checks:\n  - {code: X001, title: t, source: system, scope: heads, when: [{household: {count: [{sex: 男}]}}]}\n",
                              "checks[0].when[0].household: count 应再写 ge 或 le"),
    "unknown column inside a household condition": ("checks:\n  - {code: X001, title: t, source: system, scope: heads, when: [{household: {none: [{column: 健康, in: [健康]}]}}]}\n",
                                                    "checks[0].when[0].household.none[0].column: 健康 不是 system 的列（是否应为 健康状况？）"),
    "unknown stage": ("checks:\n  - {code: X001, title: t, source: system, when: [{stage: [大学]}]}\n",
                      "checks[0].when[0].stage[0]: 大学 不是学段"),
    "unknown risk label": ("checks:\n  - {code: X001, title: t, source: system, when: [{risk: [因穷]}]}\n",
                           "checks[0].when[0].risk[0]: 因穷 不是风险类型"),
    "bad scope": ("checks:\n  - {code: X001, title: t, source: system, scope: households, when: [{sex: 男}]}\n",
                  "checks[0].scope: 应为 members、heads 或 rows"),
    "a bureau source": ("checks:\n  - {code: X001, title: t, source: medical, when: [{sex: 男}]}\n",
                        "checks[0].source: 应为 system 或 ledger"),
    "unknown category": ("checks:\n  - {code: X001, title: t, source: system, category: 其它, when: [{sex: 男}]}\n",
                         "checks[0].category: 不是整改清单的类别"),
    "no conditions": ("checks:\n  - {code: X001, title: t, source: system, when: []}\n",
                      "checks[0].when: 至少应有 1 项"),
    "a column without a test": ("checks:\n  - {code: X001, title: t, source: system, when: [{column: 劳动技能}]}\n",
                                "checks[0].when[0]: 条件只写了列名"),
    "declared column clashes with a canonical one": ("columns:\n  system:\n    户类型: {kind: text}\n",
                                                     "columns.system.户类型: 与 system 的标准列同名"),
    "declared column takes a canonical header": ("columns:\n  system:\n    家庭人口: {names: [家庭人数], kind: number}\n",
                                                 "columns.system.家庭人口.names: 家庭人数 已是标准列 人数 的列名"),
    "declared column of an unknown kind": ("columns:\n  system:\n    住房面积: {kind: decimal}\n",
                                           "columns.system.住房面积.kind: 应为 text、number、date、yesno、phone 或 list"),
    "declared columns of an unknown source": ("columns:\n  systen:\n    住房面积: {kind: number}\n",
                                              "columns.systen: 不是数据源（是否应为 system？）"),
    "age min above max": ("checks:\n  - {code: X001, title: t, source: system, when: [{age: {min: 70, max: 60}}]}\n",
                          "checks[0].when[0].age: min 70 大于 max 60"),
}


@pytest.mark.parametrize("case", sorted(INVALID))
def test_an_invalid_check_exits_2_with_one_line_naming_the_key_path(tmp_path, capsys, case):
    text, expected = INVALID[case]
    config = tmp_path / "county.yaml"
    config.write_text(text, encoding="utf-8")
    assert main(["rules", "--config", str(config)]) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("recon: 配置文件 county.yaml: "), lines
    assert expected in lines[0], lines[0]


def test_recon_run_refuses_an_invalid_check_before_reading_the_drop(tmp_path, capsys):
    config = tmp_path / "county.yaml"
    config.write_text(INVALID["unknown column"][0], encoding="utf-8")
    out = tmp_path / "out"
    assert main(["run", "--data", str(tmp_path / "no-such-drop"), "--out", str(out), "--config", str(config)]) == 2
    assert "checks[0].when[0].column" in capsys.readouterr().err and not out.exists()


def test_recon_rules_lists_the_countys_checks_after_the_catalog(tmp_path, capsys):
    config = tmp_path / "county.yaml"
    config.write_text("columns:\n  system:\n    住房面积: {kind: number}\n"
                      "checks:\n  - {code: X001, title: 住房面积过小, severity: low, source: system, scope: heads, "
                      "when: [{column: 住房面积, lt: 15}]}\n", encoding="utf-8")
    assert main(["rules", "--config", str(config), "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    last = rows[-1]
    assert (last["code"], last["title"], last["group"], last["severity"], last["enabled"]) == \
        ("X001", "住房面积过小", "county", "low", "true")
    assert "住房面积" in last["needs"]
