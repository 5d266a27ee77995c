"""Writes to places: typed, keyword-only, atomic and audited."""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from frontline.accounts.access import Permission, require, scoped
from frontline.accounts.models import User
from frontline.core.audit import audit_record
from frontline.core.models import AuditAction
from frontline.core.phones import normalise_mobile
from frontline.places.models import Building, Community, Household, Unit


def _clean_household(*, room: str, phone: str) -> dict[str, str]:
    errors: dict[str, list[str]] = {}
    room = unicodedata.normalize("NFKC", room).strip().removesuffix("室")
    if not room or not room.isalnum() or len(room) > 20:
        errors["room"] = [_("Enter a room number such as 401.")]
    if phone.strip():
        try:
            phone = normalise_mobile(phone)
        except ValidationError as error:
            errors["phone"] = error.messages
    if errors:
        raise ValidationError(errors)
    return {"room": room, "phone": phone.strip()}


@transaction.atomic
def household_create(
    *, actor: User, unit: Unit, room: str, phone: str = "", notes: str = ""
) -> Household:
    require(actor, Permission.EDIT_PLACES, unit)
    cleaned = _clean_household(room=room, phone=phone)
    if Household.objects.filter(unit=unit, room=cleaned["room"]).exists():
        raise ValidationError({"room": [_("This room is already registered in this unit.")]})
    try:
        with transaction.atomic():
            household = Household.objects.create(unit=unit, notes=notes.strip(), **cleaned)
    except IntegrityError as error:
        raise ValidationError(
            {"room": [_("This room is already registered in this unit.")]}
        ) from error
    audit_record(
        actor=actor, action=AuditAction.CREATE, target=household, label=household.label,
        community_id=unit.building.community_id, fields=["room", "phone", "notes"],
    )  # fmt: skip
    return household


@transaction.atomic
def household_update(
    *, actor: User, household: Household, room: str | None = None, phone: str | None = None,
    notes: str | None = None,
) -> Household:  # fmt: skip
    require(actor, Permission.EDIT_PLACES, household)
    household = (
        Household.objects.select_for_update().select_related("unit__building").get(pk=household.pk)
    )
    cleaned = _clean_household(
        room=household.room if room is None else room,
        phone=household.phone if phone is None else phone,
    )
    cleaned["notes"] = household.notes if notes is None else notes.strip()
    if (
        cleaned["room"] != household.room
        and Household.objects.filter(unit=household.unit, room=cleaned["room"]).exists()
    ):
        raise ValidationError({"room": [_("This room is already registered in this unit.")]})
    changed = [field for field, value in cleaned.items() if getattr(household, field) != value]
    for field in changed:
        setattr(household, field, cleaned[field])
    if changed:
        household.save(update_fields=[*changed, "updated_at"])
        if "room" in changed:  # residents sort by address
            from frontline.residents.models import Resident

            Resident.objects.filter(household=household).update(address_key=household.sort_key)
        audit_record(
            actor=actor, action=AuditAction.UPDATE, target=household, label=household.label,
            community_id=household.unit.building.community_id, fields=changed,
        )  # fmt: skip
    return household


PLAN_MAX_METRES = 20_000


@transaction.atomic
def building_positions_update(
    *, actor: User, community: Community, positions: Mapping[int, tuple[int | None, int | None]]
) -> list[Building]:
    """Set where buildings stand on the community's site plan: building id -> (metres east,
    metres north) of the plan's south-west corner, (None, None) to clear. Every bad row is
    reported at once, by building number; buildings the actor may not edit answer 404/403."""
    buildings = {
        building.pk: building
        for building in Building.objects.select_for_update().filter(
            community=community, pk__in=positions
        )
    }
    if len(buildings) != len(positions):
        raise Http404
    editable = set(
        Building.objects.filter(scoped(actor, Permission.EDIT_PLACES, Building), pk__in=buildings)
        .values_list("pk", flat=True)
    )  # fmt: skip
    for building in buildings.values():
        if building.pk not in editable:
            require(actor, Permission.EDIT_PLACES, building)
    errors: dict[str, list[str]] = {}
    for pk, (east, north) in positions.items():
        if (east is None) != (north is None):
            errors[buildings[pk].number] = [
                _("Enter both metres east and metres north, or neither.")
            ]
        elif any(
            value is not None and not 0 <= value <= PLAN_MAX_METRES for value in (east, north)
        ):
            errors[buildings[pk].number] = [
                _("Enter metres from 0 to %(limit)s.") % {"limit": f"{PLAN_MAX_METRES:,}"}
            ]
    if errors:
        raise ValidationError(
            {number: [_("Building %(number)s: %(problem)s") % {"number": number, "problem": m}
                      for m in messages] for number, messages in errors.items()}
        )  # fmt: skip
    changed = [
        building
        for pk, building in buildings.items()
        if (building.plan_x, building.plan_y) != positions[pk]
    ]
    now = timezone.now()
    for building in changed:
        building.plan_x, building.plan_y = positions[building.pk]
        building.updated_at = now
    if changed:
        Building.objects.bulk_update(changed, ["plan_x", "plan_y", "updated_at"])
        audit_record(
            actor=actor, action=AuditAction.UPDATE, target=community, community_id=community.pk,
            fields=["plan_x", "plan_y"],
            details={"buildings": sorted(building.number for building in changed)},
        )  # fmt: skip
    return changed
