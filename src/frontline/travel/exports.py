"""Screening matches as an .xlsx workbook: masked document numbers, always audited."""

from __future__ import annotations

import tempfile
from collections.abc import Mapping
from typing import IO

import xlsxwriter
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from frontline.accounts.models import User
from frontline.core.audit import audit_record
from frontline.core.masking import mask_document
from frontline.core.models import AuditAction
from frontline.travel.models import TripMatch


def _columns() -> list[str]:
    return [
        _("Name"), _("Document number"), _("Household"), _("Place of the trip"), _("Trip from"),
        _("Trip to"), _("Risk area"), _("Risk level"), _("Area valid from"), _("Area valid to"),
        _("Overlap from"), _("Overlap to"), _("Days"), _("Match"),
    ]  # fmt: skip


def match_export(
    *, actor: User, matches: QuerySet[TripMatch], filters: Mapping[str, object]
) -> IO[bytes]:
    """Write `matches` (already scoped by a selector) to a temporary .xlsx and audit the export."""
    output = tempfile.TemporaryFile()  # noqa: SIM115 - the caller streams and closes it
    workbook = xlsxwriter.Workbook(output, {"constant_memory": True, "strings_to_numbers": False})
    sheet = workbook.add_worksheet(_("Screening"))
    bold = workbook.add_format({"bold": True})
    dates = workbook.add_format({"num_format": "yyyy-mm-dd"})
    sheet.write_row(0, 0, _columns(), bold)
    sheet.freeze_panes(1, 0)
    rows = 0
    communities: set[int] = set()
    for rows, match in enumerate(matches.iterator(chunk_size=2000), start=1):
        trip, area, resident = match.trip, match.area, match.resident
        communities.add(resident.community_id)
        sheet.write_string(rows, 0, resident.name)
        sheet.write_string(rows, 1, mask_document(resident.document_number))
        sheet.write_string(rows, 2, resident.household.label)
        sheet.write_string(rows, 3, trip.place_label)
        sheet.write_datetime(rows, 4, trip.date_from, dates)
        sheet.write_datetime(rows, 5, trip.date_to, dates)
        sheet.write_string(rows, 6, area.name)
        sheet.write_string(rows, 7, area.get_level_display())
        sheet.write_datetime(rows, 8, area.valid_from, dates)
        if area.valid_to:
            sheet.write_datetime(rows, 9, area.valid_to, dates)
        sheet.write_datetime(rows, 10, match.first_day, dates)
        sheet.write_datetime(rows, 11, match.last_day, dates)
        sheet.write_number(rows, 12, match.days)
        sheet.write_string(rows, 13, match.get_kind_display())
    workbook.close()
    output.seek(0)
    audit_record(
        actor=actor,
        action=AuditAction.EXPORT,
        label=_("Trip screening (%(rows)s rows)") % {"rows": rows},
        community_id=communities.pop() if len(communities) == 1 else None,
        details={"filters": {k: str(v) for k, v in filters.items()}, "rows": rows},
    )
    return output
