"""Reads of medicine runs, each scoped to the viewer: the request list, one request and its
timeline, runs (a runner sees only their own), and a household's own requests."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from frontline.accounts.access import Permission, scoped
from frontline.accounts.models import User
from frontline.medicine.models import (
    OPEN_STATUSES,
    MedicineEvent,
    MedicineRequest,
    MedicineRun,
    MedicineStatus,
)
from frontline.residents.models import Resident

Viewer = User | AnonymousUser
REQUEST_FETCH = ("resident", "household__unit__building", "run__runner")


@dataclass(frozen=True)
class RequestFilters:
    status: str = "open"  # a MedicineStatus, "open" or "" for all
    urgent: bool = False
    search: str = ""  # medicine or pharmacy


def request_list(
    *, viewer: Viewer, filters: RequestFilters | None = None
) -> QuerySet[MedicineRequest]:
    """Requests the viewer handles: urgent first, then the oldest."""
    filters = filters or RequestFilters()
    rows = MedicineRequest.objects.filter(
        scoped(viewer, Permission.HANDLE_REQUESTS, MedicineRequest)
    )
    if filters.status == "open":
        rows = rows.filter(status__in=OPEN_STATUSES)
    elif filters.status in MedicineStatus.values:
        rows = rows.filter(status=filters.status)
    if filters.urgent:
        rows = rows.filter(urgent=True)
    if search := filters.search.strip():
        rows = rows.filter(Q(medicine__icontains=search) | Q(pharmacy__icontains=search))
    return rows.select_related(*REQUEST_FETCH).order_by("-urgent", "created_at", "id")


def request_get(*, viewer: Viewer, pk: int) -> MedicineRequest:
    """One request the viewer handles, or one in a run they run; 404 for anyone else."""
    visible = scoped(viewer, Permission.HANDLE_REQUESTS, MedicineRequest)
    if viewer.is_authenticated:  # a runner, while they still deliver there
        visible |= Q(run__runner_id=viewer.pk) & scoped(viewer, Permission.DELIVER, MedicineRequest)
    return get_object_or_404(
        MedicineRequest.objects.filter(visible).select_related(*REQUEST_FETCH, "community"), pk=pk
    )


def request_events(request: MedicineRequest) -> QuerySet[MedicineEvent]:
    return request.events.select_related("actor").order_by("created_at", "id")


def run_list(*, viewer: Viewer) -> QuerySet[MedicineRun]:
    """Runs the viewer plans (handlers in scope) or runs themselves, open ones first."""
    visible = scoped(viewer, Permission.HANDLE_REQUESTS, MedicineRun)
    if viewer.is_authenticated:  # a runner, while they still deliver there
        visible |= Q(runner_id=viewer.pk) & scoped(viewer, Permission.DELIVER, MedicineRun)
    return (
        MedicineRun.objects.filter(visible)
        .select_related("runner", "community")
        .order_by("status", "-created_at", "-id")
    )


def run_get(*, viewer: Viewer, pk: int) -> MedicineRun:
    return get_object_or_404(run_list(viewer=viewer), pk=pk)


def run_requests(run: MedicineRun) -> list[MedicineRequest]:
    """The run's requests, urgent first, then by building, unit and room (the walking order)."""
    return list(
        run.requests.select_related("resident", "household__unit__building").order_by(
            "-urgent", "household__unit__building__number", "household__unit__number",
            "household__room", "id",
        )
    )  # fmt: skip


def resident_get(*, viewer: Viewer, pk: int) -> Resident:
    """A resident the viewer may enter a request for."""
    return get_object_or_404(
        Resident.objects.filter(
            scoped(viewer, Permission.HANDLE_REQUESTS, Resident)
        ).select_related("household__unit__building"),
        pk=pk,
    )


def household_requests(household_id: int) -> QuerySet[MedicineRequest]:
    """A household's own requests, newest first (read through its link)."""
    return (
        MedicineRequest.objects.filter(household_id=household_id)
        .select_related("resident")
        .order_by("-created_at", "-id")
    )
