from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from frontline.accounts.access import Permission, has_permission, requires
from frontline.core.forms import add_service_errors
from frontline.core.http import AuthedRequest
from frontline.core.pagination import paginate
from frontline.tasks import selectors, services
from frontline.tasks.forms import HandOverForm, NoteForm
from frontline.tasks.models import TaskStatus


@requires(Permission.WORK_TASKS)
def inbox(request: AuthedRequest) -> HttpResponse:
    """我的待办: the viewer's tasks, or (for those who assign) all tasks in their scope."""
    may_assign = has_permission(request.user, Permission.ASSIGN_TASKS)
    mine = request.GET.get("view", "mine") != "all" or not may_assign
    status = request.GET.get("status", "active")
    tasks = selectors.task_list(
        viewer=request.user,
        mine=mine,
        status=status,
        overdue=request.GET.get("overdue") == "1",
        query=request.GET.get("q", "").strip(),
    )
    context = {
        "page": paginate(request, tasks),
        "mine": mine,
        "may_assign": may_assign,
        "status": status,
        "statuses": TaskStatus.choices,
        "overdue": request.GET.get("overdue") == "1",
        "q": request.GET.get("q", ""),
    }
    return render(request, "tasks/inbox.html", context)


@requires(Permission.WORK_TASKS, per_object=True)
def task_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    task = selectors.task_get(viewer=request.user, pk=pk)
    context = {
        "task": task,
        "events": task.events.select_related("actor", "to_owner"),
        "note_form": NoteForm(),
        "handover_form": HandOverForm(candidates=services.handover_candidates(task)),
    }
    return render(request, "tasks/detail.html", context)


def _act(request: AuthedRequest, pk: int, action: str) -> HttpResponse:
    task = selectors.task_get(viewer=request.user, pk=pk)
    form: NoteForm
    if action == "hand_over":
        form = HandOverForm(request.POST, candidates=services.handover_candidates(task))
    else:
        form = NoteForm(request.POST)
    if form.is_valid():
        try:
            if action == "take":
                services.task_take(actor=request.user, task=task)
            elif action == "finish":
                services.task_finish(actor=request.user, task=task, note=form.cleaned_data["note"])
            elif action == "cancel":
                services.task_cancel(actor=request.user, task=task, note=form.cleaned_data["note"])
            else:
                services.task_hand_over(
                    actor=request.user,
                    task=task,
                    to=form.cleaned_data["to"],
                    note=form.cleaned_data["note"],
                )
        except ValidationError as error:
            add_service_errors(form, error)
    for message in [m for messages_ in form.errors.values() for m in messages_]:
        messages.error(request, str(message))
    if not form.errors:
        messages.success(request, _("Saved."))
    return redirect("tasks:detail", pk=task.pk)


@require_POST
@requires(Permission.WORK_TASKS, per_object=True)
def task_take(request: AuthedRequest, pk: int) -> HttpResponse:
    return _act(request, pk, "take")


@require_POST
@requires(Permission.WORK_TASKS, per_object=True)
def task_finish(request: AuthedRequest, pk: int) -> HttpResponse:
    return _act(request, pk, "finish")


@require_POST
@requires(Permission.WORK_TASKS, per_object=True)
def task_cancel(request: AuthedRequest, pk: int) -> HttpResponse:
    return _act(request, pk, "cancel")


@require_POST
@requires(Permission.WORK_TASKS, per_object=True)
def task_hand_over(request: AuthedRequest, pk: int) -> HttpResponse:
    return _act(request, pk, "hand_over")
