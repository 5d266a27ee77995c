"""Writes to residents: typed, keyword-only, atomic and audited."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from frontline.accounts.access import Permission, require
from frontline.accounts.models import User
from frontline.core.audit import audit_record
from frontline.core.models import AuditAction
from frontline.places.models import Household
from frontline.residents.models import Resident, ResidentStatus, ResidentTag
from frontline.residents.validation import (
    EDITABLE_FIELDS,
    NEW_RESIDENT_DEFAULTS,
    clean_resident_fields,
    clean_tags,
)

RevealableField = Literal["document_number", "phone", "emergency_contact_phone"]
REVEALABLE_FIELDS: tuple[str, ...] = ("document_number", "phone", "emergency_contact_phone")


def _household_in_scope(actor: User, household: Household) -> Household:
    return require(actor, Permission.EDIT_RESIDENTS, household)


def _check_document_unique(*, community_id: int, digest: str, exclude_pk: int | None) -> None:
    if not digest:
        return
    clash = Resident.objects.filter(community_id=community_id, document_digest=digest)
    if exclude_pk is not None:
        clash = clash.exclude(pk=exclude_pk)
    if clash.exists():
        raise ValidationError(
            {
                "document_number": [
                    _("A resident with this document number is already registered here.")
                ]
            }
        )


def _save_tags(resident: Resident, tags: Iterable[str]) -> None:
    wanted = set(tags)
    current = set(resident.tags.values_list("tag", flat=True))
    resident.tags.filter(tag__in=current - wanted).delete()
    ResidentTag.objects.bulk_create(
        [ResidentTag(resident=resident, tag=tag) for tag in sorted(wanted - current)]
    )


@transaction.atomic
def resident_register(
    *, actor: User, household: Household, tags: Iterable[str] = (), **fields: Any
) -> Resident:
    """Register a person in a household; every bad field is reported at once."""
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"unknown resident fields: {sorted(unknown)}")
    _household_in_scope(actor, household)
    building = household.unit.building
    cleaned = clean_resident_fields(NEW_RESIDENT_DEFAULTS | {k: v for k, v in fields.items() if v})
    tag_values = clean_tags(tags)
    _check_document_unique(
        community_id=building.community_id, digest=cleaned["document_digest"], exclude_pk=None
    )
    try:
        with transaction.atomic():
            resident = Resident.objects.create(
                household=household,
                building=building,
                community_id=building.community_id,
                address_key=household.sort_key,
                **cleaned,
            )
    except IntegrityError as error:  # a concurrent registration of the same document
        raise ValidationError(
            {
                "document_number": [
                    _("A resident with this document number is already registered here.")
                ]
            }
        ) from error
    _save_tags(resident, tag_values)
    audit_record(
        actor=actor, action=AuditAction.CREATE, target=resident, label=_label(resident),
        community_id=resident.community_id, fields=sorted(k for k, v in fields.items() if v),
    )  # fmt: skip
    return resident


@transaction.atomic
def resident_update(
    *, actor: User, resident: Resident, tags: Iterable[str] | None = None, **changes: Any
) -> Resident:
    """Change some fields of a resident; fields not given keep their values."""
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"unknown resident fields: {sorted(unknown)}")
    require(actor, Permission.EDIT_RESIDENTS, resident)
    resident = Resident.objects.select_for_update().get(pk=resident.pk)
    current = {field: getattr(resident, field) for field in EDITABLE_FIELDS}
    cleaned = clean_resident_fields(current | changes)
    tag_values = clean_tags(tags) if tags is not None else None
    _check_document_unique(
        community_id=resident.community_id,
        digest=cleaned["document_digest"],
        exclude_pk=resident.pk,
    )
    changed = [field for field, value in cleaned.items() if getattr(resident, field) != value]
    for field in changed:
        setattr(resident, field, cleaned[field])
    if changed:
        resident.save(update_fields=[*changed, "updated_at"])
    if tag_values is not None and set(tag_values) != set(
        resident.tags.values_list("tag", flat=True)
    ):
        _save_tags(resident, tag_values)
        changed.append("tags")
    if changed:
        audit_record(
            actor=actor, action=AuditAction.UPDATE, target=resident, label=_label(resident),
            community_id=resident.community_id,
            fields=sorted(f for f in changed if f not in {"name_initials", "document_digest",
                                                         "document_tail", "phone_tail"}),
        )  # fmt: skip
    return resident


@transaction.atomic
def resident_move(
    *, actor: User, resident: Resident, household: Household, reason: str = ""
) -> Resident:
    """Move a resident to another household inside the actor's scope."""
    require(actor, Permission.EDIT_RESIDENTS, resident)
    _household_in_scope(actor, household)
    resident = Resident.objects.select_for_update().get(pk=resident.pk)
    building = household.unit.building
    if building.community_id != resident.community_id:
        _check_document_unique(
            community_id=building.community_id,
            digest=resident.document_digest,
            exclude_pk=resident.pk,
        )
    old_label = resident.household.label
    resident.household = household
    resident.building = building
    resident.community_id = building.community_id
    resident.address_key = household.sort_key
    resident.save(update_fields=["household", "building", "community", "address_key", "updated_at"])
    audit_record(
        actor=actor, action=AuditAction.UPDATE, target=resident, label=_label(resident),
        community_id=resident.community_id, fields=["household"],
        reason=reason or _("Moved from %(old)s to %(new)s") % {"old": old_label, "new": household.label},
    )  # fmt: skip
    return resident


@transaction.atomic
def resident_mark_moved_out(*, actor: User, resident: Resident, reason: str = "") -> Resident:
    """Mark a resident as moved out: kept on record, no longer counted as living here."""
    require(actor, Permission.EDIT_RESIDENTS, resident)
    resident = Resident.objects.select_for_update().get(pk=resident.pk)
    if resident.status == ResidentStatus.MOVED_OUT:
        return resident
    resident.status = ResidentStatus.MOVED_OUT
    resident.save(update_fields=["status", "updated_at"])
    audit_record(
        actor=actor, action=AuditAction.UPDATE, target=resident, label=_label(resident),
        community_id=resident.community_id, fields=["status"], reason=reason,
    )  # fmt: skip
    return resident


@transaction.atomic
def resident_reveal(*, actor: User, resident: Resident, field: RevealableField, reason: str) -> str:
    """Return one unmasked field and record who saw it, when and why."""
    if field not in REVEALABLE_FIELDS:
        raise ValidationError({"field": [_("This field cannot be revealed.")]})
    require(actor, Permission.REVEAL_IDENTITY, resident)
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": [_("Give a reason for revealing this number.")]})
    audit_record(
        actor=actor, action=AuditAction.REVEAL, target=resident, label=_label(resident),
        community_id=resident.community_id, fields=[field], reason=reason,
    )  # fmt: skip
    return str(getattr(resident, field))


def _label(resident: Resident) -> str:
    """How a resident appears in the audit log: name and masked document, never the number."""
    return f"{resident.name} {resident.masked_document}".strip()
