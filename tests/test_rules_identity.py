"""Identity and household structure rules (RULES.md ID01–ID07, HH01–HH03,
LED01, HUK01), run through checks.rules.run.run_rules on matched core frames."""
from __future__ import annotations

import pandas as pd

from checks.rules.run import run_rules
from factories import make_id
from recon.ids import mask_id
from rule_helpers import context, found

HEAD, WIFE = make_id(seq="011"), make_id(seq="022")
OTHER_HEAD, OTHER_WIFE = make_id(seq="051"), make_id(seq="062")
VILLAGE = dict(乡镇="镇A", 行政村="村1")


def person(household, name, id_number, relation, **fields) -> dict:
    return dict(户编号=household, 姓名=name, 证件号码=id_number, 与户主关系=relation, **VILLAGE) | fields


def system_rows(**wife) -> list[dict]:
    return [person("H1", "张三", HEAD, "户主", 户类型="脱贫户", 人数=2),
            person("H1", "李四", WIFE, "配偶", 户类型="脱贫户", 人数=2) | wife]


def ledger_rows(**wife) -> list[dict]:
    return [person("L1", "张三", HEAD, "户主", 户类型="脱贫户", 人数=2),
            person("L1", "李四", WIFE, "配偶", 户类型="脱贫户", 人数=2) | wife]


def identity(ctx, code) -> pd.DataFrame:
    return found(ctx, code, "identity")


def test_matching_records_give_no_identity_findings():
    run = run_rules(context(system_rows(), ledger_rows()), groups=("identity",))
    assert run.findings.empty


# ID01 ---------------------------------------------------------------------

def test_id01_invalid_and_empty_ids_one_finding_per_row_with_masked_message():
    broken = WIFE[:-1] + ("1" if WIFE[-1] != "1" else "2")
    ctx = context(system_rows(证件号码=broken), ledger_rows(证件号码=""))
    hits = identity(ctx, "ID01").set_index("source")
    assert set(hits.index) == {"system", "ledger"}
    assert hits.loc["system", "id_number"] == broken and hits.loc["system", "row"] == 3
    assert hits.loc["system", "file"] == "x.xlsx#Sheet1"
    assert "校验位错误" in hits.loc["system", "message"] and broken not in hits.loc["system", "message"]
    assert mask_id(pd.Series([broken])).iloc[0] in hits.loc["system", "message"]
    assert "为空" in hits.loc["ledger", "message"]


def test_id01_not_for_lowercase_x_or_valid_15_digit_form():
    with_x = next(i for i in (make_id(seq=f"{n:03d}") for n in range(100, 200)) if i.endswith("X"))
    fifteen = WIFE[:6] + WIFE[8:17]
    ctx = context(system_rows() + [person("H1", "张小", with_x, "子", 户类型="脱贫户", 人数=2)],
                  ledger_rows(证件号码=fifteen) + [person("L1", "张小", with_x.lower(), "子")])
    assert identity(ctx, "ID01").empty
    # They link as persons too: no one is missing on either side.
    assert identity(ctx, "ID04").empty and identity(ctx, "ID05").empty


def test_id01_suggests_the_one_same_name_person_of_the_village_from_another_source():
    ctx = context(system_rows(), ledger_rows(证件号码="430321199001010000"))
    hit = identity(ctx, "ID01").iloc[0]
    assert hit["expected"] == WIFE and hit["source"] == "ledger"
    assert "疑似正确证件号码为 " + mask_id(pd.Series([WIFE])).iloc[0] + "（系统建议，请核实）" in hit["message"]
    assert WIFE not in hit["message"]


def test_id01_suggests_a_one_character_name_variant_as_a_suggestion():
    ctx = context(system_rows(), ledger_rows(证件号码="430321199001010000", 姓名="李思"))
    hit = identity(ctx, "ID01").iloc[0]
    assert hit["expected"] == WIFE and "姓名相近" in hit["message"]


def test_id01_no_suggestion_when_name_is_ambiguous_in_another_village_or_birth_differs():
    twin = make_id(birth="19850505", seq="042")
    two_li_si = system_rows() + [person("H1", "李四", twin, "女", 户类型="脱贫户", 人数=2)]
    ambiguous = identity(context(two_li_si, ledger_rows(证件号码="bad")), "ID01").iloc[0]
    # A ledger household of its own in 村2 (its rows are placed by the system household they map to).
    alone_in_village2 = ledger_rows() + [person("L2", "李四", "bad", "户主", 行政村="村2")]
    elsewhere = identity(context(system_rows(), alone_in_village2), "ID01").iloc[0]
    other_birth = identity(context(system_rows(), ledger_rows(证件号码="bad", 出生日期="1970-01-01")), "ID01").iloc[0]
    for hit in (ambiguous, elsewhere, other_birth):
        assert pd.isna(hit["expected"]) and "疑似" not in hit["message"]


def test_id01_suggestion_from_a_sector_source_with_villages():
    hukou = [dict(姓名="李四", 证件号码=WIFE, 户籍状态="正常", **VILLAGE)]
    no_village = [dict(姓名="李四", 证件号码=WIFE, 户籍状态="正常")]
    ctx = context(system_rows(证件号码="bad"), ledger_rows(证件号码="bad"), hukou=hukou)
    assert (identity(ctx, "ID01")["expected"] == WIFE).all()
    # A name alone (a source without 乡镇/行政村) is not enough.
    ctx = context(system_rows(证件号码="bad"), ledger_rows(证件号码="bad"), hukou=no_village)
    assert identity(ctx, "ID01")["expected"].isna().all()


# ID02 ---------------------------------------------------------------------

def test_id02_one_finding_per_source_for_a_doubled_id():
    system = system_rows() + [person("H2", "李四", WIFE, "户主", 户类型="脱贫户", 人数=1)] * 2
    ledger = ledger_rows() + [person("L1", "李四", WIFE, "女")]
    hits = identity(context(system, ledger), "ID02")
    assert sorted(hits["source"]) == ["ledger", "system"]
    assert (hits["id_number"] == WIFE).all()
    assert hits.set_index("source").loc["system", "actual"] == "3"


# ID03 ---------------------------------------------------------------------

def test_id03_names_differ_between_system_and_ledger():
    hit = identity(context(system_rows(), ledger_rows(姓名="李娟")), "ID03")
    assert hit[["id_number", "expected", "actual"]].values.tolist() == [[WIFE, "李四", "李娟"]]


def test_id03_not_for_whitespace_full_width_or_middle_dot_variants():
    for system_name, ledger_name in (("李四", "李 四"), ("李四", "李\u3000四"), ("李Ａ", "李A"),
                                     ("阿依·买买提", "阿依•买买提"), ("阿依·买买提", "阿依．买买提")):
        ctx = context(system_rows(姓名=system_name), ledger_rows(姓名=ledger_name))
        assert identity(ctx, "ID03").empty, (system_name, ledger_name)


# ID04 / LED01 -------------------------------------------------------------

def test_id04_registered_member_missing_from_ledger_of_their_village():
    hits = identity(context(system_rows(), ledger_rows()[:1]), "ID04")
    assert hits["id_number"].tolist() == [WIFE] and hits["household_id"].tolist() == ["H1"]


def test_led01_one_finding_for_a_village_without_ledger_rows_and_no_id04_there():
    elsewhere = [person("H2", "王五", OTHER_HEAD, "户主", 户类型="监测户", 人数=2, 行政村="村2"),
                 person("H2", "赵六", OTHER_WIFE, "配偶", 户类型="监测户", 人数=2, 行政村="村2")]
    ctx = context(system_rows() + elsewhere, ledger_rows())
    led = identity(ctx, "LED01")
    assert led[["township", "village"]].values.tolist() == [["镇A", "村2"]]
    assert identity(ctx, "ID04").empty


def test_id04_and_led01_not_for_unregistered_households():
    general = [person("H2", "王五", OTHER_HEAD, "户主", 户类型="一般农户", 人数=1, 行政村="村2"),
               person("H3", "赵六", OTHER_WIFE, "户主", 户类型="一般农户", 人数=1)]
    ctx = context(system_rows() + general, ledger_rows())
    assert identity(ctx, "LED01").empty and identity(ctx, "ID04").empty


# ID05 ---------------------------------------------------------------------

def test_id05_ledger_person_missing_from_system():
    newcomer = make_id(birth="20200101", seq="071")
    hits = identity(context(system_rows(), ledger_rows() + [person("L1", "张新", newcomer, "子")]), "ID05")
    assert hits["id_number"].tolist() == [newcomer] and hits["household_id"].tolist() == ["H1"]


def test_id05_not_for_unmapped_ledger_household_calling_itself_general():
    general = [person("L9", "王五", OTHER_HEAD, "户主", 户类型="一般农户")]
    assert identity(context(system_rows(), ledger_rows() + general), "ID05").empty


# ID06 ---------------------------------------------------------------------

def test_id06_ledger_puts_person_in_another_system_household():
    system = system_rows() + [person("H2", "王五", OTHER_HEAD, "户主", 户类型="脱贫户", 人数=1)]
    ledger = [ledger_rows()[0], person("L2", "王五", OTHER_HEAD, "户主"), person("L2", "李四", WIFE, "配偶")]
    hits = identity(context(system, ledger), "ID06")
    assert hits[["id_number", "expected", "actual"]].values.tolist() == [[WIFE, "H1", "H2"]]


# ID07 ---------------------------------------------------------------------

def test_id07_sex_or_birth_date_contradicting_the_id_per_source():
    ctx = context(system_rows(性别="男"), ledger_rows(出生日期="1990-02-01"))
    hits = identity(ctx, "ID07").set_index("source")
    assert hits.loc["system", ["field", "expected", "actual"]].tolist() == ["性别", "女", "男"]
    assert hits.loc["ledger", ["field", "expected", "actual"]].tolist() == ["出生日期", "1990-01-01", "1990-02-01"]


def test_id07_not_when_consistent_or_unknown():
    ctx = context(system_rows(性别="女", 出生日期="1990-01-01"), ledger_rows(性别=None, 出生日期=None))
    assert identity(ctx, "ID07").empty


# HH01 / HH02 / HH03 -------------------------------------------------------

def test_hh01_recorded_size_differs_from_member_rows_each_source():
    system = [row | {"人数": 3} for row in system_rows()]
    hits = identity(context(system, [row | {"人数": 5} for row in ledger_rows()]), "HH01").set_index("source")
    assert hits.loc["system", ["household_id", "expected", "actual"]].tolist() == ["H1", "2", "3"]
    assert hits.loc["ledger", ["household_id", "actual"]].tolist() == ["H1", "5"]


def test_hh01_not_when_size_unknown():
    ctx = context([row | {"人数": None} for row in system_rows()], ledger_rows())
    assert identity(ctx, "HH01").empty


def test_hh02_head_count_not_one_each_source():
    system = system_rows(与户主关系="户主")
    ledger = [person("L1", "张三", HEAD, "父", 户类型="脱贫户"), person("L1", "李四", WIFE, "母", 户类型="脱贫户")]
    hits = identity(context(system, ledger), "HH02").set_index("source")
    assert hits.loc["system", "actual"] == "2" and hits.loc["ledger", "actual"] == "0"
    assert hits.loc["ledger", "household_id"] == "H1"


def test_hh03_one_finding_per_differing_field():
    system = [row | {"户类型": "监测户", "风险是否消除": True} for row in system_rows()]
    ledger = [row | {"户类型": "脱贫户", "风险是否消除": False} for row in ledger_rows()]
    hits = identity(context(system, ledger), "HH03").set_index("field")
    assert hits.loc["户类型", ["expected", "actual"]].tolist() == ["监测户", "脱贫户"]
    assert hits.loc["风险是否消除", ["expected", "actual"]].tolist() == ["是", "否"]


def test_hh03_not_when_one_side_unknown():
    system = [row | {"户类型": "监测户", "风险是否消除": True} for row in system_rows()]
    ledger = [row | {"户类型": None, "风险是否消除": None} for row in ledger_rows()]
    assert identity(context(system, ledger), "HH03").empty


# HUK01 --------------------------------------------------------------------

def test_huk01_member_deregistered_on_or_before_as_of_date():
    hukou = [dict(证件号码=WIFE, 户籍状态="死亡注销", 注销日期="2025-06-30"),
             dict(证件号码=HEAD, 户籍状态="迁出注销", 注销日期="2025-07-01"),
             dict(证件号码=OTHER_HEAD, 户籍状态="死亡注销", 注销日期=None)]
    hits = identity(context(system_rows(), ledger_rows(), hukou=hukou), "HUK01")
    assert hits["id_number"].tolist() == [WIFE] and hits["source"].tolist() == ["system|hukou"]


def test_huk01_skipped_without_hukou_source():
    run = run_rules(context(system_rows(), ledger_rows()), groups=("identity",), codes=("HUK01",))
    assert "HUK01" in run.skipped["rule"].tolist()


def test_hh01_unmapped_ledger_household_without_number_is_named_by_masked_head_id():
    stranger = make_id(birth="19700101", seq="091")
    ledger = ledger_rows() + [dict(姓名="孙七", 证件号码=stranger, 与户主关系="户主", 人数=3, **VILLAGE)]
    ledger = [{k: v for k, v in row.items() if k != "户编号"} for row in ledger]
    hits = identity(context(system_rows(), ledger), "HH01")
    label = hits["household_id"].tolist()
    assert label == ["台账:" + mask_id(pd.Series([stranger])).iloc[0]] and stranger not in label[0]
