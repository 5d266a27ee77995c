"""Reads of tasks: a user's own inbox, and the tasks they may assign in their scope."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from frontline.accounts.access import Permission, scoped
from frontline.accounts.models import User
from frontline.tasks.models import ACTIVE_STATUSES, Task, TaskStatus

FETCH = ("owner", "community", "building", "household__unit__building", "resident", "source_type")


def task_list(
    *,
    viewer: User | AnonymousUser,
    mine: bool = True,
    status: str = "",
    overdue: bool = False,
    query: str = "",
) -> QuerySet[Task]:
    """Tasks owned by the viewer, or (mine=False) every task they may assign in their scope."""
    visible = Q(owner_id=viewer.pk) if mine else scoped(viewer, Permission.ASSIGN_TASKS, Task)
    tasks = Task.objects.filter(visible)
    if status == "active":
        tasks = tasks.filter(status__in=ACTIVE_STATUSES)
    elif status in TaskStatus.values:
        tasks = tasks.filter(status=status)
    if overdue:
        tasks = tasks.filter(status__in=ACTIVE_STATUSES, due_at__lt=timezone.now())
    if query:
        tasks = tasks.filter(Q(title__icontains=query) | Q(source_label__icontains=query))
    return tasks.select_related(*FETCH)


def task_get(*, viewer: User | AnonymousUser, pk: int) -> Task:
    """One task the viewer owns or may assign; 404 otherwise."""
    visible = Q(owner_id=viewer.pk) | scoped(viewer, Permission.ASSIGN_TASKS, Task)
    return get_object_or_404(Task.objects.filter(visible).select_related(*FETCH), pk=pk)


def inbox_count(*, viewer: User | AnonymousUser) -> int:
    return Task.objects.filter(owner_id=viewer.pk, status__in=ACTIVE_STATUSES).count()
