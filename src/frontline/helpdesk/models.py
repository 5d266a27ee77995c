"""Residents' requests (诉求工单): the request, its timeline, breaches of its clock, and each
community's triage words and service levels.

A `HelpRequest` changes only through `services`; every change of status appends a
`RequestEvent`, which is never updated or deleted.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from frontline.core.files import PrivateStorage
from frontline.core.models import AppendOnly
from frontline.places.models import Building, Community, Household, TimeStamped
from frontline.residents.models import Resident


class Category(models.TextChoices):
    MEDICAL_EMERGENCY = "medical_emergency", _("Medical emergency")
    MEDICINE = "medicine", _("Medicine")
    FOOD = "food", _("Food and supplies")
    PSYCHOLOGICAL = "psychological", _("Psychological")
    UTILITIES = "utilities", _("Utilities and repairs")
    COMPLAINT = "complaint", _("Complaint")
    OTHER = "other", _("Other")


class Urgency(models.TextChoices):
    NORMAL = "normal", _("Normal")
    URGENT = "urgent", _("Urgent")


class Channel(models.TextChoices):
    PORTAL = "portal", _("Household link")
    PHONE = "phone", _("Phone call")
    VISIT = "visit", _("Visit")
    API = "api", _("API")


class RequestStatus(models.TextChoices):
    ASSIGNED = "assigned", _("Waiting to be taken")
    TAKEN = "taken", _("Being handled")
    TRANSFERRED = "transferred", _("With a partner organisation")
    RESOLVED = "resolved", pgettext_lazy("request", "Resolved")


OPEN_STATUSES = (RequestStatus.ASSIGNED, RequestStatus.TAKEN, RequestStatus.TRANSFERRED)


class BreachKind(models.TextChoices):
    TAKE = "take", _("Not taken in time")
    RESOLVE = "resolve", _("Not resolved in time")


def photo_storage() -> FileSystemStorage:
    """Request photos: served to the workers who may see the request."""
    return PrivateStorage("helpdesk/photos")


class HelpdeskSettings(TimeStamped):
    """A community's triage words and vulnerability-tag rules; the shipped defaults
    (`triage.DEFAULT_KEYWORDS`, `triage.DEFAULT_TAG_RULES`) until its administrator saves."""

    scope_paths: ClassVar[dict[str, str | None]] = {"community": "community"}

    community = models.OneToOneField(
        Community, on_delete=models.PROTECT, related_name="+", verbose_name=_("community")
    )
    keywords = models.JSONField(_("urgent keywords"), default=list)
    tag_rules = models.JSONField(_("urgent vulnerability tags"), default=list)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+", verbose_name=_("updated by"),
    )  # fmt: skip

    class Meta:
        ordering = ["community_id"]
        verbose_name = _("help-desk settings")
        verbose_name_plural = _("help-desk settings")

    def __str__(self) -> str:
        return str(_("Help-desk settings of %(community)s") % {"community": self.community})


class ServiceLevel(TimeStamped):
    """How soon a request of one category and urgency must be taken and resolved in one
    community; `services.DEFAULT_SLA` applies where no row exists."""

    scope_paths: ClassVar[dict[str, str | None]] = {"community": "community"}

    community = models.ForeignKey(
        Community, on_delete=models.PROTECT, related_name="+", verbose_name=_("community")
    )
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    urgency = models.CharField(_("urgency"), max_length=10, choices=Urgency.choices)
    take_minutes = models.PositiveIntegerField(
        _("take within (minutes)"), validators=[MinValueValidator(1), MaxValueValidator(7 * 1440)]
    )
    resolve_minutes = models.PositiveIntegerField(
        _("resolve within (minutes)"),
        validators=[MinValueValidator(1), MaxValueValidator(30 * 1440)],
    )

    class Meta:
        ordering = ["community_id", "category", "urgency"]
        verbose_name = _("service level")
        verbose_name_plural = _("service levels")
        constraints = [
            models.UniqueConstraint(
                fields=["community", "category", "urgency"], name="helpdesk_sla_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.category}/{self.urgency}"


class HelpRequest(TimeStamped):
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
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    text = models.TextField(_("request"))
    photo = models.FileField(_("photo"), storage=photo_storage, upload_to="%Y/%m/%d", blank=True)
    urgency = models.CharField(_("urgency"), max_length=10, choices=Urgency.choices)
    urgent_reasons = models.JSONField(_("why urgent"), default=list, blank=True)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    status = models.CharField(_("status"), max_length=20, choices=RequestStatus.choices)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
        related_name="+", verbose_name=_("owner"),
    )  # fmt: skip
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+", verbose_name=_("recorded by"),
    )  # fmt: skip
    task = models.ForeignKey(
        "tasks.Task", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("task"),
    )  # fmt: skip
    take_due_at = models.DateTimeField(_("take by"))
    resolve_due_at = models.DateTimeField(_("resolve by"))
    taken_at = models.DateTimeField(_("taken at"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    resolution = models.TextField(_("resolution"), blank=True)
    partner = models.CharField(_("partner organisation"), max_length=100, blank=True)
    rating = models.PositiveSmallIntegerField(
        _("rating"), null=True, blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )  # fmt: skip
    rating_comment = models.TextField(_("rating comment"), blank=True)
    # Set for a psychological request: the care case it opened or joined.
    care_case = models.ForeignKey(
        "care.CareCase", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("care case"),
    )  # fmt: skip

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("request")
        verbose_name_plural = _("requests")
        constraints = [
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5),
                name="helpdesk_rating_1_to_5",
            )
        ]
        indexes = [
            models.Index(fields=["community", "status", "-created_at"], name="helpdesk_list"),
            models.Index(fields=["household", "-created_at"], name="helpdesk_household"),
            models.Index(
                fields=["take_due_at"],
                condition=Q(taken_at__isnull=True) & ~Q(status="resolved"),
                name="helpdesk_untaken",
            ),
            models.Index(
                fields=["resolve_due_at"], condition=~Q(status="resolved"), name="helpdesk_open"
            ),
        ]

    def __str__(self) -> str:
        # Shown as a task's source: no text, no name.
        return str(_("Request %(id)s") % {"id": self.pk})

    @property
    def is_open(self) -> bool:
        return self.status != RequestStatus.RESOLVED

    @property
    def is_urgent(self) -> bool:
        return self.urgency == Urgency.URGENT

    def overdue_kinds(self, now: Any = None) -> list[str]:
        """The clocks this request has run past (none once resolved)."""
        now = now or timezone.now()
        if not self.is_open:
            return []
        late = []
        if self.taken_at is None and self.take_due_at < now:
            late.append(BreachKind.TAKE.value)
        if self.resolve_due_at < now:
            late.append(BreachKind.RESOLVE.value)
        return late

    @property
    def is_overdue(self) -> bool:
        return bool(self.overdue_kinds())


class EventKind(models.TextChoices):
    RECEIVED = "received", _("Received")
    ASSIGNED = "assigned", _("Assigned")
    TAKEN = "taken", _("Taken")
    NOTE = "note", _("Note")
    TRANSFERRED = "transferred", _("Transferred to a partner organisation")
    RESOLVED = "resolved", pgettext_lazy("request", "Resolved")
    REOPENED = "reopened", _("Reopened")
    RATED = "rated", _("Rated")
    ESCALATED = "escalated", _("Escalated")
    CARE = "care", _("Passed to psychological support")


class RequestEvent(AppendOnly):
    """One step of a request's timeline: who did what, when, with what words."""

    scope_paths: ClassVar[dict[str, str | None]] = {
        "community": "request__community",
        "building": "request__building",
    }

    request = models.ForeignKey(
        HelpRequest, on_delete=models.PROTECT, related_name="events", verbose_name=_("request")
    )
    kind = models.CharField(_("step"), max_length=20, choices=EventKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
        related_name="+", verbose_name=_("by"),
    )  # fmt: skip
    to_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
        related_name="+", verbose_name=_("to"),
    )  # fmt: skip
    by_resident = models.BooleanField(_("by the resident"), default=False)
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        ordering = ["request_id", "created_at", "id"]
        verbose_name = _("request event")
        verbose_name_plural = _("request events")

    def __str__(self) -> str:
        return f"{self.request_id}: {self.kind}"


class Breach(models.Model):
    """A request that ran past one of its clocks; at most one per request and kind, so a breach
    is escalated once and counted once (on the day its deadline passed)."""

    scope_paths: ClassVar[dict[str, str | None]] = {
        "community": "community",
        "building": "request__building",
    }

    request = models.ForeignKey(
        HelpRequest, on_delete=models.PROTECT, related_name="breaches", verbose_name=_("request")
    )
    community = models.ForeignKey(
        Community, on_delete=models.PROTECT, related_name="+", verbose_name=_("community")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=BreachKind.choices)
    day = models.DateField(_("day"))
    due_at = models.DateTimeField(_("was due"))
    escalation_task = models.ForeignKey(
        "tasks.Task", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("escalation task"),
    )  # fmt: skip
    created_at = models.DateTimeField(_("escalated at"), auto_now_add=True)

    class Meta:
        ordering = ["request_id", "kind"]
        verbose_name = _("breach")
        verbose_name_plural = _("breaches")
        constraints = [
            models.UniqueConstraint(fields=["request", "kind"], name="helpdesk_breach_once")
        ]
        indexes = [models.Index(fields=["day", "community"], name="helpdesk_breach_day")]

    def __str__(self) -> str:
        return f"{self.request_id}:{self.kind}"
