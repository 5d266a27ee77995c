"""Mainland mobile numbers: 11 digits, 1[3-9] then 9 digits, optional +86."""

from __future__ import annotations

import re
import unicodedata

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

MOBILE = re.compile(r"^1[3-9][0-9]{9}$")
SEPARATORS = str.maketrans("", "", " -\t()")


def normalise_mobile(raw: str) -> str:
    """Return the 11-digit national form of a mainland mobile number or raise ValidationError."""
    if raw and MOBILE.fullmatch(raw):  # already in its national form: every second pass, most cells
        return raw
    text = unicodedata.normalize("NFKC", raw or "").strip()
    compact = text.translate(SEPARATORS)
    if MOBILE.match(compact):  # the common case, without the general parser
        return compact
    try:
        parsed = phonenumbers.parse(text, "CN")
    except phonenumbers.NumberParseException as error:
        raise ValidationError(_("Enter an 11-digit mobile number."), code="phone_format") from error
    national = str(parsed.national_number)
    valid = (
        parsed.country_code == 86
        and len(national) == 11
        and national[0] == "1"
        and national[1] in "3456789"
        and phonenumbers.number_type(parsed)
        in (phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE)
    )
    if not valid:
        raise ValidationError(_("Enter an 11-digit mobile number."), code="phone_format")
    return national
