"""Reads of zones: every list and object goes through `scoped(...)` (VIEW_HEALTH for workers,
VIEW_AGGREGATES for the sub-district's counts, which carry no person)."""

from __future__ import annotations

import datetime as dt
import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.contrib.auth.models import AnonymousUser
from django.db import models
from django.db.models import Count, Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from frontline.accounts.access import Permission, scoped
from frontline.accounts.models import User
from frontline.contacts.models import Case
from frontline.control.models import ControlOrder, OrderStatus
from frontline.places.models import Building, Community, Unit
from frontline.policy.models import ZoneLevel, ZoneRule
from frontline.zones import arithmetic
from frontline.zones.models import LEVEL_RANK, Zone, ZoneEvent

Viewer = User | AnonymousUser
RANK_COLOURS = {3: "#dc3545", 2: "#fd7e14", 1: "#198754", 0: "#e9ecef"}
RANK_TEXT = {3: "#ffffff", 2: "#212529", 1: "#ffffff", 0: "#212529"}
TILE_W, TILE_H, GAP, MAX_COLUMNS = 120, 80, 12, 8
PLAN_MAX_SIDE = 2_400  # pixels: a larger site plan is drawn smaller, its closest tiles overlapping


def today() -> dt.date:
    return timezone.localdate()


# -- rules and review ---------------------------------------------------------------------------


def is_baseline(rules: list[ZoneRule], rule_set_id: int, level: str) -> bool:
    """Whether `level` is the lowest of the rule set: its rules never step down."""
    mine = [rule for rule in rules if rule.rule_set_id == rule_set_id and rule.level == level]
    return bool(mine) and all(
        rule.days_without_case is None and not rule.next_level for rule in mine
    )


def spec_of(rule: ZoneRule | None, rules: list[ZoneRule]) -> arithmetic.RuleSpec | None:
    if rule is None:
        return None
    return arithmetic.RuleSpec(
        days_without_case=rule.days_without_case, next_level=rule.next_level,
        next_is_baseline=bool(rule.next_level)
        and is_baseline(rules, rule.rule_set_id, rule.next_level),
        contacts_cleared_days=rule.contacts_cleared_days,
        area_test_within_days=rule.area_test_within_days,
    )  # fmt: skip


def pick_rule(rules: list[ZoneRule], zone: Zone) -> ZoneRule | None:
    """The rule for the zone's level and how it got there (designated or stepped down); a level
    with only a designated rule uses it for stepped-down zones too."""
    mine = [
        rule for rule in rules if rule.rule_set_id == zone.rule_set_id and rule.level == zone.level
    ]
    exact = [rule for rule in mine if rule.designated == zone.designated]
    if exact:
        return exact[0]
    return next((rule for rule in mine if rule.designated), None)


def zone_review(
    zone: Zone,
    *,
    on: dt.date,
    under_control: int | None = None,
    rules: list[ZoneRule] | None = None,
) -> arithmetic.Review:
    if rules is None:
        rules = list(ZoneRule.objects.filter(rule_set_id=zone.rule_set_id))
    return arithmetic.review(
        last_case_on=zone.last_case_on, level_since=zone.level_since, designated=zone.designated,
        on=on, rule=spec_of(pick_rule(rules, zone), rules), under_control=under_control,
    )  # fmt: skip


def under_control_count(zone: Zone) -> int:
    """People with an active control order in the zone's building or unit (a count only)."""
    orders = ControlOrder.objects.filter(status=OrderStatus.ACTIVE)
    if zone.unit_id is not None:
        return orders.filter(resident__household__unit_id=zone.unit_id).count()
    return orders.filter(building_id=zone.site_id).count()


# -- zones --------------------------------------------------------------------------------------


def zone_list(
    *, viewer: Viewer, community: int | None = None, active: bool = True
) -> QuerySet[Zone]:
    zones = Zone.objects.filter(scoped(viewer, Permission.VIEW_HEALTH, Zone)).select_related(
        "site", "unit", "rule_set", "community"
    )
    if community is not None:
        zones = zones.filter(community_id=community)
    if active:
        zones = zones.filter(lifted_on__isnull=True)
    return zones.order_by("community_id", "site__number", "unit__number", "-designated_on", "-id")


def zone_get(*, viewer: Viewer, pk: int) -> Zone:
    """One zone the viewer may see, with its history; 404 for anyone outside its scope."""
    return get_object_or_404(
        Zone.objects.filter(scoped(viewer, Permission.VIEW_HEALTH, Zone))
        .select_related("site", "unit", "rule_set", "community")
        .prefetch_related(Prefetch("events", ZoneEvent.objects.select_related("actor", "case"))),
        pk=pk,
    )


@dataclass(frozen=True)
class Due:
    zone: Zone
    review: arithmetic.Review


def due_reviews(zones: list[Zone], *, on: dt.date) -> list[Due]:
    """The zones among `zones` whose step-down or lift is due on `on` (one query for the rules)."""
    rules = list(ZoneRule.objects.filter(rule_set_id__in={zone.rule_set_id for zone in zones}))
    found = [Due(zone, zone_review(zone, on=on, rules=rules)) for zone in zones]
    return [due for due in found if due.review.due]


def zones_due(*, viewer: Viewer, on: dt.date, community: int | None = None) -> list[Due]:
    return due_reviews(list(zone_list(viewer=viewer, community=community)), on=on)


def all_zones_due(*, on: dt.date) -> list[Due]:
    """Every active zone due on `on`, for the daily check (no viewer: the command runs as the
    system and prints places and counts only)."""
    zones = Zone.objects.filter(lifted_on__isnull=True).select_related(
        "site", "unit", "rule_set", "community"
    )
    return due_reviews(list(zones.order_by("community_id", "site__number", "id")), on=on)


# -- the board ----------------------------------------------------------------------------------


def board_communities(*, viewer: Viewer) -> list[Community]:
    return list(
        Community.objects.filter(
            Q(pk__in=Building.objects.filter(scoped(viewer, Permission.VIEW_HEALTH, Building))
              .values("community_id"))
        ).order_by("name", "pk")
    )  # fmt: skip


def number_key(number: str) -> tuple[tuple[int, object], ...]:
    """Natural order of building numbers: 2 before 10, digits before letters."""
    return tuple(
        (0, int(part)) if part.isdigit() else (1, part)
        for part in re.split(r"(\d+)", number)
        if part
    )


@dataclass
class Tile:
    building: Building
    x: int = 0
    y: int = 0
    rank: int = 0
    levels: list[str] = field(default_factory=list)
    under_control: int = 0
    zones: int = 0

    @property
    def colour(self) -> str:
        return RANK_COLOURS[self.rank]

    @property
    def text_colour(self) -> str:
        return RANK_TEXT[self.rank]

    @property
    def level_label(self) -> str:
        return " / ".join(str(ZoneLevel(level).label) for level in self.levels)


@dataclass(frozen=True)
class Board:
    tiles: list[Tile]
    width: int
    height: int
    tile_width: int = TILE_W
    tile_height: int = TILE_H
    by_position: bool = False  # laid out as on the site plan, else in rows by number
    editable: Sequence[Building] = ()  # whose position on the site plan the viewer may enter


def board(*, viewer: Viewer, community: int) -> Board:
    """The community's buildings the viewer sees, each with its highest active zone level (its
    own or its units') and the count of people under control; laid out where they stand on the
    site plan when every one of them has a position, else in rows by number."""
    buildings = sorted(
        Building.objects.filter(scoped(viewer, Permission.VIEW_HEALTH, Building))
        .filter(community_id=community)
        .only("id", "number", "name", "community_id", "plan_x", "plan_y")
        .annotate(
            editable=models.Case(
                models.When(scoped(viewer, Permission.EDIT_PLACES, Building), then=True),
                default=False,
            )
        ),
        key=lambda building: (number_key(building.number), building.pk),
    )
    tiles = {building.pk: Tile(building) for building in buildings}
    zones = Zone.objects.filter(
        scoped(viewer, Permission.VIEW_HEALTH, Zone), community_id=community, lifted_on__isnull=True
    ).values_list("site_id", "level")
    for site_id, level in zones:
        tile = tiles.get(site_id)
        if tile is None:
            continue
        tile.zones += 1
        if LEVEL_RANK[level] > tile.rank:
            tile.rank, tile.levels = LEVEL_RANK[level], [level]
        elif LEVEL_RANK[level] == tile.rank and level not in tile.levels:
            tile.levels.append(level)
    counts = (
        ControlOrder.objects.filter(
            scoped(viewer, Permission.VIEW_HEALTH, ControlOrder),
            community_id=community, status=OrderStatus.ACTIVE,
        )
        .values("building_id")
        .annotate(n=Count("id"))
        .values_list("building_id", "n")
    )  # fmt: skip
    for building_id, count in counts:
        if building_id in tiles:
            tiles[building_id].under_control = count
    ordered = list(tiles.values())
    by_position = bool(ordered) and all(
        tile.building.plan_x is not None and tile.building.plan_y is not None for tile in ordered
    )
    width, height = (lay_out_by_position if by_position else lay_out_by_number)(ordered)
    editable = [building for building in buildings if building.editable]  # type: ignore[attr-defined]
    return Board(ordered, width, height, by_position=by_position, editable=editable)


def lay_out_by_number(tiles: list[Tile]) -> tuple[int, int]:
    """Rows of tiles in order, about as many columns as rows; the board's width and height."""
    columns = min(MAX_COLUMNS, max(1, math.ceil(math.sqrt(len(tiles)))))
    for index, tile in enumerate(tiles):
        tile.x = GAP + (index % columns) * (TILE_W + GAP)
        tile.y = GAP + (index // columns) * (TILE_H + GAP)
    rows = max(1, math.ceil(len(tiles) / columns))
    return GAP + columns * (TILE_W + GAP), GAP + rows * (TILE_H + GAP)


def plan_scale(points: list[tuple[int, int]]) -> float:
    """Pixels per metre: the least that keeps every two tiles from overlapping, but no more than
    fits the plan into PLAN_MAX_SIDE pixels (buildings closer than that scale allows overlap)."""
    pitch_x, pitch_y = TILE_W + GAP, TILE_H + GAP
    apart = 0.0
    for index, (x, y) in enumerate(points):
        for other_x, other_y in points[index + 1 :]:
            dx, dy = abs(x - other_x), abs(y - other_y)
            need = min(pitch_x / dx if dx else math.inf, pitch_y / dy if dy else math.inf)
            if need != math.inf:
                apart = max(apart, need)
    span_x = max(x for x, _y in points) - min(x for x, _y in points)
    span_y = max(y for _x, y in points) - min(y for _x, y in points)
    fits = min(
        (PLAN_MAX_SIDE - pitch_x - GAP) / span_x if span_x else math.inf,
        (PLAN_MAX_SIDE - pitch_y - GAP) / span_y if span_y else math.inf,
    )
    scale = min(apart, fits) if apart else fits
    return scale if scale != math.inf else 1.0


def lay_out_by_position(tiles: list[Tile]) -> tuple[int, int]:
    """Tiles where the buildings stand on the site plan, north up; the board's width and
    height."""
    points = [(tile.building.plan_x or 0, tile.building.plan_y or 0) for tile in tiles]
    scale = plan_scale(points)
    west = min(x for x, _y in points)
    north = max(y for _x, y in points)
    for tile, (x, y) in zip(tiles, points, strict=True):
        tile.x = GAP + round((x - west) * scale)
        tile.y = GAP + round((north - y) * scale)
    width = max(tile.x for tile in tiles) + TILE_W + GAP
    height = max(tile.y for tile in tiles) + TILE_H + GAP
    return width, height


def position_buildings(*, viewer: Viewer, community: int) -> list[Building]:
    """The community's buildings on the viewer's board whose position on the site plan they
    may enter: the rows of the table under the board."""
    return sorted(
        Building.objects.filter(scoped(viewer, Permission.VIEW_HEALTH, Building))
        .filter(scoped(viewer, Permission.EDIT_PLACES, Building))
        .filter(community_id=community)
        .select_related("community"),
        key=lambda building: (number_key(building.number), building.pk),
    )


def building_get(*, viewer: Viewer, pk: int) -> Building:
    return get_object_or_404(
        Building.objects.filter(scoped(viewer, Permission.VIEW_HEALTH, Building)).select_related(
            "community", "grid"
        ),
        pk=pk,
    )


def building_zones(building: Building) -> list[Zone]:
    """Every zone of the building and its units, active first, with their history."""
    zones = (
        Zone.objects.filter(site=building)
        .select_related("site", "unit", "rule_set")
        .prefetch_related(Prefetch("events", ZoneEvent.objects.select_related("actor", "case")))
    )
    return sorted(
        zones, key=lambda zone: (not zone.is_active, -zone.designated_on.toordinal(), -zone.pk)
    )


def building_units(building: Building) -> list[tuple[Unit, int]]:
    """The building's units with the count of people under control in each."""
    counts = dict(
        ControlOrder.objects.filter(building=building, status=OrderStatus.ACTIVE)
        .values("resident__household__unit_id")
        .annotate(n=Count("id"))
        .values_list("resident__household__unit_id", "n")
    )
    units = sorted(Unit.objects.filter(building=building), key=lambda unit: number_key(unit.number))
    return [(unit, counts.get(unit.pk, 0)) for unit in units]


def cases_in(*, viewer: Viewer, building: Building, unit: Unit | None = None) -> list[Case]:
    """Confirmed cases of residents living in the building (or the unit), newest first."""
    cases = Case.objects.filter(
        scoped(viewer, Permission.VIEW_HEALTH, Case), building=building, resident__isnull=False
    ).select_related("resident__household__unit")
    if unit is not None:
        cases = cases.filter(resident__household__unit=unit)
    return list(cases.order_by("-confirmed_on", "-id")[:200])


# -- aggregates for the sub-district ------------------------------------------------------------


@dataclass(frozen=True)
class CommunityCounts:
    community: Community
    by_level: dict[str, int]
    total: int


def level_counts(*, viewer: Viewer) -> list[CommunityCounts]:
    """Per community the viewer oversees: how many active zones at each level. No person."""
    communities = list(
        Community.objects.filter(scoped(viewer, Permission.VIEW_AGGREGATES, Community)).order_by(
            "name", "pk"
        )
    )
    rows = (
        Zone.objects.filter(
            scoped(viewer, Permission.VIEW_AGGREGATES, Zone), lifted_on__isnull=True
        )
        .values("community_id", "level")
        .annotate(n=Count("id"))
        .values_list("community_id", "level", "n")
    )
    counts: dict[int, Counter[str]] = {}
    for community_id, level, n in rows:
        counts.setdefault(community_id, Counter())[level] = n
    return [
        CommunityCounts(
            community, dict(counts.get(community.pk, Counter())),
            sum(counts.get(community.pk, Counter()).values()),
        )
        for community in communities
    ]  # fmt: skip
