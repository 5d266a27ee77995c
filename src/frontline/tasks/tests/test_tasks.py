import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from frontline.accounts.models import Role, RoleAssignment
from frontline.tasks.models import TaskEvent, TaskPriority, TaskStatus
from frontline.tasks.services import task_create, task_finish, task_hand_over, task_take


def test_the_owner_is_the_grid_worker_of_the_building(world):
    task = task_create(title="回访独居老人", target=world.zhang)
    assert task.owner == world.users["grid1"]
    assert (task.building, task.household, task.resident) == (
        world.building1,
        world.household1,
        world.zhang,
    )


def test_without_a_grid_worker_the_owner_is_a_community_admin(world):
    assert (
        task_create(title="核实", target=world.li).owner == world.users["admin"]
    )  # grid 2 has no grid worker
    assert task_create(title="核实", target=world.outsider).owner == world.users["other_admin"]


def test_take_finish_and_history(world):
    grid_worker = world.users["grid1"]
    task = task_create(title="回访", target=world.household1)
    task = task_take(actor=grid_worker, task=task)
    task = task_take(actor=grid_worker, task=task)  # a double click changes nothing
    task = task_finish(actor=grid_worker, task=task, note="已回访")
    assert task.status == TaskStatus.DONE
    steps = list(
        TaskEvent.objects.filter(task=task).values_list("from_status", "to_status", "note")
    )
    assert steps == [
        ("", "open", ""),
        ("open", "in_progress", ""),
        ("in_progress", "done", "已回访"),
    ]
    with pytest.raises(ValidationError):
        task_finish(actor=grid_worker, task=task)


def test_a_task_can_be_handed_to_a_volunteer_of_the_community_but_not_outside(world):
    task = task_create(title="送药", target=world.zhang)
    task = task_hand_over(
        actor=world.users["grid1"], task=task, to=world.users["volunteer"], note="请帮忙送药"
    )
    assert (task.owner, task.status) == (world.users["volunteer"], TaskStatus.OPEN)
    with pytest.raises(ValidationError):
        task_hand_over(actor=world.users["volunteer"], task=task, to=world.users["other_admin"])
    with pytest.raises(PermissionDenied):  # the grid worker gave it away and may not assign tasks
        task_take(actor=world.users["grid1"], task=task)


def test_the_inbox_highlights_overdue_tasks_and_filters(world, client_for):
    overdue = task_create(
        title="过期任务",
        target=world.zhang,
        due_at=timezone.now() - dt.timedelta(hours=2),
        priority=TaskPriority.HIGH,
    )
    task_create(
        title="明天的任务", target=world.zhang, due_at=timezone.now() + dt.timedelta(days=1)
    )
    client = client_for("grid1")
    page = client.get(reverse("tasks:inbox")).content.decode()
    assert "过期任务" in page and "明天的任务" in page and "table-danger" in page
    only_overdue = client.get(reverse("tasks:inbox") + "?overdue=1").content.decode()
    assert "过期任务" in only_overdue and "明天的任务" not in only_overdue
    assert overdue.is_overdue


def test_the_count_badge_shows_on_every_page(world, client_for):
    task_create(title="一", target=world.zhang)
    task_create(title="二", target=world.zhang)
    body = client_for("grid1").get(reverse("residents:list")).content.decode()
    assert 'id="inbox-count">2<' in body


def test_the_inbox_runs_a_constant_number_of_queries(world, client_for):
    client = client_for("admin")

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("tasks:inbox") + "?view=all").status_code == 200
        return len(captured)

    for _ in range(2):
        task_create(title="任务", target=world.zhang)
    few = queries()
    for _ in range(20):
        task_create(title="任务", target=world.household2)
    assert queries() == few


def test_pages_take_finish_and_hand_over(world, client_for):
    task = task_create(title="核实返回时间", target=world.zhang)
    client = client_for("grid1")
    client.post(reverse("tasks:take", kwargs={"pk": task.pk}))
    task.refresh_from_db()
    assert task.status == TaskStatus.IN_PROGRESS
    client.post(
        reverse("tasks:hand_over", kwargs={"pk": task.pk}),
        {"to": world.users["volunteer"].pk, "note": ""},
    )
    task.refresh_from_db()
    assert task.owner == world.users["volunteer"]
    volunteer = client_for("volunteer")
    volunteer.post(reverse("tasks:finish", kwargs={"pk": task.pk}), {"note": "已核实"})
    task.refresh_from_db()
    assert task.status == TaskStatus.DONE


def test_the_api_lists_my_tasks_and_changes_status(world, client_for):
    task = task_create(title="回访", target=world.zhang)
    client = client_for("grid1")
    listed = client.get("/api/v1/tasks").json()
    assert [item["id"] for item in listed["items"]] == [task.pk]
    taken = client.post(
        f"/api/v1/tasks/{task.pk}/status", {"action": "take"}, content_type="application/json"
    )
    assert taken.json()["status"] == "in_progress"
    handed = client.post(
        f"/api/v1/tasks/{task.pk}/status",
        {"action": "hand_over", "to": "volunteer"},
        content_type="application/json",
    )
    assert handed.json()["owner"] == "volunteer"


def test_a_building_scoped_grid_worker_owns_tasks_of_that_building(world):
    RoleAssignment.objects.filter(user=world.users["grid1"]).delete()
    RoleAssignment.objects.create(
        user=world.users["grid1"], role=Role.GRID_WORKER, building=world.building2
    )
    assert task_create(title="x", target=world.li).owner == world.users["grid1"]
