"""Psychological support: PHQ/GAD screenings and each community's crisis settings.

A `Screening` is written once by `services.screening_record` (from the household page or by a
worker on the resident's behalf) and afterwards changes only to link the follow-up it caused.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from frontline.care.instruments import BAND_LABELS, INSTRUMENTS, Band, Code
from frontline.places.models import Building, Community, TimeStamped
from frontline.residents.models import Resident

INSTRUMENT_CHOICES = [(code.value, INSTRUMENTS[code].name) for code in Code]
BAND_CHOICES = [(band.value, BAND_LABELS[band]) for band in Band]
DEFAULT_CRISIS_SLA_MINUTES = 60


class ScreeningSource(models.TextChoices):
    PORTAL = "portal", _("Household link")
    WORKER = "worker", _("Worker on the resident's behalf")


class CareSettings(TimeStamped):
    """A community's crisis hotlines (shown to a resident at once after an urgent answer) and how
    soon a crisis must be answered before it is escalated."""

    scope_paths: ClassVar[dict[str, str | None]] = {"community": "community"}

    community = models.OneToOneField(
        Community, on_delete=models.PROTECT, related_name="+", verbose_name=_("community")
    )
    hotlines = models.TextField(
        _("crisis hotlines"),
        blank=True,
        help_text=_("One line each, e.g. “Psychological aid hotline: 12356”."),
    )
    crisis_sla_minutes = models.PositiveSmallIntegerField(
        _("answer a crisis within (minutes)"),
        default=DEFAULT_CRISIS_SLA_MINUTES,
        validators=[MinValueValidator(5), MaxValueValidator(24 * 60)],
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("updated by"),
    )

    class Meta:
        ordering = ["community_id"]
        verbose_name = _("care settings")
        verbose_name_plural = _("care settings")

    def __str__(self) -> str:
        return str(_("Care settings of %(community)s") % {"community": self.community})

    @property
    def hotline_lines(self) -> list[str]:
        return [line.strip() for line in self.hotlines.splitlines() if line.strip()]


class Screening(TimeStamped):
    scope_paths: ClassVar[dict[str, str | None]] = {
        "community": "community",
        "building": "building",
    }

    resident = models.ForeignKey(
        Resident, on_delete=models.PROTECT, related_name="screenings", verbose_name=_("resident")
    )
    community = models.ForeignKey(
        Community, on_delete=models.PROTECT, related_name="+", verbose_name=_("community")
    )
    building = models.ForeignKey(
        Building, on_delete=models.PROTECT, related_name="+", verbose_name=_("building")
    )
    instrument = models.CharField(_("instrument"), max_length=10, choices=INSTRUMENT_CHOICES)
    answers = models.JSONField(_("answers"), default=list)
    total = models.PositiveSmallIntegerField(_("total"))
    band = models.CharField(_("band"), max_length=20, choices=BAND_CHOICES)
    urgent = models.BooleanField(_("urgent"), default=False)
    source = models.CharField(_("source"), max_length=10, choices=ScreeningSource.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    # The follow-up it caused: the counsellor's crisis task (urgent) or the re-screen reminder.
    task = models.ForeignKey(
        "tasks.Task",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("follow-up task"),
    )
    # Set once, when the crisis task was still open past the community's deadline.
    escalation_task = models.ForeignKey(
        "tasks.Task",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("escalation task"),
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("screening")
        verbose_name_plural = _("screenings")
        indexes = [
            models.Index(fields=["community", "-created_at"], name="care_screening_list"),
            models.Index(fields=["resident", "created_at"], name="care_screening_trend"),
            models.Index(
                fields=["created_at"],
                condition=Q(urgent=True, escalation_task__isnull=True),
                name="care_screening_unescalated",
            ),
        ]

    def __str__(self) -> str:
        # Shown as a task's source to workers who may not see scores: no band, no total.
        return str(
            _("Screening %(id)s (%(day)s)")
            % {
                "id": self.pk,
                "day": timezone.localtime(self.created_at).date().isoformat()
                if self.created_at
                else "",
            }
        )

    @property
    def instrument_name(self) -> str:
        return INSTRUMENTS[Code(self.instrument)].name

    @property
    def max_total(self) -> int:
        return INSTRUMENTS[Code(self.instrument)].max_total


# -- care cases ---------------------------------------------------------------------------------


class RiskLevel(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")
    CRISIS = "crisis", _("Crisis")


RISK_ORDER = {level: rank for rank, level in enumerate(RiskLevel)}


class CaseReason(models.TextChoices):
    SCREENING = "screening", _("Screening result")
    HELPDESK = "helpdesk", _("Help-desk request")
    REFERRAL = "referral", _("Referral by a worker")
    SELF = "self", _("Self-referral")


class CaseStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("care case", "Open")
    CLOSED = "closed", pgettext_lazy("care case", "Closed")


class CareCase(TimeStamped):
    """One person's counselling case. Workers who only hold `view_care` see that it exists, its
    risk level and the next contact date; its plan is for those who manage care; its notes are
    a separate model for the counsellor and the supervisor only."""

    scope_paths: ClassVar[dict[str, str | None]] = {
        "community": "community",
        "building": "building",
    }

    resident = models.ForeignKey(
        Resident, on_delete=models.PROTECT, related_name="care_cases", verbose_name=_("resident")
    )
    community = models.ForeignKey(
        Community, on_delete=models.PROTECT, related_name="+", verbose_name=_("community")
    )
    building = models.ForeignKey(
        Building, on_delete=models.PROTECT, related_name="+", verbose_name=_("building")
    )
    counsellor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="care_cases",
        verbose_name=_("counsellor"),
    )
    risk = models.CharField(_("risk level"), max_length=10, choices=RiskLevel.choices)
    reason = models.CharField(_("reason"), max_length=20, choices=CaseReason.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=CaseStatus.choices, default=CaseStatus.OPEN
    )
    plan = models.TextField(_("plan"), blank=True)
    screening = models.ForeignKey(
        Screening,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("opening screening"),
    )
    next_contact_on = models.DateField(_("next contact"), null=True, blank=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("opened by"),
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    close_reason = models.TextField(_("reason for closing"), blank=True)
    closing_screening = models.ForeignKey(
        Screening,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("final screening"),
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("care case")
        verbose_name_plural = _("care cases")
        constraints = [
            models.UniqueConstraint(
                fields=["resident"], condition=Q(status="open"), name="care_case_one_open"
            ),
        ]
        indexes = [
            models.Index(fields=["community", "status"], name="care_case_list"),
            models.Index(fields=["counsellor", "status"], name="care_case_caseload"),
        ]

    def __str__(self) -> str:
        return str(_("Care case %(id)s") % {"id": self.pk})

    @property
    def is_open(self) -> bool:
        return self.status == CaseStatus.OPEN


class CareNote(models.Model):
    """A counsellor's note on a case: read only by the case's counsellor and by holders of
    `read_care_notes`, every read audited; never exported, never in the Django admin."""

    scope_paths: ClassVar[dict[str, str | None]] = {
        "community": "case__community",
        "building": "case__building",
    }

    case = models.ForeignKey(
        CareCase, on_delete=models.PROTECT, related_name="notes", verbose_name=_("care case")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("author"),
    )
    body = models.TextField(_("note"))
    created_at = models.DateTimeField(_("time"), auto_now_add=True)

    class Meta:
        ordering = ["case_id", "created_at", "id"]
        verbose_name = _("care note")
        verbose_name_plural = _("care notes")

    def __str__(self) -> str:
        return str(_("Note %(id)s") % {"id": self.pk})


class ReferralKind(models.TextChoices):
    PSYCHIATRY = "psychiatry", _("Hospital psychiatry department")
    HOTLINE = "hotline", _("Psychological hotline")
    SOCIAL_WORK = "social_work", _("Social-work agency")
    OTHER = "other", _("Other organisation")


class Referral(models.Model):
    """A case handed on to a partner organisation, and what came of it. Seen only by those who
    manage care: that someone was sent to psychiatry is itself sensitive."""

    scope_paths: ClassVar[dict[str, str | None]] = {
        "community": "case__community",
        "building": "case__building",
    }

    case = models.ForeignKey(
        CareCase, on_delete=models.PROTECT, related_name="referrals", verbose_name=_("care case")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=ReferralKind.choices)
    organisation = models.CharField(_("organisation"), max_length=100)
    referred_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("referred by"),
    )  # fmt: skip
    referred_at = models.DateTimeField(_("referred at"), auto_now_add=True)
    outcome = models.TextField(_("outcome"), blank=True)
    outcome_at = models.DateTimeField(_("outcome recorded at"), null=True, blank=True)

    class Meta:
        ordering = ["case_id", "referred_at", "id"]
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")

    def __str__(self) -> str:
        return self.organisation
