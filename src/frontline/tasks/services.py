"""The one door through which any app creates follow-up work, and the steps a worker takes on it."""

from __future__ import annotations

import datetime as dt

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from frontline.accounts.access import Permission, scoped
from frontline.accounts.models import Role, RoleAssignment, User
from frontline.places.models import Building, Community, Household
from frontline.residents.models import Resident
from frontline.tasks.models import ACTIVE_STATUSES, Task, TaskEvent, TaskPriority, TaskStatus

Target = Community | Building | Household | Resident


def grid_worker_of(building: Building) -> User | None:
    """The first active grid worker of the building's grid (or of the building itself)."""
    return (
        User.objects.filter(is_active=True, assignments__role=Role.GRID_WORKER)
        .filter(Q(assignments__grid_id=building.grid_id) | Q(assignments__building_id=building.pk))
        .order_by("id")
        .first()
    )


def default_owner(*, community: Community, building: Building | None) -> User | None:
    """The grid worker of the building's grid, else the community's first admin."""
    if building is not None:
        grid_worker = grid_worker_of(building)
        if grid_worker is not None:
            return grid_worker
    return (
        User.objects.filter(
            is_active=True,
            assignments__role=Role.COMMUNITY_ADMIN,
            assignments__community_id=community.pk,
        )
        .order_by("id")
        .first()
    )


def _place_of(
    target: Target,
) -> tuple[Community, Building | None, Household | None, Resident | None]:
    if isinstance(target, Resident):
        return target.community, target.building, target.household, target
    if isinstance(target, Household):
        building = target.unit.building
        return building.community, building, target, None
    if isinstance(target, Building):
        return target.community, target, None, None
    return target, None, None, None


@transaction.atomic
def task_create(
    *,
    title: str,
    target: Target,
    source: models.Model | None = None,
    description: str = "",
    due_at: dt.datetime | None = None,
    priority: TaskPriority = TaskPriority.NORMAL,
    owner: User | None = None,
    actor: User | None = None,
) -> Task:
    """Create a task about a place or person; its owner is chosen by scope unless given."""
    if not title.strip():
        raise ValidationError({"title": [_("Enter a title.")]})
    community, building, household, resident = _place_of(target)
    task = Task.objects.create(
        title=title.strip(),
        description=description,
        source_type=ContentType.objects.get_for_model(source) if source is not None else None,
        source_id=str(source.pk) if source is not None else "",
        source_label=str(source)[:200] if source is not None else "",
        community=community,
        building=building,
        household=household,
        resident=resident,
        owner=owner or default_owner(community=community, building=building),
        due_at=due_at,
        priority=priority,
    )
    TaskEvent.objects.create(task=task, actor=actor, to_status=TaskStatus.OPEN, to_owner=task.owner)
    return task


def _may_work_on(actor: User, task: Task) -> bool:
    """The owner works on their task; whoever may assign tasks in its scope may too."""
    if task.owner_id == actor.pk:
        return True
    return Task.objects.filter(scoped(actor, Permission.ASSIGN_TASKS, Task), pk=task.pk).exists()


def _step(
    *, actor: User | None, task: Task, to_status: TaskStatus, note: str = "", to_owner: User | None = None,
    checked: bool = False,
) -> Task:  # fmt: skip
    task = Task.objects.select_for_update().get(pk=task.pk)
    if not checked and (actor is None or not _may_work_on(actor, task)):
        raise PermissionDenied
    if task.status not in ACTIVE_STATUSES:
        raise ValidationError({"status": [_("This task is already closed.")]})
    event = TaskEvent(
        task=task, actor=actor, from_status=task.status, to_status=to_status, note=note
    )
    task.status = to_status
    fields = ["status", "updated_at"]
    if to_owner is not None and to_owner.pk != task.owner_id:
        task.owner = to_owner
        event.to_owner = to_owner
        fields.append("owner")
    task.save(update_fields=fields)
    event.save()
    return task


@transaction.atomic
def task_take(*, actor: User, task: Task) -> Task:
    """Start work on a task: it becomes the actor's and in progress."""
    if task.status == TaskStatus.IN_PROGRESS and task.owner_id == actor.pk:
        return task  # a double click changes nothing
    return _step(actor=actor, task=task, to_status=TaskStatus.IN_PROGRESS, to_owner=actor)


@transaction.atomic
def task_finish(*, actor: User, task: Task, note: str = "") -> Task:
    return _step(actor=actor, task=task, to_status=TaskStatus.DONE, note=note)


@transaction.atomic
def task_follow(
    *, actor: User | None, task: Task, to_status: TaskStatus, note: str = ""
) -> Task | None:
    """Move a task along with the work it stands for (a resident's request, an order's test), by
    someone that work's own service has already allowed to act on it: whoever takes a request
    takes its task, whoever records a result finishes its sampling task; None as the actor is
    the household itself, through its link. None when the task is already closed."""
    if not Task.objects.filter(pk=task.pk, status__in=ACTIVE_STATUSES).exists():
        return None
    to_owner = actor if to_status == TaskStatus.IN_PROGRESS else None
    return _step(
        actor=actor, task=task, to_status=to_status, note=note, to_owner=to_owner, checked=True
    )


@transaction.atomic
def task_cancel(*, actor: User, task: Task, note: str) -> Task:
    if not note.strip():
        raise ValidationError({"note": [_("Say why the task is cancelled.")]})
    return _step(actor=actor, task=task, to_status=TaskStatus.CANCELLED, note=note)


def handover_candidates(task: Task) -> models.QuerySet[User]:
    """Active users who may work on tasks in the task's community or building."""
    assignments = RoleAssignment.objects.filter(
        Q(community_id=task.community_id)
        | Q(grid_id=task.building.grid_id if task.building else None)
        | Q(building_id=task.building_id),
        role__in=[role for role in Role if role != Role.SUBDISTRICT_OFFICER],
    )
    return User.objects.filter(is_active=True, pk__in=assignments.values("user_id")).order_by(
        "username"
    )


@transaction.atomic
def task_hand_over(*, actor: User, task: Task, to: User, note: str = "") -> Task:
    """Give a task to another worker or volunteer whose scope covers it; it reopens for them."""
    if not handover_candidates(task).filter(pk=to.pk).exists():
        raise ValidationError({"to": [_("This person does not work where the task is.")]})
    return _step(actor=actor, task=task, to_status=TaskStatus.OPEN, note=note, to_owner=to)
