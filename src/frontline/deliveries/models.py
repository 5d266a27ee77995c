"""Distribution rounds and doorstep deliveries.

A `DistributionRound` says what each household gets (its `RoundLine`s), where (the whole
community, or chosen grids and buildings), from which warehouse and who comes first when stock
is short. Started by `services.round_start`, it reserves the stock it allocated and writes one
`Delivery` per entitled household with a `DeliveryLine` per item (entitled and allocated: the
difference is the household's shortfall). Deliveries are grouped by building into `Batch`es,
each walked by one volunteer along its stored route.

A `GroupPurchase` (团购) is a round of orders from one supplier: its `PurchaseOffer`s (an item, a
unit price, a cap per household), one `PurchaseOrder` per household with a `PurchaseOrderLine`
per offer. When the goods arrive they are received into the storeroom and a distribution round
is made whose lines give each household what it ordered (basis "as ordered").
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from frontline.core.files import PrivateStorage
from frontline.deliveries.allocation import (
    DEFAULT_PRIORITY,
    PER_HOUSEHOLD,
    PER_ORDER,
    PER_PERSON,
    PER_TAGGED_PERSON,
    SENIOR_LIVING_ALONE,
)
from frontline.places.models import Building, Community, Grid, Household, TimeStamped
from frontline.residents.models import Tag


def default_priority() -> list[str]:
    return list(DEFAULT_PRIORITY)


def priority_choices() -> list[tuple[str, str | Promise]]:
    """The groups a round can put first: the vulnerability tags, and 65+ living alone."""
    return [
        (Tag.DIALYSIS.value, Tag.DIALYSIS.label),
        (Tag.BEDRIDDEN.value, Tag.BEDRIDDEN.label),
        (SENIOR_LIVING_ALONE, _("65 and over, living alone")),
        (Tag.PREGNANT.value, Tag.PREGNANT.label),
        (Tag.INFANT.value, Tag.INFANT.label),
        (Tag.SENIOR.value, Tag.SENIOR.label),
        (Tag.DISABLED.value, Tag.DISABLED.label),
        (Tag.CHRONIC.value, Tag.CHRONIC.label),
        (Tag.LIVING_ALONE.value, Tag.LIVING_ALONE.label),
        (Tag.MENTAL_HEALTH.value, Tag.MENTAL_HEALTH.label),
    ]


class RoundStatus(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("round", "Draft")
    STARTED = "started", pgettext_lazy("round", "Started")
    CLOSED = "closed", pgettext_lazy("round", "Closed")


class DistributionRound(TimeStamped):
    scope_paths: ClassVar[dict[str, str | None]] = {"community": "community"}

    community = models.ForeignKey(
        Community, on_delete=models.PROTECT, related_name="+", verbose_name=_("community")
    )
    name = models.CharField(_("name"), max_length=100)
    warehouse = models.ForeignKey(
        "supplies.Warehouse", on_delete=models.PROTECT, related_name="+",
        verbose_name=_("warehouse"),
    )  # fmt: skip
    # No grid and no building: the whole community.
    grids = models.ManyToManyField(Grid, blank=True, related_name="+", verbose_name=_("grids"))
    buildings = models.ManyToManyField(
        Building, blank=True, related_name="+", verbose_name=_("buildings")
    )
    status = models.CharField(
        _("status"), max_length=10, choices=RoundStatus.choices, default=RoundStatus.DRAFT
    )
    # Priority groups (`priority_choices`), most urgent first: who is served first when short.
    priority = models.JSONField(_("priority order"), default=default_priority, blank=True)
    trip_capacity = models.PositiveSmallIntegerField(
        _("parcels per trip"), default=10,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
    )  # fmt: skip
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("created by"),
    )  # fmt: skip
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    # The stock reserved when the round started, one reservation per item.
    reservations = models.ManyToManyField(
        "supplies.Reservation", blank=True, related_name="+", verbose_name=_("reservations")
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("distribution round")
        verbose_name_plural = _("distribution rounds")
        indexes = [models.Index(fields=["community", "-created_at"], name="delivery_round_list")]

    def __str__(self) -> str:
        return self.name

    @property
    def reference(self) -> str:
        """How the stock ledger names the round's reservations and issues."""
        return f"round-{self.pk}"


class Basis(models.TextChoices):
    HOUSEHOLD = PER_HOUSEHOLD, _("per household")
    PERSON = PER_PERSON, _("per person")
    TAGGED_PERSON = PER_TAGGED_PERSON, _("per person in a group")
    # Only a group purchase's round: what each household ordered.
    ORDERED = PER_ORDER, _("as ordered")


class RoundLine(models.Model):
    """`quantity` of an item per household, per person or per person carrying `tag`."""

    scope_paths: ClassVar[dict[str, str | None]] = {"community": "round__community"}

    round = models.ForeignKey(
        DistributionRound, on_delete=models.CASCADE, related_name="lines",
        verbose_name=_("round"),
    )  # fmt: skip
    item = models.ForeignKey(
        "supplies.Item", on_delete=models.PROTECT, related_name="+", verbose_name=_("item")
    )
    basis = models.CharField(_("basis"), max_length=20, choices=Basis.choices)
    tag = models.CharField(
        _("group"), max_length=20, blank=True,
        choices=[(tag.value, tag.label) for tag in Tag],
    )  # fmt: skip
    quantity = models.PositiveIntegerField(
        _("quantity"), validators=[MinValueValidator(1), MaxValueValidator(1000)]
    )

    class Meta:
        ordering = ["round_id", "id"]
        verbose_name = _("round line")
        verbose_name_plural = _("round lines")
        constraints = [
            models.CheckConstraint(
                condition=Q(basis=PER_TAGGED_PERSON, tag__gt="") | (~Q(basis=PER_TAGGED_PERSON) & Q(tag="")),
                name="round_line_tag_with_group_basis",
            )
        ]  # fmt: skip

    def __str__(self) -> str:
        return f"{self.item_id} × {self.quantity} {self.basis}"


class DeliveryStatus(models.TextChoices):
    PLANNED = "planned", pgettext_lazy("delivery", "Planned")
    OUT = "out", _("On the way")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", pgettext_lazy("delivery", "Failed")
    # Entitled, but the stock ran out before this household: nothing to carry.
    UNFILLED = "unfilled", _("Out of stock")


class FailureReason(models.TextChoices):
    NOBODY_HOME = "nobody_home", _("Nobody answered")
    NO_ACCESS = "no_access", _("Could not get in")
    WRONG_ADDRESS = "wrong_address", _("Address not found")
    REFUSED = "refused", pgettext_lazy("delivery", "Refused")
    OTHER = "other", _("Other (see the note)")


class ConfirmedVia(models.TextChoices):
    HOUSEHOLD = "household", _("The resident, on the household page")
    VOLUNTEER = "volunteer", _("The volunteer at the door")


def photo_storage() -> FileSystemStorage:
    """Doorstep photos: served to those who may see the delivery."""
    return PrivateStorage("deliveries/photos")


class Batch(TimeStamped):
    """Some of a round's buildings, walked by one volunteer along the stored route."""

    scope_paths: ClassVar[dict[str, str | None]] = {"community": "round__community"}

    round = models.ForeignKey(
        DistributionRound, on_delete=models.CASCADE, related_name="batches",
        verbose_name=_("round"),
    )  # fmt: skip
    number = models.PositiveSmallIntegerField(_("number"))
    volunteer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("volunteer"),
    )  # fmt: skip
    buildings = models.ManyToManyField(Building, related_name="+", verbose_name=_("buildings"))
    # {"trips": [[building id, ...], ...], "metres": int, "solver": str, "parcels": {building
    # id: parcels when planned}}; {} until computed.
    route = models.JSONField(_("route"), default=dict, blank=True)
    route_computed_at = models.DateTimeField(_("route computed at"), null=True, blank=True)

    class Meta:
        ordering = ["round_id", "number"]
        verbose_name = _("batch")
        verbose_name_plural = _("batches")
        constraints = [
            models.UniqueConstraint(fields=["round", "number"], name="delivery_batch_number")
        ]
        indexes = [models.Index(fields=["volunteer", "round"], name="delivery_batch_volunteer")]

    def __str__(self) -> str:
        return str(_("Batch %(number)s") % {"number": self.number})


class Delivery(TimeStamped):
    """One household's parcel in a round: its status, its confirmation and, if it failed, the
    follow-up task."""

    scope_paths: ClassVar[dict[str, str | None]] = {
        "community": "community",
        "building": "building",
    }

    round = models.ForeignKey(
        DistributionRound, on_delete=models.CASCADE, related_name="deliveries",
        verbose_name=_("round"),
    )  # fmt: skip
    household = models.ForeignKey(
        Household, on_delete=models.PROTECT, related_name="+", verbose_name=_("household")
    )
    # Denormalised from the household when the round starts, for scope and grouping.
    building = models.ForeignKey(
        Building, on_delete=models.PROTECT, related_name="+", verbose_name=_("building")
    )
    community = models.ForeignKey(
        Community, on_delete=models.PROTECT, related_name="+", verbose_name=_("community")
    )
    address_key = models.CharField(max_length=100, editable=False, default="")
    # The priority groups that put the household where it was served, most urgent first.
    groups = models.JSONField(_("priority groups"), default=list, blank=True)
    batch = models.ForeignKey(
        Batch, null=True, blank=True, on_delete=models.SET_NULL, related_name="deliveries",
        verbose_name=_("batch"),
    )  # fmt: skip
    status = models.CharField(
        _("status"), max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PLANNED
    )
    failure_reason = models.CharField(
        _("why it failed"), max_length=20, choices=FailureReason.choices, blank=True
    )
    failure_note = models.CharField(_("note"), max_length=500, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    confirmed_via = models.CharField(
        _("confirmed by"), max_length=10, choices=ConfirmedVia.choices, blank=True
    )
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+", verbose_name=_("volunteer"),
    )  # fmt: skip
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    photo = models.FileField(_("photo"), storage=photo_storage, upload_to="%Y/%m/%d", blank=True)
    # Set once, when the delivery first failed.
    task = models.ForeignKey(
        "tasks.Task", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("follow-up task"),
    )  # fmt: skip

    class Meta:
        ordering = ["round_id", "address_key", "id"]
        verbose_name = pgettext_lazy("delivery", "delivery")
        verbose_name_plural = pgettext_lazy("delivery", "deliveries")
        constraints = [
            models.UniqueConstraint(fields=["round", "household"], name="delivery_once_a_round")
        ]
        indexes = [
            models.Index(fields=["round", "building", "status"], name="delivery_progress"),
            models.Index(fields=["batch", "address_key"], name="delivery_batch_order"),
            models.Index(fields=["household", "round"], name="delivery_household"),
        ]

    def __str__(self) -> str:
        return str(_("Delivery %(id)s") % {"id": self.pk})


class DeliveryLine(models.Model):
    """One item of a delivery: what the household was entitled to and what the stock allowed."""

    delivery = models.ForeignKey(
        Delivery,
        on_delete=models.CASCADE,
        related_name="lines",
        verbose_name=pgettext_lazy("delivery", "delivery"),
    )
    item = models.ForeignKey(
        "supplies.Item", on_delete=models.PROTECT, related_name="+", verbose_name=_("item")
    )
    entitled = models.PositiveIntegerField(_("entitled"))
    allocated = models.PositiveIntegerField(_("allocated"))

    class Meta:
        ordering = ["delivery_id", "item_id"]
        verbose_name = _("delivery line")
        verbose_name_plural = _("delivery lines")
        constraints = [
            models.UniqueConstraint(fields=["delivery", "item"], name="delivery_line_item"),
            models.CheckConstraint(
                condition=Q(allocated__lte=models.F("entitled")), name="delivery_line_within"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.delivery_id}:{self.item_id}"

    @property
    def shortfall(self) -> int:
        return self.entitled - self.allocated


# -- group purchases ----------------------------------------------------------------------------


class PurchaseStatus(models.TextChoices):
    OPEN = "open", _("Taking orders")
    CLOSED = "closed", _("Ordering closed")
    ARRIVED = "arrived", _("Goods arrived")


class GroupPurchase(TimeStamped):
    """A round of orders from one supplier (团购): households order on their page until
    `closes_at` or until it is closed; the goods then arrive in `warehouse` and `round` delivers
    them."""

    scope_paths: ClassVar[dict[str, str | None]] = {"community": "community"}

    community = models.ForeignKey(
        Community, on_delete=models.PROTECT, related_name="+", verbose_name=_("community")
    )
    title = models.CharField(_("title"), max_length=100)
    supplier = models.CharField(_("supplier"), max_length=100)
    supplier_contact = models.CharField(_("supplier's contact"), max_length=100, blank=True)
    warehouse = models.ForeignKey(
        "supplies.Warehouse", on_delete=models.PROTECT, related_name="+",
        verbose_name=_("storeroom"), help_text=_("Where the goods arrive."),
    )  # fmt: skip
    closes_at = models.DateTimeField(_("ordering closes at"))
    status = models.CharField(
        _("status"), max_length=10, choices=PurchaseStatus.choices, default=PurchaseStatus.OPEN
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("created by"),
    )  # fmt: skip
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    # The purchase receipt in the storeroom and the distribution round, once the goods arrived.
    receipt = models.ForeignKey(
        "supplies.Movement", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("purchase receipt"),
    )  # fmt: skip
    round = models.OneToOneField(
        DistributionRound, null=True, blank=True, on_delete=models.PROTECT,
        related_name="purchase", verbose_name=_("distribution round"),
    )  # fmt: skip

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("group purchase")
        verbose_name_plural = _("group purchases")
        indexes = [models.Index(fields=["community", "status"], name="purchase_open")]

    def __str__(self) -> str:
        return self.title

    @property
    def reference(self) -> str:
        """How the stock ledger names the purchase's receipt."""
        return f"purchase-{self.pk}"


class PurchaseOffer(models.Model):
    """One item of a purchase: its price per unit and how many units a household may order."""

    scope_paths: ClassVar[dict[str, str | None]] = {"community": "purchase__community"}

    purchase = models.ForeignKey(
        GroupPurchase, on_delete=models.CASCADE, related_name="offers",
        verbose_name=_("group purchase"),
    )  # fmt: skip
    item = models.ForeignKey(
        "supplies.Item", on_delete=models.PROTECT, related_name="+", verbose_name=_("item")
    )
    unit_price = models.DecimalField(_("price per unit (yuan)"), max_digits=10, decimal_places=2)
    cap = models.PositiveSmallIntegerField(
        _("at most per household"), validators=[MinValueValidator(1)]
    )
    # Units the supplier delivered, entered when the goods arrive.
    received = models.PositiveIntegerField(_("received"), null=True, blank=True)

    class Meta:
        ordering = ["purchase_id", "id"]
        verbose_name = _("purchase offer")
        verbose_name_plural = _("purchase offers")
        constraints = [
            models.UniqueConstraint(fields=["purchase", "item"], name="purchase_offer_item"),
            models.CheckConstraint(condition=Q(cap__gte=1), name="purchase_offer_cap"),
            models.CheckConstraint(condition=Q(unit_price__gte=0), name="purchase_offer_price"),
        ]

    def __str__(self) -> str:
        return f"{self.item_id} @ {self.unit_price}"


class OrderChannel(models.TextChoices):
    HOUSEHOLD = "household", _("The household, on its page")
    WORKER = "worker", _("A worker, on the household's behalf")


class PurchaseOrder(TimeStamped):
    """One household's order in a purchase; `updated_at` is when it last changed."""

    scope_paths: ClassVar[dict[str, str | None]] = {
        "community": "purchase__community",
        "building": "building",
    }

    purchase = models.ForeignKey(
        GroupPurchase, on_delete=models.CASCADE, related_name="orders",
        verbose_name=_("group purchase"),
    )  # fmt: skip
    household = models.ForeignKey(
        Household, on_delete=models.PROTECT, related_name="+", verbose_name=_("household")
    )
    # Denormalised from the household, for scope and the totals per building.
    building = models.ForeignKey(
        Building, on_delete=models.PROTECT, related_name="+", verbose_name=_("building")
    )
    placed_via = models.CharField(_("placed by"), max_length=10, choices=OrderChannel.choices)
    placed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+", verbose_name=_("worker"),
    )  # fmt: skip

    class Meta:
        ordering = ["purchase_id", "building_id", "household_id"]
        verbose_name = _("purchase order")
        verbose_name_plural = _("purchase orders")
        constraints = [
            models.UniqueConstraint(
                fields=["purchase", "household"], name="purchase_order_once_a_household"
            )
        ]
        indexes = [models.Index(fields=["household", "purchase"], name="purchase_order_household")]

    def __str__(self) -> str:
        return str(_("Order %(id)s") % {"id": self.pk})


class PurchaseOrderLine(models.Model):
    order = models.ForeignKey(
        PurchaseOrder, on_delete=models.CASCADE, related_name="lines",
        verbose_name=_("purchase order"),
    )  # fmt: skip
    offer = models.ForeignKey(
        PurchaseOffer, on_delete=models.CASCADE, related_name="lines",
        verbose_name=_("purchase offer"),
    )  # fmt: skip
    quantity = models.PositiveSmallIntegerField(_("quantity"), validators=[MinValueValidator(1)])

    class Meta:
        ordering = ["order_id", "offer_id"]
        verbose_name = _("order line")
        verbose_name_plural = _("order lines")
        constraints = [
            models.UniqueConstraint(fields=["order", "offer"], name="purchase_order_line_offer"),
            models.CheckConstraint(condition=Q(quantity__gte=1), name="purchase_order_line_some"),
        ]

    def __str__(self) -> str:
        return f"{self.order_id}:{self.offer_id} × {self.quantity}"
