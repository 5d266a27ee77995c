"""Delivery routes: the order in which a volunteer walks a batch from the warehouse to its
buildings, in trips of at most `capacity` parcels, each starting and ending at the warehouse.

Pure Python and no database: the caller gives a distance matrix in metres (index 0 is the
warehouse, index i is `stops[i - 1]`; see `frontline.places.distances.walking_metres`) and
gets the trips back as stop keys in walking order.

`plan_route` runs PyVRP's iterated local search under a hard time limit and returns its result
or the nearest-neighbour baseline, whichever walks less. A stop with more parcels than one
trip carries is split: as many full trips to it alone as its parcels fill, and the rest on a
shared trip, so the stop's key appears once per visit and never twice in one trip.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from pyvrp import (
    Client,
    Depot,
    IteratedLocalSearchParams,
    Location,
    ProblemData,
    SolveParams,
    VehicleType,
    solve,
)
from pyvrp.search import NeighbourhoodParams
from pyvrp.stop import MultipleCriteria, NoImprovement

# Tuned for runs of seconds, not PyVRP's minutes (benchmarks/README.md, "Case: delivery routes"):
# a late-acceptance history of 100 instead of 300 settles sooner, and 30 neighbours a stop
# instead of 50 make each iteration cheaper. On 300 stops in 5 s the gap fell from 2-4% to 0-2%.
SEARCH = SolveParams(
    ils=IteratedLocalSearchParams(history_length=100),
    neighbourhood=NeighbourhoodParams(num_neighbours=30),
)
# Stop searching after this many iterations without a better route: a batch of a dozen
# buildings is settled in well under a second instead of waiting out the whole time limit,
# while on a few hundred stops (about a millisecond an iteration) only the time limit stops it.
PATIENCE_ITERATIONS = 5_000
# Time kept back from the limit for the last search iteration and reading its result.
RESERVE_SECONDS = 0.02
RESERVE_SHARE = 0.02
# PyVRP's set-up (the matrix, the neighbour lists, a first local search) cannot be interrupted:
# it takes about half a microsecond per matrix cell (50 ms for 300 stops). Twice that is
# budgeted; with less time left, the baseline is the answer.
SETUP_SECONDS_PER_CELL = 1e-6


@dataclass(frozen=True)
class Stop:
    key: int  # e.g. a building id
    demand: int  # parcels to leave there (>= 1)


@dataclass(frozen=True)
class Route:
    trips: list[list[int]]  # stop keys in visiting order; each trip starts and ends at the depot
    metres: int  # total walking distance of all trips
    solver: str  # "pyvrp" or "nearest_neighbour"


@dataclass(frozen=True)
class _Visit:
    """One delivery to one stop: `place` is its row in the distance matrix."""

    place: int
    parcels: int


def _check(distances: Sequence[Sequence[int]], stops: Sequence[Stop], capacity: int) -> None:
    if capacity < 1:
        raise ValueError(f"capacity must be at least 1, not {capacity}")
    size = len(stops) + 1
    if len(distances) != size or any(len(row) != size for row in distances):
        raise ValueError(f"distances must be a {size} x {size} matrix (the depot and each stop)")
    if any(value < 0 for row in distances for value in row):
        raise ValueError("distances must not be negative")
    repeated = sorted(key for key, n in Counter(stop.key for stop in stops).items() if n > 1)
    if repeated:
        raise ValueError(f"stop keys must be unique; repeated: {repeated}")
    empty = [stop.key for stop in stops if stop.demand < 1]
    if empty:
        raise ValueError(f"every stop needs a demand of at least 1; not stops {empty}")


def _visits(stops: Sequence[Stop], capacity: int) -> list[_Visit]:
    """Each stop's parcels as visits of at most `capacity`: full loads first, then the rest."""
    visits = []
    for place, stop in enumerate(stops, start=1):
        full, rest = divmod(stop.demand, capacity)
        visits += [_Visit(place, capacity)] * full
        if rest:
            visits.append(_Visit(place, rest))
    return visits


def _route(
    trips: list[list[int]], distances: Sequence[Sequence[int]], stops: Sequence[Stop], solver: str
) -> Route:
    """Trips given as matrix rows, measured and turned into stop keys."""
    metres = sum(
        sum(distances[a][b] for a, b in zip([0, *trip], [*trip, 0], strict=True)) for trip in trips
    )
    keys = [[stops[place - 1].key for place in trip] for trip in trips]
    return Route(trips=keys, metres=int(metres), solver=solver)


def nearest_neighbour(
    *, distances: Sequence[Sequence[int]], stops: Sequence[Stop], capacity: int
) -> Route:
    """The baseline: from where you stand, walk to the nearest stop whose parcels still fit,
    and go back to the depot to reload when none does."""
    _check(distances, stops, capacity)
    waiting = _visits(stops, capacity)
    trips: list[list[int]] = []
    while waiting:
        here, room, trip = 0, capacity, []
        while True:
            fitting = [i for i, visit in enumerate(waiting) if visit.parcels <= room]
            if not fitting:
                break
            nearest = min(fitting, key=lambda i: distances[here][waiting[i].place])
            visit = waiting.pop(nearest)
            trip.append(visit.place)
            here, room = visit.place, room - visit.parcels
        trips.append(trip)
    return _route(trips, distances, stops, "nearest_neighbour")


class _Deadline:
    """PyVRP stopping criterion: a moment on the clock. Unlike `pyvrp.stop.MaxRuntime`, which
    starts counting at the search's first iteration, it also counts the solver's set-up."""

    def __init__(self, at: float) -> None:
        self.at = at

    def __call__(self, best_cost: int) -> bool:
        return time.perf_counter() >= self.at


def _problem(
    distances: Sequence[Sequence[int]], visits: list[_Visit], capacity: int
) -> ProblemData:
    matrix = np.array(distances, dtype=np.int64)
    np.fill_diagonal(matrix, 0)  # never walked: two visits to one stop never share a trip
    return ProblemData(
        # PyVRP's search reads only the matrices; coordinates would serve plots
        locations=[Location(x=0, y=0) for _ in range(len(matrix))],
        clients=[Client(location=visit.place, delivery=[visit.parcels]) for visit in visits],
        depots=[Depot(location=0)],
        vehicle_types=[VehicleType(num_available=len(visits), capacity=[capacity])],
        # PyVRP's stubs type a matrix as ndarray[int], which no real array is
        distance_matrices=[matrix],  # type: ignore[list-item]
        duration_matrices=[np.zeros_like(matrix)],  # type: ignore[list-item]
    )


def plan_route(
    *,
    distances: Sequence[Sequence[int]],
    stops: Sequence[Stop],
    capacity: int,
    seconds: float = 2.0,
    seed: int = 0,
) -> Route:
    """The shortest walk PyVRP finds within `seconds`, or the nearest-neighbour baseline when
    PyVRP finds nothing feasible or nothing shorter.

    `seconds` bounds the whole call, set-up included, for any limit above the baseline's own
    few milliseconds; the search stops sooner once PATIENCE_ITERATIONS in a row find nothing
    shorter (a small batch takes well under a second).

    distances: a square matrix in metres, index 0 the depot and index i `stops[i - 1]`; it may
    be asymmetric (uphill, one-way gates). A stop with more parcels than `capacity` is visited
    several times (see the module's docstring). Raises ValueError on a malformed matrix, a
    repeated stop key, a demand below 1 or a capacity below 1.
    """
    started = time.perf_counter()
    baseline = nearest_neighbour(distances=distances, stops=stops, capacity=capacity)
    if not stops:
        return baseline
    deadline = started + seconds - min(RESERVE_SECONDS + RESERVE_SHARE * seconds, seconds / 2)
    visits = _visits(stops, capacity)
    if time.perf_counter() + SETUP_SECONDS_PER_CELL * (len(visits) + 1) ** 2 >= deadline:
        return baseline
    result = solve(
        _problem(distances, visits, capacity),
        stop=MultipleCriteria([_Deadline(deadline), NoImprovement(PATIENCE_ITERATIONS)]),
        seed=seed,
        collect_stats=False,
        params=SEARCH,
    )
    if not result.is_feasible():
        return baseline
    trips = [
        [visits[activity.idx].place for activity in trip if activity.is_client()]
        for trip in result.best.routes()
    ]
    found = _route(trips, distances, stops, "pyvrp")
    return found if found.metres <= baseline.metres else baseline
