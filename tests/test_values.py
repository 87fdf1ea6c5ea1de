"""Cell parsers (recon/values.py) against the spellings of CONTRACT.md §2.9."""
from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from recon import values as v
from recon.sources import PERSON_COLUMNS, SOURCES

RELATIONS = PERSON_COLUMNS["与户主关系"].labels()
HEALTH = SOURCES["system"].columns["健康状况"].labels()


def labels(source: str, column: str) -> dict[str, str]:
    return SOURCES[source].columns[column].labels()

DAY = pd.Timestamp("2023-05-01")


def one(parser, cell, *args, **kwargs):
    parsed, bad = parser(pd.Series([cell], dtype="string"), *args, **kwargs)
    return parsed.iloc[0], bool(bad.iloc[0])


@pytest.mark.parametrize("cell,expected", [
    ("是", True), ("否", False), ("Y", True), ("n", False), ("1", True), ("0", False), ("√", True),
    ("×", False), ("有", True), ("无", False), ("true", True), ("FALSE", False), ("TRUE", True),
    (" 是\u3000", True), ("\u3000否 ", False), ("ｙ", True),
])
def test_yesno_every_spelling_of_contract_2_9(cell, expected):
    assert one(v.parse_yesno, cell) == (expected, False)


@pytest.mark.parametrize("cell", ["", "   ", "\u3000", None])
def test_yesno_empty_is_unknown_never_no(cell):
    parsed, bad = v.parse_yesno(pd.Series([cell], dtype="string"))
    assert parsed.isna().all() and not bad.any()
    assert str(parsed.dtype) == "boolean"


def test_yesno_unknown_spelling_is_bad_and_na():
    assert one(v.parse_yesno, "也许") == (pd.NA, True)


@pytest.mark.parametrize("cell", [
    "2023-05-01", "2023/5/1", "2023.5.1", "2023年5月1日", "20230501", "2023-05-01 00:00:00", "45047",
    "２０２３－０５－０１", "２０２３年５月１日", " 2023 年 5 月 1 日 ",
])
def test_date_every_spelling_of_contract_2_9(cell):
    assert one(v.parse_date, cell) == (DAY, False)


@pytest.mark.parametrize("cell", ["202305", "2023-05", "2023/5", "2023年5月", "2023.05", "2023-05-01", "45047"])
def test_month_column_reads_months_as_their_first_day(cell):
    assert one(v.parse_date, cell, months=True) == (DAY, False)


def test_month_column_keeps_a_full_date():
    assert one(v.parse_date, "2023-05-17", months=True) == (pd.Timestamp("2023-05-17"), False)


@pytest.mark.parametrize("cell", ["2023/13/45", "202305", "2023-05", "2023", "明天", "2023-02-30"])
def test_date_column_rejects_impossible_dates_and_bare_months(cell):
    parsed, bad = one(v.parse_date, cell)
    assert pd.isna(parsed) and bad


def test_excel_serial_numbers_follow_the_1900_system():
    parsed, bad = v.parse_date(pd.Series(["1", "59", "61", "36526", "60"], dtype="string"))
    assert parsed.tolist()[:4] == [pd.Timestamp(d) for d in ("1900-01-01", "1900-02-28", "1900-03-01", "2000-01-01")]
    assert bad.tolist() == [False, False, False, False, True]  # serial 60 is Excel's 1900-02-29


def test_date_dtype_is_datetime64_ns_and_empty_is_not_bad():
    parsed, bad = v.parse_date(pd.Series(["", None, "2023-05-01"], dtype="string"))
    assert str(parsed.dtype) == "datetime64[ns]"
    assert parsed.isna().tolist() == [True, True, False] and not bad.any()


@pytest.mark.parametrize("cell,expected", [
    ("12345.6", 12345.6), ("12,345.6", 12345.6), ("12345.6元", 12345.6), ("１２３４５．６", 12345.6),
    ("１２，３４５．６元", 12345.6), (" 12345.6 ", 12345.6), ("-800", -800.0), ("0", 0.0),
])
def test_amount_every_spelling_of_contract_2_9(cell, expected):
    assert one(v.parse_amount, cell) == (expected, False)


def test_amount_empty_is_unknown_never_zero():
    parsed, bad = v.parse_amount(pd.Series(["", "  ", None], dtype="string"))
    assert parsed.isna().all() and not bad.any() and str(parsed.dtype) == "Float64"


@pytest.mark.parametrize("cell", ["约一万", "1e5", "nan", "inf", "-"])
def test_amount_rejects_what_is_not_an_amount(cell):
    parsed, bad = one(v.parse_amount, cell)
    assert pd.isna(parsed) and bad


@pytest.mark.parametrize("cell", ["3", "3.0", "3人", "３"])
def test_int_accepts_counts(cell):
    assert one(v.parse_int, cell) == (3, False)


def test_int_dtype_and_bad_cells():
    parsed, bad = v.parse_int(pd.Series(["三", "", "3.5"], dtype="string"))
    assert str(parsed.dtype) == "Int64" and parsed.isna().all() and bad.tolist() == [True, False, True]


@pytest.mark.parametrize("cell", ["2024", "2024年", "2024年度", "2024.0"])
def test_year_spellings(cell):
    assert one(v.parse_year, cell) == (2024, False)


def test_text_strips_full_width_spaces_and_empty_is_na():
    assert v.normalise_text(pd.Series(["\u3000 村A \u3000", "\u3000", ""], dtype="string")).tolist() == ["村A", pd.NA, pd.NA]


def test_names_keep_display_and_unify_middle_dots_in_the_key():
    cells = ["阿卜杜·热合曼", "阿卜杜•热合曼", "阿卜杜‧热合曼", "阿卜杜・热合曼", "阿卜杜．热合曼", " 阿卜杜 · 热合曼\u3000"]
    display, key = v.normalise_name(pd.Series(cells, dtype="string"))
    assert set(key) == {"阿卜杜·热合曼"}
    assert display.iloc[5] == "阿卜杜 · 热合曼"  # only surrounding whitespace leaves the display name


def test_name_key_removes_inner_whitespace_and_full_width():
    display, key = v.normalise_name(pd.Series(["张 三", "ＡＢ", ""], dtype="string"))
    assert key.tolist() == ["张三", "AB", pd.NA]


def test_code_folds_putong_nonghu_to_yiban_nonghu():
    assert one(v.normalise_code, " 普通农户 ", labels("system", "户类型")) == ("一般农户", False)


def test_code_numeric_code_is_bad_never_a_label():
    assert one(v.normalise_code, "1", labels("system", "户类型")) == (pd.NA, True)


@pytest.mark.parametrize("column,cell,label", [
    ("险种", "城乡居民医保", "城乡居民基本医疗保险"), ("险种", "居民医保", "城乡居民基本医疗保险"),
    ("险种", "职工医保", "职工基本医疗保险"), ("学段", "大学", "本科及以上"), ("学段", "本科", "本科及以上"),
    ("学籍状态", "在读", "在读"), ("户类型", "脱 贫 户", "脱贫户"),
])
def test_code_spellings_fold_to_their_label(column, cell, label):
    source = next(name for name, declared in SOURCES.items() if column in declared.coded())
    assert one(v.normalise_code, cell, labels(source, column)) == (label, False)


def test_code_outside_value_set_is_bad_and_empty_is_not():
    parsed, bad = v.normalise_code(pd.Series(["未知类型", ""], dtype="string"), labels("system", "户类型"))
    assert parsed.isna().all() and bad.tolist() == [True, False]


def test_relation_drops_the_zhi_prefix():
    parsed, bad = v.normalise_relation(pd.Series(["之子", "之女", "户主", "孙子", ""], dtype="string"), RELATIONS)
    assert parsed.tolist() == ["子", "女", "户主", "孙子", pd.NA] and not bad.any()


def test_sex_labels_and_numeric_code_is_bad():
    parsed, bad = v.parse_sex(pd.Series(["男", "女性", "M", "f", "1", "2"], dtype="string"))
    assert parsed.tolist()[:4] == ["男", "女", "男", "女"]
    assert bad.tolist() == [False] * 4 + [True, True]


def test_grade_spellings():
    parsed, bad = v.parse_grade(pd.Series(["A", "b", "C级", "d级", "一级", "四级", "E", "5"], dtype="string"))
    assert parsed.tolist()[:6] == ["A", "B", "C", "D", "A", "D"]
    assert bad.tolist() == [False] * 6 + [True, True]


def test_health_splits_on_every_separator_and_joins_with_dunhao():
    cells = ["残疾,长期慢性病", "残疾，长期慢性病", "长期慢性病、残疾", "残疾;长期慢性病", "健康", "残疾、外星病", ""]
    parsed, bad = v.parse_labels(pd.Series(cells, dtype="string", index=[7, 7, 8, 9, 10, 11, 12]), HEALTH)
    assert parsed.tolist()[:5] == ["长期慢性病、残疾"] * 4 + ["健康"]
    assert bad.tolist() == [False] * 5 + [True, False]
    assert pd.isna(parsed.iloc[5])


PARSERS = [v.parse_yesno, v.parse_date, lambda s: v.parse_date(s, months=True), v.parse_amount, v.parse_int,
           v.parse_year, v.parse_sex, v.parse_grade, lambda s: v.parse_labels(s, HEALTH),
           lambda s: v.normalise_relation(s, RELATIONS), lambda s: v.normalise_code(s, labels("system", "户类型")),
           lambda s: (v.normalise_text(s), None), v.normalise_name]


# Few examples of many cells each: pandas costs per call, not per cell.
@settings(max_examples=8, deadline=None)
@given(st.lists(st.one_of(st.none(), st.text(max_size=12), st.from_regex(r"\d{1,9}(\.\d{1,3})?", fullmatch=True)),
                max_size=40))
def test_parsers_never_raise_and_bad_means_non_empty(cells):
    series = pd.Series(cells, dtype="object")
    for parser in PARSERS:
        parsed, bad = parser(series)
        assert len(parsed) == len(series)
        if bad is not None and parser is not v.normalise_name:
            assert not (bad & v.normalise_text(series).isna()).any()


@settings(max_examples=12, deadline=None)
@given(st.lists(st.text(max_size=12), max_size=40))
def test_text_name_and_code_normalising_is_idempotent(cells):
    series = pd.Series(cells, dtype="string")
    once = v.normalise_text(series)
    assert v.normalise_text(once).equals(once)
    _, key = v.normalise_name(series)
    assert v.normalise_name(key)[1].equals(key)
    code, _ = v.normalise_code(series, labels("system", "户类型"))
    assert v.normalise_code(code, labels("system", "户类型"))[0].equals(code)


NASTY = ["9" * 40, "\x00", "-", "−1", "1e400", "99999", "0", "00000000", "99991231", "2023-05-01T25:99",
         "、、", ",", "之", "之之子", "\ufeff是\u200b", "ＮａＮ", "None", "  .  ", "1,,2", "¥", "元", float("nan"), 3.0, True]


def test_parsers_never_raise_on_nasty_cells():
    series = pd.Series(NASTY, dtype="object")
    for parser in PARSERS:
        parsed, _ = parser(series)
        assert parsed.index.equals(series.index)


@pytest.mark.parametrize("cell, label", [
    ("因婚", "因婚"), ("因丧", "因丧"), ("因安全住房", "因安全住房"), ("因安全饮水", "因安全饮水"),
    ("因自然灾害", "因灾"), ("因灾", "因灾"), ("缺劳动力", "缺劳力"), ("因务工就业不稳", "务工就业不稳"),
])
def test_poverty_cause_labels_and_spellings_of_the_contract(cell, label):
    """CONTRACT.md §2.2 致贫原因: the later labels and their spellings."""
    assert one(v.normalise_code, cell, labels("system", "致贫原因")) == (label, False)


def test_relation_spellings_儿子_and_女儿():
    parsed, bad = v.normalise_relation(pd.Series(["儿子", "之女儿", "女儿", "之孙女"], dtype="string"), RELATIONS)
    assert parsed.tolist() == ["子", "女", "女", "孙女"] and not bad.any()


def test_a_relation_outside_the_list_is_reported_but_kept():
    """Reported (input_problems.csv), and still read: the person is not the 户主."""
    parsed, bad = v.normalise_relation(pd.Series(["干儿子", "户主", "长子", "外甥女"], dtype="string"), RELATIONS)
    assert parsed.tolist() == ["干儿子", "户主", "长子", "外甥女"]
    assert bad.tolist() == [True, False, False, False]


# ---- phone numbers (CONTRACT.md §2.9) ----

@pytest.mark.parametrize("cell,number", [
    ("+86 138 1234 5678", "13812345678"), ("86-13812345678", "13812345678"), ("+8613812345678", "13812345678"),
    ("(0851)8123-4567", "085181234567"), ("（0851）8123－4567", "085181234567"), ("0851-81234567", "085181234567"),
    ("010-12345678", "01012345678"), ("138 1234 5678", "13812345678"), ("138—1234—5678", "13812345678"),
    ("１３８１２３４５６７８", "13812345678"), ("13812345678.0", "13812345678"), (" 13812345678\u3000", "13812345678"),
    ("【0851】81234567", "085181234567"),
])
def test_phone_spellings_are_well_formed_numbers(cell, number):
    parsed, well_formed = v.parse_phone(pd.Series([cell], dtype="string"))
    assert (parsed.iloc[0], well_formed.iloc[0]) == (number, True)


@pytest.mark.parametrize("cell", ["1381234567", "无", "0", "abc", "1381234567x", "23812345678", "12812345678",
                                  "0851-81234567-123", "+86 0851 8123 4567"])
def test_malformed_phone_keeps_its_text_and_is_not_an_unreadable_cell(cell):
    parsed, well_formed = v.parse_phone(pd.Series([cell], dtype="string"))
    assert (parsed.iloc[0], well_formed.iloc[0]) == (cell, False)


@pytest.mark.parametrize("cell", ["", "   ", "\u3000", None])
def test_empty_phone_is_unknown(cell):
    parsed, well_formed = v.parse_phone(pd.Series([cell], dtype="object"))
    assert parsed.isna().all() and well_formed.isna().all()
    assert str(parsed.dtype) == "string" and str(well_formed.dtype) == "boolean"


def test_phone_parser_gives_the_same_on_many_rows_as_on_distinct_ones():
    cells = ["13812345678", "无", "", "0851-81234567"] * 50
    parsed, well_formed = v.parse_phone(pd.Series(cells, index=range(100, 300)))
    assert parsed.index.tolist() == list(range(100, 300))
    assert parsed.tolist()[:4] == ["13812345678", "无", pd.NA, "085181234567"]
    assert well_formed.tolist()[:4] == [True, False, pd.NA, True]
