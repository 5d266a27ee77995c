"""Reads of control orders, each scoped to the viewer; and the evidence an order starts from."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser
from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from frontline.accounts.access import Permission, scoped
from frontline.accounts.models import User
from frontline.contacts.models import ContactLink
from frontline.contacts.selectors import link_scope
from frontline.control import arithmetic
from frontline.control.models import ControlOrder, OrderEvent, OrderStatus, OrderTest
from frontline.health.models import Checkin
from frontline.places.models import Building
from frontline.policy.models import Measure
from frontline.residents.models import Resident
from frontline.residents.selectors import search_filter
from frontline.sampling.models import Sample, TubeResult
from frontline.travel.models import TripMatch

Viewer = User | AnonymousUser

ORDER_SORTS = {
    "address": ("building__number", "resident__address_key", "resident__name", "id"),
    "name": ("resident__name", "id"),
    "start": ("-start_on", "-id"),
    "release": ("release_on", "id"),
}


def today() -> dt.date:
    return timezone.localdate()


def order_list(
    *,
    viewer: Viewer,
    query: str = "",
    category: str = "",
    measure: str = "",
    status: str = OrderStatus.ACTIVE,
    building: int | None = None,
    sort: str = "release",
) -> QuerySet[ControlOrder]:
    """Orders of the viewer's residents: active by default, `status="all"` for every one."""
    orders = ControlOrder.objects.filter(scoped(viewer, Permission.VIEW_HEALTH, ControlOrder))
    if status and status != "all":
        orders = orders.filter(status=status)
    if category:
        orders = orders.filter(category=category)
    if measure in Measure.values:
        orders = orders.filter(measures__contains=measure)
    if building:
        orders = orders.filter(building_id=building)
    if query.strip():
        orders = orders.filter(resident__in=Resident.objects.filter(search_filter(query)))
    return (
        orders.select_related(
            "resident__household__unit__building",
            "rule_set",
            # the evidence, which the API list puts in words
            "contact_link__case",
            "trip_match__area",
            "checkin",
            "sample__tube",
        )
        .prefetch_related("tests")
        .order_by(*ORDER_SORTS.get(sort, ORDER_SORTS["release"]))
    )


def order_buildings(*, viewer: Viewer) -> QuerySet[Building]:
    return Building.objects.filter(scoped(viewer, Permission.VIEW_HEALTH, Building)).order_by(
        "community__name", "number"
    )


def order_get(*, viewer: Viewer, pk: int) -> ControlOrder:
    """One order the viewer may see; 404 for anyone outside its scope."""
    return get_object_or_404(
        ControlOrder.objects.filter(scoped(viewer, Permission.VIEW_HEALTH, ControlOrder))
        .select_related(
            "resident__household__unit__building", "rule_set", "created_by",
            "contact_link__case", "trip_match__area", "checkin", "sample__tube",
        )
        .prefetch_related(
            Prefetch("tests", OrderTest.objects.select_related("recorded_by", "task")),
            Prefetch("events", OrderEvent.objects.select_related("actor", "test")),
        ),
        pk=pk,
    )  # fmt: skip


def test_get(*, viewer: Viewer, pk: int) -> OrderTest:
    return get_object_or_404(
        OrderTest.objects.filter(scoped(viewer, Permission.VIEW_HEALTH, OrderTest)).select_related(
            "order__resident__household__unit__building"
        ),
        pk=pk,
    )


test_get.__test__ = False  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Progress:
    """What an order means today: day N of M, the phase, the next test, release readiness."""

    day: arithmetic.DayCount
    phase: arithmetic.PhaseSnapshot | None
    phase_number: int | None
    next_test: dt.date | None
    release: arithmetic.ReleaseCheck


def progress(order: ControlOrder, on: dt.date | None = None) -> Progress:
    """Uses the order's prefetched tests when present."""
    day = on or today()
    phases = order.phase_snapshots
    current = arithmetic.phase_on(phases, day)
    tests = [(test.day, test.result) for test in order.tests.all()]
    return Progress(
        day=arithmetic.day_count(start=order.start_on, total=order.total_days, on=day),
        phase=current[1] if current else None,
        phase_number=current[0] + 1 if current else None,
        next_test=arithmetic.next_test(tests, day) if order.is_active else None,
        release=arithmetic.release_check(
            active=order.is_active, release_on=order.release_on,
            results=[result for _day, result in tests], on=day,
        ),
    )  # fmt: skip


def resident_orders(*, viewer: Viewer, resident: Resident) -> list[ControlOrder]:
    """The resident's orders the viewer may see, active first, newest first."""
    return list(
        ControlOrder.objects.filter(scoped(viewer, Permission.VIEW_HEALTH, ControlOrder))
        .filter(resident=resident)
        .select_related(
            "contact_link__case", "trip_match__area", "checkin", "sample__tube", "rule_set"
        )
        .prefetch_related("tests", Prefetch("events", OrderEvent.objects.select_related("actor")))
        .order_by("status", "-start_on", "-id")
    )


# -- evidence -----------------------------------------------------------------------------------


def contact_link_get(*, viewer: Viewer, pk: int) -> ContactLink:
    return get_object_or_404(
        ContactLink.objects.filter(link_scope(viewer)).select_related("case", "b_resident"), pk=pk
    )


def trip_match_get(*, viewer: Viewer, pk: int) -> TripMatch:
    return get_object_or_404(
        TripMatch.objects.filter(scoped(viewer, Permission.VIEW_HEALTH, TripMatch)).select_related(
            "area", "trip", "resident"
        ),
        pk=pk,
    )


def sample_get(*, viewer: Viewer, pk: int) -> Sample:
    return get_object_or_404(
        Sample.objects.filter(scoped(viewer, Permission.VIEW_HEALTH, Sample)).select_related(
            "tube", "resident"
        ),
        pk=pk,
    )


def checkin_get(*, viewer: Viewer, pk: int) -> Checkin:
    return get_object_or_404(
        Checkin.objects.filter(scoped(viewer, Permission.VIEW_HEALTH, Checkin)).select_related(
            "resident"
        ),
        pk=pk,
    )


def resident_get(*, viewer: Viewer, pk: int) -> Resident:
    return get_object_or_404(
        Resident.objects.filter(scoped(viewer, Permission.VIEW_HEALTH, Resident)).select_related(
            "household__unit__building"
        ),
        pk=pk,
    )


# -- evidence still without an order ------------------------------------------------------------

CANDIDATE_LIMIT = 100


@dataclass(frozen=True)
class Candidates:
    contact_links: list[ContactLink]
    trip_matches: list[TripMatch]
    checkins: list[Checkin]
    samples: list[Sample]


def candidates(*, viewer: Viewer, since: dt.date) -> Candidates:
    """Evidence from `since` on, in the viewer's scope, that no order names yet (newest first,
    at most CANDIDATE_LIMIT of each): where a worker starts an order."""
    used = ControlOrder.objects.all()
    return Candidates(
        contact_links=list(
            ContactLink.objects.filter(link_scope(viewer), b_resident__isnull=False, met_on__gte=since)
            .filter(b_resident__in=Resident.objects.filter(scoped(viewer, Permission.VIEW_HEALTH, Resident)))
            .exclude(pk__in=used.filter(contact_link__isnull=False).values("contact_link_id"))
            .select_related("case", "b_resident__household__unit__building")
            .order_by("-met_on", "-id")[:CANDIDATE_LIMIT]
        ),
        trip_matches=list(
            TripMatch.objects.filter(scoped(viewer, Permission.VIEW_HEALTH, TripMatch), last_day__gte=since)
            .exclude(pk__in=used.filter(trip_match__isnull=False).values("trip_match_id"))
            .select_related("area", "resident__household__unit__building")
            .order_by("-last_day", "-id")[:CANDIDATE_LIMIT]
        ),
        checkins=list(
            Checkin.objects.filter(
                scoped(viewer, Permission.VIEW_HEALTH, Checkin), antigen="positive", day__gte=since
            )
            .exclude(pk__in=used.filter(checkin__isnull=False).values("checkin_id"))
            .select_related("resident__household__unit__building")
            .order_by("-day", "-id")[:CANDIDATE_LIMIT]
        ),
        samples=list(
            Sample.objects.filter(
                scoped(viewer, Permission.VIEW_HEALTH, Sample), tube__result=TubeResult.POSITIVE,
                tube__size=1, sampled_at__date__gte=since,
            )
            .exclude(pk__in=used.filter(sample__isnull=False).values("sample_id"))
            .select_related("tube", "resident__household__unit__building")
            .order_by("-sampled_at", "-id")[:CANDIDATE_LIMIT]
        ),
    )  # fmt: skip
