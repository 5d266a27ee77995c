"""Risk areas (installation-wide), residents' trips, and the matches screening finds between them.

Codes and place keys are stored in the forms the screening query joins on (`places.py` defines
them): the significant prefix of the area code, its province and city prefixes, and the
normalised free text. Only the services write them.
"""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from frontline.places.models import TimeStamped
from frontline.policy.models import ZoneLevel
from frontline.residents.models import Resident
from frontline.travel.places import MatchKind


class CodedPlace(models.Model):
    """An administrative area code and/or a free-text place, with the derived join columns."""

    area_code = models.CharField(_("area code"), max_length=6, blank=True)
    place = models.CharField(_("place"), max_length=200, blank=True)
    code_prefix = models.CharField(max_length=6, blank=True, editable=False)
    province_prefix = models.CharField(max_length=2, blank=True, editable=False)
    city_prefix = models.CharField(max_length=4, blank=True, editable=False)
    code_level = models.PositiveSmallIntegerField(default=0, editable=False)
    place_key = models.CharField(max_length=200, blank=True, editable=False)

    class Meta:
        abstract = True


class RiskArea(TimeStamped, CodedPlace):
    """A place declared high, medium or low risk (or a zone) between two dates.

    Installation-wide: every user with health data sees the same list; it names places, never
    people. When it has no area code, its place (or else its name) is matched as free text.
    """

    name = models.CharField(_("name"), max_length=200)
    level = models.CharField(_("risk level"), max_length=20, choices=ZoneLevel.choices)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("entered by"),
    )

    class Meta:
        ordering = ["-valid_from", "id"]
        verbose_name = _("risk area")
        verbose_name_plural = _("risk areas")
        indexes = [
            models.Index(fields=["code_level", "code_prefix"], name="riskarea_code"),
            models.Index(fields=["valid_to", "valid_from"], name="riskarea_validity"),
        ]

    def __str__(self) -> str:
        return self.name

    def in_force_on(self, day: dt.date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)


class TripSource(models.TextChoices):
    PORTAL = "portal", _("Declared by the resident")
    WORKER = "worker", _("Entered by a worker")
    IMPORT = "import", _("Imported")


class Trip(TimeStamped, CodedPlace):
    """A resident's stay in a place between two days (both included)."""

    scope_paths: ClassVar[dict[str, str | None]] = {
        "community": "resident__community",
        "building": "resident__building",
    }

    resident = models.ForeignKey(
        Resident, on_delete=models.PROTECT, related_name="trips", verbose_name=_("resident")
    )
    date_from = models.DateField(_("from"))
    date_to = models.DateField(_("to"))
    source = models.CharField(_("source"), max_length=10, choices=TripSource.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["resident_id", "-date_from", "id"]
        verbose_name = _("trip")
        verbose_name_plural = _("trips")
        indexes = [
            # One per join of the screening query: the place column it joins on, then the date
            # range, then what the query reads, so the join is answered from the index alone.
            models.Index(
                fields=["code_prefix", "date_to", "date_from", "resident"], name="trip_code_dates"
            ),
            models.Index(
                fields=["city_prefix", "date_to", "date_from", "resident"], name="trip_city_dates"
            ),
            models.Index(
                fields=["province_prefix", "date_to", "date_from", "resident"],
                name="trip_province_dates",
            ),
            # Free-text matching: the distinct texts, then the trips with one text, by date.
            models.Index(
                fields=["place_key", "date_to", "date_from", "code_level", "resident"],
                condition=Q(place_key__gt=""),
                name="trip_text_dates",
            ),
            models.Index(fields=["resident", "date_from"], name="trip_resident_dates"),
        ]

    def __str__(self) -> str:
        return f"{self.place or self.area_code} {self.date_from:%Y-%m-%d}~{self.date_to:%Y-%m-%d}"

    @property
    def place_label(self) -> str:
        if self.place and self.area_code:
            return f"{self.place} ({self.area_code})"
        return self.place or self.area_code


class TripMatch(models.Model):
    """Evidence found by screening: this trip overlapped this risk area on these days.

    Rows are kept in step by `screening.screening_refresh` whenever a trip or an area changes; the
    pair (trip, area) is the natural key evidence refers to.
    """

    scope_paths: ClassVar[dict[str, str | None]] = {
        "community": "resident__community",
        "building": "resident__building",
    }

    # No index of their own: the unique pair (trip, area) and (resident, last_day) lead with them.
    trip = models.ForeignKey(
        Trip,
        on_delete=models.CASCADE,
        related_name="matches",
        verbose_name=_("trip"),
        db_index=False,
    )
    area = models.ForeignKey(
        RiskArea, on_delete=models.CASCADE, related_name="matches", verbose_name=_("risk area")
    )
    # Denormalised from the trip, so scope filters need one join less.
    resident = models.ForeignKey(
        Resident,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("resident"),
        db_index=False,
    )
    kind = models.CharField(
        _("match"),
        max_length=10,
        choices=[(MatchKind.MATCH.value, _("Match")), (MatchKind.POSSIBLE.value, _("Possible"))],
    )
    first_day = models.DateField(_("first day"))
    last_day = models.DateField(_("last day"))
    found_at = models.DateTimeField(_("found at"))

    class Meta:
        ordering = ["-last_day", "-first_day", "-id"]
        verbose_name = _("trip match")
        verbose_name_plural = _("trip matches")
        constraints = [
            models.UniqueConstraint(fields=["trip", "area"], name="tripmatch_unique_pair")
        ]
        indexes = [
            models.Index(fields=["resident", "last_day"], name="tripmatch_resident"),
            models.Index(fields=["last_day", "first_day"], name="tripmatch_newest"),
        ]

    def __str__(self) -> str:
        return f"{self.trip_id}:{self.area_id}"

    @property
    def days(self) -> int:
        return (self.last_day - self.first_day).days + 1
