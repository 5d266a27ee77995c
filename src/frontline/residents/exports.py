"""The resident list as an .xlsx workbook: masked unless revealed with a reason, always audited."""

from __future__ import annotations

import tempfile
from collections.abc import Mapping
from typing import IO

import xlsxwriter
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from frontline.accounts.access import Permission, has_permission, scoped
from frontline.accounts.models import User
from frontline.core.audit import audit_record
from frontline.core.masking import mask_document, mask_phone
from frontline.core.models import AuditAction
from frontline.residents.models import Resident


def _columns() -> list[str]:
    return [
        _("Name"), _("Sex"), _("Birth date"), _("Age"), _("Document type"), _("Document number"),
        _("Phone"), _("Building"), _("Unit"), _("Room"), _("Residence type"), _("Status"),
        _("Vulnerability tags"), _("Emergency contact"), _("Emergency contact phone"), _("Notes"),
    ]  # fmt: skip


def resident_export(
    *,
    actor: User,
    residents: QuerySet[Resident],
    filters: Mapping[str, object],
    full_numbers: bool = False,
    reason: str = "",
) -> IO[bytes]:
    """Write `residents` (already scoped by a selector) to a temporary .xlsx and audit the export.

    Full ID and phone numbers need the reveal permission and a reason; otherwise masked.
    Written row by row in xlsxwriter's constant-memory mode, so memory stays flat.
    """
    if full_numbers:
        if not has_permission(actor, Permission.REVEAL_IDENTITY):
            raise PermissionDenied
        if not reason.strip():
            raise ValidationError({"reason": [_("Give a reason for exporting full numbers.")]})
        residents = residents.filter(scoped(actor, Permission.REVEAL_IDENTITY, Resident))
    document = (lambda number: number) if full_numbers else mask_document
    phone = (lambda number: number) if full_numbers else mask_phone

    output = tempfile.TemporaryFile()  # noqa: SIM115 - the caller streams and closes it
    workbook = xlsxwriter.Workbook(output, {"constant_memory": True, "strings_to_numbers": False})
    sheet = workbook.add_worksheet(_("Residents"))
    bold = workbook.add_format({"bold": True})
    dates = workbook.add_format({"num_format": "yyyy-mm-dd"})
    sheet.write_row(0, 0, _columns(), bold)
    sheet.freeze_panes(1, 0)
    rows = 0
    communities: set[int] = set()
    for rows, resident in enumerate(residents.iterator(chunk_size=2000), start=1):
        household = resident.household
        communities.add(resident.community_id)
        sheet.write_string(rows, 0, resident.name)
        sheet.write_string(rows, 1, resident.get_sex_display())
        if resident.birth_date:
            sheet.write_datetime(rows, 2, resident.birth_date, dates)
            sheet.write_number(rows, 3, resident.age or 0)
        sheet.write_string(rows, 4, resident.get_document_type_display())
        sheet.write_string(rows, 5, document(resident.document_number))
        sheet.write_string(rows, 6, phone(resident.phone))
        sheet.write_string(rows, 7, household.unit.building.number)
        sheet.write_string(rows, 8, household.unit.number)
        sheet.write_string(rows, 9, household.room)
        sheet.write_string(rows, 10, resident.get_residence_type_display())
        sheet.write_string(rows, 11, resident.get_status_display())
        sheet.write_string(rows, 12, "、".join(resident.tag_labels))
        sheet.write_string(rows, 13, resident.emergency_contact_name)
        sheet.write_string(rows, 14, phone(resident.emergency_contact_phone))
        sheet.write_string(rows, 15, resident.notes)
    workbook.close()
    output.seek(0)
    audit_record(
        actor=actor,
        action=AuditAction.EXPORT,
        label=_("Resident list (%(rows)s rows)") % {"rows": rows},
        community_id=communities.pop() if len(communities) == 1 else None,
        fields=["document_number", "phone", "emergency_contact_phone"] if full_numbers else [],
        reason=reason.strip(),
        details={"filters": dict(filters), "rows": rows, "full_numbers": full_numbers},
    )
    return output
