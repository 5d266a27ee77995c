"""Group purchases: setting one up, orders within the caps while it is open, the totals per
building for the supplier, and the arrival that receives the goods and makes a round delivering
exactly the orders (short by priority when the supplier brought less)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from frontline.core.models import AuditEntry
from frontline.deliveries.models import (
    Basis,
    DeliveryLine,
    DeliveryStatus,
    GroupPurchase,
    OrderChannel,
    PurchaseOrder,
    PurchaseStatus,
    RoundStatus,
)
from frontline.deliveries.purchases import (
    OfferInput,
    OrderLineInput,
    order_place_by_household,
    order_place_for_household,
    purchase_arrive,
    purchase_close,
    purchase_save,
)
from frontline.deliveries.selectors import purchase_totals
from frontline.deliveries.services import LineInput, round_save
from frontline.deliveries.tests.purchase_factories import offers_of, open_purchase
from frontline.health.services import household_link_issue
from frontline.supplies.models import Item, Movement, MovementKind, StockLevel


@pytest.fixture
def purchase(world, room) -> GroupPurchase:  # type: ignore[no-untyped-def]
    return open_purchase(
        actor=world.users["admin"], community=world.community, warehouse=room.warehouse,
        vegetables=room.vegetables,
    )  # fmt: skip


def link_of(world, household):  # type: ignore[no-untyped-def]
    link, _token = household_link_issue(actor=world.users["admin"], household=household)
    return link


def order(world, purchase, household, rice: int, vegetables: int):  # type: ignore[no-untyped-def]
    rice_offer, vegetable_offer = offers_of(purchase)
    return order_place_by_household(
        link=link_of(world, household), purchase_id=purchase.pk,
        lines=[OrderLineInput(rice_offer.pk, rice), OrderLineInput(vegetable_offer.pk, vegetables)],
    )  # fmt: skip


def units(order) -> dict[str, int]:  # type: ignore[no-untyped-def]
    return {
        line.offer.item.name: line.quantity for line in order.lines.select_related("offer__item")
    }


# -- setting up ---------------------------------------------------------------------------------


def test_a_purchase_names_every_bad_field_and_every_bad_offer(world, room, store_elsewhere):
    with pytest.raises(ValidationError) as raised:
        purchase_save(
            actor=world.users["admin"], community=world.community, title=" ", supplier="",
            warehouse=store_elsewhere.warehouse, closes_at=timezone.now() - dt.timedelta(hours=1),
            offers=[
                OfferInput(item_id=store_elsewhere.masks.pk, unit_price="2", cap=5),
                OfferInput(item_id=room.masks.pk, unit_price="0", cap=0),
                OfferInput(item_id=room.masks.pk, unit_price="1.5", cap=1),
                OfferInput(item_id=None, new_item="", unit_price="abc", cap=2),
            ],
        )  # fmt: skip
    errors = raised.value.message_dict
    assert set(errors) == {"title", "supplier", "warehouse", "closes_at", "offers"}
    assert [line[:6] for line in errors["offers"]] == ["Line 1", "Line 2", "Line 3", "Line 4"]
    assert "twice" in errors["offers"][2]
    assert not GroupPurchase.objects.exists()


def test_a_new_item_named_in_an_offer_joins_the_catalogue(world, purchase):
    rice, vegetables = offers_of(purchase)
    item = Item.objects.get(community=world.community, name="大米 5kg")
    assert rice.item == item and item.unit == "袋"
    assert (rice.unit_price, rice.cap) == (Decimal("45.00"), 2)
    assert (vegetables.unit_price, vegetables.cap) == (Decimal("12.50"), 3)
    assert purchase.status == PurchaseStatus.OPEN
    assert AuditEntry.objects.filter(target_id=str(purchase.pk), action="create").exists()


def test_an_offer_with_orders_can_be_neither_dropped_nor_capped_below_an_order(
    world, room, purchase
):
    order(world, purchase, world.household1, rice=2, vegetables=0)
    rice, _vegetables = offers_of(purchase)
    with pytest.raises(ValidationError) as raised:
        purchase_save(
            actor=world.users["admin"], community=world.community, title=purchase.title,
            supplier=purchase.supplier, warehouse=room.warehouse, closes_at=purchase.closes_at,
            offers=[OfferInput(item_id=rice.item_id, unit_price="40", cap=1)], purchase=purchase,
        )  # fmt: skip
    assert "cannot be lower" in raised.value.message_dict["offers"][0]
    purchase_save(
        actor=world.users["admin"], community=world.community, title=purchase.title,
        supplier=purchase.supplier, warehouse=room.warehouse, closes_at=purchase.closes_at,
        offers=[OfferInput(item_id=rice.item_id, unit_price="40", cap=2)], purchase=purchase,
    )  # fmt: skip
    (only,) = purchase.offers.all()  # the vegetables nobody ordered are gone
    assert only.unit_price == Decimal("40.00")


def test_only_those_who_manage_supplies_set_up_purchases(world, room):
    with pytest.raises(PermissionDenied):
        open_purchase(actor=world.users["parttime"], community=world.community,
                      warehouse=room.warehouse, vegetables=room.vegetables)  # fmt: skip


# -- orders -------------------------------------------------------------------------------------


def test_the_cap_is_enforced_and_each_bad_line_reported(world, purchase):
    rice, vegetables = offers_of(purchase)
    with pytest.raises(ValidationError) as raised:
        order_place_by_household(
            link=link_of(world, world.household1), purchase_id=purchase.pk,
            lines=[OrderLineInput(rice.pk, 3), OrderLineInput(vegetables.pk, -1),
                   OrderLineInput(999_999, 1), OrderLineInput(vegetables.pk, None)],
        )  # fmt: skip
    problems = raised.value.message_dict["lines"]
    assert problems == [
        "大米 5kg: order 0 to 2 袋.",
        "蔬菜包: order 0 to 3 袋.",
        "Line 3: not an item of this purchase.",
        "蔬菜包 is listed twice.",
        "蔬菜包: order 0 to 3 袋.",
    ]
    assert not PurchaseOrder.objects.exists()


def test_an_order_is_changed_line_by_line_and_withdrawn_while_open(world, purchase):
    rice, vegetables = offers_of(purchase)
    placed = order(world, purchase, world.household1, rice=2, vegetables=1)
    assert placed.placed_via == OrderChannel.HOUSEHOLD and placed.building == world.building1
    assert units(placed) == {"大米 5kg": 2, "蔬菜包": 1}

    link = link_of(world, world.household1)
    changed = order_place_by_household(
        link=link, purchase_id=purchase.pk, lines=[OrderLineInput(vegetables.pk, 3)]
    )
    assert changed is not None and changed.pk == placed.pk
    assert units(changed) == {"大米 5kg": 2, "蔬菜包": 3}  # lines not named are kept
    changed = order_place_by_household(
        link=link, purchase_id=purchase.pk, lines=[OrderLineInput(rice.pk, 0)]
    )
    assert changed is not None and units(changed) == {"蔬菜包": 3}  # 0 takes the line out
    withdrawn = order_place_by_household(
        link=link, purchase_id=purchase.pk, lines=[OrderLineInput(vegetables.pk, 0)]
    )
    assert withdrawn is None and not PurchaseOrder.objects.exists()
    assert AuditEntry.objects.filter(action="delete", details__household=world.household1.pk)


def test_orders_are_refused_once_ordering_closed_or_its_time_passed(world, purchase):
    order(world, purchase, world.household1, rice=1, vegetables=1)
    GroupPurchase.objects.filter(pk=purchase.pk).update(
        closes_at=timezone.now() - dt.timedelta(minutes=1)
    )
    with pytest.raises(ValidationError, match="has closed"):
        order(world, purchase, world.household1, rice=2, vegetables=1)
    GroupPurchase.objects.filter(pk=purchase.pk).update(
        closes_at=timezone.now() + dt.timedelta(days=1)
    )
    purchase_close(actor=world.users["admin"], purchase=purchase)
    with pytest.raises(ValidationError, match="has closed"):
        order(world, purchase, world.household1, rice=0, vegetables=0)
    with pytest.raises(ValidationError, match="already closed"):
        purchase_close(actor=world.users["admin"], purchase=purchase)
    assert units(PurchaseOrder.objects.get()) == {"大米 5kg": 1, "蔬菜包": 1}


def test_a_household_link_orders_only_in_its_own_community(world, room, purchase):
    elsewhere = open_purchase(
        actor=world.users["other_admin"], community=world.other_community,
        warehouse=room_of_other(world), vegetables=other_item(world),
    )  # fmt: skip
    (offer, _vegetables) = offers_of(elsewhere)
    with pytest.raises(Http404):
        order_place_by_household(
            link=link_of(world, world.household1), purchase_id=elsewhere.pk,
            lines=[OrderLineInput(offer.pk, 1)],
        )  # fmt: skip
    revoked = link_of(world, world.household2)
    link_of(world, world.household2)  # a new link revokes the old one
    revoked.refresh_from_db()
    with pytest.raises(Http404):
        order_place_by_household(link=revoked, purchase_id=purchase.pk, lines=[])


def room_of_other(world):  # type: ignore[no-untyped-def]
    from frontline.supplies.services import warehouse_create

    return warehouse_create(
        actor=world.users["other_admin"], community=world.other_community, name="光明仓"
    )


def other_item(world):  # type: ignore[no-untyped-def]
    from frontline.supplies.services import item_create

    return item_create(
        actor=world.users["other_admin"], community=world.other_community, name="蔬菜包",
        unit="袋", category="food",
    )  # fmt: skip


def test_a_worker_who_delivers_there_orders_on_a_households_behalf(world, purchase):
    rice, _vegetables = offers_of(purchase)
    placed = order_place_for_household(
        actor=world.users["parttime"], purchase=purchase, household=world.household2,
        lines=[OrderLineInput(rice.pk, 1)],
    )  # fmt: skip
    assert placed is not None
    assert (placed.placed_via, placed.placed_by) == (OrderChannel.WORKER, world.users["parttime"])
    # the grid worker of grid 1 delivers only there: building 5's household is out of reach
    with pytest.raises(Http404):
        order_place_for_household(
            actor=world.users["grid1"], purchase=purchase, household=world.household2,
            lines=[OrderLineInput(rice.pk, 1)],
        )  # fmt: skip
    with pytest.raises(Http404):  # the other community's admin sees neither
        order_place_for_household(
            actor=world.users["other_admin"], purchase=purchase, household=world.household1,
            lines=[OrderLineInput(rice.pk, 1)],
        )  # fmt: skip


# -- totals -------------------------------------------------------------------------------------


def test_the_totals_per_building_and_per_offer_are_exact(world, purchase, dialysis_household):
    order(world, purchase, world.household1, rice=2, vegetables=1)  # building 3
    order(world, purchase, world.household2, rice=1, vegetables=3)  # building 5
    order(world, purchase, dialysis_household, rice=2, vegetables=0)  # building 5
    totals = purchase_totals(purchase)
    assert [(row.offer.item.name, row.units, row.households, row.amount)
            for row in totals.offers] == [
        ("大米 5kg", 5, 3, Decimal("225.00")), ("蔬菜包", 4, 2, Decimal("50.00")),
    ]  # fmt: skip
    assert [(row.building.number, row.households, row.units, row.amount)
            for row in totals.buildings] == [
        ("3", 1, (2, 1), Decimal("102.50")), ("5", 2, (3, 3), Decimal("172.50")),
    ]  # fmt: skip
    assert totals.households == 3 and totals.amount == Decimal("275.00")


# -- arrival ------------------------------------------------------------------------------------


def level(room, item) -> StockLevel:  # type: ignore[no-untyped-def]
    return StockLevel.objects.get(warehouse=room.warehouse, item=item)


def test_the_arrival_receives_the_goods_and_makes_a_round_of_exactly_the_orders(
    world, room, purchase, dialysis_household
):
    order(world, purchase, world.household1, rice=2, vegetables=1)
    order(world, purchase, world.household2, rice=1, vegetables=3)
    order(world, purchase, dialysis_household, rice=2, vegetables=0)
    rice, vegetables = offers_of(purchase)
    with pytest.raises(ValidationError, match="Close ordering"):
        purchase_arrive(actor=world.users["admin"], purchase=purchase)
    purchase_close(actor=world.users["admin"], purchase=purchase)

    round = purchase_arrive(actor=world.users["admin"], purchase=purchase)

    purchase.refresh_from_db()
    assert purchase.status == PurchaseStatus.ARRIVED and purchase.round == round
    receipt = Movement.objects.get(pk=purchase.receipt_id)
    assert (receipt.kind, receipt.supplier, receipt.total_cost, receipt.reference) == (
        MovementKind.PURCHASE, "惠民超市", Decimal("275.00"), f"purchase-{purchase.pk}",
    )  # fmt: skip
    assert sorted(receipt.entries.values_list("item_id", "quantity")) == sorted(
        [(rice.item_id, 5), (vegetables.item_id, 4)]
    )
    assert [(line.basis, line.quantity) for line in round.lines.all()] == [
        (Basis.ORDERED, 1), (Basis.ORDERED, 1),
    ]  # fmt: skip
    # started at once: the goods are held for the households that ordered them
    assert round.status == RoundStatus.STARTED

    delivered = {
        (line.delivery.household_id, line.item_id): (line.entitled, line.allocated)
        for line in DeliveryLine.objects.filter(delivery__round=round).select_related("delivery")
    }
    assert delivered == {
        (world.household1.pk, rice.item_id): (2, 2),
        (world.household1.pk, vegetables.item_id): (1, 1),
        (world.household2.pk, rice.item_id): (1, 1),
        (world.household2.pk, vegetables.item_id): (3, 3),
        (dialysis_household.pk, rice.item_id): (2, 2),
    }
    assert level(room, rice.item).reserved == 5 and level(room, rice.item).on_hand == 5
    assert level(room, room.vegetables).reserved == 4
    with pytest.raises(ValidationError, match="already been recorded"):
        purchase_arrive(actor=world.users["admin"], purchase=purchase)


def test_a_short_arrival_leaves_the_shortfall_per_household_by_priority(
    world, room, purchase, dialysis_household
):
    order(world, purchase, world.household2, rice=2, vegetables=3)  # 李四: no priority group
    order(world, purchase, world.household1, rice=2, vegetables=1)  # 张三丰: 65+ living alone
    order(world, purchase, dialysis_household, rice=1, vegetables=1)  # dialysis
    rice, vegetables = offers_of(purchase)
    purchase_close(actor=world.users["admin"], purchase=purchase)
    with pytest.raises(ValidationError) as raised:
        purchase_arrive(actor=world.users["admin"], purchase=purchase, received={rice.pk: -1})
    assert len(raised.value.message_dict["received"]) == 2  # a bad count, a missing one

    # 3 of 5 bags of rice came; 2 of 5 vegetable bags, though the storeroom holds 100 others
    round = purchase_arrive(
        actor=world.users["admin"], purchase=purchase, received={rice.pk: 3, vegetables.pk: 2}
    )
    assert Movement.objects.get(kind=MovementKind.PURCHASE).total_cost == Decimal("160.00")

    short = {
        (line.delivery.household_id, line.item_id): (line.entitled, line.allocated)
        for line in DeliveryLine.objects.filter(delivery__round=round).select_related("delivery")
        if line.shortfall
    }
    # the dialysis household and 张三丰 get all they ordered; 李四 comes last and gets nothing
    assert short == {
        (world.household2.pk, rice.item_id): (2, 0),
        (world.household2.pk, vegetables.item_id): (3, 0),
    }
    assert round.deliveries.get(household=world.household2).status == DeliveryStatus.UNFILLED
    assert level(room, rice.item).reserved == 3
    assert level(room, room.vegetables).reserved == 2


def test_a_purchases_round_cannot_be_replanned_and_no_other_round_delivers_as_ordered(
    world, room, purchase
):
    order(world, purchase, world.household1, rice=1, vegetables=0)
    purchase_close(actor=world.users["admin"], purchase=purchase)
    round = purchase_arrive(actor=world.users["admin"], purchase=purchase)
    assert round.status == RoundStatus.STARTED
    lines = [LineInput(item_id=room.masks.pk, basis=Basis.PERSON, quantity=1)]
    with pytest.raises(ValidationError, match="Only a draft round can be changed"):
        round_save(actor=world.users["admin"], community=world.community, name="x",
                   warehouse=room.warehouse, lines=lines, round=round)  # fmt: skip
    with pytest.raises(ValidationError) as raised:
        round_save(
            actor=world.users["admin"], community=world.community, name="x",
            warehouse=room.warehouse,
            lines=[LineInput(item_id=room.masks.pk, basis=Basis.ORDERED, quantity=1)],
        )  # fmt: skip
    assert "lines" in raised.value.message_dict
