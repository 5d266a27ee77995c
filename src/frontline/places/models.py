"""The place hierarchy: sub-district > community > grid > building > unit > household."""

from __future__ import annotations

import re
from typing import ClassVar

from django.db import models
from django.utils.translation import gettext_lazy as _

DIGIT_RUN = re.compile(r"[0-9]+")


def address_key(building: str, unit: str, room: str) -> str:
    """A sort key that orders addresses as people read them: building 2 before building 10."""
    return "|".join(
        DIGIT_RUN.sub(lambda m: m.group().zfill(8), part) for part in (building, unit, room)
    )


class TimeStamped(models.Model):
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class SubDistrict(TimeStamped):
    scope_paths: ClassVar[dict[str, str | None]] = {"community": None}
    name = models.CharField(_("name"), max_length=100, unique=True)
    code = models.CharField(_("code"), max_length=20, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("sub-district")
        verbose_name_plural = _("sub-districts")

    def __str__(self) -> str:
        return self.name


class Community(TimeStamped):
    scope_paths: ClassVar[dict[str, str | None]] = {"community": "pk"}
    subdistrict = models.ForeignKey(
        SubDistrict,
        on_delete=models.PROTECT,
        related_name="communities",
        verbose_name=_("sub-district"),
    )
    name = models.CharField(_("name"), max_length=100)
    code = models.CharField(_("code"), max_length=20, blank=True)
    hotline = models.CharField(_("hotline"), max_length=30, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("community")
        verbose_name_plural = _("communities")
        constraints = [
            models.UniqueConstraint(fields=["subdistrict", "name"], name="community_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class Grid(TimeStamped):
    scope_paths: ClassVar[dict[str, str | None]] = {"community": "community", "grid": "pk"}
    community = models.ForeignKey(
        Community, on_delete=models.PROTECT, related_name="grids", verbose_name=_("community")
    )
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        ordering = ["community_id", "name"]
        verbose_name = _("grid")
        verbose_name_plural = _("grids")
        constraints = [
            models.UniqueConstraint(fields=["community", "name"], name="grid_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class Building(TimeStamped):
    scope_paths: ClassVar[dict[str, str | None]] = {
        "community": "community",
        "grid": "grid",
        "building": "pk",
    }
    community = models.ForeignKey(
        Community, on_delete=models.PROTECT, related_name="buildings", verbose_name=_("community")
    )
    grid = models.ForeignKey(
        Grid, on_delete=models.PROTECT, related_name="buildings", verbose_name=_("grid")
    )
    number = models.CharField(_("building number"), max_length=20)
    name = models.CharField(_("name"), max_length=100, blank=True)
    # Where the building stands on the community's site plan, in metres east and north of its
    # south-west corner: walking distances for delivery routes are estimated from these.
    plan_x = models.PositiveIntegerField(_("metres east on the site plan"), null=True, blank=True)
    plan_y = models.PositiveIntegerField(_("metres north on the site plan"), null=True, blank=True)

    class Meta:
        ordering = ["community_id", "grid_id", "number"]
        verbose_name = _("building")
        verbose_name_plural = _("buildings")
        constraints = [
            models.UniqueConstraint(fields=["community", "number"], name="building_unique_number")
        ]

    def __str__(self) -> str:
        return self.name or _("Building %(number)s") % {"number": self.number}


class Unit(TimeStamped):
    scope_paths: ClassVar[dict[str, str | None]] = {
        "community": "building__community",
        "building": "building",
    }
    building = models.ForeignKey(
        Building, on_delete=models.PROTECT, related_name="units", verbose_name=_("building")
    )
    number = models.CharField(_("unit number"), max_length=20)

    class Meta:
        ordering = ["building_id", "number"]
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        constraints = [
            models.UniqueConstraint(fields=["building", "number"], name="unit_unique_number")
        ]

    def __str__(self) -> str:
        return f"{self.building.number}-{self.number}"


class Household(TimeStamped):
    scope_paths: ClassVar[dict[str, str | None]] = {
        "community": "unit__building__community",
        "building": "unit__building",
    }
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="households", verbose_name=_("unit")
    )
    room = models.CharField(_("room"), max_length=20)
    phone = models.CharField(_("household phone"), max_length=20, blank=True)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        ordering = ["unit_id", "room"]
        verbose_name = _("household")
        verbose_name_plural = _("households")
        constraints = [
            models.UniqueConstraint(fields=["unit", "room"], name="household_unique_room")
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def sort_key(self) -> str:
        return address_key(self.unit.building.number, self.unit.number, self.room)

    @property
    def label(self) -> str:
        """The address as workers say it: building-unit-room, e.g. 3-2-401."""
        return f"{self.unit.building.number}-{self.unit.number}-{self.room}"


class WalkingDistance(TimeStamped):
    """Metres a volunteer walks from one building to another, from the community's own matrix
    (paths, gates and stairs a site plan does not show); one way, as uphill and one-way gates
    make the way back differ. Delivery routes use it where it exists and estimate the rest from
    the buildings' positions on the site plan."""

    scope_paths: ClassVar[dict[str, str | None]] = {"community": "community"}
    community = models.ForeignKey(
        Community,
        on_delete=models.CASCADE,
        related_name="walking_distances",
        verbose_name=_("community"),
    )
    origin = models.ForeignKey(
        Building, on_delete=models.CASCADE, related_name="+", verbose_name=_("from building")
    )
    destination = models.ForeignKey(
        Building, on_delete=models.CASCADE, related_name="+", verbose_name=_("to building")
    )
    metres = models.PositiveIntegerField(_("metres"))

    class Meta:
        ordering = ["community_id", "origin_id", "destination_id"]
        verbose_name = _("walking distance")
        verbose_name_plural = _("walking distances")
        constraints = [
            models.UniqueConstraint(
                fields=["origin", "destination"], name="walking_distance_unique_pair"
            ),
            models.CheckConstraint(
                condition=~models.Q(origin=models.F("destination")),
                name="walking_distance_between_two_buildings",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.origin_id} → {self.destination_id}: {self.metres} m"
