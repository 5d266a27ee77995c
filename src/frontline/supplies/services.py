"""Writes of the stock ledger. Every change of stock is one `Movement` with its entries and the
`StockLevel` rows it moves, in one transaction; the rows are locked in item order, so two
workers issuing the last units of an item cannot both succeed, and a refused write leaves
everything as it was. Typed, keyword-only, scope checked with `require`, audited.

The distribution rounds build on `reserve`, `issue_reserved`, `release` and `ShortStock`
(with `selectors.available`): their names and signatures are kept stable.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Collection, Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Model, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from frontline.accounts.access import Permission, require
from frontline.accounts.models import User
from frontline.core.audit import audit_record
from frontline.core.models import AuditAction
from frontline.core.numbers import is_count
from frontline.places.models import Building, Community
from frontline.supplies.models import (
    RECEIPT_KINDS,
    Category,
    Item,
    LedgerEntry,
    Movement,
    MovementKind,
    ReceiptSequence,
    Reservation,
    StockLevel,
    Warehouse,
)

MAX_NAME = 100
MAX_UNIT = 10
MAX_TEXT = 500
MAX_QUANTITY = 1_000_000
MAX_SHELF_LIFE_DAYS = 3650
MAX_COST = Decimal("9999999999.99")
# A receipt may be dated a little ahead of the server's clock (a phone's clock runs fast).
CLOCK_SKEW = dt.timedelta(minutes=10)
RECEIPT_PREFIX = "JZ"

ReceiptLine = tuple[Item, int, dt.date | None]
IssueLine = tuple[Item, int]


class ShortStock(ValidationError):
    """Some lines ask for more than is available; `shortages` maps item id -> units missing."""

    def __init__(self, shortages: Mapping[int, int], items: Mapping[int, Item]) -> None:
        self.shortages = dict(sorted(shortages.items()))
        super().__init__(
            [
                _("%(item)s: %(missing)d %(unit)s too few available.")
                % {"item": items[pk].name, "missing": missing, "unit": items[pk].unit}
                for pk, missing in self.shortages.items()
            ],
            code="short_stock",
        )


def _text(value: str, limit: int) -> str | None:
    """The stripped text, or None when it is longer than `limit`."""
    value = (value or "").strip()
    return value if len(value) <= limit else None


# -- the catalogue and the storerooms -----------------------------------------------------------


def _taken(same_name: QuerySet[Any], row: Model | None) -> bool:
    """Whether another row than `row` (being edited, or None) already has the name."""
    return (same_name.exclude(pk=row.pk) if row is not None else same_name).exists()


def _item_errors(
    *,
    community: Community,
    name: str,
    unit: str,
    category: str,
    shelf_life_days: int | None,
    low_stock_at: int | None,
    item: Item | None = None,
) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if not name or len(name) > MAX_NAME:
        errors["name"] = [_("Enter a name of at most %(n)d characters.") % {"n": MAX_NAME}]
    elif _taken(Item.objects.filter(community=community, name=name), item):
        errors["name"] = [_("The catalogue already has an item of this name.")]
    if not unit or len(unit) > MAX_UNIT:
        errors["unit"] = [_("Enter a unit of at most %(n)d characters, e.g. 袋.") % {"n": MAX_UNIT}]
    if category not in Category.values:
        errors["category"] = [_("Choose a category from the list.")]
    if shelf_life_days is not None and not (
        is_count(shelf_life_days) and 1 <= shelf_life_days <= MAX_SHELF_LIFE_DAYS
    ):
        errors["shelf_life_days"] = [
            _("Enter a shelf life of 1 to %(n)d days, or none.") % {"n": MAX_SHELF_LIFE_DAYS}
        ]
    if low_stock_at is not None and not (
        is_count(low_stock_at) and 0 <= low_stock_at <= MAX_QUANTITY
    ):
        errors["low_stock_at"] = [_("Enter a number of units, or none.")]
    return errors


@transaction.atomic
def item_create(
    *,
    actor: User,
    community: Community,
    name: str,
    unit: str,
    category: str,
    shelf_life_days: int | None = None,
    low_stock_at: int | None = None,
) -> Item:
    require(actor, Permission.MANAGE_SUPPLIES, community)
    name, unit = (name or "").strip(), (unit or "").strip()
    errors = _item_errors(
        community=community, name=name, unit=unit, category=category,
        shelf_life_days=shelf_life_days, low_stock_at=low_stock_at,
    )  # fmt: skip
    if errors:
        raise ValidationError(errors)
    item = Item.objects.create(
        community=community, name=name, unit=unit, category=category,
        shelf_life_days=shelf_life_days, low_stock_at=low_stock_at,
    )  # fmt: skip
    audit_record(
        actor=actor, action=AuditAction.CREATE, target=item, community_id=community.pk,
        fields=["name", "unit", "category", "shelf_life_days", "low_stock_at"],
    )  # fmt: skip
    return item


@transaction.atomic
def item_update(
    *,
    actor: User,
    item: Item,
    name: str,
    unit: str,
    category: str,
    shelf_life_days: int | None,
    low_stock_at: int | None,
    active: bool,
) -> Item:
    """Edit an item; one no longer in use leaves the forms and the warnings, keeps its history."""
    require(actor, Permission.MANAGE_SUPPLIES, item)
    item = Item.objects.select_for_update().get(pk=item.pk)
    name, unit = (name or "").strip(), (unit or "").strip()
    errors = _item_errors(
        community=item.community, name=name, unit=unit, category=category,
        shelf_life_days=shelf_life_days, low_stock_at=low_stock_at, item=item,
    )  # fmt: skip
    if errors:
        raise ValidationError(errors)
    values = {
        "name": name, "unit": unit, "category": category, "shelf_life_days": shelf_life_days,
        "low_stock_at": low_stock_at, "active": bool(active),
    }  # fmt: skip
    changed = [field for field, value in values.items() if getattr(item, field) != value]
    if changed:
        for field in changed:
            setattr(item, field, values[field])
        item.save(update_fields=[*changed, "updated_at"])
        audit_record(
            actor=actor, action=AuditAction.UPDATE, target=item, community_id=item.community_id,
            fields=changed,
        )  # fmt: skip
    return item


def _warehouse_errors(
    *,
    community: Community,
    name: str,
    building: Building | None,
    note: str | None,
    warehouse: Warehouse | None = None,
) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if not name or len(name) > MAX_NAME:
        errors["name"] = [_("Enter a name of at most %(n)d characters.") % {"n": MAX_NAME}]
    elif _taken(Warehouse.objects.filter(community=community, name=name), warehouse):
        errors["name"] = [_("The community already has a storeroom of this name.")]
    if building is not None and building.community_id != community.pk:
        errors["building"] = [_("Choose a building of this community.")]
    if note is None:
        errors["note"] = [_("Write at most %(n)d characters.") % {"n": MAX_TEXT}]
    return errors


@transaction.atomic
def warehouse_create(
    *,
    actor: User,
    community: Community,
    name: str,
    building: Building | None = None,
    note: str = "",
) -> Warehouse:
    require(actor, Permission.MANAGE_SUPPLIES, community)
    name, cleaned_note = (name or "").strip(), _text(note, MAX_TEXT)
    errors = _warehouse_errors(community=community, name=name, building=building, note=cleaned_note)
    if errors:
        raise ValidationError(errors)
    warehouse = Warehouse.objects.create(
        community=community, name=name, building=building, note=cleaned_note or ""
    )
    audit_record(
        actor=actor, action=AuditAction.CREATE, target=warehouse, community_id=community.pk,
        fields=["name", "building", "note"],
    )  # fmt: skip
    return warehouse


@transaction.atomic
def warehouse_update(
    *, actor: User, warehouse: Warehouse, name: str, building: Building | None, note: str
) -> Warehouse:
    require(actor, Permission.MANAGE_SUPPLIES, warehouse)
    warehouse = Warehouse.objects.select_for_update().get(pk=warehouse.pk)
    name, cleaned_note = (name or "").strip(), _text(note, MAX_TEXT)
    errors = _warehouse_errors(
        community=warehouse.community, name=name, building=building, note=cleaned_note,
        warehouse=warehouse,
    )  # fmt: skip
    if errors:
        raise ValidationError(errors)
    values = {
        "name": name, "building_id": building.pk if building else None, "note": cleaned_note or ""
    }  # fmt: skip
    changed = [field for field, value in values.items() if getattr(warehouse, field) != value]
    if changed:
        for field in changed:
            setattr(warehouse, field, values[field])
        warehouse.save(update_fields=[*changed, "updated_at"])
        audit_record(
            actor=actor, action=AuditAction.UPDATE, target=warehouse,
            community_id=warehouse.community_id,
            fields=[field.removesuffix("_id") for field in changed],
        )  # fmt: skip
    return warehouse


# -- locking and writing ------------------------------------------------------------------------


def _locked_levels(warehouse: Warehouse, item_ids: Collection[int]) -> dict[int, StockLevel]:
    """The storeroom's balance rows of these items, made where missing and locked in item order
    (the one order every write takes, so two writes never wait on each other in a circle)."""
    ids = sorted(set(item_ids))
    StockLevel.objects.bulk_create(
        [StockLevel(warehouse=warehouse, item_id=pk) for pk in ids], ignore_conflicts=True
    )
    levels = StockLevel.objects.select_for_update().filter(warehouse=warehouse, item_id__in=ids)
    return {level.item_id: level for level in levels.order_by("item_id")}


def _refuse_short(
    levels: Mapping[int, StockLevel], wanted: Mapping[int, int], items: Mapping[int, Item]
) -> None:
    shortages = {
        pk: units - levels[pk].available
        for pk, units in wanted.items()
        if units > levels[pk].available
    }
    if shortages:
        raise ShortStock(shortages, items)


def _move(level: StockLevel, *, on_hand: int = 0, reserved: int = 0) -> None:
    """Change a locked balance row; the database checks refuse a negative balance or more
    reserved than on hand, whatever a caller got wrong."""
    level.on_hand += on_hand
    level.reserved += reserved
    level.save(update_fields=["on_hand", "reserved", "updated_at"])


def _record(
    *,
    actor: User | None,
    warehouse: Warehouse,
    kind: MovementKind,
    entries: Sequence[tuple[int, int, dt.date | None]],
    occurred_at: dt.datetime | None = None,
    **document: object,
) -> Movement:
    """The movement, its entries (item id, signed quantity, expiry) and the audit entry."""
    movement = Movement.objects.create(
        community_id=warehouse.community_id, warehouse=warehouse, kind=kind, actor=actor,
        occurred_at=occurred_at or timezone.now(), **document,
    )  # fmt: skip
    LedgerEntry.objects.bulk_create(
        LedgerEntry(
            movement=movement, warehouse=warehouse, item_id=item_id, quantity=quantity,
            expires_on=expires_on,
        )
        for item_id, quantity, expires_on in entries
    )  # fmt: skip
    audit_record(
        actor=actor, action=AuditAction.CREATE, target=movement,
        community_id=warehouse.community_id, fields=["entries"], reason=movement.reason,
        details={"kind": kind.value, "warehouse": warehouse.pk,
                 "entries": [[item_id, quantity] for item_id, quantity, _e in entries]},
    )  # fmt: skip
    return movement


def _receipt_number(community_id: int, occurred_at: dt.datetime) -> str:
    """The community's next donation receipt number of the year, e.g. JZ-2026-0001."""
    year = timezone.localtime(occurred_at).year
    ReceiptSequence.objects.bulk_create(
        [ReceiptSequence(community_id=community_id, year=year)], ignore_conflicts=True
    )
    sequence = ReceiptSequence.objects.select_for_update().get(community_id=community_id, year=year)
    sequence.last_number += 1
    sequence.save(update_fields=["last_number"])
    return f"{RECEIPT_PREFIX}-{year}-{sequence.last_number:04d}"


def _line_items(warehouse: Warehouse, items: Sequence[object]) -> list[str | None]:
    """Per line, why its item cannot be used in this storeroom, or None."""
    return [
        _("choose an item of the catalogue")
        if not isinstance(item, Item) or item.community_id != warehouse.community_id
        else None
        for item in items
    ]


def _quantity_error(quantity: object) -> str | None:
    if not is_count(quantity) or not 1 <= quantity <= MAX_QUANTITY:  # type: ignore[operator]
        return _("enter a whole number of units from 1 to %(n)d") % {"n": MAX_QUANTITY}
    return None


def _line_errors(problems: Sequence[list[str]]) -> list[str]:
    return [
        _("Line %(n)d: %(problems)s.") % {"n": n, "problems": "; ".join(found)}
        for n, found in enumerate(problems, start=1)
        if found
    ]


# -- receipts, issues, stocktakes ---------------------------------------------------------------


@transaction.atomic
def receive(
    *,
    actor: User,
    warehouse: Warehouse,
    kind: str,
    lines: Sequence[ReceiptLine],
    donor: str = "",
    donor_contact: str = "",
    supplier: str = "",
    total_cost: Decimal | str | None = None,
    reference: str = "",
    occurred_at: dt.datetime | None = None,
) -> Movement:
    """Goods into a storeroom: a donation (its donor, who gets a numbered receipt), a purchase
    (its supplier and cost) or an allocation from the sub-district. `lines` are (item, units,
    expiry or None); fresh goods of an item with a shelf life and no printed date expire that
    many days after the receipt. Every bad field and every bad line is reported at once."""
    require(actor, Permission.MANAGE_SUPPLIES, warehouse)
    errors: dict[str, list[str]] = {}
    now = timezone.now()
    occurred_at = occurred_at or now
    if timezone.is_naive(occurred_at) or occurred_at > now + CLOCK_SKEW:
        errors["occurred_at"] = [_("Enter when the goods came in; not a time in the future.")]
        occurred_at = now
    if kind not in RECEIPT_KINDS:
        errors["kind"] = [_("Choose a donation, a purchase or an allocation.")]
    texts = {
        "donor": (_text(donor, MAX_NAME), MAX_NAME),
        "donor_contact": (_text(donor_contact, MAX_NAME), MAX_NAME),
        "supplier": (_text(supplier, MAX_NAME), MAX_NAME),
        "reference": (_text(reference, MAX_NAME), MAX_NAME),
    }
    for name, (value, limit) in texts.items():
        if value is None:
            errors[name] = [_("Write at most %(n)d characters.") % {"n": limit}]
    if kind == MovementKind.DONATION and texts["donor"][0] == "":
        errors["donor"] = [_("Enter who donated the goods; the receipt is made out to them.")]
    if kind == MovementKind.PURCHASE and texts["supplier"][0] == "":
        errors["supplier"] = [_("Enter whom the goods were bought from.")]
    cost: Decimal | None = None
    if total_cost not in (None, ""):
        try:
            cost = Decimal(str(total_cost)).quantize(Decimal("0.01"))
        except InvalidOperation:
            cost = None
        if cost is None or not Decimal(0) <= cost <= MAX_COST:
            errors["total_cost"] = [_("Enter the total cost in yuan, e.g. 1280.50.")]
    receipt_day = timezone.localtime(occurred_at).date()
    problems: list[list[str]] = []
    entries: list[tuple[int, int, dt.date | None]] = []
    item_problems = _line_items(warehouse, [line[0] for line in lines])
    for (item, quantity, expires_on), item_problem in zip(lines, item_problems, strict=True):
        found = [problem for problem in (item_problem, _quantity_error(quantity)) if problem]
        if item_problem is None and not item.active:
            found.append(_("%(item)s is no longer in use") % {"item": item.name})
        if expires_on is not None and not isinstance(expires_on, dt.date):
            found.append(_("enter the expiry as a date"))
        elif expires_on is not None and expires_on < receipt_day:
            found.append(_("it expired before it came in"))
        elif expires_on is None and item_problem is None and item.shelf_life_days:
            expires_on = receipt_day + dt.timedelta(days=item.shelf_life_days)
        problems.append(found)
        if not found:
            entries.append((item.pk, quantity, expires_on))
    if not lines:
        errors["lines"] = [_("Enter at least one item and its quantity.")]
    elif any(problems):
        errors["lines"] = _line_errors(problems)
    if errors:
        raise ValidationError(errors)
    levels = _locked_levels(warehouse, [item_id for item_id, _q, _e in entries])
    for item_id, quantity, _e in entries:
        _move(levels[item_id], on_hand=quantity)
    document: dict[str, object] = {"reference": texts["reference"][0] or ""}
    if kind == MovementKind.DONATION:
        document |= {
            "donor_name": texts["donor"][0], "donor_contact": texts["donor_contact"][0],
            "receipt_number": _receipt_number(warehouse.community_id, occurred_at),
        }  # fmt: skip
    elif kind == MovementKind.PURCHASE:
        document |= {"supplier": texts["supplier"][0], "total_cost": cost}
    return _record(
        actor=actor, warehouse=warehouse, kind=MovementKind(kind), entries=entries,
        occurred_at=occurred_at, **document,
    )  # fmt: skip


def _reason_errors(reason: str) -> tuple[str, dict[str, list[str]]]:
    cleaned = _text(reason, MAX_TEXT)
    if not cleaned:
        return "", {"reason": [_("Say why, in at most %(n)d characters.") % {"n": MAX_TEXT}]}
    return cleaned, {}


@transaction.atomic
def issue(
    *,
    actor: User,
    warehouse: Warehouse,
    lines: Sequence[IssueLine],
    reason: str,
    reference: str = "",
) -> Movement:
    """Goods out of a storeroom, e.g. to the clinic or a quarantine hotel. Refused as a whole
    with `ShortStock` (the units missing per item) when any item has fewer available."""
    require(actor, Permission.MANAGE_SUPPLIES, warehouse)
    reason, errors = _reason_errors(reason)
    cleaned_reference = _text(reference, MAX_NAME)
    if cleaned_reference is None:
        errors["reference"] = [_("Write at most %(n)d characters.") % {"n": MAX_NAME}]
    item_problems = _line_items(warehouse, [line[0] for line in lines])
    problems = [
        [problem for problem in (item_problem, _quantity_error(quantity)) if problem]
        for (_item, quantity), item_problem in zip(lines, item_problems, strict=True)
    ]
    if not lines:
        errors["lines"] = [_("Enter at least one item and its quantity.")]
    elif any(problems):
        errors["lines"] = _line_errors(problems)
    if errors:
        raise ValidationError(errors)
    wanted: Counter[int] = Counter()
    for item, quantity in lines:
        wanted[item.pk] += quantity
    levels = _locked_levels(warehouse, wanted)
    _refuse_short(levels, wanted, {item.pk: item for item, _q in lines})
    for item_id, quantity in sorted(wanted.items()):
        _move(levels[item_id], on_hand=-quantity)
    return _record(
        actor=actor, warehouse=warehouse, kind=MovementKind.ISSUE,
        entries=[(item_id, -quantity, None) for item_id, quantity in sorted(wanted.items())],
        reason=reason, reference=cleaned_reference or "",
    )  # fmt: skip


@transaction.atomic
def correct(
    *, actor: User, warehouse: Warehouse, item: Item, counted: int, reason: str
) -> Movement:
    """A stocktake of one item: the difference between what was counted and what the ledger
    holds becomes a correction entry. The count cannot be below the units reserved for rounds
    (release them first)."""
    require(actor, Permission.MANAGE_SUPPLIES, warehouse)
    reason, errors = _reason_errors(reason)
    if item.community_id != warehouse.community_id:
        errors["item"] = [_("Choose an item of the catalogue.")]
    if not is_count(counted) or not 0 <= counted <= MAX_QUANTITY:
        errors["counted"] = [_("Enter the units counted, from 0 to %(n)d.") % {"n": MAX_QUANTITY}]
    if errors:
        raise ValidationError(errors)
    level = _locked_levels(warehouse, [item.pk])[item.pk]
    if counted < level.reserved:
        raise ValidationError(
            {"counted": [_("%(n)d units are reserved for distribution rounds; release them "
                           "before counting fewer.") % {"n": level.reserved}]}
        )  # fmt: skip
    difference = counted - level.on_hand
    if difference == 0:
        raise ValidationError({"counted": [_("The count matches the stock; nothing to correct.")]})
    _move(level, on_hand=difference)
    return _record(
        actor=actor, warehouse=warehouse, kind=MovementKind.CORRECTION,
        entries=[(item.pk, difference, None)], reason=reason,
    )  # fmt: skip


# -- reservations for distribution rounds -------------------------------------------------------


@transaction.atomic
def reserve(
    *, actor: User, warehouse: Warehouse, lines: dict[int, int], reference: str
) -> list[Reservation]:
    """Hold units (item id -> units) for a distribution round, all or nothing: `ShortStock` names
    every item with fewer available. One reservation per item, in item order."""
    require(actor, Permission.MANAGE_SUPPLIES, warehouse)
    errors: dict[str, list[str]] = {}
    cleaned_reference = _text(reference, MAX_NAME)
    if not cleaned_reference:
        errors["reference"] = [_("Name what the units are held for, e.g. round:12.")]
    items = Item.objects.in_bulk([pk for pk in lines if is_count(pk)])
    problems = [
        _("Item %(id)s: %(problem)s.") % {"id": pk, "problem": problem}
        for pk, quantity in sorted(lines.items(), key=lambda line: str(line[0]))
        for problem in (
            _line_items(warehouse, [items.get(pk)])[0],
            _quantity_error(quantity),
        )
        if problem
    ]
    if not lines:
        errors["lines"] = [_("Enter at least one item and its quantity.")]
    elif problems:
        errors["lines"] = problems
    if errors:
        raise ValidationError(errors)
    levels = _locked_levels(warehouse, lines)
    _refuse_short(levels, lines, items)
    held = []
    for item_id, quantity in sorted(lines.items()):
        _move(levels[item_id], reserved=quantity)
        reservation = Reservation.objects.create(
            warehouse=warehouse, item_id=item_id, quantity=quantity,
            reference=cleaned_reference or "", created_by=actor,
        )  # fmt: skip
        held.append(reservation)
    audit_record(
        actor=actor, action=AuditAction.CREATE, target=warehouse,
        community_id=warehouse.community_id, fields=["reserved"],
        details={"reference": cleaned_reference,
                 "reservations": [[r.pk, r.item_id, r.quantity] for r in held]},
    )  # fmt: skip
    return held


def _locked_reservation(
    actor: User | None, reservation: Reservation, *, checked: bool = False
) -> tuple[Reservation, StockLevel]:
    """The reservation and its balance row, locked (the balance first, as every write takes it)."""
    warehouse = reservation.warehouse
    if not checked:
        if actor is None:
            raise PermissionDenied
        require(actor, Permission.MANAGE_SUPPLIES, warehouse)
    level = _locked_levels(warehouse, [reservation.item_id])[reservation.item_id]
    locked = Reservation.objects.select_for_update().get(pk=reservation.pk)
    locked.warehouse = warehouse
    return locked, level


def _take(reservation: Reservation, units: object) -> int:
    """Take `units` off a locked reservation; at most what it still holds."""
    if not is_count(units) or not 0 < units <= reservation.quantity:  # type: ignore[operator]
        raise ValidationError(
            {"quantity": [_("Enter 1 to %(n)d units: that many are still reserved.")
                          % {"n": reservation.quantity}]}
        )  # fmt: skip
    assert isinstance(units, int)  # checked above
    reservation.quantity -= units
    reservation.save(update_fields=["quantity", "updated_at"])
    return units


@transaction.atomic
def issue_reserved(
    *, actor: User | None, reservation: Reservation, quantity: int, reference: str,
    note: str = "", checked: bool = False,
) -> LedgerEntry:  # fmt: skip
    """Issue units held by a reservation (e.g. a household's share, handed over): on hand and
    reserved both drop, the reservation keeps the rest. The actor needs `manage_supplies` on the
    storeroom, unless the delivery's own service has already allowed them to hand the share
    over (`checked`: a volunteer of the batch, or the household itself as None); the ledger
    records who actually did."""
    errors: dict[str, list[str]] = {}
    cleaned_reference, cleaned_note = _text(reference, MAX_NAME), _text(note, MAX_TEXT)
    if cleaned_reference is None:
        errors["reference"] = [_("Write at most %(n)d characters.") % {"n": MAX_NAME}]
    if cleaned_note is None:
        errors["note"] = [_("Write at most %(n)d characters.") % {"n": MAX_TEXT}]
    if errors:
        raise ValidationError(errors)
    reservation, level = _locked_reservation(actor, reservation, checked=checked)
    units = _take(reservation, quantity)
    _move(level, on_hand=-units, reserved=-units)
    movement = _record(
        actor=actor, warehouse=reservation.warehouse, kind=MovementKind.ISSUE,
        entries=[(reservation.item_id, -units, None)],
        reason=cleaned_note or reservation.reference, reference=cleaned_reference or "",
    )  # fmt: skip
    return movement.entries.get()


@transaction.atomic
def release(*, actor: User, reservation: Reservation, quantity: int | None = None) -> None:
    """Give reserved units back to the available stock: all still held when `quantity` is None
    (nothing happens when nothing is held any more)."""
    reservation, level = _locked_reservation(actor, reservation)
    if quantity is None and reservation.quantity == 0:
        return
    units = _take(reservation, reservation.quantity if quantity is None else quantity)
    _move(level, reserved=-units)
    audit_record(
        actor=actor, action=AuditAction.UPDATE, target=reservation,
        community_id=reservation.warehouse.community_id, fields=["quantity"],
        details={"reference": reservation.reference, "released": units},
    )  # fmt: skip
