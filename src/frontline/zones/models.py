"""Zones: the current zone designation of a building or a unit (封控区/管控区/防范区 or
高/中/低风险区) and the append-only history of how it was raised, stepped down and lifted.

A zone changes only through `services`: raised on a confirmed case in the place, stepped down or
lifted when the rule set's zone rule says enough days have passed without a new case.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from frontline.contacts.models import Case
from frontline.core.models import AppendOnly
from frontline.places.models import Building, Community, TimeStamped, Unit
from frontline.policy.models import RuleSet, ZoneLevel

# How severe each level is, for colouring a building by its highest zone and for "raise".
LEVEL_RANK: dict[str, int] = {
    ZoneLevel.HIGH: 3, ZoneLevel.SEALED: 3,
    ZoneLevel.MEDIUM: 2, ZoneLevel.CONTROLLED: 2,
    ZoneLevel.LOW: 1, ZoneLevel.PRECAUTION: 1,
}  # fmt: skip


class Zone(TimeStamped):
    """One designation of a building or of a unit; active while `lifted_on` is empty."""

    scope_paths: ClassVar[dict[str, str | None]] = {
        "community": "community",
        "building": "site",
    }

    community = models.ForeignKey(
        Community, on_delete=models.PROTECT, related_name="+", verbose_name=_("community")
    )
    # The building the place is in (the building itself, or the unit's building): scope and board.
    site = models.ForeignKey(
        Building, on_delete=models.PROTECT, related_name="zones", verbose_name=_("site")
    )
    building = models.ForeignKey(
        Building,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("building"),
    )
    unit = models.ForeignKey(
        Unit,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="zones",
        verbose_name=_("unit"),
    )
    level = models.CharField(_("level"), max_length=20, choices=ZoneLevel.choices)
    designated = models.BooleanField(
        _("designated at this level"),
        default=True,
        help_text=_("Unticked once the zone has stepped down to its current level."),
    )
    designated_on = models.DateField(_("designated on"))
    rule_set = models.ForeignKey(
        RuleSet, on_delete=models.PROTECT, related_name="+", verbose_name=_("rule set")
    )
    last_case_on = models.DateField(_("last new case on"))
    level_since = models.DateField(_("at this level since"))
    lifted_on = models.DateField(_("lifted on"), null=True, blank=True)

    class Meta:
        ordering = ["site_id", "unit_id", "-designated_on", "-id"]
        verbose_name = _("zone")
        verbose_name_plural = _("zones")
        constraints = [
            models.CheckConstraint(
                condition=Q(building__isnull=False, unit__isnull=True)
                | Q(building__isnull=True, unit__isnull=False),
                name="zone_exactly_one_place",
            ),
            models.UniqueConstraint(
                fields=["building"],
                condition=Q(lifted_on__isnull=True, building__isnull=False),
                name="zone_one_active_per_building",
            ),
            models.UniqueConstraint(
                fields=["unit"],
                condition=Q(lifted_on__isnull=True, unit__isnull=False),
                name="zone_one_active_per_unit",
            ),
        ]
        indexes = [models.Index(fields=["community", "lifted_on"], name="zone_community_active")]

    def __str__(self) -> str:
        return f"{self.place_label} {self.get_level_display()}"

    @property
    def is_active(self) -> bool:
        return self.lifted_on is None

    @property
    def rank(self) -> int:
        return LEVEL_RANK.get(self.level, 0)

    @property
    def place_label(self) -> str:
        if self.unit_id is not None:
            return str(_("Building %(building)s unit %(unit)s") % {
                "building": self.site.number, "unit": self.unit.number,  # type: ignore[union-attr]
            })  # fmt: skip
        return str(_("Building %(number)s") % {"number": self.site.number})


class ZoneEventKind(models.TextChoices):
    RAISED = "raised", _("Zone raised")
    NEW_CASE = "new_case", _("New case in the zone")
    STEPPED_DOWN = "stepped_down", _("Stepped down")
    LIFTED = "lifted", _("Lifted")


class ZoneEvent(AppendOnly):
    """One change to a zone, with who, why and on what evidence; never changed afterwards."""

    scope_paths: ClassVar[dict[str, str | None]] = {
        "community": "zone__community",
        "building": "zone__site",
    }

    zone = models.ForeignKey(
        Zone, on_delete=models.PROTECT, related_name="events", verbose_name=_("zone")
    )
    kind = models.CharField(_("change"), max_length=20, choices=ZoneEventKind.choices)
    from_level = models.CharField(
        _("from level"), max_length=20, choices=ZoneLevel.choices, blank=True
    )
    to_level = models.CharField(_("to level"), max_length=20, choices=ZoneLevel.choices, blank=True)
    on = models.DateField(_("date"))
    case = models.ForeignKey(
        Case,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("confirmed case"),
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("by"),
    )
    reason = models.TextField(_("reason"), blank=True)
    evidence = models.CharField(_("evidence"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("time"), auto_now_add=True)

    class Meta:
        ordering = ["zone_id", "created_at", "id"]
        verbose_name = _("zone event")
        verbose_name_plural = _("zone events")

    def __str__(self) -> str:
        return f"{self.zone_id}:{self.kind}"
