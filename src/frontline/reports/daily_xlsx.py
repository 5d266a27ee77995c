"""The daily report as an .xlsx workbook with a fixed layout, so a sub-district can merge the
files its communities send without looking at them.

Layout (labels are in the downloader's language; positions never change):

- One worksheet, named "Daily report".
- Row 1, cell A1 (merged over A1:N1): the title, "Daily report YYYY-MM-DD".
- Row 2, cell A2: when the file was made, "Generated YYYY-MM-DD HH:MM" (local time).
- Row 3: the header row, columns A to N as below.
- Rows 4 onwards: one row per community in the downloader's scope, ordered by community name.
- The row after the last community: the total row, "Total" in column A and the column sums
  (the check-in rate of the total row is total checked in / total present residents).
- A file for a scope with no community has the title, the header and a total row of zeros.

| column | header | meaning |
|---|---|---|
| A | Community | community name |
| B | Centralised isolation | people in a centralised-isolation phase of a control order that day |
| C | Home isolation | people in a home-isolation phase that day |
| D | Home health monitoring | people in a home-health-monitoring phase that day |
| E | New control orders | control orders starting that day |
| F | Released | control orders released that day |
| G | Transferred to hospital | control orders closed by a transfer to hospital that day |
| H | New confirmed cases | cases with that confirmation date |
| I | New contact links | contact links recorded that day |
| J | Present residents | residents whose status is "present" (the current roster) |
| K | Checked in | present residents with a check-in that day |
| L | Check-in rate | K / J as a fraction shown as a percentage; empty when J is 0 |
| M | Abnormal check-ins | residents with at least one abnormal check-in that day |
| N | Request service levels missed | residents' requests whose take-by or resolve-by time passed that day unmet (each request counted once per clock) |

Columns B to K, M and N hold whole numbers; L holds a number between 0 and 1. A person under two
orders in different measures counts once under each measure. No cell ever names a person.
"""

from __future__ import annotations

import datetime as dt
import io

import xlsxwriter
from django.utils import timezone
from django.utils.translation import gettext as _

from frontline.accounts.models import User
from frontline.core.audit import audit_record
from frontline.core.models import AuditAction
from frontline.reports.daily import DailyFigures, DailyReport, daily_report

FIRST_DATA_ROW = 3  # zero-based: rows 1-3 hold the title, the time made and the header
COUNT_FIELDS = (
    "centralised_isolation", "home_isolation", "home_health_monitoring", "new_orders",
    "released", "transferred", "new_cases", "new_contacts", "present", "checked_in",
)  # fmt: skip


def column_headers() -> list[str]:
    """The header row, columns A to N."""
    return [
        _("Community"),
        _("Centralised isolation"),
        _("Home isolation"),
        _("Home health monitoring"),
        _("New control orders"),
        _("Released"),
        _("Transferred to hospital"),
        _("New confirmed cases"),
        _("New contact links"),
        _("Present residents"),
        _("Checked in"),
        _("Check-in rate"),
        _("Abnormal check-ins"),
        _("Request service levels missed"),
    ]


def report_title(day: dt.date) -> str:
    return _("Daily report %(day)s") % {"day": day.isoformat()}


def _row(figures: DailyFigures) -> tuple[list[int], float | None, int]:
    return [getattr(figures, name) for name in COUNT_FIELDS], figures.checkin_rate, figures.abnormal


def report_workbook(report: DailyReport, *, made_at: dt.datetime | None = None) -> io.BytesIO:
    """Write the report in the documented layout; nothing is read from the database."""
    made = timezone.localtime(made_at or timezone.now())
    output = io.BytesIO()
    workbook = xlsxwriter.Workbook(output, {"in_memory": True, "strings_to_numbers": False})
    sheet = workbook.add_worksheet(_("Daily report"))
    title = workbook.add_format({"bold": True, "font_size": 14})
    bold = workbook.add_format({"bold": True, "text_wrap": True, "valign": "top", "border": 1})
    cell = workbook.add_format({"border": 1})
    percent = workbook.add_format({"num_format": "0.0%", "border": 1})
    total_cell = workbook.add_format({"bold": True, "border": 1, "top": 2})
    total_percent = workbook.add_format({"bold": True, "num_format": "0.0%", "border": 1, "top": 2})
    headers = column_headers()
    sheet.merge_range(0, 0, 0, len(headers) - 1, report_title(report.day), title)
    sheet.write_string(1, 0, _("Generated %(time)s") % {"time": made.strftime("%Y-%m-%d %H:%M")})
    sheet.write_row(2, 0, headers, bold)
    sheet.set_column(0, 0, 18)
    sheet.set_column(1, len(headers) - 1, 12)
    sheet.freeze_panes(FIRST_DATA_ROW, 1)

    def write(row: int, label: str, figures: DailyFigures, plain: object, rate: object) -> None:
        counts, checkin_rate, abnormal = _row(figures)
        sheet.write_string(row, 0, label, plain)
        for column, value in enumerate(counts, start=1):
            sheet.write_number(row, column, value, plain)
        if checkin_rate is None:
            sheet.write_blank(row, 11, None, plain)
        else:
            sheet.write_number(row, 11, checkin_rate, rate)
        sheet.write_number(row, 12, abnormal, plain)
        sheet.write_number(row, 13, figures.request_breaches, plain)

    row = FIRST_DATA_ROW
    for community in report.rows:
        write(row, community.community_name, community.figures, cell, percent)
        row += 1
    write(row, _("Total"), report.total, total_cell, total_percent)
    workbook.close()
    output.seek(0)
    return output


def daily_report_export(*, actor: User, day: dt.date) -> io.BytesIO:
    """The actor's daily report for `day` as .xlsx; the export is audited with its date and the
    communities it covers."""
    report = daily_report(viewer=actor, day=day)
    workbook = report_workbook(report)
    communities = report.community_ids
    audit_record(
        actor=actor,
        action=AuditAction.EXPORT,
        label=report_title(day),
        community_id=communities[0] if len(communities) == 1 else None,
        details={"report": "daily", "day": day.isoformat(), "communities": communities},
    )
    return workbook
