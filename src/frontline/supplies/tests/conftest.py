from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.utils import translation

from frontline.supplies.models import Category, Item, Warehouse
from frontline.supplies.services import item_create, receive, warehouse_create

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture(autouse=True)
def english():  # type: ignore[no-untyped-def]
    """The services word their errors in the active language; these tests read English."""
    with translation.override("en"):
        yield


@dataclass
class Store:
    """Community 幸福里's storeroom with three catalogue items, and the other community's."""

    room: Warehouse
    rice: Item
    masks: Item
    milk: Item
    other_room: Warehouse
    other_rice: Item


@pytest.fixture
def store(world) -> Store:  # type: ignore[no-untyped-def]
    admin, other_admin = world.users["admin"], world.users["other_admin"]
    room = warehouse_create(
        actor=admin, community=world.community, name="居委会一号仓", building=world.building1
    )
    rice = item_create(
        actor=admin, community=world.community, name="大米 5kg", unit="袋", category=Category.FOOD,
        low_stock_at=5,
    )  # fmt: skip
    masks = item_create(
        actor=admin, community=world.community, name="医用口罩", unit="盒",
        category=Category.PROTECTIVE,
    )  # fmt: skip
    milk = item_create(
        actor=admin, community=world.community, name="纯牛奶", unit="箱", category=Category.FOOD,
        shelf_life_days=30,
    )  # fmt: skip
    other_room = warehouse_create(actor=other_admin, community=world.other_community, name="光明仓")
    other_rice = item_create(
        actor=other_admin, community=world.other_community, name="大米 5kg", unit="袋",
        category=Category.FOOD,
    )  # fmt: skip
    return Store(room, rice, masks, milk, other_room, other_rice)


@pytest.fixture
def stocked(world, store):  # type: ignore[no-untyped-def]
    """The storeroom after a donation of 20 bags of rice and 10 boxes of masks."""
    receive(
        actor=world.users["admin"], warehouse=store.room, kind="donation",
        lines=[(store.rice, 20, None), (store.masks, 10, None)], donor="爱心超市",
        donor_contact="13800001234",
    )  # fmt: skip
    return store
