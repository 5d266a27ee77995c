"""The vulnerable-residents list (重点人群): tags, last contact and who is responsible."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.contrib.auth.models import AnonymousUser
from django.db.models import Max, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from frontline.accounts.models import Role, RoleAssignment, User
from frontline.residents.models import (
    Resident,
    ResidentTag,
    SweepVisit,
    Tag,
    VisitOutcome,
    senior_born_before,
)
from frontline.residents.selectors import resident_list


def vulnerable_list(
    *, viewer: User | AnonymousUser, tags: Sequence[str] = (), not_contacted_days: int | None = None
) -> QuerySet[Resident]:
    """Residents with any of `tags` (any vulnerability when none), annotated with `last_contact`."""
    residents = resident_list(viewer=viewer)
    wanted = [tag for tag in tags if tag in Tag.values] or [tag.value for tag in Tag]
    condition = Q(pk__in=ResidentTag.objects.filter(tag__in=wanted).values("resident_id"))
    if Tag.SENIOR in wanted:
        condition |= Q(birth_date__lte=senior_born_before(timezone.localdate()))
    last_contact = (
        SweepVisit.objects.filter(household=OuterRef("household"), outcome=VisitOutcome.VISITED)
        .values("household")
        .annotate(last=Max("updated_at"))
        .values("last")
    )
    residents = residents.filter(condition).annotate(last_contact=Subquery(last_contact))
    if not_contacted_days is not None:
        since = timezone.now() - dt.timedelta(days=not_contacted_days)
        residents = residents.filter(Q(last_contact__isnull=True) | Q(last_contact__lt=since))
    return residents


def responsible_by_grid(grid_ids: set[int]) -> dict[int, str]:
    """The grid worker of each grid, for the "responsible" column (one query)."""
    names: dict[int, str] = {}
    for grid_id, display_name, username in (
        RoleAssignment.objects.filter(
            role=Role.GRID_WORKER, grid_id__in=grid_ids, user__is_active=True
        )
        .order_by("user_id")
        .values_list("grid_id", "user__display_name", "user__username")
    ):
        names.setdefault(grid_id, display_name or username)
    return names
