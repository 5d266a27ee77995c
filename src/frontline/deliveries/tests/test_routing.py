"""Delivery routes: every stop served its parcels, no trip over capacity, the time limit held,
never longer than the nearest-neighbour baseline."""

from __future__ import annotations

import itertools
import math
import time
from collections import Counter
from types import SimpleNamespace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from frontline.deliveries import routing
from frontline.deliveries.routing import Route, Stop, nearest_neighbour, plan_route

# A loaded test machine may be late by a scheduler tick or two; the solver itself keeps margin.
CLOCK_SLACK = 0.1


def manhattan(points: list[tuple[int, int]]) -> list[list[int]]:
    return [[abs(ax - bx) + abs(ay - by) for bx, by in points] for ax, ay in points]


def walked(route: Route, distances: list[list[int]], stops: list[Stop]) -> int:
    row = {stop.key: place for place, stop in enumerate(stops, start=1)}
    total = 0
    for trip in route.trips:
        places = [0, *(row[key] for key in trip), 0]
        total += sum(distances[a][b] for a, b in itertools.pairwise(places))
    return total


def trip_loads(route: Route, stops: list[Stop], capacity: int) -> list[int]:
    """Parcels carried on each trip, checking that each stop gets exactly its demand: a stop
    over capacity gets full loads on trips of its own and the rest on one trip."""
    demand = {stop.key: stop.demand for stop in stops}
    visits = Counter(key for trip in route.trips for key in trip)
    assert visits == {key: math.ceil(d / capacity) for key, d in demand.items()}
    shared = Counter(key for trip in route.trips if len(trip) > 1 for key in trip)
    for key, times in shared.items():
        assert times == 1 and (demand[key] <= capacity or demand[key] % capacity)
    return [
        sum(min(demand[key], capacity) if len(trip) == 1 else demand[key] % capacity or capacity
            for key in trip)
        for trip in route.trips
    ]  # fmt: skip


@st.composite
def instances(draw: st.DrawFn) -> tuple[list[list[int]], list[Stop], int]:
    size = draw(st.integers(min_value=0, max_value=12))
    capacity = draw(st.integers(min_value=1, max_value=30))
    keys = draw(st.lists(st.integers(1, 10_000), min_size=size, max_size=size, unique=True))
    stops = [Stop(key=key, demand=draw(st.integers(1, 40))) for key in keys]
    coordinate = st.integers(min_value=0, max_value=2_000)
    if draw(st.booleans()):
        distances = manhattan([(draw(coordinate), draw(coordinate)) for _ in range(size + 1)])
    else:  # asymmetric: uphill, one-way gates
        distances = [
            [0 if a == b else draw(coordinate) for b in range(size + 1)] for a in range(size + 1)
        ]
    return distances, stops, capacity


@settings(max_examples=40, deadline=None)
@given(instance=instances(), seconds=st.sampled_from([0.05, 0.2, 0.4]))
def test_every_stop_gets_its_parcels_within_capacity_and_the_time_limit(instance, seconds):
    distances, stops, capacity = instance
    started = time.perf_counter()
    route = plan_route(distances=distances, stops=stops, capacity=capacity, seconds=seconds)
    elapsed = time.perf_counter() - started

    assert elapsed <= seconds + CLOCK_SLACK
    assert all(load <= capacity for load in trip_loads(route, stops, capacity))
    assert all(route.trips)
    assert route.metres == walked(route, distances, stops)
    baseline = nearest_neighbour(distances=distances, stops=stops, capacity=capacity)
    assert route.metres <= baseline.metres


@settings(max_examples=40, deadline=None)
@given(instance=instances())
def test_the_baseline_serves_every_stop_within_capacity(instance):
    distances, stops, capacity = instance
    route = nearest_neighbour(distances=distances, stops=stops, capacity=capacity)

    assert route.solver == "nearest_neighbour"
    assert all(load <= capacity for load in trip_loads(route, stops, capacity))
    assert route.metres == walked(route, distances, stops)


def test_it_finds_the_known_optimum_of_two_clusters():
    # The warehouse at the corner; two buildings 500 m east, two 500 m north, 3 parcels each
    # and 6 a trip: one trip per cluster, 1,200 m each. Any trip mixing the clusters walks at
    # least 2,000 m.
    points = [(0, 0), (500, 0), (0, 500), (500, 100), (100, 500)]
    stops = [Stop(key=key, demand=3) for key in (11, 12, 13, 14)]

    route = plan_route(distances=manhattan(points), stops=stops, capacity=6, seconds=1)

    assert route.solver == "pyvrp"
    assert route.metres == 2_400
    assert sorted(sorted(trip) for trip in route.trips) == [[11, 13], [12, 14]]


def test_it_walks_a_one_way_loop_the_right_way_round():
    distances = [[0, 1, 100], [100, 0, 1], [1, 100, 0]]
    stops = [Stop(key=7, demand=1), Stop(key=8, demand=1)]

    route = plan_route(distances=distances, stops=stops, capacity=5, seconds=0.5)

    assert route.trips == [[7, 8]]
    assert route.metres == 3


def test_it_splits_a_stop_over_capacity_into_full_trips_and_the_rest():
    points = [(0, 0), (100, 0), (110, 0)]
    stops = [Stop(key=1, demand=25), Stop(key=2, demand=5)]

    route = plan_route(distances=manhattan(points), stops=stops, capacity=10, seconds=0.5)

    # two full trips to building 1, and its last 5 parcels with building 2's 5
    assert sorted(sorted(trip) for trip in route.trips) == [[1], [1], [1, 2]]
    assert route.metres == 200 + 200 + 220


def test_an_empty_batch_is_an_empty_route():
    route = plan_route(distances=[[0]], stops=[], capacity=10)

    assert route == Route(trips=[], metres=0, solver="nearest_neighbour")


@pytest.mark.parametrize(
    ("distances", "stops", "capacity", "message"),
    [
        ([[0, 1], [1, 0]], [Stop(1, 1), Stop(2, 1)], 5, "3 x 3"),
        ([[0, 1], [1]], [Stop(1, 1)], 5, "2 x 2"),
        ([[0, -1], [1, 0]], [Stop(1, 1)], 5, "negative"),
        ([[0, 1, 1], [1, 0, 1], [1, 1, 0]], [Stop(4, 1), Stop(4, 2)], 5, "repeated: [4]"),
        ([[0, 1], [1, 0]], [Stop(9, 0)], 5, "not stops [9]"),
        ([[0, 1], [1, 0]], [Stop(9, 1)], 0, "capacity"),
    ],
)
def test_it_refuses_a_malformed_batch(distances, stops, capacity, message):
    with pytest.raises(ValueError, match=message.replace("[", r"\[").replace("]", r"\]")):
        plan_route(distances=distances, stops=stops, capacity=capacity, seconds=0.1)


def test_it_falls_back_to_the_baseline_when_the_solver_finds_nothing_feasible(monkeypatch):
    monkeypatch.setattr(
        routing, "solve", lambda *args, **kwargs: SimpleNamespace(is_feasible=lambda: False)
    )
    points = [(0, 0), (10, 0), (20, 0)]
    stops = [Stop(key=1, demand=1), Stop(key=2, demand=1)]

    route = plan_route(distances=manhattan(points), stops=stops, capacity=5, seconds=0.5)

    assert route == nearest_neighbour(distances=manhattan(points), stops=stops, capacity=5)


def test_a_few_hundred_stops_keep_to_the_time_limit_and_beat_the_baseline():
    size = 300
    points = [((i * 7919) % 1_000, (i * 104_729) % 1_000) for i in range(size + 1)]
    distances = manhattan(points)
    stops = [Stop(key=i, demand=1 + i % 10) for i in range(1, size + 1)]

    started = time.perf_counter()
    route = plan_route(distances=distances, stops=stops, capacity=70, seconds=1)
    elapsed = time.perf_counter() - started

    assert elapsed <= 1 + CLOCK_SLACK
    assert route.solver == "pyvrp"
    assert all(load <= 70 for load in trip_loads(route, stops, 70))
    assert route.metres < nearest_neighbour(distances=distances, stops=stops, capacity=70).metres
