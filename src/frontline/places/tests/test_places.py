import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from frontline.conftest import make_household, make_resident
from frontline.core.models import AuditAction, AuditEntry
from frontline.places.models import Building, Household
from frontline.places.selectors import grid_tree
from frontline.places.services import household_create, household_update


def test_the_tree_counts_buildings_households_and_current_residents(world):
    tree = grid_tree(viewer=world.users["admin"])
    assert [node["community"].name for node in tree] == ["幸福里社区"]
    grids = {grid["grid"].name: grid["counts"] for grid in tree[0]["grids"]}
    assert (
        grids["第一网格"].buildings,
        grids["第一网格"].households,
        grids["第一网格"].residents,
    ) == (1, 1, 1)
    assert tree[0]["counts"].residents == 2


def test_a_grid_worker_sees_only_their_grid(world):
    tree = grid_tree(viewer=world.users["grid1"])
    assert [grid["grid"].name for grid in tree[0]["grids"]] == ["第一网格"]


def test_the_tree_page_runs_a_constant_number_of_queries(world, client_for):
    client = client_for("admin")

    def queries(url: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    urls = [reverse("places:tree"), reverse("places:building", kwargs={"pk": world.building1.pk})]
    before = [queries(url) for url in urls]
    for index in range(15):
        make_resident(make_household(world.building1, "7", f"{index + 1}01"), name=f"住户{index}")
        Building.objects.create(community=world.community, grid=world.grid1, number=f"10{index}")
    assert [queries(url) for url in urls] == before


def test_two_households_with_one_address_are_impossible(world):
    with pytest.raises(IntegrityError), transaction.atomic():
        Household.objects.create(unit=world.household1.unit, room="401")
    with pytest.raises(IntegrityError), transaction.atomic():
        Building.objects.create(community=world.community, grid=world.grid2, number="3")


def test_household_create_validates_and_audits(world):
    unit = world.household1.unit
    with pytest.raises(ValidationError) as error:
        household_create(actor=world.users["admin"], unit=unit, room="401", phone="")
    assert "room" in error.value.message_dict
    household = household_create(
        actor=world.users["admin"], unit=unit, room="５０２室", phone="13812340000"
    )
    assert household.room == "502" and household.label == "3-2-502"
    assert AuditEntry.objects.filter(action=AuditAction.CREATE, target_label="3-2-502").exists()
    household_update(actor=world.users["admin"], household=household, notes="独居老人家庭")
    assert AuditEntry.objects.filter(action=AuditAction.UPDATE, fields=["notes"]).exists()


def test_the_household_pages_create_and_edit(world, client_for):
    client = client_for("admin")
    response = client.post(
        reverse("places:household_create"), {"unit": world.household1.unit_id, "room": "601"}
    )
    household = Household.objects.get(room="601")
    assert response.status_code == 302
    client.post(
        reverse("places:household_edit", kwargs={"pk": household.pk}),
        {"room": "602", "phone": "", "notes": ""},
    )
    household.refresh_from_db()
    assert household.room == "602"
    duplicate = client.post(
        reverse("places:household_create"), {"unit": world.household1.unit_id, "room": "401"}
    )
    assert duplicate.status_code == 200 and Household.objects.filter(room="401").count() == 2


def test_the_door_to_door_sheet_lists_households_with_phone_tails_only(world, client_for):
    url = reverse("places:building_sheet", kwargs={"pk": world.building1.pk})
    body = client_for("grid1").get(url).content.decode()
    assert "3-2-401" in body and "张三丰" in body and "5678" in body and "13812345678" not in body
    assert (
        client_for("grid1")
        .get(reverse("places:building_sheet", kwargs={"pk": world.building2.pk}))
        .status_code
        == 404
    )
