"""Turn one roster cell into the value `clean_resident_fields` expects, or raise CellError.

Each function takes the raw cell (str, float, int, date...) and returns a string, a date, a
choice value or a list of tag values. They only reshape: IDs and phones are validated later by
`frontline.residents.validation.clean_resident_fields`, with the same messages as the forms.

Spreadsheets keep 15 significant digits of a number, so an 18-digit ID typed into a number cell
has lost its last three digits for good (1.10105194912310e+17). Such cells are reported, never
completed: a guessed ID would pass its checksum about one time in eleven.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from functools import cache, lru_cache

from django.conf import settings
from django.db.models import TextChoices
from django.utils import translation
from django.utils.functional import Promise
from django.utils.text import get_text_list
from django.utils.translation import gettext_lazy as _

from frontline.core.identity import normalise_document
from frontline.residents.models import DocumentType, ResidenceType, ResidentStatus, Sex, Tag
from frontline.residents.roster.errors import CellError

# Cells that say "nothing here": treated like empty cells, so they never overwrite a value.
PLACEHOLDERS = frozenset({"/", "-", "--", "—", "——", "无", "暂无", "n/a", "na", "null", "none"})


def _spellings(words: Iterable[str]) -> Iterator[str]:
    """Every upper- and lower-case spelling of each word ("na", "nA", "Na", "NA")."""
    for word in words:
        yield from map("".join, itertools.product(*({c.lower(), c.upper()} for c in word)))


# One set lookup per cell instead of case-folding every short cell of a 100k-row file.
PLACEHOLDER_SPELLINGS = frozenset(_spellings(PLACEHOLDERS))
EXACT_DIGITS = 15  # a spreadsheet number keeps 15 significant digits
PLACE_MAX_LENGTH = 20  # Building.number, Unit.number and Household.room
DEFAULT_UNIT = "1"  # a building without units (a low-rise, a bungalow row) has one unit, "1"

PLACE_CODE = r"[0-9A-Z]+"
BUILDING_SUFFIX = r"号楼|号栋|号幢|栋|幢|楼|座|号|#楼|#"
UNIT_SUFFIX = r"单元|门"
ROOM_SUFFIX = r"室|号|房"
DASHES = str.maketrans(dict.fromkeys("‐‑‒–—―−", "-"))
BRACKETED = re.compile(r"\(.*?\)|\[.*?\]|【.*?】")
WHITESPACE = re.compile(r"\s+")
# "3栋2单元401", "3号楼2单元401室", "3-2-401", "3栋401", after an optional "幸福里小区" prefix
# that ends in something other than a letter, digit, "-" or "#".
ADDRESS = re.compile(
    rf"(?:.*?[^0-9A-Z#-])??"
    rf"(?P<building>{PLACE_CODE})(?:(?:{BUILDING_SUFFIX})-?|-)"
    rf"(?:(?P<unit>{PLACE_CODE})(?:(?:{UNIT_SUFFIX})-?|-))?"
    rf"(?P<room>{PLACE_CODE})(?:{ROOM_SUFFIX})?"
)
UNIT_AND_ROOM = re.compile(
    rf"(?P<unit>{PLACE_CODE})(?:(?:{UNIT_SUFFIX})-?|-)(?P<room>{PLACE_CODE})(?:{ROOM_SUFFIX})?"
)
PLACE_PART = {
    "building": re.compile(rf"第?({PLACE_CODE})(?:{BUILDING_SUFFIX})?"),
    "unit": re.compile(rf"第?({PLACE_CODE})(?:{UNIT_SUFFIX})?"),
    "room": re.compile(rf"({PLACE_CODE})(?:{ROOM_SUFFIX})?"),
}

DATE_WITH_SEPARATORS = re.compile(r"(\d{4})([-/.])(\d{1,2})\2(\d{1,2})")
DATE_IN_CHINESE = re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日?")
DATE_DIGITS = re.compile(r"(\d{4})(\d{2})(\d{2})")
TIME_OF_DAY = re.compile(r"[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?$")
EXCEL_EPOCH = dt.date(1899, 12, 30)  # serial 61 is 1900-03-01 (Excel counts a 29 February 1900)
EXCEL_FAKE_LEAP_DAY = 60
EXCEL_LAST_SERIAL = 2958465  # 9999-12-31
SCIENTIFIC = re.compile(r"\d+(?:\.\d+)?E[+-]?\d+")
TAG_SEPARATORS = re.compile(r"[、,;/|]+")

LOST_ID_DIGITS = _(
    "The ID was stored as a number and lost its last digits; format the column as text and "
    "export again."
)
LOST_PHONE_DIGITS = _(
    "The phone number was stored as a number in scientific notation and lost digits; format "
    "the column as text and export again."
)
NOT_A_DATE = _("Enter a date such as 1990-03-07, 1990/3/7 or 1990年3月7日.")


def is_blank(value: object) -> bool:
    """An empty cell, or a placeholder such as "/", "-" or "无"."""
    if value is None:
        return True
    if isinstance(value, str):
        text = value.strip()
        return not text or text in PLACEHOLDER_SPELLINGS
    return False


def fold(text: str) -> str:
    """Full-width to half-width, no whitespace, case-folded: the form synonyms are compared in."""
    return WHITESPACE.sub("", unicodedata.normalize("NFKC", text)).casefold()


def number_text(value: float) -> str:
    """3.0 -> "3"; other floats as Python writes them."""
    if value.is_integer() and abs(value) < 10**EXACT_DIGITS:
        return str(int(value))
    return repr(value)


def text_value(value: object) -> str:
    """Any cell as stripped text (names, notes, contacts)."""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, float):
        return number_text(value)
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


# Places -----------------------------------------------------------------------------------------


def place_text(value: object) -> str:
    if isinstance(value, float):
        if not value.is_integer():
            raise CellError(_("Enter a whole number or text, not %(value)s.") % {"value": value})
        return str(int(value))
    text = BRACKETED.sub("", unicodedata.normalize("NFKC", text_value(value)))
    return WHITESPACE.sub("", text).translate(DASHES).upper()


def checked_length(part: str) -> str:
    if len(part) > PLACE_MAX_LENGTH:
        raise CellError(
            _("“%(part)s” is too long: at most %(limit)d characters.")
            % {"part": part, "limit": PLACE_MAX_LENGTH}
        )
    return part


def split_address(value: object) -> tuple[str, str, str]:
    """Building, unit and room from one cell: "3栋2单元401", "3-2-401", "3号楼2单元401室".

    Full-width digits, spaces, other dashes and a leading community or street name are allowed.
    An address without a unit ("3栋401", "3-401") is in unit "1": a building without units.
    """
    parts = address_parts(value) if isinstance(value, str) else read_address(value)
    if parts is None:
        raise CellError(
            _(
                "Could not read building, unit and room from “%(address)s”; write it as 3-2-401 "
                "or 3栋2单元401, or use separate columns."
            )
            % {"address": text_value(value)}
        )
    return (checked_length(parts[0]), checked_length(parts[1]), checked_length(parts[2]))


def read_address(value: object) -> tuple[str, str, str] | None:
    match = ADDRESS.fullmatch(place_text(value))
    if match is None:
        return None
    return match["building"], match["unit"] or DEFAULT_UNIT, match["room"]


# Households share addresses and rosters repeat words: the cached readers take the cell's text.
address_parts = lru_cache(maxsize=4096)(read_address)


def clean_place_part(value: object, part: str) -> str:
    """A separate building, unit or room cell: "3号楼" -> "3", "2单元" -> "2", 401.0 -> "401".

    Named buildings ("综合楼") are kept whole; only a suffix after a number or letters is dropped.
    """
    text = place_part(value, part) if isinstance(value, str) else read_place_part(value, part)
    return checked_length(text)


def read_place_part(value: object, part: str) -> str:
    text = place_text(value)
    match = PLACE_PART[part].fullmatch(text)
    return match[1] if match else text


place_part = lru_cache(maxsize=4096)(read_place_part)


def split_unit_and_room(value: object) -> tuple[str, str] | None:
    """Unit and room from a room cell that holds both ("2-401", "2单元401室"), else None."""
    match = UNIT_AND_ROOM.fullmatch(place_text(value))
    if match is None:
        return None
    return checked_length(match["unit"]), checked_length(match["room"])


# Dates ------------------------------------------------------------------------------------------


def parse_date(value: object) -> dt.date:
    """A date from a date cell, an Excel serial number, or text in a common Chinese format."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return date_from_number(value)
    if isinstance(value, str):
        return date_from_text(value)
    raise CellError(NOT_A_DATE)


def date_from_number(value: float) -> dt.date:
    """An Excel serial (1900 date system), or 19900307 typed into a number cell."""
    if not math.isfinite(value) or value < 1:
        raise CellError(NOT_A_DATE)
    serial = math.floor(value)
    if 10000101 <= serial <= 99991231 and value == serial:
        return real_date(serial // 10000, serial // 100 % 100, serial % 100)
    if serial < EXCEL_FAKE_LEAP_DAY:
        return EXCEL_EPOCH + dt.timedelta(days=serial + 1)
    if serial == EXCEL_FAKE_LEAP_DAY or serial > EXCEL_LAST_SERIAL:
        raise CellError(NOT_A_DATE)
    return EXCEL_EPOCH + dt.timedelta(days=serial)


def date_from_text(value: str) -> dt.date:
    text = TIME_OF_DAY.sub("", unicodedata.normalize("NFKC", value).strip())
    text = WHITESPACE.sub("", text)
    if match := DATE_WITH_SEPARATORS.fullmatch(text):
        year, month, day = match[1], match[3], match[4]
    elif match := DATE_IN_CHINESE.fullmatch(text) or DATE_DIGITS.fullmatch(text):
        year, month, day = match[1], match[2], match[3]
    else:
        raise CellError(NOT_A_DATE)
    return real_date(int(year), int(month), int(day))


def real_date(year: int, month: int, day: int) -> dt.date:
    try:
        return dt.date(year, month, day)
    except ValueError as error:
        raise CellError(
            _("%(year)04d-%(month)02d-%(day)02d is not a real date.")
            % {"year": year, "month": month, "day": day}
        ) from error


# Identity and contact ---------------------------------------------------------------------------


def document_text(value: object) -> str:
    """The document number as text; a number cell only when it kept every digit."""
    if isinstance(value, bool):
        raise CellError(LOST_ID_DIGITS)
    if isinstance(value, int):
        digits = str(value)
        # No reader gives a longer int for a spreadsheet number; if one did, it had lost digits.
        if len(digits) > EXACT_DIGITS:
            raise CellError(LOST_ID_DIGITS)
        return digits
    if isinstance(value, float):
        if value.is_integer() and 0 <= value < 10**EXACT_DIGITS:
            return str(int(value))  # a 15-digit legacy ID fits exactly
        raise CellError(LOST_ID_DIGITS)
    number = normalise_document(text_value(value))
    if "E" in number and SCIENTIFIC.fullmatch(
        number
    ):  # "1.10105E+17": a CSV saved from the number cells
        raise CellError(LOST_ID_DIGITS)
    return number


def phone_text(value: object) -> str:
    """The phone as text for `normalise_mobile`: 13812345678.0 -> "13812345678"."""
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 10**EXACT_DIGITS:
            return str(int(value))  # 11 to 13 digits are exact in a float
        raise CellError(LOST_PHONE_DIGITS)
    text = text_value(value)
    if not text.isdigit() and SCIENTIFIC.fullmatch(fold(text).upper()):
        raise CellError(LOST_PHONE_DIGITS)
    return text


# Choices ----------------------------------------------------------------------------------------

SEX_SYNONYMS = {
    "男": Sex.MALE, "男性": Sex.MALE, "m": Sex.MALE, "male": Sex.MALE, "man": Sex.MALE,
    "女": Sex.FEMALE, "女性": Sex.FEMALE, "f": Sex.FEMALE, "female": Sex.FEMALE,
    "woman": Sex.FEMALE,
}  # fmt: skip
RESIDENCE_SYNONYMS = {
    "户籍": ResidenceType.REGISTERED, "户籍人口": ResidenceType.REGISTERED,
    "本地": ResidenceType.REGISTERED, "本地户籍": ResidenceType.REGISTERED,
    "户籍居民": ResidenceType.REGISTERED, "registered": ResidenceType.REGISTERED,
    "常住": ResidenceType.LONG_TERM, "常住人口": ResidenceType.LONG_TERM,
    "常住居民": ResidenceType.LONG_TERM, "long-term": ResidenceType.LONG_TERM,
    "租户": ResidenceType.TENANT, "租住": ResidenceType.TENANT, "租房": ResidenceType.TENANT,
    "租赁": ResidenceType.TENANT, "流动": ResidenceType.FLOATING,
    "流动人口": ResidenceType.FLOATING, "外来人口": ResidenceType.FLOATING,
    "floating": ResidenceType.FLOATING,
}  # fmt: skip
STATUS_SYNONYMS = {
    "在住": ResidentStatus.PRESENT, "在家": ResidentStatus.PRESENT,
    "居住": ResidentStatus.PRESENT, "外出": ResidentStatus.AWAY, "暂离": ResidentStatus.AWAY,
    "离开": ResidentStatus.AWAY, "已迁出": ResidentStatus.MOVED_OUT,
    "迁出": ResidentStatus.MOVED_OUT, "搬离": ResidentStatus.MOVED_OUT,
    "已搬走": ResidentStatus.MOVED_OUT, "死亡": ResidentStatus.DECEASED,
    "已故": ResidentStatus.DECEASED, "去世": ResidentStatus.DECEASED,
    "已死亡": ResidentStatus.DECEASED, "已去世": ResidentStatus.DECEASED,
}  # fmt: skip
DOCUMENT_TYPE_SYNONYMS = {
    "身份证": DocumentType.RESIDENT_ID, "居民身份证": DocumentType.RESIDENT_ID,
    "二代身份证": DocumentType.RESIDENT_ID, "id card": DocumentType.RESIDENT_ID,
    "护照": DocumentType.PASSPORT,
    "港澳通行证": DocumentType.HMT_PERMIT, "台湾通行证": DocumentType.HMT_PERMIT,
    "港澳台通行证": DocumentType.HMT_PERMIT, "回乡证": DocumentType.HMT_PERMIT,
    "台胞证": DocumentType.HMT_PERMIT, "港澳居民来往内地通行证": DocumentType.HMT_PERMIT,
    "台湾居民来往大陆通行证": DocumentType.HMT_PERMIT,
    "港澳台居民居住证": DocumentType.HMT_PERMIT,
    "其他": DocumentType.OTHER, "其它": DocumentType.OTHER, "other": DocumentType.OTHER,
}  # fmt: skip
TAG_SYNONYMS = {
    "65岁以上": Tag.SENIOR, "65岁及以上": Tag.SENIOR, "老年人": Tag.SENIOR, "老人": Tag.SENIOR,
    "高龄": Tag.SENIOR,
    "独居": Tag.LIVING_ALONE, "独居老人": Tag.LIVING_ALONE,
    "慢性病": Tag.CHRONIC, "慢病": Tag.CHRONIC, "慢性病患者": Tag.CHRONIC,
    "透析": Tag.DIALYSIS, "血透": Tag.DIALYSIS, "血液透析": Tag.DIALYSIS, "腹透": Tag.DIALYSIS,
    "孕妇": Tag.PREGNANT, "孕产妇": Tag.PREGNANT,
    "残疾": Tag.DISABLED, "残疾人": Tag.DISABLED, "残障": Tag.DISABLED,
    "卧床": Tag.BEDRIDDEN, "长期卧床": Tag.BEDRIDDEN,
    "婴幼儿": Tag.INFANT, "婴儿": Tag.INFANT, "3岁以下": Tag.INFANT,
    "心理": Tag.MENTAL_HEALTH, "心理关爱": Tag.MENTAL_HEALTH, "心理疏导": Tag.MENTAL_HEALTH,
    "心理健康": Tag.MENTAL_HEALTH, "心理援助": Tag.MENTAL_HEALTH,
}  # fmt: skip


def choice_lookup(choices: type[TextChoices], synonyms: Mapping[str, str]) -> dict[str, str]:
    """Folded text -> choice value: the values, the labels in every language, and synonyms."""
    lookup = {fold(word): str(value) for word, value in synonyms.items()}
    for choice in choices:
        lookup[fold(choice.value)] = choice.value
        for language, _name in settings.LANGUAGES:
            with translation.override(language):
                lookup[fold(str(choice.label))] = choice.value
    return lookup


@cache
def lookups() -> dict[str, dict[str, str]]:
    """Built on first use, when the translation catalogues are loaded."""
    return {
        "sex": choice_lookup(Sex, SEX_SYNONYMS),
        "residence_type": choice_lookup(ResidenceType, RESIDENCE_SYNONYMS),
        "status": choice_lookup(ResidentStatus, STATUS_SYNONYMS),
        "document_type": choice_lookup(DocumentType, DOCUMENT_TYPE_SYNONYMS),
        "tags": choice_lookup(Tag, TAG_SYNONYMS),
    }


@lru_cache(maxsize=1024)
def find_choice(field: str, text: str) -> str | None:
    return lookups()[field].get(fold(text))


def choice_value(value: object, field: str, choices: type[TextChoices]) -> str:
    found = find_choice(field, text_value(value))
    if found is None:
        raise CellError(
            _("“%(value)s” is not one of: %(choices)s.")
            % {
                "value": text_value(value),
                "choices": get_text_list([str(label) for label in choices.labels]),
            }
        )
    return found


def sex_value(value: object) -> str:
    """男/女, M/F, male/female -> "M" or "F"."""
    return choice_value(value, "sex", Sex)


def residence_value(value: object) -> str:
    """户籍 -> registered, 常住 -> long_term, 租户 -> tenant, 流动 -> floating."""
    return choice_value(value, "residence_type", ResidenceType)


def status_value(value: object) -> str:
    """在住 -> present, 外出 -> away, 已迁出 -> moved_out, 已故 -> deceased."""
    return choice_value(value, "status", ResidentStatus)


def document_type_value(value: object) -> str:
    """身份证 -> resident_id, 护照 -> passport, 回乡证/台胞证 -> hmt_permit, 其他 -> other."""
    return choice_value(value, "document_type", DocumentType)


def tags_value(value: object) -> list[str]:
    """Stored tag values from "独居、慢性病；透析"; "65岁以上" is derived from the birth date and
    ignored. Unknown words are reported all together."""
    found, unknown = read_tags(text_value(value))
    if unknown:
        known = [tag.label for tag in Tag if tag != Tag.SENIOR]
        raise CellError(
            _("Unknown tags: %(tags)s. Known tags: %(known)s.")
            % {"tags": listing(unknown), "known": listing(known)}
        )
    return list(found)


@lru_cache(maxsize=1024)
def read_tags(text: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(sorted stored tag values, unknown words)."""
    lookup = lookups()["tags"]
    found: set[str] = set()
    unknown: list[str] = []
    for chunk in TAG_SEPARATORS.split(unicodedata.normalize("NFKC", text)):
        # "独居 慢性病" is two tags, "Living alone" is one.
        words = [chunk] if fold(chunk) in lookup else chunk.split()
        for word in words:
            tag = lookup.get(fold(word))
            if tag is None:
                unknown.append(word)
            elif tag != Tag.SENIOR:
                found.add(tag)
    return tuple(sorted(found)), tuple(unknown)


def listing(words: Iterable[str | Promise]) -> str:
    """ "a, b and c" in the active language."""
    return str(get_text_list([str(word) for word in words], _("and")))
