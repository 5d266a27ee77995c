from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django import forms
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from frontline.accounts.access import Permission, has_permission, requires, signed_in
from frontline.core.forms import StyledForm
from frontline.core.http import AuthedRequest
from frontline.places.selectors import aggregate_counts
from frontline.reports.daily import REPORT_PERMISSIONS, daily_report
from frontline.reports.daily_xlsx import daily_report_export

EARLIEST_REPORT_DAY = dt.date(2000, 1, 1)


@signed_in
def home(request: AuthedRequest) -> HttpResponse:
    """Send each role to where its work starts."""
    if has_permission(request.user, Permission.VIEW_PLACES):
        return redirect("places:tree")
    if has_permission(request.user, Permission.VIEW_AGGREGATES):
        return redirect("overview")
    return redirect("tasks:inbox")


@requires(Permission.VIEW_AGGREGATES)
def overview(request: AuthedRequest) -> HttpResponse:
    """Counts per community and grid: no individual's details."""
    return render(request, "reports/overview.html", {"tree": aggregate_counts(viewer=request.user)})


class DayForm(StyledForm):
    date = forms.DateField(
        label=_("Date"),
        required=False,
        input_formats=["%Y-%m-%d"],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("Enter a date as YYYY-MM-DD.")},
    )

    def clean_date(self) -> dt.date | None:
        day: dt.date | None = self.cleaned_data.get("date")
        if day is not None and not EARLIEST_REPORT_DAY <= day <= timezone.localdate():
            raise forms.ValidationError(_("Choose a day between 2000-01-01 and today."))
        return day


def _report_day(request: AuthedRequest) -> tuple[DayForm, dt.date]:
    """The asked-for day, or today when none (or a bad one) is given; the form keeps the error."""
    form = DayForm((request.POST if request.method == "POST" else request.GET) or None)
    day = None
    if form.is_bound and form.is_valid():
        day = form.cleaned_data["date"]
    return form, day or timezone.localdate()


@requires(*REPORT_PERMISSIONS)
def daily(request: AuthedRequest) -> HttpResponse:
    """The daily report: one row per community in scope, a total row; counts only."""
    form, day = _report_day(request)
    if not form.is_bound:
        form = DayForm(initial={"date": day})
    today = timezone.localdate()
    report = daily_report(viewer=request.user, day=day)
    return render(
        request,
        "reports/daily.html",
        {
            "form": form,
            "report": report,
            "total": report.total,
            "day": day,
            "previous_day": day - dt.timedelta(days=1),
            "next_day": day + dt.timedelta(days=1) if day < today else None,
            "side_by_side": len(report.rows) > 1,
        },
    )


@require_POST
@requires(*REPORT_PERMISSIONS)
def daily_xlsx(request: AuthedRequest) -> HttpResponse | FileResponse:
    """The same figures as .xlsx in the documented layout; a POST, as the export is audited."""
    form, day = _report_day(request)
    if form.errors:
        return redirect(
            f"{reverse('daily_report')}?{urlencode({'date': form.data.get('date', '')})}"
        )
    workbook = daily_report_export(actor=request.user, day=day)
    return FileResponse(
        workbook, as_attachment=True, filename=f"daily-report-{day.isoformat()}.xlsx"
    )
