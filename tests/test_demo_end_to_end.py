"""The demo drop through the real stages (read → normalise → match → rules):
every planted finding is found and nothing else (precision and recall 1.0 per
rule, keyed as RULES.md keys each rule), and every registered household gets
the class of the answer key."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from checks.classes import household_status
from checks.rules.base import REGISTRY, RuleContext
from checks.rules.run import load_catalog, run_rules
from recon.columns import SOURCES
from recon.demo import generate
from recon.match import match
from recon.normalise import normalise
from recon.read import read_source
from recon.settings import Settings

AS_OF = dt.date(2025, 6, 30)


def _keys(frame: pd.DataFrame, code: str) -> set[tuple[str, ...]]:
    columns = list(REGISTRY[code].key)
    rows = frame.loc[frame["rule"] == code, columns].astype("string").fillna("")
    return {tuple(str(v) for v in row) for row in rows.itertuples(index=False)}


# A usual demo county (two plants per rule) and the smallest one (one plant per
# rule, households carrying plants of rules that do not interact).
@pytest.fixture(scope="module", params=[(300, 7), (60, 3)], ids=["300-households", "60-households"])
def checked(request, tmp_path_factory):
    households, seed = request.param
    drop = tmp_path_factory.mktemp(f"demo{households}")
    generate(drop, households=households, seed=seed, as_of=AS_OF)
    frames = {}
    for source in SOURCES:
        frames[source], _ = normalise(source, read_source(drop, source).frame, AS_OF)
    matched = match(frames["system"], frames["ledger"])
    frames["system"], frames["ledger"] = matched.system, matched.ledger
    ctx = RuleContext(as_of=AS_OF, settings=Settings(), county="青岩县", sources=frames,
                      households=matched.households, ledger_households=matched.ledger_households,
                      people=matched.people)
    run = run_rules(ctx)
    return drop, ctx, run


@pytest.mark.parametrize("code", sorted(load_catalog()))
def test_demo_rule_finds_exactly_the_planted_findings(checked, code):
    drop, _, run = checked
    key = pd.read_csv(drop / "answer_key.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert code not in set(run.skipped["rule"])
    expected, found = _keys(key, code), _keys(run.findings, code)
    assert expected, f"{code} is not planted"
    assert found - expected == set(), "false positives (precision < 1)"
    assert expected - found == set(), "missed plants (recall < 1)"


def test_demo_households_get_the_class_of_the_answer_key(checked):
    drop, ctx, run = checked
    status = household_status(ctx, run.findings).dropna(subset=["class"])
    want = pd.read_csv(drop / "answer_households.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    got = status[["户编号", "class", "gaps"]].astype(str).sort_values("户编号").reset_index(drop=True)
    pd.testing.assert_frame_equal(got, want.sort_values("户编号").reset_index(drop=True))
