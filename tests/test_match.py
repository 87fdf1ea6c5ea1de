"""recon.match (CONTRACT.md §3, docs/internals.md §Matching): households from
the system's 户编号, ledger households from 户编号 / 户主证件号码 / row order,
mapped to system households by people."""
from __future__ import annotations

import pandas as pd

from factories import core, make_id
from recon.match import match

HEAD, WIFE, SON = make_id(seq="011"), make_id(seq="022"), make_id(birth="20100101", seq="031")
OTHER_HEAD, OTHER_WIFE = make_id(seq="051"), make_id(seq="062")


def system_rows() -> list[dict]:
    place = dict(乡镇="镇A", 行政村="村1")
    return [
        # The head is not the first row: household fields come from the head row.
        dict(户编号="H1", 姓名="李四", 证件号码=WIFE, 与户主关系="配偶", 户类型="一般农户", 人数=9, **place),
        dict(户编号="H1", 姓名="张三", 证件号码=HEAD, 与户主关系="户主", 户类型="脱贫户", 人数=3, **place),
        dict(户编号="H1", 姓名="张小", 证件号码=SON, 与户主关系="子", 户类型="脱贫户", 人数=3, **place),
        dict(户编号="H2", 姓名="王五", 证件号码=OTHER_HEAD, 与户主关系="户主", 户类型="一般农户", 人数=2, **place),
        dict(户编号="H2", 姓名="赵六", 证件号码=OTHER_WIFE, 与户主关系="配偶", 户类型="一般农户", 人数=2, **place),
    ]


def test_households_read_household_fields_from_head_row():
    households = match(core("system", system_rows()), core("ledger", [dict(姓名="张三", 证件号码=HEAD, 与户主关系="户主")])).households
    first = households.set_index("household_id").loc["H1"]
    assert (first["head_id"], first["head_name"], first["户类型"], first["人数"]) == (HEAD, "张三", "脱贫户", 3)
    assert bool(first["registered"]) and first["member_rows"] == 3 and first["head_count"] == 1
    assert (first["township"], first["village"]) == ("镇A", "村1")
    assert not households.set_index("household_id").loc["H2", "registered"]
    # Only household fields the frame has: no 人均纯收入 column invented.
    assert "人均纯收入" not in households.columns and "户类型" in households.columns


def test_households_without_head_read_first_row():
    system = core("system", [dict(户编号="H9", 姓名="甲", 证件号码=HEAD, 与户主关系="配偶", 户类型="监测户"),
                             dict(户编号="H9", 姓名="乙", 证件号码=WIFE, 与户主关系="子", 户类型="脱贫户")])
    row = match(system, core("ledger", [], columns=["姓名", "证件号码", "与户主关系"])).households.iloc[0]
    assert row["户类型"] == "监测户" and row["head_count"] == 0 and pd.isna(row["head_id"])


def test_ledger_own_household_number_maps_by_head_id_not_by_number_string():
    # The ledger numbers its households its own way; "H2" here is the system's H1.
    ledger = core("ledger", [dict(户编号="H2", 姓名="张三", 证件号码=HEAD, 与户主关系="户主"),
                             dict(户编号="H2", 姓名="李四", 证件号码=WIFE, 与户主关系="配偶")])
    matched = match(core("system", system_rows()), ledger)
    assert matched.ledger["ledger_household"].tolist() == ["H2", "H2"]
    assert matched.ledger["household_id"].tolist() == ["H1", "H1"]
    assert matched.ledger_households.set_index("ledger_household").loc["H2", "household_id"] == "H1"
    assert matched.system["household_id"].tolist() == ["H1", "H1", "H1", "H2", "H2"]


def test_ledger_without_household_number_uses_head_id_column():
    ledger = core("ledger", [dict(姓名="李四", 证件号码=WIFE, 与户主关系="配偶", 户主证件号码=HEAD),
                             dict(姓名="王五", 证件号码=OTHER_HEAD, 与户主关系="户主", 户主证件号码=OTHER_HEAD),
                             dict(姓名="张三", 证件号码=HEAD, 与户主关系="户主", 户主证件号码=HEAD)])
    matched = match(core("system", system_rows()), ledger)
    assert matched.ledger["ledger_household"].tolist() == [HEAD, OTHER_HEAD, HEAD]
    assert matched.ledger["household_id"].tolist() == ["H1", "H2", "H1"]


def test_ledger_without_household_columns_follows_row_order_per_sheet():
    sheet1 = core("ledger", [dict(姓名="张三", 证件号码=HEAD, 与户主关系="户主"),
                             dict(姓名="李四", 证件号码=WIFE, 与户主关系="配偶"),
                             dict(姓名="王五", 证件号码=OTHER_HEAD, 与户主关系="户主"),
                             dict(姓名="赵六", 证件号码=OTHER_WIFE, 与户主关系="配偶")], file="a.xlsx")
    # A second file starting with a member row: it does not join the last household of a.xlsx.
    sheet2 = core("ledger", [dict(姓名="张小", 证件号码=SON, 与户主关系="子")], file="b.xlsx")
    matched = match(core("system", system_rows()), pd.concat([sheet1, sheet2], ignore_index=True))
    assert matched.ledger["household_id"].tolist()[:4] == ["H1", "H1", "H2", "H2"]
    assert matched.ledger["ledger_household"].tolist()[:4] == [HEAD, HEAD, OTHER_HEAD, OTHER_HEAD]
    assert pd.isna(matched.ledger["ledger_household"].iloc[4])


def test_ledger_household_without_known_head_maps_to_most_members():
    stranger = make_id(seq="099")
    ledger = core("ledger", [dict(户编号="L1", 姓名="某某", 证件号码=stranger, 与户主关系="户主"),
                             dict(户编号="L1", 姓名="李四", 证件号码=WIFE, 与户主关系="配偶"),
                             dict(户编号="L1", 姓名="张小", 证件号码=SON, 与户主关系="子"),
                             dict(户编号="L1", 姓名="赵六", 证件号码=OTHER_WIFE, 与户主关系="女"),
                             dict(户编号="L2", 姓名="无名", 证件号码=make_id(seq="088"), 与户主关系="户主")])
    mapping = match(core("system", system_rows()), ledger).ledger_households.set_index("ledger_household")["household_id"]
    assert mapping["L1"] == "H1"
    assert pd.isna(mapping["L2"])


def test_people_table_links_each_person_to_their_first_rows_and_households():
    ledger = core("ledger", [dict(户编号="L9", 姓名="张三", 证件号码=HEAD, 与户主关系="户主"),
                             dict(户编号="L9", 姓名="新人", 证件号码=make_id(seq="077"), 与户主关系="子")])
    matched = match(core("system", system_rows()), ledger)
    people = matched.people.set_index("id_number")
    households = matched.households["household_id"]
    head = people.loc[HEAD]
    assert (head["system_row"], head["ledger_row"]) == (1, 0)
    assert households[head["household"]] == "H1" and households[head["ledger_household"]] == "H1"
    newcomer = people.loc[make_id(seq="077")]
    assert newcomer["system_row"] == -1 and newcomer["household"] == -1 and households[newcomer["ledger_household"]] == "H1"
    assert people.loc[OTHER_WIFE, "ledger_row"] == -1
    # The integer codes on the rows say the same as the strings.
    system = matched.system
    assert (households[system["_household"]].to_numpy() == system["household_id"].to_numpy()).all()
    assert (matched.ledger["_household"] == head["household"]).all()


def test_ledger_rows_follow_the_head_before_them_in_row_order_not_frame_order():
    rows = core("ledger", [dict(姓名="张三", 证件号码=HEAD, 与户主关系="户主"),
                           dict(姓名="李四", 证件号码=WIFE, 与户主关系="配偶"),
                           dict(姓名="王五", 证件号码=OTHER_HEAD, 与户主关系="户主"),
                           dict(姓名="赵六", 证件号码=OTHER_WIFE, 与户主关系="配偶")])
    shuffled = rows.iloc[[3, 1, 2, 0]]   # frame order is not the sheet's row order
    matched = match(core("system", system_rows()), shuffled)
    assert matched.ledger["ledger_household"].tolist() == [OTHER_HEAD, HEAD, OTHER_HEAD, HEAD]
    assert matched.ledger["household_id"].tolist() == ["H2", "H1", "H2", "H1"]


def test_ledger_household_with_tied_member_votes_maps_to_the_smallest_household_number():
    ledger = core("ledger", [dict(户编号="L1", 姓名="某某", 证件号码=make_id(seq="099"), 与户主关系="户主"),
                             dict(户编号="L1", 姓名="赵六", 证件号码=OTHER_WIFE, 与户主关系="女"),
                             dict(户编号="L1", 姓名="李四", 证件号码=WIFE, 与户主关系="配偶")])
    mapping = match(core("system", system_rows()), ledger).ledger_households.set_index("ledger_household")["household_id"]
    assert mapping["L1"] == "H1"   # one member each in H1 and H2


def test_match_leaves_the_callers_frames_as_they_were():
    system = core("system", system_rows())
    ledger = core("ledger", [dict(户编号="L9", 姓名="张三", 证件号码=HEAD, 与户主关系="户主")])
    before = system.copy(), ledger.copy()
    first = match(system, ledger)
    again = match(first.system, first.ledger)   # matching matched frames: their codes are replaced, not shared
    pd.testing.assert_frame_equal(system, before[0])
    pd.testing.assert_frame_equal(ledger, before[1])
    pd.testing.assert_frame_equal(again.households, first.households)
    assert again.system["household_id"].tolist() == first.system["household_id"].tolist()
