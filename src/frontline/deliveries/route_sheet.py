"""A stored batch route as the route page shows it: the stops numbered in walking order, trip by
trip, and the schematic board (buildings at their site-plan positions, north up, each trip's
path drawn from the storeroom and back). No database: the caller gives the buildings."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from frontline.places.models import Building

WIDTH = 640
PADDING = 36
MAX_HEIGHT = 640
MIN_HEIGHT = 160
TRIP_COLOURS = ("#dc3545", "#0d6efd", "#198754", "#fd7e14", "#6f42c1", "#20c997")


@dataclass(frozen=True)
class Point:
    x: int
    y: int


@dataclass(frozen=True)
class StopMark:
    number: int
    building: Building
    parcels: int
    again: bool  # the building was already visited on an earlier trip
    at: Point | None


@dataclass(frozen=True)
class Trip:
    number: int
    colour: str
    stops: list[StopMark]
    path: str  # SVG polyline points, storeroom -> stops -> storeroom; "" without positions


@dataclass(frozen=True)
class Sheet:
    trips: list[Trip]
    depot: Point | None
    others: list[tuple[Building, Point]]  # the batch's buildings not on the route (all delivered)
    width: int
    height: int

    @property
    def drawable(self) -> bool:
        return self.depot is not None and all(
            stop.at is not None for trip in self.trips for stop in trip.stops
        )


def _position(building: Building) -> tuple[int, int] | None:
    if building.plan_x is None or building.plan_y is None:
        return None
    return building.plan_x, building.plan_y


def route_sheet(
    *,
    trips: Sequence[Sequence[int]],
    buildings: Mapping[int, Building],
    depot: Building | None,
    parcels: Mapping[int, int],
) -> Sheet:
    """`trips` of building ids as stored; `parcels` per building id at planning time."""
    known = [
        position
        for position in [
            _position(depot) if depot else None,
            *(_position(building) for building in buildings.values()),
        ]
        if position is not None
    ]
    if known:
        left, right = min(x for x, _y in known), max(x for x, _y in known)
        bottom, top = min(y for _x, y in known), max(y for _x, y in known)
    else:
        left = right = bottom = top = 0
    scale = (WIDTH - 2 * PADDING) / max(right - left, 1)
    scale = min(scale, (MAX_HEIGHT - 2 * PADDING) / max(top - bottom, 1))
    drawn_height = (top - bottom) * scale
    height = int(max(2 * PADDING + drawn_height, MIN_HEIGHT))
    # A flat plan (buildings in a row) sits in the middle of the board's minimum height.
    offset = (height - drawn_height) / 2

    def place(building: Building | None) -> Point | None:
        position = _position(building) if building is not None else None
        if position is None:
            return None
        x, y = position
        return Point(round(PADDING + (x - left) * scale), round(offset + (top - y) * scale))

    start = place(depot)
    seen: set[int] = set()
    number = 0
    drawn: list[Trip] = []
    for index, trip in enumerate(trips):
        marks = []
        for building_id in trip:
            number += 1
            building = buildings[building_id]
            mark = StopMark(
                number=number, building=building, parcels=parcels.get(building_id, 0),
                again=building_id in seen, at=place(building),
            )  # fmt: skip
            marks.append(mark)
            seen.add(building_id)
        points = [start, *(mark.at for mark in marks), start]
        path = (
            " ".join(f"{point.x},{point.y}" for point in points if point is not None)
            if all(point is not None for point in points)
            else ""
        )
        colour = TRIP_COLOURS[index % len(TRIP_COLOURS)]
        drawn.append(Trip(number=index + 1, colour=colour, stops=marks, path=path))
    others = [
        (building, point)
        for building_id, building in buildings.items()
        if building_id not in seen and (point := place(building)) is not None
    ]
    return Sheet(trips=drawn, depot=start, others=others, width=WIDTH, height=height)
