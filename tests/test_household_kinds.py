"""Monitored households as the national export marks them (CONTRACT.md §2.2
*Monitored households*, RULES.md §Terms): monitored = 监测对象类别 known or
户类型 监测户; 脱贫户 = 户类型 脱贫户; registered = either. Every rule that says
监测户 reads "monitored"; MON01 and MED04 read "脱贫户 not monitored"."""
import pandas as pd
import pytest

from checks.classes import household_status
from recon.household_kinds import kinds
from rule_helpers import context, fired, make_id, person, run

HEAD = make_id(birth="19700101", seq="011")
CHILD = make_id(birth="20140301", seq="013")

# The four kinds of registered household, and the one that is not.
KINDS = {
    "脱贫户": {"户类型": "脱贫户"},
    "脱贫不稳定户": {"户类型": "脱贫户", "监测对象类别": "脱贫不稳定户"},
    "边缘易致贫户": {"户类型": "一般农户", "监测对象类别": "边缘易致贫户"},
    "突发严重困难户": {"户类型": "一般农户", "监测对象类别": "突发严重困难户"},
    "户类型监测户": {"户类型": "监测户"},
    "一般农户": {"户类型": "一般农户"},
}
MONITORED = {"脱贫不稳定户", "边缘易致贫户", "突发严重困难户", "户类型监测户"}
REGISTERED = set(KINDS) - {"一般农户"}


def household(kind: str, **fields) -> list[dict]:
    return [person("H1", "户主甲", HEAD, **{**KINDS[kind], **fields})]


@pytest.mark.parametrize("kind", KINDS)
def test_kinds_of_each_household(kind):
    frame = pd.DataFrame([KINDS[kind]], dtype="string")
    got = kinds(frame).iloc[0].to_dict()
    assert got == {"monitored": kind in MONITORED, "poverty": KINDS[kind]["户类型"] == "脱贫户",
                   "registered": kind in REGISTERED}


@pytest.mark.parametrize("kind", KINDS)
def test_MON01_only_for_a_脱贫户_not_monitored(kind):
    found = fired(run(context(household(kind, 人均纯收入=5000.0, 风险是否消除=False)), "monitoring"), "MON01")
    assert len(found) == int(kind == "脱贫户")


@pytest.mark.parametrize("kind", KINDS)
def test_MON02_for_every_monitored_household(kind):
    found = fired(run(context(household(kind, 人均纯收入=5000.0, 风险是否消除=True)), "monitoring"), "MON02")
    assert len(found) == int(kind in MONITORED)


@pytest.mark.parametrize("kind", KINDS)
def test_MON03_for_every_monitored_household(kind):
    rows = household(kind, 纳入监测时间=pd.Timestamp("2025-01-01"), 首次帮扶时间=pd.Timestamp("2025-03-01"))
    assert len(fired(run(context(rows), "monitoring"), "MON03")) == int(kind in MONITORED)


@pytest.mark.parametrize("kind", KINDS)
def test_MON05_for_every_monitored_household(kind):
    rows = household(kind, 风险是否消除=True, 风险消除时间=pd.Timestamp("2024-06-01"),
                     最近回访时间=pd.Timestamp("2024-05-01"))
    assert len(fired(run(context(rows), "monitoring"), "MON05")) == int(kind in MONITORED)


@pytest.mark.parametrize("kind", KINDS)
def test_MON06_for_every_monitored_household(kind):
    rows = household(kind, 风险是否消除=True, 纳入监测时间=pd.Timestamp("2024-01-01"),
                     风险消除时间=pd.Timestamp("2024-03-01"))
    assert len(fired(run(context(rows), "monitoring"), "MON06")) == int(kind in MONITORED)


@pytest.mark.parametrize("kind", KINDS)
def test_MED03_for_members_of_every_monitored_household(kind):
    medical = [{"证件号码": HEAD, "参保状态": "正常参保", "资助参保": False}]
    assert len(fired(run(context(household(kind), medical=medical), "medical"), "MED03")) == int(kind in MONITORED)


@pytest.mark.parametrize("kind", KINDS)
def test_MED04_only_for_a_脱贫户_not_monitored(kind):
    medical = [{"证件号码": HEAD, "参保状态": "正常参保", "个人自付费用": 25000.0}]
    assert len(fired(run(context(household(kind), medical=medical), "medical"), "MED04")) == int(kind == "脱贫户")


@pytest.mark.parametrize("kind", KINDS)
def test_sector_rules_and_class_for_every_registered_household(kind):
    ctx = context(household(kind), housing=[{"证件号码": make_id(seq="999"), "鉴定等级": "A"}])
    result = run(ctx, "housing")
    assert len(fired(result, "HOU03")) == int(kind in REGISTERED)
    status = household_status(ctx, result.findings).iloc[0]
    assert pd.notna(status["class"]) == (kind in REGISTERED)


def ledger_rows(**fields) -> list[dict]:
    return [{"姓名": "户主甲", "证件号码": HEAD, "与户主关系": "户主", "户编号": "L1", **fields}]


@pytest.mark.parametrize("system_kind, ledger, fires", [
    # A ledger that writes 监测户 agrees with every monitored household, whatever its 户类型 in the export.
    ("脱贫不稳定户", {"户类型": "监测户"}, False),
    ("边缘易致贫户", {"户类型": "监测户"}, False),
    ("突发严重困难户", {"户类型": "监测户"}, False),
    ("户类型监测户", {"户类型": "监测户"}, False),
    # One side monitored, the other not.
    ("脱贫户", {"户类型": "监测户"}, True),
    ("边缘易致贫户", {"户类型": "一般农户"}, True),
    ("脱贫不稳定户", {"户类型": "脱贫户"}, True),
    # A ledger written like the export.
    ("边缘易致贫户", {"户类型": "一般农户", "监测对象类别": "边缘易致贫户"}, False),
    ("脱贫不稳定户", {"户类型": "脱贫户", "监测对象类别": "脱贫不稳定户"}, False),
    # 脱贫户 against 一般农户, both monitored: still a difference on 户类型.
    ("脱贫不稳定户", {"户类型": "一般农户", "监测对象类别": "边缘易致贫户"}, True),
    # 监测户 says nothing on 脱贫户.
    ("户类型监测户", {"户类型": "脱贫户", "监测对象类别": "脱贫不稳定户"}, False),
    # Unknown never fires.
    ("脱贫户", {"户类型": None}, False),
])
def test_HH03_compares_monitored_and_脱贫户_as_the_export_marks_them(system_kind, ledger, fires):
    ctx = context(household(system_kind), ledger=ledger_rows(**ledger))
    found = fired(run(ctx, "identity"), "HH03")
    found = found[found["field"] == "户类型"]
    assert len(found) == int(fires)
    if fires:
        row = found.iloc[0]
        shown = {"脱贫户": "脱贫户", "脱贫不稳定户": "脱贫户（脱贫不稳定户）", "边缘易致贫户": "一般农户（边缘易致贫户）",
                 "户类型监测户": "监测户"}[system_kind]
        assert row["expected"] == shown and shown in row["message"]


def test_a_ledger_household_calling_itself_一般农户_with_a_category_is_in_scope():
    """Unmapped ledger households are checked unless their own record says they are
    neither 脱贫户 nor monitored: 一般农户 with a 监测对象类别 is monitored."""
    other = make_id(birth="19650101", seq="051")
    ledger = [{"姓名": "户主乙", "证件号码": other, "与户主关系": "户主", "户编号": "L9", "人数": 3,
               "户类型": "一般农户", "监测对象类别": "突发严重困难户"},
              {"姓名": "户主丙", "证件号码": make_id(birth="19660101", seq="061"), "与户主关系": "户主",
               "户编号": "L8", "人数": 3, "户类型": "一般农户"}]
    ctx = context(household("脱贫户", 人数=1), ledger=ledger)
    found = fired(run(ctx, "identity"), "HH01")
    assert found.loc[found["source"] == "ledger", "id_number"].tolist() == [other]
