"""Numbers typed into forms and API fields, read the one way: whole counts in ASCII digits of a
sane length, and amounts of money in yuan to the fen. Anything else reads as None, for the
service to name as the field's error (never a 500: "²".isdigit() is True but int("²") fails,
Decimal("NaN") compares by raising)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

MAX_DIGITS = 9
FEN = Decimal("0.01")


def is_count(value: object) -> bool:
    """An int that is not a bool (True is an int to Python, not a count to a person)."""
    return isinstance(value, int) and not isinstance(value, bool)


def parse_count(text: object) -> int | None:
    """A typed whole number of at most nine ASCII digits, else None."""
    typed = str(text if text is not None else "").strip()
    if not typed or len(typed) > MAX_DIGITS or not (typed.isascii() and typed.isdigit()):
        return None
    return int(typed)


def parse_money(value: object) -> Decimal | None:
    """An amount in yuan rounded to the fen (finite; the sign is the caller's to judge)."""
    try:
        amount = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None
    if not amount.is_finite() or abs(amount) >= Decimal(10) ** MAX_DIGITS:
        return None
    return amount.quantize(FEN)
