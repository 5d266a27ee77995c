"""Writes of distribution rounds: plan a draft (lines, scope, priority), preview and start it
(allocate, reserve the stock all or nothing, one delivery per entitled household), group the
deliveries by building into volunteers' batches with a walking route, mark each delivery on the
way, delivered (the stock is issued) or failed (a follow-up task, once), the resident's
contactless confirmation, and closing (what is still reserved goes back to stock).
Typed, keyword-only; scope checked with `require`; every change audited.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Count, Max
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from frontline.accounts.access import Permission, require, scoped
from frontline.accounts.models import User
from frontline.core.audit import audit_record
from frontline.core.bulk import RowWriter, allocate_ids
from frontline.core.files import photo_error, stored_name
from frontline.core.models import AuditAction
from frontline.deliveries import selectors
from frontline.deliveries.allocation import Allocation, Line, allocate
from frontline.deliveries.models import (
    Basis,
    Batch,
    ConfirmedVia,
    Delivery,
    DeliveryLine,
    DeliveryStatus,
    DistributionRound,
    FailureReason,
    RoundLine,
    RoundStatus,
    default_priority,
    priority_choices,
)
from frontline.deliveries.routing import Stop, plan_route
from frontline.health.models import HouseholdLink
from frontline.places.distances import walking_metres
from frontline.places.models import Building, Community, Grid, Household
from frontline.residents.models import Tag
from frontline.supplies import services as stock
from frontline.supplies.models import Item, Reservation, Warehouse
from frontline.supplies.selectors import available
from frontline.tasks.models import Task, TaskPriority, TaskStatus
from frontline.tasks.services import grid_worker_of, task_create, task_follow

MAX_NAME = 100
MAX_NOTE = 500
MAX_LINES = 20
MAX_QUANTITY = 1000
MAX_TRIP = 100
ROUTE_SECONDS = 2.0
# A failed delivery's follow-up is due within this time.
FOLLOW_UP = dt.timedelta(hours=4)
# The bases a planner chooses from; "as ordered" comes only with a group purchase's round.
PLANNED_BASES = (Basis.HOUSEHOLD, Basis.PERSON, Basis.TAGGED_PERSON)


@dataclass(frozen=True)
class LineInput:
    """One line of a round as typed: `tag` only for the per-person-in-a-group basis."""

    item_id: int | None
    basis: str
    quantity: int | None
    tag: str = ""


# -- planning -----------------------------------------------------------------------------------


def _plan_errors(
    *,
    community: Community,
    name: str,
    warehouse: Warehouse | None,
    grid_ids: Sequence[int],
    building_ids: Sequence[int],
    priority: Sequence[str],
    trip_capacity: int | None,
    lines: Sequence[LineInput],
) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if not name or len(name) > MAX_NAME:
        errors["name"] = [_("Enter a name of at most %(n)d characters.") % {"n": MAX_NAME}]
    if warehouse is None or warehouse.community_id != community.pk:
        errors["warehouse"] = [_("Choose a storeroom of this community.")]
    if Grid.objects.filter(community=community, pk__in=grid_ids).count() != len(grid_ids):
        errors["grids"] = [_("Choose grids of this community.")]
    if Building.objects.filter(community=community, pk__in=building_ids).count() != len(
        building_ids
    ):
        errors["buildings"] = [_("Choose buildings of this community.")]
    groups = {value for value, _label in priority_choices()}
    if any(group not in groups for group in priority) or len(set(priority)) != len(priority):
        errors["priority"] = [_("Choose each priority group from the list, at most once.")]
    if trip_capacity is None or not 1 <= trip_capacity <= MAX_TRIP:
        errors["trip_capacity"] = [
            _("A volunteer carries 1 to %(n)d parcels a trip.") % {"n": MAX_TRIP}
        ]
    items = set(Item.objects.filter(community=community, active=True).values_list("pk", flat=True))
    problems = []
    for number, line in enumerate(lines, start=1):
        found = []
        if line.item_id not in items:
            found.append(_("choose an item of this community in use"))
        if line.basis not in PLANNED_BASES:
            found.append(_("choose per household, per person or per person in a group"))
        elif line.basis == Basis.TAGGED_PERSON and line.tag not in Tag.values:
            found.append(_("choose the group, e.g. infants"))
        elif line.basis != Basis.TAGGED_PERSON and line.tag:
            found.append(_("a group goes only with “per person in a group”"))
        if line.quantity is None or not 1 <= line.quantity <= MAX_QUANTITY:
            found.append(_("enter a quantity from 1 to %(n)d") % {"n": MAX_QUANTITY})
        if found:
            problems.append(
                _("Line %(n)d: %(problems)s.") % {"n": number, "problems": "; ".join(found)}
            )
    if not lines:
        errors["lines"] = [_("Enter at least one item: what each household gets.")]
    elif len(lines) > MAX_LINES:
        errors["lines"] = [_("Enter at most %(n)d lines.") % {"n": MAX_LINES}]
    elif problems:
        errors["lines"] = problems
    return errors


@transaction.atomic
def round_save(
    *,
    actor: User,
    community: Community,
    name: str,
    warehouse: Warehouse | None,
    lines: Sequence[LineInput],
    grid_ids: Sequence[int] = (),
    building_ids: Sequence[int] = (),
    priority: Sequence[str] | None = None,
    trip_capacity: int | None = 10,
    round: DistributionRound | None = None,
) -> DistributionRound:
    """Create a draft round, or change one (`round`): its name, storeroom, scope (grids and
    buildings of the community; none for all of it), priority order (`DEFAULT_PRIORITY` when
    None), parcels per trip and lines. Every problem is reported at once."""
    require(actor, Permission.MANAGE_SUPPLIES, community)
    if round is not None:
        require(actor, Permission.MANAGE_SUPPLIES, round)
        round = DistributionRound.objects.select_for_update().get(pk=round.pk)
        if round.status != RoundStatus.DRAFT or round.community_id != community.pk:
            raise ValidationError(_("Only a draft round can be changed."))
    name = (name or "").strip()
    grid_ids, building_ids = sorted(set(grid_ids)), sorted(set(building_ids))
    chosen = list(default_priority() if priority is None else priority)
    errors = _plan_errors(
        community=community, name=name, warehouse=warehouse, grid_ids=grid_ids,
        building_ids=building_ids, priority=chosen, trip_capacity=trip_capacity, lines=lines,
    )  # fmt: skip
    if errors:
        raise ValidationError(errors)
    assert warehouse is not None and trip_capacity is not None  # checked above
    values = {"name": name, "warehouse": warehouse, "priority": chosen,
              "trip_capacity": trip_capacity}  # fmt: skip
    if round is None:
        round = DistributionRound.objects.create(community=community, created_by=actor, **values)
        action = AuditAction.CREATE
    else:
        for field, value in values.items():
            setattr(round, field, value)
        round.save(update_fields=[*values, "updated_at"])
        round.lines.all().delete()
        action = AuditAction.UPDATE
    round.grids.set(grid_ids)
    round.buildings.set(building_ids)
    rows = []
    for line in lines:
        assert line.item_id is not None and line.quantity is not None  # checked above
        rows.append(RoundLine(round=round, item_id=line.item_id, basis=line.basis,
                              tag=line.tag, quantity=line.quantity))  # fmt: skip
    RoundLine.objects.bulk_create(rows)
    audit_record(
        actor=actor, action=action, target=round, community_id=community.pk,
        fields=["name", "warehouse", "scope", "priority", "trip_capacity", "lines"],
    )  # fmt: skip
    return round


# -- preview and start --------------------------------------------------------------------------


@dataclass(frozen=True)
class ItemNeed:
    item: Item
    needed: int
    available: int
    allocated: int

    @property
    def short(self) -> int:
        return self.needed - self.allocated


@dataclass(frozen=True)
class Preview:
    """What starting the round now would do: per item, and the households left short."""

    allocation: Allocation
    items: list[ItemNeed]
    places: dict[int, selectors.HouseholdPlace]
    households: dict[int, Household]  # the short ones, for their addresses
    fingerprint: str

    @property
    def household_count(self) -> int:
        return len(self.allocation.shares)


def _lines_of(round: DistributionRound) -> list[Line]:
    return [
        Line(item_id=line.item_id, basis=line.basis, quantity=line.quantity, tag=line.tag)
        for line in round.lines.order_by("id")
    ]


def _fingerprint(allocation: Allocation) -> str:
    shares = [
        [share.household_id, sorted(share.entitled.items()), sorted(share.allocated.items())]
        for share in allocation.shares
    ]
    return hashlib.sha256(json.dumps(shares).encode()).hexdigest()[:16]


def round_preview(*, round: DistributionRound) -> Preview:
    """Allocate the round's lines to the households in its scope from the stock available now
    (nothing is written)."""
    lines = _lines_of(round)
    households, places = selectors.households_in_scope(round)
    item_ids = sorted({line.item_id for line in lines})
    stock_now = available(warehouse=round.warehouse, item_ids=item_ids)
    for item_id, received in selectors.purchase_received(round).items():
        if item_id in stock_now:  # a group purchase shares out what arrived for it, no more
            stock_now[item_id] = min(stock_now[item_id], received)
    allocation = allocate(households, lines, stock_now, round.priority)
    items = Item.objects.in_bulk(item_ids)
    short_ids = [share.household_id for share in allocation.short_shares]
    needs = [
        ItemNeed(
            item=items[item_id], needed=allocation.needed.get(item_id, 0),
            available=stock_now[item_id], allocated=allocation.allocated.get(item_id, 0),
        )
        for item_id in item_ids
    ]  # fmt: skip
    return Preview(
        allocation=allocation,
        items=needs,
        places=places,
        households=Household.objects.select_related("unit__building").in_bulk(short_ids),
        fingerprint=_fingerprint(allocation),
    )


@transaction.atomic
def round_start(
    *, actor: User, round: DistributionRound, fingerprint: str = ""
) -> DistributionRound:
    """Allocate, reserve the allocated stock (all or nothing) and write one delivery per entitled
    household with its lines; a household the stock did not reach at all gets an "out of stock"
    delivery, so its shortfall is on record. With `fingerprint` (the preview's), refuse if the
    households or the stock changed since the preview was shown."""
    require(actor, Permission.MANAGE_SUPPLIES, round)
    round = (
        DistributionRound.objects.select_for_update(of=("self",))
        .select_related("warehouse")
        .get(pk=round.pk)
    )
    if round.status != RoundStatus.DRAFT:
        raise ValidationError(_("This round has already started."))
    preview = round_preview(round=round)
    allocation = preview.allocation
    if not allocation.shares:
        raise ValidationError(_("No household in the round's scope is entitled to anything."))
    if fingerprint and fingerprint != preview.fingerprint:
        raise ValidationError(
            _("The households or the stock changed since the preview: look at it again.")
        )
    held = {item_id: units for item_id, units in allocation.allocated.items() if units}
    if not held:
        raise ValidationError(_("Nothing of this round is in stock in %(warehouse)s.")
                              % {"warehouse": round.warehouse.name})  # fmt: skip
    try:
        reservations = stock.reserve(
            actor=actor, warehouse=round.warehouse, lines=held, reference=round.reference
        )
    except stock.ShortStock as short:
        raise ValidationError({"stock": short.messages}) from short
    round.reservations.set(reservations)
    _write_deliveries(round, preview)
    round.status = RoundStatus.STARTED
    round.started_at = timezone.now()
    round.save(update_fields=["status", "started_at", "updated_at"])
    audit_record(
        actor=actor, action=AuditAction.UPDATE, target=round, community_id=round.community_id,
        fields=["status"],
        details={"households": preview.household_count,
                 "short": len(allocation.short_shares),
                 "reserved": {str(item): units for item, units in held.items()}},
    )  # fmt: skip
    return round


def _write_deliveries(round: DistributionRound, preview: Preview) -> None:
    """One delivery per share and one line per item, written in bulk (ADR 0005)."""
    shares = preview.allocation.shares
    delivery_ids = allocate_ids(Delivery, len(shares))
    RowWriter(
        Delivery,
        ["id", "round_id", "household_id", "building_id", "community_id", "address_key",
         "groups", "status"],
    ).write(
        (delivery_id, round.pk, share.household_id,
         preview.places[share.household_id].building_id, round.community_id,
         preview.places[share.household_id].address_key, json.dumps(list(share.groups)),
         (DeliveryStatus.PLANNED if share.parcels_allocated else DeliveryStatus.UNFILLED).value)
        for delivery_id, share in zip(delivery_ids, shares, strict=True)
    )  # fmt: skip
    RowWriter(DeliveryLine, ["delivery_id", "item_id", "entitled", "allocated"]).write(
        (delivery_id, item_id, entitled, share.allocated.get(item_id, 0))
        for delivery_id, share in zip(delivery_ids, shares, strict=True)
        for item_id, entitled in sorted(share.entitled.items())
    )


# -- batches and routes -------------------------------------------------------------------------


def _require_started(round: DistributionRound) -> None:
    if round.status != RoundStatus.STARTED:
        raise ValidationError(_("The round is not under way."))


def _may_deliver_in(volunteer: User, building_ids: Sequence[int]) -> bool:
    reach = Building.objects.filter(pk__in=building_ids).filter(
        scoped(volunteer, Permission.DELIVER, Building)
    )
    return volunteer.is_active and reach.count() == len(building_ids)


@transaction.atomic
def batch_create(
    *, actor: User, round: DistributionRound, building_ids: Sequence[int], volunteer: User | None
) -> Batch:
    """Give the parcels of some buildings (all of each building's, not yet in a batch) to one
    volunteer who delivers there."""
    require(actor, Permission.MANAGE_SUPPLIES, round)
    round = DistributionRound.objects.select_for_update().get(pk=round.pk)
    _require_started(round)
    building_ids = sorted(set(building_ids))
    errors: dict[str, list[str]] = {}
    open_ids = {row.building.pk for row in selectors.unbatched_buildings(round)}
    if not building_ids:
        errors["buildings"] = [_("Choose at least one building.")]
    elif not set(building_ids) <= open_ids:
        errors["buildings"] = [_("Choose buildings of this round not yet in a batch.")]
    if volunteer is None or not _may_deliver_in(volunteer, building_ids):
        errors["volunteer"] = [_("Choose someone who delivers in these buildings.")]
    if errors:
        raise ValidationError(errors)
    assert volunteer is not None  # checked above
    number = (Batch.objects.filter(round=round).aggregate(n=Max("number"))["n"] or 0) + 1
    batch = Batch.objects.create(round=round, number=number, volunteer=volunteer)
    batch.buildings.set(building_ids)
    parcels = (
        Delivery.objects.filter(round=round, building_id__in=building_ids, batch__isnull=True)
        .exclude(status=DeliveryStatus.UNFILLED)
        .update(batch=batch, updated_at=timezone.now())
    )
    audit_record(
        actor=actor, action=AuditAction.CREATE, target=batch, community_id=round.community_id,
        label=f"{round.name} · {batch}", fields=["volunteer", "buildings"],
        details={"buildings": building_ids, "parcels": parcels, "volunteer": volunteer.pk},
    )  # fmt: skip
    return batch


@transaction.atomic
def batch_assign(*, actor: User, batch: Batch, volunteer: User | None) -> Batch:
    """Give a batch to another volunteer who delivers in its buildings."""
    require(actor, Permission.MANAGE_SUPPLIES, batch)
    batch = Batch.objects.select_for_update(of=("self",)).select_related("round").get(pk=batch.pk)
    _require_started(batch.round)
    building_ids = list(batch.buildings.values_list("id", flat=True))
    if volunteer is None or not _may_deliver_in(volunteer, building_ids):
        raise ValidationError({"volunteer": [_("Choose someone who delivers in these buildings.")]})
    batch.volunteer = volunteer
    batch.save(update_fields=["volunteer", "updated_at"])
    audit_record(
        actor=actor, action=AuditAction.UPDATE, target=batch,
        community_id=batch.round.community_id, label=f"{batch.round.name} · {batch}",
        fields=["volunteer"], details={"volunteer": volunteer.pk},
    )  # fmt: skip
    return batch


def batch_route_compute(*, actor: User, batch: Batch, seconds: float = ROUTE_SECONDS) -> Batch:
    """Plan the batch's walk from its round's storeroom to its buildings, in trips of the
    round's parcels per trip, and store it. Not in a transaction while the solver runs (up to
    `seconds`): the stops are read first and the route written after."""
    require(actor, Permission.MANAGE_SUPPLIES, batch)
    batch = Batch.objects.select_related("round__warehouse__building").get(pk=batch.pk)
    round = batch.round
    _require_started(round)
    depot = round.warehouse.building
    if depot is None:
        raise ValidationError(
            {"warehouse": [_("Set the building %(warehouse)s stands in: routes start there.")
                           % {"warehouse": round.warehouse.name}]}
        )  # fmt: skip
    parcels = dict(
        Delivery.objects.filter(batch=batch, status__in=selectors.TO_CARRY)
        .values_list("building_id")
        .order_by()
        .annotate(n=Count("id"))
    )
    buildings = [b for b in selectors.batch_buildings(batch) if parcels.get(b.pk)]
    if not buildings:
        raise ValidationError(_("This batch has no parcel left to carry."))
    distances = walking_metres(depot=depot, buildings=buildings)
    route = plan_route(
        distances=distances,
        stops=[Stop(key=building.pk, demand=parcels[building.pk]) for building in buildings],
        capacity=round.trip_capacity,
        seconds=seconds,
    )
    with transaction.atomic():
        Batch.objects.filter(pk=batch.pk).update(
            route={"trips": route.trips, "metres": route.metres, "solver": route.solver,
                   "parcels": {str(b.pk): parcels[b.pk] for b in buildings}},
            route_computed_at=timezone.now(), updated_at=timezone.now(),
        )  # fmt: skip
        audit_record(
            actor=actor, action=AuditAction.UPDATE, target=batch, community_id=round.community_id,
            label=f"{round.name} · {batch}", fields=["route"],
            details={"metres": route.metres, "trips": len(route.trips), "solver": route.solver},
        )  # fmt: skip
    batch.refresh_from_db()
    return batch


# -- marking deliveries -------------------------------------------------------------------------

# Where a delivery may go from each status.
NEXT = {
    DeliveryStatus.PLANNED: {DeliveryStatus.OUT, DeliveryStatus.DELIVERED, DeliveryStatus.FAILED},
    DeliveryStatus.OUT: {DeliveryStatus.DELIVERED, DeliveryStatus.FAILED},
    DeliveryStatus.FAILED: {DeliveryStatus.OUT, DeliveryStatus.DELIVERED, DeliveryStatus.FAILED},
}


def _require_deliverer(actor: User, delivery: Delivery) -> None:
    """The volunteer of the delivery's batch, or whoever plans rounds there; 404 for others."""
    if not Delivery.objects.filter(selectors.delivery_visible(actor), pk=delivery.pk).exists():
        raise Http404


@transaction.atomic
def delivery_mark(
    *,
    actor: User,
    delivery: Delivery,
    status: str,
    reason: str = "",
    note: str = "",
    photo: UploadedFile | None = None,
) -> Delivery:
    """On the way, delivered (left at the door: the volunteer's confirmation, with an optional
    photo; the stock is issued) or failed (a reason; a follow-up task, once). Marking a
    delivery again as what it already is changes nothing (a double tap)."""
    _require_deliverer(actor, delivery)
    delivery = (
        Delivery.objects.select_for_update(of=("self",)).select_related(
            "round", "household__unit__building"
        )
    ).get(pk=delivery.pk)
    _require_started(delivery.round)
    note = (note or "").strip()
    if status == delivery.status and status != DeliveryStatus.FAILED:
        return delivery
    errors: dict[str, list[str]] = {}
    if status not in NEXT.get(DeliveryStatus(delivery.status), set()):
        errors["status"] = [
            _("A delivery that is “%(now)s” cannot become “%(next)s”.")
            % {"now": delivery.get_status_display(),
               "next": DeliveryStatus(status).label if status in DeliveryStatus.values else status}
        ]  # fmt: skip
    if status == DeliveryStatus.FAILED:
        if reason not in FailureReason.values:
            errors["reason"] = [_("Say why the delivery failed.")]
        elif reason == FailureReason.OTHER and not note:
            errors["note"] = [_("Describe what happened.")]
    if len(note) > MAX_NOTE:
        errors["note"] = [_("Write at most %(n)d characters.") % {"n": MAX_NOTE}]
    if photo is not None and status != DeliveryStatus.DELIVERED:
        errors["photo"] = [_("A photo goes with a delivered parcel.")]
    elif photo is not None and (message := photo_error(photo)):
        errors["photo"] = [message]
    if errors:
        raise ValidationError(errors)
    before = delivery.status
    delivery.status = status
    fields = ["status", "updated_at"]
    if status == DeliveryStatus.DELIVERED:
        _deliver(delivery, actor=actor)
        delivery.confirmed_via = ConfirmedVia.VOLUNTEER
        delivery.confirmed_by = actor
        delivery.confirmed_at = delivery.delivered_at
        fields += ["delivered_at", "confirmed_via", "confirmed_by", "confirmed_at"]
        if photo is not None:
            delivery.photo.save(stored_name(photo, "delivery"), photo, save=False)
            fields.append("photo")
    elif status == DeliveryStatus.FAILED:
        delivery.failure_reason = reason
        delivery.failure_note = note
        fields += ["failure_reason", "failure_note"]
        if delivery.task_id is None:
            delivery.task = _follow_up_task(delivery, actor=actor)
            fields.append("task")
    delivery.save(update_fields=fields)
    audit_record(
        actor=actor, action=AuditAction.UPDATE, target=delivery,
        community_id=delivery.community_id, fields=["status"],
        details={"from": before, "to": status, "reason": delivery.failure_reason
                 if status == DeliveryStatus.FAILED else "", "photo": photo is not None},
    )  # fmt: skip
    return delivery


def _deliver(delivery: Delivery, *, actor: User | None) -> None:
    """Issue the delivery's allocated units from the round's reservations, and finish the
    follow-up task of an earlier failure."""
    delivery.status = DeliveryStatus.DELIVERED
    delivery.delivered_at = timezone.now()
    round = delivery.round
    reservations = {r.item_id: r for r in round.reservations.select_related("warehouse")}
    for line in delivery.lines.filter(allocated__gt=0).order_by("item_id"):
        # the hand-over was allowed above: the ledger records who made it (None: the household)
        stock.issue_reserved(
            actor=actor, reservation=reservations[line.item_id], quantity=line.allocated,
            reference=round.reference, note=f"{delivery} · {delivery.household.label}",
            checked=True,
        )  # fmt: skip
    if delivery.task is not None:
        task_follow(actor=actor, task=delivery.task, to_status=TaskStatus.DONE,
                    note=_("Delivered after all."))  # fmt: skip


def _follow_up_task(delivery: Delivery, *, actor: User) -> Task:
    """A task for the building's grid worker, else the round's planner: bring the parcel another
    way or find out what the household needs."""
    household = delivery.household
    grid_worker = grid_worker_of(household.unit.building)
    reason = FailureReason(delivery.failure_reason).label
    return task_create(
        title=_("Delivery to %(household)s failed: %(reason)s")
        % {"household": household.label, "reason": reason},
        description=_(
            "The parcel of “%(round)s” did not reach this household. Find out why, then arrange "
            "another delivery or a pick-up.\n\n%(note)s"
        )
        % {"round": delivery.round.name, "note": delivery.failure_note},
        target=household, source=delivery, due_at=timezone.now() + FOLLOW_UP,
        priority=TaskPriority.HIGH, owner=grid_worker or delivery.round.created_by, actor=actor,
    )  # fmt: skip


@transaction.atomic
def delivery_confirm_by_household(*, link: HouseholdLink, delivery_id: int) -> Delivery:
    """ "Received" on the household page: only for a delivery of the link's own household in a
    round under way (404 otherwise), once a volunteer has set out with it. A parcel not yet
    marked delivered becomes delivered (the stock is issued); a second press changes nothing."""
    if not link.is_active:
        raise Http404
    delivery = (
        Delivery.objects.select_for_update(of=("self",))
        .select_related("round", "household__unit__building")
        .filter(pk=delivery_id, household_id=link.household_id)
        .filter(round__status=RoundStatus.STARTED)
        .exclude(status=DeliveryStatus.UNFILLED)
        .first()
    )
    if delivery is None:
        raise Http404
    if delivery.confirmed_via == ConfirmedVia.HOUSEHOLD:
        return delivery
    if delivery.status == DeliveryStatus.PLANNED:
        raise ValidationError(_("This parcel is not on its way yet."))
    before = delivery.status
    fields = ["confirmed_via", "confirmed_by", "confirmed_at", "updated_at"]
    if delivery.status != DeliveryStatus.DELIVERED:
        _deliver(delivery, actor=None)
        fields += ["status", "delivered_at"]
    delivery.confirmed_via = ConfirmedVia.HOUSEHOLD
    delivery.confirmed_by = None
    delivery.confirmed_at = timezone.now()
    delivery.save(update_fields=fields)
    audit_record(
        actor=None, action=AuditAction.UPDATE, target=delivery,
        community_id=delivery.community_id, fields=["confirmed_via"],
        details={"from": before, "to": delivery.status, "via": "household_link"},
    )  # fmt: skip
    return delivery


# -- closing ------------------------------------------------------------------------------------


@transaction.atomic
def round_close(*, actor: User, round: DistributionRound) -> DistributionRound:
    """End the round: every unit still reserved for it goes back to the available stock.
    Parcels not delivered stay on record as they are."""
    require(actor, Permission.MANAGE_SUPPLIES, round)
    round = DistributionRound.objects.select_for_update().get(pk=round.pk)
    _require_started(round)
    released: dict[str, int] = {}
    reservation: Reservation
    for reservation in round.reservations.select_related("warehouse").order_by("item_id"):
        if reservation.quantity:
            released[str(reservation.item_id)] = reservation.quantity
            stock.release(actor=actor, reservation=reservation)
    round.status = RoundStatus.CLOSED
    round.closed_at = timezone.now()
    round.save(update_fields=["status", "closed_at", "updated_at"])
    audit_record(
        actor=actor, action=AuditAction.UPDATE, target=round, community_id=round.community_id,
        fields=["status"], details={"released": released},
    )  # fmt: skip
    return round
