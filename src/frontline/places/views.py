from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from frontline.accounts.access import Permission, require, requires
from frontline.core.forms import add_service_errors
from frontline.core.http import AuthedRequest
from frontline.places import selectors, services
from frontline.places.distance_import import DistanceImport, walking_distances_import
from frontline.places.forms import DistanceImportForm, HouseholdForm
from frontline.residents.roster import RosterError, check_size
from frontline.residents.selectors import resident_list


@requires(Permission.VIEW_PLACES)
def tree(request: AuthedRequest) -> HttpResponse:
    """The community as a tree with counts; grids and buildings open in place."""
    return render(request, "places/tree.html", {"tree": selectors.grid_tree(viewer=request.user)})


@requires(Permission.VIEW_PLACES, per_object=True)
def grid_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    grid = selectors.grid_get(viewer=request.user, pk=pk)
    context = {"grid": grid, "buildings": selectors.grid_buildings(viewer=request.user, grid=grid)}
    template = "places/grid.html#buildings" if request.htmx else "places/grid.html"
    return render(request, template, context)


@requires(Permission.VIEW_PLACES, per_object=True)
def building_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    building = selectors.building_get(viewer=request.user, pk=pk)
    context = {"building": building, "units": selectors.building_units(building=building)}
    template = "places/building.html#units" if request.htmx else "places/building.html"
    return render(request, template, context)


@requires(Permission.VIEW_RESIDENTS, per_object=True)
def building_sheet(request: AuthedRequest, pk: int) -> HttpResponse:
    """A printable A4 door-to-door sheet: households, names, phone tails, tags, tick columns."""
    building = selectors.building_get(viewer=request.user, pk=pk)
    residents = resident_list(viewer=request.user, building_id=building.pk)
    households: dict[int, list] = {}
    for resident in residents:
        households.setdefault(resident.household_id, []).append(resident)
    return render(
        request,
        "places/building_sheet.html",
        {"building": building, "households": households.values()},
    )


@requires(Permission.VIEW_PLACES, per_object=True)
def household_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    household = selectors.household_get(viewer=request.user, pk=pk)
    residents = resident_list(viewer=request.user, household_id=household.pk, status="all")
    return render(
        request, "places/household.html", {"household": household, "residents": residents}
    )


@requires(Permission.EDIT_PLACES)
def household_create(request: AuthedRequest) -> HttpResponse:
    units = selectors.unit_choices(viewer=request.user)
    form = HouseholdForm(
        request.POST or None, units=units, initial={"unit": request.GET.get("unit")}
    )
    if request.method == "POST" and form.is_valid():
        try:
            household = services.household_create(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect("places:household", pk=household.pk)
    return render(request, "places/household_form.html", {"form": form})


@requires(Permission.EDIT_PLACES, per_object=True)
def household_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    household = selectors.household_get(
        viewer=request.user, pk=pk, permission=Permission.EDIT_PLACES
    )
    units = selectors.unit_choices(viewer=request.user).filter(pk=household.unit_id)
    initial = {
        "unit": household.unit_id,
        "room": household.room,
        "phone": household.phone,
        "notes": household.notes,
    }
    form = HouseholdForm(request.POST or None, units=units, initial=initial)
    form.fields["unit"].disabled = True
    if request.method == "POST" and form.is_valid():
        data = {key: form.cleaned_data[key] for key in ("room", "phone", "notes")}
        try:
            services.household_update(actor=request.user, household=household, **data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect("places:household", pk=household.pk)
    return render(request, "places/household_form.html", {"form": form, "household": household})


@requires(Permission.EDIT_RESIDENTS)
def household_search(request: AuthedRequest) -> HttpResponse:
    """Households matching "3-2-4..." for the move form (an htmx fragment)."""
    households = selectors.household_choices(viewer=request.user, query=request.GET.get("q", ""))
    return render(request, "places/household_choices.html", {"households": households})


@requires(Permission.EDIT_PLACES, per_object=True)
def walking_distances(request: AuthedRequest, pk: int) -> HttpResponse:
    """Import the community's matrix of walking distances between buildings (replacing it)."""
    community = require(
        request.user, Permission.EDIT_PLACES, selectors.community_get(viewer=request.user, pk=pk)
    )
    form = DistanceImportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            check_size(upload.size)
        except RosterError as error:
            result = DistanceImport(file_error=str(error))
        else:
            result = walking_distances_import(
                actor=request.user, community=community, filename=upload.name,
                content=upload.read(), check_only=form.cleaned_data["check_only"],
            )  # fmt: skip
        if result.ok and not form.cleaned_data["check_only"]:
            messages.success(
                request,
                _("Imported %(pairs)s walking distances between %(buildings)s buildings.")
                % {"pairs": result.written, "buildings": result.buildings},
            )
            return redirect("places:walking_distances", pk=community.pk)
    context = {
        "community": community, "form": form, "result": result,
        "summary": selectors.distance_summary(community=community),
    }  # fmt: skip
    status = 422 if result is not None and not result.ok else 200
    return render(request, "places/walking_distances.html", context, status=status)
