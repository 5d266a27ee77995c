"""Pages of the health app: today's overview, not-checked-in lists and call lists, the batch entry
page, household links and their printable QR sheets."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from frontline.accounts.access import Permission, has_permission, requires
from frontline.core.audit import audit_record
from frontline.core.files import private_file_response
from frontline.core.http import AuthedRequest
from frontline.core.models import AuditAction
from frontline.core.pagination import paginate
from frontline.health import selectors, services
from frontline.health.forms import CheckinForm
from frontline.health.models import Antigen, CheckinSource, Symptom, Whereabouts
from frontline.health.qr import qr_svg
from frontline.places.models import Building, Grid

CALL_LIST_LIMIT = 500


@requires(Permission.VIEW_HEALTH)
def overview(request: AuthedRequest) -> HttpResponse:
    """Per grid: today and the check-in rate over the last 14 days; per building (a page of
    them, searchable by number): today's counts."""
    day = selectors.today()
    query = request.GET.get("q", "").strip()
    page = paginate(request, selectors.health_buildings(viewer=request.user, query=query))
    context = {
        "day": day,
        "q": query,
        "page": page,
        "buildings": selectors.buildings_today(
            viewer=request.user, day=day, buildings=list(page.object_list)
        ),
        "rates": selectors.checkin_rates(viewer=request.user, until=day),
        "may_record": has_permission(request.user, Permission.RECORD_HEALTH),
    }
    if request.htmx:
        return render(request, "health/overview.html#buildings", context)
    return render(request, "health/overview.html", context)


def _missing_page(
    request: AuthedRequest, *, building: Building | None = None, grid: Grid | None = None
) -> HttpResponse:
    day = selectors.today()
    query = request.GET.get("q", "").strip()
    residents = selectors.not_checked_in(
        viewer=request.user, day=day, building=building, grid=grid, query=query
    )
    place = building or grid
    if request.GET.get("calls") == "1":
        rows = list(residents[:CALL_LIST_LIMIT])
        audit_record(
            actor=request.user, action=AuditAction.EXPORT, target=place,
            community_id=place.community_id,  # type: ignore[union-attr]
            fields=["name", "phone_tail"], reason=_("Call list of residents not checked in"),
            details={"rows": len(rows), "day": day.isoformat()},
        )  # fmt: skip
        context: dict[str, object] = {
            "place": place,
            "day": day,
            "rows": rows,
            "limit": CALL_LIST_LIMIT,
        }
        return render(request, "health/call_list.html", context)
    page = paginate(request, residents)
    context = {
        "place": place,
        "building": building,
        "grid": grid,
        "day": day,
        "page": page,
        "q": query,
    }
    if request.htmx:
        return render(request, "health/not_checked_in.html#results", context)
    return render(request, "health/not_checked_in.html", context)


@requires(Permission.VIEW_HEALTH, per_object=True)
def building_missing(request: AuthedRequest, pk: int) -> HttpResponse:
    building = selectors.building_get(viewer=request.user, permission=Permission.VIEW_HEALTH, pk=pk)
    return _missing_page(request, building=building)


@requires(Permission.VIEW_HEALTH, per_object=True)
def grid_missing(request: AuthedRequest, pk: int) -> HttpResponse:
    return _missing_page(request, grid=selectors.grid_get(viewer=request.user, pk=pk))


# -- batch entry by workers ---------------------------------------------------------------------


def _row_context(**extra: object) -> dict[str, object]:
    return {"symptoms": Symptom.choices, "antigens": Antigen.choices, "whereabouts": Whereabouts.choices,
            **extra}  # fmt: skip


@requires(Permission.RECORD_HEALTH, per_object=True)
def building_batch(request: AuthedRequest, pk: int) -> HttpResponse:
    """One row per present resident; each row saves on its own."""
    building = selectors.building_get(
        viewer=request.user, permission=Permission.RECORD_HEALTH, pk=pk
    )
    day = selectors.today()
    residents = selectors.batch_rows(viewer=request.user, building=building, day=day)
    return render(
        request,
        "health/batch.html",
        _row_context(building=building, day=day, residents=residents),
    )


@require_POST
@requires(Permission.RECORD_HEALTH, per_object=True)
def resident_checkin(request: AuthedRequest, pk: int) -> HttpResponse:
    """Save one row of the batch page; answers the row again, with its errors (422) if any."""
    resident = selectors.resident_get(
        viewer=request.user, permission=Permission.RECORD_HEALTH, pk=pk
    )
    form = CheckinForm(request.POST)
    errors: list[str] = []
    checkin = None
    if form.is_valid():
        try:
            checkin = services.checkin_record(
                resident=resident, temperature=form.cleaned_data["temperature"],
                symptoms=form.cleaned_data["symptoms"], antigen=form.cleaned_data["antigen"],
                whereabouts=form.cleaned_data["whereabouts"], source=CheckinSource.WORKER_PAGE,
                actor=request.user,
            )  # fmt: skip
        except ValidationError as error:
            errors = error.messages
    else:
        errors = [str(message) for messages_ in form.errors.values() for message in messages_]
    resident.day_checkins = [checkin] if checkin else []  # type: ignore[attr-defined]
    context = _row_context(resident=resident, errors=errors, saved=checkin is not None,
                           posted=request.POST if errors else None,
                           posted_symptoms=request.POST.getlist("symptoms") if errors else [])  # fmt: skip
    return render(request, "health/batch.html#row", context, status=422 if errors else 200)


# -- household links ----------------------------------------------------------------------------


def portal_url(request: AuthedRequest, token: str) -> str:
    return request.build_absolute_uri(reverse("portal:household", kwargs={"token": token}))


@requires(Permission.RECORD_HEALTH, per_object=True)
def building_links(request: AuthedRequest, pk: int) -> HttpResponse:
    building = selectors.building_get(
        viewer=request.user, permission=Permission.RECORD_HEALTH, pk=pk
    )
    households = selectors.building_households(viewer=request.user, building=building)
    return render(request, "health/links.html", {"building": building, "households": households})


@require_POST
@requires(Permission.RECORD_HEALTH, per_object=True)
def building_issue_missing(request: AuthedRequest, pk: int) -> HttpResponse:
    building = selectors.building_get(
        viewer=request.user, permission=Permission.RECORD_HEALTH, pk=pk
    )
    issued = services.building_links_issue_missing(actor=request.user, building=building)
    messages.success(request, _("%(n)d household links issued.") % {"n": issued})
    return redirect("health:building_links", pk=building.pk)


def _sheet(request: AuthedRequest, building: Building, households: list) -> HttpResponse:  # type: ignore[type-arg]
    rows = services.household_links_print(
        actor=request.user, building=building, households=households
    )
    cards = [
        (household, portal_url(request, token), qr_svg(portal_url(request, token)))
        for household, token in rows
        if token
    ]
    missing = [household for household, token in rows if not token]
    context = {"building": building, "cards": cards, "missing": missing}
    return render(request, "health/sheet.html", context)


@requires(Permission.RECORD_HEALTH, per_object=True)
def building_sheet(request: AuthedRequest, pk: int) -> HttpResponse:
    """An A4 sheet with every household's QR code and address, to print and post on doors."""
    building = selectors.building_get(
        viewer=request.user, permission=Permission.RECORD_HEALTH, pk=pk
    )
    households = [
        h for h, _link in selectors.building_households(viewer=request.user, building=building)
    ]
    return _sheet(request, building, households)


@requires(Permission.RECORD_HEALTH, per_object=True)
def household_sheet(request: AuthedRequest, pk: int) -> HttpResponse:
    household = selectors.household_get(viewer=request.user, pk=pk)
    return _sheet(request, household.unit.building, [household])


@require_POST
@requires(Permission.RECORD_HEALTH, per_object=True)
def household_issue(request: AuthedRequest, pk: int) -> HttpResponse:
    """Issue (or re-issue, revoking the old) the household's link and show it once."""
    household = selectors.household_get(viewer=request.user, pk=pk)
    link, token = services.household_link_issue(actor=request.user, household=household)
    url = portal_url(request, token)
    context = {"household": household, "link": link, "url": url, "qr": qr_svg(url)}
    return render(request, "health/link_issued.html", context)


@require_POST
@requires(Permission.RECORD_HEALTH, per_object=True)
def link_revoke(request: AuthedRequest, pk: int) -> HttpResponse:
    link = selectors.link_get(viewer=request.user, pk=pk)
    services.household_link_revoke(actor=request.user, link=link)
    messages.success(
        request, _("The link of %(address)s no longer works.") % {"address": link.household.label}
    )
    return redirect("health:building_links", pk=link.household.unit.building_id)


@requires(Permission.VIEW_HEALTH, per_object=True)
def checkin_photo(request: AuthedRequest, pk: int) -> HttpResponse | FileResponse:
    """The antigen photo of a check-in: health detail, so every opening is audited."""
    checkin = selectors.checkin_get(viewer=request.user, pk=pk)
    if not checkin.antigen_photo:
        return HttpResponse(status=404)
    audit_record(
        actor=request.user, action=AuditAction.REVEAL, target=checkin, community_id=checkin.community_id,
        fields=["antigen_photo"], label=f"{checkin} · {checkin.resident_id}",
    )  # fmt: skip
    return private_file_response(checkin.antigen_photo)
