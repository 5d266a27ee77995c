"""Reads of distribution rounds and deliveries, each scoped to the viewer: rounds and batches
for those who manage supplies, and for a volunteer only the deliveries of batches given to them,
with the address and the phone's last four digits of each household (nothing else of it)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, F, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Right
from django.shortcuts import get_object_or_404
from django.utils import timezone

from frontline.accounts.access import Permission, holders_over, scoped
from frontline.accounts.models import User
from frontline.deliveries.allocation import SENIOR, HouseholdNeeds
from frontline.deliveries.models import (
    Batch,
    Delivery,
    DeliveryLine,
    DeliveryStatus,
    DistributionRound,
    GroupPurchase,
    PurchaseOffer,
    PurchaseOrder,
    PurchaseOrderLine,
    PurchaseStatus,
    RoundLine,
    RoundStatus,
)
from frontline.health.links import CHECKING_IN
from frontline.places.models import Building, Community, Household, address_key
from frontline.residents.models import SENIOR_AGE, Resident, ResidentTag, age_on
from frontline.supplies.models import Item
from frontline.supplies.selectors import supply_communities

Viewer = User | AnonymousUser
# The statuses a volunteer still carries a parcel for.
TO_CARRY = (DeliveryStatus.PLANNED, DeliveryStatus.OUT, DeliveryStatus.FAILED)


# -- rounds -------------------------------------------------------------------------------------


def community_get(*, viewer: Viewer, pk: int) -> Community:
    return get_object_or_404(supply_communities(viewer=viewer), pk=pk)


def round_list(*, viewer: Viewer) -> QuerySet[DistributionRound]:
    """The viewer's rounds, newest first, with their delivery counts."""
    return (
        DistributionRound.objects.filter(
            scoped(viewer, Permission.MANAGE_SUPPLIES, DistributionRound)
        )
        .select_related("community", "warehouse")
        .annotate(
            households=Count("deliveries"),
            delivered=Count("deliveries", filter=Q(deliveries__status=DeliveryStatus.DELIVERED)),
            failed=Count("deliveries", filter=Q(deliveries__status=DeliveryStatus.FAILED)),
        )
        .order_by("-created_at", "-id")
    )


def round_get(*, viewer: Viewer, pk: int) -> DistributionRound:
    """One round the viewer plans; 404 outside their scope."""
    return get_object_or_404(
        DistributionRound.objects.filter(
            scoped(viewer, Permission.MANAGE_SUPPLIES, DistributionRound)
        ).select_related("community", "warehouse__building", "created_by"),
        pk=pk,
    )


def round_lines(round: DistributionRound) -> list[RoundLine]:
    return list(round.lines.select_related("item").order_by("id"))


def scope_buildings(round: DistributionRound) -> QuerySet[Building]:
    """The buildings the round covers: its grids' and its own, or the whole community's."""
    buildings = Building.objects.filter(community_id=round.community_id)
    grid_ids = list(round.grids.values_list("id", flat=True))
    building_ids = list(round.buildings.values_list("id", flat=True))
    if grid_ids or building_ids:
        buildings = buildings.filter(Q(grid_id__in=grid_ids) | Q(pk__in=building_ids))
    return buildings


@dataclass(frozen=True)
class HouseholdPlace:
    building_id: int
    address_key: str


def households_in_scope(
    round: DistributionRound, *, today: dt.date | None = None
) -> tuple[list[HouseholdNeeds], dict[int, HouseholdPlace]]:
    """The households of the round's scope with someone living there, each with its members'
    vulnerability tags (65+ from the birth date), and where each one is; for a group purchase's
    round, with what each household ordered (a household that ordered is in even if nobody is
    recorded as living there). Six or seven queries."""
    today = today or timezone.localdate()
    living = Resident.objects.filter(
        community_id=round.community_id,
        status__in=CHECKING_IN,
        building__in=list(scope_buildings(round).values_list("pk", flat=True)),
    )
    residents = list(
        living.order_by("address_key", "household_id", "id").values_list(
            "id", "household_id", "building_id", "address_key", "birth_date"
        )
    )
    tags: dict[int, set[str]] = {}
    for resident_id, tag in ResidentTag.objects.filter(
        resident__in=living.values("pk")
    ).values_list("resident_id", "tag"):
        tags.setdefault(resident_id, set()).add(tag)
    members: dict[int, list[frozenset[str]]] = {}
    places: dict[int, HouseholdPlace] = {}
    for resident_id, household_id, building_id, sort_key, birth_date in residents:
        own = tags.get(resident_id, set())
        age = age_on(birth_date, today)
        if age is not None and age >= SENIOR_AGE:
            own = own | {SENIOR}
        members.setdefault(household_id, []).append(frozenset(own))
        places.setdefault(household_id, HouseholdPlace(building_id, sort_key))
    ordered = purchase_orders(round)
    missing = set(ordered) - set(places)
    for household in Household.objects.filter(pk__in=missing).select_related("unit__building"):
        places[household.pk] = HouseholdPlace(household.unit.building_id, household.sort_key)
        members[household.pk] = []
    households = [
        HouseholdNeeds(
            household_id, places[household_id].address_key, tuple(member_tags),
            ordered.get(household_id, {}),
        )
        for household_id, member_tags in members.items()
    ]  # fmt: skip
    return households, places


def purchase_orders(round: DistributionRound) -> dict[int, dict[int, int]]:
    """For a group purchase's round, the units each household ordered per item; empty for any
    other round (one query)."""
    ordered: dict[int, dict[int, int]] = {}
    for household_id, item_id, quantity in PurchaseOrderLine.objects.filter(
        order__purchase__round=round
    ).values_list("order__household_id", "offer__item_id", "quantity"):
        ordered.setdefault(household_id, {})[item_id] = quantity
    return ordered


def purchase_received(round: DistributionRound) -> dict[int, int]:
    """For a group purchase's round, the units of each item the supplier delivered: all the
    round may share out, whatever else the storeroom holds (one query)."""
    return {
        item_id: received
        for item_id, received in PurchaseOffer.objects.filter(purchase__round=round).values_list(
            "item_id", "received"
        )
        if received is not None
    }


@dataclass(frozen=True)
class BuildingProgress:
    building: Building
    counts: dict[str, int]

    @property
    def households(self) -> int:
        return sum(self.counts.values())

    @property
    def delivered(self) -> int:
        return self.counts.get(DeliveryStatus.DELIVERED, 0)

    @property
    def to_carry(self) -> int:
        return sum(self.counts.get(status, 0) for status in TO_CARRY)

    @property
    def percent(self) -> int:
        carried = self.households - self.counts.get(DeliveryStatus.UNFILLED, 0)
        return round(100 * self.delivered / carried) if carried else 0


def round_progress(round: DistributionRound) -> list[BuildingProgress]:
    """Deliveries per building and status, buildings in number order (two queries)."""
    counts: dict[int, dict[str, int]] = {}
    for building_id, status, n in (
        Delivery.objects.filter(round=round)
        .values_list("building_id", "status")
        .order_by()
        .annotate(n=Count("id"))
    ):
        counts.setdefault(building_id, {})[status] = n
    buildings = Building.objects.filter(pk__in=list(counts))
    rows = [BuildingProgress(building, counts[building.pk]) for building in buildings]
    return sorted(rows, key=lambda row: _number_order(row.building))


def _number_order(building: Building) -> tuple[str, int]:
    return address_key(building.number, "", ""), building.pk


def round_shortfalls(round: DistributionRound) -> QuerySet[DeliveryLine]:
    """The lines that got less than their household was entitled to, by address (one query)."""
    return (
        DeliveryLine.objects.filter(delivery__round=round, allocated__lt=F("entitled"))
        .select_related("delivery__household__unit__building", "item")
        .order_by("delivery__address_key", "delivery_id", "item_id")
    )


def item_totals(round: DistributionRound) -> list[tuple[Item, int, int]]:
    """Per item of a started round: units allocated and units delivered (three queries)."""
    delivered = dict(
        DeliveryLine.objects.filter(
            delivery__round=round, delivery__status=DeliveryStatus.DELIVERED
        )
        .values_list("item_id")
        .order_by()
        .annotate(n=Sum("allocated"))
    )
    allocated = list(
        DeliveryLine.objects.filter(delivery__round=round)
        .values_list("item_id")
        .order_by()
        .annotate(n=Sum("allocated"))
    )
    items = Item.objects.in_bulk([item_id for item_id, _n in allocated])
    return [(items[item_id], n, delivered.get(item_id, 0)) for item_id, n in allocated]


# -- batches ------------------------------------------------------------------------------------


def round_batches(round: DistributionRound) -> list[Batch]:
    """The round's batches with their volunteer, buildings and delivery counts (three queries)."""
    return list(
        Batch.objects.filter(round=round)
        .select_related("volunteer")
        .prefetch_related(Prefetch("buildings", queryset=Building.objects.order_by("number")))
        .annotate(
            households=Count("deliveries"),
            delivered=Count("deliveries", filter=Q(deliveries__status=DeliveryStatus.DELIVERED)),
        )
        .order_by("number")
    )


@dataclass(frozen=True)
class OpenBuilding:
    building: Building
    parcels: int


def unbatched_buildings(round: DistributionRound) -> list[OpenBuilding]:
    """Buildings with parcels of the round that no batch carries yet, in number order."""
    counts = dict(
        Delivery.objects.filter(round=round, batch__isnull=True)
        .exclude(status=DeliveryStatus.UNFILLED)
        .values_list("building_id")
        .order_by()
        .annotate(n=Count("id"))
    )
    buildings = Building.objects.filter(pk__in=list(counts))
    rows = [OpenBuilding(building, counts[building.pk]) for building in buildings]
    return sorted(rows, key=lambda row: _number_order(row.building))


def volunteer_candidates(round: DistributionRound) -> QuerySet[User]:
    """Active users holding `deliver` over the round's community or part of it."""
    return holders_over(round.community, Permission.DELIVER)


def own_batches(viewer: Viewer) -> Q:
    """Batches given to the viewer, where they still deliver (a grid's volunteer: in their
    grid), read through the batches' deliveries, which carry the building."""
    if not viewer.is_authenticated:
        return Q(pk__in=[])
    reached = Delivery.objects.filter(scoped(viewer, Permission.DELIVER, Delivery))
    return Q(volunteer_id=viewer.pk, pk__in=reached.values("batch_id"))


def batch_visible(viewer: Viewer) -> Q:
    """Batches the viewer plans, or that are given to them to deliver."""
    return scoped(viewer, Permission.MANAGE_SUPPLIES, Batch) | own_batches(viewer)


def batch_get(*, viewer: Viewer, pk: int) -> Batch:
    """A batch the viewer plans or walks; 404 otherwise."""
    return get_object_or_404(
        Batch.objects.filter(batch_visible(viewer)).select_related(
            "round__community", "round__warehouse__building", "volunteer"
        ),
        pk=pk,
    )


def batch_buildings(batch: Batch) -> list[Building]:
    return sorted(batch.buildings.all(), key=_number_order)


# -- deliveries ---------------------------------------------------------------------------------


def with_card_fields(deliveries: QuerySet[Delivery]) -> QuerySet[Delivery]:
    """What a delivery card shows: the address, the phone's last four digits (the household's
    phone, else its first member's), the items. The full number is never read."""
    member_tail = (
        Resident.objects.filter(household_id=OuterRef("household_id"), status__in=CHECKING_IN)
        .exclude(phone_tail="")
        .order_by("id")
        .values("phone_tail")[:1]
    )
    return (
        deliveries.select_related("household__unit__building", "batch", "round")
        .defer("household__phone", "household__notes")
        .annotate(household_tail=Right("household__phone", 4), member_tail=Subquery(member_tail))
        .prefetch_related(
            Prefetch("lines", queryset=DeliveryLine.objects.select_related("item").order_by("id"))
        )
    )


def delivery_visible(viewer: Viewer) -> Q:
    """Deliveries the viewer plans, or that are in a batch given to them."""
    own = Q(pk__in=[])
    if viewer.is_authenticated:
        own = scoped(viewer, Permission.DELIVER, Delivery) & Q(batch__volunteer_id=viewer.pk)
    return scoped(viewer, Permission.MANAGE_SUPPLIES, Delivery) | own


def delivery_get(*, viewer: Viewer, pk: int) -> Delivery:
    """One delivery the viewer plans or carries; 404 otherwise (a volunteer's for any delivery
    outside their batches)."""
    return get_object_or_404(
        with_card_fields(Delivery.objects.filter(delivery_visible(viewer))), pk=pk
    )


def my_deliveries(*, viewer: Viewer, batch_id: int | None = None) -> QuerySet[Delivery]:
    """The deliveries of the started rounds' batches given to the viewer, batch by batch and by
    address."""
    if not viewer.is_authenticated:
        return Delivery.objects.none()
    deliveries = Delivery.objects.filter(
        scoped(viewer, Permission.DELIVER, Delivery),
        batch__volunteer_id=viewer.pk,
        round__status=RoundStatus.STARTED,
    )
    if batch_id is not None:
        deliveries = deliveries.filter(batch_id=batch_id)
    return with_card_fields(deliveries).order_by("batch_id", "address_key", "id")


def batch_deliveries(batch: Batch) -> QuerySet[Delivery]:
    return with_card_fields(Delivery.objects.filter(batch=batch)).order_by("address_key", "id")


def my_batches(*, viewer: Viewer) -> list[Batch]:
    """The batches of rounds under way given to the viewer."""
    return list(
        Batch.objects.filter(own_batches(viewer), round__status=RoundStatus.STARTED)
        .select_related("round")
        .order_by("round_id", "number")
    )


# -- the household page -------------------------------------------------------------------------


def household_deliveries(*, household_id: int) -> list[Delivery]:
    """The household's deliveries of rounds under way, newest round first, with their items."""
    deliveries = Delivery.objects.filter(
        household_id=household_id, round__status=RoundStatus.STARTED
    ).exclude(status=DeliveryStatus.UNFILLED)
    return list(
        deliveries.select_related("round")
        .prefetch_related(
            Prefetch("lines", queryset=DeliveryLine.objects.select_related("item").order_by("id"))
        )
        .order_by("-round__started_at", "-id")
    )


# -- group purchases ----------------------------------------------------------------------------


def purchase_visible(viewer: Viewer) -> Q:
    """Purchases the viewer plans, and those of the communities where they handle residents'
    requests (to order on a household's behalf: volunteers who only deliver do not)."""
    serving = Building.objects.filter(scoped(viewer, Permission.HANDLE_REQUESTS, Building))
    return scoped(viewer, Permission.MANAGE_SUPPLIES, GroupPurchase) | Q(
        community_id__in=serving.values("community_id")
    )


def purchase_list(*, viewer: Viewer) -> QuerySet[GroupPurchase]:
    """The purchases the viewer plans, newest first, with their order counts."""
    return (
        GroupPurchase.objects.filter(scoped(viewer, Permission.MANAGE_SUPPLIES, GroupPurchase))
        .select_related("community", "warehouse")
        .annotate(order_count=Count("orders"))
        .order_by("-created_at", "-id")
    )


def purchase_get(*, viewer: Viewer, pk: int) -> GroupPurchase:
    """One purchase the viewer plans or orders in; 404 otherwise."""
    return get_object_or_404(
        GroupPurchase.objects.filter(purchase_visible(viewer)).select_related(
            "community", "warehouse", "round", "receipt"
        ),
        pk=pk,
    )


def purchase_offers(purchase: GroupPurchase) -> list[PurchaseOffer]:
    return list(purchase.offers.select_related("item").order_by("id"))


@dataclass(frozen=True)
class OfferTotal:
    offer: PurchaseOffer
    units: int
    households: int

    @property
    def amount(self) -> Decimal:
        return self.offer.unit_price * self.units


@dataclass(frozen=True)
class BuildingTotal:
    building: Building
    households: int
    units: tuple[int, ...]  # per offer, in the offers' order
    amount: Decimal


@dataclass(frozen=True)
class PurchaseTotals:
    """What the supplier must bring: per offer, and per building for the hand-out."""

    offers: list[OfferTotal]
    buildings: list[BuildingTotal]

    @property
    def households(self) -> int:
        return sum(row.households for row in self.buildings)

    @property
    def amount(self) -> Decimal:
        return sum((row.amount for row in self.offers), Decimal(0))


def purchase_totals(purchase: GroupPurchase) -> PurchaseTotals:
    """Units per offer and per building and offer, households ordering, and the amounts at the
    offers' prices (four queries whatever the number of orders)."""
    offers = purchase_offers(purchase)
    units: dict[tuple[int, int], int] = {}
    ordering: dict[int, int] = {}
    for building_id, offer_id, total, households in (
        PurchaseOrderLine.objects.filter(order__purchase=purchase)
        .values_list("order__building_id", "offer_id")
        .order_by()
        .annotate(units=Sum("quantity"), households=Count("order_id"))
    ):
        units[building_id, offer_id] = total
        ordering[offer_id] = ordering.get(offer_id, 0) + households
    per_building = dict(
        PurchaseOrder.objects.filter(purchase=purchase)
        .values_list("building_id")
        .order_by()
        .annotate(n=Count("id"))
    )
    buildings = sorted(Building.objects.filter(pk__in=list(per_building)), key=_number_order)
    return PurchaseTotals(
        offers=[
            OfferTotal(
                offer,
                sum(n for (_b, offer_id), n in units.items() if offer_id == offer.pk),
                ordering.get(offer.pk, 0),
            )
            for offer in offers
        ],
        buildings=[
            BuildingTotal(
                building,
                per_building[building.pk],
                tuple(units.get((building.pk, offer.pk), 0) for offer in offers),
                sum(
                    (offer.unit_price * units.get((building.pk, offer.pk), 0) for offer in offers),
                    Decimal(0),
                ),
            )
            for building in buildings
        ],
    )


def household_purchases(
    *, household: Household, now: dt.datetime | None = None
) -> list[tuple[GroupPurchase, list[PurchaseOffer], dict[int, int]]]:
    """For the household page: the community's purchases taking orders, and those the household
    ordered in that are not yet delivered, each with its offers and the household's units per
    offer (three queries)."""
    now = now or timezone.now()
    ordered_in = PurchaseOrder.objects.filter(household=household).values("purchase_id")
    purchases = list(
        GroupPurchase.objects.filter(community_id=household.unit.building.community_id)
        .filter(
            Q(status=PurchaseStatus.OPEN, closes_at__gt=now)
            | Q(pk__in=ordered_in, round__isnull=True)
            | Q(pk__in=ordered_in, round__status=RoundStatus.DRAFT)
        )
        .prefetch_related(
            Prefetch("offers", queryset=PurchaseOffer.objects.select_related("item").order_by("id"))
        )
        .order_by("closes_at", "id")
    )
    mine: dict[int, int] = dict(
        PurchaseOrderLine.objects.filter(
            order__household=household, order__purchase__in=[p.pk for p in purchases]
        ).values_list("offer_id", "quantity")
    )
    return [
        (purchase, list(purchase.offers.all()),
         {offer.pk: mine[offer.pk] for offer in purchase.offers.all() if offer.pk in mine})
        for purchase in purchases
    ]  # fmt: skip
