"""Mass-testing rounds (全员核酸): the round and its sites, the tube ledger, lab results.

The ledger answers "who is in tube X" from one index (`Sample.tube`), and "was this person
sampled in this round" from one unique constraint (`Sample(round, resident)`). A sample is
written once per scan: the scan carries an id the sampler's page makes, so a repeated post
(a double click, a dropped connection retried) finds the sample it already made. Only
`services.py` writes these rows.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from frontline.places.models import Building, Community, TimeStamped
from frontline.residents.models import Resident

POOL_SIZES = (1, 5, 10, 20)


class RoundStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    SAMPLING = "sampling", _("Sampling")
    CLOSED = "closed", _("Closed")


class Round(TimeStamped):
    """One round of testing in one community: its window, its default pooling and its scope
    (the buildings listed, or the whole community when none is)."""

    scope_paths: ClassVar[dict[str, str | None]] = {"community": "community", "building": None}

    community = models.ForeignKey(
        Community, on_delete=models.PROTECT, related_name="+", verbose_name=_("community")
    )
    name = models.CharField(_("name"), max_length=100)
    starts_at = models.DateTimeField(_("sampling from"))
    ends_at = models.DateTimeField(_("sampling until"))
    pool_size = models.PositiveSmallIntegerField(
        _("people per tube"), choices=[(n, str(n)) for n in POOL_SIZES], default=10
    )
    buildings = models.ManyToManyField(
        Building, blank=True, related_name="+", verbose_name=_("buildings")
    )
    status = models.CharField(
        _("status"), max_length=20, choices=RoundStatus.choices, default=RoundStatus.PLANNED
    )
    # Vulnerability tags whose holders are sampled one per tube (listed high-risk groups).
    own_tube_tags = models.JSONField(_("one per tube"), default=list, blank=True)
    # Where the policy allows it, those sampled alone share a tube with their own household only.
    household_tubes = models.BooleanField(_("one tube per household for them"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("created by"),
    )  # fmt: skip

    class Meta:
        ordering = ["-starts_at", "-id"]
        verbose_name = _("testing round")
        verbose_name_plural = _("testing rounds")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="round_window"
            )
        ]

    def __str__(self) -> str:
        return self.name


class Site(models.Model):
    """A sampling point of a round, with its tables and the samplers assigned to it."""

    scope_paths: ClassVar[dict[str, str | None]] = {
        "community": "round__community",
        "building": None,
    }

    round = models.ForeignKey(
        Round, on_delete=models.CASCADE, related_name="sites", verbose_name=_("round")
    )
    name = models.CharField(_("name"), max_length=100)
    tables = models.PositiveSmallIntegerField(_("tables"), default=1)
    samplers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="sampling_sites",
        verbose_name=_("samplers"),
    )  # fmt: skip

    class Meta:
        ordering = ["round_id", "name", "id"]
        verbose_name = _("sampling site")
        verbose_name_plural = _("sampling sites")
        constraints = [
            models.UniqueConstraint(fields=["round", "name"], name="site_name_per_round")
        ]

    def __str__(self) -> str:
        return self.name


class TubeStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("tube", "Open")
    CLOSED = "closed", pgettext_lazy("tube", "Closed")


class TubeResult(models.TextChoices):
    PENDING = "pending", _("Awaiting result")
    NEGATIVE = "negative", _("Negative")
    POSITIVE = "positive", _("Positive")
    INVALID = "invalid", _("Invalid")


class Tube(models.Model):
    """One collection tube, by its printed barcode (unique everywhere: barcodes are never
    reused), holding up to `capacity` swabs."""

    scope_paths: ClassVar[dict[str, str | None]] = {
        "community": "round__community",
        "building": None,
    }

    round = models.ForeignKey(
        Round, on_delete=models.PROTECT, related_name="tubes", verbose_name=_("round")
    )
    site = models.ForeignKey(
        Site, null=True, blank=True, on_delete=models.PROTECT, related_name="tubes",
        verbose_name=_("site"),
    )  # fmt: skip
    barcode = models.CharField(_("barcode"), max_length=40, unique=True)
    capacity = models.PositiveSmallIntegerField(_("capacity"))
    size = models.PositiveSmallIntegerField(_("swabs"), default=0)
    status = models.CharField(
        _("status"), max_length=10, choices=TubeStatus.choices, default=TubeStatus.OPEN
    )
    result = models.CharField(
        _("result"), max_length=10, choices=TubeResult.choices, default=TubeResult.PENDING
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("opened by"),
    )  # fmt: skip
    opened_at = models.DateTimeField(_("opened at"), auto_now_add=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        ordering = ["-opened_at", "-id"]
        verbose_name = _("tube")
        verbose_name_plural = _("tubes")
        indexes = [models.Index(fields=["round", "result"], name="tube_round_result")]
        constraints = [
            models.CheckConstraint(
                condition=Q(size__lte=models.F("capacity")), name="tube_not_overfull"
            )
        ]

    def __str__(self) -> str:
        return self.barcode

    @property
    def is_full(self) -> bool:
        return self.size >= self.capacity


class Sample(models.Model):
    """One person's swab in one tube."""

    scope_paths: ClassVar[dict[str, str | None]] = {
        "community": "round__community",
        "building": "building",
    }

    round = models.ForeignKey(
        Round, on_delete=models.PROTECT, related_name="samples", verbose_name=_("round")
    )
    tube = models.ForeignKey(
        Tube, on_delete=models.PROTECT, related_name="samples", verbose_name=_("tube")
    )
    resident = models.ForeignKey(
        Resident, on_delete=models.PROTECT, related_name="samples", verbose_name=_("resident")
    )
    building = models.ForeignKey(
        Building, on_delete=models.PROTECT, related_name="+", verbose_name=_("building")
    )
    scan_id = models.CharField(_("scan"), max_length=64, unique=True)
    override_reason = models.CharField(_("out-of-scope reason"), max_length=200, blank=True)
    sampled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("sampled by"),
    )  # fmt: skip
    sampled_at = models.DateTimeField(_("sampled at"), auto_now_add=True)

    class Meta:
        ordering = ["tube_id", "sampled_at", "id"]
        verbose_name = _("sample")
        verbose_name_plural = _("samples")
        constraints = [
            models.UniqueConstraint(fields=["round", "resident"], name="sample_once_per_round")
        ]
        indexes = [models.Index(fields=["tube", "sampled_at"], name="sample_tube")]

    def __str__(self) -> str:
        return f"{self.tube_id}:{self.resident_id}"


class ResultEntry(models.Model):
    """A result a lab reported for a tube; a changed result is a new entry, so the history
    and each one's source stay."""

    scope_paths: ClassVar[dict[str, str | None]] = {
        "community": "tube__round__community",
        "building": None,
    }

    tube = models.ForeignKey(
        Tube, on_delete=models.PROTECT, related_name="results", verbose_name=_("tube")
    )
    result = models.CharField(_("result"), max_length=10, choices=TubeResult.choices)
    lab = models.CharField(_("laboratory"), max_length=100)
    reported_at = models.DateTimeField(_("reported at"))
    source = models.CharField(_("source"), max_length=200)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("recorded by"),
    )  # fmt: skip
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        ordering = ["tube_id", "created_at", "id"]
        verbose_name = _("lab result")
        verbose_name_plural = _("lab results")

    def __str__(self) -> str:
        return f"{self.tube_id}:{self.result}"


class ExemptionReason(models.TextChoices):
    HOSPITAL = "hospital", _("In hospital")
    AWAY = "away", _("Away from the city")
    POSITIVE = "positive", _("Already positive")
    DOOR_TO_DOOR = "door_to_door", _("Bedridden: sample at home")


EXEMPT_REASONS = (ExemptionReason.HOSPITAL, ExemptionReason.AWAY, ExemptionReason.POSITIVE)


class Exemption(models.Model):
    """Why someone of the round will not come to a site: exempt (in hospital, away, already
    positive) or to be sampled at home. One per person per round; a new reason replaces it."""

    scope_paths: ClassVar[dict[str, str | None]] = {
        "community": "round__community",
        "building": "resident__building",
    }

    round = models.ForeignKey(
        Round, on_delete=models.CASCADE, related_name="exemptions", verbose_name=_("round")
    )
    resident = models.ForeignKey(
        Resident, on_delete=models.CASCADE, related_name="+", verbose_name=_("resident")
    )
    reason = models.CharField(_("reason"), max_length=20, choices=ExemptionReason.choices)
    note = models.CharField(_("note"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("recorded by"),
    )  # fmt: skip
    recorded_at = models.DateTimeField(_("recorded at"), auto_now=True)

    class Meta:
        ordering = ["round_id", "resident_id"]
        verbose_name = _("exemption")
        verbose_name_plural = _("exemptions")
        constraints = [
            models.UniqueConstraint(fields=["round", "resident"], name="exemption_once_per_round")
        ]

    def __str__(self) -> str:
        return f"{self.round_id}:{self.resident_id}:{self.reason}"

    @property
    def exempt(self) -> bool:
        return self.reason in EXEMPT_REASONS
