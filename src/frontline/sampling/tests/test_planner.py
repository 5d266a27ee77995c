"""The site and time-slot planner: capacity is never exceeded, nobody is lost."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from frontline.sampling.planner import BuildingSpec, SiteSpec, plan

START = dt.datetime(2022, 4, 4, 6, 0, tzinfo=dt.UTC)


def test_two_tables_swab_100_people_per_half_hour_and_a_big_building_runs_on():
    result = plan(
        sites=[SiteSpec(1, 2)], buildings=[BuildingSpec(3, 250), BuildingSpec(5, 30)],
        starts_at=START, ends_at=START + dt.timedelta(hours=6),
    )  # fmt: skip
    assert result.slot_capacity == {1: 100}
    first, second = result.visits
    assert (first.building, first.start, first.end, first.people) == (
        3, START, START + dt.timedelta(minutes=90), 250,
    )  # fmt: skip
    # building 5 starts in the half-hour building 3 left half empty
    assert (second.start, second.end, second.people) == (
        START + dt.timedelta(minutes=60), START + dt.timedelta(minutes=90), 30,
    )  # fmt: skip
    assert result.unplaced == {}


def test_people_beyond_the_window_are_reported_with_the_tables_it_would_take():
    result = plan(
        sites=[SiteSpec(1, 1)], buildings=[BuildingSpec(3, 700)],
        starts_at=START, ends_at=START + dt.timedelta(hours=6),
    )  # fmt: skip
    assert result.visits[0].people == 600 and result.unplaced == {3: 100}
    assert result.tables_needed == 2


def test_buildings_go_to_the_site_free_soonest():
    result = plan(
        sites=[SiteSpec(1, 1), SiteSpec(2, 1)], buildings=[BuildingSpec(n, 50) for n in range(4)],
        starts_at=START, ends_at=START + dt.timedelta(hours=2),
    )  # fmt: skip
    assert [(v.building, v.site, v.start.hour, v.start.minute) for v in result.visits] == [
        (0, 1, 6, 0), (1, 2, 6, 0), (2, 1, 6, 30), (3, 2, 6, 30),
    ]  # fmt: skip


@given(
    tables=st.lists(st.integers(0, 6), min_size=0, max_size=4),
    people=st.lists(st.integers(0, 900), min_size=0, max_size=25),
    hours=st.integers(0, 8),
)
def test_no_slot_is_over_capacity_and_everyone_is_placed_or_reported(tables, people, hours):
    sites = [SiteSpec(n, t) for n, t in enumerate(tables)]
    buildings = [BuildingSpec(100 + n, p) for n, p in enumerate(people)]
    end = START + dt.timedelta(hours=hours)
    result = plan(sites=sites, buildings=buildings, starts_at=START, ends_at=end)
    placed: dict[int, int] = {}
    for visit in result.visits:
        assert START <= visit.start < visit.end <= end
        placed[visit.building] = placed.get(visit.building, 0) + visit.people
    for building in buildings:
        assert placed.get(building.key, 0) + result.unplaced.get(building.key, 0) == building.people
    for site, slots in result.load.items():
        assert all(0 <= booked <= result.slot_capacity[site] for booked in slots)
    assert sum(sum(slots) for slots in result.load.values()) == sum(placed.values())
