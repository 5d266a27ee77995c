"""The household page's "I have read it", the acknowledgement report and door-to-door tasks."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from frontline.conftest import make_household, make_resident
from frontline.health.services import household_link_issue
from frontline.outreach.models import Notice, NoticeRecipient
from frontline.outreach.selectors import acknowledgement_report, not_reached
from frontline.outreach.services import door_to_door_tasks_create
from frontline.places.models import Building
from frontline.tasks.models import Task

from .conftest import EN


def portal_url(world, household, by: str = "admin") -> str:  # type: ignore[no-untyped-def]
    _link, token = household_link_issue(actor=world.users[by], household=household)
    return reverse("portal:notices", kwargs={"token": token})


def sent_hours_ago(notice: Notice, hours: int) -> None:
    Notice.objects.filter(pk=notice.pk).update(sent_at=timezone.now() - dt.timedelta(hours=hours))
    notice.refresh_from_db()


def test_a_household_sees_and_acknowledges_only_notices_addressed_to_it(
    world, compose, send, client
):
    to_grid1 = send(compose(title="一网格通知", grid_ids=[world.grid1.pk]))
    to_grid2 = send(compose(title="二网格通知", grid_ids=[world.grid2.pk]))
    sms_only = send(compose(title="短信通知", channels=["sms"]))
    url = portal_url(world, world.household1)

    page = client.get(url, **EN).content.decode()
    assert "一网格通知" in page and "I have read it" in page
    assert "二网格通知" not in page and "短信通知" not in page

    assert client.post(url, {"notice": to_grid2.pk}).status_code == 404
    assert client.post(url, {"notice": sms_only.pk + 1000}).status_code == 404
    response = client.post(url, {"notice": to_grid1.pk})
    assert response.status_code == 302
    read = NoticeRecipient.objects.filter(acknowledged_at__isnull=False)
    assert list(read.values_list("notice_id", "household_id")) == [
        (to_grid1.pk, world.household1.pk)
    ]
    assert "You have read it" in client.get(url, **EN).content.decode()


def test_a_household_of_another_community_never_sees_this_communitys_notices(
    world, compose, send, client
):
    send(compose(title="幸福里通知"))
    url = portal_url(world, world.other_household, by="other_admin")

    assert "幸福里通知" not in client.get(url).content.decode()
    notice_id = Notice.objects.get().pk
    assert client.post(url, {"notice": notice_id}).status_code == 404
    assert not NoticeRecipient.objects.filter(acknowledged_at__isnull=False).exists()


def test_an_unknown_link_is_a_404_and_an_expired_notice_is_not_shown(world, compose, send, client):
    notice = send(compose())
    url = portal_url(world, world.household1)
    Notice.objects.filter(pk=notice.pk).update(expires_at=timezone.now() - dt.timedelta(hours=1))

    assert "停水通知" not in client.get(url).content.decode()
    assert client.get(reverse("portal:notices", kwargs={"token": "x" * 22})).status_code == 404


def test_households_not_reached_after_n_hours_are_listed_per_building(world, compose, send):
    notice = send(compose())
    NoticeRecipient.objects.filter(household=world.household2).update(
        acknowledged_at=timezone.now()
    )
    admin = world.users["admin"]

    assert list(not_reached(viewer=admin, notice=notice, hours=24)) == []  # too early
    sent_hours_ago(notice, 25)

    unread = list(not_reached(viewer=admin, notice=notice, hours=24))
    assert [r.household_id for r in unread] == [world.household1.pk]
    with translation.override("en"):
        report = [(row.label, row.households, row.read, row.unread)
                  for row in acknowledgement_report(viewer=admin, notice=notice)]  # fmt: skip
    assert report == [("Building 3", 1, 0, 1), ("Building 5", 1, 1, 0)]


def test_one_click_makes_one_door_to_door_task_per_household_and_never_twice(
    world, compose, send, client_for
):
    notice = send(compose())
    sent_hours_ago(notice, 30)
    client = client_for("fulltime")
    url = reverse("outreach:door_to_door", kwargs={"pk": notice.pk})

    assert client.post(url, {"hours": "24"}).status_code == 302
    tasks = Task.objects.filter(source_id=str(notice.pk))
    assert sorted(tasks.values_list("household_id", flat=True)) == sorted(
        [world.household1.pk, world.household2.pk]
    )
    grid_task = tasks.get(household=world.household1)
    assert grid_task.owner == world.users["grid1"]  # chosen by scope: the building's grid worker

    client.post(url, {"hours": "24"})
    door_to_door_tasks_create(actor=world.users["admin"], notice=notice, hours=24)
    assert tasks.count() == 2
    report = client.get(reverse("outreach:report", kwargs={"pk": notice.pk}) + "?hours=24", **EN)
    assert "Make door-to-door" not in report.content.decode()


def test_door_to_door_tasks_wait_for_the_hours_to_pass(world, compose, send):
    from django.core.exceptions import ValidationError

    notice = send(compose())
    with translation.override("en"), pytest.raises(ValidationError) as raised:
        door_to_door_tasks_create(actor=world.users["admin"], notice=notice, hours=24)
    assert "Wait until 24 hours" in raised.value.messages[0]
    assert not Task.objects.exists()


def test_the_acknowledgement_report_takes_the_same_queries_for_more_buildings_and_homes(
    world, compose, send, client_for
):
    client = client_for("admin")

    def queries_for_report() -> int:
        notice = send(compose())
        sent_hours_ago(notice, 48)
        door_to_door_tasks_create(
            actor=world.users["admin"], notice=notice, hours=24, building_id=world.building1.pk
        )
        url = reverse("outreach:report", kwargs={"pk": notice.pk}) + "?hours=24"
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    small = queries_for_report()
    for number in range(10, 14):
        building = Building.objects.create(
            community=world.community, grid=world.grid2, number=str(number)
        )
        for room in range(3):
            make_resident(make_household(building, "1", f"10{room}"), name="测试")
    large = queries_for_report()
    assert large == small


def test_the_report_page_links_each_unreached_building_and_lists_one_at_a_time(
    world, compose, send, client_for, django_assert_max_num_queries
):
    notice = send(compose())
    NoticeRecipient.objects.filter(household=world.household2).update(
        acknowledged_at=timezone.now()
    )
    sent_hours_ago(notice, 25)
    client = client_for("fulltime")
    url = reverse("outreach:report", kwargs={"pk": notice.pk})
    page = client.get(url, {"hours": "24"}, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f"building={world.building1.pk}" in page and f"building={world.building2.pk}" not in page
    assert world.household1.label not in page  # no household listed before a building is chosen
    with django_assert_max_num_queries(12):
        chosen = client.get(url, {"hours": "24", "building": world.building1.pk}).content.decode()
    assert 'id="chosen-building"' in chosen and world.household1.label in chosen
    early = client.get(url, {"hours": "48"}, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'id="not-yet"' in early and "building=" not in early
