"""Raw frames → core frames (recon/normalise.py, docs/internals.md §Core frames)."""
from __future__ import annotations

import datetime as dt

import pandas as pd

from recon.normalise import normalise
from recon.read import read_source
from factories import AS_OF, make_id
from files import write_xlsx

HEAD = make_id("430321", "19700101", "111")          # 430321197001011113-like, valid
CHILD15 = "430321" + "000101" + "222"                 # a 15-digit ID of someone born 1900-01-01
CHILD = make_id("430321", "19000101", "222")


def raw(source: str, rows: list[dict], file: str = "x.xlsx") -> pd.DataFrame:
    """A raw frame as recon.read makes it: text cells ("" for empty),
    `_num_` flags for ID columns and provenance."""
    frame = pd.DataFrame.from_records(rows).fillna("").astype(str)
    for column in ("证件号码", "户主证件号码"):
        if column in frame.columns:
            flags = [bool(row.get(f"_num_{column}", False)) for row in rows]
            frame[f"_num_{column}"] = flags
    frame["_path"] = f"{source}/{file}"
    frame["_file"] = f"{file}#Sheet1"
    frame["_sheet"] = "Sheet1"
    frame["_row"] = range(3, len(frame) + 3)
    return frame


def test_core_frame_dtypes_follow_the_value_kinds():
    frame, problems = normalise("system", raw("system", [{
        "户编号": "H1", "姓名": " 张三 ", "证件号码": HEAD, "与户主关系": "户主", "性别": "男", "出生日期": "1970-01-01",
        "人数": "3", "户类型": "脱贫户", "纳入监测时间": "202305", "风险是否消除": "是", "工资性收入": "12,000元",
        "健康状况": "健康", "乡镇": " 镇A ",
    }]), AS_OF)
    assert problems.empty
    dtypes = frame.dtypes.astype(str).to_dict()
    assert dtypes["人数"] == "Int64" and dtypes["工资性收入"] == "Float64" and dtypes["风险是否消除"] == "boolean"
    assert dtypes["出生日期"] == "datetime64[ns]" and dtypes["纳入监测时间"] == "datetime64[ns]"
    assert dtypes["乡镇"] == "string" and dtypes["户类型"] == "string" and dtypes["_id_valid"] == "bool"
    row = frame.iloc[0]
    assert row["纳入监测时间"] == pd.Timestamp("2023-05-01") and row["工资性收入"] == 12000.0
    assert row["姓名"] == "张三" and row["_name_key"] == "张三" and row["乡镇"] == "镇A"
    assert list(frame[["_path", "_file", "_sheet", "_row"]].iloc[0]) == ["system/x.xlsx", "x.xlsx#Sheet1", "Sheet1", 3]


def test_empty_cells_are_unknown_never_no_or_zero():
    frame, problems = normalise("system", raw("system", [{"证件号码": HEAD, "风险是否消除": "", "工资性收入": "",
                                                          "人数": ""}]), AS_OF)
    assert frame[["风险是否消除", "工资性收入", "人数"]].isna().all(axis=None) and problems.empty


def test_id_normalisation_of_contract_3():
    cells = [CHILD15, "４３０３２１" + HEAD[6:], HEAD[:17] + "x" if HEAD[17] == "X" else HEAD + ".0", " " + HEAD + " "]
    frame, _ = normalise("system", raw("system", [{"证件号码": cell} for cell in cells]), AS_OF)
    assert frame["证件号码"].tolist() == [CHILD, HEAD, HEAD, HEAD]
    assert frame["_id_valid"].all() and frame["_id_problem"].isna().all()
    assert frame["_id_raw"].tolist() == cells


def test_lowercase_x_check_digit_is_upper_cased():
    with_x = next(i for i in (make_id(seq=f"{n:03d}") for n in range(200)) if i.endswith("X"))
    frame, _ = normalise("ledger", raw("ledger", [{"证件号码": with_x.lower()}]), AS_OF)
    assert frame["证件号码"].iloc[0] == with_x and frame["_id_valid"].iloc[0]


def test_18_digit_id_from_a_number_cell_is_invalid_even_with_a_fitting_check_digit():
    frame, problems = normalise("system", raw("system", [{"证件号码": HEAD, "_num_证件号码": True}]), AS_OF)
    assert not frame["_id_valid"].iloc[0] and frame["_id_problem"].iloc[0] == "证件号码存为数字格式，后几位已丢失"
    assert problems.empty  # in system/ledger an invalid ID is finding ID01, not an input problem


def test_invalid_id_in_a_sector_source_is_an_input_problem_without_its_digits():
    wrong_check = HEAD[:17] + ("0" if HEAD[17] != "0" else "1")
    frame, problems = normalise("education", raw("education", [
        {"姓名": "李四", "证件号码": wrong_check, "学籍状态": "在读"},
        {"姓名": "王五", "证件号码": HEAD, "学籍状态": "在读"},
    ]), AS_OF)
    assert len(frame) == 2
    assert problems[["file", "sheet", "row", "column"]].values.tolist() == [["education/x.xlsx", "Sheet1", 3, "证件号码"]]
    assert problems["problem"].iloc[0].startswith("证件号码无效（校验位错误）")
    assert HEAD[:14] not in problems.to_csv() and "李四" not in problems.to_csv()


def test_water_village_rows_without_id_are_not_problems():
    _, problems = normalise("water", raw("water", [{"乡镇": "镇A", "行政村": "村1", "证件号码": "", "水量达标": "是"}]), AS_OF)
    assert problems.empty


def test_head_id_of_the_ledger_is_normalised_too():
    frame, _ = normalise("ledger", raw("ledger", [{"证件号码": CHILD, "户主证件号码": CHILD15}]), AS_OF)
    assert frame["户主证件号码"].iloc[0] == CHILD


def test_weifang_hu_yes_means_housing_not_safe():
    frame, _ = normalise("system", raw("system", [
        {"证件号码": HEAD, "是否危房户": "是", "住房安全": ""},
        {"证件号码": HEAD, "是否危房户": "否", "住房安全": ""},
        {"证件号码": HEAD, "是否危房户": "是", "住房安全": "是"},  # the own answer wins
        {"证件号码": HEAD, "是否危房户": "", "住房安全": ""},
    ]), AS_OF)
    assert frame["住房安全"].tolist() == [False, True, True, pd.NA]


def test_weifang_hu_alone_gives_the_housing_column():
    frame, _ = normalise("system", raw("system", [{"证件号码": HEAD, "是否危房户": "是"}]), AS_OF)
    assert frame["住房安全"].tolist() == [False]


def test_unreadable_cells_become_na_and_problems_with_location_and_quoted_value():
    frame, problems = normalise("system", raw("system", [
        {"证件号码": HEAD, "出生日期": "2023/13/45", "户类型": "1", "与户主关系": "之子"},
        {"证件号码": HEAD, "出生日期": "1990-01-01", "户类型": "普通农户", "与户主关系": "户主"},
    ]), AS_OF)
    assert len(frame) == 2 and frame["出生日期"].isna().tolist() == [True, False]
    assert frame["户类型"].tolist() == [pd.NA, "一般农户"] and frame["与户主关系"].tolist() == ["子", "户主"]
    assert problems.to_dict("records") == [
        {"file": "system/x.xlsx", "sheet": "Sheet1", "row": 3, "column": "出生日期", "problem": "无法识别的日期：'2023/13/45'"},
        {"file": "system/x.xlsx", "sheet": "Sheet1", "row": 3, "column": "户类型", "problem": "不在取值范围内：'1'"},
    ]


def test_a_real_xlsx_through_the_reader(tmp_path):
    write_xlsx(tmp_path / "system" / "镇A.xlsx", {"Sheet1": [
        ["XX县2024年脱贫户家庭成员信息表"],
        ["户编号", "姓名", "证件号码", "与户主关系", "出生日期", "人数", "是否危房户", "家庭纯收入"],
        [430321100001, "张三", HEAD, "户主", dt.date(1970, 1, 1), 2, "是", 12345.6],
        [430321100001, "张小", int(CHILD), "之子", "1900.1.1", "2人", "否", ""],
    ]})
    read = read_source(tmp_path, "system")
    frame, problems = normalise("system", read.frame, AS_OF)
    assert problems.empty
    assert frame["户编号"].tolist() == ["430321100001"] * 2
    assert frame["_id_valid"].tolist() == [True, False]  # the child's ID was a number cell
    assert frame["出生日期"].tolist() == [pd.Timestamp("1970-01-01"), pd.Timestamp("1900-01-01")]
    assert frame["人数"].tolist() == [2, 2] and frame["住房安全"].tolist() == [False, True]
    assert frame["家庭纯收入"].tolist() == [12345.6, pd.NA]
    assert frame["_row"].tolist() == [3, 4]


def test_id_whitespace_of_any_width_inside_the_cell_is_removed():
    cells = [HEAD[:6] + "\u3000" + HEAD[6:], HEAD[:6] + "\u00a0" + HEAD[6:14] + "\n" + HEAD[14:], "\ufeff" + HEAD]
    frame, _ = normalise("system", raw("system", [{"证件号码": cell} for cell in cells]), AS_OF)
    assert frame["证件号码"].tolist() == [HEAD] * 3 and frame["_id_valid"].all()


def test_15_digit_id_with_an_impossible_birth_date_is_not_converted_and_invalid():
    frame, _ = normalise("system", raw("system", [{"证件号码": "430321901301123"}]), AS_OF)
    assert frame["证件号码"].iloc[0] == "430321901301123" and not frame["_id_valid"].iloc[0]


def test_unlisted_relation_and_poverty_cause_are_input_problems_and_the_rules_still_run():
    """CONTRACT.md §2.1–2.2 value lists: a label outside them is reported with its
    cell; the row flows on (the relation as written, the cause unknown)."""
    from rule_helpers import context, fired, make_id, person, run
    raw = pd.DataFrame({"户编号": ["H1", "H1"], "姓名": ["张三", "张四"], "证件号码": [make_id(seq="011"), make_id(seq="021")],
                        "与户主关系": ["户主", "干儿子"], "致贫原因": ["因穷", "因病"], "_path": "system/a.xlsx",
                        "_file": "a.xlsx#Sheet1", "_sheet": "Sheet1", "_row": [3, 4]})
    frame, problems = normalise("system", raw, AS_OF)
    assert frame["与户主关系"].tolist() == ["户主", "干儿子"]
    assert frame["致贫原因"].isna().tolist() == [True, False]
    shown = problems.set_index("column")["problem"].to_dict()
    assert shown == {"与户主关系": "不在取值范围内：'干儿子'", "致贫原因": "不在取值范围内：'因穷'"}
    assert problems["row"].tolist() == [3, 4] or sorted(problems["row"].tolist()) == [3, 4]
    # HH02 still counts exactly one 户主 in the household.
    rows = [person("H1", "张三", make_id(seq="011")), person("H1", "张四", make_id(seq="021"), "干儿子")]
    assert fired(run(context(rows), "identity"), "HH02").empty


def test_phone_kind_holds_the_number_and_a_well_formed_companion_without_input_problems(tmp_path):
    """A value kind "phone" (CONTRACT.md §2.9): the core column holds the
    number, `<col>_ok` whether it is well-formed; a malformed one is PHN01's,
    not an input problem. The column comes from a real xlsx (a number cell
    holding a mobile number reads as its digits)."""
    from recon.read import read_source

    write_xlsx(tmp_path / "system" / "a.xlsx", {"Sheet1": [
        ["户编号", "姓名", "证件号码", "户联系电话"],
        ["H1", "张三", HEAD, 13812345678], ["H2", "李四", CHILD, "(0851)8123-4567"],
        ["H3", "王五", HEAD, "无"], ["H4", "赵六", CHILD, ""]]})
    frame, problems = normalise("system", read_source(tmp_path, "system").frame, AS_OF)
    assert frame["户联系电话"].tolist() == ["13812345678", "085181234567", "无", pd.NA]
    assert frame["户联系电话_ok"].tolist() == [True, True, False, pd.NA]
    assert str(frame["户联系电话_ok"].dtype) == "boolean" and problems.empty
