from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from frontline.core.forms import StyledForm
from frontline.places.models import Building, Community
from frontline.supplies.models import RECEIPT_KINDS, Category, Item, MovementKind

# Blank rows of the receipt and issue forms; more lines: save and record another document.
LINE_ROWS = 8


class CommunityChoice(StyledForm):
    """A form for one of the viewer's communities: the choice disappears when there is one."""

    community = forms.ModelChoiceField(queryset=Community.objects.none(), label=_("Community"))

    def __init__(self, *args: Any, communities: QuerySet[Community], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = communities  # type: ignore[attr-defined]
        if len(communities) == 1:
            self.fields["community"].initial = communities[0]
            self.fields["community"].widget = forms.HiddenInput()


class ItemForm(CommunityChoice):
    name = forms.CharField(label=_("Name"), max_length=100, help_text=_("e.g. 大米 5kg"))
    unit = forms.CharField(label=pgettext_lazy("measure", "Unit"), max_length=10, help_text=_("How it is counted, e.g. 袋, 盒, 只."))  # fmt: skip
    category = forms.ChoiceField(
        label=pgettext_lazy("supplies", "Category"), choices=Category.choices
    )
    shelf_life_days = forms.IntegerField(
        label=_("Shelf life in days"), required=False, min_value=1,
        help_text=_("Fresh goods received without a printed date expire this many days later."),
    )  # fmt: skip
    low_stock_at = forms.IntegerField(
        label=_("Warn at or below"), required=False, min_value=0,
        help_text=_("Units available in a storeroom at which it is shown as running low."),
    )  # fmt: skip


class ItemEditForm(ItemForm):
    """Editing keeps the item's community (the view offers only that one)."""

    active = forms.BooleanField(
        label=_("In use"), required=False,
        help_text=_("An item no longer in use leaves the forms and the warnings; its history stays."),
    )  # fmt: skip


class WarehouseForm(CommunityChoice):
    name = forms.CharField(label=_("Name"), max_length=100)
    building = forms.ModelChoiceField(
        queryset=Building.objects.none(), required=False, label=_("Building"),
        help_text=_("Where it stands; delivery routes start there."),
    )  # fmt: skip
    note = forms.CharField(
        label=_("Note"), required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Opening hours, who holds the key."),
    )  # fmt: skip

    def __init__(self, *args: Any, communities: QuerySet[Community], **kwargs: Any) -> None:
        super().__init__(*args, communities=communities, **kwargs)
        self.fields["building"].queryset = Building.objects.filter(  # type: ignore[attr-defined]
            community__in=communities
        ).order_by("community_id", "number")


class LineForm(StyledForm):
    """One line of a receipt or an issue; a blank row is skipped."""

    item = forms.ModelChoiceField(queryset=Item.objects.none(), label=_("Item"), empty_label="—")
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1)

    def __init__(self, *args: Any, items: QuerySet[Item], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["item"].queryset = items  # type: ignore[attr-defined]


class ReceiptLineForm(LineForm):
    expires_on = forms.DateField(
        label=_("Expires on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


ReceiptLines = forms.formset_factory(ReceiptLineForm, extra=LINE_ROWS)
IssueLines = forms.formset_factory(LineForm, extra=LINE_ROWS)


class ReceiptForm(StyledForm):
    kind = forms.ChoiceField(
        label=_("Kind"), choices=[(kind.value, kind.label) for kind in RECEIPT_KINDS],
        initial=MovementKind.DONATION,
    )  # fmt: skip
    donor = forms.CharField(
        label=_("Donor"), required=False, max_length=100,
        help_text=_("A person or an organisation; the receipt is made out to them."),
    )  # fmt: skip
    donor_contact = forms.CharField(label=_("Donor's contact"), required=False, max_length=100)
    supplier = forms.CharField(label=_("Supplier"), required=False, max_length=100)
    total_cost = forms.DecimalField(
        label=_("Total cost (yuan)"), required=False, min_value=0, decimal_places=2
    )
    reference = forms.CharField(
        label=_("Reference"), required=False, max_length=100,
        help_text=_("An invoice or the sub-district's allocation document."),
    )  # fmt: skip
    occurred_at = forms.DateTimeField(
        label=pgettext_lazy("supplies", "Received"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial", {"occurred_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M")}
        )
        super().__init__(*args, **kwargs)


class IssueForm(StyledForm):
    reason = forms.CharField(
        label=_("Reason"), max_length=500, help_text=_("To whom and why, e.g. 隔离点领用.")
    )
    reference = forms.CharField(
        label=_("Reference"), required=False, max_length=100, help_text=_("e.g. a requisition.")
    )


class StocktakeForm(StyledForm):
    item = forms.ModelChoiceField(queryset=Item.objects.none(), label=_("Item"))
    counted = forms.IntegerField(label=_("Units counted"), min_value=0)
    reason = forms.CharField(
        label=_("Reason"), max_length=500, help_text=_("e.g. 月度盘点; 3 bags damp, thrown away.")
    )

    def __init__(self, *args: Any, items: QuerySet[Item], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["item"].queryset = items  # type: ignore[attr-defined]


class LedgerFilterForm(StyledForm):
    item = forms.ModelChoiceField(
        queryset=Item.objects.none(), required=False, label=_("Item"), empty_label=_("All items")
    )
    kind = forms.ChoiceField(
        choices=[("", _("All kinds")), *MovementKind.choices], required=False, label=_("Kind")
    )
    since = forms.DateField(
        required=False, label=_("From"), widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        required=False, label=_("To"), widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, items: QuerySet[Item], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["item"].queryset = items  # type: ignore[attr-defined]


class CatalogueFilterForm(StyledForm):
    q = forms.CharField(required=False, label=_("Search"), max_length=100)
    category = forms.ChoiceField(
        choices=[("", _("All categories")), *Category.choices], required=False,
        label=pgettext_lazy("supplies", "Category"),
    )  # fmt: skip
