"""WAT01–WAT03 (RULES.md §Drinking water)."""
from rule_helpers import context, fired, make_id, person, run

HEAD1 = make_id(birth="19700101", seq="011")
SON1 = make_id(birth="19950101", seq="013")
HEAD2 = make_id(birth="19710101", seq="021")
HEAD3 = make_id(birth="19720101", seq="031")
OK = {"水量达标": True, "水质达标": True, "用水方便达标": True, "供水保证率达标": True}


def system(**flags) -> list[dict]:
    """H1, H2 in 新村; H3 in 老村."""
    return [person("H1", "赵一", HEAD1, 饮水安全=flags.get("H1")), person("H1", "赵子", SON1, "子"),
            person("H2", "钱二", HEAD2, 饮水安全=flags.get("H2")),
            person("H3", "孙三", HEAD3, 行政村="老村", 饮水安全=flags.get("H3"))]


def water(village: str = "新村", id_number: str | None = None, household: str | None = None, **fields) -> dict:
    return {"乡镇": "城关镇", "行政村": village, "户编号": household, "证件号码": id_number, **OK, **fields}


def test_WAT01_fires_on_unsafe_household_row():
    ctx = context(system(), water=[water(id_number=SON1, 水质达标=False), water(), water("老村")])
    found = fired(run(ctx, "water"), "WAT01")
    assert found["household_id"].tolist() == ["H1"]
    row = found.iloc[0]
    assert (row["id_number"], row["name"], row["source"]) == (HEAD1, "赵一", "water")
    assert SON1 not in row["message"] and HEAD1 not in row["message"]


def test_WAT01_from_village_rows_when_household_has_none():
    ctx = context(system(), water=[water(), water(是否饮水安全=False), water("老村")])
    assert sorted(fired(run(ctx, "water"), "WAT01")["household_id"]) == ["H1", "H2"]


def test_WAT01_household_row_overrides_unsafe_village():
    ctx = context(system(), water=[water(水量达标=False), water(household="H1"), water(id_number=HEAD2),
                                   water("老村")])
    assert fired(run(ctx, "water"), "WAT01").empty


def test_WAT01_one_safe_household_row_is_enough():
    ctx = context(system(), water=[water(id_number=HEAD1, 水质达标=False), water(household="H1"),
                                   water(), water("老村")])
    assert fired(run(ctx, "water"), "WAT01").empty


def test_WAT01_WAT02_not_when_verdict_rests_on_unknown_cell():
    # H1's row: three 是, one unknown → not known safe, not known unsafe.
    ctx = context(system(H1=True), water=[water(id_number=HEAD1, 水量达标=None), water(), water("老村")])
    result = run(ctx, "water")
    assert fired(result, "WAT01").empty and fired(result, "WAT02").empty


def test_WAT02_fires_when_system_flag_disagrees_with_verdict():
    ctx = context(system(H1=True, H2=False, H3=None),
                  water=[water(id_number=HEAD1, 供水保证率达标=False), water(household="H2"),
                         water("老村", 水质达标=False)])
    found = fired(run(ctx, "water"), "WAT02").sort_values("household_id")
    # H3 is unsafe too but its 饮水安全 is unknown: no WAT02
    assert found["household_id"].tolist() == ["H1", "H2"]
    assert found["actual"].tolist() == ["是", "否"] and found["source"].tolist() == ["system|water"] * 2


def test_WAT03_fires_without_household_or_village_row():
    ctx = context(system(), water=[water(id_number=HEAD1)])
    found = fired(run(ctx, "water"), "WAT03")
    assert sorted(found["household_id"]) == ["H2", "H3"]  # H2's village has no village row, only H1's row


def test_WAT02_skips_without_饮水安全():
    rows = [person("H1", "赵一", HEAD1)]
    result = run(context(rows, water=[water()]), "water")
    assert "WAT02" in set(result.skipped["rule"])
