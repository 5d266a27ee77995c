"""Batches of deliveries for volunteers, their routes, marking each parcel, the resident's
contactless confirmation and the follow-up of a failed delivery."""

from __future__ import annotations

import io

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404

from frontline.accounts.models import Role
from frontline.conftest import make_user
from frontline.core.models import AuditEntry
from frontline.deliveries.models import ConfirmedVia, Delivery, DeliveryStatus
from frontline.deliveries.services import (
    batch_assign,
    batch_create,
    batch_route_compute,
    delivery_confirm_by_household,
    delivery_mark,
)
from frontline.deliveries.tests.factories import started_round
from frontline.health.services import household_link_issue
from frontline.supplies.models import LedgerEntry, StockLevel
from frontline.tasks.models import Task, TaskStatus

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64


@pytest.fixture
def round(world, room):  # type: ignore[no-untyped-def]
    started, _batch = started_round(
        actor=world.users["admin"], community=world.community, room=room
    )
    return started


@pytest.fixture
def batch(world, round):  # type: ignore[no-untyped-def]
    return batch_create(
        actor=world.users["admin"], round=round,
        building_ids=[world.building1.pk, world.building2.pk], volunteer=world.users["volunteer"],
    )  # fmt: skip


def parcel(round, household) -> Delivery:  # type: ignore[no-untyped-def]
    return Delivery.objects.get(round=round, household=household)


def test_a_batch_takes_every_parcel_of_its_buildings(world, round, batch):
    assert batch.number == 1
    assert set(Delivery.objects.filter(batch=batch).values_list("household_id", flat=True)) == {
        world.household1.pk, world.household2.pk,
    }  # fmt: skip
    with pytest.raises(ValidationError) as raised:
        batch_create(
            actor=world.users["admin"], round=round, building_ids=[world.building1.pk],
            volunteer=world.users["volunteer"],
        )  # fmt: skip
    assert "buildings" in raised.value.message_dict


def test_a_batch_goes_only_to_someone_who_delivers_in_its_buildings(world, round):
    with pytest.raises(ValidationError) as raised:
        batch_create(
            actor=world.users["admin"], round=round, building_ids=[world.building2.pk],
            volunteer=world.users["grid1"],  # grid 1's worker; building 5 is in grid 2
        )  # fmt: skip
    assert set(raised.value.message_dict) == {"volunteer"}
    with pytest.raises(ValidationError):
        batch_create(
            actor=world.users["admin"], round=round, building_ids=[world.building1.pk],
            volunteer=world.users["sampler"],  # samplers do not deliver
        )  # fmt: skip
    mine = batch_create(
        actor=world.users["admin"], round=round, building_ids=[world.building1.pk],
        volunteer=world.users["grid1"],
    )  # fmt: skip
    assert batch_assign(actor=world.users["admin"], batch=mine, volunteer=world.users["parttime"])
    assert AuditEntry.objects.filter(target_id=str(mine.pk), fields=["volunteer"]).exists()


def test_the_route_of_a_batch_is_planned_and_stored(world, placed, round, batch):
    batch = batch_route_compute(actor=world.users["admin"], batch=batch, seconds=0.5)
    # building 3, where the storeroom stands, and building 5, 120 m east and back
    visited = sorted(building for trip in batch.route["trips"] for building in trip)
    assert visited == sorted([world.building1.pk, world.building2.pk])
    assert batch.route["metres"] == 240
    assert batch.route["parcels"] == {str(world.building1.pk): 1, str(world.building2.pk): 1}
    assert batch.route["solver"] in {"pyvrp", "nearest_neighbour"}
    assert batch.route_computed_at is not None


def test_a_route_needs_the_buildings_on_the_site_plan(world, round, batch):
    with pytest.raises(ValidationError, match="building 3 and 5"):
        batch_route_compute(actor=world.users["admin"], batch=batch, seconds=0.5)
    batch.refresh_from_db()
    assert batch.route == {}


def test_delivered_issues_the_parcels_stock_from_the_reservation(world, room, round, batch):
    delivery = parcel(round, world.household1)
    delivery_mark(actor=world.users["volunteer"], delivery=delivery, status=DeliveryStatus.OUT)
    delivery_mark(actor=world.users["volunteer"], delivery=delivery, status="delivered")

    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.DELIVERED and delivery.delivered_at is not None
    assert delivery.confirmed_via == ConfirmedVia.VOLUNTEER
    assert delivery.confirmed_by == world.users["volunteer"]
    masks = StockLevel.objects.get(warehouse=room.warehouse, item=room.masks)
    assert (masks.on_hand, masks.reserved) == (990, 10)
    issued = LedgerEntry.objects.filter(movement__reference=round.reference)
    assert sorted(issued.values_list("quantity", flat=True)) == [-10, -1]
    # the ledger names who handed it over, though a volunteer does not manage the storeroom
    assert set(issued.values_list("movement__actor", flat=True)) == {world.users["volunteer"].pk}
    statuses = [
        entry.details["to"]
        for entry in AuditEntry.objects.filter(
            target_type=ContentType.objects.get_for_model(Delivery), target_id=str(delivery.pk)
        ).order_by("id")
    ]
    assert statuses == ["out", "delivered"]


def test_a_double_tap_on_delivered_issues_once(world, round, batch):
    delivery = parcel(round, world.household1)
    for _tap in range(2):
        delivery_mark(actor=world.users["volunteer"], delivery=delivery, status="delivered")
    assert LedgerEntry.objects.filter(movement__reference=round.reference).count() == 2
    with pytest.raises(ValidationError):
        delivery_mark(actor=world.users["volunteer"], delivery=delivery, status="failed",
                      reason="refused")  # fmt: skip


def test_a_failed_delivery_comes_back_as_one_task(world, round, batch):
    delivery = parcel(round, world.household1)
    with pytest.raises(ValidationError) as raised:
        delivery_mark(actor=world.users["volunteer"], delivery=delivery, status="failed")
    assert set(raised.value.message_dict) == {"reason"}
    delivery_mark(
        actor=world.users["volunteer"], delivery=delivery, status="failed", reason="nobody_home"
    )
    delivery_mark(actor=world.users["volunteer"], delivery=delivery, status="out")
    delivery_mark(
        actor=world.users["volunteer"], delivery=delivery, status="failed", reason="other",
        note="门口有封控围栏",
    )  # fmt: skip

    task = Task.objects.get()
    assert task.owner == world.users["grid1"]  # building 3's grid worker
    assert task.household_id == world.household1.pk
    assert "3-2-401" in task.title
    delivery.refresh_from_db()
    assert delivery.task == task and delivery.failure_note == "门口有封控围栏"

    delivery_mark(actor=world.users["volunteer"], delivery=delivery, status="delivered")
    task.refresh_from_db()
    assert task.status == TaskStatus.DONE


def test_without_a_grid_worker_the_task_goes_to_the_rounds_planner(world, round, batch):
    delivery_mark(
        actor=world.users["volunteer"], delivery=parcel(round, world.household2),
        status="failed", reason="no_access",
    )  # fmt: skip
    assert Task.objects.get().owner == world.users["admin"]


def test_a_volunteer_gets_404_for_a_delivery_outside_their_batches(world, round, batch):
    other = make_user("volunteer2", Role.VOLUNTEER, community=world.community)
    with pytest.raises(Http404):
        delivery_mark(actor=other, delivery=parcel(round, world.household1), status="out")


def test_the_volunteer_may_leave_a_photo_with_the_parcel(world, round, batch, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    delivery = parcel(round, world.household1)
    with pytest.raises(ValidationError) as raised:
        delivery_mark(
            actor=world.users["volunteer"], delivery=delivery, status="delivered",
            photo=SimpleUploadedFile("door.txt", b"not a picture"),
        )  # fmt: skip
    assert set(raised.value.message_dict) == {"photo"}
    delivery_mark(
        actor=world.users["volunteer"], delivery=delivery, status="delivered",
        photo=SimpleUploadedFile("door.png", PNG, content_type="image/png"),
    )  # fmt: skip
    delivery.refresh_from_db()
    assert delivery.photo and io.BytesIO(delivery.photo.read()).getvalue() == PNG
    assert str(tmp_path) in delivery.photo.path


def test_the_resident_confirms_receipt_on_the_household_page(world, room, round, batch):
    link, _token = household_link_issue(actor=world.users["grid1"], household=world.household1)
    delivery = parcel(round, world.household1)
    with pytest.raises(ValidationError, match="not on its way yet"):
        delivery_confirm_by_household(link=link, delivery_id=delivery.pk)
    delivery_mark(actor=world.users["volunteer"], delivery=delivery, status="out")

    delivery_confirm_by_household(link=link, delivery_id=delivery.pk)
    delivery_confirm_by_household(link=link, delivery_id=delivery.pk)  # a second press

    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.DELIVERED
    assert delivery.confirmed_via == ConfirmedVia.HOUSEHOLD and delivery.confirmed_by is None
    issued = LedgerEntry.objects.filter(movement__reference=round.reference)
    assert issued.count() == 2  # issued once, recorded as by the household itself (no user)
    assert set(issued.values_list("movement__actor", flat=True)) == {None}
    with pytest.raises(Http404):  # another household's parcel
        delivery_confirm_by_household(link=link, delivery_id=parcel(round, world.household2).pk)
