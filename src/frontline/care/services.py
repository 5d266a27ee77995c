"""Writes of the care app: screenings and their follow-up, crisis escalation, care settings.
Typed, keyword-only, atomic; scope checked with `require`; follow-up work through `task_create`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from frontline.accounts.access import ROLE_PERMISSIONS, Permission, require
from frontline.accounts.models import RoleAssignment, User
from frontline.care import instruments
from frontline.care.instruments import Band, Code
from frontline.care.models import CareSettings, Screening, ScreeningSource
from frontline.core.audit import audit_record
from frontline.core.models import AuditAction
from frontline.health.links import CHECKING_IN
from frontline.health.models import HouseholdLink
from frontline.places.models import Building, Community
from frontline.residents.models import Resident
from frontline.tasks.models import ACTIVE_STATUSES, Task, TaskPriority
from frontline.tasks.services import default_owner, task_create

RESCREEN_AFTER = dt.timedelta(days=14)
COUNSEL_ROLES = tuple(
    role for role, granted in ROLE_PERMISSIONS.items() if Permission.COUNSEL in granted
)


# -- settings -----------------------------------------------------------------------------------


def care_settings_for(community_id: int) -> CareSettings:
    """The community's settings; the defaults (no hotline, one hour) until someone saves them."""
    found = CareSettings.objects.filter(community_id=community_id).first()
    return found if found is not None else CareSettings(community_id=community_id)


@transaction.atomic
def care_settings_update(
    *, actor: User, community: Community, hotlines: str, crisis_sla_minutes: object
) -> CareSettings:
    """Save the crisis hotlines and the crisis deadline; community administrators only (they
    also hold `edit_places` over the community)."""
    require(actor, Permission.MANAGE_CARE, community)
    require(actor, Permission.EDIT_PLACES, community)
    errors: dict[str, list[str]] = {}
    lines = [line.strip() for line in hotlines.splitlines() if line.strip()]
    if any(len(line) > 100 for line in lines) or len(lines) > 10:
        errors["hotlines"] = [_("Enter at most 10 lines of at most 100 characters each.")]
    minutes: int | None = None
    if isinstance(crisis_sla_minutes, int) and not isinstance(crisis_sla_minutes, bool):
        minutes = crisis_sla_minutes
    elif isinstance(crisis_sla_minutes, str) and crisis_sla_minutes.strip().isdigit():
        minutes = int(crisis_sla_minutes.strip())
    if minutes is None or not 5 <= minutes <= 24 * 60:
        errors["crisis_sla_minutes"] = [_("Enter a number of minutes from 5 to 1440.")]
    if errors:
        raise ValidationError(errors)
    assert minutes is not None  # checked above
    row, _created = CareSettings.objects.select_for_update().get_or_create(community=community)
    row.hotlines = "\n".join(lines)
    row.crisis_sla_minutes = minutes
    row.updated_by = actor
    row.save(update_fields=["hotlines", "crisis_sla_minutes", "updated_by", "updated_at"])
    audit_record(
        actor=actor, action=AuditAction.UPDATE, target=row, community_id=community.pk,
        fields=["hotlines", "crisis_sla_minutes"],
    )  # fmt: skip
    return row


# -- who follows up -----------------------------------------------------------------------------


def on_duty_counsellor(*, community_id: int, building: Building | None) -> User | None:
    """The first active user holding `counsel` over the community (by an assignment to it, its
    sub-district, or the person's grid or building)."""
    community = Community.objects.only("subdistrict_id").get(pk=community_id)
    over = Q(community_id=community_id) | Q(subdistrict_id=community.subdistrict_id)
    if building is not None:
        over |= Q(grid_id=building.grid_id) | Q(building_id=building.pk)
    holders = RoleAssignment.objects.filter(over, role__in=COUNSEL_ROLES).values("user_id")
    return User.objects.filter(is_active=True, pk__in=holders).order_by("id").first()


def _crisis_tasks(
    *, screening: Screening, resident: Resident, settings: CareSettings, actor: User | None
) -> Task:
    """One urgent task for the counsellor on duty (else the community's administrator) and one
    for the worker responsible for the person's building, as for an abnormal check-in. The grid
    worker's task says nothing of the answer: only that a same-day safety check is needed."""
    due = timezone.now() + dt.timedelta(minutes=settings.crisis_sla_minutes)
    building = resident.building
    counsellor = on_duty_counsellor(community_id=resident.community_id, building=building)
    owner = counsellor or default_owner(community=resident.community, building=None)
    crisis = task_create(
        title=_("Crisis: %(name)s answered PHQ-9 item 9 (thoughts of self-harm)")
        % {"name": resident.name},
        description=_(
            "Contact this person within %(minutes)d minutes and assess their safety. The "
            "community's crisis hotlines were shown to them with the result."
        )
        % {"minutes": settings.crisis_sla_minutes},
        target=resident, source=screening, owner=owner, actor=actor,
        priority=TaskPriority.URGENT, due_at=due,
    )  # fmt: skip
    responsible = default_owner(community=resident.community, building=building)
    if responsible is None or responsible.pk != crisis.owner_id:
        task_create(
            title=_("Urgent wellbeing visit: %(name)s") % {"name": resident.name},
            description=_(
                "Visit or call this person today, together with the counsellor if you can; "
                "if you cannot reach them, tell the counsellor at once."
            ),
            target=resident, source=screening, owner=responsible, actor=actor,
            priority=TaskPriority.URGENT, due_at=due,
        )  # fmt: skip
    return crisis


def _rescreen_task(*, screening: Screening, resident: Resident, actor: User | None) -> Task:
    return task_create(
        title=_("Re-screen %(name)s (%(instrument)s)")
        % {"name": resident.name, "instrument": screening.instrument_name},
        description=_("The last screening was mild; ask the same questions again."),
        target=resident, source=screening, actor=actor, priority=TaskPriority.NORMAL,
        due_at=timezone.now() + RESCREEN_AFTER,
    )  # fmt: skip


# -- screenings ---------------------------------------------------------------------------------


@transaction.atomic
def screening_record(
    *,
    actor: User | None,
    resident: Resident,
    instrument: str,
    answers: Sequence[object],
    source: ScreeningSource,
    link: HouseholdLink | None = None,
) -> Screening:
    """Score and store one screening, from the household page (`link`, no actor) or by a worker
    on the resident's behalf, and start its follow-up:

    - PHQ-9 item 9 above 0: one urgent task for the counsellor and one for the grid worker, due
      within the community's crisis deadline (an hour unless set);
    - moderate or worse: the person's care case is opened or its risk raised;
    - mild: a re-screen reminder in 14 days.

    A pre-screen (PHQ-2, GAD-2) of 3 or more is not a result: the full instrument follows.
    """
    if link is not None:
        if not link.is_active or resident.household_id != link.household_id:
            raise ValidationError({"member": [_("Choose a member of this household.")]})
    elif actor is not None:
        require(actor, Permission.SCREEN_RESIDENTS, resident)
    else:
        raise ValidationError(_("A screening is recorded through a household link or by a worker."))
    if resident.status not in CHECKING_IN:
        raise ValidationError({"member": [_("This person no longer lives here.")]})
    if source not in ScreeningSource.values:
        raise ValidationError({"source": [_("Choose where the screening comes from.")]})
    result = instruments.score(instrument, list(answers))
    if result.needs_full_instrument:
        full = instruments.INSTRUMENTS[instruments.INSTRUMENTS[result.instrument].full or Code.PHQ9]
        raise ValidationError(
            {
                "answers": [
                    _("A pre-screen total of 3 or more continues with the full %(name)s.")
                    % {"name": full.name}
                ]
            }
        )
    assert result.band is not None  # a result that needs no full instrument has one
    # One person's screenings are written one at a time (a double submit makes two rows, but
    # never two crisis tasks racing each other for the same person).
    Resident.objects.select_for_update().filter(pk=resident.pk).first()
    screening = Screening.objects.create(
        resident=resident, community_id=resident.community_id, building_id=resident.building_id,
        instrument=result.instrument, answers=list(result.answers), total=result.total,
        band=result.band, urgent=result.urgent, source=source, recorded_by=actor,
    )  # fmt: skip
    task: Task | None = None
    if result.urgent:
        # A crisis already being followed up (a resubmitted form, a second screening the same
        # hour) joins its open task rather than paging everyone again.
        task = (
            Task.objects.filter(
                pk__in=Screening.objects.filter(resident=resident, urgent=True).values("task_id"),
                status__in=ACTIVE_STATUSES,
            )
            .order_by("-id")
            .first()
        )
        if task is None:
            settings = care_settings_for(resident.community_id)
            task = _crisis_tasks(
                screening=screening, resident=resident, settings=settings, actor=actor
            )
    elif result.band == Band.MILD:
        task = _rescreen_task(screening=screening, resident=resident, actor=actor)
    if task is not None:
        screening.task = task
        screening.save(update_fields=["task", "updated_at"])
    if result.band in instruments.CASE_BANDS or result.urgent:
        _open_case_from_screening(screening=screening, resident=resident, actor=actor)
    if actor is not None:
        audit_record(
            actor=actor, action=AuditAction.CREATE, target=screening,
            community_id=resident.community_id, fields=["screening"],
        )  # fmt: skip
    return screening


def _open_case_from_screening(
    *, screening: Screening, resident: Resident, actor: User | None
) -> None:
    """Open the person's care case, or raise its risk, from a moderate or worse result."""
    from frontline.care.cases import case_from_screening  # cases build on screenings

    case_from_screening(screening=screening, resident=resident, actor=actor)


# -- escalation ---------------------------------------------------------------------------------


def _community_admin(community: Community) -> User | None:
    return default_owner(community=community, building=None)


@transaction.atomic
def escalate_overdue_crises(*, now: dt.datetime | None = None) -> list[Task]:
    """For every urgent screening whose crisis task is still open past its deadline, one
    escalation task for the community's administrator; a screening is escalated at most once."""
    now = now or timezone.now()
    overdue = (
        Screening.objects.select_for_update(of=("self",))
        .filter(
            urgent=True, escalation_task__isnull=True, task__status__in=ACTIVE_STATUSES,
            task__due_at__lt=now,
        )
        .select_related("resident", "community", "task")
        .order_by("id")
    )  # fmt: skip
    created: list[Task] = []
    escalated_tasks: set[int] = set()
    for screening in overdue:
        crisis_task_id = screening.task_id
        if crisis_task_id is None or crisis_task_id in escalated_tasks:
            continue  # a later screening that joined the same crisis
        minutes = care_settings_for(screening.community_id).crisis_sla_minutes
        escalation = task_create(
            title=_("Escalated crisis: %(name)s has not been reached in time")
            % {"name": screening.resident.name},
            description=_(
                "A crisis answer was not followed up within %(minutes)d minutes. Make sure "
                "someone reaches this person now."
            )
            % {"minutes": minutes},
            target=screening.resident, source=screening, priority=TaskPriority.URGENT,
            owner=_community_admin(screening.community), due_at=now + dt.timedelta(minutes=30),
        )  # fmt: skip
        Screening.objects.filter(task_id=crisis_task_id, escalation_task__isnull=True).update(
            escalation_task=escalation, updated_at=timezone.now()
        )
        escalated_tasks.add(crisis_task_id)
        created.append(escalation)
    return created
