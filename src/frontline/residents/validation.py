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
RESIDENT_ID = DocumentType.RESIDENT_ID.value
STORED_TAGS = frozenset(t.value for t in Tag if t != Tag.SENIOR)


def clean_resident_fields(
    values: Mapping[str, Any], *, today: dt.date | None = None
) -> dict[str, Any]:
    """Return the cleaned fields plus their derived columns, or raise ValidationError by field.

    `values` holds the resident's full editable state (current values merged with the change);
    `today` (default: the local date) bounds the birth date; an import passes it once for all rows.
    """
    errors: dict[str, list[str]] = {}
    get = values.get  # an import calls this for every row: plain lookups, no helper calls

    name = " ".join(str(get("name") or "").split())
    if not name:
        errors["name"] = [_("Enter the resident's name.")]
    elif len(name) > 50:
        errors["name"] = [_("A name has at most 50 characters.")]
    cleaned: dict[str, Any] = {"name": name, "name_initials": initials(name)}

    for field, choices in CHOICES.items():
        value = get(field) or ""
        if value not in choices and not (field == "sex" and value == ""):
            errors[field] = [_("Choose one of the listed values.")]
        cleaned[field] = value

    birth_date = get("birth_date")
    if isinstance(birth_date, str):
        try:
            birth_date = dt.date.fromisoformat(birth_date) if birth_date else None
        except ValueError:
            errors["birth_date"] = [_("Enter a date as YYYY-MM-DD.")]
            birth_date = None
    if birth_date and birth_date > (today or timezone.localdate()):
        errors["birth_date"] = [_("The birth date is in the future.")]
    cleaned["birth_date"] = birth_date

    number = normalise_document(str(get("document_number") or ""))
    if number and cleaned["document_type"] == RESIDENT_ID:
        try:
            identity = parse_resident_id(number, today=today)
        except ValidationError as error:
            errors["document_number"] = [error.messages[0]]
        else:
            number = identity.number
            if birth_date and birth_date != identity.birth_date:
                errors.setdefault("birth_date", []).append(
                    _("The birth date does not match the resident ID (%(date)s).")
                    % {"date": identity.birth_date.isoformat()}
                )
            if cleaned["sex"] and cleaned["sex"] != identity.sex:
                errors.setdefault("sex", []).append(_("The sex does not match the resident ID."))
            cleaned["birth_date"] = identity.birth_date
            cleaned["sex"] = identity.sex
    elif number and not number.isalnum():
        errors["document_number"] = [_("A document number has only letters and digits.")]
    cleaned["document_number"] = number
    cleaned["document_digest"] = document_digest(number) if number else ""
    cleaned["document_tail"] = number[-4:]

    for field in ("phone", "emergency_contact_phone"):
        raw = str(get(field) or "").strip()
        phone = ""
        if raw:
            try:
                phone = normalise_mobile(raw)
            except ValidationError as error:
                errors[field] = [error.messages[0]]
        cleaned[field] = phone
    cleaned["phone_tail"] = cleaned["phone"][-4:]

    cleaned["emergency_contact_name"] = str(get("emergency_contact_name") or "").strip()[:50]
    cleaned["notes"] = str(get("notes") or "").strip()

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
