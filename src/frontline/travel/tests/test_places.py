"""Area codes, place keys and the matching of one trip against one area (no database)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from frontline.travel.places import (
    PROVINCES,
    MatchKind,
    Stay,
    city_of,
    clean_area_code,
    code_prefix,
    match_stay,
    overlap,
    place_key,
    province_of,
)

provinces = st.sampled_from(sorted(PROVINCES))
two_digits = st.integers(min_value=1, max_value=99).map(lambda n: f"{n:02d}")


@st.composite
def codes(draw: st.DrawFn) -> str:
    """A valid code at province, city or district level."""
    province = draw(provinces)
    level = draw(st.sampled_from([2, 4, 6]))
    if level == 2:
        return province + "0000"
    city = draw(two_digits)
    return province + city + ("00" if level == 4 else draw(two_digits))


days = st.dates(min_value=dt.date(2021, 1, 1), max_value=dt.date(2023, 12, 31))


@given(codes())
def test_it_accepts_every_well_formed_code_and_keeps_it(code: str) -> None:
    assert clean_area_code(code) == code
    assert (
        clean_area_code(" " + code.translate(str.maketrans("0123456789", "０１２３４５６７８９")))
        == code
    )


@given(codes())
def test_the_province_and_city_of_a_code_follow_gb_t_2260(code: str) -> None:
    assert province_of(code) == code[:2] + "0000"
    prefix = code_prefix(code)
    assert code.startswith(prefix) and len(prefix) in (2, 4, 6)
    if len(prefix) > 2:
        assert city_of(code) == code[:4] + "00"
    else:
        assert city_of(code) == ""


@given(st.text(min_size=1, max_size=8))
def test_it_rejects_anything_but_six_digits_of_a_known_province(text: str) -> None:
    candidate = text.strip()
    looks_valid = (
        len(candidate) == 6
        and candidate.isascii()
        and candidate.isdigit()
        and candidate[:2] in PROVINCES
    )
    if looks_valid:
        return
    if not "".join(candidate.split()):
        assert clean_area_code(text) == ""
        return
    try:
        clean_area_code(text)
    except ValidationError:
        return
    # Full-width digits and inner spaces normalise to a valid code: that is accepted on purpose.
    assert clean_area_code(text).isdigit()


@pytest.mark.parametrize(
    ("code", "reason"),
    [("11010", "six digits"), ("990000", "province"), ("110001", "city"), ("11O105", "six digits")],
)
def test_it_explains_why_a_code_is_wrong(code: str, reason: str) -> None:
    from django.utils import translation

    with translation.override("en"):
        with pytest.raises(ValidationError) as error:
            clean_area_code(code)
        assert reason in " ".join(error.value.messages)  # lazy: read in the same language


@given(st.text(max_size=30))
def test_a_place_key_is_stable_and_has_only_letters_and_digits(text: str) -> None:
    key = place_key(text)
    assert place_key(key) == key
    assert all(char.isalnum() for char in key)


def test_place_keys_ignore_spaces_punctuation_width_and_case() -> None:
    assert place_key(" 北京市 朝阳区（望京）") == place_key("北京市朝阳区望京")
    assert place_key("ＡＢＣ Street") == "abcstreet"


def stay(
    code: str = "",
    text: str = "",
    first: dt.date = dt.date(2022, 5, 1),
    last: dt.date | None = dt.date(2022, 5, 3),
) -> Stay:
    return Stay(code=code, text=text, first=first, last=last)


def kind(trip: Stay, area: Stay) -> MatchKind | None:
    found = match_stay(trip, area)
    return None if found is None else found.kind


def test_a_city_area_covers_its_districts_and_a_district_area_only_possibly_covers_a_city_trip() -> (
    None
):
    assert kind(stay("110105"), stay("110100")) == MatchKind.MATCH
    assert kind(stay("110105"), stay("110000")) == MatchKind.MATCH
    assert kind(stay("110100"), stay("110105")) == MatchKind.POSSIBLE
    assert kind(stay("110000"), stay("110105")) == MatchKind.POSSIBLE
    assert match_stay(stay("110106"), stay("110105")) is None
    assert match_stay(stay("120105"), stay("110000")) is None


def test_free_text_matches_by_containment_when_a_side_has_no_code() -> None:
    assert kind(stay(text="北京市朝阳区望京街道"), stay(text="朝阳区")) == MatchKind.MATCH
    assert kind(stay(text="朝阳"), stay(text="北京市朝阳区")) == MatchKind.POSSIBLE
    assert kind(stay("110105", "上海"), stay(text="上海")) == MatchKind.MATCH
    assert match_stay(stay(text="上海"), stay(text="北京")) is None
    # Both coded: the codes decide, whatever the texts say.
    assert match_stay(stay("310101", "北京"), stay("110105", "北京")) is None


def test_the_overlap_counts_both_end_days() -> None:
    found = match_stay(
        stay("110105", first=dt.date(2022, 5, 1), last=dt.date(2022, 5, 10)),
        stay("110105", first=dt.date(2022, 5, 8), last=None),
    )
    assert found is not None
    assert (found.first_day, found.last_day, found.days) == (
        dt.date(2022, 5, 8),
        dt.date(2022, 5, 10),
        3,
    )
    assert (
        match_stay(
            stay("110105", last=dt.date(2022, 5, 7)),
            stay("110105", first=dt.date(2022, 5, 8), last=None),
        )
        is None
    )


@given(days, days, days, st.one_of(st.none(), days))
def test_the_overlap_lies_inside_both_stays_and_is_symmetric(
    a1: dt.date, a2: dt.date, b1: dt.date, b2: dt.date | None
) -> None:
    trip = stay("110105", first=min(a1, a2), last=max(a1, a2))
    area = stay(
        "110105", first=b1 if b2 is None else min(b1, b2), last=None if b2 is None else max(b1, b2)
    )
    common = overlap(trip, area)
    last = max(a1, a2)
    every_day = {trip.first + dt.timedelta(days=n) for n in range((last - trip.first).days + 1)}
    shared = {
        day for day in every_day if day >= area.first and (area.last is None or day <= area.last)
    }
    if common is None:
        assert not shared
    else:
        assert shared == {
            common[0] + dt.timedelta(days=n) for n in range((common[1] - common[0]).days + 1)
        }


@given(codes(), codes())
def test_code_matching_is_prefix_containment(trip_code: str, area_code: str) -> None:
    found = match_stay(stay(trip_code), stay(area_code, last=None, first=dt.date(2022, 1, 1)))
    trip_prefix, area_prefix = code_prefix(trip_code), code_prefix(area_code)
    if trip_prefix.startswith(area_prefix):
        assert found is not None and found.kind == MatchKind.MATCH
    elif area_prefix.startswith(trip_prefix):
        assert found is not None and found.kind == MatchKind.POSSIBLE
    else:
        assert found is None


@given(days, days, days)
def test_a_trip_is_accepted_exactly_when_it_is_ordered_and_not_in_the_future(
    first: dt.date, last: dt.date, today: dt.date
) -> None:
    from frontline.travel.services import clean_trip_fields

    values = {"place": "上海", "date_from": first, "date_to": last}
    should_pass = first <= last <= today
    try:
        cleaned = clean_trip_fields(values, today=today)
    except ValidationError as error:
        assert not should_pass, error
        assert set(error.message_dict) <= {"date_from", "date_to"}
    else:
        assert should_pass
        assert (cleaned["date_from"], cleaned["date_to"]) == (first, last)


@given(codes(), st.text(max_size=20))
def test_the_stored_columns_of_a_place_agree_with_its_code(code: str, text: str) -> None:
    from frontline.travel.services import place_columns

    errors: dict[str, list[str]] = {}
    columns = place_columns(area_code=code, place=text, errors=errors)
    assert errors == {} or set(errors) == {"place"}
    prefix = code_prefix(code)
    assert columns["code_prefix"] == prefix and columns["code_level"] == len(prefix)
    assert columns["province_prefix"] == code[:2]
    assert columns["city_prefix"] == (code[:4] if len(prefix) >= 4 else "")
