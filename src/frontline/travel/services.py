"""Writes of risk areas and trips: keyword-only, validated together, atomic, audited, re-screened."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from frontline.accounts.access import Permission, has_permission, require
from frontline.accounts.models import User
from frontline.core.audit import audit_record
from frontline.core.masking import mask_name
from frontline.core.models import AuditAction
from frontline.policy.models import ZoneLevel
from frontline.residents.models import Resident
from frontline.travel.models import RiskArea, Trip, TripSource
from frontline.travel.places import (
    PLACE_MAX_LENGTH,
    clean_area_code,
    code_prefix,
    place_key,
)
from frontline.travel.screening import screening_refresh

AREA_FIELDS = ("name", "area_code", "place", "level", "valid_from", "valid_to")
NAME_MAX_LENGTH = 200
NOTE_MAX_LENGTH = 200


def _text(value: object) -> str:
    return "" if value is None else str(value).strip()


def _as_date(value: object) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise ValidationError(_("Enter a date such as 2022-11-20.")) from None


def place_columns(
    *, area_code: object, place: object, errors: dict[str, list[str]]
) -> dict[str, Any]:
    """The stored place columns of a code and a free text; problems go into `errors`."""
    text = _text(place)
    if len(text) > PLACE_MAX_LENGTH:
        errors.setdefault("place", []).append(
            _("Keep the place under %(n)d characters.") % {"n": PLACE_MAX_LENGTH}
        )
    try:
        code = clean_area_code(area_code)
    except ValidationError as error:
        errors.setdefault("area_code", []).extend(error.messages)
        code = ""
    prefix = code_prefix(code)
    return {
        "area_code": code,
        "place": text,
        "code_prefix": prefix,
        "province_prefix": prefix[:2],
        "city_prefix": prefix[:4] if len(prefix) >= 4 else "",
        "code_level": len(prefix),
        "place_key": place_key(text)[:PLACE_MAX_LENGTH],
    }


def _date_field(
    values: Mapping[str, object], field: str, errors: dict[str, list[str]]
) -> dt.date | None:
    try:
        return _as_date(values.get(field))
    except ValidationError as error:
        errors.setdefault(field, []).extend(error.messages)
        return None


def clean_area_fields(values: Mapping[str, object]) -> dict[str, Any]:
    """Normalise and validate a risk area's fields together; one ValidationError names every bad one."""
    errors: dict[str, list[str]] = {}
    name = _text(values.get("name"))
    if not name:
        errors["name"] = [_("Enter the area's name.")]
    elif len(name) > NAME_MAX_LENGTH:
        errors["name"] = [_("Keep the name under %(n)d characters.") % {"n": NAME_MAX_LENGTH}]
    columns = place_columns(
        area_code=values.get("area_code"), place=values.get("place"), errors=errors
    )
    if not columns["code_prefix"] and "area_code" not in errors:
        # Without a code the area is matched by its place, or else by its name.
        columns["place_key"] = place_key(columns["place"] or name)[:PLACE_MAX_LENGTH]
    level = _text(values.get("level"))
    if level not in ZoneLevel.values:
        errors["level"] = [_("Choose a risk level.")]
    valid_from = _date_field(values, "valid_from", errors)
    valid_to = _date_field(values, "valid_to", errors)
    if valid_from is None and "valid_from" not in errors:
        errors["valid_from"] = [_("Enter the day the area became a risk area.")]
    if valid_from and valid_to and valid_to < valid_from:
        errors["valid_to"] = [_("The end cannot be before the start.")]
    if errors:
        raise ValidationError(errors)
    return {"name": name, "level": level, "valid_from": valid_from, "valid_to": valid_to, **columns}


def _may_manage(actor: User) -> None:
    if not has_permission(actor, Permission.MANAGE_RISK_AREAS):
        raise PermissionDenied


@transaction.atomic
def risk_area_create(*, actor: User | None, **values: object) -> RiskArea:
    """Add a risk area and screen every trip against it. `actor` None only for trusted loaders."""
    if actor is not None:
        _may_manage(actor)
    area = RiskArea.objects.create(created_by=actor, **clean_area_fields(values))
    screening_refresh(area_ids=[area.pk])
    audit_record(actor=actor, action=AuditAction.CREATE, target=area, fields=list(AREA_FIELDS))
    return area


@transaction.atomic
def risk_area_update(*, actor: User, area: RiskArea, **changes: object) -> RiskArea:
    """Change an area (unset fields keep their values) and re-screen the trips against it."""
    _may_manage(actor)
    area = RiskArea.objects.select_for_update().get(pk=area.pk)
    current = {field: getattr(area, field) for field in AREA_FIELDS}
    cleaned = clean_area_fields({**current, **changes})
    changed = [field for field in AREA_FIELDS if cleaned[field] != current[field]]
    for field, value in cleaned.items():
        setattr(area, field, value)
    area.save()
    screening_refresh(area_ids=[area.pk])
    if changed:
        audit_record(actor=actor, action=AuditAction.UPDATE, target=area, fields=changed)
    return area


def risk_area_end(*, actor: User, area: RiskArea, day: dt.date | None = None) -> RiskArea:
    """The area stops being a risk area after `day` (today by default)."""
    day = day or timezone.localdate()
    return risk_area_update(actor=actor, area=area, valid_to=max(day, area.valid_from))


@transaction.atomic
def risk_area_delete(*, actor: User, area: RiskArea) -> None:
    """Remove an area entered by mistake; one that matched trips is evidence and can only end."""
    _may_manage(actor)
    if area.matches.exists():
        raise ValidationError(
            _("This area matched trips and is kept as evidence: end it instead of deleting it.")
        )
    audit_record(actor=actor, action=AuditAction.DELETE, target=area, fields=list(AREA_FIELDS))
    area.delete()


def clean_trip_fields(
    values: Mapping[str, object], *, today: dt.date | None = None
) -> dict[str, Any]:
    """Normalise and validate a trip's place and dates together."""
    today = today or timezone.localdate()
    errors: dict[str, list[str]] = {}
    columns = place_columns(
        area_code=values.get("area_code"), place=values.get("place"), errors=errors
    )
    if not columns["area_code"] and not columns["place"] and "area_code" not in errors:
        errors["place"] = [_("Enter the place, its area code, or both.")]
    date_from = _date_field(values, "date_from", errors)
    date_to = _date_field(values, "date_to", errors)
    if date_from is None and "date_from" not in errors:
        errors["date_from"] = [_("Enter the day the stay began.")]
    if date_to is None and "date_to" not in errors:
        errors["date_to"] = [_("Enter the day the stay ended (today if it has not ended).")]
    if date_from and date_to and date_to < date_from:
        errors["date_to"] = [_("The end cannot be before the start.")]
    for field, day in (("date_from", date_from), ("date_to", date_to)):
        if day and day > today and field not in errors:
            errors[field] = [_("A trip cannot be in the future.")]
    note = _text(values.get("note"))
    if len(note) > NOTE_MAX_LENGTH:
        errors["note"] = [_("Keep the note under %(n)d characters.") % {"n": NOTE_MAX_LENGTH}]
    if errors:
        raise ValidationError(errors)
    return {"date_from": date_from, "date_to": date_to, "note": note, **columns}


def _trip_label(resident: Resident) -> str:
    return _("Trip of %(name)s") % {"name": mask_name(resident.name)}


@transaction.atomic
def trip_record(
    *,
    resident: Resident,
    source: TripSource,
    actor: User | None = None,
    area_code: str = "",
    place: str = "",
    date_from: dt.date | str | None = None,
    date_to: dt.date | str | None = None,
    note: str = "",
) -> Trip:
    """Record a stay and screen it against the risk areas.

    Workers (`actor` given) need RECORD_HEALTH over the resident; the portal passes no actor and
    `source=TripSource.PORTAL` after it has identified the household itself.
    """
    if actor is not None:
        require(actor, Permission.RECORD_HEALTH, resident)
    elif source != TripSource.PORTAL:
        raise PermissionDenied
    cleaned = clean_trip_fields(
        {
            "area_code": area_code,
            "place": place,
            "date_from": date_from,
            "date_to": date_to,
            "note": note,
        }
    )
    trip = Trip.objects.create(resident=resident, source=source, recorded_by=actor, **cleaned)
    screening_refresh(trip_ids=[trip.pk])
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        target=trip,
        label=_trip_label(resident),
        community_id=resident.community_id,
        fields=["place", "area_code", "date_from", "date_to"],
    )
    return trip


@transaction.atomic
def trip_remove(*, actor: User, trip: Trip, reason: str) -> None:
    """Delete a trip recorded by mistake (and the matches it produced), with a reason."""
    require(actor, Permission.RECORD_HEALTH, trip)
    if not reason.strip():
        raise ValidationError({"reason": [_("Give a reason for removing the trip.")]})
    audit_record(
        actor=actor,
        action=AuditAction.DELETE,
        target=trip,
        label=_trip_label(trip.resident),
        community_id=trip.resident.community_id,
        fields=["place", "area_code", "date_from", "date_to"],
        reason=reason.strip(),
    )
    trip.delete()
