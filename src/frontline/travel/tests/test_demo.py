from __future__ import annotations

import pytest

from frontline.conftest import World
from frontline.travel.demo import ensure_demo_travel
from frontline.travel.models import RiskArea, Trip


@pytest.mark.django_db
def test_the_demo_travel_data_is_created_once(world: World) -> None:
    assert ensure_demo_travel(world.community, trips=2) == (4, 2)
    assert ensure_demo_travel(world.community, trips=2) == (0, 0)
    assert RiskArea.objects.count() == 4 and Trip.objects.count() == 2


@pytest.mark.django_db
def test_the_screen_trips_command_brings_the_matches_up_to_date(world: World) -> None:
    import io

    from django.core.management import call_command

    from frontline.travel.models import TripMatch

    ensure_demo_travel(world.community, trips=3)
    expected = sorted(TripMatch.objects.values_list("trip_id", "area_id", "first_day", "last_day"))
    TripMatch.objects.all().delete()
    output = io.StringIO()
    call_command("screen_trips", stdout=output)
    assert output.getvalue().startswith(f"{len(expected)} matches")
    assert (
        sorted(TripMatch.objects.values_list("trip_id", "area_id", "first_day", "last_day"))
        == expected
    )
