"""The stock ledger through the API: the same selectors and services as the pages (422 naming
every bad field or line, 404 outside scope, 403 inside it without the permission). An issue
refused for short stock answers 422 with `detail.shortages` (item id -> units missing)."""

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status

from frontline.accounts.access import Permission, api_requires
from frontline.core.http import AuthedRequest
from frontline.core.schemas import Error, Page
from frontline.supplies import selectors, services
from frontline.supplies.models import Item, Movement, Warehouse

router = Router(tags=["supplies"])
MANAGE = Permission.MANAGE_SUPPLIES
MAX_LIMIT = 500


class ItemOut(Schema):
    id: int
    community_id: int
    name: str
    unit: str
    category: str
    shelf_life_days: int | None
    low_stock_at: int | None
    active: bool


class WarehouseOut(Schema):
    id: int
    community_id: int
    name: str
    building_id: int | None
    note: str


class LotOut(Schema):
    movement_id: int
    expires_on: dt.date
    units: int
    expired: bool


class StockOut(Schema):
    item_id: int
    name: str
    unit: str
    on_hand: int
    reserved: int
    available: int
    out_of_stock: bool
    running_low: bool
    expiring: list[LotOut]


class EntryOut(Schema):
    item_id: int
    quantity: int
    expires_on: dt.date | None


class MovementOut(Schema):
    id: int
    warehouse_id: int
    kind: str
    occurred_at: dt.datetime
    receipt_number: str
    donor_name: str
    supplier: str
    total_cost: Decimal | None
    reference: str
    reason: str
    actor_id: int | None
    entries: list[EntryOut]

    @staticmethod
    def of(movement: Movement) -> "MovementOut":
        return MovementOut(
            id=movement.pk, warehouse_id=movement.warehouse_id, kind=movement.kind,
            occurred_at=movement.occurred_at, receipt_number=movement.receipt_number,
            donor_name=movement.donor_name, supplier=movement.supplier,
            total_cost=movement.total_cost, reference=movement.reference, reason=movement.reason,
            actor_id=movement.actor_id,
            entries=[EntryOut(item_id=e.item_id, quantity=e.quantity, expires_on=e.expires_on)
                     for e in movement.entries.all()],
        )  # fmt: skip


class LineIn(Schema):
    item_id: int
    quantity: int
    expires_on: dt.date | None = None


class ReceiptIn(Schema):
    """`kind`: donation (needs `donor`), purchase (needs `supplier`) or allocation."""

    kind: str = ""
    lines: list[LineIn] = []
    donor: str = ""
    donor_contact: str = ""
    supplier: str = ""
    total_cost: Decimal | None = None
    reference: str = ""
    occurred_at: dt.datetime | None = None


class IssueIn(Schema):
    lines: list[LineIn] = []
    reason: str = ""
    reference: str = ""


class CorrectionIn(Schema):
    item_id: int | None = None
    counted: int | None = None
    reason: str = ""


class ItemFilters(Schema):
    q: str = ""
    category: str = ""
    limit: int = 50
    offset: int = 0


class Paging(Schema):
    limit: int = 50
    offset: int = 0


def _page(rows, paging):  # type: ignore[no-untyped-def]
    limit, offset = max(1, min(paging.limit, MAX_LIMIT)), max(0, paging.offset)
    return rows.count(), list(rows[offset : offset + limit])


def _items(warehouse: Warehouse, ids: list[int]) -> dict[int, Item]:
    return Item.objects.filter(community_id=warehouse.community_id).in_bulk(ids)


@router.get("/items", response=Page[ItemOut])
@api_requires(MANAGE)
def item_list(request: AuthedRequest, filters: Query[ItemFilters]):
    found = selectors.item_list(viewer=request.user, query=filters.q, category=filters.category)
    count, items = _page(found, filters)
    return {"count": count, "items": items}


@router.get("/warehouses", response=list[WarehouseOut])
@api_requires(MANAGE)
def warehouse_list(request: AuthedRequest):
    return list(selectors.warehouse_list(viewer=request.user))


@router.get("/warehouses/{warehouse_id}/stock", response=list[StockOut])
@api_requires(MANAGE, per_object=True)
def warehouse_stock(request: AuthedRequest, warehouse_id: int):
    """Every item the storeroom holds, with its warnings and its receipts expiring within 30 days
    whose units are still on hand (estimated first in, first out)."""
    warehouse = selectors.warehouse_get(viewer=request.user, pk=warehouse_id)
    return [
        StockOut(
            item_id=row.item.pk, name=row.item.name, unit=row.item.unit, on_hand=row.on_hand,
            reserved=row.reserved, available=row.available, out_of_stock=row.is_out,
            running_low=row.is_low,
            expiring=[LotOut(movement_id=lot.movement_id, expires_on=lot.expires_on,
                             units=lot.units, expired=lot.expired) for lot in row.lots],
        )
        for row in selectors.stock(warehouse=warehouse)
    ]  # fmt: skip


@router.get("/warehouses/{warehouse_id}/movements", response=Page[MovementOut])
@api_requires(MANAGE, per_object=True)
def movement_list(request: AuthedRequest, warehouse_id: int, paging: Query[Paging]):
    """The storeroom's documents with their entries, newest first."""
    warehouse = selectors.warehouse_get(viewer=request.user, pk=warehouse_id)
    found = selectors.movement_list(viewer=request.user, warehouse=warehouse).prefetch_related(
        "entries"
    )
    count, movements = _page(found, paging)
    return {"count": count, "items": [MovementOut.of(movement) for movement in movements]}


@router.get("/movements/{movement_id}", response=MovementOut)
@api_requires(MANAGE, per_object=True)
def movement_detail(request: AuthedRequest, movement_id: int):
    return MovementOut.of(selectors.movement_get(viewer=request.user, pk=movement_id))


@router.post("/warehouses/{warehouse_id}/receipts", response={201: MovementOut})
@api_requires(MANAGE, per_object=True)
def receive(request: AuthedRequest, warehouse_id: int, payload: ReceiptIn):
    """Goods in; a donation gets its receipt number (`receipt_number`)."""
    warehouse = selectors.warehouse_get(viewer=request.user, pk=warehouse_id)
    items = _items(warehouse, [line.item_id for line in payload.lines])
    movement = services.receive(
        actor=request.user, warehouse=warehouse, kind=payload.kind,
        lines=[(items.get(line.item_id), line.quantity, line.expires_on)  # type: ignore[misc]
               for line in payload.lines],
        donor=payload.donor, donor_contact=payload.donor_contact, supplier=payload.supplier,
        total_cost=payload.total_cost, reference=payload.reference,
        occurred_at=payload.occurred_at,
    )  # fmt: skip
    return Status(201, MovementOut.of(movement))


@router.post("/warehouses/{warehouse_id}/issues", response={201: MovementOut, 422: Error})
@api_requires(MANAGE, per_object=True)
def issue(request: AuthedRequest, warehouse_id: int, payload: IssueIn):
    """Goods out, all lines or none."""
    warehouse = selectors.warehouse_get(viewer=request.user, pk=warehouse_id)
    items = _items(warehouse, [line.item_id for line in payload.lines])
    try:
        movement = services.issue(
            actor=request.user, warehouse=warehouse, reason=payload.reason,
            reference=payload.reference,
            lines=[(items.get(line.item_id), line.quantity)  # type: ignore[misc]
                   for line in payload.lines],
        )  # fmt: skip
    except services.ShortStock as short:
        detail = {"shortages": short.shortages, "__all__": short.messages}
        return Status(422, Error(message=_("Some fields are not valid."), detail=detail))
    return Status(201, MovementOut.of(movement))


@router.post("/warehouses/{warehouse_id}/corrections", response={201: MovementOut})
@api_requires(MANAGE, per_object=True)
def correct(request: AuthedRequest, warehouse_id: int, payload: CorrectionIn):
    """A stocktake of one item: `counted` units; the difference becomes a correction."""
    warehouse = selectors.warehouse_get(viewer=request.user, pk=warehouse_id)
    item = _items(warehouse, [payload.item_id or 0]).get(payload.item_id or 0)
    if item is None:
        raise ValidationError({"item_id": [_("Choose an item of the catalogue.")]})
    movement = services.correct(
        actor=request.user, warehouse=warehouse, item=item, counted=payload.counted,  # type: ignore[arg-type]
        reason=payload.reason,
    )  # fmt: skip
    return Status(201, MovementOut.of(movement))
