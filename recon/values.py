"""Cell value parsers for the spellings of CONTRACT.md §2.9, vectorised.

Each parser takes a Series of cell text and returns `(parsed, bad)`: `bad`
marks non-empty cells that could not be read. Empty is unknown (NA), never
否 or 0, and never bad. No parser raises, whatever it is given.
"""
from __future__ import annotations

import functools
from collections.abc import Mapping

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from recon.ids import to_half_width

# Characters around a value that are not part of it: whitespace of any width,
# zero-width spaces and byte-order marks.
# Spelled out: Arrow's regex engine (RE2) reads \s as ASCII whitespace only.
_SPACE = "[\\s\x0b\u0085\u00a0\u1680\u2000-\u200b\u2028\u2029\u202f\u205f\u3000\ufeff\x1c-\x1f]"
_EDGE_NOISE = f"^{_SPACE}+|{_SPACE}+$"
_MIDDLE_DOTS = "[\u00b7\u2022\u2027\u30fb\uff0e\uff65\u2219\u22c5.]"

YES_NO = {"是": True, "否": False, "y": True, "n": False, "yes": True, "no": False,
          "1": True, "0": False, "√": True, "✓": True, "✔": True, "×": False, "✗": False,
          "有": True, "无": False, "true": True, "false": False}

SEX = {"男": "男", "女": "女", "男性": "男", "女性": "女", "m": "男", "f": "女", "male": "男", "female": "女"}
GRADES = {"a": "A", "b": "B", "c": "C", "d": "D", "一": "A", "二": "B", "三": "C", "四": "D"}


def on_distinct(parser):
    """Run a parser once per distinct cell and spread the results back: most
    columns hold few distinct values (是/否, labels, dates), so this is what
    makes 200,000-row frames cheap."""
    @functools.wraps(parser)
    def wrapper(values, *args, **kwargs):
        values = values if isinstance(values, pd.Series) else pd.Series(values)
        try:
            codes, uniques = pd.factorize(values, use_na_sentinel=True)
        except TypeError:  # unhashable cells: parse them as they are
            uniques = values
        if 2 * len(uniques) > len(values):
            return tuple(_python_strings(result) for result in parser(values, *args, **kwargs))
        distinct = pd.Series(np.append(np.asarray(uniques, dtype=object), None), dtype=object)
        codes = np.where(codes < 0, len(uniques), codes)
        return tuple(None if result is None else
                     _python_strings(result.take(codes).set_axis(values.index).rename(values.name))
                     for result in parser(distinct, *args, **kwargs))
    return wrapper


def _python_strings(result: pd.Series | None) -> pd.Series | None:
    """Parsers work on Arrow-backed text (fast regex); they hand out the
    plain "string" dtype of docs/internals.md."""
    if result is not None and isinstance(result.dtype, pd.StringDtype) and result.dtype.storage != "python":
        return result.astype("string")
    return result


def _text(values) -> pd.Series:
    """Any Series as trimmed text (Arrow-backed "string"), NA for empty."""
    values = values if isinstance(values, pd.Series) else pd.Series(values)
    if not isinstance(values.dtype, pd.StringDtype):
        values = values.astype(object).where(values.notna(), None)
    try:
        values = values.astype("string[pyarrow]")
    except UnicodeEncodeError:   # a lone surrogate cannot be UTF-8: shown as U+FFFD (only this rare path loops)
        values = values.astype(object).map(_replace_surrogates, na_action="ignore").astype("string[pyarrow]")
    text = values.str.strip().str.replace(_EDGE_NOISE, "", regex=True)
    return text.mask(text == "")


def _replace_surrogates(cell) -> str:
    return str(cell).encode("utf-8", "replace").decode("utf-8")


def _folded(values) -> pd.Series:
    """Trimmed, half-width, lowercase, no inner whitespace: for matching."""
    text = to_half_width(_text(values)).str.replace(r"\s+", "", regex=True).str.lower()
    return text.mask(text == "")


def _bad(text: pd.Series, parsed: pd.Series) -> pd.Series:
    return (text.notna() & parsed.isna()).astype(bool)


def normalise_text(values) -> pd.Series:
    """Surrounding whitespace (also full-width) removed; empty → NA."""
    return _trimmed(values)[0]


@on_distinct
def _trimmed(values) -> tuple[pd.Series]:
    return (_text(values),)


@on_distinct
def normalise_name(values) -> tuple[pd.Series, pd.Series]:
    """(display name trimmed, name key): the key has no whitespace, half-width
    characters and one middle dot · for all its spellings (CONTRACT.md §3)."""
    display = _text(values)
    key = to_half_width(display.str.replace(_MIDDLE_DOTS, "·", regex=True)).str.replace(r"\s+", "", regex=True)
    return display, key.mask(key == "")


@on_distinct
def parse_yesno(values, spellings: Mapping[str, str] | None = None) -> tuple[pd.Series, pd.Series]:
    """是/否 (YES_NO) → nullable boolean; a column's own `spellings` map other
    words to 是 or 否 (享受低保: 农村低保 = 是, 未享受 = 否)."""
    text = _text(values)
    words = YES_NO | {_fold_word(word): YES_NO[meaning] for word, meaning in (spellings or {}).items()}
    parsed = _folded(text).map(words).astype("boolean")
    return parsed, _bad(text, parsed)


def _fold_word(word: str) -> str:
    return _folded(pd.Series([word], dtype="string")).iloc[0]


def _excel_serial(serial: pd.Series) -> pd.Series:
    """Excel 1900-system day numbers → dates. Excel counts a 1900-02-29 that
    never was (serial 60), so serials below 60 start one day later."""
    days = np.floor(pd.to_numeric(serial, errors="coerce").astype("float64"))
    days = days.where((days >= 1) & (days != 60))
    days = days.where(days > 60, days + 1)
    return pd.Timestamp("1899-12-30") + pd.to_timedelta(days, unit="D")


_FULL_DATE = (r"^(?P<y>\d{4})[-/.年](?P<m>\d{1,2})[-/.月](?P<d>\d{1,2})日?"
              r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$")
_COMPACT_DATE = r"^(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})$"
_MONTH = r"^(?P<y>\d{4})(?:[-/.年](?P<m>\d{1,2})月?|(?P<m2>\d{2}))$"
# 1–5 digits, but not a year (2023 or 2023.05 is not the serial of 1905-07-15).
# Two patterns, not one lookahead: Arrow's RE2 has no lookaround.
_SERIAL = r"\d{1,5}(?:\.\d+)?"
_YEARISH = r"(?:19|20)\d\d(?:\.\d*)?"


def _arrow_replace(text: pd.Series, pattern: str, replacement: str) -> pd.Series:
    """str.replace with a group reference, in Arrow (RE2): pandas runs that
    one cell at a time in Python."""
    replaced = pc.replace_substring_regex(pa.array(text.astype("string[pyarrow]").array), pattern, replacement)
    return pd.Series(pd.arrays.ArrowStringArray(replaced), index=text.index)


def _extract(text: pd.Series, pattern: str) -> pd.DataFrame:
    """str.extract of the named groups of `pattern`, in Arrow (RE2); a group
    that did not take part, or a cell that does not match, is NA."""
    found = pc.extract_regex(pa.array(text.astype("string[pyarrow]").array), pattern)
    columns = {}
    for index, field in enumerate(found.type):
        group = pc.struct_field(found, [index])
        columns[field.name] = pd.arrays.ArrowStringArray(pc.if_else(pc.equal(group, ""), None, group))
    return pd.DataFrame(columns, index=text.index)


@on_distinct
def parse_date(values, months: bool = False) -> tuple[pd.Series, pd.Series]:
    """Dates in the spellings of §2.9 → datetime64[ns]. With months=True a
    month (202305, 2023-05, 2023年5月) is the first day of that month."""
    text = _text(values)
    clean = _arrow_replace(to_half_width(text), r"\s*([-/.年月日])\s*", r"\1")
    parts = _extract(clean, _FULL_DATE)
    compact = _extract(clean, _COMPACT_DATE)
    parts = parts.fillna(compact)
    if months:
        month = _extract(clean, _MONTH)
        month["m"] = month["m"].fillna(month["m2"])
        month["d"] = "1"
        parts = parts.fillna(month[["y", "m", "d"]])
    assembled = parts["y"] + parts["m"].str.zfill(2) + parts["d"].str.zfill(2)
    parsed = pd.to_datetime(assembled, format="%Y%m%d", errors="coerce")
    serial_like = clean.str.fullmatch(_SERIAL).fillna(False) & ~clean.str.fullmatch(_YEARISH).fillna(False)
    serial = clean.where(serial_like.astype(bool))
    parsed = parsed.fillna(_excel_serial(serial)).astype("datetime64[ns]")
    return parsed, _bad(text, parsed)


_NUMBER = r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)"


@on_distinct
def parse_amount(values) -> tuple[pd.Series, pd.Series]:
    """Yuan amounts → Float64: thousands separators, 元 and ¥ allowed."""
    text = _text(values)
    clean = (to_half_width(text).str.replace("\u2212", "-", regex=False)
             .str.replace(r"[\s,]", "", regex=True)
             .str.replace(r"^[¥￥]|元$", "", regex=True))
    number = clean.where(clean.str.fullmatch(_NUMBER).fillna(False).astype(bool))
    parsed = pd.to_numeric(number, errors="coerce").astype("Float64")
    return parsed, _bad(text, parsed)


def _whole_number(values, pattern: str) -> tuple[pd.Series, pd.Series]:
    """Int64 from the digits `pattern` captures (after full-width → half-width)."""
    text = _text(values)
    digits = to_half_width(text).str.extract(pattern)[0]
    parsed = pd.to_numeric(digits, errors="coerce").astype("Int64").rename(text.name)
    return parsed, _bad(text, parsed)


@on_distinct
def parse_int(values) -> tuple[pd.Series, pd.Series]:
    """Whole numbers → Int64: "3", "3.0", "3人"."""
    return _whole_number(values, r"^\s*([+-]?\d{1,15})(?:\.0*)?\s*[人口个户名]?$")


@on_distinct
def parse_year(values) -> tuple[pd.Series, pd.Series]:
    """Four-digit years → Int64: "2024", "2024年", "2024年度", "2024.0"."""
    return _whole_number(values, r"^(\d{4})(?:\.0*)?\s*(?:年度?)?$")


@on_distinct
def normalise_code(values, labels: Mapping[str, str] | None = None) -> tuple[pd.Series, pd.Series]:
    """A coded label → its canonical label: `labels` maps every accepted
    spelling to its label (recon.sources Column.labels()), compared without
    whitespace or case. Matched by label only: a numeric code is bad
    (provinces number the same lists differently). No labels: any text."""
    text = _text(values)
    if not labels:
        return text, pd.Series(False, index=text.index)
    parsed = _folded(text).map(_folded_labels(labels)).astype("string")
    return parsed, _bad(text, parsed)


def _folded_labels(labels: Mapping[str, str]) -> dict[str, str]:
    spellings = pd.Series(list(labels), dtype="string")
    return dict(zip(_folded(spellings).tolist(), labels.values()))


@on_distinct
def normalise_relation(values, labels: Mapping[str, str] | None = None) -> tuple[pd.Series, pd.Series]:
    """与户主关系 without the 之 prefix (之子 → 子), spellings folded to their
    label (儿子 → 子). A relation outside the labels is bad (reported) but kept
    as written: it still tells the rules that the person is not the 户主."""
    text = _text(values).str.replace(r"^之", "", regex=True).str.replace(r"\s+", "", regex=True)
    text = text.mask(text == "")
    if not labels:
        return text, pd.Series(False, index=text.index)
    text = text.replace({spelling: label for spelling, label in labels.items() if spelling != label})
    return text, (text.notna() & ~text.isin(set(labels.values()))).astype(bool)


@on_distinct
def parse_sex(values) -> tuple[pd.Series, pd.Series]:
    text = _text(values)
    parsed = _folded(text).map(SEX).astype("string")
    return parsed, _bad(text, parsed)


@on_distinct
def parse_grade(values) -> tuple[pd.Series, pd.Series]:
    """Housing grades A–D; also A级 and 一级…四级."""
    text = _text(values)
    letter = _folded(text).str.extract(r"^([a-d一二三四])级?$")[0]
    parsed = letter.map(GRADES).astype("string").rename(text.name)
    return parsed, _bad(text, parsed)


@on_distinct
def parse_labels(values, labels: Mapping[str, str]) -> tuple[pd.Series, pd.Series]:
    """Several labels in a cell (健康状况 残疾,长期慢性病; 致贫原因 因病、因残)
    split on , ， 、 ; → canonical labels (in the order of the label set)
    joined by 、; bad when any is not one of them."""
    text = _text(values)
    position = pd.RangeIndex(len(text))
    pieces = _folded(text).set_axis(position).str.split(r"[,、;；]", regex=True).explode()
    pieces = pieces[pieces.notna() & (pieces != "")]
    found = pieces.map(_folded_labels(labels))
    unknown = found.isna().groupby(level=0).any().reindex(position, fill_value=False)
    joined = pd.Series("", index=position, dtype="string")
    for label in dict.fromkeys(labels.values()):  # a few labels, not rows
        has_label = (found == label).groupby(level=0).any().reindex(position, fill_value=False)
        joined = joined + has_label.map({True: "、" + label, False: ""}).astype("string")
    joined = joined.str.slice(1)
    parsed = joined.mask((joined == "") | unknown.to_numpy(bool)).set_axis(text.index)
    return parsed, _bad(text, parsed)


@on_distinct
def parse_list(values) -> tuple[pd.Series, pd.Series]:
    """Several free values in a cell (a county's `list` column: 健康帮扶措施
    送医,签约) split on , ， 、 ; ；, each trimmed, joined by 、; any text reads."""
    text = _text(values)
    position = pd.RangeIndex(len(text))
    pieces = text.set_axis(position).str.split(r"[,，、;；]", regex=True).explode().str.strip()
    pieces = pieces[pieces.notna() & (pieces != "")]
    joined = pieces.groupby(level=0).agg("、".join).reindex(position).astype("string")
    return joined.set_axis(text.index), pd.Series(False, index=text.index)


# Phone numbers (CONTRACT.md §2.9): whitespace, hyphens and dashes, and brackets
# are not part of the number, nor a leading +86/86 before 11 digits.
_PHONE_NOISE = f"(?:{_SPACE}|[-\u2010-\u2015\u2212()\\[\\]【】])+"
MOBILE = r"1[3-9]\d{9}"
LANDLINE = r"0\d{9,11}"          # with its area code


@on_distinct
def parse_phone(values) -> tuple[pd.Series, pd.Series]:
    """Phone numbers → (number, well-formed). The number is the digits of a
    well-formed one (a mobile number, or a landline with its area code); a
    malformed one (too short, letters, 无, 0) keeps its text as written, for
    the rule that reports it (PHN01): it is a value, not an unreadable cell.
    Both NA for an empty cell (unknown)."""
    text = _text(values)
    digits = to_half_width(text).str.replace(_PHONE_NOISE, "", regex=True)
    digits = digits.str.replace(r"\.0+$", "", regex=True)   # a number cell's text, 13812345678.0
    digits = _arrow_replace(digits, r"^\+?86(\d{11})$", r"\1")
    well_formed = digits.str.fullmatch(f"{MOBILE}|{LANDLINE}").astype("boolean")
    return text.where(~well_formed.fillna(False).astype(bool), digits), well_formed
