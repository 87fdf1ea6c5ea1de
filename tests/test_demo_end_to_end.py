"""The demo drop through the real stages (read → normalise → match → rules):
every planted finding is found and nothing else (precision and recall 1.0 per
rule, keyed as RULES.md keys each rule), and every registered household gets
the class of the answer key."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from checks.classes import household_status
from checks.core import core_table
from checks.rules.base import REGISTRY
from checks.rules.context import matched_context
from checks.rules.run import load_catalog, run_rules
from recon.sources import DATA_SOURCES as SOURCES
from recon.demo import generate
from recon.settings import Settings

AS_OF = dt.date(2025, 6, 30)


def _keys(frame: pd.DataFrame, code: str) -> set[tuple[str, ...]]:
    columns = list(REGISTRY[code].key)
    rows = frame.loc[frame["rule"] == code, columns].astype("string").fillna("")
    return {tuple(str(v) for v in row) for row in rows.itertuples(index=False)}


# A usual demo county (two plants per rule) and the smallest one (one plant per
# rule, households carrying plants of rules that do not interact), written as the
# national export marks monitored households; and one as provincial exports and
# older drops spell them (户类型 监测户), which must give the same findings.
@pytest.fixture(scope="module", params=[(300, 7, "export"), (60, 3, "export"), (300, 7, "legacy")],
                ids=["300-households", "60-households", "300-households-户类型监测户"])
def checked(request, tmp_path_factory):
    households, seed, style = request.param
    drop = tmp_path_factory.mktemp(f"demo{households}{style}")
    generate(drop, households=households, seed=seed, as_of=AS_OF, style=style)
    config = drop / "recon.yaml"
    settings = Settings.load(config if config.exists() else None)
    frames = {source: core_table(drop, source, AS_OF).frame for source in SOURCES}
    ctx = matched_context(frames, settings, AS_OF, "青岩县")
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


MONITORED_KINDS = {"脱贫不稳定户", "边缘易致贫户", "突发严重困难户"}


def test_export_style_demo_plants_the_monitoring_rules_on_every_kind_of_monitored_household(tmp_path):
    """The answer key covers MON02/MON03/MON05/MON06 on 脱贫不稳定户 (户类型 脱贫户)
    and on 边缘易致贫户 and 突发严重困难户 (户类型 一般农户), as the export marks them."""
    generate(tmp_path, households=300, seed=7, as_of=AS_OF)
    system = core_table(tmp_path, "system", AS_OF).frame
    households = system.drop_duplicates("户编号").set_index("户编号")
    assert "监测户" not in set(households["户类型"].dropna())
    assert set(households["户类型"].dropna()) == {"脱贫户", "一般农户"}
    key = pd.read_csv(tmp_path / "answer_key.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    for code in ("MON02", "MON03", "MON05", "MON06"):
        planted = households.loc[key.loc[key["rule"] == code, "household_id"].unique()]
        assert set(planted["监测对象类别"]) == MONITORED_KINDS, code
        kinds = planted.groupby("监测对象类别")["户类型"].first()
        assert kinds.to_dict() == {"脱贫不稳定户": "脱贫户", "边缘易致贫户": "一般农户", "突发严重困难户": "一般农户"}
    # Non-students: 在校生状况 left empty, as the national export does.
    assert "非在校生" not in set(system["在校生情况"].dropna())
    assert system["在校生情况"].isna().mean() > 0.5
