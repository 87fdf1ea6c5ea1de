"""证件号码 normalisation and validity (CONTRACT.md §3, GB 11643), vectorised.

Normalised: whitespace removed, full-width to half-width, x → X, a trailing
`.0` of a number cell removed; a valid 15-digit number becomes its 18-digit
form. Valid: 18 characters, 17 digits then a digit or X, the check digit
right, the birth date a real date from 1900 to the as-of date. A 20-character
残疾人证 number is its holder's ID followed by the disability category (1–7)
and grade (1–4): it is that ID, valid when the ID is.
"""
from __future__ import annotations

import datetime as dt
import re

import numpy as np
import pandas as pd

WEIGHTS = np.array([7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2])
CHECK_CHARS = np.array(list("10X98765432"))
# Full-width ASCII (U+FF01–U+FF5E) to half-width, and the ideographic space.
_FULL_TO_HALF = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}


def to_half_width(values: pd.Series) -> pd.Series:
    return _half_width(values).astype("string")


def _half_width(values: pd.Series) -> pd.Series:
    """Arrow-backed text with full-width characters made half-width; only the
    cells holding one are translated (translate is slow; finding them is not)."""
    text = values.astype("string[pyarrow]")
    wide = text.str.contains("[\uff01-\uff5e\u3000]", regex=True).fillna(False).to_numpy(bool)
    if wide.any():
        text = text.copy()
        text[wide] = text[wide].astype("string").str.translate(_FULL_TO_HALF).astype("string[pyarrow]")
    return text


def check_chars(first17: pd.Series) -> pd.Series:
    """GB 11643 check character of 17-digit strings (NA where not 17 digits)."""
    first17 = first17.astype("string")
    ok = first17.str.fullmatch(r"\d{17}").fillna(False).to_numpy(bool)
    result = pd.Series(pd.NA, index=first17.index, dtype="string")
    if ok.any():
        digits = np.frombuffer("".join(first17[ok].tolist()).encode("ascii"), dtype=np.uint8)
        digits = (digits - ord("0")).reshape(-1, 17).astype(np.int64)
        result[ok] = CHECK_CHARS[(digits @ WEIGHTS) % 11]
    return result


def clean(raw: pd.Series) -> pd.Series:
    """The cleaning steps of §3 before any 15 → 18 conversion (NA for empty)."""
    text = _half_width(raw.fillna(""))
    text = text.str.replace("[\\s\u00a0\u2000-\u200b\ufeff]+", "", regex=True).str.upper()
    text = text.str.replace(r"\.0+$", "", regex=True)
    return text.mask(text == "")


def _birth_ok(ids: pd.Series, as_of: dt.date) -> pd.Series:
    """The birth date digits are a real date from 1900 to as_of. Parsed once
    per distinct date: a county's 200,000 IDs hold some 30,000 birth dates."""
    codes, births = pd.factorize(ids.str.slice(6, 14))
    birth = pd.to_datetime(pd.Series(births, dtype=object), format="%Y%m%d", errors="coerce")
    ok = ((birth >= pd.Timestamp("1900-01-01")) & (birth <= pd.Timestamp(as_of))).to_numpy(bool)
    return pd.Series(np.append(ok, False)[codes], index=ids.index)   # code -1 (no ID) → the appended False


# The last two characters of a 20-character 残疾人证 number (CONTRACT.md §3).
DISABILITY_CATEGORIES = {"1": "视力", "2": "听力", "3": "言语", "4": "肢体", "5": "智力", "6": "精神", "7": "多重"}
DISABILITY_GRADES = {"1": "一级", "2": "二级", "3": "三级", "4": "四级"}
CERTIFICATE_LENGTH = 20


def normalise_ids(raw: pd.Series, as_of: dt.date, from_number: pd.Series | None = None) -> pd.DataFrame:
    """Normalise raw 证件号码 cells. Returns a frame (same index) with
    `id` (normalised text, NA when empty), `valid` (bool), `problem`
    (plain Chinese reason, NA when valid), and for a valid 20-character
    残疾人证 number `disability_category` (视力 … 多重) and `disability_grade`
    (一级 … 四级) from its last two digits (NA for every other row).

    `from_number`: True where the cell was an Excel number cell; an 18-digit
    ID read from one lost digits inside the file and is never valid."""
    text = clean(raw)
    legacy = text.str.fullmatch(r"\d{15}").fillna(False).astype(bool)
    twenty = text.str.len().eq(CERTIFICATE_LENGTH).fillna(False).astype(bool)
    # 20 characters ending in a category 1–7 and a grade 1–4: the first 18 are the holder's ID.
    certificate = twenty & text.str.fullmatch(r".{18}[1-7][1-4]").fillna(False).astype(bool)
    ids = text.where(~certificate, text.str.slice(0, 18))
    if legacy.any():   # rare: old 15-digit numbers become 18-digit ones
        old = text[legacy]
        upgraded = old.str.slice(0, 6) + "19" + old.str.slice(6)
        upgraded = upgraded + check_chars(upgraded)
        # A 15-digit number is only converted when its birth date is real.
        ids = ids.copy()
        ids[legacy] = upgraded.where(_birth_ok(upgraded, as_of), old)

    shape_ok = ids.str.fullmatch(r"\d{17}[\dX]").fillna(False) & ~(twenty & ~certificate)
    check_ok = shape_ok & (ids.str.slice(17, 18) == check_chars(ids.str.slice(0, 17))).fillna(False)
    birth_ok = shape_ok & _birth_ok(ids, as_of).fillna(False)
    numeric = (from_number.fillna(False).astype(bool) if from_number is not None
               else pd.Series(False, index=raw.index))
    long_number = numeric & (text.str.len() >= 16).fillna(False) | (numeric & text.str.contains("E", regex=False).fillna(False))
    valid = check_ok & birth_ok & ~long_number

    problem = pd.Series(np.select(
        [text.isna().to_numpy(bool),
         long_number.to_numpy(bool),
         (twenty & ~certificate).to_numpy(bool),
         (certificate & ~shape_ok).to_numpy(bool),
         (certificate & ~birth_ok).to_numpy(bool),
         (certificate & ~check_ok).to_numpy(bool),
         ~shape_ok.to_numpy(bool),
         ~birth_ok.to_numpy(bool),
         ~check_ok.to_numpy(bool)],
        ["证件号码为空",
         "证件号码存为数字格式，后几位已丢失",
         "证件号码是20位，但最后两位不是残疾人证的残疾类别（1–7）和等级（1–4）",
         "证件号码是20位残疾人证号，但前18位不是有效的身份证号码",
         "证件号码是20位残疾人证号，但其中的出生日期无效",
         "证件号码是20位残疾人证号，但前18位的校验位错误",
         "证件号码不是18位（或有效的15位）号码",
         "证件号码中的出生日期无效",
         "证件号码校验位错误"],
        default=""), index=raw.index, dtype="string")
    problem = problem.mask(valid | (problem == ""))
    held = certificate & valid   # a valid 残疾人证 number: its last two digits say category and grade
    category = text.str.slice(18, 19).where(held).map(DISABILITY_CATEGORIES).astype("string")
    grade = text.str.slice(19, 20).where(held).map(DISABILITY_GRADES).astype("string")
    return pd.DataFrame({"id": ids.astype("string"), "valid": valid.astype(bool), "problem": problem,
                         "disability_category": category, "disability_grade": grade})


def mask_id(ids: pd.Series) -> pd.Series:
    """430321********1234: the region code and the last four characters."""
    ids = ids.astype("string")
    long_enough = ids.str.len() >= 10
    return ids.where(~long_enough.fillna(False), ids.str.slice(0, 6) + "********" + ids.str.slice(-4))


_ID_IN_TEXT = r"(?<![0-9])([0-9]{6})[0-9]{5,8}([0-9]{3}[0-9Xx])(?![0-9])"
# A mobile number in free text, also spelled 138 1234 5678 or 138-1234-5678.
_MOBILE_IN_TEXT = r"(?<![0-9])(1[3-9][0-9])[- ]?[0-9]{4}[- ]?([0-9]{4})(?![0-9])"
# An ID read from a number cell (4.30321199001011E+17) still shows most digits.
_E_NUMBER_IN_TEXT = r"(\d\.\d{4})\d{5,}(E\+?\d+)"
_IN_TEXT = [(re.compile(_ID_IN_TEXT), r"\1********\2"), (re.compile(_MOBILE_IN_TEXT), r"\1****\2"),
            (re.compile(_E_NUMBER_IN_TEXT), r"\1********\2")]


def mask_ids_in_text(values: pd.Series) -> pd.Series:
    """Mask every 15–18 character ID-like run inside free text (430321********1234),
    and every mobile phone number (138****5678): both are personal data."""
    # Python's re (object dtype): RE2, behind Arrow strings, has no lookbehind.
    text = values.astype(object).where(values.notna(), None)
    for pattern, replacement in _IN_TEXT:
        text = text.str.replace(pattern, replacement, regex=True)
    return text.astype("string")


def mask_ids_in(text: str) -> str:
    """mask_ids_in_text for one text (a report cell, a chart label)."""
    for pattern, replacement in _IN_TEXT:
        text = pattern.sub(replacement, text)
    return text


def mask_phone(numbers: pd.Series) -> pd.Series:
    """Phone numbers as recon.values.parse_phone gives them, masked: a mobile
    number as 138****1234, a landline as its area code and last four
    (0851****5678, 010****5678); anything else holding seven digits or more
    as its first three and last four digits (138-1234-567 → 138****4567)."""
    numbers = numbers.astype("string")
    mobile = numbers.str.fullmatch(r"1[3-9]\d{9}").fillna(False).astype(bool)
    landline = numbers.str.fullmatch(r"0\d{9,11}").fillna(False).astype(bool)
    # 010 and 020–029 are the three-digit area codes; the others have four digits.
    area = numbers.str.slice(0, 3).where(numbers.str.match(r"0[12]").fillna(False).astype(bool),
                                         numbers.str.slice(0, 4))
    digits = numbers.str.replace(r"[^0-9]", "", regex=True)
    other = numbers.where(~(digits.str.len() >= 7).fillna(False).astype(bool),
                          digits.str.slice(0, 3) + "****" + digits.str.slice(-4))
    return (other.where(~mobile, numbers.str.slice(0, 3) + "****" + numbers.str.slice(-4))
            .where(~landline, area + "****" + numbers.str.slice(-4)))
