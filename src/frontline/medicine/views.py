"""Worker pages of medicine runs: the request list (urgent first) with run planning, one request
with its timeline and steps, a request entered on a resident's behalf, the prescription photo, and
runs (a printable shopping list with the collection form). Writes go through `services`."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from frontline.accounts.access import Permission, has_permission, requires, scoped
from frontline.core.files import private_file_response
from frontline.core.forms import error_dict
from frontline.core.http import AuthedRequest
from frontline.core.masking import mask_name
from frontline.core.numbers import parse_count
from frontline.core.pagination import paginate
from frontline.medicine import selectors, services
from frontline.medicine.forms import typed_request
from frontline.medicine.models import MedicineRequest, MedicineStatus, RequestChannel
from frontline.medicine.urgency import LABELS

STATUS_FILTERS = [
    ("open", gettext_lazy("Open")),
    *MedicineStatus.choices,
    ("", gettext_lazy("All")),
]


def _filters(request: AuthedRequest) -> selectors.RequestFilters:
    return selectors.RequestFilters(
        status=request.GET.get("status", "open"),
        urgent=request.GET.get("urgent") == "1",
        search=request.GET.get("q", "")[:100],
    )


@require_safe
@requires(Permission.HANDLE_REQUESTS)
def request_list(request: AuthedRequest) -> HttpResponse:
    filters = _filters(request)
    page = paginate(request, selectors.request_list(viewer=request.user, filters=filters))
    rows = list(page.object_list)
    runners = {}
    for row in rows:
        if row.status == MedicineStatus.REQUESTED and row.community_id not in runners:
            runners[row.community_id] = services.runner_candidates(row.community)
    context = {
        "page": page, "rows": rows, "filters": filters, "statuses": STATUS_FILTERS,
        "labels": LABELS, "runners": sorted({u for us in runners.values() for u in us},
                                           key=lambda u: u.username),
    }  # fmt: skip
    return render(request, "medicine/list.html", context)


@require_POST
@requires(Permission.HANDLE_REQUESTS)
def run_plan(request: AuthedRequest) -> HttpResponse:
    ids = [n for value in request.POST.getlist("request") if (n := parse_count(value))]
    found = list(selectors.request_list(viewer=request.user, filters=selectors.RequestFilters(
        status="")).filter(pk__in=ids))  # fmt: skip
    runner = next(
        (
            user
            for row in found[:1]
            for user in services.runner_candidates(row.community)
            if str(user.pk) == request.POST.get("runner")
        ),
        None,
    )
    try:
        if runner is None:
            raise ValidationError(_("Choose the requests and someone to fetch them."))
        run = services.run_plan(
            actor=request.user, requests=found, runner=runner,
            pharmacy=request.POST.get("pharmacy", ""),
        )  # fmt: skip
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("medicine:list")
    messages.success(request, _("The run is planned."))
    return redirect("medicine:run", pk=run.pk)


def _who(request: AuthedRequest, row: MedicineRequest) -> str:
    """The person's name for those who handle requests there; a runner sees the surname masked."""
    handles = MedicineRequest.objects.filter(
        scoped(request.user, Permission.HANDLE_REQUESTS, MedicineRequest), pk=row.pk
    ).exists()
    return row.resident.name if handles else mask_name(row.resident.name)


@require_safe
@requires(Permission.HANDLE_REQUESTS, Permission.DELIVER, per_object=True)
def request_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    row = selectors.request_get(viewer=request.user, pk=pk)
    may_handle = has_permission(request.user, Permission.HANDLE_REQUESTS)
    context = {
        "row": row, "events": list(selectors.request_events(row)), "labels": LABELS,
        "may_handle": may_handle, "who": _who(request, row),
        "may_hand_over": row.run is not None and services.may_run(request.user, row.run),
    }  # fmt: skip
    return render(request, "medicine/detail.html", context)


@require_POST
@requires(Permission.HANDLE_REQUESTS, Permission.DELIVER, per_object=True)
def request_step(request: AuthedRequest, pk: int) -> HttpResponse:
    """Cancel (handlers), deliver with the payment, or record a failed hand-over."""
    row = selectors.request_get(viewer=request.user, pk=pk)
    action = request.POST.get("action", "")
    try:
        if action == "cancel":
            services.request_cancel(
                actor=request.user, request=row, reason=request.POST.get("reason", "")
            )
        elif action == "deliver":
            services.request_deliver(
                actor=request.user, request=row, paid=request.POST.get("paid", ""),
                payment_note=request.POST.get("payment_note", ""),
            )  # fmt: skip
        elif action == "not_delivered":
            services.request_not_delivered(
                actor=request.user, request=row, reason=request.POST.get("reason", "")
            )
        else:
            raise ValidationError(_("Choose what to do."))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The request is updated."))
    if row.run_id and request.POST.get("back") == "run":
        return redirect("medicine:run", pk=row.run_id)
    return redirect("medicine:detail", pk=row.pk)


@require_safe
@requires(Permission.HANDLE_REQUESTS, Permission.DELIVER, per_object=True)
def prescription(request: AuthedRequest, pk: int) -> FileResponse:
    row = selectors.request_get(viewer=request.user, pk=pk)
    if not row.prescription:
        raise Http404
    return private_file_response(row.prescription)


@requires(Permission.HANDLE_REQUESTS, per_object=True)
def resident_request_new(request: AuthedRequest, pk: int) -> HttpResponse:
    """Enter a request on a resident's behalf (a phone call, a visit)."""
    resident = selectors.resident_get(viewer=request.user, pk=pk)
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        try:
            row = services.request_submit(
                actor=request.user,
                resident=resident,
                channel=RequestChannel.WORKER,
                **typed_request(request),
            )
        except ValidationError as invalid:
            errors = error_dict(invalid)
        else:
            if row.urgent:
                messages.error(request, _("Urgent medicine: the responsible worker is paged now."))
            else:
                messages.success(request, _("The request is received."))
            return redirect("medicine:detail", pk=row.pk)
    context = {
        "resident": resident, "errors": errors, "posted": request.POST,
        "general_errors": errors.get("__all__", []) + errors.get("member", []),
    }  # fmt: skip
    return render(request, "medicine/new.html", context, status=422 if errors else 200)


@require_safe
@requires(Permission.HANDLE_REQUESTS, Permission.DELIVER)
def run_list(request: AuthedRequest) -> HttpResponse:
    page = paginate(request, selectors.run_list(viewer=request.user))
    return render(request, "medicine/runs.html", {"page": page})


@require_safe
@requires(Permission.HANDLE_REQUESTS, Permission.DELIVER, per_object=True)
def run_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    run = selectors.run_get(viewer=request.user, pk=pk)
    rows = selectors.run_requests(run)
    handles = services.may_plan(request.user, run)
    context = {
        "run": run, "rows": rows, "labels": LABELS,
        "names": {row.pk: row.resident.name if handles else mask_name(row.resident.name)
                  for row in rows},
        "total_cost": sum((row.cost or 0) for row in rows),
        "total_owed": sum(row.owed for row in rows),
    }  # fmt: skip
    return render(request, "medicine/run.html", context)


@require_POST
@requires(Permission.HANDLE_REQUESTS, Permission.DELIVER, per_object=True)
def run_collect(request: AuthedRequest, pk: int) -> HttpResponse:
    run = selectors.run_get(viewer=request.user, pk=pk)
    costs = {
        n: value
        for key, value in request.POST.items()
        if key.startswith("cost_") and (n := parse_count(key.removeprefix("cost_")))
    }
    unavailable = [n for v in request.POST.getlist("unavailable") if (n := parse_count(v))]
    try:
        services.run_collect(actor=request.user, run=run, costs=costs, unavailable=unavailable)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The collection is recorded."))
    return redirect("medicine:run", pk=run.pk)
