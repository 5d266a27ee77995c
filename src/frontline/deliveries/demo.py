"""Demo distribution round: one vegetable bag per household of the first three buildings, from
the demo storeroom, started (stock reserved, deliveries written), with the first two buildings
batched for the demo volunteer and their route planned. Idempotent: it stops once the community
has a round. Through the services."""

from __future__ import annotations

from frontline.accounts.models import Role, User
from frontline.deliveries.models import DistributionRound
from frontline.deliveries.services import (
    LineInput,
    batch_create,
    batch_route_compute,
    round_save,
    round_start,
)
from frontline.demo.loader import demo_admin
from frontline.places.models import Building, Community
from frontline.supplies.models import Item, Warehouse

ROUTE_SECONDS = 1.0


def ensure_demo_round(community: Community) -> DistributionRound | None:
    """Make and start the demo round once (after `ensure_demo_supplies`); None when it exists."""
    if DistributionRound.objects.filter(community=community).exists():
        return None
    admin = demo_admin(community)
    storeroom = Warehouse.objects.filter(community=community).order_by("pk").first()
    bag = Item.objects.filter(community=community, name="蔬菜包").first()
    volunteer = (
        User.objects.filter(assignments__community=community, assignments__role=Role.VOLUNTEER)
        .order_by("pk")
        .first()
    )
    buildings = list(Building.objects.filter(community=community).order_by("pk")[:3])
    if admin is None or storeroom is None or bag is None or len(buildings) < 3:
        return None
    round = round_save(
        actor=admin, community=community, name="蔬菜包第一轮", warehouse=storeroom,
        lines=[LineInput(item_id=bag.pk, basis="household", quantity=1)],
        building_ids=[building.pk for building in buildings], trip_capacity=10,
    )  # fmt: skip
    round = round_start(actor=admin, round=round)
    batch = batch_create(
        actor=admin, round=round, building_ids=[b.pk for b in buildings[:2]], volunteer=volunteer
    )
    batch_route_compute(actor=admin, batch=batch, seconds=ROUTE_SECONDS)
    return round
