"""Confirmed cases, outside persons and the contact links between people.

A person in a chain is either a resident or an outside person (someone who lives elsewhere,
recorded by name and phone). Links and cases name their person through one of two nullable
foreign keys, with a check constraint that exactly one is set.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from frontline.core.masking import mask_name, mask_phone
from frontline.places.models import Building, Community
from frontline.residents.models import Resident


class OutsidePerson(models.Model):
    """Someone who is not on the roster; belongs to the community of the case that named them."""

    scope_paths: ClassVar[dict[str, str | None]] = {"community": "community"}

    community = models.ForeignKey(
        Community, on_delete=models.PROTECT, related_name="+", verbose_name=_("community")
    )
    name = models.CharField(pgettext_lazy("person", "name"), max_length=50)
    phone = models.CharField(_("phone"), max_length=20)
    phone_tail = models.CharField(max_length=4, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["community_id", "id"]
        verbose_name = _("outside person")
        verbose_name_plural = _("outside persons")
        constraints = [
            models.UniqueConstraint(
                fields=["community", "phone", "name"], name="outside_person_unique_per_community"
            )
        ]

    def __str__(self) -> str:
        return mask_name(self.name)

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)


class Case(models.Model):
    """A confirmed case: the index person of a chain, with the date and the evidence reference."""

    scope_paths: ClassVar[dict[str, str | None]] = {
        "community": "community",
        "building": "building",
    }

    community = models.ForeignKey(
        Community, on_delete=models.PROTECT, related_name="+", verbose_name=_("community")
    )
    # The resident's building when the index person is a resident (for grid and building scope).
    building = models.ForeignKey(
        Building, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    resident = models.ForeignKey(
        Resident,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="contact_cases",
        verbose_name=_("resident"),
    )
    outside_person = models.ForeignKey(
        OutsidePerson,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
        verbose_name=_("outside person"),
    )
    confirmed_on = models.DateField(_("confirmed on"))
    reference = models.CharField(_("evidence reference"), max_length=100)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-confirmed_on", "-id"]
        verbose_name = _("confirmed case")
        verbose_name_plural = _("confirmed cases")
        constraints = [
            models.CheckConstraint(
                condition=Q(resident__isnull=False, outside_person__isnull=True)
                | Q(resident__isnull=True, outside_person__isnull=False),
                name="case_exactly_one_index_person",
            )
        ]
        indexes = [models.Index(fields=["community", "confirmed_on"], name="case_community_date")]

    def __str__(self) -> str:
        return f"{self.reference} ({self.confirmed_on:%Y-%m-%d})"

    @property
    def person_key(self) -> str:
        return person_key(self.resident_id, self.outside_person_id)

    @property
    def index_person(self) -> Resident | OutsidePerson:
        person = self.resident if self.resident_id else self.outside_person
        assert person is not None
        return person


class LinkType(models.TextChoices):
    HOUSEHOLD = "household", pgettext_lazy("contact type", "Household")
    WORKPLACE = "workplace", _("Workplace")
    SAME_BUILDING = "same_building", _("Same building")
    TRANSPORT = "transport", _("Transport")
    OTHER = "other", _("Other")


def person_key(resident_id: int | None, outside_id: int | None) -> str:
    """A person's key in a chain: `r<resident id>` or `o<outside person id>`."""
    return f"r{resident_id}" if resident_id else f"o{outside_id}"


class ContactLink(models.Model):
    """Two people met: side `a` is the one already in the chain, side `b` their contact.

    Seen by VIEW_HEALTH in the community of the case and in the building or grid of either
    resident involved (see `selectors.link_scope`).
    """

    scope_paths: ClassVar[dict[str, str | None]] = {"community": "community"}

    case = models.ForeignKey(
        Case, on_delete=models.PROTECT, related_name="links", verbose_name=_("index case")
    )
    community = models.ForeignKey(
        Community, on_delete=models.PROTECT, related_name="+", verbose_name=_("community")
    )
    a_resident = models.ForeignKey(
        Resident, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    a_outside = models.ForeignKey(
        OutsidePerson, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    a_building = models.ForeignKey(
        Building, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    b_resident = models.ForeignKey(
        Resident, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    b_outside = models.ForeignKey(
        OutsidePerson, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    b_building = models.ForeignKey(
        Building, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The unordered pair of person keys ("o3|r12"), so one constraint refuses duplicates.
    pair_key = models.CharField(max_length=50, editable=False)
    met_on = models.DateField(_("date"))
    met_at = models.TimeField(_("time"), null=True, blank=True)
    place = models.CharField(_("where"), max_length=200, blank=True)
    link_type = models.CharField(_("type"), max_length=20, choices=LinkType.choices)
    notes = models.TextField(_("notes"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["case_id", "id"]
        verbose_name = _("contact link")
        verbose_name_plural = _("contact links")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(a_resident__isnull=False, a_outside__isnull=True)
                    | Q(a_resident__isnull=True, a_outside__isnull=False)
                )
                & (
                    Q(b_resident__isnull=False, b_outside__isnull=True)
                    | Q(b_resident__isnull=True, b_outside__isnull=False)
                ),
                name="contact_link_one_person_per_side",
            ),
            models.UniqueConstraint(
                fields=["case", "pair_key", "met_on"], name="contact_link_unique_pair_day"
            ),
        ]
        indexes = [
            models.Index(fields=["a_resident"], name="contact_link_a_resident"),
            models.Index(fields=["b_resident"], name="contact_link_b_resident"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id}:{self.pair_key}@{self.met_on:%Y-%m-%d}"

    @property
    def a_key(self) -> str:
        return person_key(self.a_resident_id, self.a_outside_id)

    @property
    def b_key(self) -> str:
        return person_key(self.b_resident_id, self.b_outside_id)
