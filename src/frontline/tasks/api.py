import datetime as dt
from typing import Literal

from django.shortcuts import get_object_or_404
from ninja import Query, Router, Schema

from frontline.accounts.access import Permission, api_requires
from frontline.accounts.models import User
from frontline.core.http import AuthedRequest
from frontline.core.schemas import Page
from frontline.tasks import selectors, services
from frontline.tasks.models import Task

router = Router(tags=["tasks"])


class TaskOut(Schema):
    id: int
    title: str
    description: str
    source: str
    status: str
    priority: int
    due_at: dt.datetime | None
    overdue: bool
    owner: str | None
    household: str | None

    @staticmethod
    def of(task: Task) -> "TaskOut":
        return TaskOut(
            id=task.pk, title=task.title, description=task.description, source=task.source_label,
            status=task.status, priority=task.priority, due_at=task.due_at, overdue=task.is_overdue,
            owner=task.owner.username if task.owner else None,
            household=task.household.label if task.household else None,
        )  # fmt: skip


class TaskFilters(Schema):
    status: str = "active"
    overdue: bool = False
    q: str = ""
    limit: int = 50
    offset: int = 0


class TaskStep(Schema):
    action: Literal["take", "finish", "cancel", "hand_over"]
    note: str = ""
    to: str | None = None


@router.get("", response=Page[TaskOut])
@api_requires(Permission.WORK_TASKS)
def task_list(request: AuthedRequest, filters: Query[TaskFilters]):
    """The caller's own tasks."""
    tasks = selectors.task_list(
        viewer=request.user,
        mine=True,
        status=filters.status,
        overdue=filters.overdue,
        query=filters.q,
    )
    limit = max(1, min(filters.limit, 200))
    offset = max(0, filters.offset)
    return {
        "count": tasks.count(),
        "items": [TaskOut.of(t) for t in tasks[offset : offset + limit]],
    }


@router.get("/{task_id}", response=TaskOut)
@api_requires(Permission.WORK_TASKS, per_object=True)
def task_detail(request: AuthedRequest, task_id: int):
    return TaskOut.of(selectors.task_get(viewer=request.user, pk=task_id))


@router.post("/{task_id}/status", response=TaskOut)
@api_requires(Permission.WORK_TASKS, per_object=True)
def task_step(request: AuthedRequest, task_id: int, payload: TaskStep):
    """Take, finish, cancel or hand over a task."""
    task = selectors.task_get(viewer=request.user, pk=task_id)
    if payload.action == "take":
        task = services.task_take(actor=request.user, task=task)
    elif payload.action == "finish":
        task = services.task_finish(actor=request.user, task=task, note=payload.note)
    elif payload.action == "cancel":
        task = services.task_cancel(actor=request.user, task=task, note=payload.note)
    else:
        to = get_object_or_404(User, username=payload.to or "")
        task = services.task_hand_over(actor=request.user, task=task, to=to, note=payload.note)
    return TaskOut.of(task)
