import datetime as dt
import unicodedata

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from frontline.core.identity import (
    SEPARATORS,
    check_digit,
    normalise_document,
    parse_resident_id,
    upgrade_15_digit,
)
from frontline.core.masking import mask_document, mask_phone
from frontline.core.phones import normalise_mobile
from frontline.core.pinyin import initials

addresses = st.sampled_from(["110105", "310104", "420106", "440305", "510107", "650102"])
birth_dates = st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2025, 12, 31))
sequences = st.integers(min_value=0, max_value=999)


def build_id(address: str, birth: dt.date, sequence: int) -> str:
    first17 = f"{address}{birth:%Y%m%d}{sequence:03d}"
    return first17 + check_digit(first17)


@given(addresses, birth_dates, sequences)
def test_every_well_formed_id_passes_with_its_birth_date_and_sex(address, birth, sequence):
    number = build_id(address, birth, sequence)
    parsed = parse_resident_id(number)
    assert parsed.number == number
    assert parsed.birth_date == birth
    assert parsed.sex == ("M" if sequence % 2 else "F")


@given(addresses, birth_dates, sequences, st.integers(min_value=0, max_value=17), st.data())
def test_any_single_character_change_fails(address, birth, sequence, position, data):
    number = build_id(address, birth, sequence)
    alphabet = "0123456789X" if position == 17 else "0123456789"
    replacement = data.draw(st.sampled_from([c for c in alphabet if c != number[position]]))
    changed = number[:position] + replacement + number[position + 1 :]
    with pytest.raises(ValidationError):
        parse_resident_id(changed)


@given(st.from_regex(r"[0-9]{17}", fullmatch=True))
def test_the_check_character_is_gb_11643s_weighted_sum(first17: str) -> None:
    # The standard's weights are 2^(17 - i) mod 11, computed here rather than copied.
    total = sum(int(digit) * pow(2, 17 - i, 11) for i, digit in enumerate(first17))
    assert check_digit(first17) == "10X98765432"[total % 11]


def test_digits_of_other_scripts_are_not_an_id():
    arabic_indic = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
    number = build_id("110105", dt.date(1949, 12, 31), 2)
    for typed in (
        number.translate(arabic_indic),
        number[:6] + number[8:17].translate(arabic_indic),  # the legacy 15-character form
    ):
        with pytest.raises(ValidationError) as caught:
            parse_resident_id(typed)
        assert caught.value.code == "id_format"
    with pytest.raises(ValueError, match="٠"):
        check_digit(number[:17].translate(arabic_indic))


@given(
    addresses, st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(1999, 12, 31)), sequences
)
def test_a_15_digit_id_converts_to_the_18_digit_form(address, birth, sequence):
    legacy = f"{address}{birth:%y%m%d}{sequence:03d}"
    upgraded = upgrade_15_digit(legacy)
    assert upgraded == build_id(address, birth, sequence)
    assert parse_resident_id(legacy).number == upgraded
    assert upgraded[:6] + upgraded[8:17] == legacy


@given(addresses, birth_dates, sequences)
def test_full_width_digits_spaces_and_lowercase_x_are_normalised(address, birth, sequence):
    number = build_id(address, birth, sequence)
    typed = " ".join(number[i : i + 6] for i in range(0, 18, 6)).lower()
    full_width = "".join(chr(ord(c) + 0xFEE0) if c.isdigit() else c for c in typed)
    assert normalise_document(full_width) == number
    assert parse_resident_id(full_width).number == number


def test_it_rejects_an_impossible_birth_date_with_a_right_checksum():
    first17 = "11010519490230001"  # 30 February
    with pytest.raises(ValidationError) as error:
        parse_resident_id(first17 + check_digit(first17))
    assert error.value.code == "id_birth_date"


def test_the_domain_example_is_valid():
    assert parse_resident_id("11010519491231002X").birth_date == dt.date(1949, 12, 31)


def test_masks_follow_the_national_standard():
    assert mask_document("11010519491231002X") == "110105********002X"
    assert mask_phone("13812345678") == "138****5678"
    assert mask_phone("") == ""


@pytest.mark.parametrize(
    "typed",
    [
        "13812345678",
        "+86 138 1234 5678",
        "１３８１２３４５６７８",
        "138-1234-5678",
        "13812345678\n",
    ],
)
def test_mobile_numbers_are_normalised(typed):
    assert normalise_mobile(typed) == "13812345678"


@pytest.mark.parametrize(
    "typed", ["12812345678", "1381234567", "abc", "010-12345678", "+1 415 555 0100"]
)
def test_bad_mobile_numbers_are_rejected(typed):
    with pytest.raises(ValidationError):
        normalise_mobile(typed)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("张三丰", "zsf"),
        ("曾小贤", "zxx"),
        ("单雄信", "sxx"),
        ("解缙", "xj"),
        ("仇英", "qy"),
        ("欧阳修", "oyx"),
    ],
)
def test_pinyin_initials_read_the_first_character_as_a_surname(name, expected):
    assert initials(name) == expected


@given(st.text(alphabet=st.characters(codec="ascii"), max_size=30))
def test_latin_letters_and_digits_are_their_own_initials(text: str) -> None:
    assert initials(text) == "".join(c.lower() for c in text.strip() if c.isalnum())


@given(st.text(max_size=30) | st.from_regex(r"[0-9A-Za-z]{1,20}", fullmatch=True))
def test_the_plain_text_shortcut_normalises_like_the_full_rule(raw: str) -> None:
    assert (
        normalise_document(raw) == unicodedata.normalize("NFKC", raw).translate(SEPARATORS).upper()
    )
