"""A group purchase taking orders, for the tests and the route-by-role access test."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from frontline.accounts.models import User
from frontline.deliveries.models import GroupPurchase, PurchaseOffer
from frontline.deliveries.purchases import OfferInput, purchase_save
from frontline.places.models import Community
from frontline.supplies.models import Item, Warehouse


def open_purchase(
    *, actor: User, community: Community, warehouse: Warehouse, vegetables: Item
) -> GroupPurchase:
    """ "Rice and vegetables" from 惠民超市, open for two days: rice 5 kg (a new catalogue item,
    45.00 a bag, at most 2 a household) and the vegetable bags (12.50, at most 3)."""
    return purchase_save(
        actor=actor, community=community, title="大米蔬菜团购", supplier="惠民超市",
        supplier_contact="13800005555", warehouse=warehouse,
        closes_at=timezone.now() + dt.timedelta(days=2),
        offers=[
            OfferInput(item_id=None, new_item="大米 5kg", unit="袋", unit_price="45.00", cap=2),
            OfferInput(item_id=vegetables.pk, unit_price=Decimal("12.50"), cap=3),
        ],
    )  # fmt: skip


def offers_of(purchase: GroupPurchase) -> tuple[PurchaseOffer, PurchaseOffer]:
    """(rice, vegetables)."""
    rice, vegetables = purchase.offers.select_related("item").order_by("id")
    return rice, vegetables
