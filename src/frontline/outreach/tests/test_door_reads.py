"""A household told at the door counts as read: recorded by a worker who sends notices there or
owns its door-to-door task, audited, its task finished; a household that has read it already is
left as it was."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.contenttypes.models import ContentType
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from frontline.core.models import AuditEntry
from frontline.outreach.models import AcknowledgedVia, Notice, NoticeRecipient
from frontline.outreach.selectors import acknowledgement_report, door_recipient
from frontline.outreach.services import door_to_door_tasks_create, notice_read_at_door
from frontline.tasks.models import Task, TaskEvent, TaskStatus

from .conftest import EN


@pytest.fixture
def reached(world, compose, send):  # type: ignore[no-untyped-def]
    """A notice to both households of 幸福里, sent 30 hours ago, with a door-to-door task each
    (household 1's for grid worker 1, household 2's for the admin: grid 2 has no worker)."""
    notice = send(compose())
    Notice.objects.filter(pk=notice.pk).update(sent_at=timezone.now() - dt.timedelta(hours=30))
    notice.refresh_from_db()
    door_to_door_tasks_create(actor=world.users["admin"], notice=notice, hours=24)
    return notice


def recipient_of(notice, household) -> NoticeRecipient:  # type: ignore[no-untyped-def]
    return NoticeRecipient.objects.select_related("task").get(notice=notice, household=household)


def task_of(notice, household) -> Task:  # type: ignore[no-untyped-def]
    task = recipient_of(notice, household).task
    assert task is not None
    return task


def told(world, notice, household, by: str) -> NoticeRecipient:  # type: ignore[no-untyped-def]
    recipient = door_recipient(
        viewer=world.users[by], notice_id=notice.pk, household_id=household.pk
    )
    return notice_read_at_door(actor=world.users[by], recipient=recipient)


def test_a_household_told_at_the_door_is_read_and_its_task_finished(world, reached):
    recipient = told(world, reached, world.household1, by="fulltime")

    assert recipient.acknowledged_at is not None
    assert (recipient.acknowledged_via, recipient.acknowledged_by) == (
        AcknowledgedVia.WORKER, world.users["fulltime"],
    )  # fmt: skip
    task = task_of(reached, world.household1)
    assert task.status == TaskStatus.DONE
    assert (
        TaskEvent.objects.filter(task=task, to_status=TaskStatus.DONE).get().actor
        == (world.users["fulltime"])
    )
    entry = AuditEntry.objects.get(
        target_type=ContentType.objects.get_for_model(NoticeRecipient), target_id=recipient.pk
    )
    assert (entry.actor, entry.fields, entry.target_label) == (
        world.users["fulltime"], ["acknowledged_at"], world.household1.label,
    )  # fmt: skip
    [building3, building5] = acknowledgement_report(viewer=world.users["admin"], notice=reached)
    assert (building3.read, building5.read) == (1, 0)


def test_the_task_owner_may_record_it_without_sending_notices_and_nobody_outside(world, reached):
    recipient = told(world, reached, world.household1, by="grid1")  # owns household 1's task
    assert recipient.acknowledged_by == world.users["grid1"]
    for outsider, household in (
        ("grid1", world.household2),  # not their task, and they send no notices
        ("parttime", world.household2),
        ("other_admin", world.household2),
        ("officer", world.household1),
    ):
        with pytest.raises(Http404):
            told(world, reached, household, by=outsider)
    assert recipient_of(reached, world.household2).acknowledged_at is None


def test_a_household_that_has_read_it_is_left_as_it_was(world, reached, client_for):
    NoticeRecipient.objects.filter(notice=reached, household=world.household2).update(
        acknowledged_at=timezone.now() - dt.timedelta(hours=1),
        acknowledged_via=AcknowledgedVia.PORTAL,
    )
    before = recipient_of(reached, world.household2)
    after = told(world, reached, world.household2, by="admin")
    assert (after.acknowledged_at, after.acknowledged_via, after.acknowledged_by) == (
        before.acknowledged_at, AcknowledgedVia.PORTAL, None,
    )  # fmt: skip
    assert task_of(reached, world.household2).status == TaskStatus.OPEN

    first = told(world, reached, world.household1, by="admin")
    second = told(world, reached, world.household1, by="fulltime")
    assert (second.acknowledged_at, second.acknowledged_by) == (
        first.acknowledged_at, world.users["admin"],
    )  # fmt: skip
    assert AuditEntry.objects.filter(fields=["acknowledged_at"]).count() == 1
    api = client_for("fulltime").post(
        f"/api/v1/outreach/notices/{reached.pk}/households/{world.household1.pk}/read-at-door"
    )
    assert api.status_code == 200 and api.json()["acknowledged_by_id"] == world.users["admin"].pk
    report = acknowledgement_report(viewer=world.users["admin"], notice=reached)
    assert sum(row.read for row in report) == 2


def test_the_report_has_one_button_per_household_and_htmx_gets_its_row_back(
    world, reached, client_for
):
    client = client_for("admin")
    report = reverse("outreach:report", kwargs={"pk": reached.pk})
    page = client.get(report, {"hours": 24, "building": world.building1.pk}, **EN)
    assert page.content.decode().count("Told at the door") == 1
    url = reverse("outreach:read_at_door", kwargs={"pk": reached.pk})
    row = client.post(url, {"household": world.household1.pk}, HTTP_HX_REQUEST="true", **EN)
    body = row.content.decode()
    assert row.status_code == 200 and body.startswith(f'<tr id="household-{world.household1.pk}"')
    assert "Told at the door" in body and "<form" not in body
    plain = client.post(url, {"household": world.household2.pk, "hours": "24"})
    assert plain.status_code == 302 and plain["Location"].startswith(report)
    assert client.post(url, {"household": world.other_household.pk}).status_code == 404


def test_the_task_owner_records_it_through_the_api(world, reached, client_for):
    url = f"/api/v1/outreach/notices/{reached.pk}/households/{{}}/read-at-door"
    grid = client_for("grid1")
    done = grid.post(url.format(world.household1.pk))
    assert done.status_code == 200
    assert (done.json()["acknowledged_via"], done.json()["task_status"]) == ("worker", "done")
    assert grid.post(url.format(world.household2.pk)).status_code == 404


def test_reading_it_on_the_household_page_finishes_the_door_to_door_task(world, reached):
    from frontline.health.services import household_link_issue
    from frontline.outreach.services import notice_acknowledge

    link, _token = household_link_issue(actor=world.users["admin"], household=world.household1)
    notice_acknowledge(link=link, notice_id=reached.pk)
    task = task_of(reached, world.household1)
    assert task.status == TaskStatus.DONE
    event = TaskEvent.objects.filter(task=task).latest("id")
    assert (event.actor, event.to_status) == (None, TaskStatus.DONE)
    assert task_of(reached, world.household2).status == TaskStatus.OPEN
