"""Numbers for readers (no scientific notation, at most four decimals) and formula-safe cells."""

from __future__ import annotations

import math
import re

from hypothesis import given
from hypothesis import strategies as st

from workbench import formatting as fmt

NUMBER = re.compile(r"^-?\d{1,3}(,\d{3})*(\.\d{1,4})?$")
BOUND = re.compile(r"^(<|>-)0(\.0{0,3}1)?$|^<1$|^>-1$")
finite = st.floats(allow_nan=False, allow_infinity=False, min_value=-1e15, max_value=1e15)


@given(finite, st.integers(min_value=0, max_value=4))
def test_a_number_is_plain_digits_with_separators_or_a_bound(x, decimals):
    text = fmt.format_number(x, decimals)
    assert "e" not in text.lower()
    assert NUMBER.match(text) or BOUND.match(text), text
    if NUMBER.match(text):  # the text is the value, rounded to the decimals shown
        assert abs(float(text.replace(",", "")) - x) <= 0.5 * 10 ** -decimals * (1 + 1e-9) + abs(x) * 1e-12
    else:  # a bound: a non-zero value too small for the decimals
        assert x != 0 and abs(x) < 10 ** -decimals


@given(st.lists(finite, min_size=1, max_size=30))
def test_decimals_never_exceed_four(values):
    d = fmt.decimals_for(values)
    assert 0 <= d <= fmt.MAX_DECIMALS
    for x in values:
        assert len(fmt.format_number(x, d).partition(".")[2]) <= fmt.MAX_DECIMALS


@given(st.floats(min_value=0, max_value=1, allow_nan=False))
def test_p_values_below_a_thousandth_are_bounds(p):
    text = fmt.format_p_value(p)
    assert text == "<0.001" if p < 0.001 else re.fullmatch(r"[01]\.\d{3}", text)


def test_readers_formats_on_examples_from_the_reports():
    assert fmt.format_count(32992.0) == "32,992"
    assert fmt.format_number(702717803.154851, fmt.decimals_for([702717803.154851])) == "702,717,803"
    assert fmt.format_number(6.97530082330589, fmt.decimals_for([6.9753, 4.8908, 52.97])) == "6.98"
    assert fmt.format_p_value(3.941233637872533e-17) == "<0.001" and fmt.format_p_value(0.2165999) == "0.217"
    assert fmt.format_share(0.2602948075496017) == "26.0%" and fmt.format_percent(49.68425) == "49.7%"
    assert fmt.format_number(-0.00001, 2) == ">-0.01" and fmt.format_number(0.0, 2) == "0.00"
    assert fmt.format_number(float("nan"), 2) == fmt.MISSING and fmt.format_count(None) == fmt.MISSING


@given(st.text(min_size=1))
def test_formula_text_is_made_inert_and_other_text_kept(text):
    out = fmt.neutralise_formula(text)
    if text[0] in fmt.FORMULA_TRIGGERS:
        assert out == "'" + text
    else:
        assert out == text


def test_numbers_stay_numbers():
    for value in (-5, -0.5, 3, 1e-9, math.inf):
        assert fmt.neutralise_formula(value) == value
