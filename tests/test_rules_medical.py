"""MED01–MED04 (RULES.md §Medical insurance)."""
import pytest

from rule_helpers import context, fired, make_id, person, run

HEAD = make_id(birth="19800101", seq="011")
WIFE = make_id(birth="19820101", seq="022")
RESIDENT = "城乡居民基本医疗保险"


def insured(id_number: str, year: int | None = 2025, scheme: str | None = RESIDENT, state: str = "正常参保",
            **fields) -> dict:
    return {"证件号码": id_number, "参保年度": year, "参保状态": state, "险种": scheme, **fields}


def household(kind: str = "脱贫户", **head_fields) -> list[dict]:
    return [person("H1", "李父", HEAD, 户类型=kind, **head_fields), person("H1", "李母", WIFE, "配偶", 户类型=kind)]


def test_MED01_fires_for_member_without_insurance_this_year():
    ctx = context(household(), medical=[insured(HEAD), insured(WIFE, year=2024)])
    found = fired(run(ctx, "medical"), "MED01")
    assert found["id_number"].tolist() == [WIFE]
    row = found.iloc[0]
    assert (row["name"], row["household_id"], row["source"]) == ("李母", "H1", "system|medical")
    assert "2025年度" in row["message"] and WIFE not in row["message"]


@pytest.mark.parametrize("row", [
    insured(WIFE, scheme="职工基本医疗保险"),   # employee insurance counts as insured
    insured(WIFE, scheme=None),                # 险种 empty
    insured(WIFE, year=None),                  # unknown 参保年度: unknown never fires
    insured(WIFE, state="参保缴费"),
])
def test_MED01_does_not_fire_when_insured_or_unknown(row):
    ctx = context(household(), medical=[insured(HEAD), row])
    assert fired(run(ctx, "medical"), "MED01").empty


def test_MED01_counts_any_row_without_参保年度_column():
    rows = [{k: v for k, v in insured(i).items() if k != "参保年度"} for i in (HEAD, WIFE)]
    ctx = context(household(), medical=rows)
    assert fired(run(ctx, "medical"), "MED01").empty


def test_MED01_not_for_newborn_younger_than_newborn_days():
    baby = make_id(birth="20250501", seq="031")  # 60 days at as-of 2025-06-30
    older = make_id(birth="20250101", seq="041")  # 180 days
    rows = household() + [person("H1", "李婴", baby, "子"), person("H1", "李幼", older, "女")]
    ctx = context(rows, medical=[insured(HEAD), insured(WIFE)])
    assert fired(run(ctx, "medical"), "MED01")["id_number"].tolist() == [older]


def test_MED01_not_for_deregistered_member():
    ctx = context(household(), medical=[insured(HEAD)],
                  hukou=[{"证件号码": WIFE, "户籍状态": "迁出注销", "注销日期": "2025-03-01"}])
    assert fired(run(ctx, "medical"), "MED01").empty


def test_MED02_system_says_yes_but_only_employee_insurance():
    rows = [person("H1", "李父", HEAD, 是否参加城乡居民基本医疗保险=True),
            person("H1", "李母", WIFE, "配偶", 是否参加城乡居民基本医疗保险=False)]
    ctx = context(rows, medical=[insured(HEAD, scheme="职工基本医疗保险"), insured(WIFE, scheme="职工基本医疗保险")])
    result = run(ctx, "medical")
    found = fired(result, "MED02")
    assert found["id_number"].tolist() == [HEAD]
    assert (found.loc[0, "actual"], found.loc[0, "expected"]) == ("是", "否")
    assert fired(result, "MED01").empty


def test_MED02_system_says_no_but_insured_as_resident():
    rows = [person("H1", "李父", HEAD, 是否参加城乡居民基本医疗保险=False)]
    found = fired(run(context(rows, medical=[insured(HEAD)]), "medical"), "MED02")
    assert found["id_number"].tolist() == [HEAD]
    assert (found.loc[0, "field"], found.loc[0, "actual"]) == ("是否参加城乡居民基本医疗保险", "否")


def test_MED02_not_when_flag_unknown():
    rows = [person("H1", "李父", HEAD, 是否参加城乡居民基本医疗保险=None)]
    assert fired(run(context(rows, medical=[insured(HEAD, scheme="职工基本医疗保险")]), "medical"), "MED02").empty


def test_MED03_fires_for_监测户_member_without_subsidy():
    ctx = context(household("监测户"), medical=[insured(HEAD, 资助参保=False), insured(WIFE, 资助参保=True)])
    assert fired(run(ctx, "medical"), "MED03")["id_number"].tolist() == [HEAD]


def test_MED03_not_for_脱贫户_or_unknown_subsidy():
    assert fired(run(context(household(), medical=[insured(HEAD, 资助参保=False)]), "medical"), "MED03").empty
    ctx = context(household("监测户"), medical=[insured(HEAD, 资助参保=None)])
    assert fired(run(ctx, "medical"), "MED03").empty


def test_MED04_fires_when_household_out_of_pocket_exceeds_threshold():
    ctx = context(household(), medical=[insured(HEAD, 个人自付费用=6000.0), insured(WIFE, 个人自付费用=4500.5),
                                        insured(WIFE, year=2024, 个人自付费用=9000.0)])
    found = fired(run(ctx, "medical"), "MED04")
    assert found["household_id"].tolist() == ["H1"]
    row = found.iloc[0]
    assert (row["id_number"], row["name"], row["actual"]) == (HEAD, "李父", "10500.5")
    assert "疑似因病返贫风险未纳入监测" in row["message"] and HEAD not in row["message"]


def test_MED04_not_for_监测户_or_at_threshold():
    ctx = context(household("监测户"), medical=[insured(HEAD, 个人自付费用=20000.0)])
    assert fired(run(ctx, "medical"), "MED04").empty
    ctx = context(household(), medical=[insured(HEAD, 个人自付费用=10000.0)])
    assert fired(run(ctx, "medical"), "MED04").empty


def test_MED03_MED04_skip_without_their_columns():
    result = run(context(household(), medical=[insured(HEAD)]), "medical")
    assert {"MED03", "MED04"} <= set(result.skipped["rule"])
