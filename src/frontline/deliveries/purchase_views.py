"""Pages of group purchases: the list, setting one up, its page (with an order placed on a
household's behalf by a worker who delivers there), closing, the totals for the supplier
(printable, and as .xlsx, audited) and the arrival of the goods, which opens the preview of the
round that delivers them. Every write goes through `purchases`."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from frontline.accounts.access import Permission, require, requires, scoped
from frontline.core.audit import audit_record
from frontline.core.forms import add_service_errors
from frontline.core.http import AuthedRequest
from frontline.core.models import AuditAction
from frontline.core.numbers import parse_count
from frontline.core.pagination import paginate
from frontline.deliveries import purchases, selectors
from frontline.deliveries.forms import PurchaseForm, quantities
from frontline.deliveries.models import GroupPurchase, PurchaseOrderLine, PurchaseStatus
from frontline.deliveries.purchase_sheet import XLSX, totals_xlsx
from frontline.places.models import Household
from frontline.supplies.selectors import supply_communities


@require_safe
@requires(Permission.MANAGE_SUPPLIES)
def purchase_list(request: AuthedRequest) -> HttpResponse:
    page = paginate(request, selectors.purchase_list(viewer=request.user))
    return render(request, "deliveries/purchase_list.html", {"page": page})


def _save(request: AuthedRequest, purchase: GroupPurchase | None) -> HttpResponse:
    communities = supply_communities(viewer=request.user)
    form = PurchaseForm(request.POST or None, communities=communities, purchase=purchase)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                saved = purchases.purchase_save(
                    actor=request.user, community=data["community"], title=data["title"],
                    supplier=data["supplier"], supplier_contact=data["supplier_contact"],
                    warehouse=data["warehouse"], closes_at=data["closes_at"],
                    offers=form.offers(), purchase=purchase,
                )  # fmt: skip
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                return redirect("deliveries:purchase", pk=saved.pk)
        status = 422
    context = {"form": form, "purchase": purchase}
    return render(request, "deliveries/purchase_form.html", context, status=status)


@requires(Permission.MANAGE_SUPPLIES)
def purchase_new(request: AuthedRequest) -> HttpResponse:
    return _save(request, None)


def _managed(request: AuthedRequest, pk: int) -> GroupPurchase:
    """A purchase the user plans: 404 outside all they see, 403 for one they only order in."""
    purchase = selectors.purchase_get(viewer=request.user, pk=pk)
    return require(request.user, Permission.MANAGE_SUPPLIES, purchase)


@requires(Permission.MANAGE_SUPPLIES, per_object=True)
def purchase_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    purchase = _managed(request, pk)
    if purchase.status != PurchaseStatus.OPEN:
        messages.error(request, _("Only a purchase still taking orders can be changed."))
        return redirect("deliveries:purchase", pk=purchase.pk)
    return _save(request, purchase)


def _household_at(
    request: AuthedRequest, purchase: GroupPurchase, address: str
) -> Household | None:
    """The household at a "3-2-401" address of the purchase's community, among those the user
    handles residents' requests for or manages supplies for."""
    parts = [part for part in address.replace(" ", "").split("-") if part]
    if len(parts) != 3:
        return None
    reach = scoped(request.user, Permission.HANDLE_REQUESTS, Household) | scoped(
        request.user, Permission.MANAGE_SUPPLIES, Household
    )
    return (
        Household.objects.filter(
            reach, unit__building__community_id=purchase.community_id,
            unit__building__number=parts[0], unit__number=parts[1], room=parts[2],
        )
        .select_related("unit__building")
        .first()
    )  # fmt: skip


@requires(Permission.MANAGE_SUPPLIES, Permission.HANDLE_REQUESTS, per_object=True)
def purchase_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    """The purchase: its offers and totals; a worker orders here for a household without a
    smartphone (its address, then a quantity per offer)."""
    purchase = selectors.purchase_get(viewer=request.user, pk=pk)
    offers = selectors.purchase_offers(purchase)
    address = (request.POST.get("household") or request.GET.get("household") or "").strip()
    household = _household_at(request, purchase, address) if address else None
    errors: list[str] = []
    if address and household is None:
        errors = [_("No household you serve at %(address)s (building-unit-room).")
                  % {"address": address}]  # fmt: skip
    elif request.method == "POST" and household is not None:
        try:
            placed = purchases.order_place_for_household(
                actor=request.user, purchase=purchase, household=household,
                lines=quantities(request.POST, offers),
            )  # fmt: skip
        except ValidationError as error:
            errors = error.messages
        else:
            messages.success(
                request,
                _("The order of %(household)s is saved.") % {"household": household.label}
                if placed is not None
                else _("The order of %(household)s is withdrawn.") % {"household": household.label},
            )
            return redirect("deliveries:purchase", pk=purchase.pk)
    current = (
        dict(
            PurchaseOrderLine.objects.filter(
                order__purchase=purchase, order__household=household
            ).values_list("offer_id", "quantity")
        )
        if household is not None
        else {}
    )
    context = {
        "purchase": purchase, "totals": selectors.purchase_totals(purchase),
        "is_open": purchases.is_open(purchase), "household": household, "address": address,
        "rows": [(offer, request.POST.get(f"quantity_{offer.pk}", current.get(offer.pk, 0)))
                 for offer in offers],
        "errors": errors,
        "may_plan": GroupPurchase.objects.filter(
            scoped(request.user, Permission.MANAGE_SUPPLIES, GroupPurchase), pk=purchase.pk
        ).exists(),
    }  # fmt: skip
    return render(
        request, "deliveries/purchase_detail.html", context, status=422 if errors else 200
    )


@require_POST
@requires(Permission.MANAGE_SUPPLIES, per_object=True)
def purchase_close(request: AuthedRequest, pk: int) -> HttpResponse:
    purchase = _managed(request, pk)
    try:
        purchases.purchase_close(actor=request.user, purchase=purchase)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Ordering is closed; the totals are final."))
    return redirect("deliveries:purchase", pk=purchase.pk)


@require_safe
@requires(Permission.MANAGE_SUPPLIES, per_object=True)
def purchase_totals(request: AuthedRequest, pk: int) -> HttpResponse:
    """What the supplier brings, per offer with the prices and per building (prints on A4);
    `?format=xlsx` downloads it, audited."""
    purchase = _managed(request, pk)
    totals = selectors.purchase_totals(purchase)
    if request.GET.get("format") == "xlsx":
        audit_record(
            actor=request.user, action=AuditAction.EXPORT, target=purchase,
            community_id=purchase.community_id,
            label=_("Group purchase totals: %(title)s") % {"title": purchase.title},
            details={"purchase": purchase.pk, "buildings": len(totals.buildings)},
        )  # fmt: skip
        response = HttpResponse(totals_xlsx(purchase, totals), content_type=XLSX)
        response["Content-Disposition"] = f'attachment; filename="purchase-{purchase.pk}.xlsx"'
        return response
    return render(
        request, "deliveries/purchase_totals.html", {"purchase": purchase, "totals": totals}
    )


@requires(Permission.MANAGE_SUPPLIES, per_object=True)
def purchase_arrival(request: AuthedRequest, pk: int) -> HttpResponse:
    """The goods came: the units per offer (the ordered totals to start with); saving receives
    them into the storeroom and opens the preview of the round that delivers them."""
    purchase = _managed(request, pk)
    if purchase.round_id is not None:
        return redirect("deliveries:round", pk=purchase.round_id)
    totals = selectors.purchase_totals(purchase)
    errors: list[str] = []
    if request.method == "POST":
        received: dict[int, int | None] = {}
        for row in totals.offers:
            typed = request.POST.get(f"received_{row.offer.pk}", "").strip()
            received[row.offer.pk] = parse_count(typed)
        try:
            round = purchases.purchase_arrive(
                actor=request.user, purchase=purchase, received=received
            )
        except ValidationError as error:
            errors = error.messages
        else:
            messages.success(
                request,
                _("The goods are in the storeroom, held for the households that ordered them; "
                  "make the batches for the volunteers."),
            )  # fmt: skip
            return redirect("deliveries:round", pk=round.pk)
    rows = [(row, request.POST.get(f"received_{row.offer.pk}", row.units)) for row in totals.offers]
    context = {"purchase": purchase, "rows": rows, "errors": errors}
    return render(
        request, "deliveries/purchase_arrival.html", context, status=422 if errors else 200
    )
