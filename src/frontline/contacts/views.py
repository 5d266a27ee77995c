from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.paginator import Paginator
from django.forms import ChoiceField
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from frontline.accounts.access import Permission, has_permission, require, requires
from frontline.contacts import imports, selectors, services
from frontline.contacts.forms import CaseForm, LinkForm
from frontline.contacts.models import LinkType
from frontline.core.audit import audit_record
from frontline.core.forms import add_service_errors
from frontline.core.http import AuthedRequest
from frontline.core.models import AuditAction
from frontline.core.pagination import paginate
from frontline.residents.roster.reading import MAX_UPLOAD_BYTES

CHAIN_PAGE_SIZE = 50
PRINT_LIMIT = 5000
SOURCE_CHOICES_LIMIT = 300


def _picked(request: AuthedRequest, field: str) -> dict[str, object] | None:
    """The resident chosen before a failed submit, so the form shows them chosen again."""
    value = request.POST.get(field, "")
    resident = (
        selectors.contact_resident_get(viewer=request.user, pk=int(value))
        if value.isdigit()
        else None
    )
    return (
        {"residents": [resident], "field": field, "q": "1", "checked": True} if resident else None
    )


def _degree_filter(request: AuthedRequest) -> int | None:
    """`?degree=1` shows close contacts only, `2` contacts of contacts, and so on."""
    value = request.GET.get("degree", "")
    return int(value) if value.lstrip("-").isdigit() else None


@requires(Permission.VIEW_HEALTH)
def case_list(request: AuthedRequest) -> HttpResponse:
    """Confirmed cases in the viewer's scope; htmx swaps only the results while typing."""
    query = request.GET.get("q", "")
    sort = request.GET.get("sort", "-confirmed")
    cases = selectors.case_list(viewer=request.user, query=query, sort=sort)
    context = {
        "page": paginate(request, cases),
        "q": query,
        "sort": sort,
        "may_record": has_permission(request.user, Permission.RECORD_HEALTH),
    }
    template = "contacts/case_list.html#results" if request.htmx else "contacts/case_list.html"
    return render(request, template, context)


@requires(Permission.RECORD_HEALTH)
def resident_search(request: AuthedRequest) -> HttpResponse:
    """The resident picker of the case and contact forms (an htmx fragment)."""
    query = request.GET.get("q", "")
    field = request.GET.get("field", "resident")
    if field not in {"resident", "contact_resident"}:
        field = "resident"
    residents = selectors.contact_candidates(viewer=request.user, query=query)
    return render(
        request,
        "contacts/resident_picker.html",
        {"residents": residents, "field": field, "q": query},
    )


@requires(Permission.RECORD_HEALTH)
def case_create(request: AuthedRequest) -> HttpResponse:
    communities = selectors.record_communities(viewer=request.user)
    form = CaseForm(request.POST or None)
    cast(ChoiceField, form.fields["community"]).choices = [("", "—")] + [
        (c.pk, c.name) for c in communities
    ]
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        resident = selectors.contact_resident_get(viewer=request.user, pk=data["resident"])
        community = next((c for c in communities if c.pk == data["community"]), None)
        if data["resident"] and resident is None:
            form.add_error(None, _("Choose a resident from the search results."))
        else:
            try:
                case = services.case_record(
                    actor=request.user, confirmed_on=data["confirmed_on"],
                    reference=data["reference"], resident=resident,
                    outside_name=data["outside_name"], outside_phone=data["outside_phone"],
                    community=community,
                )  # fmt: skip
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                return redirect("contacts:case", pk=case.pk)
    picked = _picked(request, "resident")
    return render(request, "contacts/case_form.html", {"form": form, "picked": picked})


@requires(Permission.VIEW_HEALTH, per_object=True)
def case_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    """One case: counts per degree, the graph (drawn from `case_graph`) and the chain table."""
    case = selectors.case_get(viewer=request.user, pk=pk)
    chain = selectors.chain_of(viewer=request.user, case=case)
    degree = _degree_filter(request)
    rows = [row for row in chain.rows() if degree is None or row.person.degree == degree]
    page = Paginator(rows, CHAIN_PAGE_SIZE).get_page(request.GET.get("page"))
    counts = chain.counts()
    context = {
        "case": case,
        "index": chain.people[0],
        "page": page,
        "degree": degree,
        "counts": [
            (d, selectors.degree_label(d), n)
            for d, n in sorted(counts.items(), key=lambda i: (i[0] < 0, i[0]))
        ],
        "total": len(rows),
        "may_record": has_permission(request.user, Permission.RECORD_HEALTH),
    }
    template = "contacts/case_detail.html#chain" if request.htmx else "contacts/case_detail.html"
    return render(request, template, context)


@requires(Permission.VIEW_HEALTH, per_object=True)
def case_graph(request: AuthedRequest, pk: int) -> JsonResponse:
    """The chain as compact arrays for the graph (see `selectors.chain_graph`)."""
    case = selectors.case_get(viewer=request.user, pk=pk)
    graph = selectors.chain_graph(selectors.chain_of(viewer=request.user, case=case))
    return JsonResponse(graph, json_dumps_params={"separators": (",", ":"), "ensure_ascii": False})


@requires(Permission.VIEW_HEALTH, per_object=True)
def case_print(request: AuthedRequest, pk: int) -> HttpResponse:
    """The whole chain table for paper; printing a list of people is recorded like an export."""
    case = selectors.case_get(viewer=request.user, pk=pk)
    chain = selectors.chain_of(viewer=request.user, case=case)
    degree = _degree_filter(request)
    rows = [row for row in chain.rows() if degree is None or row.person.degree == degree]
    audit_record(
        actor=request.user, action=AuditAction.EXPORT, target=case, label=str(case),
        community_id=case.community_id, details={"rows": min(len(rows), PRINT_LIMIT), "format": "print", "degree": degree},
    )  # fmt: skip
    return render(
        request,
        "contacts/case_print.html",
        {"case": case, "index": chain.people[0], "rows": rows[:PRINT_LIMIT], "total": len(rows),
         "limit": PRINT_LIMIT},
    )  # fmt: skip


@requires(Permission.RECORD_HEALTH, per_object=True)
def link_create(request: AuthedRequest, pk: int) -> HttpResponse:
    """Record a contact of the index person, or of someone already in the chain."""
    case = require(
        request.user, Permission.RECORD_HEALTH, selectors.case_get(viewer=request.user, pk=pk)
    )
    chain = selectors.chain_of(viewer=request.user, case=case)
    wanted = request.POST.get("source") or request.GET.get("source") or chain.people[0].key
    choices = [
        (
            person.key,
            f"{person.name} · {selectors.degree_label(person.degree) if person.degree else _('Index case')}",
        )
        for i, person in enumerate(chain.people)
        if i <= SOURCE_CHOICES_LIMIT or person.key == wanted
    ]
    form = LinkForm(request.POST or None, initial={"source": wanted, "link_type": LinkType.OTHER})
    cast(ChoiceField, form.fields["source"]).choices = choices
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        resident = selectors.contact_resident_get(viewer=request.user, pk=data["contact_resident"])
        if data["contact_resident"] and resident is None:
            form.add_error(None, _("Choose a resident from the search results."))
        else:
            try:
                services.link_record(
                    actor=request.user, case=case, source=data["source"],
                    contact_resident=resident, contact_name=data["contact_name"],
                    contact_phone=data["contact_phone"], met_on=data["met_on"],
                    met_at=data["met_at"], place=data["place"], link_type=data["link_type"],
                    notes=data["notes"],
                )  # fmt: skip
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                return redirect("contacts:case", pk=case.pk)
    picked = _picked(request, "contact_resident")
    return render(
        request,
        "contacts/link_form.html",
        {"form": form, "case": case, "index": chain.people[0], "picked": picked},
    )


@requires(Permission.VIEW_AGGREGATES)
def summary(request: AuthedRequest) -> HttpResponse:
    """Cases and links per community, for those who see aggregates only."""
    return render(
        request, "contacts/summary.html", {"rows": selectors.contact_summary(viewer=request.user)}
    )


@requires(Permission.RECORD_HEALTH, per_object=True)
def case_import(request: AuthedRequest, pk: int) -> HttpResponse:
    """Upload contacts from .xlsx/.csv, see every row checked, then confirm to write them all."""
    case = require(
        request.user, Permission.RECORD_HEALTH, selectors.case_get(viewer=request.user, pk=pk)
    )
    check = None
    if request.method == "POST" and request.POST.get("signed"):
        check = imports.contacts_commit(
            actor=request.user, case=case, signed=request.POST["signed"]
        )
        if check.ok:
            messages.success(
                request,
                ngettext("%(n)d contact imported.", "%(n)d contacts imported.", len(check.rows))
                % {"n": len(check.rows)},
            )
            return redirect("contacts:case", pk=case.pk)
    elif request.method == "POST" and "file" in request.FILES:
        upload = cast(UploadedFile, request.FILES["file"])
        if upload.size and upload.size > MAX_UPLOAD_BYTES:
            check = imports.ContactCheck(rows=[], problem=_("The file is too large."))
        else:
            check = imports.contacts_check(
                actor=request.user, case=case, data=upload.read(), filename=upload.name or ""
            )
    return render(request, "contacts/import.html", {"case": case, "check": check})
