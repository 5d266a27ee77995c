"""Reads of the care app, each scoped to the viewer: screenings, a resident's trend, settings."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, QuerySet
from django.shortcuts import get_object_or_404

from frontline.accounts.access import Permission, scoped
from frontline.accounts.models import User
from frontline.care.instruments import Band, Code
from frontline.care.models import CareCase, CaseStatus, RiskLevel, Screening
from frontline.places.models import Community
from frontline.residents.models import Resident
from frontline.residents.selectors import search_filter

Viewer = User | AnonymousUser
SCREENING_FETCH = ("resident__household__unit__building", "recorded_by")


@dataclass(frozen=True)
class ScreeningFilters:
    query: str = ""
    instrument: str = ""
    band: str = ""
    urgent: bool | None = None
    since: dt.date | None = None
    until: dt.date | None = None


def screening_list(
    *, viewer: Viewer, filters: ScreeningFilters | None = None
) -> QuerySet[Screening]:
    """Screenings of the people the viewer screens, newest first."""
    filters = filters or ScreeningFilters()
    screenings = Screening.objects.filter(scoped(viewer, Permission.SCREEN_RESIDENTS, Screening))
    if filters.instrument in {code.value for code in Code}:
        screenings = screenings.filter(instrument=filters.instrument)
    if filters.band in {band.value for band in Band}:
        screenings = screenings.filter(band=filters.band)
    if filters.urgent is not None:
        screenings = screenings.filter(urgent=filters.urgent)
    if filters.since is not None:
        screenings = screenings.filter(created_at__date__gte=filters.since)
    if filters.until is not None:
        screenings = screenings.filter(created_at__date__lte=filters.until)
    if filters.query.strip():
        screenings = screenings.filter(
            resident__in=Resident.objects.filter(search_filter(filters.query))
        )
    return screenings.select_related(*SCREENING_FETCH).order_by("-created_at", "-id")


def screening_get(*, viewer: Viewer, pk: int) -> Screening:
    """One screening the viewer may see; 404 for anyone outside its scope."""
    return get_object_or_404(
        Screening.objects.filter(
            scoped(viewer, Permission.SCREEN_RESIDENTS, Screening)
        ).select_related(*SCREENING_FETCH, "task__owner", "escalation_task__owner"),
        pk=pk,
    )


def screening_resident_get(*, viewer: Viewer, pk: int) -> Resident:
    """A resident the viewer may screen; 404 outside scope."""
    return get_object_or_404(
        Resident.objects.filter(
            scoped(viewer, Permission.SCREEN_RESIDENTS, Resident)
        ).select_related("household__unit__building", "community"),
        pk=pk,
    )


def resident_screenings(*, viewer: Viewer, resident: Resident) -> QuerySet[Screening]:
    """A resident's screenings, oldest first (the trend), within the viewer's scope."""
    return (
        Screening.objects.filter(scoped(viewer, Permission.SCREEN_RESIDENTS, Screening))
        .filter(resident=resident)
        .select_related("recorded_by")
        .order_by("created_at", "id")
    )


def trend(screenings: list[Screening]) -> dict[str, list[list[object]]]:
    """Full-instrument totals per instrument as [time, total] pairs, for the trend chart."""
    series: dict[str, list[list[object]]] = {Code.PHQ9.value: [], Code.GAD7.value: []}
    for screening in screenings:
        if screening.instrument in series:
            series[screening.instrument].append([screening.created_at.isoformat(), screening.total])
    return series


def settings_communities(*, viewer: Viewer) -> QuerySet[Community]:
    """The communities whose care settings the viewer may open."""
    return Community.objects.filter(scoped(viewer, Permission.MANAGE_CARE, Community)).order_by(
        "name"
    )


def settings_community_get(*, viewer: Viewer, pk: int) -> Community:
    return get_object_or_404(settings_communities(viewer=viewer), pk=pk)


# -- care cases ---------------------------------------------------------------------------------

CASE_FETCH = ("resident__household__unit__building", "counsellor")


def case_list(
    *, viewer: Viewer, status: str = "open", counsellor: int | None = None
) -> QuerySet[CareCase]:
    """Cases of the people in the viewer's reach for `view_care` (existence, risk, next contact)."""
    cases = CareCase.objects.filter(scoped(viewer, Permission.VIEW_CARE, CareCase))
    if status in CaseStatus.values:
        cases = cases.filter(status=status)
    if counsellor is not None:
        cases = cases.filter(counsellor_id=counsellor)
    return cases.select_related(*CASE_FETCH).order_by("next_contact_on", "-id")


def case_get(*, viewer: Viewer, pk: int) -> CareCase:
    """One case the viewer may know of; 404 outside their scope. Never its notes."""
    return get_object_or_404(
        CareCase.objects.filter(scoped(viewer, Permission.VIEW_CARE, CareCase)).select_related(
            *CASE_FETCH, "community", "building", "screening", "closing_screening"
        ),
        pk=pk,
    )


def caseload(*, viewer: Viewer) -> list[tuple[User | None, list[int], int]]:
    """Open cases per counsellor in the viewer's scope: (counsellor, counts in risk order, total)."""
    rows = (
        CareCase.objects.filter(scoped(viewer, Permission.MANAGE_CARE, CareCase))
        .filter(status=CaseStatus.OPEN)
        .values_list("counsellor_id", "risk")
        .order_by()
        .annotate(n=Count("id"))
    )
    counts: dict[int | None, dict[str, int]] = {}
    for counsellor_id, risk, n in rows:
        counts.setdefault(counsellor_id, {})[risk] = n
    users = User.objects.in_bulk([pk for pk in counts if pk is not None])
    return sorted(
        (
            (
                users.get(pk) if pk else None,
                [by_risk.get(level, 0) for level in RiskLevel.values],
                sum(by_risk.values()),
            )
            for pk, by_risk in counts.items()
        ),
        key=lambda row: (row[0] is None, str(row[0] or "")),
    )
