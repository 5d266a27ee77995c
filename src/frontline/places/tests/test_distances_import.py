"""Importing a community's walking distance matrix: all or nothing, every bad cell named."""

from __future__ import annotations

import io

import pytest
import xlsxwriter
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from django.urls import reverse
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from frontline.core.models import AuditEntry
from frontline.places.distance_import import (
    MAX_METRES,
    cell_name,
    parse_matrix,
    read_metres,
    walking_distances_import,
)
from frontline.places.models import Building, WalkingDistance
from frontline.residents.roster.errors import CellError

GOOD = "楼栋,3,5\n3,0,120\n5,135,\n"


def pairs(community) -> set[tuple[str, str, int]]:  # type: ignore[no-untyped-def]
    return set(
        WalkingDistance.objects.filter(community=community).values_list(
            "origin__number", "destination__number", "metres"
        )
    )


def workbook(rows: list[list[object]]) -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet()
    for row, values in enumerate(rows):
        for column, value in enumerate(values):
            if value is not None:
                sheet.write(row, column, value)
    book.close()
    return buffer.getvalue()


def test_it_replaces_the_communitys_matrix_and_records_who(world):
    admin = world.users["admin"]
    WalkingDistance.objects.create(
        community=world.community, origin=world.building2, destination=world.building1, metres=9
    )

    result = walking_distances_import(
        actor=admin, community=world.community, filename="d.csv", content=GOOD.encode()
    )

    assert result.ok and (result.buildings, result.pairs, result.written) == (2, 2, 2)
    assert pairs(world.community) == {("3", "5", 120), ("5", "3", 135)}
    entry = AuditEntry.objects.get(actor=admin, fields=["walking_distances"])
    assert entry.community_id == world.community.pk


def test_it_reads_a_workbook_with_a_title_row_and_numbers_as_numbers(world):
    content = workbook(
        [[None], [None, "3号楼", 5.0], ["3号楼", 0, 88.4], [5, 90, None]]
    )  # a blank first row; building numbers written as "3号楼" or 5.0; metres rounded

    result = walking_distances_import(
        actor=world.users["admin"], community=world.community, filename="d.xlsx", content=content
    )

    assert result.ok
    assert pairs(world.community) == {("3", "5", 88), ("5", "3", 90)}


def test_it_reports_every_bad_cell_and_writes_nothing(world):
    Building.objects.create(community=world.community, grid=world.grid1, number="7")
    content = "楼栋,3,5,9,3\n3,0,abc,1,\n5,-4,5,,\n7,,,,\n".encode()

    with translation.override("en"):
        result = walking_distances_import(
            actor=world.users["admin"], community=world.community, filename="d.csv",
            content=content,
        )  # fmt: skip

    assert not result.ok and result.written == 0
    assert [(problem.cell, problem.reasons) for problem in result.problems] == [
        ("D1", ["There is no building 9 in this community."]),
        ("E1", ["Building 3 is listed twice."]),
        ("C2", ["Enter the metres as a number, not “abc”."]),
        ("B3", ["Enter the metres as a number of 0 or more."]),
        ("C3", ["From a building to itself is 0 m: leave the cell empty or enter 0."]),
        ("A4", ["Building 7 has a row but no column."]),
    ]
    assert not WalkingDistance.objects.exists()


def test_a_check_only_run_writes_nothing(world):
    result = walking_distances_import(
        actor=world.users["admin"], community=world.community, filename="d.csv",
        content=GOOD.encode(), check_only=True,
    )  # fmt: skip

    assert result.ok and result.pairs == 2 and result.written == 0
    assert not WalkingDistance.objects.exists()


def test_a_file_without_building_numbers_is_refused_whole(world):
    result = walking_distances_import(
        actor=world.users["admin"], community=world.community, filename="d.csv",
        content=b"metres\n120\n",
    )  # fmt: skip

    assert result.file_error and not result.problems


@pytest.mark.parametrize(
    ("user", "error"), [("parttime", PermissionDenied), ("other_admin", Http404)]
)
def test_only_an_editor_of_the_communitys_places_may_import(world, user, error):
    with pytest.raises(error):
        walking_distances_import(
            actor=world.users[user], community=world.community, filename="d.csv",
            content=GOOD.encode(),
        )  # fmt: skip


def test_the_page_imports_and_reports_bad_cells(world, client_for):
    client = client_for("admin")
    url = reverse("places:walking_distances", kwargs={"pk": world.community.pk})

    bad = client.post(url, {"file": SimpleUploadedFile("d.csv", b"x,3\n3,?\n")})
    good = client.post(url, {"file": SimpleUploadedFile("d.csv", GOOD.encode())}, follow=True)

    assert bad.status_code == 422
    assert 'id="problem-table"' in bad.content.decode() and "B2" in bad.content.decode()
    assert good.status_code == 200 and len(pairs(world.community)) == 2
    assert 'id="distance-summary"' in good.content.decode()


def test_the_page_answers_403_inside_the_scope_and_404_outside(world, client_for):
    url = reverse("places:walking_distances", kwargs={"pk": world.community.pk})

    assert client_for("parttime").get(url).status_code == 403
    assert client_for("other_admin").get(url).status_code == 404


def test_the_api_imports_or_lists_every_bad_cell(world, client_for):
    client = client_for("admin")
    url = "/api/v1/places/walking-distances"

    bad = client.post(
        url,
        {"community_id": world.community.pk, "file": SimpleUploadedFile("d.csv", b"x,3\n3,?\n")},
    )
    good = client.post(
        url,
        {"community_id": world.community.pk, "file": SimpleUploadedFile("d.csv", GOOD.encode())},
    )
    outside = client.post(
        url,
        {"community_id": world.other_community.pk, "file": SimpleUploadedFile("d.csv", b"")},
    )

    assert bad.status_code == 422 and [p["cell"] for p in bad.json()["detail"]] == ["B2"]
    assert good.status_code == 200
    assert good.json() == {"buildings": 2, "pairs": 2, "written": 2}
    assert outside.status_code == 404


@given(st.integers(min_value=0, max_value=5_000), st.integers(min_value=0, max_value=5_000))
def test_cell_names_are_the_spreadsheets(row, column):
    name = cell_name(row, column)
    letters = name.rstrip("0123456789")
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - ord("A") + 1

    assert (int(name[len(letters) :]) - 1, number - 1) == (row, column)


@given(st.one_of(st.integers(0, 50_000), st.floats(0, 50_000, allow_nan=False)))
def test_metres_read_from_numbers_and_text_alike(value):
    assert read_metres(value) == read_metres(str(value)) == round(value)


@given(st.text())
def test_any_text_reads_as_metres_or_a_cell_error(text):
    try:
        metres = read_metres(text)
    except CellError:
        return
    assert 0 <= metres <= MAX_METRES


@pytest.mark.parametrize("value", [-1, -0.5, "-3", "12 km", "nan", "inf", 50_001, True])
def test_negative_far_or_unreadable_metres_are_cell_errors(value):
    with pytest.raises(CellError):
        read_metres(value)


@given(
    st.lists(st.integers(1, 400), min_size=1, max_size=6, unique=True).flatmap(
        lambda numbers: st.tuples(
            st.just(numbers),
            st.lists(
                st.lists(st.none() | st.integers(0, 9_999), min_size=len(numbers),
                         max_size=len(numbers)),
                min_size=len(numbers), max_size=len(numbers),
            ),
        )
    )
)  # fmt: skip
def test_a_matrix_reads_back_as_written(matrix):
    numbers, rows = matrix
    known = {str(number): Building(pk=number, number=str(number)) for number in numbers}
    cells: list[list[object]] = [["", *map(str, numbers)]]
    for number, values in zip(numbers, rows, strict=True):
        cells.append([
            str(number),
            *("" if v is None or other == number else str(v)
              for other, v in zip(numbers, values, strict=True)),
        ])  # fmt: skip

    metres, result = parse_matrix(cells, known)

    assert result.problems == [] and result.buildings == len(numbers)
    assert metres == {
        (origin, destination): value
        for origin, values in zip(numbers, rows, strict=True)
        for destination, value in zip(numbers, values, strict=True)
        if value is not None and origin != destination
    }
