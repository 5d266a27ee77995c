"""应检尽检: who in a round's scope should have been sampled and has not been, per building and
grid, and the progress per site. Reads only; the viewer's scope applies to the people listed."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Exists, FilteredRelation, OuterRef, Q, QuerySet, Subquery

from frontline.accounts.access import Permission, scoped
from frontline.accounts.models import User
from frontline.places.models import Building
from frontline.residents.models import Resident, ResidentStatus, Tag
from frontline.sampling.models import (
    EXEMPT_REASONS,
    Exemption,
    ExemptionReason,
    Round,
    Sample,
    Site,
)


def expected(round: Round) -> QuerySet[Resident]:
    """The people the round should sample: present residents of its buildings (or community)."""
    residents = Resident.objects.filter(community=round.community, status=ResidentStatus.PRESENT)
    buildings = [b.pk for b in round.buildings.all()]
    return residents.filter(building__in=buildings) if buildings else residents


@dataclass(frozen=True)
class BuildingProgress:
    building: Building
    expected: int  # present residents, less those exempt (in hospital, away, already positive)
    sampled: int
    exempt: int = 0

    @property
    def missing(self) -> int:
        return max(self.expected - self.sampled, 0)

    @property
    def share(self) -> float:
        return self.sampled / self.expected if self.expected else 1.0


def by_building(round: Round) -> list[BuildingProgress]:
    """Expected, sampled and exempt people per building of the round, in building order: three
    queries whatever the size of the round.

    The round's samples are a LEFT JOIN (at most one per person and round) and its exemptions
    one uncorrelated subquery. Correlated EXISTS subqueries per resident made PostgreSQL cost
    the query high enough to JIT-compile it, which took longer than the query itself."""
    exempt_ids = Exemption.objects.filter(round=round, reason__in=EXEMPT_REASONS).values(
        "resident_id"
    )
    rows = (
        expected(round)
        .annotate(this_round=FilteredRelation("samples", condition=Q(samples__round=round)))
        .values("building")
        .annotate(
            total=Count("id"),
            done=Count("this_round"),
            exempt=Count("id", filter=Q(pk__in=exempt_ids, this_round__isnull=True)),
        )
        .order_by()
    )
    counts = {
        row["building"]: (row["total"] - row["exempt"], row["done"], row["exempt"]) for row in rows
    }
    buildings = (
        Building.objects.filter(pk__in=counts)
        .select_related("grid")
        .order_by("grid__name", "number")
    )
    return [BuildingProgress(b, *counts[b.pk]) for b in buildings]


def by_site(round: Round) -> list[tuple[Site | None, int]]:
    """Samples per site (None: door to door)."""
    counts = dict(
        Sample.objects.filter(round=round)
        .values_list("tube__site")
        .annotate(n=Count("id"))
        .order_by()
    )
    sites = list(Site.objects.filter(round=round).order_by("name", "id"))
    rows: list[tuple[Site | None, int]] = [(site, counts.get(site.pk, 0)) for site in sites]
    if counts.get(None):
        rows.append((None, counts[None]))
    return rows


def not_sampled(
    *, viewer: User, round: Round, building: Building | None = None
) -> QuerySet[Resident]:
    """People of the round not yet sampled, in the viewer's reach, in address order, with their
    tags for the call list and `exemption_reason` (the reason recorded, if any)."""
    residents = expected(round).filter(scoped(viewer, Permission.VIEW_RESIDENTS, Resident))
    if building is not None:
        residents = residents.filter(building=building)
    sampled = Sample.objects.filter(round=round, resident=OuterRef("pk"))
    reason = Exemption.objects.filter(round=round, resident=OuterRef("pk")).values("reason")[:1]
    return (
        residents.filter(~Exists(sampled))
        .annotate(exemption_reason=Subquery(reason))
        .select_related("household__unit__building")
        .prefetch_related("tags")
        .order_by("address_key", "id")
    )


DOOR_TO_DOOR_TAGS = (Tag.BEDRIDDEN,)


def door_to_door(*, viewer: User, round: Round, unsampled: bool = False) -> list[Resident]:
    """People of the round who cannot come to a site (bedridden, or recorded as to be sampled at
    home), for the door-to-door list; with `unsampled`, only those not sampled yet."""
    at_home = Exemption.objects.filter(round=round, reason=ExemptionReason.DOOR_TO_DOOR).values(
        "resident_id"
    )
    people = (
        expected(round)
        .filter(scoped(viewer, Permission.VIEW_RESIDENTS, Resident))
        .filter(Q(tags__tag__in=DOOR_TO_DOOR_TAGS) | Q(pk__in=at_home))
    )
    if unsampled:
        people = people.exclude(pk__in=Sample.objects.filter(round=round).values("resident_id"))
    return list(
        people.select_related("household__unit__building")
        .prefetch_related("tags")
        .distinct()
        .order_by("address_key", "id")
    )
