"""Control orders (管控): a resident under a measure for a category, made only from evidence.

Status follows evidence (DOMAIN.md, the Henan lesson): an order names exactly one piece of
evidence (a contact link, a trip match, a positive check-in, a positive single-tube nucleic-acid
test, or a documented order from the sub-district), enforced by a check constraint; every change is an `OrderEvent` that the
application never updates or deletes. Only `services.py` writes these rows.
"""

from __future__ import annotations

import os
from typing import ClassVar

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from frontline.control.arithmetic import PhaseSnapshot
from frontline.core.models import AppendOnly
from frontline.places.models import Building, Community, TimeStamped
from frontline.policy.models import Category, RuleSet
from frontline.residents.models import Resident


class DocumentStorage(FileSystemStorage):
    """Order documents live in the data folder (read when used, so tests can move it), never
    under a public URL: a guarded, audited view serves them."""

    @property  # type: ignore[override]
    def base_location(self) -> str:
        return str(settings.DATA_DIR / "control" / "documents")

    @property  # type: ignore[override]
    def location(self) -> str:
        return os.path.abspath(self.base_location)


def document_storage() -> FileSystemStorage:
    return DocumentStorage()


class OrderStatus(models.TextChoices):
    ACTIVE = "active", _("Under control")
    RELEASED = "released", _("Released")
    TRANSFERRED = "transferred", _("Transferred to hospital")


class EvidenceKind(models.TextChoices):
    CONTACT_LINK = "contact_link", _("Contact link")
    TRIP_MATCH = "trip_match", _("Trip to a risk area")
    CHECKIN = "checkin", _("Positive antigen test")
    SAMPLE = "sample", _("Positive nucleic-acid test (single tube)")
    DOCUMENT = "document", _("Documented order from the sub-district")


class ControlOrder(TimeStamped):
    scope_paths: ClassVar[dict[str, str | None]] = {
        "community": "community",
        "building": "building",
    }

    resident = models.ForeignKey(
        Resident,
        on_delete=models.PROTECT,
        related_name="control_orders",
        verbose_name=_("resident"),
    )
    community = models.ForeignKey(
        Community, on_delete=models.PROTECT, related_name="+", verbose_name=_("community")
    )
    building = models.ForeignKey(
        Building, on_delete=models.PROTECT, related_name="+", verbose_name=_("building")
    )
    category = models.CharField(_("category"), max_length=30, choices=Category.choices)
    rule_set = models.ForeignKey(
        RuleSet, on_delete=models.PROTECT, related_name="+", verbose_name=_("rule set")
    )
    start_on = models.DateField(_("start date"))
    release_on = models.DateField(_("release date"))
    total_days = models.PositiveSmallIntegerField(_("days"))
    phases = models.JSONField(_("phases"), default=list)
    # The measures the phases hold, comma-joined, so the list can filter by measure.
    measures = models.CharField(_("measures"), max_length=200, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=OrderStatus.choices, default=OrderStatus.ACTIVE
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    # The evidence: exactly one of the four.
    contact_link = models.ForeignKey(
        "contacts.ContactLink",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("contact link"),
    )
    trip_match = models.ForeignKey(
        "travel.TripMatch",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("trip match"),
    )
    checkin = models.ForeignKey(
        "health.Checkin",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("check-in"),
    )
    sample = models.ForeignKey(
        "sampling.Sample",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("sample"),
    )
    document = models.FileField(
        _("order document"), storage=document_storage, upload_to="%Y/%m/%d", blank=True
    )
    document_reference = models.CharField(_("document reference"), max_length=100, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("created by"),
    )

    class Meta:
        ordering = ["-start_on", "-id"]
        verbose_name = _("control order")
        verbose_name_plural = _("control orders")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(
                        contact_link__isnull=False, trip_match__isnull=True,
                        checkin__isnull=True, sample__isnull=True, document="",
                    )
                    | Q(
                        contact_link__isnull=True, trip_match__isnull=False,
                        checkin__isnull=True, sample__isnull=True, document="",
                    )
                    | Q(
                        contact_link__isnull=True, trip_match__isnull=True,
                        checkin__isnull=False, sample__isnull=True, document="",
                    )
                    | Q(
                        contact_link__isnull=True, trip_match__isnull=True,
                        checkin__isnull=True, sample__isnull=False, document="",
                    )
                    | (
                        Q(contact_link__isnull=True, trip_match__isnull=True, checkin__isnull=True,
                          sample__isnull=True)
                        & ~Q(document="")
                        & ~Q(document_reference="")
                    )
                ),
                name="control_order_exactly_one_evidence",
            ),
            models.UniqueConstraint(
                fields=["resident", "category"],
                condition=Q(status="active"),
                name="control_order_one_active_per_category",
            ),
        ]  # fmt: skip
        indexes = [
            models.Index(fields=["community", "status", "start_on"], name="control_order_list"),
            models.Index(fields=["building", "status"], name="control_order_building"),
        ]

    def __str__(self) -> str:
        return str(
            _("Control order %(id)s (%(start)s)")
            % {"id": self.pk, "start": self.start_on.isoformat()}
        )

    @property
    def evidence_kind(self) -> EvidenceKind:
        if self.contact_link_id:
            return EvidenceKind.CONTACT_LINK
        if self.trip_match_id:
            return EvidenceKind.TRIP_MATCH
        if self.checkin_id:
            return EvidenceKind.CHECKIN
        if self.sample_id:
            return EvidenceKind.SAMPLE
        return EvidenceKind.DOCUMENT

    @property
    def phase_snapshots(self) -> list[PhaseSnapshot]:
        return [PhaseSnapshot.of_json(phase) for phase in self.phases]

    @property
    def is_active(self) -> bool:
        return self.status == OrderStatus.ACTIVE


class SampleResult(models.TextChoices):
    PENDING = "pending", _("Awaiting result")
    NEGATIVE = "negative", _("Negative")
    POSITIVE = "positive", _("Positive")


class OrderTest(models.Model):
    """One test day of an order, with its result once recorded."""

    __test__ = False  # not a pytest class, despite its name

    scope_paths: ClassVar[dict[str, str | None]] = {
        "community": "order__community",
        "building": "order__building",
    }

    order = models.ForeignKey(
        ControlOrder,
        on_delete=models.PROTECT,
        related_name="tests",
        verbose_name=_("control order"),
    )
    day = models.DateField(_("test day"))
    phase_index = models.PositiveSmallIntegerField(_("phase"))
    day_in_phase = models.PositiveSmallIntegerField(_("day of the phase"))
    measure = models.CharField(_("measure"), max_length=30)
    result = models.CharField(
        _("result"), max_length=10, choices=SampleResult.choices, default=SampleResult.PENDING
    )
    sample_reference = models.CharField(_("sample reference"), max_length=100, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded at"), null=True, blank=True)
    task = models.ForeignKey(
        "tasks.Task",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("sampling task"),
    )

    class Meta:
        ordering = ["order_id", "day", "id"]
        verbose_name = _("order test")
        verbose_name_plural = _("order tests")
        constraints = [
            models.UniqueConstraint(fields=["order", "day"], name="order_test_one_per_day")
        ]

    def __str__(self) -> str:
        return str(_("Test on %(day)s") % {"day": self.day.isoformat()})


class EventKind(models.TextChoices):
    CREATED = "created", _("Order made")
    EXTENDED = "extended", _("Order extended")
    TRANSFERRED = "transferred", _("Transferred to hospital")
    TEST_RECORDED = "test_recorded", _("Test result recorded")
    RELEASED = "released", _("Released")
    OVERRIDDEN = "overridden", _("Released by override")
    REPLANNED = "replanned", _("Moved to new rules")


class OrderEvent(AppendOnly):
    """One change to an order, with who, why and on what evidence; never changed afterwards."""

    scope_paths: ClassVar[dict[str, str | None]] = {
        "community": "order__community",
        "building": "order__building",
    }

    order = models.ForeignKey(
        ControlOrder,
        on_delete=models.PROTECT,
        related_name="events",
        verbose_name=_("control order"),
    )
    kind = models.CharField(_("change"), max_length=20, choices=EventKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("by"),
    )
    reason = models.TextField(_("reason"), blank=True)
    evidence = models.CharField(_("evidence"), max_length=300, blank=True)
    test = models.ForeignKey(
        OrderTest,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("test"),
    )
    details = models.JSONField(_("details"), default=dict, blank=True)
    created_at = models.DateTimeField(_("time"), auto_now_add=True)

    class Meta:
        ordering = ["order_id", "created_at", "id"]
        verbose_name = _("order event")
        verbose_name_plural = _("order events")

    def __str__(self) -> str:
        return f"{self.order_id}:{self.kind}"
