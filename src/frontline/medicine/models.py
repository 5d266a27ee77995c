"""Medicine runs (代购药): a resident's request for their regular medicine, the runs that fetch a
batch of requests from one pharmacy or hospital, and the timeline of every request.

A request changes only through `services`; every step appends a `MedicineEvent`, which is
never updated or deleted.
"""

from __future__ import annotations

from decimal import Decimal
from typing import ClassVar

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from frontline.core.files import PrivateStorage
from frontline.core.models import AppendOnly
from frontline.places.models import Building, Community, Household, TimeStamped
from frontline.residents.models import Resident


def prescription_storage() -> FileSystemStorage:
    """Prescription photos: served to the workers who handle the request and to its runner."""
    return PrivateStorage("medicine/prescriptions")


class MedicineStatus(models.TextChoices):
    REQUESTED = "requested", _("Waiting for a run")
    PLANNED = "planned", _("In a run")
    COLLECTED = "collected", _("Collected, to deliver")
    DELIVERED = "delivered", pgettext_lazy("medicine", "Delivered")
    CANCELLED = "cancelled", pgettext_lazy("medicine", "Cancelled")


OPEN_STATUSES = (MedicineStatus.REQUESTED, MedicineStatus.PLANNED, MedicineStatus.COLLECTED)


class RequestChannel(models.TextChoices):
    PORTAL = "portal", _("Household link")
    WORKER = "worker", _("By a worker")
    API = "api", _("API")


class RunStatus(models.TextChoices):
    PLANNED = "planned", _("To collect")
    COLLECTED = "collected", _("Collected")
    DONE = "done", _("Done")


class MedicineRun(TimeStamped):
    """One trip to a pharmacy or hospital for a batch of requests, by one runner."""

    scope_paths: ClassVar[dict[str, str | None]] = {"community": "community", "building": None}

    community = models.ForeignKey(
        Community, on_delete=models.PROTECT, related_name="+", verbose_name=_("community")
    )
    pharmacy = models.CharField(_("pharmacy or hospital"), max_length=100)
    runner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("runner"),
    )  # fmt: skip
    status = models.CharField(
        _("status"), max_length=10, choices=RunStatus.choices, default=RunStatus.PLANNED
    )
    planned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("planned by"),
    )  # fmt: skip
    collected_at = models.DateTimeField(_("collected at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("medicine run")
        verbose_name_plural = _("medicine runs")
        indexes = [models.Index(fields=["runner", "status"], name="medicine_run_runner")]

    def __str__(self) -> str:
        return str(_("Medicine run %(id)s") % {"id": self.pk})


class MedicineRequest(TimeStamped):
    """A resident's regular medicine to fetch: what, how much, where from, the prescription."""

    scope_paths: ClassVar[dict[str, str | None]] = {
        "community": "community",
        "building": "building",
    }

    community = models.ForeignKey(
        Community, on_delete=models.PROTECT, related_name="+", verbose_name=_("community")
    )
    building = models.ForeignKey(
        Building, on_delete=models.PROTECT, related_name="+", verbose_name=_("building")
    )
    household = models.ForeignKey(
        Household, on_delete=models.PROTECT, related_name="+", verbose_name=_("household")
    )
    resident = models.ForeignKey(
        Resident, on_delete=models.PROTECT, related_name="+", verbose_name=_("resident")
    )
    medicine = models.CharField(_("medicine"), max_length=100)
    dose = models.CharField(_("dose"), max_length=100)
    quantity = models.CharField(_("quantity"), max_length=50)
    pharmacy = models.CharField(_("pharmacy or hospital"), max_length=100)
    prescription = models.FileField(
        _("prescription photo"), storage=prescription_storage, upload_to="%Y/%m/%d", blank=True
    )
    urgent = models.BooleanField(_("urgent"), default=False)
    urgent_reasons = models.JSONField(_("why urgent"), default=list, blank=True)
    channel = models.CharField(_("channel"), max_length=10, choices=RequestChannel.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=MedicineStatus.choices,
        default=MedicineStatus.REQUESTED,
    )  # fmt: skip
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+", verbose_name=_("recorded by"),
    )  # fmt: skip
    run = models.ForeignKey(
        MedicineRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="requests",
        verbose_name=_("run"),
    )  # fmt: skip
    cost = models.DecimalField(
        _("cost (yuan)"), max_digits=8, decimal_places=2, null=True, blank=True
    )
    paid = models.DecimalField(
        _("paid (yuan)"), max_digits=8, decimal_places=2, null=True, blank=True
    )
    payment_note = models.CharField(_("payment"), max_length=100, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    # The responsible worker's task for the request, kept in step with it.
    task = models.ForeignKey(
        "tasks.Task", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("task"),
    )  # fmt: skip

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("medicine request")
        verbose_name_plural = _("medicine requests")
        constraints = [
            models.CheckConstraint(
                condition=Q(cost__isnull=True) | Q(cost__gte=0), name="medicine_cost_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(paid__isnull=True) | Q(paid__gte=0), name="medicine_paid_not_negative"
            ),
        ]
        indexes = [
            models.Index(
                fields=["community", "status", "-urgent", "created_at"], name="medicine_list"
            ),
            models.Index(fields=["household", "-created_at"], name="medicine_household"),
        ]

    def __str__(self) -> str:
        # Shown as a task's source: no medicine, no name.
        return str(_("Medicine request %(id)s") % {"id": self.pk})

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def owed(self) -> Decimal:
        """What the household still owes for it (the cost less what was paid)."""
        return max(Decimal(0), (self.cost or Decimal(0)) - (self.paid or Decimal(0)))


class EventKind(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    PLANNED = "planned", _("Put in a run")
    UNAVAILABLE = "unavailable", _("Not available at the pharmacy")
    COLLECTED = "collected", _("Collected")
    NOT_DELIVERED = "not_delivered", _("Delivery failed")
    DELIVERED = "delivered", pgettext_lazy("medicine", "Delivered")
    PAID = "paid", _("Payment recorded")
    CANCELLED = "cancelled", pgettext_lazy("medicine", "Cancelled")


class MedicineEvent(AppendOnly):
    """One step of a request, with who took it; never changed afterwards."""

    scope_paths: ClassVar[dict[str, str | None]] = {
        "community": "request__community",
        "building": "request__building",
    }

    request = models.ForeignKey(
        MedicineRequest, on_delete=models.PROTECT, related_name="events",
        verbose_name=_("request"),
    )  # fmt: skip
    kind = models.CharField(_("step"), max_length=15, choices=EventKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
        related_name="+", verbose_name=_("by"),
    )  # fmt: skip
    by_resident = models.BooleanField(_("by the household"), default=False)
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("at"))

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("medicine request step")
        verbose_name_plural = _("medicine request steps")

    def __str__(self) -> str:
        return f"{self.request_id}:{self.kind}"
