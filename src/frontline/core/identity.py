"""Resident ID numbers (GB 11643-1999): normalising, validating and converting legacy 15-digit IDs.

Users type full-width digits, spaces and a lowercase x, and older documents carry 15-digit
numbers; this module normalises them, converts the legacy form and checks the GB 11643 check
character and the birth date. python-stdnum's `cn.ric.validate` is not used: it also rejects an
address code outside the years its county existed, and residents keep IDs issued by counties
since renamed; its address database still serves the synthetic demo data.
"""

from __future__ import annotations

import datetime as dt
import hmac
import operator
import unicodedata
from functools import lru_cache
from hashlib import sha256
from typing import NamedTuple

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

SEPARATORS = str.maketrans("", "", " \t-\u3000")


def normalise_document(raw: str) -> str:
    """Full-width to half-width, strip spaces and dashes, upper-case the check character."""
    if raw and raw.isascii() and raw.isalnum():
        return raw.upper()  # nothing to fold or strip: the common case, and every second pass
    return unicodedata.normalize("NFKC", raw or "").translate(SEPARATORS).upper()


WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ZERO_WEIGHT = ord("0") * sum(WEIGHTS)  # what the digits' character codes add beyond their values


def check_digit(first17: str) -> str:
    """The GB 11643 check character for the first 17 (ASCII) digits."""
    if len(first17) != len(WEIGHTS) or not (first17.isascii() and first17.isdigit()):
        raise ValueError(first17)
    return _check_character(first17)


def _check_character(first17: str) -> str:
    # The digits' bytes weighted at once: an import checks 100k IDs, and int() per digit was
    # most of the cost.
    return "10X98765432"[(sum(map(operator.mul, first17.encode(), WEIGHTS)) - ZERO_WEIGHT) % 11]


def upgrade_15_digit(number: str) -> str:
    """Convert a legacy 15-digit ID (YYMMDD, no check character) to the 18-digit form."""
    first17 = number[:6] + "19" + number[6:]
    return first17 + check_digit(first17)


class ResidentId(NamedTuple):
    number: str
    birth_date: dt.date
    sex: str  # "M" or "F", from the parity of the sequence number


def parse_resident_id(raw: str, *, today: dt.date | None = None) -> ResidentId:
    """Normalise and validate a resident ID; raise ValidationError with a translated message.

    `today` (default: the calendar date) bounds the birth date; an import passes it once.
    """
    number = normalise_document(raw)
    if len(number) == 15 and number.isascii() and number.isdigit():
        number = upgrade_15_digit(number)
    if (
        len(number) != 18
        or not number.isascii()
        or not number[:17].isdigit()
        or not (number[17].isdigit() or number[17] == "X")
    ):
        raise ValidationError(
            _("A resident ID has 18 characters: 17 digits and a digit or X."), code="id_format"
        )
    if _check_character(number[:17]) != number[17]:
        raise ValidationError(
            _("The check character of this resident ID is wrong."), code="id_checksum"
        )
    try:
        birth_date = dt.date.fromisoformat(number[6:14])  # YYYYMMDD
    except ValueError as error:
        raise ValidationError(
            _("The birth date in this resident ID is not a real date."), code="id_birth_date"
        ) from error
    if birth_date > (today or dt.date.today()):  # noqa: DTZ011 - a calendar date, not an instant
        raise ValidationError(
            _("The birth date in this resident ID is in the future."), code="id_birth_date"
        )
    return ResidentId(number=number, birth_date=birth_date, sex="M" if int(number[16]) % 2 else "F")


def document_digest(number: str) -> str:
    """A keyed digest for exact-match lookups, so logs and indexes never need the number itself."""
    digest = _keyed_digest(settings.SECRET_KEY).copy()  # half the cost of keying it again
    digest.update(number.encode())
    return digest.hexdigest()


@lru_cache(maxsize=4)
def _keyed_digest(secret: str) -> hmac.HMAC:
    return hmac.new(("frontline.document:" + secret).encode(), digestmod=sha256)
