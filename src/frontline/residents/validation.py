"""Normalise and validate a resident's fields together, reporting every bad field at once."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from frontline.core.identity import document_digest, normalise_document, parse_resident_id
from frontline.core.phones import normalise_mobile
from frontline.core.pinyin import initials
from frontline.residents.models import DocumentType, ResidenceType, ResidentStatus, Sex, Tag

EDITABLE_FIELDS = (
    "name", "document_type", "document_number", "sex", "birth_date", "phone", "residence_type",
    "status", "emergency_contact_name", "emergency_contact_phone", "notes",
)  # fmt: skip
CHOICES: dict[str, frozenset[str]] = {
    "document_type": frozenset(DocumentType.values),
    "sex": frozenset(Sex.values),
    "residence_type": frozenset(ResidenceType.values),
    "status": frozenset(ResidentStatus.values),
}
NEW_RESIDENT_DEFAULTS = {
    "document_type": DocumentType.RESIDENT_ID.value,
    "residence_type": ResidenceType.REGISTERED.value,
    "status": ResidentStatus.PRESENT.value,
}
STORED_TAGS = frozenset(t.value for t in Tag if t != Tag.SENIOR)


def clean_resident_fields(
    values: Mapping[str, Any], *, today: dt.date | None = None
) -> dict[str, Any]:
    """Return the cleaned fields plus their derived columns, or raise ValidationError by field.

    `values` holds the resident's full editable state (current values merged with the change);
    `today` (default: the local date) bounds the birth date; an import passes it once for all rows.
    """
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, Any] = {}

    def fail(field: str, message: str) -> None:
        errors.setdefault(field, []).append(str(message))

    name = " ".join(str(values.get("name") or "").split())
    if not name:
        fail("name", _("Enter the resident's name."))
    elif len(name) > 50:
        fail("name", _("A name has at most 50 characters."))
    cleaned["name"] = name
    cleaned["name_initials"] = initials(name)

    for field, choices in CHOICES.items():
        value = values.get(field) or ""
        if field == "sex" and value == "":
            cleaned[field] = ""
            continue
        if value not in choices:
            fail(field, _("Choose one of the listed values."))
        cleaned[field] = value

    birth_date = values.get("birth_date")
    if isinstance(birth_date, str):
        try:
            birth_date = dt.date.fromisoformat(birth_date) if birth_date else None
        except ValueError:
            fail("birth_date", _("Enter a date as YYYY-MM-DD."))
            birth_date = None
    if birth_date and birth_date > (today or timezone.localdate()):
        fail("birth_date", _("The birth date is in the future."))
    cleaned["birth_date"] = birth_date

    number = normalise_document(str(values.get("document_number") or ""))
    if number and cleaned.get("document_type") == DocumentType.RESIDENT_ID:
        try:
            identity = parse_resident_id(number, today=today)
        except ValidationError as error:
            fail("document_number", error.messages[0])
        else:
            number = identity.number
            if birth_date and birth_date != identity.birth_date:
                fail(
                    "birth_date",
                    _("The birth date does not match the resident ID (%(date)s).")
                    % {"date": identity.birth_date.isoformat()},
                )
            if cleaned.get("sex") and cleaned["sex"] != identity.sex:
                fail("sex", _("The sex does not match the resident ID."))
            cleaned["birth_date"] = identity.birth_date
            cleaned["sex"] = identity.sex
    elif number and not number.isalnum():
        fail("document_number", _("A document number has only letters and digits."))
    cleaned["document_number"] = number
    cleaned["document_digest"] = document_digest(number) if number else ""
    cleaned["document_tail"] = number[-4:]

    for field in ("phone", "emergency_contact_phone"):
        raw = str(values.get(field) or "").strip()
        phone = ""
        if raw:
            try:
                phone = normalise_mobile(raw)
            except ValidationError as error:
                fail(field, error.messages[0])
        cleaned[field] = phone
    cleaned["phone_tail"] = cleaned["phone"][-4:]

    cleaned["emergency_contact_name"] = str(values.get("emergency_contact_name") or "").strip()[:50]
    cleaned["notes"] = str(values.get("notes") or "").strip()

    if errors:
        raise ValidationError(errors)
    return cleaned


def clean_tags(tags: Any) -> list[str]:
    values = sorted({str(tag) for tag in tags or ()})
    unknown = [tag for tag in values if tag not in STORED_TAGS]
    if unknown:
        raise ValidationError(
            {"tags": [_("Unknown tag: %(tags)s.") % {"tags": ", ".join(unknown)}]}
        )
    return values
