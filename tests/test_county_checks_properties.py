"""Property test of the county checks (RULES.md §Profiles): any check the
config language admits — generated condition by condition from the columns
of its source and their kinds — loads, and runs on the demo drop without an
error, and gives at most one finding per key of its scope."""
from __future__ import annotations

import datetime as dt
import os

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from checks.core import core_table
from checks.rules.context import matched_context
from checks.rules.run import run_rules
from recon.county_checks import DATE_KINDS, NUMBER_KINDS, STAGES, TEXT_KINDS
from recon.demo import generate
from recon.settings import Settings
from recon.sources import SOURCES

AS_OF = dt.date(2025, 6, 30)
# Declared columns the generated checks may use besides the canonical ones (absent from
# the demo drop: the checks that use them are then skipped, which must not fail either).
DECLARED = {"system": {"住房面积": {"kind": "number"}, "帮扶措施": {"kind": "list"}, "改造时间": {"kind": "date"}}}
REGEXES = [r"1[3-9]\d{9}", r"\d+", r".*病.*", r"[一-龥]{2,4}", r"0\d{2,3}-?\d{7,8}"]
RISK_LABELS = list(SOURCES["system"].columns["致贫原因"].values)
FEW = settings(max_examples=int(os.environ.get("COUNTY_CHECK_EXAMPLES", "60")), deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                      HealthCheck.function_scoped_fixture])


def kinds(source: str) -> dict[str, str]:
    declared = {name: {"number": "amount", "list": "list", "date": "date"}[spec["kind"]]
                for name, spec in DECLARED.get(source, {}).items()}
    return {name: column.kind for name, column in SOURCES[source].columns.items()} | declared


def listed(name: str, kind: str, source: str):
    column = SOURCES[source].columns.get(name)
    if kind in NUMBER_KINDS:
        return st.lists(st.integers(0, 20000), min_size=1, max_size=3)
    if kind == "yesno":
        return st.lists(st.sampled_from(["是", "否"]), min_size=1, max_size=2)
    if column is not None and column.values:
        return st.lists(st.sampled_from(list(column.labels())), min_size=1, max_size=3)
    if kind == "sex":
        return st.lists(st.sampled_from(["男", "女"]), min_size=1, max_size=2)
    return st.lists(st.text("甲乙丙123是否", min_size=1, max_size=4), min_size=1, max_size=3)


def column_condition(source: str):
    def for_column(item):
        name, kind = item
        tests = [st.fixed_dictionaries({"empty": st.booleans()}), st.fixed_dictionaries({"known": st.booleans()})]
        if kind not in DATE_KINDS:
            tests += [st.fixed_dictionaries({"in": listed(name, kind, source)}),
                      st.fixed_dictionaries({"not_in": listed(name, kind, source)})]
        if kind in NUMBER_KINDS:
            tests.append(st.dictionaries(st.sampled_from(["lt", "le", "gt", "ge"]),
                                         st.one_of(st.integers(-10, 20000), st.floats(0, 20000)), min_size=1))
        if kind in DATE_KINDS:
            tests.append(st.dictionaries(st.sampled_from(["lt", "le", "gt", "ge"]),
                                         st.dates(dt.date(2010, 1, 1), dt.date(2026, 12, 31)).map(str), min_size=1))
        if kind in TEXT_KINDS:
            tests += [st.fixed_dictionaries({"contains": st.text("甲乙病因1", min_size=1, max_size=3)}),
                      st.tuples(st.sampled_from(["matches", "not_matches"]), st.sampled_from(REGEXES)).map(
                          lambda pair: {pair[0]: pair[1]})]
        return st.one_of(tests).map(lambda test: {"column": name, **test})
    return st.sampled_from(sorted(kinds(source).items())).flatmap(for_column)


def member_condition(source: str):
    ages = st.tuples(st.integers(0, 100), st.integers(0, 100)).map(sorted)
    return st.one_of(
        column_condition(source),
        ages.map(lambda pair: {"age": {"min": pair[0], "max": pair[1]}}),
        st.integers(0, 100).map(lambda low: {"age": {"min": low}}),
        st.sampled_from(["男", "女"]).map(lambda sex: {"sex": sex}),
        st.lists(st.sampled_from(STAGES), min_size=1, max_size=3).map(lambda stages: {"stage": stages}),
        st.lists(st.sampled_from(RISK_LABELS), min_size=1, max_size=3).map(lambda labels: {"risk": labels}),
    )


def household_condition(source: str):
    inner = st.lists(member_condition(source), min_size=1, max_size=2)
    return st.one_of(
        st.tuples(st.sampled_from(["any", "none", "all"]), inner).map(lambda q: {"household": {q[0]: q[1]}}),
        st.tuples(inner, st.sampled_from(["ge", "le"]), st.integers(0, 5)).map(
            lambda c: {"household": {"count": c[0], c[1]: c[2]}}),
    )


def check(source: str):
    return st.fixed_dictionaries({
        "code": st.just("X001"), "title": st.just("生成的核查"), "source": st.just(source),
        "scope": st.sampled_from(["members", "heads", "rows"]),
        "severity": st.sampled_from(["high", "medium", "low"]),
        "when": st.lists(st.one_of(member_condition(source), household_condition(source)), min_size=1, max_size=3),
        "message": st.sampled_from(["{姓名}：请核实", "核实{证件号码}的{与户主关系}", "问题"]),
    })


CHECKS = st.sampled_from(["system", "ledger"]).flatmap(check)


class Frames(dict):
    """The demo's core frames, shown by name in a failing example (not as 200 rows)."""
    def __repr__(self) -> str:
        return f"<demo frames: {', '.join(f'{k} {len(v)} rows' for k, v in self.items())}>"


@pytest.fixture(scope="module")
def demo_frames(tmp_path_factory):
    drop = tmp_path_factory.mktemp("demo")
    generate(drop, households=60, seed=11, as_of=AS_OF)
    return Frames({source: core_table(drop, source, AS_OF).frame for source in ("system", "ledger")})


@FEW
@given(config=CHECKS)
def test_any_valid_check_runs_on_the_demo_drop(demo_frames, config):
    settings_ = Settings.model_validate({"columns": DECLARED, "checks": [config]})
    ctx = matched_context(dict(demo_frames), settings_, AS_OF, "demo")
    result = run_rules(ctx, groups=("county",))
    found = result.findings
    assert set(found["rule"]) <= {"X001"} and len(result.skipped) + len(result.counts) == 1
    key = settings_.checks[0].key()
    assert not found.duplicated(list(key)).any()
    assert found[list(key)].notna().all().all()
    # Personal numbers never appear whole in a message.
    assert not found["message"].astype("string").str.contains(r"\d{17}[\dX]", regex=True).fillna(False).any()
