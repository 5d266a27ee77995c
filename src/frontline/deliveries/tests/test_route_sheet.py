"""The route page's numbered stops and schematic board, from a stored route."""

from __future__ import annotations

from frontline.deliveries.route_sheet import MIN_HEIGHT, PADDING, WIDTH, route_sheet
from frontline.places.models import Building


def building(pk: int, number: str, x: int | None, y: int | None) -> Building:
    return Building(pk=pk, number=number, plan_x=x, plan_y=y)


def test_stops_are_numbered_across_trips_and_a_second_visit_is_marked():
    depot = building(1, "1", 0, 0)
    b2, b3 = building(2, "2", 100, 0), building(3, "3", 100, 200)
    sheet = route_sheet(
        trips=[[2, 3], [3]], buildings={2: b2, 3: b3}, depot=depot, parcels={2: 4, 3: 12}
    )
    numbers = [
        (stop.number, stop.building.number, stop.again) for t in sheet.trips for stop in t.stops
    ]
    assert numbers == [(1, "2", False), (2, "3", False), (3, "3", True)]
    assert sheet.trips[0].colour != sheet.trips[1].colour
    assert len(sheet.trips[0].path.split()) == 4  # storeroom, two stops, storeroom
    assert sheet.drawable


def test_north_is_up_and_the_plan_fills_the_board():
    depot = building(1, "1", 0, 0)
    north = building(2, "2", 0, 300)
    sheet = route_sheet(trips=[[2]], buildings={2: north}, depot=depot, parcels={2: 1})
    mark = sheet.trips[0].stops[0].at
    assert mark is not None and sheet.depot is not None
    assert mark.y < sheet.depot.y  # further north, higher on the board
    assert sheet.depot.y == sheet.height - PADDING
    assert sheet.width == WIDTH


def test_a_plan_in_a_row_keeps_a_readable_height():
    depot = building(1, "1", 0, 50)
    east = building(2, "2", 400, 50)
    sheet = route_sheet(trips=[[2]], buildings={2: east}, depot=depot, parcels={2: 1})
    assert sheet.height == MIN_HEIGHT and sheet.depot is not None
    assert sheet.depot.y == MIN_HEIGHT // 2


def test_without_positions_the_stops_are_listed_but_not_drawn():
    sheet = route_sheet(
        trips=[[2]], buildings={2: building(2, "2", None, None)}, depot=building(1, "1", 0, 0),
        parcels={2: 3},
    )  # fmt: skip
    assert not sheet.drawable and sheet.trips[0].path == ""
    assert sheet.trips[0].stops[0].parcels == 3


def test_buildings_already_delivered_show_as_plain_blocks():
    depot = building(1, "1", 0, 0)
    sheet = route_sheet(
        trips=[[2]], buildings={2: building(2, "2", 10, 10), 3: building(3, "3", 20, 20)},
        depot=depot, parcels={2: 1},
    )  # fmt: skip
    assert [b.number for b, _point in sheet.others] == ["3"]
