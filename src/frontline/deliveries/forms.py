from __future__ import annotations

from collections.abc import Mapping, Sequence

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from frontline.core.forms import StyledForm
from frontline.core.numbers import parse_count
from frontline.deliveries.models import (
    Basis,
    DistributionRound,
    GroupPurchase,
    PurchaseOffer,
    default_priority,
    priority_choices,
)
from frontline.deliveries.purchases import OfferInput, OrderLineInput
from frontline.deliveries.services import PLANNED_BASES, LineInput
from frontline.places.models import Building, Community, Grid
from frontline.residents.models import Tag
from frontline.supplies.models import Category, Item, Warehouse

# Empty line rows shown below the round's lines, for adding items.
SPARE_LINES = 2
MIN_LINES = 3


class RoundForm(StyledForm):
    """A draft round: its storeroom and scope, the priority order as numbered choices, and the
    lines as rows of item, basis, group and quantity (blank rows are left out)."""

    community = forms.ModelChoiceField(queryset=Community.objects.none(), label=_("Community"))
    # Checked by the service, so that every problem shows at once.
    name = forms.CharField(label=_("Name"), required=False)
    warehouse = forms.ModelChoiceField(
        queryset=Warehouse.objects.none(), label=_("Storeroom"), required=False
    )
    grids = forms.ModelMultipleChoiceField(
        queryset=Grid.objects.none(), required=False, label=_("Grids"),
        widget=forms.CheckboxSelectMultiple,
    )  # fmt: skip
    buildings = forms.ModelMultipleChoiceField(
        queryset=Building.objects.none(), required=False, label=_("Buildings"),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("No grid and no building: the whole community."),
    )  # fmt: skip
    trip_capacity = forms.IntegerField(
        label=_("Parcels per trip"), required=False, initial=10,
        help_text=_("How many parcels a volunteer carries at once; routes plan trips of this size."),
    )  # fmt: skip

    def __init__(
        self,
        *args: object,
        communities: QuerySet[Community],
        round: DistributionRound | None = None,
        **kwargs: object,
    ) -> None:
        lines = list(round.lines.order_by("id")) if round is not None else []
        priority = list(round.priority) if round is not None else None
        if round is not None:
            kwargs["initial"] = {
                "community": round.community_id, "name": round.name,
                "warehouse": round.warehouse_id, "trip_capacity": round.trip_capacity,
                "grids": list(round.grids.values_list("id", flat=True)),
                "buildings": list(round.buildings.values_list("id", flat=True)),
            }  # fmt: skip
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = communities  # type: ignore[attr-defined]
        self.fields["warehouse"].queryset = Warehouse.objects.filter(  # type: ignore[attr-defined]
            community__in=communities
        ).order_by("community_id", "name")
        self.fields["grids"].queryset = Grid.objects.filter(  # type: ignore[attr-defined]
            community__in=communities
        ).order_by("community_id", "name")
        self.fields["buildings"].queryset = Building.objects.filter(  # type: ignore[attr-defined]
            community__in=communities
        ).order_by("community_id", "number")
        items = Item.objects.filter(community__in=communities, active=True).order_by(
            "community_id", "category", "name"
        )
        choices = priority_choices()
        defaults = priority if priority is not None else default_priority()
        self.priority_names = [f"priority_{n}" for n in range(len(choices))]
        for n, name in enumerate(self.priority_names):
            self.fields[name] = forms.ChoiceField(
                label=_("Priority %(n)d") % {"n": n + 1}, required=False,
                choices=[("", "—"), *choices],
                initial=defaults[n] if n < len(defaults) else "",
            )  # fmt: skip
        rows = max(len(lines) + SPARE_LINES, MIN_LINES)
        if self.is_bound:
            posted = [key for key in self.data if key.startswith("line_item_")]
            rows = max(rows, len(posted))
        self.line_names = []
        for n in range(rows):
            line = lines[n] if n < len(lines) else None
            names = (f"line_item_{n}", f"line_basis_{n}", f"line_tag_{n}", f"line_quantity_{n}")
            self.line_names.append(names)
            self.fields[names[0]] = forms.ModelChoiceField(
                queryset=items, required=False, label=_("Item"),
                initial=line.item_id if line else None,
            )  # fmt: skip
            self.fields[names[1]] = forms.ChoiceField(
                choices=[(basis.value, basis.label) for basis in PLANNED_BASES], label=_("Basis"), required=False,
                initial=line.basis if line else Basis.HOUSEHOLD,
            )  # fmt: skip
            self.fields[names[2]] = forms.ChoiceField(
                choices=[("", "—"), *Tag.choices], label=_("Group"), required=False,
                initial=line.tag if line else "",
            )  # fmt: skip
            self.fields[names[3]] = forms.IntegerField(
                label=_("Quantity"), required=False,
                initial=line.quantity if line else None,
            )  # fmt: skip
        for name, field in self.fields.items():
            if name.startswith(("line_", "priority_")):
                field.widget.attrs["class"] = (
                    "form-select form-select-sm"
                    if isinstance(field.widget, forms.Select)
                    else "form-control form-control-sm"
                )

    @property
    def plain_fields(self) -> list[forms.BoundField]:
        return [
            self[name]
            for name in ("community", "name", "warehouse", "grids", "buildings", "trip_capacity")
        ]

    @property
    def priority_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.priority_names]

    @property
    def line_rows(self) -> list[list[forms.BoundField]]:
        return [[self[name] for name in names] for names in self.line_names]

    def priority(self) -> list[str]:
        return [self.cleaned_data[name] for name in self.priority_names if self.cleaned_data[name]]

    def lines(self) -> list[LineInput]:
        """The rows with an item or a quantity (the rest are blank)."""
        found = []
        for item, basis, tag, quantity in self.line_names:
            chosen = self.cleaned_data.get(item)
            amount = self.cleaned_data.get(quantity)
            if chosen is None and amount is None:
                continue
            found.append(
                LineInput(
                    item_id=chosen.pk if chosen is not None else None,
                    basis=self.cleaned_data.get(basis) or "",
                    quantity=amount,
                    tag=self.cleaned_data.get(tag) or "",
                )
            )
        return found


# -- group purchases ----------------------------------------------------------------------------

SPARE_OFFERS = 2
MIN_OFFERS = 3


class PurchaseForm(StyledForm):
    """A group purchase: its supplier, storeroom and closing time, and the offers as rows of an
    item of the catalogue (or a new item's name, unit and category), a price and a cap."""

    community = forms.ModelChoiceField(queryset=Community.objects.none(), label=_("Community"))
    # Checked by the service, so that every problem shows at once.
    title = forms.CharField(label=_("Title"), required=False)
    supplier = forms.CharField(label=_("Supplier"), required=False)
    supplier_contact = forms.CharField(label=_("Supplier's contact"), required=False)
    warehouse = forms.ModelChoiceField(
        queryset=Warehouse.objects.none(), label=_("Storeroom"), required=False,
        help_text=_("Where the goods arrive; the deliveries start there."),
    )  # fmt: skip
    closes_at = forms.DateTimeField(
        label=_("Ordering closes at"), required=False,
        widget=forms.DateTimeInput(format="%Y-%m-%dT%H:%M", attrs={"type": "datetime-local"}),
    )  # fmt: skip

    def __init__(
        self,
        *args: object,
        communities: QuerySet[Community],
        purchase: GroupPurchase | None = None,
        **kwargs: object,
    ) -> None:
        offers = list(purchase.offers.order_by("id")) if purchase is not None else []
        if purchase is not None:
            kwargs["initial"] = {
                "community": purchase.community_id, "title": purchase.title,
                "supplier": purchase.supplier, "supplier_contact": purchase.supplier_contact,
                "warehouse": purchase.warehouse_id,
                "closes_at": timezone.localtime(purchase.closes_at),
            }  # fmt: skip
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = communities  # type: ignore[attr-defined]
        self.fields["warehouse"].queryset = Warehouse.objects.filter(  # type: ignore[attr-defined]
            community__in=communities
        ).order_by("community_id", "name")
        items = Item.objects.filter(community__in=communities, active=True).order_by(
            "community_id", "category", "name"
        )
        rows = max(len(offers) + SPARE_OFFERS, MIN_OFFERS)
        if self.is_bound:
            rows = max(rows, len([key for key in self.data if key.startswith("offer_item_")]))
        self.offer_names = []
        for n in range(rows):
            offer = offers[n] if n < len(offers) else None
            names = tuple(f"offer_{part}_{n}" for part in OFFER_PARTS)
            self.offer_names.append(names)
            fields = (
                forms.ModelChoiceField(queryset=items, required=False, label=_("Item"),
                                       initial=offer.item_id if offer else None),
                forms.CharField(required=False, label=_("or a new item"),
                                widget=forms.TextInput(attrs={"placeholder": _("New item")})),
                forms.CharField(required=False, label=pgettext_lazy("measure", "Unit"),
                                widget=forms.TextInput(attrs={"placeholder": "袋", "size": 4})),
                forms.ChoiceField(choices=Category.choices, required=False,
                                  label=pgettext_lazy("supplies", "Category")),
                forms.CharField(required=False, label=_("Price (yuan)"),
                                initial=offer.unit_price if offer else None),
                forms.IntegerField(required=False, label=_("At most per household"),
                                   initial=offer.cap if offer else None),
            )  # fmt: skip
            for name, field in zip(names, fields, strict=True):
                field.widget.attrs["class"] = (
                    "form-select form-select-sm"
                    if isinstance(field.widget, forms.Select)
                    else "form-control form-control-sm"
                )
                self.fields[name] = field

    @property
    def plain_fields(self) -> list[forms.BoundField]:
        return [
            self[name]
            for name in ("community", "title", "supplier", "supplier_contact", "warehouse",
                         "closes_at")
        ]  # fmt: skip

    @property
    def offer_rows(self) -> list[list[forms.BoundField]]:
        return [[self[name] for name in names] for names in self.offer_names]

    def offers(self) -> list[OfferInput]:
        """The rows with an item, a new item's name, a price or a cap (the rest are blank)."""
        found = []
        for item, new_item, unit, category, price, cap in self.offer_names:
            chosen = self.cleaned_data.get(item)
            values = [self.cleaned_data.get(name) for name in (new_item, price, cap)]
            if chosen is None and all(value in (None, "") for value in values):
                continue
            found.append(
                OfferInput(
                    item_id=chosen.pk if chosen is not None else None,
                    new_item=self.cleaned_data.get(new_item) or "",
                    unit=self.cleaned_data.get(unit) or "",
                    category=self.cleaned_data.get(category) or Category.FOOD,
                    unit_price=self.cleaned_data.get(price) or None,
                    cap=self.cleaned_data.get(cap),
                )
            )
        return found


OFFER_PARTS = ("item", "new", "unit", "category", "price", "cap")


def quantities(data: Mapping[str, str], offers: Sequence[PurchaseOffer]) -> list[OrderLineInput]:
    """The quantity typed for each offer (`quantity_<offer id>`; empty is 0); what is not a
    whole number goes on as None, for the service to name."""
    lines = []
    for offer in offers:
        typed = (data.get(f"quantity_{offer.pk}") or "").strip()
        number = 0 if typed == "" else parse_count(typed)
        lines.append(OrderLineInput(offer_id=offer.pk, quantity=number))
    return lines
