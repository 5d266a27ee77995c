"""Planning, previewing, starting and closing a round: entitlements, the priority order when
stock is short, the reservation (all or nothing) and its release."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from frontline.core.models import AuditEntry
from frontline.deliveries import services
from frontline.deliveries.models import (
    Basis,
    Delivery,
    DeliveryLine,
    DeliveryStatus,
    RoundStatus,
)
from frontline.deliveries.services import LineInput, round_preview, round_save, round_start
from frontline.deliveries.tests.factories import issue_lines, storeroom
from frontline.supplies.models import StockLevel


def draft(world, room, **fields):  # type: ignore[no-untyped-def]
    values = {
        "name": "第一轮保供",
        "warehouse": room.warehouse,
        "lines": issue_lines(room),
        **fields,
    }
    return round_save(actor=world.users["admin"], community=world.community, **values)


def level(room, item) -> StockLevel:  # type: ignore[no-untyped-def]
    return StockLevel.objects.get(warehouse=room.warehouse, item=item)


def test_a_draft_round_names_every_bad_field(world, room, store_elsewhere):
    with pytest.raises(ValidationError) as raised:
        round_save(
            actor=world.users["admin"], community=world.community, name=" ",
            warehouse=store_elsewhere.warehouse, priority=["dialysis", "dialysis"],
            trip_capacity=0, grid_ids=[world.other_building.grid_id],
            lines=[
                LineInput(item_id=store_elsewhere.masks.pk, basis=Basis.PERSON, quantity=10),
                LineInput(item_id=room.formula.pk, basis=Basis.TAGGED_PERSON, quantity=1),
                LineInput(item_id=room.masks.pk, basis=Basis.HOUSEHOLD, quantity=0, tag="infant"),
            ],
        )  # fmt: skip
    errors = raised.value.message_dict
    assert set(errors) == {"name", "warehouse", "priority", "trip_capacity", "grids", "lines"}
    assert [line[:6] for line in errors["lines"]] == ["Line 1", "Line 2", "Line 3"]


def test_a_round_puts_the_most_vulnerable_first_and_ten_parcels_in_a_trip_by_default(world, room):
    round = draft(world, room)
    assert round.priority == ["dialysis", "bedridden", "senior_living_alone", "pregnant", "infant"]
    assert round.trip_capacity == 10
    assert round.status == RoundStatus.DRAFT
    assert AuditEntry.objects.filter(target_id=str(round.pk), action="create").exists()


def test_the_preview_counts_entitlements_per_household_per_person_and_per_infant(
    world, room, dialysis_household
):
    preview = round_preview(round=draft(world, room))
    needs = {need.item.name: (need.needed, need.available, need.short) for need in preview.items}
    # three households; four people (张, 李, 赵 and the baby); one infant
    assert needs == {"蔬菜包": (3, 100, 0), "口罩": (40, 1000, 0), "婴儿奶粉": (1, 20, 0)}
    assert preview.household_count == 3
    assert preview.allocation.short_shares == []


def test_vulnerable_households_are_served_first_and_the_shortfall_is_kept_per_household(
    world, dialysis_household
):
    # Two vegetable bags for three households: the dialysis household and 张三丰 (65+, living
    # alone) come before 李四, who gets nothing and is on record as short.
    room = storeroom(
        actor=world.users["admin"], community=world.community, building=world.building1,
        stock=(2, 25, 1),
    )  # fmt: skip
    round = draft(world, room)
    preview = round_preview(round=round)
    assert [share.household_id for share in preview.allocation.shares] == [
        dialysis_household.pk, world.household1.pk, world.household2.pk,
    ]  # fmt: skip

    round_start(actor=world.users["admin"], round=round, fingerprint=preview.fingerprint)

    deliveries = {d.household_id: d for d in Delivery.objects.filter(round=round)}
    assert deliveries[dialysis_household.pk].groups == ["dialysis", "infant"]
    assert deliveries[world.household1.pk].groups == ["senior_living_alone"]
    assert deliveries[dialysis_household.pk].status == DeliveryStatus.PLANNED
    assert deliveries[world.household1.pk].status == DeliveryStatus.PLANNED
    assert deliveries[world.household2.pk].status == DeliveryStatus.UNFILLED
    short = {
        (line.delivery.household_id, line.item.name): (line.entitled, line.allocated)
        for line in DeliveryLine.objects.filter(delivery__round=round).select_related(
            "delivery", "item"
        )
        if line.shortfall
    }
    # masks: 20 for the dialysis household, 5 of 10 for 张三丰, none of 10 for 李四
    assert short == {
        (world.household1.pk, "口罩"): (10, 5),
        (world.household2.pk, "口罩"): (10, 0),
        (world.household2.pk, "蔬菜包"): (1, 0),
    }
    assert level(room, room.vegetables).reserved == 2
    assert level(room, room.masks).reserved == 25
    assert level(room, room.formula).reserved == 1


def test_starting_reserves_the_stock_and_writes_one_delivery_per_household(world, room):
    round = round_start(actor=world.users["admin"], round=draft(world, room))
    assert round.status == RoundStatus.STARTED and round.started_at is not None
    assert Delivery.objects.filter(round=round).count() == 2
    assert sorted(r.item_id for r in round.reservations.all()) == sorted(
        [room.vegetables.pk, room.masks.pk]
    )  # nobody is an infant: no formula is held
    assert level(room, room.masks).reserved == 20
    assert level(room, room.masks).on_hand == 1000
    entry = AuditEntry.objects.filter(target_id=str(round.pk), fields=["status"]).get()
    assert entry.details["households"] == 2


def test_start_is_refused_when_anything_changed_since_the_preview(world, room):
    round = draft(world, room)
    seen = round_preview(round=round).fingerprint
    services.round_save(
        actor=world.users["admin"], community=world.community, name=round.name,
        warehouse=room.warehouse, round=round,
        lines=[LineInput(item_id=room.masks.pk, basis=Basis.PERSON, quantity=20)],
    )  # fmt: skip
    with pytest.raises(ValidationError, match="changed since the preview"):
        round_start(actor=world.users["admin"], round=round, fingerprint=seen)
    assert not Delivery.objects.filter(round=round).exists()


def test_the_reservation_is_all_or_nothing(world, monkeypatch):
    """Another worker issues a vegetable bag between the allocation and the reservation: the
    reservation is refused, nothing of the round is written and nothing stays reserved."""
    room = storeroom(
        actor=world.users["admin"], community=world.community, building=None, stock=(1, 100, 0)
    )
    round = draft(world, room)
    monkeypatch.setattr(
        services, "available", lambda **kwargs: dict.fromkeys(kwargs["item_ids"], 10**5)
    )
    with pytest.raises(ValidationError) as raised:
        round_start(actor=world.users["admin"], round=round)
    assert "stock" in raised.value.message_dict
    round.refresh_from_db()
    assert round.status == RoundStatus.DRAFT
    assert not Delivery.objects.filter(round=round).exists()
    assert level(room, room.vegetables).reserved == 0
    assert level(room, room.masks).reserved == 0


def test_a_round_with_nothing_in_stock_does_not_start(world):
    empty = storeroom(
        actor=world.users["admin"], community=world.community, building=None, stock=(0, 0, 0)
    )
    with pytest.raises(ValidationError, match="Nothing of this round is in stock"):
        round_start(actor=world.users["admin"], round=draft(world, empty))


def test_a_started_round_can_neither_start_again_nor_change(world, room):
    round = round_start(actor=world.users["admin"], round=draft(world, room))
    with pytest.raises(ValidationError, match="already started"):
        round_start(actor=world.users["admin"], round=round)
    with pytest.raises(ValidationError, match="Only a draft"):
        draft(world, room, round=round)


def test_the_scope_narrows_the_round_to_chosen_grids(world, room, dialysis_household):
    round = draft(world, room, grid_ids=[world.grid1.pk])
    assert [s.household_id for s in round_preview(round=round).allocation.shares] == [
        world.household1.pk
    ]


def test_closing_gives_back_what_is_still_reserved(world, room):
    round = round_start(actor=world.users["admin"], round=draft(world, room))
    services.round_close(actor=world.users["admin"], round=round)
    round.refresh_from_db()
    assert round.status == RoundStatus.CLOSED and round.closed_at is not None
    assert level(room, room.masks).reserved == 0
    assert level(room, room.masks).on_hand == 1000
    with pytest.raises(ValidationError):
        services.round_close(actor=world.users["admin"], round=round)


def test_only_those_who_manage_supplies_plan_rounds(world, room):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        round_save(
            actor=world.users["parttime"], community=world.community, name="x",
            warehouse=room.warehouse, lines=issue_lines(room),
        )  # fmt: skip
