"""Reads of the help desk, each scoped to the viewer: lists, one request, its timeline, the
urgent requests nobody has taken, a household's own requests, and breaches per day."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from frontline.accounts.access import Permission, scoped
from frontline.accounts.models import User
from frontline.helpdesk.models import (
    OPEN_STATUSES,
    Breach,
    Category,
    HelpRequest,
    RequestEvent,
    RequestStatus,
    Urgency,
)  # fmt: skip
from frontline.places.models import Community, Grid
from frontline.residents.models import Resident

Viewer = User | AnonymousUser
REQUEST_FETCH = ("resident", "household__unit__building__grid", "owner")
URGENT_BANNER_ROWS = 3


@dataclass(frozen=True)
class RequestFilters:
    status: str = ""  # a RequestStatus, or "open"
    category: str = ""
    urgency: str = ""
    grid: int | None = None
    overdue: bool = False


def request_list(
    *, viewer: Viewer, filters: RequestFilters | None = None, now: dt.datetime | None = None
) -> QuerySet[HelpRequest]:
    """Requests the viewer handles: urgent first, then the oldest deadline."""
    filters = filters or RequestFilters()
    now = now or timezone.now()
    requests = HelpRequest.objects.filter(scoped(viewer, Permission.HANDLE_REQUESTS, HelpRequest))
    if filters.status == "open":
        requests = requests.filter(status__in=OPEN_STATUSES)
    elif filters.status in RequestStatus.values:
        requests = requests.filter(status=filters.status)
    if filters.category in Category.values:
        requests = requests.filter(category=filters.category)
    if filters.urgency in Urgency.values:
        requests = requests.filter(urgency=filters.urgency)
    if filters.grid is not None:
        requests = requests.filter(building__grid_id=filters.grid)
    if filters.overdue:
        requests = requests.filter(status__in=OPEN_STATUSES).filter(
            Q(taken_at__isnull=True, take_due_at__lt=now) | Q(resolve_due_at__lt=now)
        )
    return requests.select_related(*REQUEST_FETCH).order_by("-urgency", "resolve_due_at", "-id")


def request_get(*, viewer: Viewer, pk: int) -> HelpRequest:
    """One request the viewer handles; 404 for anyone outside its scope."""
    return get_object_or_404(
        HelpRequest.objects.filter(
            scoped(viewer, Permission.HANDLE_REQUESTS, HelpRequest)
        ).select_related(*REQUEST_FETCH, "community", "recorded_by", "task"),
        pk=pk,
    )


def request_events(request: HelpRequest) -> QuerySet[RequestEvent]:
    """The timeline, oldest first (the request itself was read through a scoped selector)."""
    return request.events.select_related("actor", "to_owner").order_by("created_at", "id")


def urgent_untaken(*, viewer: Viewer) -> list[HelpRequest]:
    """Urgent requests in the viewer's reach nobody has taken yet, oldest first; one query,
    at most one more row than the banner shows, so it knows there are more."""
    if not viewer.is_authenticated:
        return []
    return list(
        HelpRequest.objects.filter(scoped(viewer, Permission.HANDLE_REQUESTS, HelpRequest))
        .filter(urgency=Urgency.URGENT, taken_at__isnull=True, status__in=OPEN_STATUSES)
        .select_related("household__unit__building")
        .only("id", "category", "created_at", "take_due_at", "household__room",
              "household__unit__number", "household__unit__building__number")
        .order_by("created_at", "id")[: URGENT_BANNER_ROWS + 1]
    )  # fmt: skip


def request_resident_get(*, viewer: Viewer, pk: int) -> Resident:
    """A resident the viewer may enter a request for; 404 outside their scope."""
    return get_object_or_404(
        Resident.objects.filter(
            scoped(viewer, Permission.HANDLE_REQUESTS, Resident)
        ).select_related("household__unit__building", "community"),
        pk=pk,
    )


def household_requests(household_id: int) -> QuerySet[HelpRequest]:
    """A household's own requests (the household page, behind its link), newest first."""
    return (
        HelpRequest.objects.filter(household_id=household_id)
        .select_related("resident")
        .order_by("-created_at", "-id")
    )


def grids_of(*, viewer: Viewer) -> QuerySet[Grid]:
    return Grid.objects.filter(scoped(viewer, Permission.HANDLE_REQUESTS, Grid)).order_by(
        "community_id", "name"
    )


def settings_communities(*, viewer: Viewer) -> QuerySet[Community]:
    """The communities whose triage and service levels the viewer edits."""
    return Community.objects.filter(scoped(viewer, Permission.MANAGE_HELPDESK, Community)).order_by(
        "name"
    )


def settings_community_get(*, viewer: Viewer, pk: int) -> Community:
    return get_object_or_404(settings_communities(viewer=viewer), pk=pk)


def breaches_on(
    community_ids: Iterable[int], day: dt.date, *, within: Q | None = None
) -> dict[int, int]:
    """Breaches (a request not taken or not resolved in time, each counted once per kind) whose
    deadline fell on `day`, per community; 0 for a community without one. For the daily report,
    which passes its reader's scope as `within`."""
    ids = list(community_ids)
    counts = dict.fromkeys(ids, 0)
    rows = (
        Breach.objects.filter(within or Q())
        .filter(community_id__in=ids, day=day)
        .values_list("community_id")
        .order_by()
        .annotate(n=Count("id"))
    )
    for community_id, n in rows:
        counts[community_id] = n
    return counts
