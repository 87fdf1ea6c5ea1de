"""recon.ids: 证件号码 normalisation (CONTRACT.md §3), here the 20-character
残疾人证 number, through normalise_ids, a real file and recon.match."""
from __future__ import annotations

import pandas as pd
import pytest

from factories import AS_OF, make_id
from files import write_xlsx
from recon.ids import normalise_ids
from recon.match import match
from recon.normalise import normalise
from recon.read import read_source

HOLDER = make_id(seq="123")
WITH_X = next(i for i in (make_id(seq=f"{n:03d}") for n in range(200)) if i.endswith("X"))
WRONG_CHECK = HOLDER[:17] + ("0" if HOLDER[17] != "0" else "1")
FULL_WIDTH = str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")


def one(cell: str, from_number: bool = False) -> dict:
    return normalise_ids(pd.Series([cell]), AS_OF, pd.Series([from_number])).iloc[0].to_dict()


@pytest.mark.parametrize("cell,holder,category,grade", [
    (HOLDER + "41", HOLDER, "肢体", "一级"),
    (HOLDER + "74", HOLDER, "多重", "四级"),
    (WITH_X[:17] + "x12", WITH_X, "视力", "二级"),                 # lower-case x inside the first 18
    ((HOLDER + "53").translate(FULL_WIDTH), HOLDER, "智力", "三级"),  # full-width digits
    (f" {HOLDER[:6]} {HOLDER[6:]}62 ", HOLDER, "精神", "二级"),
])
def test_a_20_character_certificate_number_is_its_holders_id_with_category_and_grade(cell, holder, category, grade):
    result = one(cell)
    assert (result["id"], result["valid"], result["disability_category"], result["disability_grade"]) == (
        holder, True, category, grade)
    assert pd.isna(result["problem"])


@pytest.mark.parametrize("cell,problem", [
    (HOLDER + "81", "证件号码是20位，但最后两位不是残疾人证的残疾类别（1–7）和等级（1–4）"),   # category 8
    (HOLDER + "45", "证件号码是20位，但最后两位不是残疾人证的残疾类别（1–7）和等级（1–4）"),   # grade 5
    (HOLDER + "40", "证件号码是20位，但最后两位不是残疾人证的残疾类别（1–7）和等级（1–4）"),   # grade 0
    (WRONG_CHECK + "41", "证件号码是20位残疾人证号，但前18位的校验位错误"),
    (HOLDER[:6] + "19991399" + HOLDER[14:] + "41", "证件号码是20位残疾人证号，但其中的出生日期无效"),
    ("A" + HOLDER[1:] + "41", "证件号码是20位残疾人证号，但前18位不是有效的身份证号码"),
    (HOLDER + "4", "证件号码不是18位（或有效的15位）号码"),      # 19 characters
    (HOLDER + "412", "证件号码不是18位（或有效的15位）号码"),    # 21 characters
])
def test_other_20_character_numbers_and_other_lengths_are_invalid_with_a_reason(cell, problem):
    result = one(cell)
    assert not result["valid"] and result["problem"] == problem
    assert pd.isna(result["disability_category"]) and pd.isna(result["disability_grade"])


def test_a_20_digit_number_from_a_number_cell_lost_digits():
    for cell in (HOLDER + "41", "4.30321199001011E+19"):
        result = one(cell, from_number=True)
        assert not result["valid"] and result["problem"] == "证件号码存为数字格式，后几位已丢失"
        assert pd.isna(result["disability_category"])


def test_plain_ids_have_no_category_or_grade():
    result = normalise_ids(pd.Series([HOLDER, "", None]), AS_OF)
    assert result["valid"].tolist() == [True, False, False]
    assert result["disability_category"].isna().all() and result["disability_grade"].isna().all()


def test_20_character_number_in_a_text_cell_is_valid_and_in_a_number_cell_is_id01(tmp_path):
    other = next(i for i in (make_id(seq=f"{n:03d}") for n in range(400, 500)) if not i.endswith("X"))
    write_xlsx(tmp_path / "system" / "a.xlsx", {"Sheet1": [
        ["户编号", "姓名", "证件号码", "证件类型"],
        ["H1", "张三", HOLDER + "42", "残疾人证"],                    # a text cell
        ["H1", "李四", int(other + "31"), "残疾人证"],                # a number cell: 4.30321199001014E+19
    ]})
    frame, problems = normalise("system", read_source(tmp_path, "system").frame, AS_OF)
    assert frame["证件号码"].tolist()[0] == HOLDER and frame["_id_raw"].tolist()[0] == HOLDER + "42"
    assert frame["_id_valid"].tolist() == [True, False]
    assert frame["_id_problem"].tolist()[1] == "证件号码存为数字格式，后几位已丢失"
    assert frame["_cert_category"].tolist()[0] == "肢体" and frame["_cert_grade"].tolist()[0] == "二级"
    assert frame[["_cert_category", "_cert_grade"]].iloc[1].isna().all()
    assert problems.empty


def test_system_row_with_the_certificate_number_and_ledger_row_with_the_id_are_one_person(tmp_path):
    write_xlsx(tmp_path / "system" / "a.xlsx", {"Sheet1": [
        ["户编号", "姓名", "证件号码", "与户主关系"], ["H1", "张三", HOLDER + "41", "户主"]]})
    write_xlsx(tmp_path / "ledger" / "a.xlsx", {"Sheet1": [
        ["姓名", "证件号码", "与户主关系"], ["张三", HOLDER, "户主"]]})
    system, _ = normalise("system", read_source(tmp_path, "system").frame, AS_OF)
    ledger, _ = normalise("ledger", read_source(tmp_path, "ledger").frame, AS_OF)
    matched = match(system, ledger)
    assert matched.system["_person"].tolist() == matched.ledger["_person"].tolist() != [-1]
    assert matched.people["id_number"].tolist() == [HOLDER]
    assert matched.ledger["household_id"].tolist() == ["H1"]


# ---- masking personal data: ID numbers and phone numbers ----

from recon.ids import mask_ids_in_text, mask_phone  # noqa: E402


def test_mask_phone_keeps_a_mobiles_first_three_and_a_landlines_area_code_and_last_four():
    numbers = pd.Series(["13812345678", "085181234567", "01012345678", "02987654321", "1381234567", "138-1234-567",
                         "无", "0", None], dtype="string")
    assert mask_phone(numbers).tolist() == ["138****5678", "0851****4567", "010****5678", "029****4321", "138****4567",
                                            "138****4567", "无", "0", pd.NA]


def test_mobile_numbers_in_free_text_are_masked_with_ids():
    text = pd.Series(["电话13812345678，证件号码" + HOLDER, "联系 138 1234 5678 或 +86-139-8765-4321",
                      "户编号52242501010001，人数12345678901", None])
    assert mask_ids_in_text(text).tolist() == [
        "电话138****5678，证件号码" + HOLDER[:6] + "********" + HOLDER[-4:],
        "联系 138****5678 或 +86-139****4321",
        "户编号52242501010001，人数12345678901",   # not mobile numbers: 14 digits; 1 then 2
        pd.NA]
