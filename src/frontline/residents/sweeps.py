"""Door-to-door sweeps (入户排查): start one, record each household, follow up through tasks."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from frontline.accounts.access import Permission, require, scoped
from frontline.accounts.models import User
from frontline.places.models import Building, Community, Household
from frontline.places.selectors import LIVING_HERE
from frontline.residents.models import Need, Resident, Sweep, SweepStatus, SweepVisit, VisitOutcome
from frontline.tasks.models import Task, TaskPriority
from frontline.tasks.services import task_create

REVISIT_AFTER = dt.timedelta(days=1)
URGENT_NEEDS = frozenset({Need.MEDICINE, Need.MEDICAL})


@transaction.atomic
def sweep_start(
    *, actor: User, community: Community, purpose: str, buildings: Iterable[Building]
) -> Sweep:
    purpose = purpose.strip()
    chosen = list(buildings)
    errors: dict[str, list[str]] = {}
    if not purpose:
        errors["purpose"] = [_("Say what the sweep is for.")]
    if not chosen:
        errors["buildings"] = [_("Choose at least one building.")]
    if errors:
        raise ValidationError(errors)
    for building in chosen:
        require(actor, Permission.EDIT_RESIDENTS, building)
        if building.community_id != community.pk:
            raise ValidationError({"buildings": [_("Choose buildings of one community.")]})
    sweep = Sweep.objects.create(community=community, purpose=purpose[:200], started_by=actor)
    sweep.buildings.set(chosen)
    return sweep


@transaction.atomic
def sweep_close(*, actor: User, sweep: Sweep) -> Sweep:
    sweep_get(viewer=actor, pk=sweep.pk)
    sweep.status = SweepStatus.CLOSED
    sweep.save(update_fields=["status", "updated_at"])
    return sweep


@transaction.atomic
def sweep_record_visit(
    *,
    actor: User,
    sweep: Sweep,
    household: Household,
    outcome: str,
    people_present: int = 0,
    needs: Sequence[str] = (),
    note: str = "",
) -> SweepVisit:
    """Record (or correct) one household's visit; follow-ups become tasks, each created once."""
    require(actor, Permission.EDIT_RESIDENTS, household)
    errors: dict[str, list[str]] = {}
    if sweep.status != SweepStatus.OPEN:
        errors["sweep"] = [_("This sweep is closed.")]
    if not sweep.buildings.filter(pk=household.unit.building_id).exists():
        errors["household"] = [_("This household is not in the sweep's buildings.")]
    if outcome not in VisitOutcome.values:
        errors["outcome"] = [_("Choose what happened at the door.")]
    unknown = sorted(set(needs) - set(Need.values))
    if unknown:
        errors["needs"] = [_("Unknown need: %(needs)s.") % {"needs": ", ".join(unknown)}]
    if not 0 <= people_present <= 50:
        errors["people_present"] = [_("Enter the number of people present.")]
    if errors:
        raise ValidationError(errors)
    visit, _created = SweepVisit.objects.select_for_update().update_or_create(
        sweep=sweep,
        household=household,
        defaults={
            "visitor": actor, "outcome": outcome, "people_present": people_present,
            "needs": sorted(set(needs)), "note": note.strip(),
        },
    )  # fmt: skip
    _follow_up(actor=actor, visit=visit, household=household)
    return visit


def _follow_up(*, actor: User, visit: SweepVisit, household: Household) -> None:
    # Titles in the site's language, whoever saves: a task is recognised by its title on a resave.
    with translation.override(settings.LANGUAGE_CODE):
        wanted = _follow_up_titles(visit=visit, household=household)
    existing = set(
        Task.objects.filter(source_id=str(visit.pk), source_type__model="sweepvisit").values_list(
            "title", flat=True
        )
    )
    for title, priority, due_at in wanted:
        if title not in existing:
            task_create(
                title=title, target=household, source=visit, description=visit.note, priority=priority,
                due_at=due_at, actor=actor,
            )  # fmt: skip


def _follow_up_titles(
    *, visit: SweepVisit, household: Household
) -> list[tuple[str, TaskPriority, dt.datetime | None]]:
    wanted: list[tuple[str, TaskPriority, dt.datetime | None]] = []
    if visit.outcome == VisitOutcome.NOBODY_HOME:
        wanted.append(
            (_("Revisit %(household)s: nobody home") % {"household": household.label}, TaskPriority.NORMAL,
             timezone.now() + REVISIT_AFTER)
        )  # fmt: skip
    if visit.outcome == VisitOutcome.MOVED_OUT:
        wanted.append(
            (
                _("Check who moved out of %(household)s") % {"household": household.label},
                TaskPriority.NORMAL,
                None,
            )
        )
    for need in visit.needs:
        wanted.append(
            (_("%(need)s needed at %(household)s") % {"need": Need(need).label, "household": household.label},
             TaskPriority.HIGH if need in URGENT_NEEDS else TaskPriority.NORMAL, timezone.now() + REVISIT_AFTER)
        )  # fmt: skip
    return wanted


# -- reads ----------------------------------------------------------------------------------------


def sweep_list(*, viewer: User | AnonymousUser) -> QuerySet[Sweep]:
    visible = Q(
        buildings__in=Building.objects.filter(scoped(viewer, Permission.EDIT_RESIDENTS, Building))
    )
    return (
        Sweep.objects.filter(visible)
        .distinct()
        .select_related("started_by")
        .order_by("-created_at")
    )


def sweep_get(*, viewer: User | AnonymousUser, pk: int) -> Sweep:
    return get_object_or_404(sweep_list(viewer=viewer).select_related("community"), pk=pk)


@dataclass
class BuildingProgress:
    building: Building
    households: int = 0
    outcomes: Counter[str] = field(default_factory=Counter)

    @property
    def reached(self) -> int:
        return (
            self.outcomes[VisitOutcome.VISITED]
            + self.outcomes[VisitOutcome.REFUSED]
            + self.outcomes[VisitOutcome.MOVED_OUT]
        )

    @property
    def not_reached(self) -> int:
        return self.households - self.reached

    @property
    def percent(self) -> int:
        return round(100 * self.reached / self.households) if self.households else 100


def sweep_progress(*, viewer: User | AnonymousUser, sweep: Sweep) -> list[BuildingProgress]:
    """Per building in the viewer's scope: households, outcomes so far, and how many are not reached."""
    buildings = sweep.buildings.filter(
        scoped(viewer, Permission.EDIT_RESIDENTS, Building)
    ).order_by("number")
    progress = {b.pk: BuildingProgress(building=b) for b in buildings}
    totals = Household.objects.filter(unit__building__in=progress).values_list(
        "unit__building", flat=True
    )
    for building_id in totals:
        progress[building_id].households += 1
    visits = SweepVisit.objects.filter(sweep=sweep, household__unit__building__in=progress)
    for building_id, outcome in visits.values_list("household__unit__building", "outcome"):
        progress[building_id].outcomes[outcome] += 1
    return list(progress.values())


def sweep_households(
    *, viewer: User | AnonymousUser, sweep: Sweep, building: Building
) -> list[tuple[Household, SweepVisit | None]]:
    """The households of one building in walking order, each with its visit so far."""
    if not sweep.buildings.filter(pk=building.pk).exists():
        raise ValidationError(_("This building is not part of the sweep."))
    households = (
        Household.objects.filter(
            scoped(viewer, Permission.EDIT_RESIDENTS, Household), unit__building=building
        )
        .select_related("unit__building")
        .prefetch_related(
            Prefetch("residents", queryset=Resident.objects.filter(status__in=LIVING_HERE))
        )
        .order_by("unit__number", "room")
    )
    visits = {
        v.household_id: v
        for v in SweepVisit.objects.filter(sweep=sweep, household__unit__building=building)
    }
    return [(household, visits.get(household.pk)) for household in households]
