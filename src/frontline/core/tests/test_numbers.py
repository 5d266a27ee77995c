"""Typed numbers read one way: never a 500 for what a person or a script might type."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from frontline.core.numbers import is_count, parse_count, parse_money


@pytest.mark.parametrize(
    ("typed", "expected"),
    [("12", 12), (" 7 ", 7), ("0", 0), ("²", None), ("١٢", None), ("-1", None), ("1.5", None),
     ("", None), (None, None), ("9" * 9, 999_999_999), ("9" * 10, None), ("1e3", None)],
)  # fmt: skip
def test_counts_are_ascii_digits_of_a_sane_length(typed, expected):
    assert parse_count(typed) == expected


@pytest.mark.parametrize(
    ("typed", "expected"),
    [("35.5", Decimal("35.50")), ("0", Decimal("0.00")), ("-2", Decimal("-2.00")),
     ("12.345", Decimal("12.34")), ("NaN", None), ("Infinity", None), ("-inf", None),
     ("abc", None), ("", None), ("1e12", None), (Decimal("3"), Decimal("3.00"))],
)  # fmt: skip
def test_money_is_finite_and_to_the_fen(typed, expected):
    assert parse_money(typed) == expected


@given(st.text(max_size=30))
def test_no_text_makes_either_reader_raise(text):
    count, money = parse_count(text), parse_money(text)
    assert count is None or (is_count(count) and count >= 0)
    assert money is None or (money.is_finite() and money == money.quantize(Decimal("0.01")))


def test_a_bool_is_not_a_count():
    assert (is_count(3), is_count(True), is_count(3.0)) == (True, False, False)
