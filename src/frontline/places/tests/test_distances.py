"""Walking distances for delivery routes: imported where the community measured them, estimated
from the site plan elsewhere."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from frontline.places.distances import walking_metres
from frontline.places.models import Building, WalkingDistance


def place(building: Building, east: int | None, north: int | None) -> Building:
    building.plan_x, building.plan_y = east, north
    building.save(update_fields=["plan_x", "plan_y"])
    return building


@pytest.fixture
def office(world):  # type: ignore[no-untyped-def]
    return Building.objects.create(community=world.community, grid=world.grid1, number="办公楼")


def test_it_estimates_along_the_plans_axes_from_positions(world, office):
    depot = place(office, 0, 0)
    three = place(world.building1, 30, 40)
    five = place(world.building2, 100, 10)

    matrix = walking_metres(depot=depot, buildings=[three, five])

    assert matrix == [[0, 70, 110], [70, 0, 100], [110, 100, 0]]


def test_an_imported_distance_wins_over_the_estimate_one_way_only(
    world, office, django_assert_num_queries
):
    depot = place(office, 0, 0)
    three = place(world.building1, 30, 40)
    WalkingDistance.objects.create(
        community=world.community, origin=depot, destination=three, metres=250
    )

    with django_assert_num_queries(1):
        matrix = walking_metres(depot=depot, buildings=[three])

    assert matrix == [[0, 250], [70, 0]]


def test_imported_distances_stand_in_for_a_missing_position(world, office):
    depot = place(office, 0, 0)
    three = world.building1  # never placed
    for origin, destination, metres in ((depot, three, 80), (three, depot, 90)):
        WalkingDistance.objects.create(
            community=world.community, origin=origin, destination=destination, metres=metres
        )

    assert walking_metres(depot=depot, buildings=[three]) == [[0, 80], [90, 0]]


def test_it_names_every_building_without_a_position_or_distances(world, office):
    depot = place(office, 0, 0)
    far = Building.objects.create(community=world.community, grid=world.grid2, number="12")

    with translation.override("en"), pytest.raises(ValidationError) as raised:
        walking_metres(depot=depot, buildings=[far, place(world.building2, 5, 5), world.building1])

    assert raised.value.messages == [
        "Enter the position on the site plan (or import the walking distances) of building 3 "
        "and 12."
    ]
