"""Pages of the stock ledger: the storerooms with their warnings, the catalogue, a storeroom's
stock (printable), its ledger, the receipt, issue and stocktake forms, a movement and the
printable donation receipt. Every write goes through `services`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from frontline.accounts.access import Permission, requires
from frontline.core.forms import add_service_errors
from frontline.core.http import AuthedRequest
from frontline.core.masking import mask_phone
from frontline.core.pagination import paginate
from frontline.places.models import Community
from frontline.supplies import selectors, services
from frontline.supplies.forms import (
    CatalogueFilterForm,
    IssueForm,
    IssueLines,
    ItemEditForm,
    ItemForm,
    LedgerFilterForm,
    ReceiptForm,
    ReceiptLines,
    StocktakeForm,
    WarehouseForm,
)
from frontline.supplies.models import Item, MovementKind, StockLevel, Warehouse

MANAGE = Permission.MANAGE_SUPPLIES


def warehouse_url(warehouse: Warehouse) -> str:
    return reverse("supplies:warehouse", kwargs={"pk": warehouse.pk})


@require_safe
@requires(MANAGE)
def home(request: AuthedRequest) -> HttpResponse:
    """The storerooms of the viewer's communities, each with its count of warnings."""
    warehouses = list(selectors.warehouse_list(viewer=request.user))
    counts = selectors.warning_counts(warehouses=warehouses)
    rows = [(warehouse, counts[warehouse.pk]) for warehouse in warehouses]
    return render(request, "supplies/home.html", {"rows": rows})


# -- the catalogue ------------------------------------------------------------------------------


@require_safe
@requires(MANAGE)
def item_list(request: AuthedRequest) -> HttpResponse:
    filters = CatalogueFilterForm(request.GET)
    query, category = "", ""
    if filters.is_valid():
        query, category = filters.cleaned_data["q"].strip(), filters.cleaned_data["category"]
    page = paginate(
        request, selectors.item_list(viewer=request.user, query=query, category=category)
    )
    return render(request, "supplies/items.html", {"page": page, "filters": filters})


def _save(request: AuthedRequest, form: Any, write: Callable[[dict[str, Any]], Any]) -> Any | None:
    """Validate a posted form and run the write; its errors land on the form. None on failure."""
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        return write(form.cleaned_data)
    except ValidationError as error:
        add_service_errors(form, error)
        return None


def _form_page(request: AuthedRequest, form: Any, title: str, back: str) -> HttpResponse:
    """A form on its own page; `back` is where Cancel goes."""
    status = 422 if request.method == "POST" else 200
    context = {"form": form, "title": title, "back": back}
    return render(request, "supplies/form.html", context, status=status)


@requires(MANAGE)
def item_create(request: AuthedRequest) -> HttpResponse:
    communities = selectors.supply_communities(viewer=request.user)
    form = ItemForm(request.POST or None, communities=communities)
    item = _save(
        request, form,
        lambda data: services.item_create(
            actor=request.user, community=data["community"], name=data["name"],
            unit=data["unit"], category=data["category"],
            shelf_life_days=data["shelf_life_days"], low_stock_at=data["low_stock_at"],
        ),
    )  # fmt: skip
    if item is not None:
        messages.success(request, _("%(item)s is in the catalogue.") % {"item": item.name})
        return redirect("supplies:items")
    return _form_page(request, form, _("New item"), reverse("supplies:items"))


@requires(MANAGE, per_object=True)
def item_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    item = selectors.item_get(viewer=request.user, pk=pk)
    initial = {
        field: getattr(item, field)
        for field in ("name", "unit", "category", "shelf_life_days", "low_stock_at", "active")
    } | {"community": item.community}
    form = ItemEditForm(
        request.POST or None, initial=initial,
        communities=Community.objects.filter(pk=item.community_id),
    )  # fmt: skip
    saved = _save(
        request, form,
        lambda data: services.item_update(
            actor=request.user, item=item, name=data["name"], unit=data["unit"],
            category=data["category"], shelf_life_days=data["shelf_life_days"],
            low_stock_at=data["low_stock_at"], active=data["active"],
        ),
    )  # fmt: skip
    if saved is not None:
        messages.success(request, _("%(item)s is saved.") % {"item": saved.name})
        return redirect("supplies:items")
    return _form_page(request, form, item.name, reverse("supplies:items"))


# -- storerooms ---------------------------------------------------------------------------------


@requires(MANAGE)
def warehouse_create(request: AuthedRequest) -> HttpResponse:
    communities = selectors.supply_communities(viewer=request.user)
    form = WarehouseForm(request.POST or None, communities=communities)
    warehouse = _save(
        request, form,
        lambda data: services.warehouse_create(
            actor=request.user, community=data["community"], name=data["name"],
            building=data["building"], note=data["note"],
        ),
    )  # fmt: skip
    if warehouse is not None:
        return redirect("supplies:warehouse", pk=warehouse.pk)
    return _form_page(request, form, _("New storeroom"), reverse("supplies:home"))


@requires(MANAGE, per_object=True)
def warehouse_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    warehouse = selectors.warehouse_get(viewer=request.user, pk=pk)
    initial = {"community": warehouse.community, "name": warehouse.name,
               "building": warehouse.building, "note": warehouse.note}  # fmt: skip
    form = WarehouseForm(
        request.POST or None, initial=initial,
        communities=Community.objects.filter(pk=warehouse.community_id),
    )  # fmt: skip
    saved = _save(
        request, form,
        lambda data: services.warehouse_update(
            actor=request.user, warehouse=warehouse, name=data["name"],
            building=data["building"], note=data["note"],
        ),
    )  # fmt: skip
    if saved is not None:
        return redirect("supplies:warehouse", pk=warehouse.pk)
    return _form_page(request, form, warehouse.name, warehouse_url(warehouse))


@require_safe
@requires(MANAGE, per_object=True)
def warehouse_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    """The stock: on hand, reserved, available, with stock-out, low-stock and expiry warnings;
    prints as the storeroom's stock list."""
    warehouse = selectors.warehouse_get(viewer=request.user, pk=pk)
    rows = selectors.stock(warehouse=warehouse)
    context = {
        "warehouse": warehouse,
        "rows": rows,
        "expiring": sorted(
            ((row.item, lot) for row in rows for lot in row.lots),
            key=lambda pair: (pair[1].expires_on, pair[1].movement_id),
        ),
        "reservations": list(selectors.reservations(warehouse=warehouse)),
    }
    return render(request, "supplies/warehouse.html", context)


def _community_items(warehouse: Warehouse, *, active_only: bool = True) -> QuerySet[Item]:
    items = Item.objects.filter(community_id=warehouse.community_id)
    if active_only:
        items = items.filter(active=True)
    return items.order_by("category", "name")


@require_safe
@requires(MANAGE, per_object=True)
def ledger(request: AuthedRequest, pk: int) -> HttpResponse:
    """Every entry of the storeroom, newest first, by item, kind and dates."""
    warehouse = selectors.warehouse_get(viewer=request.user, pk=pk)
    filters = LedgerFilterForm(request.GET, items=_community_items(warehouse, active_only=False))
    chosen = selectors.LedgerFilters()
    if filters.is_valid():
        data = filters.cleaned_data
        chosen = selectors.LedgerFilters(
            item=data["item"].pk if data["item"] else None, kind=data["kind"],
            since=data["since"], until=data["until"],
        )  # fmt: skip
    page = paginate(request, selectors.ledger(warehouse=warehouse, filters=chosen))
    context = {"warehouse": warehouse, "filters": filters, "page": page}
    return render(request, "supplies/ledger.html", context)


def _lines(formset: Any, *fields: str) -> list[tuple[Any, ...]]:
    """The filled rows of a line formset, in order, as tuples of `fields`."""
    return [
        tuple(form.cleaned_data.get(field) for field in fields)
        for form in formset.forms
        if form.cleaned_data.get("item") is not None
    ]


@requires(MANAGE, per_object=True)
def receive(request: AuthedRequest, pk: int) -> HttpResponse:
    """Goods in, several lines at once: a donation, a purchase or an allocation."""
    warehouse = selectors.warehouse_get(viewer=request.user, pk=pk)
    form = ReceiptForm(request.POST or None)
    lines = ReceiptLines(
        request.POST or None, prefix="lines", form_kwargs={"items": _community_items(warehouse)}
    )
    if request.method == "POST" and lines.is_valid():
        movement = _save(
            request, form,
            lambda data: services.receive(
                actor=request.user, warehouse=warehouse, kind=data["kind"],
                lines=_lines(lines, "item", "quantity", "expires_on"), donor=data["donor"],
                donor_contact=data["donor_contact"], supplier=data["supplier"],
                total_cost=data["total_cost"], reference=data["reference"],
                occurred_at=data["occurred_at"],
            ),
        )  # fmt: skip
        if movement is not None:
            messages.success(request, _("The goods are in the ledger."))
            return redirect("supplies:movement", pk=movement.pk)
    context = {"warehouse": warehouse, "form": form, "lines": lines}
    status = 422 if request.method == "POST" else 200
    return render(request, "supplies/receive.html", context, status=status)


@requires(MANAGE, per_object=True)
def issue(request: AuthedRequest, pk: int) -> HttpResponse:
    """Goods out, several lines at once, refused as a whole when an item is short."""
    warehouse = selectors.warehouse_get(viewer=request.user, pk=pk)
    form = IssueForm(request.POST or None)
    lines = IssueLines(
        request.POST or None, prefix="lines",
        form_kwargs={"items": _community_items(warehouse, active_only=False)},
    )  # fmt: skip
    if request.method == "POST" and lines.is_valid():
        movement = _save(
            request, form,
            lambda data: services.issue(
                actor=request.user, warehouse=warehouse, lines=_lines(lines, "item", "quantity"),
                reason=data["reason"], reference=data["reference"],
            ),
        )  # fmt: skip
        if movement is not None:
            messages.success(request, _("The goods are issued."))
            return redirect("supplies:movement", pk=movement.pk)
    levels = StockLevel.objects.filter(warehouse=warehouse, on_hand__gt=0).select_related("item")
    context = {"warehouse": warehouse, "form": form, "lines": lines,
               "levels": levels.order_by("item__category", "item__name")}  # fmt: skip
    status = 422 if request.method == "POST" else 200
    return render(request, "supplies/issue.html", context, status=status)


@requires(MANAGE, per_object=True)
def stocktake(request: AuthedRequest, pk: int) -> HttpResponse:
    """Record what was counted of one item; the difference becomes a correction."""
    warehouse = selectors.warehouse_get(viewer=request.user, pk=pk)
    held = StockLevel.objects.filter(warehouse=warehouse, item=OuterRef("pk"), on_hand__gt=0)
    items = _community_items(warehouse, active_only=False).filter(Q(active=True) | Exists(held))
    item = request.GET.get("item", "")
    form = StocktakeForm(
        request.POST or None, items=items, initial={"item": item if item.isdigit() else None}
    )
    movement = _save(
        request, form,
        lambda data: services.correct(
            actor=request.user, warehouse=warehouse, item=data["item"], counted=data["counted"],
            reason=data["reason"],
        ),
    )  # fmt: skip
    if movement is not None:
        messages.success(request, _("The stocktake is recorded."))
        return redirect("supplies:warehouse", pk=warehouse.pk)
    title = _("Stocktake of %(warehouse)s") % {"warehouse": warehouse.name}
    return _form_page(request, form, title, warehouse_url(warehouse))


# -- documents ----------------------------------------------------------------------------------


@require_safe
@requires(MANAGE, per_object=True)
def movement_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    movement = selectors.movement_get(viewer=request.user, pk=pk)
    context = {
        "movement": movement,
        "entries": list(selectors.movement_entries(movement)),
        "donor_contact": mask_phone(movement.donor_contact),
    }
    return render(request, "supplies/movement.html", context)


@require_safe
@requires(MANAGE, per_object=True)
def donation_receipt(request: AuthedRequest, pk: int) -> HttpResponse:
    """The A4 receipt (捐赠收据) for the donor: number, donor, items, date, signature and seal."""
    movement = selectors.movement_get(viewer=request.user, pk=pk)
    if movement.kind != MovementKind.DONATION:
        raise Http404
    context = {"movement": movement, "entries": list(selectors.movement_entries(movement))}
    return render(request, "supplies/receipt.html", context)
