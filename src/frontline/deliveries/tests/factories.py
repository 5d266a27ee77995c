"""A stocked storeroom and a started round, for the tests and the route-by-role access test."""

from __future__ import annotations

from dataclasses import dataclass

from frontline.accounts.models import User
from frontline.deliveries.models import Basis, Batch, DistributionRound
from frontline.deliveries.services import LineInput, batch_create, round_save, round_start
from frontline.places.models import Building, Community
from frontline.supplies.models import Category, Item, Warehouse
from frontline.supplies.services import item_create, receive, warehouse_create


@dataclass
class Storeroom:
    warehouse: Warehouse
    vegetables: Item
    masks: Item
    formula: Item


def storeroom(
    *, actor: User, community: Community, building: Building | None, stock: tuple[int, int, int]
) -> Storeroom:
    """A storeroom in `building` holding (vegetable bags, masks, formula packs)."""
    warehouse = warehouse_create(
        actor=actor, community=community, name="居委会仓库", building=building
    )
    vegetables = item_create(
        actor=actor, community=community, name="蔬菜包", unit="袋", category=Category.FOOD
    )
    masks = item_create(
        actor=actor, community=community, name="口罩", unit="只", category=Category.PROTECTIVE
    )
    formula = item_create(
        actor=actor, community=community, name="婴儿奶粉", unit="罐", category=Category.FOOD
    )
    lines = [
        (item, units, None)
        for item, units in zip((vegetables, masks, formula), stock, strict=True)
        if units
    ]
    if lines:
        receive(actor=actor, warehouse=warehouse, kind="allocation", lines=lines)
    return Storeroom(warehouse, vegetables, masks, formula)


def issue_lines(room: Storeroom) -> list[LineInput]:
    """The usual lines: a vegetable bag per household, 10 masks per person, a formula pack
    per infant."""
    return [
        LineInput(item_id=room.vegetables.pk, basis=Basis.HOUSEHOLD, quantity=1),
        LineInput(item_id=room.masks.pk, basis=Basis.PERSON, quantity=10),
        LineInput(item_id=room.formula.pk, basis=Basis.TAGGED_PERSON, quantity=1, tag="infant"),
    ]


def started_round(
    *, actor: User, community: Community, room: Storeroom, volunteer: User | None = None
) -> tuple[DistributionRound, Batch | None]:
    """A started round of the usual lines over the whole community; with `volunteer`, one
    batch of all its buildings given to them."""
    round = round_save(
        actor=actor, community=community, name="第一轮保供", warehouse=room.warehouse,
        lines=issue_lines(room),
    )  # fmt: skip
    round = round_start(actor=actor, round=round)
    if volunteer is None:
        return round, None
    buildings = sorted(set(round.deliveries.values_list("building_id", flat=True)))
    return round, batch_create(
        actor=actor, round=round, building_ids=buildings, volunteer=volunteer
    )
