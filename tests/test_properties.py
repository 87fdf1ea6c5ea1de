"""Property-based tests of the normalisers (issue 7, CONTRACT.md §2.9, §3):
they never raise on any text, normalising their output again changes
nothing, and a valid ID survives every spelling the contract accepts."""
import datetime as dt

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from recon.ids import check_chars, normalise_ids
from recon.values import normalise_name, parse_amount, parse_date, parse_yesno

AS_OF = dt.date(2025, 6, 30)
FAST = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Any text a cell can hold: full-width forms, ideographic and zero-width
# spaces, control characters, CJK, surrogate-free unicode, and now and then a huge string.
FULL_WIDTH = st.sampled_from(list("０１２３４５６７８９ｘＸ　．，－／年月日元¥￥"))
NOISE = st.sampled_from(["\x00", "\x07", "\t", "\r", "\n", "\u200b", "\ufeff", "\u3000", "·", "•", ".", "-", "E+17"])
CELL = st.one_of(
    st.text(max_size=30),
    st.lists(st.one_of(FULL_WIDTH, NOISE, st.characters(), st.sampled_from(list("0123456789xX是否年月日"))),
             max_size=25).map("".join),
    st.integers(min_value=1, max_value=20).map(lambda n: "1" * n * 1000),
)
CELLS = st.lists(st.one_of(st.none(), CELL), min_size=1, max_size=8)


def series(values) -> pd.Series:
    return pd.Series(values, dtype=object)


def plain(values: pd.Series) -> list:
    """Values for comparing, NA as one marker (NA != NA otherwise)."""
    return ["<NA>" if pd.isna(x) else x for x in values.tolist()]


@FAST
@given(CELLS)
def test_id_normaliser_never_raises_and_is_idempotent(cells):
    first = normalise_ids(series(cells), AS_OF)
    again = normalise_ids(first["id"].astype(object), AS_OF)
    assert plain(first["id"]) == plain(again["id"])
    assert first["valid"].tolist() == again["valid"].tolist()


@FAST
@given(CELLS)
def test_name_normaliser_never_raises_and_is_idempotent(cells):
    display, key = normalise_name(series(cells))
    display2, key2 = normalise_name(display.astype(object))
    assert plain(display) == plain(display2)
    assert plain(key) == plain(key2)
    key3 = normalise_name(key.astype(object))[1]
    assert plain(key) == plain(key3)


@FAST
@given(CELLS, st.booleans())
def test_date_parser_never_raises_and_a_parsed_date_reparses_to_itself(cells, months):
    parsed, bad = parse_date(series(cells), months=months)
    assert len(parsed) == len(cells) and bad.dtype == bool
    shown = parsed.dt.strftime("%Y-%m-%d")
    again, again_bad = parse_date(shown.astype(object), months=months)
    assert plain(again) == plain(parsed)
    assert not again_bad.any()


@FAST
@given(CELLS)
def test_amount_parser_never_raises_and_a_parsed_amount_reparses_to_itself(cells):
    parsed, bad = parse_amount(series(cells))
    assert len(parsed) == len(cells) and bad.dtype == bool
    # Amounts a ledger can hold: beyond 10^12 yuan, rounding to the fen is below a float's precision.
    finite = parsed.notna() & parsed.astype("float64").abs().lt(1e12)
    shown = parsed.where(finite).astype(object).map(lambda x: None if pd.isna(x) else repr(float(x)))
    again, again_bad = parse_amount(shown)
    assert again[finite].tolist() == parsed[finite].tolist()
    assert not again_bad.any()


@FAST
@given(CELLS)
def test_yesno_parser_never_raises_and_empty_is_unknown_never_no(cells):
    parsed, bad = parse_yesno(series(cells))
    assert len(parsed) == len(cells)
    empty = series(cells).map(lambda c: c is None or c.strip() == "")
    assert parsed[empty].isna().all() and not bad[empty].any()
    again, _ = parse_yesno(parsed.map({True: "是", False: "否"}).astype(object))
    assert plain(again) == plain(parsed)


# Valid IDs: a real birth date 1900 … as-of, any region and sequence digits.
BIRTH = st.dates(min_value=dt.date(1900, 1, 1), max_value=AS_OF)
DIGITS6 = st.text("0123456789", min_size=6, max_size=6)
DIGITS3 = st.text("0123456789", min_size=3, max_size=3)


def with_check(first17: str) -> str:
    return first17 + check_chars(pd.Series([first17])).iloc[0]


def full_width(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


SPELLINGS = {
    "as is": lambda i: i,
    "full-width digits": full_width,
    "lowercase x": lambda i: i.lower(),
    "surrounding spaces": lambda i: f"  {i}\u3000",
    "inner spaces": lambda i: f"{i[:6]} {i[6:14]} {i[14:]}",
    "tab and newline": lambda i: f"\t{i}\n",
    "number cell .0": lambda i: i + ".0",
}


@FAST
@given(DIGITS6, BIRTH, DIGITS3, st.sampled_from(sorted(SPELLINGS)))
def test_a_valid_id_survives_every_accepted_spelling(region, birth, seq, spelling):
    valid = with_check(f"{region}{birth:%Y%m%d}{seq}")
    result = normalise_ids(series([SPELLINGS[spelling](valid)]), AS_OF)
    assert result["id"].tolist() == [valid] and result["valid"].tolist() == [True], spelling


@FAST
@given(DIGITS6, st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(1999, 12, 31)), DIGITS3,
       st.sampled_from(["as is", "full-width digits", "surrounding spaces", "number cell .0"]))
def test_a_15_digit_id_of_1900_to_1999_becomes_its_18_digit_form(region, birth, seq, spelling):
    legacy = f"{region}{birth:%y%m%d}{seq}"
    expected = with_check(f"{region}{birth:%Y%m%d}{seq}")
    result = normalise_ids(series([SPELLINGS[spelling](legacy)]), AS_OF)
    assert result["id"].tolist() == [expected] and result["valid"].tolist() == [True]
    # …and the 18-digit form it became is itself a fixed point.
    assert normalise_ids(result["id"].astype(object), AS_OF)["id"].tolist() == [expected]


@FAST
@given(DIGITS6, BIRTH, DIGITS3)
def test_an_18_digit_id_from_a_number_cell_is_never_valid_even_with_a_right_check_digit(region, birth, seq):
    valid = with_check(f"{region}{birth:%Y%m%d}{seq}")
    if not valid[-1].isdigit():
        valid = valid[:-1] + "0"
    result = normalise_ids(series([valid]), AS_OF, from_number=pd.Series([True]))
    assert result["valid"].tolist() == [False]
