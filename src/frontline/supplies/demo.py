"""Demo stock: the residents' committee's storeroom in the first building, a catalogue, a
supermarket's donation (with its numbered receipt) and the sub-district's allocation; and a
position on the site plan for every building that has none, so delivery routes can be planned.
Idempotent: it stops once the community has a storeroom. Through the services."""

from __future__ import annotations

from django.db import transaction

from frontline.demo.loader import demo_admin
from frontline.places.models import Building, Community
from frontline.supplies.models import Warehouse
from frontline.supplies.services import item_create, receive, warehouse_create
from frontline.zones.selectors import number_key

SPACING = 60  # metres between neighbouring buildings on the demo site plan
COLUMNS = 6
ITEMS = (  # name, unit, category, shelf life (days), warn at
    ("蔬菜包", "袋", "food", 3, 20),
    ("大米 5kg", "袋", "food", 365, 10),
    ("N95口罩", "只", "protective", None, 200),
    ("84消毒液", "瓶", "disinfection", 365, 10),
    ("婴儿配方奶粉", "罐", "food", 180, 2),
)


def place_buildings(community: Community) -> int:
    """Give unplaced buildings a position on a grid of 60 m squares, in building-number order;
    returns how many were placed."""
    buildings = sorted(
        Building.objects.filter(community=community), key=lambda b: (number_key(b.number), b.pk)
    )
    placed = 0
    for index, building in enumerate(buildings):
        if building.plan_x is None or building.plan_y is None:
            building.plan_x = SPACING * (index % COLUMNS) + SPACING
            building.plan_y = SPACING * (index // COLUMNS) + SPACING
            building.save(update_fields=["plan_x", "plan_y", "updated_at"])
            placed += 1
    return placed


@transaction.atomic
def ensure_demo_supplies(community: Community) -> Warehouse | None:
    """Make the demo storeroom and its stock once; returns the storeroom made now, or None."""
    if Warehouse.objects.filter(community=community).exists():
        return None
    admin = demo_admin(community)
    first = Building.objects.filter(community=community).order_by("pk").first()
    if admin is None or first is None:
        return None
    place_buildings(community)
    storeroom = warehouse_create(
        actor=admin, community=community, name="居委会物资库房", building=first,
        note="一楼东侧，钥匙在值班室。",
    )  # fmt: skip
    items = {
        name: item_create(
            actor=admin,
            community=community,
            name=name,
            unit=unit,
            category=category,
            shelf_life_days=shelf_life,
            low_stock_at=warn_at,
        )
        for name, unit, category, shelf_life, warn_at in ITEMS
    }
    receive(
        actor=admin, warehouse=storeroom, kind="donation", donor="幸福超市",
        donor_contact="13800001234",
        lines=[(items["蔬菜包"], 400, None), (items["大米 5kg"], 120, None)],
    )  # fmt: skip
    receive(
        actor=admin, warehouse=storeroom, kind="allocation", reference="街道防疫物资第3批",
        lines=[(items["N95口罩"], 2000, None), (items["84消毒液"], 60, None),
               (items["婴儿配方奶粉"], 12, None)],
    )  # fmt: skip
    return storeroom
