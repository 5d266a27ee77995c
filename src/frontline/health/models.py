"""Daily health check-ins (健康打卡) and the secret household links residents check in through."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from frontline.core.files import PrivateStorage
from frontline.places.models import Building, Community, Household, TimeStamped


class Symptom(models.TextChoices):
    FEVER = "fever", _("Fever")
    COUGH = "cough", _("Cough")
    SORE_THROAT = "sore_throat", _("Sore throat")
    LOSS_OF_TASTE_OR_SMELL = "taste_smell", _("Loss of taste or smell")
    FATIGUE = "fatigue", _("Fatigue")
    MUSCLE_ACHE = "muscle_ache", _("Muscle aches")
    DIARRHOEA = "diarrhoea", _("Diarrhoea")
    BREATHING_DIFFICULTY = "breathing", _("Breathing difficulty")


class Antigen(models.TextChoices):
    NONE = "none", _("Not tested")
    NEGATIVE = "negative", _("Negative")
    POSITIVE = "positive", _("Positive")


class Whereabouts(models.TextChoices):
    HOME = "home", _("At home")
    AWAY = "away", _("Away")


class CheckinSource(models.TextChoices):
    HOUSEHOLD_LINK = "link", _("Household link")
    WORKER_PAGE = "worker", _("Worker (batch page)")
    API = "api", _("API")


def photo_storage() -> FileSystemStorage:
    """Antigen photos: served by a guarded, audited view."""
    return PrivateStorage("health/antigen-photos")


class HouseholdLink(TimeStamped):
    """A household's secret link. The database holds a random salt and the token's SHA-256 only;
    the token itself is an HMAC of the salt under the installation's secret key, so a copy of the
    database alone cannot open any household, while staff can still reprint the QR code."""

    scope_paths: ClassVar[dict[str, str | None]] = {
        "community": "household__unit__building__community",
        "building": "household__unit__building",
    }

    household = models.ForeignKey(
        Household,
        on_delete=models.PROTECT,
        related_name="health_links",
        verbose_name=_("household"),
    )
    salt = models.CharField(max_length=64, editable=False)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("issued by"),
    )
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("revoked by"),
    )

    class Meta:
        ordering = ["household_id", "-created_at", "-id"]
        verbose_name = _("household link")
        verbose_name_plural = _("household links")
        constraints = [
            models.UniqueConstraint(
                fields=["household"],
                condition=Q(revoked_at__isnull=True),
                name="health_one_active_link_per_household",
            )
        ]

    def __str__(self) -> str:
        return str(_("Household link %(id)s") % {"id": self.pk})

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class Checkin(TimeStamped):
    """One resident's check-in for one day: by the resident through the household link, or
    recorded on their behalf by a worker. Several a day are allowed; the task is made once."""

    scope_paths: ClassVar[dict[str, str | None]] = {
        "community": "community",
        "building": "building",
    }

    resident = models.ForeignKey(
        "residents.Resident",
        on_delete=models.PROTECT,
        related_name="checkins",
        verbose_name=_("resident"),
    )
    # Denormalised from the resident for scope filters and the per-building lists.
    building = models.ForeignKey(
        Building, on_delete=models.PROTECT, related_name="+", verbose_name=_("building")
    )
    community = models.ForeignKey(
        Community, on_delete=models.PROTECT, related_name="+", verbose_name=_("community")
    )
    day = models.DateField(_("day"))
    temperature = models.DecimalField(
        _("temperature (°C)"), max_digits=3, decimal_places=1, null=True, blank=True
    )
    symptoms = models.JSONField(_("symptoms"), default=list, blank=True)
    antigen = models.CharField(
        _("antigen self-test"), max_length=10, choices=Antigen.choices, default=Antigen.NONE
    )
    antigen_photo = models.FileField(
        _("antigen photo"), storage=photo_storage, upload_to="%Y/%m/%d", blank=True
    )
    whereabouts = models.CharField(
        _("whereabouts"), max_length=10, choices=Whereabouts.choices, default=Whereabouts.HOME
    )
    source = models.CharField(_("source"), max_length=10, choices=CheckinSource.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    link = models.ForeignKey(
        HouseholdLink,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="checkins",
        verbose_name=_("household link"),
    )
    abnormal = models.BooleanField(_("abnormal"), default=False)
    task = models.ForeignKey(
        "tasks.Task",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("task"),
    )

    class Meta:
        ordering = ["-day", "-created_at", "-id"]
        verbose_name = _("health check-in")
        verbose_name_plural = _("health check-ins")
        indexes = [
            models.Index(fields=["resident", "day"], name="checkin_resident_day"),
            models.Index(fields=["building", "day"], name="checkin_building_day"),
            models.Index(fields=["community", "day"], name="checkin_community_day"),
        ]

    def __str__(self) -> str:
        return str(_("Check-in %(day)s") % {"day": self.day.isoformat()})

    @property
    def symptom_labels(self) -> list[str]:
        return [str(Symptom(value).label) for value in self.symptoms if value in Symptom.values]
