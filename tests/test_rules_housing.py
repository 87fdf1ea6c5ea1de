"""HOU01–HOU03 (RULES.md §Housing)."""
import pytest

from rule_helpers import context, fired, make_id, person, run

HEAD1 = make_id(birth="19700101", seq="011")
SON1 = make_id(birth="19950101", seq="013")
HEAD2 = make_id(birth="19710101", seq="021")
HEAD3 = make_id(birth="19720101", seq="031")


def system(**head1_fields) -> list[dict]:
    return [person("H1", "赵一", HEAD1, **head1_fields), person("H1", "赵子", SON1, "子"),
            person("H2", "钱二", HEAD2), person("H3", "孙三", HEAD3)]


def house(id_number: str | None, grade: str | None, household: str | None = None, **fields) -> dict:
    return {"户编号": household, "证件号码": id_number, "鉴定等级": grade, **fields}


def test_HOU01_fires_when_every_row_is_unsafe():
    ctx = context(system(), housing=[house(HEAD1, "D"), house(SON1, "C"), house(HEAD2, "A"), house(HEAD3, "B")])
    found = fired(run(ctx, "housing"), "HOU01")
    assert found["household_id"].tolist() == ["H1"]
    row = found.iloc[0]
    assert (row["id_number"], row["name"], row["actual"], row["source"]) == (HEAD1, "赵一", "C、D", "housing")
    assert "赵一户" in row["message"] and HEAD1 not in row["message"]


def test_HOU01_not_when_one_row_is_safe_among_unsafe_ones():
    # the member's row links by ID; the A row links by 户编号 although its ID is nobody's
    ctx = context(system(), housing=[house(SON1, "D"), house(make_id(seq="999"), "A", household="H1"),
                                     house(HEAD2, "A"), house(HEAD3, "A")])
    assert fired(run(ctx, "housing"), "HOU01").empty


@pytest.mark.parametrize("fields", [{"竣工验收": True}, {"保障方式": "易地搬迁"}, {"保障方式": "投靠亲友"}])
def test_HOU01_not_when_renovated_or_otherwise_housed(fields):
    ctx = context(system(), housing=[house(HEAD1, "D", **fields), house(HEAD2, "A"), house(HEAD3, "A")])
    assert fired(run(ctx, "housing"), "HOU01").empty


def test_HOU01_not_on_unknown_grade():
    ctx = context(system(), housing=[house(HEAD1, None), house(HEAD2, "A"), house(HEAD3, "A")])
    assert fired(run(ctx, "housing"), "HOU01").empty


def test_HOU02_fires_both_ways_and_not_on_unknown_flag():
    rows = [person("H1", "赵一", HEAD1, 住房安全=True), person("H2", "钱二", HEAD2, 住房安全=False),
            person("H3", "孙三", HEAD3, 住房安全=None)]
    ctx = context(rows, housing=[house(HEAD1, "D"), house(HEAD2, "B"), house(HEAD3, "D")])
    found = fired(run(ctx, "housing"), "HOU02").sort_values("household_id")
    assert found["household_id"].tolist() == ["H1", "H2"]
    assert found["actual"].tolist() == ["是", "否"] and found["expected"].tolist() == ["否", "是"]


def test_HOU03_fires_for_household_without_housing_row():
    ctx = context(system(), housing=[house(HEAD1, "A"), house(HEAD2, "A")])
    found = fired(run(ctx, "housing"), "HOU03")
    assert found["household_id"].tolist() == ["H3"]
    assert found.loc[0, "source"] == "system|housing"


def test_housing_rules_only_for_registered_households():
    rows = system() + [person("H4", "周四", make_id(birth="19730101", seq="041"), 户类型="一般农户")]
    ctx = context(rows, housing=[house(HEAD1, "A"), house(HEAD2, "A"), house(HEAD3, "A")])
    assert fired(run(ctx, "housing"), "HOU03").empty


def test_HOU02_skips_without_住房安全():
    result = run(context(system(), housing=[house(HEAD1, "A")]), "housing")
    assert "HOU02" in set(result.skipped["rule"])
