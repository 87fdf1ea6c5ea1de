"""recon.read: the data drop read as CONTRACT.md §2 describes, into raw frames
as docs/internals.md §Raw frames describes, from real files."""
from __future__ import annotations

import datetime as dt
import shutil

import pandas as pd
import pytest

from recon.sources import SOURCES
from recon.read import read_source, read_table, source_files
from files import as_xlsm, libreoffice_convert, write_csv, write_openpyxl, write_xls, write_xlsb, write_xlsx

TITLE = ["XX县2024年脱贫户家庭成员信息表"]
ID_A = "430321199001011234"
ID_B = "43032119900101123X"


def sample_table(source: str) -> list[list]:
    """A title row, a header of the source's key columns plus 姓名, two data rows."""
    declared = SOURCES[source]
    columns = list(dict.fromkeys(declared.key_columns + (("姓名",) if "姓名" in declared.columns else ())))
    rows = [[f"{c}{i}" for c in columns] for i in (1, 2)]
    return [TITLE, columns, *rows]


WRITERS = {
    "xlsx": lambda path, rows: write_xlsx(path.with_suffix(".xlsx"), {"Sheet1": rows}),
    "xls": lambda path, rows: write_xls(path.with_suffix(".xls"), {"Sheet1": rows}),
    "gbk_csv": lambda path, rows: write_csv(path.with_suffix(".csv"), rows, encoding="gbk"),
    "utf8_bom_csv": lambda path, rows: write_csv(path.with_suffix(".csv"), rows, encoding="utf-8-sig"),
}


@pytest.mark.parametrize("fmt", WRITERS)
@pytest.mark.parametrize("source", list(SOURCES))
def test_every_source_reads_from_xlsx_xls_gbk_and_bom_csv_below_a_title_row(tmp_path, source, fmt):
    path = WRITERS[fmt](tmp_path / source / "data", sample_table(source))
    result = read_source(tmp_path, source)
    frame = result.frame
    assert result.problems.empty
    assert result.files == [f"{source}/{path.name}"]
    for key in SOURCES[source].key_columns:
        assert frame[key].tolist() == [f"{key}1", f"{key}2"]
    assert frame["_row"].tolist() == [3, 4]
    sheet_suffix = "#Sheet1" if fmt in ("xlsx", "xls") else ""
    assert frame["_file"].tolist() == [path.name + sheet_suffix] * 2
    assert frame["_path"].tolist() == [f"{source}/{path.name}"] * 2


def test_header_matches_with_inner_spaces_line_breaks_and_full_width_brackets(tmp_path):
    header = ["县（市、区、旗）", "乡(镇)", "户 编号", "姓\u3000名", "身份证\n号码", "与户主\r\n关系"]
    write_xlsx(tmp_path / "system" / "a.xlsx", {"Sheet1": [header, ["某县", "某镇", "H1", "张三", ID_A, "户主"]]})
    frame = read_source(tmp_path, "system").frame
    assert frame.iloc[0][["县", "乡镇", "户编号", "姓名", "证件号码", "与户主关系"]].tolist() == [
        "某县", "某镇", "H1", "张三", ID_A, "户主"]


def test_证件_space_号码_header_matches(tmp_path):
    write_csv(tmp_path / "ledger" / "a.csv", [["姓名", "证件 号码", "与户主关系"], ["张三", ID_A, "户主"]])
    assert read_source(tmp_path, "ledger").frame["证件号码"].tolist() == [ID_A]


def test_every_sheet_with_the_header_is_read_and_a_说明_sheet_is_skipped_with_a_note(tmp_path):
    header = ["户编号", "姓名", "证件号码"]
    write_xlsx(tmp_path / "system" / "big.xlsx", {
        "第一部分": [header, ["H1", "张三", ID_A]],
        "说明": [["本表由系统导出"], ["请勿修改"]],
        "第二部分": [TITLE, header, ["H2", "李四", ID_B]],
    })
    result = read_source(tmp_path, "system")
    assert result.frame[["姓名", "_sheet", "_row"]].values.tolist() == [["张三", "第一部分", 2], ["李四", "第二部分", 3]]
    assert result.problems.empty
    assert any("说明" in note and "已跳过" in note for note in result.notes)


def test_trailer_rows_合计_填表人_and_empty_rows_are_dropped_but_rows_with_empty_keys_kept(tmp_path):
    write_xlsx(tmp_path / "system" / "a.xlsx", {"Sheet1": [
        ["序号", "户编号", "姓名", "证件号码", "人数"],
        [1, "H1", "张三", ID_A, 2],
        [],
        [2, "", "", "", 3],            # keys empty but not a trailer: later stages report it
        ["合计", "", "", "", 5],        # label in the unmapped 序号 column
        ["", "小计：2户"],
        ["填表人：王五    审核人：赵六"],
        ["注：本表数据截至2024年6月"],
    ]})
    frame = read_source(tmp_path, "system").frame
    assert frame["_row"].tolist() == [2, 4]
    assert frame["人数"].tolist() == ["2", "3"]


def test_household_number_in_a_number_cell_reads_as_the_integer_text(tmp_path):
    write_xlsx(tmp_path / "system" / "a.xlsx", {"Sheet1": [["户编号", "姓名", "证件号码"], [430321100001, "张三", ID_A]]})
    frame = read_source(tmp_path, "system").frame
    assert frame["户编号"].tolist() == ["430321100001"]
    assert not frame["_num_证件号码"].any()


@pytest.mark.parametrize("writer,suffix", [(write_xlsx, ".xlsx"), (write_xls, ".xls")])
def test_18_digit_id_in_a_number_cell_is_flagged_for_ID01_with_its_file_and_row(tmp_path, writer, suffix):
    writer(tmp_path / "system" / f"x{suffix}", {"Sheet1": [
        TITLE, ["户编号", "姓名", "证件号码"], ["H1", "张三", ID_A], ["H1", "李四", 430321199001011234]]})
    frame = read_source(tmp_path, "system").frame
    flagged = frame[frame["_num_证件号码"]]
    assert flagged[["_file", "_row", "证件号码"]].values.tolist() == [[f"x{suffix}#Sheet1", 4, "4.30321199001011E+17"]]
    assert frame["_num_证件号码"].dtype == bool


def test_ledger_head_id_column_gets_its_own_number_flag(tmp_path):
    write_xlsx(tmp_path / "ledger" / "a.xlsx", {"Sheet1": [
        ["姓名", "证件号码", "与户主关系", "户主证件号码"], ["张三", ID_A, "之子", 430321199001011234]]})
    frame = read_source(tmp_path, "ledger").frame
    assert frame[["_num_证件号码", "_num_户主证件号码"]].values.tolist() == [[False, True]]


@pytest.mark.parametrize("writer", [
    lambda p, rows: write_xlsx(p / "a.xlsx", {"Sheet1": rows}),
    lambda p, rows: write_csv(p / "a.csv", rows),
])
def test_name_NA_and_null_are_kept_as_text_not_missing(tmp_path, writer):
    writer(tmp_path / "system", [["户编号", "姓名", "证件号码"], ["H1", "NA", ID_A], ["H1", "null", ID_B]])
    assert read_source(tmp_path, "system").frame["姓名"].tolist() == ["NA", "null"]


def test_cell_types_render_as_the_user_sees_them(tmp_path):
    write_xlsx(tmp_path / "system" / "a.xlsx", {"Sheet1": [
        ["户编号", "姓名", "证件号码", "出生日期", "最近回访时间", "人数", "工资性收入", "风险是否消除"],
        ["H1", " 张三 ", ID_A, dt.date(1990, 1, 2), dt.datetime(2024, 5, 1, 9, 30), 3, 12345.6, True],
    ]})
    row = read_source(tmp_path, "system").frame.iloc[0]
    assert row[["姓名", "出生日期", "最近回访时间", "人数", "工资性收入", "风险是否消除"]].tolist() == [
        " 张三 ", "1990-01-02", "2024-05-01 09:30:00", "3", "12345.6", "TRUE"]


def test_a_column_absent_in_one_file_is_empty_text_for_its_rows(tmp_path):
    write_csv(tmp_path / "system" / "a.csv", [["户编号", "姓名", "证件号码", "性别"], ["H1", "张三", ID_A, "男"]])
    write_csv(tmp_path / "system" / "b.csv", [["户编号", "姓名", "证件号码"], ["H2", "李四", ID_B]])
    frame = read_source(tmp_path, "system").frame
    assert frame["性别"].tolist() == ["男", ""]
    assert not frame.isna().any().any()


def test_bad_files_are_problems_or_notes_and_the_good_file_is_still_read(tmp_path):
    folder = tmp_path / "system"
    write_xlsx(folder / "good.xlsx", {"Sheet1": [["户编号", "姓名", "证件号码"], ["H1", "张三", ID_A]]})
    good = (folder / "good.xlsx").read_bytes()
    (folder / "corrupt.xlsx").write_bytes(good[: len(good) // 2])
    (folder / "empty.xlsx").write_bytes(b"")
    write_csv(folder / "wrong.csv", [["编号", "名字", "证件号码"], ["1", "张三", ID_A]])
    (folder / "~$good.xlsx").write_bytes(b"\x00lock")
    (folder / "readme.txt").write_text("见说明", encoding="utf-8")
    result = read_source(tmp_path, "system")
    assert result.frame["_path"].tolist() == ["system/good.xlsx"]
    problems = dict(zip(result.problems["file"], result.problems["problem"]))
    assert problems["system/corrupt.xlsx"] == "文件已损坏或不是有效的Excel文件，已跳过"
    assert "空" in problems["system/empty.xlsx"]
    assert problems["system/wrong.csv"].startswith("找不到表头：缺少关键列 户编号、姓名")
    assert set(problems) == {"system/corrupt.xlsx", "system/empty.xlsx", "system/wrong.csv"}
    assert any("~$good.xlsx" in note for note in result.notes)
    assert any("readme.txt" in note for note in result.notes)


def test_only_sheet_without_the_key_columns_names_those_missing_in_the_best_row(tmp_path):
    write_xlsx(tmp_path / "system" / "a.xlsx", {"Sheet1": [TITLE, ["户编号", "姓名", "身份"], ["H1", "张三", ID_A]]})
    result = read_source(tmp_path, "system")
    assert result.frame.empty
    assert result.problems[["sheet", "problem"]].values.tolist() == [
        ["Sheet1", "找不到表头：缺少关键列 证件号码，整个文件已跳过"]]


def test_two_header_cells_for_one_column_keep_the_first_and_report_both(tmp_path):
    write_csv(tmp_path / "system" / "a.csv", [["户编号", "姓名", "身份证号", "证件号码"], ["H1", "张三", ID_A, ID_B]])
    result = read_source(tmp_path, "system")
    assert result.frame["证件号码"].tolist() == [ID_A]
    (problem,) = result.problems["problem"]
    assert "身份证号" in problem and "证件号码" in problem


def test_csv_in_utf16_and_with_mixed_line_endings_and_gb18030_characters(tmp_path):
    rows = [TITLE, ["户编号", "姓名", "证件号码"], ["H1", "王䶮", ID_A], ["H2", "李四", ID_B]]
    write_csv(tmp_path / "system" / "u16.csv", rows, encoding="utf-16", newline="\r\n")
    write_csv(tmp_path / "system" / "gb.csv", rows, encoding="gb18030")
    mixed = "\r\n".join(",".join(r) for r in rows[:3]) + "\n" + ",".join(rows[3]) + "\r\n"
    (tmp_path / "system" / "mixed.csv").write_bytes(mixed.encode("utf-8"))
    frame = read_source(tmp_path, "system").frame
    for name in ("u16.csv", "gb.csv", "mixed.csv"):
        part = frame[frame["_file"] == name]
        assert part[["姓名", "_row"]].values.tolist() == [["王䶮", 3], ["李四", 4]], name


def test_csv_rows_are_numbered_by_line_across_blank_lines_and_multi_line_cells(tmp_path):
    text = '户编号,姓名,证件号码\n\nH1,"张\n三",{a}\nH2,李四,{b}\n'.format(a=ID_A, b=ID_B)
    (tmp_path / "system").mkdir()
    (tmp_path / "system" / "a.csv").write_text(text, encoding="utf-8")
    frame = read_source(tmp_path, "system").frame
    assert frame[["姓名", "_row"]].values.tolist() == [["张\n三", 3], ["李四", 5]]


def test_excel_rows_are_numbered_as_the_sheet_shows_them_despite_empty_rows_above(tmp_path):
    write_xlsx(tmp_path / "system" / "a.xlsx", {"Sheet1": [[], [], TITLE, [], ["", "户编号", "姓名", "证件号码"],
                                                           ["", "H1", "张三", ID_A]]})
    assert read_source(tmp_path, "system").frame["_row"].tolist() == [6]


def test_format_is_decided_by_content_not_extension(tmp_path):
    folder = tmp_path / "system"
    write_csv(folder / "text.xlsx", [["户编号", "姓名", "证件号码"], ["H1", "张三", ID_A]])
    write_xlsx(folder / "real.xlsx", {"Sheet1": [["户编号", "姓名", "证件号码"], ["H2", "李四", ID_B]]})
    (folder / "renamed.xls").write_bytes((folder / "real.xlsx").read_bytes())
    result = read_source(tmp_path, "system")
    assert result.problems.empty
    assert sorted(result.frame["_file"]) == ["real.xlsx#Sheet1", "renamed.xls#Sheet1", "text.xlsx"]
    assert any("text.xlsx" in note and "CSV" in note for note in result.notes)


def test_html_table_saved_as_xls_is_read_as_text_with_a_note(tmp_path):
    html = ("<html><head><meta charset='gbk'></head><body><p>标题</p><table>"
            "<tr><th colspan='2'>XX县脱贫人口</th></tr>"
            "<tr><td>户编号</td><td>姓名</td><td>证件号码</td></tr>"
            f"<tr><td>430321100001</td><td>张&nbsp;三</td><td>{ID_A}</td></tr></table></body></html>")
    (tmp_path / "system").mkdir()
    (tmp_path / "system" / "export.xls").write_bytes(html.encode("gbk"))
    result = read_source(tmp_path, "system")
    assert result.problems.empty
    assert result.frame[["户编号", "姓名", "证件号码", "_file", "_row"]].values.tolist() == [
        ["430321100001", "张\xa0三", ID_A, "export.xls", 3]]
    assert any("export.xls" in note and "网页" in note for note in result.notes)


def test_excel_2003_xml_saved_as_xls_is_read(tmp_path):
    xml = ('<?xml version="1.0"?><Workbook xmlns:ss="urn:schemas-microsoft-com:office:spreadsheet">'
           '<Worksheet ss:Name="Sheet1"><Table>'
           '<Row><Cell><Data ss:Type="String">户编号</Data></Cell><Cell><Data ss:Type="String">姓名</Data></Cell>'
           '<Cell><Data ss:Type="String">证件号码</Data></Cell></Row>'
           f'<Row><Cell><Data ss:Type="String">H1</Data></Cell><Cell><Data ss:Type="String">张三</Data></Cell>'
           f'<Cell><Data ss:Type="String">{ID_A}</Data></Cell></Row></Table></Worksheet></Workbook>')
    (tmp_path / "system").mkdir()
    (tmp_path / "system" / "export.xls").write_text(xml, encoding="utf-8")
    assert read_source(tmp_path, "system").frame[["姓名", "_row"]].values.tolist() == [["张三", 2]]


def test_password_protected_workbook_is_one_file_problem(tmp_path):
    (tmp_path / "system").mkdir()
    fake = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100 + "EncryptionInfo".encode("utf-16-le")
    (tmp_path / "system" / "locked.xlsx").write_bytes(fake)
    result = read_source(tmp_path, "system")
    assert "密码" in result.problems["problem"].tolist()[0]


def test_two_row_header_takes_column_names_from_the_row_below(tmp_path):
    write_xlsx(tmp_path / "system" / "a.xlsx", {"Sheet1": [
        ["户编号", "姓名", "证件号码", "收入情况", ""],
        ["", "", "", "工资性收入", "转移性收入"],
        ["H1", "张三", ID_A, 1000, 200.5],
    ]})
    frame = read_source(tmp_path, "system").frame
    assert frame[["工资性收入", "转移性收入", "_row"]].values.tolist() == [["1000", "200.5", 3]]


def test_hidden_and_lock_files_are_ignored_by_source_files(tmp_path):
    folder = tmp_path / "education"
    write_csv(folder / "镇A" / "a.csv", [["x"]])
    write_csv(folder / ".hidden.csv", [["x"]])
    write_csv(folder / ".git" / "b.csv", [["x"]])
    write_csv(folder / "~$a.xlsx", [["x"]])
    files, notes = source_files(folder)
    assert [p.relative_to(folder).as_posix() for p in files] == ["镇A/a.csv"]
    assert len(notes) == 3


def test_read_table_uses_the_given_aliases_for_other_tables(tmp_path):
    write_xlsx(tmp_path / "feedback" / "镇A.xlsx", {"Sheet1": [["问题编号", "核实结果"], ["F1", "已改正"]]})
    result = read_table([tmp_path / "feedback" / "镇A.xlsx"], tmp_path,
                        {"问题编号": "finding_id", "核实结果": "result"}, ("finding_id",))
    assert result.frame[["finding_id", "result", "_path"]].values.tolist() == [["F1", "已改正", "feedback/镇A.xlsx"]]


def test_a_missing_source_folder_is_an_empty_frame_with_a_note(tmp_path):
    result = read_source(tmp_path, "water")
    assert result.frame.empty and result.problems.empty and result.notes


# ---- CSV: the regular case parsed by pyarrow, the rest by pandas (same cells) ----

from recon.read.files import _any_csv_cells, csv_cells  # noqa: E402

CSV_SHAPES = {
    "regular": "证件号码,姓名\n430321199001011234,张三\n",
    "crlf, no final break": "a,b\r\n1,2",
    "quoted comma and spaces": 'a,b\n"x, y"," 1 "\n',
    "full-width space cell": "a,b\n1,\u3000\n",
    "title row of fewer fields": "XX县2024年台账\na,b\n1,2\n",
    "blank line": "a,b\n\n1,2\n",
    "line break inside a cell": 'a,b\n"x\ny",2\n3,4\n',
}


@pytest.mark.parametrize("text", CSV_SHAPES.values(), ids=CSV_SHAPES.keys())
def test_csv_cells_are_the_same_on_the_fast_path_and_the_general_one(text):
    fast, general = csv_cells(text), _any_csv_cells(text)
    assert list(fast.index) == list(general.index)   # user line numbers
    # The general path may name spare empty columns (its width is an upper bound).
    assert (general.drop(columns=fast.columns) == "").all().all()
    assert fast.astype(object).values.tolist() == general[fast.columns].astype(object).values.tolist()


def test_a_regular_csv_is_read_into_arrow_backed_text_and_a_ragged_one_is_not():
    assert str(csv_cells(CSV_SHAPES["regular"]).dtypes.iloc[0]) == "string"
    assert csv_cells(CSV_SHAPES["title row of fewer fields"]).dtypes.iloc[0] == object
    assert list(csv_cells(CSV_SHAPES["line break inside a cell"]).index) == [1, 2, 4]


# ---- .xlsm, .xlsb, .ods: read like .xlsx (CONTRACT.md §2) ----

# A title row, an ID in a text cell and one in a number cell (ID01), a 户编号
# in a number cell, date cells, a whole number.
WORKBOOK_ROWS = [
    TITLE,
    ["户编号", "姓名", "证件号码", "出生日期", "人数"],
    ["H1", "张三", ID_A, dt.date(1990, 1, 1), 3],
    [430321100001, "李四", 430321199001011234, dt.date(1990, 1, 2), 2],
]


def read_alone(tmp_path, path):
    """The system frame of a drop holding only this file, without the file-name columns."""
    drop = tmp_path / f"drop_{path.suffix[1:]}_{path.stem}"
    (drop / "system").mkdir(parents=True)
    shutil.copy(path, drop / "system" / path.name)
    result = read_source(drop, "system")
    assert result.problems.empty and result.files == [f"system/{path.name}"]
    assert result.frame["_file"].tolist() == [f"{path.name}#Sheet1"] * len(result.frame)
    return result.frame.drop(columns=["_path", "_file"])


def test_the_workbook_rows_read_as_expected_from_xlsx(tmp_path):
    frame = read_alone(tmp_path, write_openpyxl(tmp_path / "a.xlsx", {"Sheet1": WORKBOOK_ROWS}))
    assert frame[["户编号", "证件号码", "出生日期", "人数", "_num_证件号码", "_row"]].values.tolist() == [
        ["H1", ID_A, "1990-01-01", "3", False, 3],
        ["430321100001", "4.30321199001011E+17", "1990-01-02", "2", True, 4]]


@pytest.mark.parametrize("suffix", [".xlsm", ".xlsb"])
def test_xlsm_and_xlsb_read_like_the_xlsx(tmp_path, suffix):
    xlsx = write_openpyxl(tmp_path / "a.xlsx", {"Sheet1": WORKBOOK_ROWS})
    other = (as_xlsm(xlsx, tmp_path / "a.xlsm") if suffix == ".xlsm"
             else write_xlsb(tmp_path / "a.xlsb", {"Sheet1": WORKBOOK_ROWS}))
    pd.testing.assert_frame_equal(read_alone(tmp_path, other), read_alone(tmp_path, xlsx))


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
def test_ods_saved_by_libreoffice_reads_like_the_xlsx_also_with_a_merged_two_row_header(tmp_path):
    xlsx = write_openpyxl(tmp_path / "a.xlsx", {"Sheet1": WORKBOOK_ROWS})
    upper, lower, merges, _ = two_row_header(["户编号", ("家庭成员信息", ["姓名", "证件号码"]), "出生日期", "人数"])
    two_rows = write_openpyxl(tmp_path / "b.xlsx", {"Sheet1": [TITLE, upper, lower, *WORKBOOK_ROWS[2:]]},
                              {"Sheet1": [m.format(top=2, bottom=3) for m in merges]})
    # One LibreOffice start for both files: starting it is what takes the time.
    ods, two_rows_ods = libreoffice_convert([xlsx, two_rows], "ods", tmp_path / "converted", tmp_path / "lo-profile")
    frame = read_alone(tmp_path, ods)
    pd.testing.assert_frame_equal(frame, read_alone(tmp_path, xlsx))
    assert frame["_num_证件号码"].tolist() == [False, True]   # still a number cell: ID01
    two_rows_frame = read_alone(tmp_path, two_rows_ods)
    pd.testing.assert_frame_equal(two_rows_frame, read_alone(tmp_path, two_rows))
    assert two_rows_frame[["户编号", "姓名", "_row"]].values.tolist() == [["H1", "张三", 4], ["430321100001", "李四", 5]]


def test_source_files_takes_xlsm_xlsb_and_ods_and_ignores_wps_et(tmp_path):
    folder = tmp_path / "system"
    for name in ("a.xlsm", "b.XLSB", "c.ods", "d.et"):
        write_csv(folder / name, [["x"]])
    files, notes = source_files(folder)
    assert [p.name for p in files] == ["a.xlsm", "b.XLSB", "c.ods"]
    assert len(notes) == 1 and "d.et" in notes[0]


# ---- two-row headers (CONTRACT.md §2): a group row of merged cells above the names ----

def two_row_header(columns: list[str | tuple[str, list[str]]]) -> tuple[list, list, list[str], list[str]]:
    """(upper row, lower row, merged ranges, the one-row header) of a two-row
    header: a plain name is merged down over both rows, (group, names) is a
    group cell merged across over its names in the lower row."""
    upper, lower, merges, flat = [], [], [], []
    for column in columns:
        at = len(upper)
        if isinstance(column, str):
            upper.append(column)
            lower.append("")
            merges.append(f"{_letter(at)}{{top}}:{_letter(at)}{{bottom}}")
            flat.append(column)
        else:
            group, names = column
            upper += [group] + [""] * (len(names) - 1)
            lower += names
            if len(names) > 1:
                merges.append(f"{_letter(at)}{{top}}:{_letter(at + len(names) - 1)}{{top}}")
            flat += names
    return upper, lower, merges, flat


def _letter(index: int) -> str:
    return "ABCDEFGHIJKLMNOPQRSTUVWXYZ"[index]


def merged_file_and_twin(tmp_path, source: str, columns, data: list[list], above: list[list] = ()) -> tuple:
    """The two-row-header workbook (merged cells, `above` rows over it) and its
    one-row twin with the data on the same sheet rows, each alone in a drop."""
    upper, lower, merges, flat = two_row_header(columns)
    top = len(above) + 1
    merged = write_openpyxl(tmp_path / "merged" / source / "a.xlsx", {"Sheet1": [*above, upper, lower, *data]},
                            {"Sheet1": [m.format(top=top, bottom=top + 1) for m in merges]})
    write_openpyxl(tmp_path / "twin" / source / "a.xlsx", {"Sheet1": [*above, [], flat, *data]})
    return merged, read_source(tmp_path / "merged", source), read_source(tmp_path / "twin", source)


def assert_same_reading(result, twin):
    assert result.problems.empty and twin.problems.empty
    pd.testing.assert_frame_equal(result.frame, twin.frame)


SYSTEM_DATA = [["H1", "张三", ID_A, 1000, 200.5, 9000, 2], ["H1", "李四", ID_B, "", 0, 9000, 2]]


def test_two_row_merged_header_reads_like_its_one_row_twin(tmp_path):
    columns = ["户编号", "姓名", "证件号码", ("收入情况（元）", ["工资性收入", "转移性收入", "人均纯收入"]), "人数"]
    _, result, twin = merged_file_and_twin(tmp_path, "system", columns, SYSTEM_DATA)
    assert_same_reading(result, twin)
    assert result.frame[["姓名", "工资性收入", "人均纯收入", "人数", "_row"]].values.tolist() == [
        ["张三", "1000", "9000", "2", 3], ["李四", "", "9000", "2", 4]]


def test_two_row_merged_header_under_a_merged_title_row(tmp_path):
    columns = ["户编号", "姓名", "证件号码", ("收入情况（元）", ["工资性收入", "转移性收入", "人均纯收入"]), "人数"]
    title = [TITLE + [""] * 6]
    merged, result, twin = merged_file_and_twin(tmp_path, "system", columns, SYSTEM_DATA, above=title)
    assert_same_reading(result, twin)
    assert result.frame["_row"].tolist() == [4, 5]


@pytest.mark.parametrize("source", list(SOURCES))
def test_every_source_finds_a_two_row_header_with_a_key_merged_down_and_the_others_under_a_group(tmp_path, source):
    declared = SOURCES[source]
    first, *others = list(dict.fromkeys(declared.key_columns + (("姓名",) if "姓名" in declared.columns else ())))
    columns = [first, ("分组信息", others)] if len(others) > 1 else [first, others[0]]
    data = [[f"{c}{i}" for c in [first, *others]] for i in (1, 2)]
    _, result, twin = merged_file_and_twin(tmp_path, source, columns, data, above=[TITLE])
    assert_same_reading(result, twin)
    for key in declared.key_columns:
        assert result.frame[key].tolist() == [f"{key}1", f"{key}2"]
    assert result.frame["_row"].tolist() == [4, 5]


def test_key_columns_under_a_group_cell_and_merged_down_are_both_found(tmp_path):
    # 户编号 merged down, 姓名 and 证件号码 (keys of system/) in the lower row under 家庭成员信息.
    columns = ["户编号", ("家庭成员信息", ["姓名", "证件号码", "与户主关系"]),
               ("收入情况（元）", ["工资性收入", "转移性收入"]), "人均纯收入", "人数"]
    data = [["H1", "张三", ID_A, "户主", 1000, 200.5, 9000, 2]]
    _, result, twin = merged_file_and_twin(tmp_path, "system", columns, data, above=[TITLE])
    assert_same_reading(result, twin)
    assert result.frame[["户编号", "姓名", "与户主关系", "_row"]].values.tolist() == [["H1", "张三", "户主", 4]]


def test_ledger_whose_keys_all_sit_in_the_lower_row_keeps_the_columns_merged_down(tmp_path):
    # Every key of ledger/ is under 家庭成员信息: the lower row alone looks like a
    # complete header, but 乡镇, 行政村 and 户编号 are merged down from the row above.
    columns = ["乡镇", "行政村", "户编号", ("家庭成员信息", ["姓名", "证件号码", "与户主关系", "性别"])]
    data = [["城关镇", "新村", "H1", "张三", ID_A, "户主", "男"], ["城关镇", "新村", "H1", "李四", ID_B, "之子", "男"]]
    _, result, twin = merged_file_and_twin(tmp_path, "ledger", columns, data)
    assert_same_reading(result, twin)
    assert result.frame[["乡镇", "行政村", "户编号", "姓名"]].values.tolist() == [
        ["城关镇", "新村", "H1", "张三"], ["城关镇", "新村", "H1", "李四"]]


def test_a_column_under_a_group_cell_takes_the_lower_name_even_when_the_group_is_a_column_name(tmp_path):
    # The group 住房安全 is itself a column name; its columns are 是否危房户 (the
    # opposite meaning) and 住房安全有保障: each takes its own lower-row name.
    columns = ["户编号", "姓名", "证件号码", ("住房安全", ["是否危房户", "住房安全有保障"])]
    _, result, twin = merged_file_and_twin(tmp_path, "system", columns, [["H1", "张三", ID_A, "是", "否"]])
    assert_same_reading(result, twin)
    assert result.frame[["是否危房户", "住房安全"]].values.tolist() == [["是", "否"]]


def test_two_row_header_below_the_first_eight_rows(tmp_path):
    columns = ["户编号", ("家庭成员信息", ["姓名", "证件号码"]), "人数"]
    above = [TITLE] + [[f"说明{i}"] for i in range(6)]     # the header takes rows 8 and 9
    _, result, twin = merged_file_and_twin(tmp_path, "system", columns, [["H1", "张三", ID_A, 1]], above=above)
    assert_same_reading(result, twin)
    assert result.frame["_row"].tolist() == [10]


def test_csv_with_a_two_row_header_of_group_labels_reads_like_its_twin(tmp_path):
    upper = ["户编号", "家庭成员信息", "", "", "收入情况（元）", "", "人数"]
    lower = ["", "姓名", "证件号码", "与户主关系", "工资性收入", "人均纯收入", ""]
    data = [["H1", "张三", ID_A, "户主", "1000", "9000", "2"], ["H1", "李四", ID_B, "之子", "", "9000", "2"]]
    write_csv(tmp_path / "merged" / "system" / "a.csv", [TITLE, upper, lower, *data], encoding="gbk")
    flat = ["户编号", "姓名", "证件号码", "与户主关系", "工资性收入", "人均纯收入", "人数"]
    write_csv(tmp_path / "twin" / "system" / "a.csv", [TITLE, [], flat, *data], encoding="gbk")
    result, twin = read_source(tmp_path / "merged", "system"), read_source(tmp_path / "twin", "system")
    assert_same_reading(result, twin)
    assert result.frame[["姓名", "与户主关系", "工资性收入", "人数", "_row"]].values.tolist() == [
        ["张三", "户主", "1000", "2", 4], ["李四", "之子", "", "2", 5]]


def test_a_data_row_with_empty_keys_under_a_one_row_header_stays_data(tmp_path):
    write_xlsx(tmp_path / "system" / "a.xlsx", {"Sheet1": [
        ["户编号", "姓名", "证件号码", "人数", "户类型"], ["", "", "", 3, "脱贫户"], ["H1", "张三", ID_A, 3, "脱贫户"]]})
    frame = read_source(tmp_path, "system").frame
    assert frame[["户编号", "人数", "户类型", "_row"]].values.tolist() == [["", "3", "脱贫户", 2], ["H1", "3", "脱贫户", 3]]


def test_html_export_with_rowspan_and_colspan_header_cells(tmp_path):
    html = ("<html><body><table>"
            "<tr><th rowspan='2'>户编号</th><th colspan='2'>家庭成员信息</th><th rowspan='2'>人数</th></tr>"
            "<tr><th>姓名</th><th>证件号码</th></tr>"
            f"<tr><td>H1</td><td>张三</td><td>{ID_A}</td><td>2</td></tr></table></body></html>")
    (tmp_path / "system").mkdir()
    (tmp_path / "system" / "export.xls").write_text(html, encoding="utf-8")
    frame = read_source(tmp_path, "system").frame
    assert frame[["户编号", "姓名", "证件号码", "人数", "_row"]].values.tolist() == [["H1", "张三", ID_A, "2", 3]]


def test_excel_2003_xml_with_merge_down_and_cell_index(tmp_path):
    def cell(text, extra=""):
        return f'<Cell{extra}><Data ss:Type="String">{text}</Data></Cell>'
    down, across, second = ' ss:MergeDown="1"', ' ss:MergeAcross="1"', ' ss:Index="2"'
    xml = ('<?xml version="1.0"?><Workbook xmlns:ss="urn:schemas-microsoft-com:office:spreadsheet">'
           '<Worksheet ss:Name="Sheet1"><Table>'
           f'<Row>{cell("户编号", down)}{cell("家庭成员信息", across)}{cell("人数", down)}</Row>'
           f'<Row>{cell("姓名", second)}{cell("证件号码")}</Row>'
           f'<Row>{cell("H1")}{cell("张三")}{cell(ID_A)}{cell("2")}</Row>'
           '</Table></Worksheet></Workbook>')
    (tmp_path / "system").mkdir()
    (tmp_path / "system" / "export.xls").write_text(xml, encoding="utf-8")
    frame = read_source(tmp_path, "system").frame
    assert frame[["户编号", "姓名", "证件号码", "人数", "_row"]].values.tolist() == [["H1", "张三", ID_A, "2", 3]]
