"""Pages of control orders: the list (printable), an order with its tests and history, creating
an order from evidence, and the extend / transfer / release / record-test forms. Every write
goes through `services`; these views only parse forms and pick templates."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from frontline.accounts.access import Permission, has_permission, require, requires
from frontline.control import selectors, services
from frontline.control import transition as transitions
from frontline.control.forms import (
    DocumentOrderForm,
    ExtendForm,
    OrderCreateForm,
    ReleaseForm,
    TestResultForm,
    TransferForm,
)
from frontline.control.models import ControlOrder, OrderStatus
from frontline.core.audit import audit_record
from frontline.core.files import private_file_response
from frontline.core.forms import add_service_errors
from frontline.core.http import AuthedRequest
from frontline.core.models import AuditAction
from frontline.core.pagination import paginate
from frontline.policy.models import Category, Measure
from frontline.policy.selectors import rule_set_get

PRINT_LIMIT = 1000


def _filters(request: AuthedRequest) -> dict[str, Any]:
    building = request.GET.get("building", "")
    return {
        "query": request.GET.get("q", "").strip(),
        "category": request.GET.get("category", ""),
        "measure": request.GET.get("measure", ""),
        "status": request.GET.get("status", OrderStatus.ACTIVE),
        "building": int(building) if building.isdigit() else None,
        "sort": request.GET.get("sort", "release"),
    }


def _rows(orders: list[ControlOrder]) -> list[tuple[ControlOrder, selectors.Progress]]:
    return [(order, selectors.progress(order)) for order in orders]


@require_safe
@requires(Permission.VIEW_HEALTH)
def order_list(request: AuthedRequest) -> HttpResponse:
    filters = _filters(request)
    page = paginate(request, selectors.order_list(viewer=request.user, **filters))
    context = {
        **filters, "q": filters["query"], "page": page, "rows": _rows(list(page.object_list)),
        "pending": [] if request.htmx else transitions.pending_transitions(viewer=request.user),
        "categories": Category.choices, "measures": Measure.choices, "statuses": OrderStatus.choices,
        "buildings": selectors.order_buildings(viewer=request.user),
    }  # fmt: skip
    if request.htmx:
        return render(request, "control/list.html#results", context)
    return render(request, "control/list.html", context)


@require_safe
@requires(Permission.VIEW_HEALTH)
def order_print(request: AuthedRequest) -> HttpResponse:
    """The filtered list on paper: names and addresses of people under control, so audited."""
    filters = _filters(request)
    orders = list(selectors.order_list(viewer=request.user, **filters)[:PRINT_LIMIT])
    audit_record(
        actor=request.user, action=AuditAction.EXPORT, label=_("Printable list of control orders"),
        fields=["name", "address", "category"],
        details={"rows": len(orders), **{k: v for k, v in filters.items() if v}},
    )  # fmt: skip
    context = {"rows": _rows(orders), "limit": PRINT_LIMIT, "today": selectors.today()}
    return render(request, "control/print.html", context)


@require_safe
@requires(Permission.VIEW_HEALTH, per_object=True)
def order_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    order = selectors.order_get(viewer=request.user, pk=pk)
    context = {
        "order": order, "progress": selectors.progress(order),
        "evidence": services.order_evidence_words(order),
        "may_manage": has_permission(request.user, Permission.MANAGE_CONTROL),
        "may_record": has_permission(request.user, Permission.RECORD_TESTS),
        "may_override": has_permission(request.user, Permission.OVERRIDE_RELEASE),
    }  # fmt: skip
    return render(request, "control/detail.html", context)


@require_safe
@requires(Permission.VIEW_HEALTH, per_object=True)
def order_document(request: AuthedRequest, pk: int) -> HttpResponse | FileResponse:
    """The sub-district's order document: read through here only, and every opening is audited."""
    order = selectors.order_get(viewer=request.user, pk=pk)
    if not order.document:
        raise Http404
    audit_record(
        actor=request.user, action=AuditAction.REVEAL, target=order,
        community_id=order.community_id, fields=["document"],
    )  # fmt: skip
    return private_file_response(order.document)


# -- create from evidence -----------------------------------------------------------------------

CANDIDATE_DAYS = 30


@require_safe
@requires(Permission.MANAGE_CONTROL)
def candidates(request: AuthedRequest) -> HttpResponse:
    """Evidence of the last 30 days with no order yet, each with its "make an order" button."""
    since = selectors.today() - timedelta(days=CANDIDATE_DAYS)
    context = {
        "found": selectors.candidates(viewer=request.user, since=since),
        "since": since,
        "limit": selectors.CANDIDATE_LIMIT,
    }
    return render(request, "control/candidates.html", context)


def _evidence(request: AuthedRequest) -> tuple[str, Any] | None:
    """The evidence named by the query string (?contact_link=, ?trip_match=, ?checkin=, ?sample=,
    ?resident= for a documented order), read through scoped selectors: 404 outside scope."""
    getters = {
        "contact_link": selectors.contact_link_get,
        "trip_match": selectors.trip_match_get,
        "checkin": selectors.checkin_get,
        "sample": selectors.sample_get,
        "resident": selectors.resident_get,
    }
    for name, getter in getters.items():
        value = request.GET.get(name, "")
        if value:
            if not value.isdigit():
                raise Http404
            return name, getter(viewer=request.user, pk=int(value))
    return None


@requires(Permission.MANAGE_CONTROL)
def order_new(request: AuthedRequest) -> HttpResponse:
    found = _evidence(request)
    if found is None:
        return render(request, "control/new.html", {"evidence": None})
    kind, row = found
    document = kind == "resident"
    resident = row if document else None
    if document:
        categories = list(Category)
        words = _("A documented order from the sub-district, uploaded below.")
    else:
        categories = services.categories_for(row)
        words = services.evidence_words(row)
        resident = services.evidence_resident(row)
    form_class = DocumentOrderForm if document else OrderCreateForm
    initial = {"start": selectors.today(), "category": categories[0] if categories else ""}
    form = form_class(
        request.POST or None, request.FILES or None, categories=categories, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        evidence = (
            services.DocumentEvidence(
                resident=row, file=data["document"], reference=data["reference"]
            )
            if document
            else row
        )
        try:
            order = services.order_create(
                actor=request.user, evidence=evidence, category=data["category"],
                start=data["start"], resident=resident, reason=data["reason"],
            )  # fmt: skip
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The order is made; its sampling tasks are in the inbox."))
            return redirect("control:detail", pk=order.pk)
    context = {
        "evidence": words, "kind": kind, "resident": resident, "form": form,
        "categories": categories,
    }  # fmt: skip
    return render(
        request, "control/new.html", context, status=422 if request.method == "POST" else 200
    )


# -- changes ------------------------------------------------------------------------------------


def _action_page(
    request: AuthedRequest, order: ControlOrder, form: Any, *, title: str, button: str,
    intro: str = "", extra: dict[str, Any] | None = None,
) -> HttpResponse:  # fmt: skip
    context = {
        "order": order, "form": form, "title": title, "button": button, "intro": intro,
        "progress": selectors.progress(order), **(extra or {}),
    }  # fmt: skip
    return render(request, "control/action.html", context, status=422 if form.errors else 200)


def _done(request: AuthedRequest, order: ControlOrder, message: str) -> HttpResponse:
    messages.success(request, message)
    return redirect("control:detail", pk=order.pk)


@requires(Permission.MANAGE_CONTROL, per_object=True)
def order_extend(request: AuthedRequest, pk: int) -> HttpResponse:
    order = selectors.order_get(viewer=request.user, pk=pk)
    require(request.user, Permission.MANAGE_CONTROL, order)
    form = ExtendForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.order_extend(
                actor=request.user, order=order, days=form.cleaned_data["days"],
                reason=form.cleaned_data["reason"], evidence=form.cleaned_data["evidence"],
            )  # fmt: skip
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return _done(request, order, _("The order is extended."))
    return _action_page(request, order, form, title=_("Extend the order"), button=_("Extend"))


@requires(Permission.MANAGE_CONTROL, per_object=True)
def order_transfer(request: AuthedRequest, pk: int) -> HttpResponse:
    order = selectors.order_get(viewer=request.user, pk=pk)
    require(request.user, Permission.MANAGE_CONTROL, order)
    form = TransferForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.order_transfer(
                actor=request.user, order=order, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return _done(request, order, _("The order is closed: transferred to hospital."))
    return _action_page(
        request, order, form, title=_("Transfer to hospital"), button=_("Transfer"),
        intro=_("The order closes and the sampling tasks still open are cancelled."),
    )  # fmt: skip


@requires(Permission.MANAGE_CONTROL, Permission.OVERRIDE_RELEASE, per_object=True)
def order_release(request: AuthedRequest, pk: int) -> HttpResponse:
    order = selectors.order_get(viewer=request.user, pk=pk)
    may_override = has_permission(request.user, Permission.OVERRIDE_RELEASE)
    require(
        request.user,
        Permission.OVERRIDE_RELEASE if may_override else Permission.MANAGE_CONTROL,
        order,
    )
    form = ReleaseForm(request.POST or None, may_override=may_override)
    if request.method == "POST" and form.is_valid():
        try:
            services.order_release(
                actor=request.user, order=order, reason=form.cleaned_data["reason"],
                override=bool(form.cleaned_data.get("override")),
            )  # fmt: skip
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return _done(request, order, _("The resident is released from the order."))
    progress = selectors.progress(order)
    blockers = services.release_blockers_text(progress.release, order.release_on)
    return _action_page(
        request, order, form, title=_("Release"), button=_("Release"),
        extra={"blockers": blockers, "release_page": True},
    )  # fmt: skip


@requires(Permission.RECORD_TESTS, per_object=True)
def test_record(request: AuthedRequest, pk: int) -> HttpResponse:
    test = selectors.test_get(viewer=request.user, pk=pk)
    require(request.user, Permission.RECORD_TESTS, test.order)
    form = TestResultForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.order_record_test(
                actor=request.user, test=test, result=form.cleaned_data["result"],
                sample_reference=form.cleaned_data["sample_reference"],
            )  # fmt: skip
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return _done(request, test.order, _("The result is recorded."))
    context = {"test": test, "order": test.order, "form": form}
    return render(request, "control/test_record.html", context, status=422 if form.errors else 200)


test_record.__test__ = False  # type: ignore[attr-defined]


# -- a new rule set takes over running orders ---------------------------------------------------


@requires(Permission.MANAGE_CONTROL, per_object=True)
def transition(request: AuthedRequest, pk: int) -> HttpResponse:
    """The preview of what a published rule set changes in the running orders of the admin's
    communities, and its confirmation, which applies exactly what the preview showed."""
    rule_set = rule_set_get(viewer=request.user, pk=pk)
    if not rule_set.is_published:
        raise Http404
    errors: list[str] = []
    if request.method == "POST":
        try:
            moved = transitions.transition_apply(
                actor=request.user, rule_set=rule_set,
                fingerprint_seen=request.POST.get("fingerprint", ""),
                reason=request.POST.get("reason", ""),
            )  # fmt: skip
        except ValidationError as error:
            errors = [str(message) for message in error.messages]
        else:
            messages.success(
                request,
                _("%(n)d orders now follow %(rules)s.") % {"n": moved, "rules": rule_set.name},
            )
            return redirect("control:list")
    preview = transitions.transition_preview(viewer=request.user, rule_set=rule_set)
    context = {
        "preview": preview, "rule_set": rule_set, "errors": errors,
        "page": paginate(request, preview.plans), "reason": request.POST.get("reason", ""),
    }  # fmt: skip
    return render(request, "control/transition.html", context, status=409 if errors else 200)


@require_safe
@requires(Permission.EDIT_POLICY, per_object=True)
def transition_impact(request: AuthedRequest, pk: int) -> HttpResponse:
    """For the publish page: per community, how many running orders the rule set would change
    if it took effect on `?effective_from=`. Counts only."""
    rule_set = rule_set_get(viewer=request.user, pk=pk)
    try:
        effective = date.fromisoformat(request.GET.get("effective_from", ""))
    except ValueError:
        effective = None
    rows = (
        transitions.impact(viewer=request.user, rule_set=rule_set, effective=effective)
        if effective
        else []
    )
    context = {"rows": rows, "effective": effective, "rule_set": rule_set}
    return render(request, "control/transition_impact.html", context)
