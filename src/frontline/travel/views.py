"""Pages: risk areas (list, add, edit, end, import), a resident's trips, trip import, screening."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from frontline.accounts.access import Permission, has_permission, require, requires
from frontline.core.forms import add_service_errors
from frontline.core.http import AuthedRequest
from frontline.core.pagination import paginate
from frontline.policy.models import ZoneLevel
from frontline.travel import imports, selectors, services
from frontline.travel.exports import match_export
from frontline.travel.forms import ImportForm, ReasonForm, RiskAreaForm, TripForm
from frontline.travel.models import TripSource
from frontline.travel.places import MatchKind

# -- risk areas -----------------------------------------------------------------------------------


@requires(Permission.VIEW_HEALTH, per_object=True)
def risk_area_list(request: AuthedRequest) -> HttpResponse:
    """Installation-wide: for users with health data, and for those who manage the list."""
    if not selectors.may_see_risk_areas(request.user):
        raise PermissionDenied
    params = request.GET
    filters: dict[str, Any] = {
        "query": params.get("q", ""),
        "level": params.get("level", ""),
        "state": params.get("state", ""),
        "sort": params.get("sort", "-valid_from"),
    }
    areas = selectors.risk_area_list(viewer=request.user, **filters)
    context = {
        "page": paginate(request, areas),
        "levels": ZoneLevel.choices,
        "may_manage": has_permission(request.user, Permission.MANAGE_RISK_AREAS),
        "today": timezone.localdate(),
        **filters,
    }
    template = "travel/area_list.html#results" if request.htmx else "travel/area_list.html"
    return render(request, template, context)


@requires(Permission.MANAGE_RISK_AREAS)
def risk_area_create(request: AuthedRequest) -> HttpResponse:
    form = RiskAreaForm(request.POST or None, initial={"valid_from": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            services.risk_area_create(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Risk area added and trips screened."))
            return redirect("travel:areas")
    return render(request, "travel/area_form.html", {"form": form})


@requires(Permission.MANAGE_RISK_AREAS, per_object=True)
def risk_area_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    area = selectors.risk_area_get(viewer=request.user, pk=pk)
    if not has_permission(request.user, Permission.MANAGE_RISK_AREAS):
        raise PermissionDenied
    initial = {field: getattr(area, field) for field in services.AREA_FIELDS}
    form = RiskAreaForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.risk_area_update(actor=request.user, area=area, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Risk area saved and trips screened again."))
            return redirect("travel:areas")
    return render(request, "travel/area_form.html", {"form": form, "area": area})


@require_POST
@requires(Permission.MANAGE_RISK_AREAS, per_object=True)
def risk_area_end(request: AuthedRequest, pk: int) -> HttpResponse:
    """The area stops being a risk area today."""
    area = selectors.risk_area_get(viewer=request.user, pk=pk)
    services.risk_area_end(actor=request.user, area=area)
    messages.success(request, _("“%(name)s” ends today.") % {"name": area.name})
    return redirect("travel:areas")


def _import_page(
    request: AuthedRequest, *, run: Any, template_title: str, done_url: str
) -> HttpResponse:
    form = ImportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        result = run(
            actor=request.user,
            filename=upload.name,
            content=upload.read(),
            check_only=form.cleaned_data["check_only"],
        )
        if result.ok and result.written:
            messages.success(request, _("Imported %(n)s rows.") % {"n": result.written})
            return redirect(done_url)
    status = 422 if result is not None and not result.ok else 200
    return render(
        request,
        "travel/import.html",
        {"form": form, "result": result, "title": template_title},
        status=status,
    )


@requires(Permission.MANAGE_RISK_AREAS)
def risk_area_import(request: AuthedRequest) -> HttpResponse:
    return _import_page(
        request,
        run=imports.risk_area_import,
        template_title=_("Import risk areas"),
        done_url="travel:areas",
    )


# -- trips ----------------------------------------------------------------------------------------


@requires(Permission.VIEW_HEALTH, per_object=True)
def resident_trips(request: AuthedRequest, pk: int) -> HttpResponse:
    """A resident's trips and matches; POST records a trip. `?fragment=1` answers the panel only."""
    resident = selectors.resident_for_health(viewer=request.user, pk=pk)
    may_record = has_permission(request.user, Permission.RECORD_HEALTH)
    form = TripForm(request.POST or None, initial={"date_to": timezone.localdate()})
    status = 200
    if request.method == "POST":
        require(request.user, Permission.RECORD_HEALTH, resident)
        if form.is_valid():
            try:
                services.trip_record(
                    actor=request.user, resident=resident, source=TripSource.WORKER,
                    **form.cleaned_data,
                )  # fmt: skip
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Trip recorded and screened."))
                return redirect("travel:resident_trips", pk=resident.pk)
        status = 422
    travel = selectors.resident_travel(viewer=request.user, resident=resident)
    context = {"resident": resident, "travel": travel, "form": form, "may_record": may_record}
    if request.GET.get("fragment"):
        return render(request, "travel/resident_trips.html#panel", context)
    return render(request, "travel/resident_trips_page.html", context, status=status)


@require_POST
@requires(Permission.RECORD_HEALTH, per_object=True)
def trip_remove(request: AuthedRequest, pk: int) -> HttpResponse:
    trip = selectors.trip_get(viewer=request.user, pk=pk)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give a reason for removing the trip."))
    else:
        services.trip_remove(actor=request.user, trip=trip, reason=form.cleaned_data["reason"])
        messages.success(request, _("Trip removed."))
    return redirect("travel:resident_trips", pk=trip.resident_id)


@requires(Permission.RECORD_HEALTH)
def trip_import(request: AuthedRequest) -> HttpResponse:
    return _import_page(
        request,
        run=imports.trip_import,
        template_title=_("Import trips"),
        done_url="travel:screening",
    )


# -- screening ------------------------------------------------------------------------------------


def _day(text: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text) if text else None
    except ValueError:
        return None


def screening_filters(params: QueryDict) -> dict[str, Any]:
    return {
        "level": params.get("level", "") if params.get("level") in ZoneLevel.values else "",
        "kind": params.get("kind", "") if params.get("kind") in MatchKind else "",
        "since": _day(params.get("since")),
        "until": _day(params.get("until")),
    }


@requires(Permission.VIEW_HEALTH)
def screening(request: AuthedRequest) -> HttpResponse:
    """Matches of the viewer's residents' trips against risk areas, newest first, with evidence."""
    filters = screening_filters(request.GET)
    matches = selectors.match_list(viewer=request.user, **filters)
    context = {
        "page": paginate(request, matches),
        "levels": ZoneLevel.choices,
        "kinds": [(MatchKind.MATCH.value, _("Match")), (MatchKind.POSSIBLE.value, _("Possible"))],
        **filters,
    }
    template = "travel/screening.html#results" if request.htmx else "travel/screening.html"
    return render(request, template, context)


@requires(Permission.VIEW_HEALTH)
def screening_export(request: AuthedRequest) -> FileResponse:
    filters = screening_filters(request.GET)
    workbook = match_export(
        actor=request.user,
        matches=selectors.match_list(viewer=request.user, **filters),
        filters=filters,
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return FileResponse(workbook, as_attachment=True, filename=f"trip-screening-{stamp}.xlsx")
