"""Reads of the stock ledger: the catalogue, storerooms, stock with its warnings, the ledger and
its documents. Lists start from `scoped(viewer, MANAGE_SUPPLIES, ...)`; the functions that take a
storeroom expect one already read through `warehouse_get` (or checked by a service)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field

from django.contrib.auth.models import AnonymousUser
from django.db.models import F, OuterRef, Q, QuerySet, Subquery, Sum, Window
from django.shortcuts import get_object_or_404
from django.utils import timezone

from frontline.accounts.access import Permission, scoped
from frontline.accounts.models import User
from frontline.places.models import Community
from frontline.supplies.models import (
    Item,
    LedgerEntry,
    Movement,
    MovementKind,
    Reservation,
    StockLevel,
    Warehouse,
)

Viewer = User | AnonymousUser
# Receipts whose units are still on hand and expire within this many days are shown.
EXPIRY_WARNING_DAYS = 30


# -- the catalogue and the storerooms -----------------------------------------------------------


def supply_communities(*, viewer: Viewer) -> QuerySet[Community]:
    """The communities whose storerooms the viewer manages."""
    return Community.objects.filter(scoped(viewer, Permission.MANAGE_SUPPLIES, Community)).order_by(
        "name"
    )


def item_list(
    *, viewer: Viewer, query: str = "", category: str = "", active_only: bool = False
) -> QuerySet[Item]:
    items = Item.objects.filter(scoped(viewer, Permission.MANAGE_SUPPLIES, Item))
    if query:
        items = items.filter(name__icontains=query)
    if category:
        items = items.filter(category=category)
    if active_only:
        items = items.filter(active=True)
    return items.select_related("community").order_by("community__name", "category", "name", "id")


def item_get(*, viewer: Viewer, pk: int) -> Item:
    return get_object_or_404(item_list(viewer=viewer), pk=pk)


def warehouse_list(*, viewer: Viewer) -> QuerySet[Warehouse]:
    return (
        Warehouse.objects.filter(scoped(viewer, Permission.MANAGE_SUPPLIES, Warehouse))
        .select_related("community", "building")
        .order_by("community__name", "name", "id")
    )


def warehouse_get(*, viewer: Viewer, pk: int) -> Warehouse:
    """One storeroom the viewer manages; 404 outside their scope."""
    return get_object_or_404(warehouse_list(viewer=viewer), pk=pk)


# -- balances -----------------------------------------------------------------------------------


def available(*, warehouse: Warehouse, item_ids: Collection[int]) -> dict[int, int]:
    """Units of each item that may still be issued or reserved (on hand less reserved); 0 for an
    item the storeroom has never held. One query, no lock: a write re-reads under its lock."""
    found = dict(
        StockLevel.objects.filter(warehouse=warehouse, item_id__in=list(item_ids)).values_list(
            "item_id", F("on_hand") - F("reserved")
        )
    )
    return {item_id: found.get(item_id, 0) for item_id in item_ids}


def ledger_balance(warehouse: Warehouse, item: Item) -> int:
    """Stock on hand computed from the ledger alone: the sum of the item's entries."""
    total = LedgerEntry.objects.filter(warehouse=warehouse, item=item).aggregate(
        total=Sum("quantity")
    )["total"]
    return total or 0


# -- stock and its warnings ---------------------------------------------------------------------


@dataclass(frozen=True)
class ExpiringLot:
    """Units of one receipt estimated still on hand (first in, first out) that expire soon."""

    warehouse_id: int
    item_id: int
    movement_id: int
    received_at: dt.datetime
    expires_on: dt.date
    units: int
    expired: bool


@dataclass
class StockRow:
    item: Item
    on_hand: int
    reserved: int
    lots: list[ExpiringLot] = field(default_factory=list)

    @property
    def available(self) -> int:
        return self.on_hand - self.reserved

    @property
    def is_out(self) -> bool:
        return self.item.active and self.available <= 0

    @property
    def is_low(self) -> bool:
        threshold = self.item.low_stock_at
        return (
            self.item.active and not self.is_out and threshold is not None
            and self.available <= threshold
        )  # fmt: skip


def lots_on_hand(warehouse_ids: Iterable[int]) -> QuerySet[LedgerEntry]:
    """The receipts (positive entries) whose units are estimated still on hand: issues take the
    oldest units first, so what is left of an item is always its newest receipts, as many as
    make up the balance. Each row carries `newer_and_own` (units received with and after it)
    and `on_hand`; what is left of it is `on_hand - (newer_and_own - quantity)`, at most all."""
    newer_and_own = Window(
        Sum("quantity"),
        partition_by=[F("warehouse_id"), F("item_id")],
        order_by=[F("movement__occurred_at").desc(), F("id").desc()],
    )
    on_hand = StockLevel.objects.filter(
        warehouse_id=OuterRef("warehouse_id"), item_id=OuterRef("item_id")
    ).values("on_hand")[:1]
    return (
        LedgerEntry.objects.filter(warehouse_id__in=list(warehouse_ids), quantity__gt=0)
        .annotate(
            newer_and_own=newer_and_own,
            on_hand=Subquery(on_hand),
            received_at=F("movement__occurred_at"),
        )
        .filter(newer_and_own__lt=F("on_hand") + F("quantity"))
    )


def expiring_lots(
    *, warehouse_ids: Iterable[int], today: dt.date | None = None
) -> list[ExpiringLot]:
    """Receipts expired or expiring within `EXPIRY_WARNING_DAYS` whose units are still on hand
    (estimated first in, first out), soonest first. One query whatever the history."""
    today = today or timezone.localdate()
    horizon = today + dt.timedelta(days=EXPIRY_WARNING_DAYS)
    fields = ("warehouse_id", "item_id", "movement_id", "quantity", "expires_on", "received_at",
              "newer_and_own", "on_hand")  # fmt: skip
    rows = [
        row
        for row in lots_on_hand(warehouse_ids).order_by().values(*fields)
        if row["expires_on"] is not None and row["expires_on"] <= horizon
    ]
    lots = [
        ExpiringLot(
            warehouse_id=row["warehouse_id"], item_id=row["item_id"],
            movement_id=row["movement_id"], received_at=row["received_at"],
            expires_on=row["expires_on"], expired=row["expires_on"] < today,
            units=min(row["quantity"], row["on_hand"] - (row["newer_and_own"] - row["quantity"])),
        )
        for row in rows
    ]  # fmt: skip
    return sorted(lots, key=lambda lot: (lot.expires_on, lot.movement_id))


def stock(*, warehouse: Warehouse, today: dt.date | None = None) -> list[StockRow]:
    """Every item the storeroom has held that is in use or still on hand, by category and name,
    with its receipts that expire soon. Two queries."""
    levels = (
        StockLevel.objects.filter(warehouse=warehouse)
        .filter(Q(item__active=True) | Q(on_hand__gt=0))
        .select_related("item")
        .order_by("item__category", "item__name", "item_id")
    )
    rows = {
        level.item_id: StockRow(item=level.item, on_hand=level.on_hand, reserved=level.reserved)
        for level in levels
    }
    if rows:
        for lot in expiring_lots(warehouse_ids=[warehouse.pk], today=today):
            if lot.item_id in rows:
                rows[lot.item_id].lots.append(lot)
    return list(rows.values())


@dataclass(frozen=True)
class WarningCounts:
    out: int = 0
    low: int = 0
    expiring: int = 0

    @property
    def total(self) -> int:
        return self.out + self.low + self.expiring


def warning_counts(
    *, warehouses: Iterable[Warehouse], today: dt.date | None = None
) -> dict[int, WarningCounts]:
    """Per storeroom: items out of stock, items running low, receipts expiring (or expired) with
    units on hand. Two queries for any number of storerooms."""
    ids = [warehouse.pk for warehouse in warehouses]
    out: dict[int, int] = defaultdict(int)
    low: dict[int, int] = defaultdict(int)
    levels = StockLevel.objects.filter(warehouse_id__in=ids, item__active=True).values_list(
        "warehouse_id", F("on_hand") - F("reserved"), "item__low_stock_at"
    )
    for warehouse_id, units, threshold in levels:
        if units <= 0:
            out[warehouse_id] += 1
        elif threshold is not None and units <= threshold:
            low[warehouse_id] += 1
    expiring: dict[int, int] = defaultdict(int)
    if ids:
        for lot in expiring_lots(warehouse_ids=ids, today=today):
            expiring[lot.warehouse_id] += 1
    return {pk: WarningCounts(out=out[pk], low=low[pk], expiring=expiring[pk]) for pk in ids}


def reservations(*, warehouse: Warehouse) -> QuerySet[Reservation]:
    """Units still held for distribution rounds."""
    return (
        Reservation.objects.filter(warehouse=warehouse, quantity__gt=0)
        .select_related("item", "created_by")
        .order_by("-created_at", "-id")
    )


# -- the ledger and its documents ---------------------------------------------------------------


@dataclass(frozen=True)
class LedgerFilters:
    item: int | None = None
    kind: str = ""
    since: dt.date | None = None
    until: dt.date | None = None


def ledger(*, warehouse: Warehouse, filters: LedgerFilters | None = None) -> QuerySet[LedgerEntry]:
    """The storeroom's entries, newest first, each with its document."""
    filters = filters or LedgerFilters()
    entries = LedgerEntry.objects.filter(warehouse=warehouse)
    if filters.item is not None:
        entries = entries.filter(item_id=filters.item)
    if filters.kind in MovementKind.values:
        entries = entries.filter(movement__kind=filters.kind)
    if filters.since is not None:
        entries = entries.filter(movement__occurred_at__date__gte=filters.since)
    if filters.until is not None:
        entries = entries.filter(movement__occurred_at__date__lte=filters.until)
    return entries.select_related("item", "movement__actor").order_by(
        "-movement__occurred_at", "-movement_id", "id"
    )


def movement_list(*, viewer: Viewer, warehouse: Warehouse | None = None) -> QuerySet[Movement]:
    movements = Movement.objects.filter(scoped(viewer, Permission.MANAGE_SUPPLIES, Movement))
    if warehouse is not None:
        movements = movements.filter(warehouse=warehouse)
    return movements.select_related("warehouse", "actor").order_by("-occurred_at", "-id")


def movement_get(*, viewer: Viewer, pk: int) -> Movement:
    """One document of a storeroom the viewer manages; 404 outside their scope."""
    return get_object_or_404(movement_list(viewer=viewer).select_related("community"), pk=pk)


def movement_entries(movement: Movement) -> QuerySet[LedgerEntry]:
    return movement.entries.select_related("item").order_by("id")
