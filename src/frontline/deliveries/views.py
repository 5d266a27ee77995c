"""Pages of distribution rounds: the list, planning a draft, the preview with the start
confirmation, a round's progress and shortfalls (printable), its batches, a batch's route
(printable), and the volunteer's phone page of their deliveries. Every write goes through
`services`."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from frontline.accounts.access import Permission, requires
from frontline.accounts.models import User
from frontline.core.files import private_file_response
from frontline.core.forms import add_service_errors
from frontline.core.http import AuthedRequest
from frontline.core.numbers import parse_count
from frontline.core.pagination import paginate
from frontline.deliveries import selectors, services
from frontline.deliveries.forms import RoundForm
from frontline.deliveries.models import (
    Batch,
    Delivery,
    DistributionRound,
    FailureReason,
    RoundStatus,
    priority_choices,
)
from frontline.deliveries.route_sheet import route_sheet
from frontline.supplies.selectors import supply_communities


@require_safe
@requires(Permission.MANAGE_SUPPLIES)
def round_list(request: AuthedRequest) -> HttpResponse:
    page = paginate(request, selectors.round_list(viewer=request.user))
    return render(request, "deliveries/round_list.html", {"page": page})


def _save(request: AuthedRequest, round: DistributionRound | None) -> HttpResponse:
    communities = supply_communities(viewer=request.user)
    form = RoundForm(request.POST or None, communities=communities, round=round)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                saved = services.round_save(
                    actor=request.user, community=data["community"], name=data["name"],
                    warehouse=data["warehouse"], lines=form.lines(),
                    grid_ids=[grid.pk for grid in data["grids"]],
                    building_ids=[building.pk for building in data["buildings"]],
                    priority=form.priority(), trip_capacity=data["trip_capacity"], round=round,
                )  # fmt: skip
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                return redirect("deliveries:round_preview", pk=saved.pk)
        status = 422
    context = {"form": form, "round": round}
    return render(request, "deliveries/round_form.html", context, status=status)


@requires(Permission.MANAGE_SUPPLIES)
def round_new(request: AuthedRequest) -> HttpResponse:
    return _save(request, None)


@requires(Permission.MANAGE_SUPPLIES, per_object=True)
def round_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    round = selectors.round_get(viewer=request.user, pk=pk)
    if round.status != RoundStatus.DRAFT:
        messages.error(request, _("Only a draft round can be changed."))
        return redirect("deliveries:round", pk=round.pk)
    return _save(request, round)


def _group_labels(groups: list[str]) -> list[str]:
    labels = dict(priority_choices())
    return [str(labels[group]) for group in groups if group in labels]


def _plan_context(round: DistributionRound) -> dict[str, object]:
    """What `_round_plan.html` shows: the lines, the scope and the priority order."""
    return {
        "lines": selectors.round_lines(round),
        "grids": list(round.grids.order_by("name")),
        "buildings": list(round.buildings.order_by("number")),
        "priority": _group_labels(round.priority),
    }


@require_safe
@requires(Permission.MANAGE_SUPPLIES, per_object=True)
def round_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    """The round: its lines and scope; once started, progress per building, stock per item,
    the batches and the households left short (the page prints as the round's report)."""
    round = selectors.round_get(viewer=request.user, pk=pk)
    context: dict[str, object] = {"round": round, **_plan_context(round)}
    if round.status != RoundStatus.DRAFT:
        progress = selectors.round_progress(round)
        context |= {
            "progress": progress,
            "totals": {
                "households": sum(row.households for row in progress),
                "delivered": sum(row.delivered for row in progress),
                "to_carry": sum(row.to_carry for row in progress),
            },
            "items": selectors.item_totals(round),
            "batches": selectors.round_batches(round),
            "shortfalls": list(selectors.round_shortfalls(round)),
        }
    return render(request, "deliveries/round_detail.html", context)


@require_safe
@requires(Permission.MANAGE_SUPPLIES, per_object=True)
def round_preview(request: AuthedRequest, pk: int) -> HttpResponse:
    """What starting would do with the stock available now, and the button to start."""
    round = selectors.round_get(viewer=request.user, pk=pk)
    if round.status != RoundStatus.DRAFT:
        return redirect("deliveries:round", pk=round.pk)
    preview = services.round_preview(round=round)
    items = {need.item.pk: need.item for need in preview.items}
    short = [
        (
            preview.households[share.household_id],
            _group_labels(list(share.groups)),
            [(items[item_id], share.entitled[item_id], share.allocated.get(item_id, 0))
             for item_id in sorted(share.shortfall)],
        )
        for share in preview.allocation.short_shares
    ]  # fmt: skip
    context = {
        "round": round, "preview": preview, "short": short, **_plan_context(round),
    }  # fmt: skip
    return render(request, "deliveries/round_preview.html", context)


@require_POST
@requires(Permission.MANAGE_SUPPLIES, per_object=True)
def round_start(request: AuthedRequest, pk: int) -> HttpResponse:
    round = selectors.round_get(viewer=request.user, pk=pk)
    try:
        round = services.round_start(
            actor=request.user, round=round, fingerprint=request.POST.get("fingerprint", "")
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("deliveries:round_preview", pk=round.pk)
    messages.success(request, _("The round has started and its stock is reserved."))
    return redirect("deliveries:round_batches", pk=round.pk)


@require_POST
@requires(Permission.MANAGE_SUPPLIES, per_object=True)
def round_close(request: AuthedRequest, pk: int) -> HttpResponse:
    round = selectors.round_get(viewer=request.user, pk=pk)
    try:
        services.round_close(actor=request.user, round=round)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, _("The round is closed; what was still reserved is back in stock.")
        )
    return redirect("deliveries:round", pk=round.pk)


# -- batches and routes -------------------------------------------------------------------------


def _route_message(request: AuthedRequest, batch: Batch) -> None:
    """Plan the batch's route; say why when it cannot be (no positions on the site plan)."""
    try:
        services.batch_route_compute(actor=request.user, batch=batch)
    except ValidationError as error:
        messages.warning(request, _("No route yet: %(why)s") % {"why": " ".join(error.messages)})


@requires(Permission.MANAGE_SUPPLIES, per_object=True)
def round_batches(request: AuthedRequest, pk: int) -> HttpResponse:
    """The round's batches, and a new one: buildings not yet in a batch and a volunteer."""
    round = selectors.round_get(viewer=request.user, pk=pk)
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        chosen = [n for v in request.POST.getlist("buildings") if (n := parse_count(v))]
        volunteer_id = request.POST.get("volunteer", "")
        volunteer = (
            selectors.volunteer_candidates(round).filter(pk=parse_count(volunteer_id) or 0).first()
        )
        try:
            batch = services.batch_create(
                actor=request.user, round=round, building_ids=chosen, volunteer=volunteer
            )
        except ValidationError as error:
            errors = error.message_dict if hasattr(error, "error_dict") else {"": error.messages}
        else:
            messages.success(request, _("%(batch)s is given to %(name)s.")
                             % {"batch": batch, "name": volunteer})  # fmt: skip
            _route_message(request, batch)
            return redirect("deliveries:round_batches", pk=round.pk)
    context = {
        "round": round, "batches": selectors.round_batches(round),
        "open_buildings": selectors.unbatched_buildings(round),
        "volunteers": list(selectors.volunteer_candidates(round)), "errors": errors,
    }  # fmt: skip
    return render(request, "deliveries/round_batches.html", context, status=422 if errors else 200)


@require_safe
@requires(Permission.MANAGE_SUPPLIES, Permission.DELIVER, per_object=True)
def batch_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    """The batch's route: stops numbered trip by trip, the schematic board, and the parcels per
    building with address and phone tail (the page prints as the volunteer's sheet)."""
    batch = selectors.batch_get(viewer=request.user, pk=pk)
    buildings = {building.pk: building for building in selectors.batch_buildings(batch)}
    route = batch.route or {}
    sheet = route_sheet(
        trips=route.get("trips", []), buildings=buildings,
        depot=batch.round.warehouse.building,
        parcels={int(key): n for key, n in route.get("parcels", {}).items()},
    )  # fmt: skip
    deliveries = list(selectors.batch_deliveries(batch))
    order = _stop_order(batch)
    deliveries.sort(key=lambda d: (order.get(d.building_id, len(order)), d.address_key, d.pk))
    may_plan = supply_communities(viewer=request.user).filter(pk=batch.round.community_id).exists()
    context = {
        "batch": batch, "round": batch.round, "sheet": sheet, "route": route,
        "deliveries": deliveries, "may_plan": may_plan,
        "volunteers": list(selectors.volunteer_candidates(batch.round)) if may_plan else [],
    }  # fmt: skip
    return render(request, "deliveries/batch_detail.html", context)


def _stop_order(batch: Batch) -> dict[int, int]:
    """Each building's place on the batch's route (its first visit)."""
    order: dict[int, int] = {}
    for trip in (batch.route or {}).get("trips", []):
        for building_id in trip:
            order.setdefault(building_id, len(order))
    return order


@require_POST
@requires(Permission.MANAGE_SUPPLIES, per_object=True)
def batch_route(request: AuthedRequest, pk: int) -> HttpResponse:
    batch = selectors.batch_get(viewer=request.user, pk=pk)
    try:
        services.batch_route_compute(actor=request.user, batch=batch)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The route is planned again."))
    return redirect("deliveries:batch", pk=batch.pk)


@require_POST
@requires(Permission.MANAGE_SUPPLIES, per_object=True)
def batch_assign(request: AuthedRequest, pk: int) -> HttpResponse:
    batch = selectors.batch_get(viewer=request.user, pk=pk)
    volunteer_id = request.POST.get("volunteer", "")
    volunteer = User.objects.filter(pk=parse_count(volunteer_id) or 0).first()
    try:
        services.batch_assign(actor=request.user, batch=batch, volunteer=volunteer)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("%(batch)s is given to %(name)s.")
                         % {"batch": batch, "name": volunteer})  # fmt: skip
    return redirect("deliveries:batch", pk=batch.pk)


# -- the volunteer's phone page -----------------------------------------------------------------


def _card_context(delivery: Delivery, **extra: object) -> dict[str, object]:
    return {"delivery": delivery, "reasons": FailureReason.choices, **extra}


@require_safe
@requires(Permission.DELIVER)
def my_deliveries(request: AuthedRequest) -> HttpResponse:
    """The volunteer's parcels, batch by batch along the route, each card saving on its own."""
    batches = selectors.my_batches(viewer=request.user)
    orders = {batch.pk: _stop_order(batch) for batch in batches}
    deliveries = list(selectors.my_deliveries(viewer=request.user))
    deliveries.sort(
        key=lambda d: (
            d.batch_id or 0,
            orders.get(d.batch_id or 0, {}).get(d.building_id, 10**6),
            d.address_key,
            d.pk,
        )
    )
    rows = [(batch, [d for d in deliveries if d.batch_id == batch.pk]) for batch in batches]
    left = sum(1 for d in deliveries if d.status in selectors.TO_CARRY)
    context = {"rows": rows, "left": left, "reasons": FailureReason.choices}
    return render(request, "deliveries/mine.html", context)


@require_POST
@requires(Permission.DELIVER, Permission.MANAGE_SUPPLIES, per_object=True)
def delivery_mark(request: AuthedRequest, pk: int) -> HttpResponse:
    """Mark one parcel; answers its card again (htmx), with the errors when there are any."""
    delivery = selectors.delivery_get(viewer=request.user, pk=pk)
    errors: list[str] = []
    try:
        services.delivery_mark(
            actor=request.user, delivery=delivery, status=request.POST.get("status", ""),
            reason=request.POST.get("reason", ""), note=request.POST.get("note", ""),
            photo=request.FILES.get("photo"),
        )  # fmt: skip
    except ValidationError as error:
        errors = error.messages
    if not request.htmx:
        for error_text in errors:
            messages.error(request, error_text)
        return redirect("deliveries:mine")
    delivery = selectors.delivery_get(viewer=request.user, pk=pk)
    context = _card_context(delivery, errors=errors, saved=not errors)
    return render(request, "deliveries/mine.html#card", context, status=422 if errors else 200)


@require_safe
@requires(Permission.DELIVER, Permission.MANAGE_SUPPLIES, per_object=True)
def delivery_photo(request: AuthedRequest, pk: int) -> FileResponse:
    delivery = selectors.delivery_get(viewer=request.user, pk=pk)
    if not delivery.photo:
        raise Http404
    return private_file_response(delivery.photo)
