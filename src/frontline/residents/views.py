from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpResponse, QueryDict
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from frontline.accounts.access import Permission, has_permission, requires
from frontline.core.forms import add_service_errors
from frontline.core.http import AuthedRequest
from frontline.core.pagination import paginate
from frontline.places.selectors import household_get
from frontline.residents import selectors, services, vulnerable
from frontline.residents.exports import resident_export as resident_export_xlsx
from frontline.residents.forms import MoveForm, ReasonForm, ResidentForm, RevealForm
from frontline.residents.models import ResidentStatus, Tag
from frontline.residents.validation import EDITABLE_FIELDS


def list_filters(params: QueryDict) -> dict[str, Any]:
    """The resident-list filters of a query string, as `selectors.resident_list` takes them."""
    return {
        "query": params.get("q", ""),
        "status": params.get("status", ""),
        "tags": [tag for tag in params.getlist("tag") if tag],
        "sort": params.get("sort", "address"),
    }


@requires(Permission.VIEW_RESIDENTS)
def resident_list(request: AuthedRequest) -> HttpResponse:
    """Search and filter residents; htmx swaps only the result table while typing."""
    params = request.GET
    residents = selectors.resident_list(viewer=request.user, **list_filters(params))
    context = {
        "page": paginate(request, residents),
        "q": params.get("q", ""),
        "status": params.get("status", ""),
        "selected_tags": params.getlist("tag"),
        "sort": params.get("sort", "address"),
        "statuses": ResidentStatus.choices,
        "may_reveal": has_permission(request.user, Permission.REVEAL_IDENTITY),
        "tags": Tag.choices,
    }
    template = "residents/list.html#results" if request.htmx else "residents/list.html"
    return render(request, template, context)


@requires(Permission.VIEW_RESIDENTS)
def resident_export(request: AuthedRequest) -> HttpResponseBase:
    """The filtered list as .xlsx: GET for masked numbers, POST with a reason for full ones."""
    params = request.POST if request.method == "POST" else request.GET
    filters = list_filters(params)
    full = request.method == "POST" and params.get("full_numbers") == "1"
    try:
        workbook = resident_export_xlsx(
            actor=request.user,
            residents=selectors.resident_list(viewer=request.user, **filters),
            filters=filters,
            full_numbers=full,
            reason=params.get("reason", ""),
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect(f"{reverse('residents:list')}?{params.urlencode()}")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return FileResponse(workbook, as_attachment=True, filename=f"residents-{stamp}.xlsx")


@requires(Permission.VIEW_RESIDENTS, per_object=True)
def resident_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    resident = selectors.resident_get(viewer=request.user, pk=pk)
    return render(
        request,
        "residents/detail.html",
        {
            "resident": resident,
            "may_reveal": has_permission(request.user, Permission.REVEAL_IDENTITY),
        },
    )


@requires(Permission.REVEAL_IDENTITY, per_object=True)
def resident_reveal(request: AuthedRequest, pk: int) -> HttpResponse:
    """POST a field and a reason; answer the unmasked value (an htmx fragment)."""
    resident = selectors.resident_get(viewer=request.user, pk=pk)
    form = RevealForm(request.POST or None)
    value = None
    if request.method == "POST" and form.is_valid():
        try:
            value = services.resident_reveal(
                actor=request.user, resident=resident, field=form.cleaned_data["field"],
                reason=form.cleaned_data["reason"],
            )  # fmt: skip
        except ValidationError as error:
            add_service_errors(form, error)
    context = {
        "resident": resident,
        "form": form,
        "value": value,
        "field": request.POST.get("field", ""),
    }
    return render(
        request, "residents/reveal.html", context, status=200 if value or not form.errors else 422
    )


@requires(Permission.EDIT_RESIDENTS, per_object=True)
def resident_create(request: AuthedRequest) -> HttpResponse:
    household = household_get(
        viewer=request.user,
        pk=int(request.GET.get("household") or 0),
        permission=Permission.EDIT_RESIDENTS,
    )
    form = ResidentForm(request.POST or None, initial={"status": ResidentStatus.PRESENT})
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        tags = data.pop("tags")
        try:
            resident = services.resident_register(
                actor=request.user, household=household, tags=tags, **data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect("residents:detail", pk=resident.pk)
    return render(request, "residents/form.html", {"form": form, "household": household})


@requires(Permission.EDIT_RESIDENTS, per_object=True)
def resident_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    resident = selectors.resident_get(viewer=request.user, pk=pk)
    initial = {field: getattr(resident, field) for field in EDITABLE_FIELDS}
    initial["tags"] = [tag.tag for tag in resident.tags.all()]
    # The number itself is never put in a page: an empty box keeps it, a new value replaces it.
    initial["document_number"] = ""
    form = ResidentForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        tags = data.pop("tags")
        if not data["document_number"]:
            data.pop("document_number")
        try:
            services.resident_update(actor=request.user, resident=resident, tags=tags, **data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect("residents:detail", pk=resident.pk)
    return render(
        request,
        "residents/form.html",
        {"form": form, "resident": resident, "household": resident.household},
    )


@requires(Permission.EDIT_RESIDENTS, per_object=True)
def resident_move(request: AuthedRequest, pk: int) -> HttpResponse:
    resident = selectors.resident_get(viewer=request.user, pk=pk)
    form = MoveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        household = household_get(
            viewer=request.user,
            pk=form.cleaned_data["household"],
            permission=Permission.EDIT_RESIDENTS,
        )
        try:
            services.resident_move(
                actor=request.user,
                resident=resident,
                household=household,
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect("residents:detail", pk=resident.pk)
    return render(request, "residents/move.html", {"form": form, "resident": resident})


@requires(Permission.EDIT_RESIDENTS, per_object=True)
def resident_move_out(request: AuthedRequest, pk: int) -> HttpResponse:
    resident = selectors.resident_get(viewer=request.user, pk=pk)
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.resident_mark_moved_out(
            actor=request.user, resident=resident, reason=form.cleaned_data["reason"]
        )
        return redirect("residents:detail", pk=resident.pk)
    return render(request, "residents/move_out.html", {"form": form, "resident": resident})


PRINT_LIMIT = 2000


@requires(Permission.VIEW_RESIDENTS)
def vulnerable_list(request: AuthedRequest) -> HttpResponse:
    """重点人群: by tag, with the last contact and the responsible grid worker; printable."""
    tags = [tag for tag in request.GET.getlist("tag") if tag]
    days_text = request.GET.get("days", "")
    days = int(days_text) if days_text.isdigit() else None
    residents = vulnerable.vulnerable_list(viewer=request.user, tags=tags, not_contacted_days=days)
    printing = request.GET.get("print") == "1"
    rows = list(residents[:PRINT_LIMIT]) if printing else None
    page = None if printing else paginate(request, residents)
    shown = rows if rows is not None else list(page.object_list)  # type: ignore[union-attr]
    responsible = vulnerable.responsible_by_grid({r.household.unit.building.grid_id for r in shown})
    for resident in shown:
        resident.responsible = responsible.get(resident.household.unit.building.grid_id, "")  # type: ignore[union-attr, attr-defined]
    context = {
        "page": page, "rows": shown, "printing": printing, "tags": Tag.choices, "selected_tags": tags,
        "days": days_text, "print_limit": PRINT_LIMIT,
    }  # fmt: skip
    return render(request, "residents/vulnerable.html", context)
