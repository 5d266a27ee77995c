"""The daily upward report (每日上报): per community and date, counts only, never a person.

One call, `daily_report(viewer=, day=)`, reads a fixed number of aggregate queries whatever the
number of residents, orders or check-ins:

1. the communities in the viewer's reach;
2. present residents and how many of them checked in on the day (one grouped query);
3. residents with an abnormal check-in on the day (one grouped query);
4. control orders new that day, released that day, transferred that day (one grouped query);
5. the orders running that day, as (community, resident, phases) rows: the measure a person is
   under comes from the phases snapshot of their order, a JSON list both databases store
   differently, so the phase covering the day is picked here rather than in SQL;
6. new confirmed cases (by confirmation date) and 7. new contact links (by the day they were
   recorded); 8. residents' requests that ran past a service level that day (the help desk).

Every query starts from the viewer's scope (`VIEW_AGGREGATES` or `VIEW_HEALTH`), so a
sub-district officer gets each community of their sub-district, a community worker their
community, and a grid worker the part of it they cover. The roster keeps no history of a
resident's status: "present residents" is today's roster for any date.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, fields
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone

from frontline.accounts.access import Permission, scoped
from frontline.accounts.models import User
from frontline.contacts.models import Case, ContactLink
from frontline.control.arithmetic import PhaseSnapshot, phase_on
from frontline.control.models import ControlOrder, OrderStatus
from frontline.health.models import Checkin
from frontline.helpdesk.models import Breach
from frontline.helpdesk.selectors import breaches_on
from frontline.places.models import Building, Community
from frontline.policy.models import Measure
from frontline.residents.models import Resident, ResidentStatus

Viewer = User | AnonymousUser

# The permissions a daily report is read under: aggregates (the sub-district) or health.
REPORT_PERMISSIONS = (Permission.VIEW_AGGREGATES, Permission.VIEW_HEALTH)


@dataclass(frozen=True)
class DailyFigures:
    """One community's (or the total's) counts for one day."""

    centralised_isolation: int = 0  # people in a centralised-isolation phase that day
    home_isolation: int = 0  # people in a home-isolation phase that day
    home_health_monitoring: int = 0  # people in a home-health-monitoring phase that day
    new_orders: int = 0  # control orders starting that day
    released: int = 0  # orders released that day
    transferred: int = 0  # orders closed by a transfer to hospital that day
    new_cases: int = 0  # confirmed cases with that confirmation date
    new_contacts: int = 0  # contact links recorded that day
    present: int = 0  # present residents (today's roster)
    checked_in: int = 0  # present residents with a check-in that day
    abnormal: int = 0  # residents with an abnormal check-in that day
    request_breaches: int = 0  # residents' requests not taken or not resolved in time, that day

    @property
    def checkin_rate(self) -> float | None:
        """Share of present residents who checked in; None without present residents."""
        return self.checked_in / self.present if self.present else None

    @property
    def checkin_percent(self) -> str:
        """The rate as shown on the page, one decimal: "87.5%"; a dash without present residents."""
        rate = self.checkin_rate
        return "—" if rate is None else f"{rate * 100:.1f}%"

    def __add__(self, other: DailyFigures) -> DailyFigures:
        return DailyFigures(
            **{f.name: getattr(self, f.name) + getattr(other, f.name) for f in fields(self)}
        )


@dataclass(frozen=True)
class CommunityDay:
    community_id: int
    community_name: str
    figures: DailyFigures


@dataclass(frozen=True)
class DailyReport:
    day: dt.date
    rows: list[CommunityDay]

    @property
    def total(self) -> DailyFigures:
        total = DailyFigures()
        for row in self.rows:
            total = total + row.figures
        return total

    @property
    def community_ids(self) -> list[int]:
        return [row.community_id for row in self.rows]


MEASURE_FIELDS: dict[str, str] = {
    Measure.CENTRALISED_ISOLATION.value: "centralised_isolation",
    Measure.HOME_ISOLATION.value: "home_isolation",
    Measure.HOME_HEALTH_MONITORING.value: "home_health_monitoring",
}


def report_scope(viewer: Viewer, model: type[Any]) -> Q:
    """The rows of `model` the viewer may count: through aggregates or health, whichever reaches."""
    combined = Q(pk__in=[])
    for permission in REPORT_PERMISSIONS:
        combined |= scoped(viewer, permission, model)
    return combined


def report_communities(*, viewer: Viewer) -> list[Community]:
    """Communities the viewer reaches, whole or in part (a grid worker's grid), by name."""
    buildings = Building.objects.filter(report_scope(viewer, Building)).values("community_id")
    return list(
        Community.objects.filter(report_scope(viewer, Community) | Q(pk__in=buildings))
        .only("id", "name")
        .order_by("name", "id")
    )


def _day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The day as an aware [start, end) interval in the local time zone."""
    start = timezone.make_aware(dt.datetime.combine(day, dt.time.min))
    end = timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min))
    return start, end


def _measure_counts(viewer: Viewer, day: dt.date, end: dt.datetime) -> dict[int, dict[str, int]]:
    """Per community, the number of distinct people in each measure's phase on `day`.

    An order counts while `day` lies between its start and its release date and it was not
    closed (released or transferred) by the end of the day.
    """
    running = (
        ControlOrder.objects.filter(report_scope(viewer, ControlOrder))
        .filter(start_on__lte=day, release_on__gt=day)
        .filter(Q(closed_at__isnull=True) | Q(closed_at__gte=end))
        .values_list("community_id", "resident_id", "phases")
        .order_by()
    )
    people: dict[tuple[int, str], set[int]] = defaultdict(set)
    for community_id, resident_id, phases in running:
        placed = phase_on([PhaseSnapshot.of_json(phase) for phase in phases], day)
        if placed is None:
            continue
        field = MEASURE_FIELDS.get(placed[1].measure)
        if field:
            people[(community_id, field)].add(resident_id)
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    for (community_id, field), residents in people.items():
        counts[community_id][field] = len(residents)
    return counts


def daily_report(*, viewer: Viewer, day: dt.date) -> DailyReport:
    """The day's figures for every community the viewer reaches, by community name."""
    communities = report_communities(viewer=viewer)
    if not communities:
        return DailyReport(day=day, rows=[])
    start, end = _day_bounds(day)
    values: dict[int, dict[str, int]] = defaultdict(dict)

    checked = Checkin.objects.filter(resident=OuterRef("pk"), day=day)
    for community_id, present, checked_in in (
        Resident.objects.filter(report_scope(viewer, Resident))
        .filter(status=ResidentStatus.PRESENT)
        .annotate(checked=Exists(checked))
        .values("community_id")
        .annotate(present=Count("id"), checked_in=Count("id", filter=Q(checked=True)))
        .values_list("community_id", "present", "checked_in")
        .order_by()
    ):
        values[community_id] |= {"present": present, "checked_in": checked_in}

    for community_id, abnormal in (
        Checkin.objects.filter(report_scope(viewer, Checkin))
        .filter(day=day, abnormal=True)
        .values("community_id")
        .annotate(n=Count("resident_id", distinct=True))
        .values_list("community_id", "n")
        .order_by()
    ):
        values[community_id]["abnormal"] = abnormal

    closed_today = Q(closed_at__gte=start, closed_at__lt=end)
    for community_id, new_orders, released, transferred in (
        ControlOrder.objects.filter(report_scope(viewer, ControlOrder))
        .filter(Q(start_on=day) | closed_today)
        .values("community_id")
        .annotate(
            new_orders=Count("id", filter=Q(start_on=day)),
            released=Count("id", filter=closed_today & Q(status=OrderStatus.RELEASED)),
            transferred=Count("id", filter=closed_today & Q(status=OrderStatus.TRANSFERRED)),
        )
        .values_list("community_id", "new_orders", "released", "transferred")
        .order_by()
    ):
        values[community_id] |= {
            "new_orders": new_orders, "released": released, "transferred": transferred,
        }  # fmt: skip

    for community_id, counts in _measure_counts(viewer, day, end).items():
        values[community_id] |= counts

    for community_id, n in (
        Case.objects.filter(report_scope(viewer, Case))
        .filter(confirmed_on=day)
        .values("community_id")
        .annotate(n=Count("id"))
        .values_list("community_id", "n")
        .order_by()
    ):
        values[community_id]["new_cases"] = n

    for community_id, n in (
        ContactLink.objects.filter(report_scope(viewer, ContactLink))
        .filter(created_at__gte=start, created_at__lt=end)
        .values("community_id")
        .annotate(n=Count("id"))
        .values_list("community_id", "n")
        .order_by()
    ):
        values[community_id]["new_contacts"] = n

    within = report_scope(viewer, Breach)
    for community_id, n in breaches_on([c.pk for c in communities], day, within=within).items():
        values[community_id]["request_breaches"] = n

    return DailyReport(
        day=day,
        rows=[
            CommunityDay(
                community_id=community.pk,
                community_name=community.name,
                figures=DailyFigures(**values.get(community.pk, {})),
            )
            for community in communities
        ],
    )
