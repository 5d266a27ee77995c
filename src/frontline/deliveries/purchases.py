"""Writes of group purchases (团购): a planner sets one up with its offers (an item of the
catalogue, or a new one named there, a unit price and a cap per household); households order on
their page while it is open, or a worker orders on their behalf; the planner closes ordering,
hands the supplier the totals per building, and when the goods arrive records the purchase
receipt in the storeroom and makes the distribution round that delivers exactly the orders
(basis "as ordered"; if the supplier delivered less, the round's priority order decides who is
short). Typed, keyword-only; scope checked with `require`; every change audited.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from frontline.accounts.access import Permission, require, scoped
from frontline.accounts.models import User
from frontline.core.audit import audit_record
from frontline.core.models import AuditAction
from frontline.core.numbers import is_count, parse_money
from frontline.deliveries import selectors
from frontline.deliveries.models import (
    Basis,
    DistributionRound,
    GroupPurchase,
    OrderChannel,
    PurchaseOffer,
    PurchaseOrder,
    PurchaseOrderLine,
    PurchaseStatus,
    RoundLine,
)
from frontline.deliveries.services import round_start
from frontline.health.models import HouseholdLink
from frontline.places.models import Community, Household
from frontline.supplies import services as stock
from frontline.supplies.models import Category, Item, MovementKind, Warehouse

MAX_TEXT = 100
MAX_OFFERS = 30
MAX_CAP = 100
MAX_PRICE = Decimal("99999.99")
MAX_RECEIVED = 1_000_000


@dataclass(frozen=True)
class OfferInput:
    """One offer as typed: an item of the catalogue (`item_id`), or a new one (`new_item` with
    its `unit` and `category`, made in the catalogue when the purchase is saved)."""

    item_id: int | None
    unit_price: Decimal | str | None
    cap: int | None
    new_item: str = ""
    unit: str = ""
    category: str = Category.FOOD


@dataclass(frozen=True)
class Offered:
    """An offer being edited, and the most units one household ordered of it."""

    offer: PurchaseOffer
    most: int


@dataclass(frozen=True)
class OrderLineInput:
    """Units of one offer a household wants; 0 takes the offer out of its order."""

    offer_id: int | None
    quantity: int | None


def _price(value: Decimal | str | None) -> Decimal | None:
    price = parse_money(value)
    return price if price is not None and Decimal("0.01") <= price <= MAX_PRICE else None


def is_open(purchase: GroupPurchase, now: dt.datetime | None = None) -> bool:
    """Whether households may still order."""
    return purchase.status == PurchaseStatus.OPEN and purchase.closes_at > (now or timezone.now())


# -- setting a purchase up ----------------------------------------------------------------------


def _offer_problems(
    community: Community, offers: Sequence[OfferInput], existing: Mapping[int, Offered]
) -> list[str]:
    """One sentence per bad offer, naming its line."""
    items = Item.objects.filter(community=community, active=True).in_bulk(
        [offer.item_id for offer in offers if offer.item_id is not None]
    )
    by_name = {
        item.name: item.pk
        for item in Item.objects.filter(
            community=community, name__in=[offer.new_item.strip() for offer in offers]
        )
    }
    seen: set[object] = set()
    problems = []
    for number, offer in enumerate(offers, start=1):
        found = []
        name = offer.new_item.strip()
        key: object = offer.item_id if offer.item_id is not None else by_name.get(name, name)
        if offer.item_id is not None and offer.item_id not in items:
            found.append(_("choose an item of this community in use"))
        elif offer.item_id is None and not name:
            found.append(_("choose an item or name a new one"))
        elif offer.item_id is None and name not in by_name:
            if len(name) > MAX_TEXT:
                found.append(_("name the item in at most %(n)d characters") % {"n": MAX_TEXT})
            if not offer.unit.strip() or len(offer.unit.strip()) > stock.MAX_UNIT:
                found.append(_("give the new item's unit, e.g. 袋"))
            if offer.category not in Category.values:
                found.append(_("choose the new item's category"))
        if key in seen:
            found.append(_("the item is offered twice"))
        seen.add(key)
        if _price(offer.unit_price) is None:
            found.append(_("enter the price per unit in yuan, e.g. 12.50"))
        if not is_count(offer.cap) or not 1 <= offer.cap <= MAX_CAP:  # type: ignore[operator]
            found.append(_("a household may order 1 to %(n)d units") % {"n": MAX_CAP})
        elif isinstance(key, int) and key in existing and offer.cap < existing[key].most:  # type: ignore[operator]
            found.append(
                _("a household has already ordered %(n)d; the cap cannot be lower")
                % {"n": existing[key].most}
            )
        if found:
            problems.append(
                _("Line %(n)d: %(problems)s.") % {"n": number, "problems": "; ".join(found)}
            )
    return problems


def _purchase_errors(
    *,
    community: Community,
    title: str,
    supplier: str,
    supplier_contact: str,
    warehouse: Warehouse | None,
    closes_at: dt.datetime | None,
    offers: Sequence[OfferInput],
    existing: Mapping[int, Offered],
) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if not title or len(title) > MAX_TEXT:
        errors["title"] = [_("Enter a title of at most %(n)d characters.") % {"n": MAX_TEXT}]
    if not supplier or len(supplier) > MAX_TEXT:
        errors["supplier"] = [
            _("Enter whom the goods are bought from, in at most %(n)d characters.")
            % {"n": MAX_TEXT}
        ]
    if len(supplier_contact) > MAX_TEXT:
        errors["supplier_contact"] = [_("Write at most %(n)d characters.") % {"n": MAX_TEXT}]
    if warehouse is None or warehouse.community_id != community.pk:
        errors["warehouse"] = [_("Choose a storeroom of this community.")]
    if closes_at is None or timezone.is_naive(closes_at) or closes_at <= timezone.now():
        errors["closes_at"] = [_("Enter when ordering closes: a time still to come.")]
    kept = {offer.item_id for offer in offers}
    problems = _offer_problems(community, offers, existing)
    problems += [
        _("%(item)s has orders: set its cap instead of taking it out.")
        % {"item": offered.offer.item.name}
        for item_id, offered in existing.items()
        if item_id not in kept and offered.most
    ]
    if not offers:
        errors["offers"] = [_("Offer at least one item.")]
    elif len(offers) > MAX_OFFERS:
        errors["offers"] = [_("Offer at most %(n)d items.") % {"n": MAX_OFFERS}]
    elif problems:
        errors["offers"] = problems
    return errors


def _existing_offers(purchase: GroupPurchase | None) -> dict[int, Offered]:
    """The purchase's offers by item, each with the most units one household ordered."""
    if purchase is None:
        return {}
    offers = (
        PurchaseOffer.objects.filter(purchase=purchase)
        .select_related("item")
        .annotate(most=Max("lines__quantity"))
    )
    return {offer.item_id: Offered(offer, offer.most or 0) for offer in offers}


@transaction.atomic
def purchase_save(
    *,
    actor: User,
    community: Community,
    title: str,
    supplier: str,
    warehouse: Warehouse | None,
    closes_at: dt.datetime | None,
    offers: Sequence[OfferInput],
    supplier_contact: str = "",
    purchase: GroupPurchase | None = None,
) -> GroupPurchase:
    """Set up a purchase, or change one still taking orders (`purchase`): its title, supplier,
    storeroom, closing time and offers. A new item named in an offer joins the catalogue. An
    offer households ordered cannot be taken out nor capped below an order. Every problem is
    reported at once."""
    require(actor, Permission.MANAGE_SUPPLIES, community)
    if purchase is not None:
        require(actor, Permission.MANAGE_SUPPLIES, purchase)
        purchase = GroupPurchase.objects.select_for_update().get(pk=purchase.pk)
        if purchase.status != PurchaseStatus.OPEN or purchase.community_id != community.pk:
            raise ValidationError(_("Only a purchase still taking orders can be changed."))
    title, supplier = (title or "").strip(), (supplier or "").strip()
    supplier_contact = (supplier_contact or "").strip()
    existing = _existing_offers(purchase)
    errors = _purchase_errors(
        community=community, title=title, supplier=supplier, supplier_contact=supplier_contact,
        warehouse=warehouse, closes_at=closes_at, offers=offers, existing=existing,
    )  # fmt: skip
    if errors:
        raise ValidationError(errors)
    assert warehouse is not None and closes_at is not None  # checked above
    values = {"title": title, "supplier": supplier, "supplier_contact": supplier_contact,
              "warehouse": warehouse, "closes_at": closes_at}  # fmt: skip
    if purchase is None:
        purchase = GroupPurchase.objects.create(community=community, created_by=actor, **values)
        action = AuditAction.CREATE
    else:
        for field, value in values.items():
            setattr(purchase, field, value)
        purchase.save(update_fields=[*values, "updated_at"])
        action = AuditAction.UPDATE
    item_ids = [_item_of(actor, community, offer) for offer in offers]
    PurchaseOffer.objects.filter(purchase=purchase).exclude(item_id__in=item_ids).delete()
    for item_id, offer in zip(item_ids, offers, strict=True):
        price = _price(offer.unit_price)
        assert price is not None and offer.cap is not None  # checked above
        PurchaseOffer.objects.update_or_create(
            purchase=purchase, item_id=item_id, defaults={"unit_price": price, "cap": offer.cap}
        )
    audit_record(
        actor=actor, action=action, target=purchase, community_id=community.pk,
        fields=["title", "supplier", "supplier_contact", "warehouse", "closes_at", "offers"],
    )  # fmt: skip
    return purchase


def _item_of(actor: User, community: Community, offer: OfferInput) -> int:
    """The offer's catalogue item: the chosen one, the one of that name, or a new one."""
    if offer.item_id is not None:
        return offer.item_id
    name = offer.new_item.strip()
    found = Item.objects.filter(community=community, name=name).values_list("pk", flat=True)
    if found:
        return found[0]
    return stock.item_create(
        actor=actor, community=community, name=name, unit=offer.unit, category=offer.category
    ).pk


@transaction.atomic
def purchase_close(*, actor: User, purchase: GroupPurchase) -> GroupPurchase:
    """Stop taking orders (also before `closes_at`); the totals are final."""
    require(actor, Permission.MANAGE_SUPPLIES, purchase)
    purchase = GroupPurchase.objects.select_for_update().get(pk=purchase.pk)
    if purchase.status != PurchaseStatus.OPEN:
        raise ValidationError(_("Ordering is already closed."))
    purchase.status = PurchaseStatus.CLOSED
    purchase.closed_at = timezone.now()
    purchase.save(update_fields=["status", "closed_at", "updated_at"])
    audit_record(
        actor=actor, action=AuditAction.UPDATE, target=purchase,
        community_id=purchase.community_id, fields=["status"],
        details={"orders": PurchaseOrder.objects.filter(purchase=purchase).count()},
    )  # fmt: skip
    return purchase


# -- orders -------------------------------------------------------------------------------------


def _order(
    *,
    purchase_id: int,
    household: Household,
    lines: Sequence[OrderLineInput],
    via: OrderChannel,
    actor: User | None,
) -> PurchaseOrder | None:
    """Set the household's units of each offer named in `lines` (0 takes it out); an order left
    with no line is withdrawn (None). Refused once ordering has closed."""
    purchase = GroupPurchase.objects.select_for_update().get(pk=purchase_id)
    if not is_open(purchase):
        raise ValidationError(_("Ordering for this purchase has closed."))
    offers = purchase.offers.select_related("item").in_bulk()
    problems = []
    wanted: dict[int, int] = {}
    for number, line in enumerate(lines, start=1):
        offer = offers.get(line.offer_id or 0)
        if offer is None:
            problems.append(_("Line %(n)d: not an item of this purchase.") % {"n": number})
            continue
        if offer.pk in wanted:
            problems.append(_("%(item)s is listed twice.") % {"item": offer.item.name})
        if is_count(line.quantity) and 0 <= line.quantity <= offer.cap:  # type: ignore[operator]
            wanted.setdefault(offer.pk, line.quantity)  # type: ignore[arg-type]
        else:
            wanted.setdefault(offer.pk, 0)
            problems.append(
                _("%(item)s: order 0 to %(cap)d %(unit)s.")
                % {"item": offer.item.name, "cap": offer.cap, "unit": offer.item.unit}
            )
    if not lines:
        problems.append(_("Enter how many of each item you want."))
    if problems:
        raise ValidationError({"lines": problems})
    order = (
        PurchaseOrder.objects.select_for_update()
        .filter(purchase=purchase, household=household)
        .first()
    )
    if order is not None:
        for existing in order.lines.all():
            wanted.setdefault(existing.offer_id, existing.quantity)
    wanted = {offer_id: units for offer_id, units in wanted.items() if units}
    before = order.pk if order is not None else None
    if not wanted:
        if order is not None:
            order.delete()
        order = None
    else:
        if order is None:
            order = PurchaseOrder(purchase=purchase, household=household,
                                  building_id=household.unit.building_id)  # fmt: skip
        order.placed_via = via
        order.placed_by = actor
        order.save()
        order.lines.all().delete()
        PurchaseOrderLine.objects.bulk_create(
            PurchaseOrderLine(order=order, offer_id=offer_id, quantity=units)
            for offer_id, units in sorted(wanted.items())
        )
    audit_record(
        actor=actor, community_id=purchase.community_id,
        action=AuditAction.DELETE if order is None else
        (AuditAction.UPDATE if before else AuditAction.CREATE),
        target=order or purchase, label=f"{purchase.title} · {household.label}",
        fields=["lines"], details={"via": via.value, "household": household.pk,
                                   "lines": {str(k): v for k, v in sorted(wanted.items())}},
    )  # fmt: skip
    return order


@transaction.atomic
def order_place_by_household(
    *, link: HouseholdLink, purchase_id: int, lines: Sequence[OrderLineInput]
) -> PurchaseOrder | None:
    """The household page's order: only an active link, only a purchase of the household's own
    community (404 otherwise)."""
    if not link.is_active:
        raise Http404
    household = Household.objects.select_related("unit__building").get(pk=link.household_id)
    if not GroupPurchase.objects.filter(
        pk=purchase_id, community_id=household.unit.building.community_id
    ).exists():
        raise Http404
    return _order(purchase_id=purchase_id, household=household, lines=lines,
                  via=OrderChannel.HOUSEHOLD, actor=None)  # fmt: skip


@transaction.atomic
def order_place_for_household(
    *,
    actor: User,
    purchase: GroupPurchase,
    household: Household,
    lines: Sequence[OrderLineInput],
) -> PurchaseOrder | None:
    """A worker's order on a household's behalf (someone without a smartphone): anyone who
    handles residents' requests for or manages supplies for the household."""
    if not GroupPurchase.objects.filter(selectors.purchase_visible(actor), pk=purchase.pk).exists():
        raise Http404
    reach = scoped(actor, Permission.HANDLE_REQUESTS, Household) | scoped(
        actor, Permission.MANAGE_SUPPLIES, Household
    )
    if not Household.objects.filter(reach, pk=household.pk).exists():
        require(actor, Permission.HANDLE_REQUESTS, household)  # 404 outside what they see, else 403
        raise PermissionDenied
    household = Household.objects.select_related("unit__building").get(pk=household.pk)
    if household.unit.building.community_id != purchase.community_id:
        raise ValidationError({"household": [_("Choose a household of this community.")]})
    return _order(purchase_id=purchase.pk, household=household, lines=lines,
                  via=OrderChannel.WORKER, actor=actor)  # fmt: skip


# -- the goods arrive ---------------------------------------------------------------------------


@transaction.atomic
def purchase_arrive(
    *,
    actor: User,
    purchase: GroupPurchase,
    received: Mapping[int, int | None] | None = None,
) -> DistributionRound:
    """The supplier delivered: record the purchase receipt in the storeroom (per offer the units
    that came, the ordered totals when `received` is None; the cost at the offers' prices) and
    start the round that gives each household what it ordered, so the goods are held for the
    households that paid for them from the moment they arrive. When less came than was ordered,
    the last households in the round's priority order are short, each on record."""
    require(actor, Permission.MANAGE_SUPPLIES, purchase)
    purchase = (
        GroupPurchase.objects.select_for_update(of=("self",))
        .select_related("warehouse")
        .get(pk=purchase.pk)
    )
    if purchase.status == PurchaseStatus.OPEN:
        raise ValidationError(_("Close ordering before recording the goods."))
    if purchase.status == PurchaseStatus.ARRIVED:
        raise ValidationError(_("The goods of this purchase have already been recorded."))
    totals = selectors.purchase_totals(purchase)
    ordered = {row.offer.pk: row.units for row in totals.offers}
    if not any(ordered.values()):
        raise ValidationError(_("Nobody ordered anything: there is nothing to deliver."))
    typed = dict(ordered) if received is None else dict(received)
    came: dict[int, int] = {
        pk: units
        for pk, units in typed.items()
        if isinstance(units, int) and is_count(units) and 0 <= units <= MAX_RECEIVED
    }
    problems = [
        _("%(item)s: enter the units that came, 0 to %(n)d.")
        % {"item": row.offer.item.name, "n": MAX_RECEIVED}
        for row in totals.offers
        if row.offer.pk not in came
    ]
    if set(typed) - set(ordered):
        problems.append(_("Enter only the items of this purchase."))
    if not problems and not any(came.values()):
        problems.append(_("Enter what came: nothing at all is not an arrival."))
    if problems:
        raise ValidationError({"received": problems})
    offers = [row.offer for row in totals.offers]
    receipt = stock.receive(
        actor=actor, warehouse=purchase.warehouse, kind=MovementKind.PURCHASE,
        lines=[(offer.item, came[offer.pk], None) for offer in offers if came[offer.pk]],
        supplier=purchase.supplier, reference=purchase.reference,
        total_cost=sum((offer.unit_price * came[offer.pk] for offer in offers), Decimal(0)),
    )  # fmt: skip
    for offer in offers:
        offer.received = came[offer.pk]
    PurchaseOffer.objects.bulk_update(offers, ["received"])
    round = DistributionRound.objects.create(
        community_id=purchase.community_id, warehouse=purchase.warehouse, created_by=actor,
        name=(_("Group purchase: %(title)s") % {"title": purchase.title})[:100],
    )  # fmt: skip
    RoundLine.objects.bulk_create(
        RoundLine(round=round, item_id=offer.item_id, basis=Basis.ORDERED, quantity=1)
        for offer in offers
        if ordered[offer.pk]
    )
    purchase.status = PurchaseStatus.ARRIVED
    purchase.receipt = receipt
    purchase.round = round
    purchase.save(update_fields=["status", "receipt", "round", "updated_at"])
    audit_record(
        actor=actor, action=AuditAction.CREATE, target=round, community_id=round.community_id,
        fields=["name", "warehouse", "lines"], details={"purchase": purchase.pk},
    )  # fmt: skip
    audit_record(
        actor=actor, action=AuditAction.UPDATE, target=purchase,
        community_id=purchase.community_id, fields=["status", "receipt", "round"],
        details={"ordered": {str(k): v for k, v in ordered.items()},
                 "received": {str(k): came[k] for k in ordered}, "round": round.pk},
    )  # fmt: skip
    return round_start(actor=actor, round=round)
