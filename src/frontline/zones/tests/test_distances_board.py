"""Buildings' positions on the site plan, entered under the board, and the board drawn from them
once every building has one."""

from __future__ import annotations

import re

from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from frontline.core.models import AuditEntry
from frontline.places.models import Building
from frontline.zones.selectors import GAP, TILE_H, TILE_W, plan_scale


def tile_origins(body: str) -> dict[str, tuple[int, int]]:
    found = re.findall(
        r'data-building="([^"]+)" data-rank="\d"[^>]*>.*?<rect x="(\d+)" y="(\d+)"', body, re.S
    )
    return {number: (int(x), int(y)) for number, x, y in found}


def positions_post(world, rows: dict[Building, tuple[object, object]]) -> dict[str, object]:  # type: ignore[no-untyped-def]
    data: dict[str, object] = {"community": world.community.pk}
    for building, (east, north) in rows.items():
        data[f"east_{building.pk}"] = east
        data[f"north_{building.pk}"] = north
    return data


def test_an_editor_enters_positions_and_the_board_shows_the_plan(world, client_for):
    client = client_for("admin")
    before = client.get(reverse("zones:board")).content.decode()
    assert 'id="positions-table"' in before and 'data-layout="number"' in before

    response = client.post(
        reverse("zones:positions"),
        positions_post(world, {world.building1: (0, 100), world.building2: (200, 0)}),
        follow=True,
    )

    body = response.content.decode()
    assert response.status_code == 200 and 'data-layout="plan"' in body
    world.building1.refresh_from_db()
    assert (world.building1.plan_x, world.building1.plan_y) == (0, 100)
    tiles = tile_origins(body)
    assert tiles["3"][0] < tiles["5"][0]  # building 3 is west of building 5
    assert tiles["3"][1] < tiles["5"][1]  # and north of it: drawn higher up
    assert AuditEntry.objects.filter(fields=["plan_x", "plan_y"]).count() == 1


def test_every_bad_row_is_reported_and_nothing_saved(world, client_for):
    response = client_for("admin").post(
        reverse("zones:positions"),
        positions_post(world, {world.building1: (-5, 20_001), world.building2: (30, "")}),
        HTTP_ACCEPT_LANGUAGE="en",
    )

    body = response.content.decode()
    assert response.status_code == 422
    assert "Nothing was saved: 2 rows have problems." in body
    assert "Enter both metres east and metres north, or neither." in body
    assert body.count('class="table-danger"') == 2
    assert not Building.objects.filter(plan_x__isnull=False).exists()


def test_the_board_keeps_numbers_order_until_every_building_has_a_position(world, client_for):
    world.building1.plan_x, world.building1.plan_y = 10, 10
    world.building1.save()

    body = client_for("admin").get(reverse("zones:board")).content.decode()

    assert 'data-layout="number"' in body


def test_workers_without_the_right_to_edit_places_get_no_table(world, client_for):
    parttime = client_for("parttime")

    assert 'id="positions-table"' not in parttime.get(reverse("zones:board")).content.decode()
    refused = parttime.post(
        reverse("zones:positions"), positions_post(world, {world.building1: (1, 1)})
    )
    assert refused.status_code == 403
    assert (
        client_for("other_admin")
        .post(reverse("zones:positions"), positions_post(world, {world.building1: (1, 1)}))
        .status_code
        == 404
    )


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 2_000), st.integers(0, 2_000)), min_size=1, max_size=25,
        unique=True,
    )
)  # fmt: skip
def test_tiles_never_overlap_when_the_plan_fits(points):
    scale = plan_scale(points)
    placed = [(round(x * scale), round(-y * scale)) for x, y in points]
    width = max(x for x, _y in placed) - min(x for x, _y in placed)
    height = max(y for _x, y in placed) - min(y for _x, y in placed)
    if max(width, height) + TILE_W + 2 * GAP < 2_400:  # not shrunk to fit the board
        for index, (x, y) in enumerate(placed):
            for other_x, other_y in placed[index + 1 :]:
                assert abs(x - other_x) >= TILE_W + GAP - 1 or abs(y - other_y) >= TILE_H + GAP - 1
