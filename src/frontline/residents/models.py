"""Residents: identity, household, residence, status and vulnerability tags."""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from frontline.core.masking import mask_document, mask_phone
from frontline.places.models import Building, Community, Household, TimeStamped

SENIOR_AGE = 65
INFANT_AGE = 3


class DocumentType(models.TextChoices):
    RESIDENT_ID = "resident_id", _("Resident ID card")
    PASSPORT = "passport", _("Passport")
    HMT_PERMIT = "hmt_permit", _("Hong Kong, Macao or Taiwan permit")
    OTHER = "other", _("Other document")


class Sex(models.TextChoices):
    MALE = "M", _("Male")
    FEMALE = "F", _("Female")


class ResidenceType(models.TextChoices):
    REGISTERED = "registered", _("Registered (hukou)")
    LONG_TERM = "long_term", _("Long-term resident")
    TENANT = "tenant", _("Tenant")
    FLOATING = "floating", _("Floating population")


class ResidentStatus(models.TextChoices):
    PRESENT = "present", _("Present")
    AWAY = "away", _("Away")
    MOVED_OUT = "moved_out", _("Moved out")
    DECEASED = "deceased", _("Deceased")


class Tag(models.TextChoices):
    """Vulnerability tags. SENIOR is derived from the birth date and never stored."""

    SENIOR = "senior", _("65 and over")
    LIVING_ALONE = "living_alone", _("Living alone")
    CHRONIC = "chronic", _("Chronic disease")
    DIALYSIS = "dialysis", _("Dialysis")
    PREGNANT = "pregnant", _("Pregnant")
    DISABLED = "disabled", _("Disabled")
    BEDRIDDEN = "bedridden", _("Bedridden")
    INFANT = "infant", _("Infant 3 and under")
    MENTAL_HEALTH = "mental_health", _("Mental-health support")


DERIVED_TAGS = frozenset({Tag.SENIOR})


class Resident(TimeStamped):
    scope_paths: ClassVar[dict[str, str | None]] = {
        "community": "community",
        "building": "building",
    }

    household = models.ForeignKey(
        Household, on_delete=models.PROTECT, related_name="residents", verbose_name=_("household")
    )
    # Denormalised from the household by the services, for scope filters and uniqueness.
    # No index of their own: the composite indexes below lead with them.
    building = models.ForeignKey(
        Building,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("building"),
        db_index=False,
    )
    community = models.ForeignKey(
        Community,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("community"),
        db_index=False,
    )
    # The household's `sort_key`, so the list sorts by address without joining three tables.
    address_key = models.CharField(max_length=100, editable=False, default="")

    name = models.CharField(pgettext_lazy("person", "name"), max_length=50)
    name_initials = models.CharField(_("pinyin initials"), max_length=50, editable=False)
    document_type = models.CharField(
        _("document type"),
        max_length=20,
        choices=DocumentType.choices,
        default=DocumentType.RESIDENT_ID,
    )
    document_number = models.CharField(_("document number"), max_length=40, blank=True)
    document_digest = models.CharField(max_length=64, blank=True, editable=False)
    document_tail = models.CharField(max_length=4, blank=True, editable=False)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices, blank=True)
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    phone_tail = models.CharField(max_length=4, blank=True, editable=False)
    residence_type = models.CharField(
        _("residence type"),
        max_length=20,
        choices=ResidenceType.choices,
        default=ResidenceType.REGISTERED,
    )
    status = models.CharField(
        _("status"), max_length=20, choices=ResidentStatus.choices, default=ResidentStatus.PRESENT
    )
    emergency_contact_name = models.CharField(_("emergency contact"), max_length=50, blank=True)
    emergency_contact_phone = models.CharField(
        _("emergency contact phone"), max_length=20, blank=True
    )
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        ordering = ["address_key", "id"]
        verbose_name = _("resident")
        verbose_name_plural = _("residents")
        constraints = [
            models.UniqueConstraint(
                fields=["community", "document_digest"],
                condition=~Q(document_digest=""),
                name="resident_unique_document_per_community",
            )
        ]
        indexes = [
            models.Index(fields=["community", "address_key", "id"], name="resident_address_order"),
            models.Index(fields=["community", "status"], name="resident_community_status"),
            models.Index(fields=["community", "name_initials"], name="resident_community_initials"),
            models.Index(fields=["community", "phone_tail"], name="resident_community_phone_tail"),
            models.Index(fields=["community", "document_tail"], name="resident_community_doc_tail"),
            models.Index(fields=["building", "household"], name="resident_building_household"),
            models.Index(fields=["community", "birth_date"], name="resident_community_birth"),
            # SQLite does not use the partial unique index for parameterised lookups.
            models.Index(fields=["document_digest"], name="resident_document_digest"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def masked_document(self) -> str:
        return mask_document(self.document_number)

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)

    @property
    def masked_emergency_phone(self) -> str:
        return mask_phone(self.emergency_contact_phone)

    @property
    def age(self) -> int | None:
        return age_on(self.birth_date, timezone.localdate())

    @property
    def tag_values(self) -> list[str]:
        """Stored and derived tags, in the order of `Tag`; uses prefetched `tags` when present."""
        stored = {tag.tag for tag in self.tags.all()}
        if self.age is not None and self.age >= SENIOR_AGE:
            stored.add(Tag.SENIOR)
        return [tag.value for tag in Tag if tag in stored]

    @property
    def tag_labels(self) -> list[str]:
        return [str(Tag(value).label) for value in self.tag_values]


def age_on(birth_date: dt.date | None, today: dt.date) -> int | None:
    """Whole years from `birth_date` to `today` (None without a birth date)."""
    if birth_date is None:
        return None
    before_birthday = (today.month, today.day) < (birth_date.month, birth_date.day)
    return today.year - birth_date.year - before_birthday


def senior_born_before(today: dt.date) -> dt.date:
    """Residents born on or before this date are 65 or older today."""
    try:
        return today.replace(year=today.year - SENIOR_AGE)
    except ValueError:  # 29 February
        return today.replace(year=today.year - SENIOR_AGE, day=28)


class ResidentTag(models.Model):
    resident = models.ForeignKey(
        Resident, on_delete=models.CASCADE, related_name="tags", verbose_name=_("resident")
    )
    tag = models.CharField(
        _("tag"), max_length=20, choices=[(t.value, t.label) for t in Tag if t not in DERIVED_TAGS]
    )

    class Meta:
        ordering = ["resident_id", "tag"]
        verbose_name = _("vulnerability tag")
        verbose_name_plural = _("vulnerability tags")
        constraints = [
            models.UniqueConstraint(fields=["resident", "tag"], name="resident_tag_unique")
        ]
        indexes = [models.Index(fields=["tag", "resident"], name="resident_tag_lookup")]

    def __str__(self) -> str:
        return f"{self.resident_id}:{self.tag}"


class RosterImportStatus(models.TextChoices):
    PREVIEW = "preview", _("Waiting for confirmation")
    COMMITTED = "committed", _("Imported")
    CANCELLED = "cancelled", _("Cancelled")


class RosterImport(TimeStamped):
    """An uploaded roster file: kept in the database (no local file is the only copy) until confirmed."""

    scope_paths: ClassVar[dict[str, str | None]] = {"community": "community"}

    community = models.ForeignKey(
        Community, on_delete=models.PROTECT, related_name="+", verbose_name=_("community")
    )
    created_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="+", verbose_name=_("uploaded by")
    )
    filename = models.CharField(_("file name"), max_length=200)
    content = models.BinaryField(_("content"))
    shape = models.CharField(_("header shape"), max_length=64, blank=True)
    mapping = models.JSONField(_("column mapping"), default=dict, blank=True)
    create_places = models.BooleanField(_("create missing units and households"), default=False)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=RosterImportStatus.choices,
        default=RosterImportStatus.PREVIEW,
    )
    summary = models.JSONField(_("summary"), default=dict, blank=True)
    committed_at = models.DateTimeField(_("imported at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("roster import")
        verbose_name_plural = _("roster imports")

    def __str__(self) -> str:
        return self.filename


class RosterMapping(models.Model):
    """A column mapping a user corrected, remembered for the next file with the same headers."""

    community = models.ForeignKey(
        Community, on_delete=models.CASCADE, related_name="+", verbose_name=_("community")
    )
    shape = models.CharField(_("header shape"), max_length=64)
    mapping = models.JSONField(_("column mapping"), default=dict)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["community_id", "shape"]
        verbose_name = _("remembered column mapping")
        verbose_name_plural = _("remembered column mappings")
        constraints = [
            models.UniqueConstraint(
                fields=["community", "shape"], name="roster_mapping_unique_shape"
            )
        ]

    def __str__(self) -> str:
        return self.shape


class SweepStatus(models.TextChoices):
    OPEN = "open", _("In progress")
    CLOSED = "closed", _("Closed")


class VisitOutcome(models.TextChoices):
    VISITED = "visited", _("Visited")
    NOBODY_HOME = "nobody_home", _("Nobody home")
    REFUSED = "refused", _("Refused")
    MOVED_OUT = "moved_out", _("Moved out")


class Need(models.TextChoices):
    MEDICINE = "medicine", _("Medicine")
    FOOD = "food", _("Food")
    MEDICAL = "medical", _("Medical care")
    PSYCHOLOGICAL = "psychological", _("Psychological support")
    OTHER = "other", _("Other")


class Sweep(TimeStamped):
    """A door-to-door sweep (入户排查) over some buildings, for one purpose."""

    scope_paths: ClassVar[dict[str, str | None]] = {"community": "community"}

    community = models.ForeignKey(
        Community, on_delete=models.PROTECT, related_name="+", verbose_name=_("community")
    )
    purpose = models.CharField(_("purpose"), max_length=200)
    buildings = models.ManyToManyField(Building, related_name="sweeps", verbose_name=_("buildings"))
    started_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="+", verbose_name=_("started by")
    )
    status = models.CharField(
        _("status"), max_length=20, choices=SweepStatus.choices, default=SweepStatus.OPEN
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("door-to-door sweep")
        verbose_name_plural = _("door-to-door sweeps")

    def __str__(self) -> str:
        return self.purpose


class SweepVisit(TimeStamped):
    """The latest outcome at one household in one sweep; a revisit updates it."""

    scope_paths: ClassVar[dict[str, str | None]] = {
        "community": "sweep__community",
        "building": "household__unit__building",
    }

    sweep = models.ForeignKey(
        Sweep, on_delete=models.CASCADE, related_name="visits", verbose_name=_("sweep")
    )
    household = models.ForeignKey(
        Household, on_delete=models.PROTECT, related_name="visits", verbose_name=_("household")
    )
    visitor = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="+", verbose_name=_("visitor")
    )
    outcome = models.CharField(_("outcome"), max_length=20, choices=VisitOutcome.choices)
    people_present = models.PositiveSmallIntegerField(_("people present"), default=0)
    needs = models.JSONField(_("needs"), default=list, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["sweep_id", "household_id"]
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        constraints = [
            models.UniqueConstraint(
                fields=["sweep", "household"], name="sweep_visit_once_per_household"
            )
        ]
        indexes = [
            models.Index(
                fields=["household", "outcome", "updated_at"], name="visit_household_contact"
            )
        ]

    def __str__(self) -> str:
        return f"{self.sweep_id}:{self.household_id}:{self.outcome}"
