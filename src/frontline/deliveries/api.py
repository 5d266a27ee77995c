"""Distribution rounds and deliveries through the API: the same selectors and services as the
pages (422 naming every bad field, 404 outside scope). A volunteer's list carries the address
and the phone's last four digits of each household, nothing else of it."""

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status

from frontline.accounts.access import Permission, api_requires
from frontline.core.http import AuthedRequest
from frontline.core.schemas import Page
from frontline.deliveries import purchases, selectors, services
from frontline.deliveries.models import Delivery, DistributionRound, GroupPurchase, PurchaseOrder
from frontline.places.models import Household
from frontline.supplies.models import Warehouse

router = Router(tags=["deliveries"])


class LineSchema(Schema):
    """`basis`: household, person or tagged_person (then `tag`, e.g. infant)."""

    item_id: int | None = None
    basis: str = ""
    tag: str = ""
    quantity: int | None = None


class RoundOut(Schema):
    id: int
    community_id: int
    name: str
    warehouse_id: int
    status: str
    priority: list[str]
    trip_capacity: int
    grid_ids: list[int]
    building_ids: list[int]
    lines: list[LineSchema]
    started_at: dt.datetime | None
    closed_at: dt.datetime | None

    @staticmethod
    def of(round: DistributionRound) -> "RoundOut":
        return RoundOut(
            id=round.pk, community_id=round.community_id, name=round.name,
            warehouse_id=round.warehouse_id, status=round.status, priority=list(round.priority),
            trip_capacity=round.trip_capacity,
            grid_ids=sorted(grid.pk for grid in round.grids.all()),
            building_ids=sorted(building.pk for building in round.buildings.all()),
            lines=[LineSchema(item_id=line.item_id, basis=line.basis, tag=line.tag,
                              quantity=line.quantity) for line in round.lines.all()],
            started_at=round.started_at, closed_at=round.closed_at,
        )  # fmt: skip


class RoundIn(Schema):
    """A draft round; `priority` the groups served first (the default order when omitted);
    no grid and no building: the whole community."""

    community_id: int | None = None
    name: str = ""
    warehouse_id: int | None = None
    grid_ids: list[int] = []
    building_ids: list[int] = []
    priority: list[str] | None = None
    trip_capacity: int | None = 10
    lines: list[LineSchema] = []


class ItemNeedOut(Schema):
    item_id: int
    needed: int
    available: int
    allocated: int
    short: int


class ShortOut(Schema):
    household_id: int
    household: str
    groups: list[str]
    short: dict[int, int]  # item id -> units missing


class PreviewOut(Schema):
    households: int
    items: list[ItemNeedOut]
    short: list[ShortOut]
    fingerprint: str


class StartIn(Schema):
    """The preview's `fingerprint`: refuse if anything changed since (optional)."""

    fingerprint: str = ""


class DeliveryLineOut(Schema):
    item_id: int
    item: str
    unit: str
    entitled: int
    allocated: int


class DeliveryOut(Schema):
    id: int
    round_id: int
    batch_id: int | None
    household: str  # building-unit-room
    phone_tail: str
    status: str
    failure_reason: str
    confirmed_via: str
    lines: list[DeliveryLineOut]

    @staticmethod
    def of(delivery: Delivery) -> "DeliveryOut":
        return DeliveryOut(
            id=delivery.pk, round_id=delivery.round_id, batch_id=delivery.batch_id,
            household=delivery.household.label,
            phone_tail=getattr(delivery, "household_tail", "")
            or getattr(delivery, "member_tail", "") or "",
            status=delivery.status, failure_reason=delivery.failure_reason,
            confirmed_via=delivery.confirmed_via,
            lines=[DeliveryLineOut(item_id=line.item_id, item=line.item.name, unit=line.item.unit,
                                   entitled=line.entitled, allocated=line.allocated)
                   for line in delivery.lines.all()],
        )  # fmt: skip


class MarkIn(Schema):
    """`status`: out, delivered or failed (then `reason`: nobody_home, no_access,
    wrong_address, refused or other with a `note`)."""

    status: str = ""
    reason: str = ""
    note: str = ""


@router.get("/rounds", response=Page[RoundOut])
@api_requires(Permission.MANAGE_SUPPLIES)
def round_list(request: AuthedRequest, limit: int = 50, offset: int = 0):
    found = selectors.round_list(viewer=request.user).prefetch_related(
        "grids", "buildings", "lines"
    )
    limit = max(1, min(limit, 500))
    page = list(found[max(0, offset) : max(0, offset) + limit])
    return {"count": found.count(), "items": [RoundOut.of(round) for round in page]}


@router.post("/rounds", response={201: RoundOut})
@api_requires(Permission.MANAGE_SUPPLIES)
def round_create(request: AuthedRequest, payload: RoundIn):
    """A draft; see what it would do with `GET /rounds/{id}/preview`, start it with
    `POST /rounds/{id}/start`."""
    community = selectors.community_get(viewer=request.user, pk=payload.community_id or 0)
    round = services.round_save(
        actor=request.user, community=community, name=payload.name,
        warehouse=Warehouse.objects.filter(pk=payload.warehouse_id or 0).first(),
        grid_ids=payload.grid_ids, building_ids=payload.building_ids, priority=payload.priority,
        trip_capacity=payload.trip_capacity,
        lines=[services.LineInput(item_id=line.item_id, basis=line.basis, tag=line.tag,
                                  quantity=line.quantity) for line in payload.lines],
    )  # fmt: skip
    return Status(201, RoundOut.of(round))


@router.get("/rounds/{round_id}", response=RoundOut)
@api_requires(Permission.MANAGE_SUPPLIES, per_object=True)
def round_detail(request: AuthedRequest, round_id: int):
    return RoundOut.of(selectors.round_get(viewer=request.user, pk=round_id))


@router.get("/rounds/{round_id}/preview", response=PreviewOut)
@api_requires(Permission.MANAGE_SUPPLIES, per_object=True)
def round_preview(request: AuthedRequest, round_id: int):
    """Households entitled, needed against available per item, and the households that
    would be short (by how much), if the round started now."""
    round = selectors.round_get(viewer=request.user, pk=round_id)
    preview = services.round_preview(round=round)
    return PreviewOut(
        households=preview.household_count,
        items=[ItemNeedOut(item_id=need.item.pk, needed=need.needed, available=need.available,
                           allocated=need.allocated, short=need.short) for need in preview.items],
        short=[ShortOut(household_id=share.household_id,
                        household=preview.households[share.household_id].label,
                        groups=list(share.groups), short=share.shortfall)
               for share in preview.allocation.short_shares],
        fingerprint=preview.fingerprint,
    )  # fmt: skip


@router.post("/rounds/{round_id}/start", response=RoundOut)
@api_requires(Permission.MANAGE_SUPPLIES, per_object=True)
def round_start(request: AuthedRequest, round_id: int, payload: StartIn):
    """Reserve the stock (all or nothing) and make the deliveries (422 if already started or
    the stock no longer suffices)."""
    round = selectors.round_get(viewer=request.user, pk=round_id)
    started = services.round_start(actor=request.user, round=round, fingerprint=payload.fingerprint)
    return RoundOut.of(started)


@router.post("/rounds/{round_id}/close", response=RoundOut)
@api_requires(Permission.MANAGE_SUPPLIES, per_object=True)
def round_close(request: AuthedRequest, round_id: int):
    """End the round; what is still reserved goes back to stock."""
    round = selectors.round_get(viewer=request.user, pk=round_id)
    return RoundOut.of(services.round_close(actor=request.user, round=round))


@router.get("/mine", response=list[DeliveryOut])
@api_requires(Permission.DELIVER)
def my_deliveries(request: AuthedRequest):
    """The caller's parcels in the rounds under way, batch by batch, by address."""
    return [DeliveryOut.of(d) for d in selectors.my_deliveries(viewer=request.user)]


@router.post("/{delivery_id}/status", response=DeliveryOut)
@api_requires(Permission.DELIVER, Permission.MANAGE_SUPPLIES, per_object=True)
def delivery_mark(request: AuthedRequest, delivery_id: int, payload: MarkIn):
    """Mark one parcel on the way, delivered (the stock is issued) or failed (a follow-up task);
    404 for a parcel outside the caller's batches."""
    delivery = selectors.delivery_get(viewer=request.user, pk=delivery_id)
    services.delivery_mark(
        actor=request.user, delivery=delivery, status=payload.status, reason=payload.reason,
        note=payload.note,
    )  # fmt: skip
    return DeliveryOut.of(selectors.delivery_get(viewer=request.user, pk=delivery_id))


# -- group purchases ----------------------------------------------------------------------------


class OfferOut(Schema):
    id: int
    item_id: int
    item: str
    unit: str
    unit_price: Decimal
    cap: int
    units_ordered: int
    households: int
    amount: Decimal
    received: int | None


class BuildingTotalOut(Schema):
    building_id: int
    building: str
    households: int
    units: dict[int, int]  # offer id -> units
    amount: Decimal


class PurchaseOut(Schema):
    id: int
    community_id: int
    title: str
    supplier: str
    warehouse_id: int
    closes_at: dt.datetime
    status: str
    taking_orders: bool
    round_id: int | None


class PurchaseDetailOut(PurchaseOut):
    supplier_contact: str
    households: int
    amount: Decimal
    offers: list[OfferOut]
    buildings: list[BuildingTotalOut]


def _purchase_out(purchase: GroupPurchase) -> dict[str, object]:
    return {
        "id": purchase.pk, "community_id": purchase.community_id, "title": purchase.title,
        "supplier": purchase.supplier, "warehouse_id": purchase.warehouse_id,
        "closes_at": purchase.closes_at, "status": purchase.status,
        "taking_orders": purchases.is_open(purchase), "round_id": purchase.round_id,
    }  # fmt: skip


class OrderLineSchema(Schema):
    offer_id: int | None = None
    quantity: int | None = None


class OrderIn(Schema):
    """The household's units per offer; an offer not named keeps what it had, 0 takes it out,
    and an order left with nothing is withdrawn."""

    household_id: int | None = None
    lines: list[OrderLineSchema] = []


class OrderOut(Schema):
    household_id: int
    household: str  # building-unit-room
    withdrawn: bool
    lines: list[OrderLineSchema]


@router.get("/purchases", response=Page[PurchaseOut])
@api_requires(Permission.MANAGE_SUPPLIES, Permission.HANDLE_REQUESTS)
def purchase_list(request: AuthedRequest, limit: int = 50, offset: int = 0):
    """The group purchases the caller plans or orders in for households, newest first."""
    found = GroupPurchase.objects.filter(selectors.purchase_visible(request.user)).order_by(
        "-created_at", "-id"
    )
    limit = max(1, min(limit, 500))
    page = list(found[max(0, offset) : max(0, offset) + limit])
    return {"count": found.count(), "items": [_purchase_out(purchase) for purchase in page]}


@router.get("/purchases/{purchase_id}", response=PurchaseDetailOut)
@api_requires(Permission.MANAGE_SUPPLIES, Permission.HANDLE_REQUESTS, per_object=True)
def purchase_detail(request: AuthedRequest, purchase_id: int):
    """One purchase with its offers and the totals per offer and per building."""
    purchase = selectors.purchase_get(viewer=request.user, pk=purchase_id)
    totals = selectors.purchase_totals(purchase)
    return {
        **_purchase_out(purchase), "supplier_contact": purchase.supplier_contact,
        "households": totals.households, "amount": totals.amount,
        "offers": [
            {"id": row.offer.pk, "item_id": row.offer.item_id, "item": row.offer.item.name,
             "unit": row.offer.item.unit, "unit_price": row.offer.unit_price, "cap": row.offer.cap,
             "units_ordered": row.units, "households": row.households, "amount": row.amount,
             "received": row.offer.received}
            for row in totals.offers
        ],
        "buildings": [
            {"building_id": row.building.pk, "building": row.building.number,
             "households": row.households, "amount": row.amount,
             "units": {row_offer.offer.pk: units
                       for row_offer, units in zip(totals.offers, row.units, strict=True)}}
            for row in totals.buildings
        ],
    }  # fmt: skip


@router.post("/purchases/{purchase_id}/orders", response=OrderOut)
@api_requires(Permission.MANAGE_SUPPLIES, Permission.HANDLE_REQUESTS, per_object=True)
def purchase_order(request: AuthedRequest, purchase_id: int, payload: OrderIn):
    """Place, change or withdraw a household's order on its behalf (422 naming each bad line,
    or once ordering has closed; 404 for a household the caller does not serve)."""
    purchase = selectors.purchase_get(viewer=request.user, pk=purchase_id)
    household = Household.objects.filter(pk=payload.household_id or 0).first()
    if household is None:
        raise ValidationError({"household_id": [_("Choose a household.")]})
    order: PurchaseOrder | None = purchases.order_place_for_household(
        actor=request.user, purchase=purchase, household=household,
        lines=[purchases.OrderLineInput(offer_id=line.offer_id, quantity=line.quantity)
               for line in payload.lines],
    )  # fmt: skip
    lines = list(order.lines.order_by("offer_id")) if order is not None else []
    return OrderOut(
        household_id=household.pk, household=household.label, withdrawn=order is None,
        lines=[OrderLineSchema(offer_id=line.offer_id, quantity=line.quantity) for line in lines],
    )  # fmt: skip
