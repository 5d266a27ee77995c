"""Places and the matching of one stay against one risk area, without database access.

Administrative area codes follow GB/T 2260: six digits, two each for province, city and
district. A province is written "110000", a city "110100", a district "110105"; the
significant prefix ("11", "1101", "110105") names the place, and a code covers every code that
starts with its prefix. Free-text places are compared after `place_key` (NFKC, case-folded,
letters and digits only).

`match_stay` is the single definition of a match; the SQL in `screening.py` must agree with it
(a test compares them on generated data).
"""

from __future__ import annotations

import datetime as dt
import enum
import unicodedata
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# The provinces of GB/T 2260 (the first two digits of every valid code).
PROVINCES = frozenset(
    {
        "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36",
        "37", "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62",
        "63", "64", "65", "71", "81", "82",
    }
)  # fmt: skip
CODE_LENGTH = 6
PLACE_MAX_LENGTH = 200


class CodeLevel(enum.IntEnum):
    PROVINCE = 2
    CITY = 4
    DISTRICT = 6


def normalise_code(raw: object) -> str:
    """Full-width digits and stray spaces removed; 110105.0 from a number cell becomes "110105"."""
    if raw is None:
        return ""
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    return "".join(unicodedata.normalize("NFKC", str(raw)).split())


def clean_area_code(raw: object) -> str:
    """A valid six-digit code, or "" for an empty value; raise ValidationError otherwise."""
    code = normalise_code(raw)
    if not code:
        return ""
    if len(code) != CODE_LENGTH or not code.isascii() or not code.isdigit():
        raise ValidationError(
            _("An area code has six digits, such as 110105 (GB/T 2260)."), code="area_code_format"
        )
    if code[:2] not in PROVINCES:
        raise ValidationError(
            _("%(prefix)s is not a province code: an area code starts with 11 to 82.")
            % {"prefix": code[:2]},
            code="area_code_province",
        )
    if code[2:4] == "00" and code[4:] != "00":
        raise ValidationError(
            _("An area code with a district (last two digits) needs a city (digits 3 and 4)."),
            code="area_code_city",
        )
    return code


def code_prefix(code: str) -> str:
    """The significant digits: "110000" -> "11", "110100" -> "1101", "110105" -> "110105"."""
    if not code:
        return ""
    if code[2:] == "0000":
        return code[:2]
    if code[4:] == "00":
        return code[:4]
    return code


def province_of(code: str) -> str:
    """GB/T 2260: the province is the first two digits followed by 0000."""
    return code[:2] + "0000" if code else ""


def city_of(code: str) -> str:
    """The city is the first four digits followed by 00; "" for a province-level code."""
    return code[:4] + "00" if code and code[2:4] != "00" else ""


def place_key(text: str) -> str:
    """The form free-text places are compared in: "北京市 朝阳区（望京）" -> "北京市朝阳区望京"."""
    folded = unicodedata.normalize("NFKC", text or "").casefold()
    return "".join(char for char in folded if char.isalnum())


class MatchKind(enum.StrEnum):
    MATCH = "match"  # the area covers the place of the stay
    POSSIBLE = "possible"  # the stay is known only more coarsely than the area (city vs district)


@dataclass(frozen=True)
class Stay:
    """A place between two days; `last` None means open-ended (a risk area still in force)."""

    code: str
    text: str
    first: dt.date
    last: dt.date | None


@dataclass(frozen=True)
class Finding:
    kind: MatchKind
    first_day: dt.date
    last_day: dt.date

    @property
    def days(self) -> int:
        return (self.last_day - self.first_day).days + 1


def place_relation(
    trip_code: str, trip_text: str, area_code: str, area_text: str
) -> MatchKind | None:
    """How an area's place relates to a trip's place.

    Codes decide when both sides have one; otherwise the free texts (keys) decide, when both have
    one. The area covering the trip's place is a match; the trip's place covering the area (the
    trip known only as "北京", the area a district of it) is a possible match.
    """
    if trip_code and area_code:
        trip_prefix, area_prefix = code_prefix(trip_code), code_prefix(area_code)
        if trip_prefix.startswith(area_prefix):
            return MatchKind.MATCH
        if area_prefix.startswith(trip_prefix):
            return MatchKind.POSSIBLE
        return None
    trip_key, area_key = place_key(trip_text), place_key(area_text)
    if not trip_key or not area_key:
        return None
    if area_key in trip_key:
        return MatchKind.MATCH
    if trip_key in area_key:
        return MatchKind.POSSIBLE
    return None


def overlap(trip: Stay, area: Stay) -> tuple[dt.date, dt.date] | None:
    """The first and last day both stays share (days count inclusively), or None."""
    first = max(trip.first, area.first)
    ends = [day for day in (trip.last, area.last) if day is not None]
    last = min(ends) if ends else None
    if last is None or first > last:
        return None
    return first, last


def match_stay(trip: Stay, area: Stay) -> Finding | None:
    """One trip against one risk area: the kind of match and the days they overlap, or None."""
    kind = place_relation(trip.code, trip.text, area.code, area.text)
    if kind is None:
        return None
    days = overlap(trip, area)
    if days is None:
        return None
    return Finding(kind=kind, first_day=days[0], last_day=days[1])
