"""Writes to cases and contact links: typed, keyword-only, atomic and audited."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from frontline.accounts.access import Permission, require
from frontline.accounts.models import User
from frontline.contacts.models import Case, ContactLink, LinkType, OutsidePerson, person_key
from frontline.core.audit import audit_record
from frontline.core.masking import mask_name
from frontline.core.models import AuditAction
from frontline.core.phones import normalise_mobile
from frontline.places.models import Community
from frontline.residents.models import Resident

REFERENCE_MAX = 100
PLACE_MAX = 200
NAME_MAX = 50
NOTES_MAX = 2000


def _clean_outside(
    name: str, phone: str, errors: dict[str, list[str]], *, prefix: str
) -> tuple[str, str]:
    """Name and normalised phone of an outside person; problems go into `errors`."""
    name = (name or "").strip()
    if not name:
        errors.setdefault(f"{prefix}_name", []).append(_("Enter the person's name."))
    elif len(name) > NAME_MAX:
        errors.setdefault(f"{prefix}_name", []).append(_("The name is too long."))
    normalised = ""
    try:
        normalised = normalise_mobile(phone or "")
    except ValidationError as error:
        errors.setdefault(f"{prefix}_phone", []).extend(error.messages)
    return name, normalised


def _check_date(value: dt.date | None, field: str, errors: dict[str, list[str]]) -> None:
    if value is None:
        errors.setdefault(field, []).append(_("Enter a date."))
    elif value > timezone.localdate():
        errors.setdefault(field, []).append(_("The date cannot be in the future."))


def _outside_person(community: Community, name: str, phone: str) -> OutsidePerson:
    person, _created = OutsidePerson.objects.get_or_create(
        community=community, phone=phone, name=name, defaults={"phone_tail": phone[-4:]}
    )
    return person


@transaction.atomic
def case_record(
    *,
    actor: User,
    confirmed_on: dt.date | None,
    reference: str,
    resident: Resident | None = None,
    outside_name: str = "",
    outside_phone: str = "",
    community: Community | None = None,
) -> Case:
    """Record a confirmed case: a resident, or an outside person of a community, as index person.

    A resident's case needs RECORD_HEALTH over the resident; an outside person's case needs it
    over the whole community (a grid worker records residents' cases only).
    """
    errors: dict[str, list[str]] = {}
    reference = (reference or "").strip()
    if not reference:
        errors["reference"] = [_("Enter the evidence reference, such as the report number.")]
    elif len(reference) > REFERENCE_MAX:
        errors["reference"] = [_("The reference is too long.")]
    _check_date(confirmed_on, "confirmed_on", errors)
    name = phone = ""
    if resident is not None:
        require(actor, Permission.RECORD_HEALTH, resident)
        community_id = resident.community_id
    else:
        name, phone = _clean_outside(outside_name, outside_phone, errors, prefix="outside")
        if community is None:
            errors.setdefault("community", []).append(_("Choose the community."))
            community_id = 0
        else:
            require(actor, Permission.RECORD_HEALTH, community)
            community_id = community.pk
    if (
        not errors
        and resident is not None
        and Case.objects.filter(resident=resident, reference=reference).exists()
    ):
        errors["reference"] = [_("This case is already recorded for this person.")]
    if errors:
        raise ValidationError(errors)
    assert confirmed_on is not None
    outside = None
    if resident is None:
        assert community is not None
        outside = _outside_person(community, name, phone)
        if Case.objects.filter(outside_person=outside, reference=reference).exists():
            raise ValidationError(
                {"reference": [_("This case is already recorded for this person.")]}
            )
    case = Case.objects.create(
        community_id=community_id,
        building_id=resident.building_id if resident is not None else None,
        resident=resident,
        outside_person=outside,
        confirmed_on=confirmed_on,
        reference=reference,
        recorded_by=actor,
    )
    person_name = resident.name if resident is not None else name
    audit_record(
        actor=actor, action=AuditAction.CREATE, target=case,
        label=_("Case %(reference)s of %(person)s")
        % {"reference": reference, "person": mask_name(person_name)},
        community_id=community_id, fields=["confirmed_on", "reference"],
        details={"index": case.person_key},
    )  # fmt: skip
    return case


def parse_person_key(key: str) -> tuple[int | None, int | None]:
    """`r12` -> (12, None); `o3` -> (None, 3); anything else -> (None, None)."""
    if len(key) > 1 and key[0] in "ro" and key[1:].isdigit():
        number = int(key[1:])
        return (number, None) if key[0] == "r" else (None, number)
    return None, None


def _in_chain(case: Case, key: str) -> bool:
    if key == case.person_key:
        return True
    resident_id, outside_id = parse_person_key(key)
    links = ContactLink.objects.filter(case=case)
    if resident_id:
        return links.filter(Q(a_resident_id=resident_id) | Q(b_resident_id=resident_id)).exists()
    if outside_id:
        return links.filter(Q(a_outside_id=outside_id) | Q(b_outside_id=outside_id)).exists()
    return False


@transaction.atomic
def link_record(
    *,
    actor: User,
    case: Case,
    met_on: dt.date | None,
    link_type: str,
    source: str = "",
    contact_resident: Resident | None = None,
    contact_name: str = "",
    contact_phone: str = "",
    met_at: dt.time | None = None,
    place: str = "",
    notes: str = "",
) -> ContactLink:
    """Record that `source` (a person already in the case's chain; the index person by default)
    met a contact: a resident in the actor's reach, or an outside person by name and phone.

    Every bad field is reported at once; a self-link or a second link of the same pair on the
    same day for the same case is refused.
    """
    require(actor, Permission.RECORD_HEALTH, case)
    errors: dict[str, list[str]] = {}
    source = source or case.person_key
    if not _in_chain(case, source):
        errors["source"] = [_("Choose a person who is already in this case's chain.")]
    if contact_resident is not None:
        require(actor, Permission.RECORD_HEALTH, contact_resident)
        name = phone = ""
    elif contact_name or contact_phone:
        name, phone = _clean_outside(contact_name, contact_phone, errors, prefix="contact")
    else:
        errors["contact"] = [_("Choose a resident or enter an outside person's name and phone.")]
        name = phone = ""
    _check_date(met_on, "met_on", errors)
    if link_type not in LinkType.values:
        errors["link_type"] = [_("Choose a contact type.")]
    place = (place or "").strip()
    if len(place) > PLACE_MAX:
        errors["place"] = [_("The place is too long.")]
    notes = (notes or "").strip()
    if len(notes) > NOTES_MAX:
        errors["notes"] = [_("The notes are too long.")]
    if errors:
        raise ValidationError(errors)
    assert met_on is not None
    outside = None
    if contact_resident is None:
        outside = OutsidePerson.objects.filter(
            community_id=case.community_id, phone=phone, name=name
        ).first()
    b_key = (
        person_key(contact_resident.pk, None)
        if contact_resident is not None
        else (person_key(None, outside.pk) if outside is not None else "")
    )
    if b_key == source:
        raise ValidationError({"contact": [_("A person cannot be their own contact.")]})
    if outside is None and contact_resident is None:
        outside = _outside_person(case.community, name, phone)
        b_key = person_key(None, outside.pk)
    pair = "|".join(sorted((source, b_key)))
    duplicate = _("This pair is already linked on that day for this case.")
    if ContactLink.objects.filter(case=case, pair_key=pair, met_on=met_on).exists():
        raise ValidationError({"contact": [duplicate]})
    a_resident_id, a_outside_id = parse_person_key(source)
    a_building_id = None
    if a_resident_id:
        a_building_id = Resident.objects.values_list("building_id", flat=True).get(pk=a_resident_id)
    try:
        with transaction.atomic():
            link = ContactLink.objects.create(
                case=case, community_id=case.community_id,
                a_resident_id=a_resident_id, a_outside_id=a_outside_id, a_building_id=a_building_id,
                b_resident=contact_resident, b_outside=outside,
                b_building_id=contact_resident.building_id if contact_resident else None,
                pair_key=pair, met_on=met_on, met_at=met_at, place=place,
                link_type=link_type, notes=notes, recorded_by=actor,
            )  # fmt: skip
    except IntegrityError as error:  # the same link recorded at the same moment elsewhere
        raise ValidationError({"contact": [duplicate]}) from error
    contact_label = contact_resident.name if contact_resident is not None else name
    audit_record(
        actor=actor, action=AuditAction.CREATE, target=link,
        label=_("Contact %(contact)s of case %(reference)s")
        % {"contact": mask_name(contact_label), "reference": case.reference},
        community_id=case.community_id,
        fields=["met_on", "link_type", "place", "notes"],
        details={"case": case.pk, "pair": pair},
    )  # fmt: skip
    return link
