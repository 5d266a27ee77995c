"""The screening SQL agrees with the one-pair reference `match_stay`, and refreshes stay in step."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from frontline.conftest import World
from frontline.travel.models import RiskArea, Trip, TripMatch, TripSource
from frontline.travel.places import Stay, match_stay
from frontline.travel.screening import match_count, screening_refresh
from frontline.travel.services import place_columns

# Small pools so that places and days collide often.
CODES = ["", "110000", "110100", "110105", "110106", "310000", "310101", "120100"]
TEXTS = ["", "北京", "北京市朝阳区", "朝阳区", "上海浦东", "浦东", "天津"]
START = dt.date(2022, 5, 1)
offsets = st.integers(min_value=0, max_value=20)

place = st.tuples(st.sampled_from(CODES), st.sampled_from(TEXTS)).filter(lambda p: p != ("", ""))
trips = st.lists(st.tuples(place, offsets, st.integers(min_value=0, max_value=6)), max_size=8)
areas = st.lists(
    st.tuples(place, offsets, st.one_of(st.none(), st.integers(min_value=0, max_value=6))),
    max_size=6,
)


def insert(world: World, trip_rows, area_rows):  # type: ignore[no-untyped-def]
    errors: dict[str, list[str]] = {}
    for (code, text), start, length in trip_rows:
        Trip.objects.create(
            resident=world.zhang, source=TripSource.WORKER,
            date_from=START + dt.timedelta(days=start), date_to=START + dt.timedelta(days=start + length),
            **place_columns(area_code=code, place=text, errors=errors),
        )  # fmt: skip
    for (code, text), start, length in area_rows:
        RiskArea.objects.create(
            name=text or code, level="high", valid_from=START + dt.timedelta(days=start),
            valid_to=None if length is None else START + dt.timedelta(days=start + length),
            **place_columns(area_code=code, place=text, errors=errors),
        )  # fmt: skip
    assert errors == {}


def expected() -> set[tuple[int, int, str, dt.date, dt.date]]:
    found = set()
    for trip in Trip.objects.all():
        for area in RiskArea.objects.all():
            finding = match_stay(
                Stay(trip.area_code, trip.place, trip.date_from, trip.date_to),
                Stay(area.area_code, area.place, area.valid_from, area.valid_to),
            )
            if finding is not None:
                found.add(
                    (trip.pk, area.pk, finding.kind.value, finding.first_day, finding.last_day)
                )
    return found


def stored() -> set[tuple[int, int, str, dt.date, dt.date]]:
    return {
        (m.trip_id, m.area_id, m.kind, m.first_day, m.last_day) for m in TripMatch.objects.all()
    }


@pytest.mark.django_db
@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(trip_rows=trips, area_rows=areas)
def test_the_sql_finds_exactly_the_matches_the_reference_finds(
    world: World, trip_rows, area_rows
) -> None:  # type: ignore[no-untyped-def]
    TripMatch.objects.all().delete()
    Trip.objects.all().delete()
    RiskArea.objects.all().delete()
    insert(world, trip_rows, area_rows)

    written = screening_refresh()

    assert stored() == expected()
    assert written == match_count() == len(stored())


@pytest.mark.django_db
@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(trip_rows=trips, area_rows=areas)
def test_refreshing_some_trips_or_areas_gives_the_same_as_a_full_refresh(
    world: World, trip_rows, area_rows
) -> None:  # type: ignore[no-untyped-def]
    TripMatch.objects.all().delete()
    Trip.objects.all().delete()
    RiskArea.objects.all().delete()
    insert(world, trip_rows, area_rows)
    trip_ids = list(Trip.objects.values_list("pk", flat=True))
    area_ids = list(RiskArea.objects.values_list("pk", flat=True))

    screening_refresh(trip_ids=trip_ids[: len(trip_ids) // 2])
    screening_refresh(trip_ids=trip_ids[len(trip_ids) // 2 :])
    by_trip = stored()
    TripMatch.objects.all().delete()
    screening_refresh(area_ids=area_ids)

    assert by_trip == stored() == expected()
