"""The stock ledger of a community's storerooms.

Every receipt and every issue is a `Movement` (one document: a donation, a purchase, an allocation
from the sub-district, an issue or a stocktake correction) with one `LedgerEntry` per item: a signed
quantity that is never changed or deleted; a mistake is put right by a new correction with a
reason. `StockLevel` is the balance of one item in one storeroom, written in the same transaction
as every entry and held by database checks (never negative, never more reserved than on hand), so
it always equals the sum of the entries (`selectors.ledger_balance`). A `Reservation` holds units
for a distribution round until they are issued or released.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from frontline.core.models import AppendOnly
from frontline.places.models import Building, Community, TimeStamped


class Category(models.TextChoices):
    FOOD = "food", _("Food")
    MEDICINE = "medicine", _("Medicine")
    PROTECTIVE = "protective", _("Protective equipment")
    DISINFECTION = "disinfection", _("Disinfection")
    OTHER = "other", pgettext_lazy("supplies category", "Other")


class Item(TimeStamped):
    """One kind of supply in a community's catalogue, e.g. rice in 5 kg bags."""

    scope_paths: ClassVar[dict[str, str | None]] = {"community": "community", "building": None}

    community = models.ForeignKey(
        Community, on_delete=models.PROTECT, related_name="+", verbose_name=_("community")
    )
    name = models.CharField(_("name"), max_length=100)
    unit = models.CharField(pgettext_lazy("measure", "unit"), max_length=10, help_text=_("How it is counted, e.g. 袋, 盒, 只."))  # fmt: skip
    category = models.CharField(
        pgettext_lazy("supplies", "category"), max_length=20, choices=Category.choices
    )
    shelf_life_days = models.PositiveIntegerField(
        _("shelf life in days"), null=True, blank=True,
        help_text=_("Suggests the expiry date of a receipt; empty when it does not spoil."),
    )  # fmt: skip
    low_stock_at = models.PositiveIntegerField(
        _("warn at or below"), null=True, blank=True,
        help_text=_("Units available in a storeroom at which it is shown as running low."),
    )  # fmt: skip
    active = models.BooleanField(_("in use"), default=True)

    class Meta:
        ordering = ["community_id", "category", "name"]
        verbose_name = _("item")
        verbose_name_plural = _("items")
        constraints = [
            models.UniqueConstraint(fields=["community", "name"], name="supply_item_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class Warehouse(TimeStamped):
    """A storeroom of the community; delivery routes start at the building it stands in."""

    scope_paths: ClassVar[dict[str, str | None]] = {"community": "community", "building": None}

    community = models.ForeignKey(
        Community, on_delete=models.PROTECT, related_name="+", verbose_name=_("community")
    )
    name = models.CharField(_("name"), max_length=100)
    building = models.ForeignKey(
        Building, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("building"), help_text=_("Where it stands; delivery routes start there."),
    )  # fmt: skip
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["community_id", "name"]
        verbose_name = _("storeroom")
        verbose_name_plural = _("storerooms")
        constraints = [
            models.UniqueConstraint(fields=["community", "name"], name="warehouse_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class MovementKind(models.TextChoices):
    DONATION = "donation", _("Donation")
    PURCHASE = "purchase", _("Purchase")
    ALLOCATION = "allocation", _("Allocation from the sub-district")
    ISSUE = "issue", _("Issue")
    CORRECTION = "correction", _("Stocktake correction")


RECEIPT_KINDS = (MovementKind.DONATION, MovementKind.PURCHASE, MovementKind.ALLOCATION)


class Movement(AppendOnly):
    """One document of the ledger: what came in or went out of one storeroom, by whom, why."""

    scope_paths: ClassVar[dict[str, str | None]] = {"community": "community", "building": None}

    community = models.ForeignKey(
        Community, on_delete=models.PROTECT, related_name="+", verbose_name=_("community")
    )
    warehouse = models.ForeignKey(
        Warehouse, on_delete=models.PROTECT, related_name="movements", verbose_name=_("storeroom")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=MovementKind.choices)
    donor_name = models.CharField(_("donor"), max_length=100, blank=True)
    donor_contact = models.CharField(_("donor's contact"), max_length=100, blank=True)
    supplier = models.CharField(_("supplier"), max_length=100, blank=True)
    total_cost = models.DecimalField(
        _("total cost"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    reference = models.CharField(
        _("reference"), max_length=100, blank=True,
        help_text=_("An invoice, an allocation document or a distribution round."),
    )  # fmt: skip
    reason = models.TextField(_("reason"), blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("recorded by"),
    )  # fmt: skip
    occurred_at = models.DateTimeField(_("date"), default=timezone.now)
    # Donations only: the community's yearly sequence, e.g. JZ-2026-0001, printed on the receipt.
    receipt_number = models.CharField(_("receipt number"), max_length=20, blank=True)
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        ordering = ["-occurred_at", "-id"]
        verbose_name = _("stock movement")
        verbose_name_plural = _("stock movements")
        constraints = [
            models.UniqueConstraint(
                fields=["community", "receipt_number"], condition=~Q(receipt_number=""),
                name="movement_unique_receipt_number",
            ),
        ]  # fmt: skip
        indexes = [models.Index(fields=["warehouse", "-occurred_at"], name="movement_warehouse")]

    def __str__(self) -> str:
        return self.receipt_number or f"{self.get_kind_display()} #{self.pk}"

    @property
    def is_receipt(self) -> bool:
        return self.kind in RECEIPT_KINDS


class LedgerEntry(AppendOnly):
    """One item's line of a movement: units in (positive) or out (negative) of the storeroom."""

    scope_paths: ClassVar[dict[str, str | None]] = {
        "community": "warehouse__community",
        "building": None,
    }

    movement = models.ForeignKey(
        Movement, on_delete=models.PROTECT, related_name="entries", verbose_name=_("movement")
    )
    warehouse = models.ForeignKey(
        Warehouse, on_delete=models.PROTECT, related_name="+", verbose_name=_("storeroom")
    )
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="+", verbose_name=_("item"))  # fmt: skip
    quantity = models.IntegerField(_("quantity"))
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        ordering = ["movement_id", "id"]
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")
        constraints = [
            models.CheckConstraint(condition=~Q(quantity=0), name="ledger_entry_not_zero"),
        ]
        indexes = [models.Index(fields=["warehouse", "item"], name="ledger_entry_stock")]

    def __str__(self) -> str:
        return f"{self.movement_id}: {self.item_id} {self.quantity:+d}"


class StockLevel(models.Model):
    """The balance of one item in one storeroom: the sum of its entries, and what of it is held
    for distribution rounds. Locked (`select_for_update`, in item order) by every write."""

    scope_paths: ClassVar[dict[str, str | None]] = {
        "community": "warehouse__community",
        "building": None,
    }

    warehouse = models.ForeignKey(
        Warehouse, on_delete=models.PROTECT, related_name="stock", verbose_name=_("storeroom")
    )
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="+", verbose_name=_("item"))  # fmt: skip
    on_hand = models.IntegerField(_("on hand"), default=0)
    reserved = models.IntegerField(_("reserved"), default=0)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["warehouse_id", "item_id"]
        verbose_name = _("stock level")
        verbose_name_plural = _("stock levels")
        constraints = [
            models.UniqueConstraint(fields=["warehouse", "item"], name="stock_level_unique"),
            models.CheckConstraint(condition=Q(on_hand__gte=0), name="stock_on_hand_not_negative"),
            models.CheckConstraint(condition=Q(reserved__gte=0), name="stock_reserved_not_negative"),
            models.CheckConstraint(
                condition=Q(reserved__lte=models.F("on_hand")), name="stock_reserved_within_on_hand"
            ),
        ]  # fmt: skip

    def __str__(self) -> str:
        return f"{self.warehouse_id}/{self.item_id}: {self.on_hand}"

    @property
    def available(self) -> int:
        return self.on_hand - self.reserved


class Reservation(TimeStamped):
    """Units of one item held in one storeroom for a distribution round (`reference`, e.g.
    "round:12") until they are issued or released; `quantity` is what is still held."""

    scope_paths: ClassVar[dict[str, str | None]] = {
        "community": "warehouse__community",
        "building": None,
    }

    warehouse = models.ForeignKey(
        Warehouse, on_delete=models.PROTECT, related_name="+", verbose_name=_("storeroom")
    )
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="+", verbose_name=_("item"))  # fmt: skip
    quantity = models.IntegerField(_("still reserved"))
    reference = models.CharField(_("reference"), max_length=100)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("reserved by"),
    )  # fmt: skip

    class Meta:
        ordering = ["warehouse_id", "item_id", "id"]
        verbose_name = _("reservation")
        verbose_name_plural = _("reservations")
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=0), name="reservation_not_negative"),
        ]
        indexes = [models.Index(fields=["reference"], name="reservation_reference")]

    def __str__(self) -> str:
        return f"{self.reference}: {self.item_id} x {self.quantity}"


class ReceiptSequence(models.Model):
    """The last donation receipt number a community gave in a year; locked to give the next."""

    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["community_id", "year"]
        constraints = [
            models.UniqueConstraint(fields=["community", "year"], name="receipt_sequence_unique")
        ]

    def __str__(self) -> str:
        return f"{self.community_id}/{self.year}: {self.last_number}"
