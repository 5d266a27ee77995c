"""Support groups (a counsellor's group, among the lectures): announced by those who manage care,
registered from the household page under their own heading, full ones refused, and who sees
who registered (those who manage care and the host; the others only the count). The reminder
reaches the registered households and nobody else."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from frontline.conftest import make_household, make_resident
from frontline.health.services import household_link_issue
from frontline.outreach.lectures import lecture_create, register, send_reminders
from frontline.outreach.models import (
    Delivery,
    Lecture,
    LectureKind,
    LectureRegistration,
    Notice,
    NoticeRecipient,
    RegistrationSource,
)
from frontline.outreach.services import door_to_door_tasks_create, outreach_settings_update

from .conftest import EN


def a_group(world, *, by: str = "counsellor", capacity: int = 2, hours: float = 24, **fields):  # type: ignore[no-untyped-def]
    values = {
        "topic": "居家焦虑小组", "speaker": "", "minutes": 60, "capacity": capacity,
        "joining": "腾讯会议 123 456 789", "host": world.users["counsellor"],
        "starts_at": timezone.now() + dt.timedelta(hours=hours), **fields,
    }  # fmt: skip
    return lecture_create(
        actor=world.users[by], community=world.community, kind=LectureKind.SUPPORT_GROUP, **values
    )


def portal_url(world, household) -> str:  # type: ignore[no-untyped-def]
    _link, token = household_link_issue(actor=world.users["admin"], household=household)
    return reverse("portal:notices", kwargs={"token": token})


# -- announcing ---------------------------------------------------------------------------------


def test_announcing_reports_every_bad_field(world):
    with pytest.raises(ValidationError) as raised:
        lecture_create(
            actor=world.users["counsellor"], community=world.community,
            kind=LectureKind.SUPPORT_GROUP, topic="", speaker="", host=world.users["grid1"],
            starts_at=timezone.now() - dt.timedelta(hours=1), minutes=5, capacity=0, joining="",
        )  # fmt: skip
    assert set(raised.value.message_dict) == {
        "topic", "host", "starts_at", "minutes", "capacity", "joining",
    }  # fmt: skip


def test_those_who_manage_care_announce_support_groups_and_only_they(world):
    group = a_group(world)
    assert (group.kind, group.host, group.created_by) == (
        LectureKind.SUPPORT_GROUP, world.users["counsellor"], world.users["counsellor"],
    )  # fmt: skip
    assert a_group(world, by="admin").host == world.users["counsellor"]
    with pytest.raises(PermissionDenied):
        a_group(world, by="fulltime")  # sends notices, does not manage care
    with pytest.raises(PermissionDenied):
        lecture_create(
            actor=world.users["counsellor"], community=world.community, topic="讲座",
            speaker="医院", starts_at=timezone.now() + dt.timedelta(days=1), minutes=60,
            joining="活动室", capacity=10,
        )  # fmt: skip
    with pytest.raises(ValidationError) as raised:
        lecture_create(
            actor=world.users["admin"], community=world.community, topic="讲座", speaker="医院",
            host=world.users["counsellor"], starts_at=timezone.now() + dt.timedelta(days=1),
            minutes=60, joining="活动室", capacity=10,
        )  # fmt: skip
    assert set(raised.value.message_dict) == {"host"}  # only a support group has a host


def test_the_counsellor_announces_one_from_the_lecture_page(world, client_for):
    client = client_for("counsellor")
    url = reverse("outreach:lectures")
    page = client.get(url, **EN).content.decode()
    assert 'id="lecture-form"' in page and 'name="host"' in page
    starts = timezone.localtime() + dt.timedelta(days=2)
    done = client.post(
        url,
        {
            "community": world.community.pk, "topic": "丧亲支持小组", "starts_at": starts.strftime("%Y-%m-%dT%H:%M"),
            "minutes": "90", "joining": "社区活动室", "capacity": "8",
            "host": world.users["counsellor"].pk,
        },
    )  # fmt: skip
    assert done.status_code == 302
    group = Lecture.objects.get()
    assert (group.kind, group.topic, group.host) == (
        LectureKind.SUPPORT_GROUP, "丧亲支持小组", world.users["counsellor"],
    )  # fmt: skip
    assert "丧亲支持小组" in client.get(f"{url}?kind=support_group").content.decode()


# -- registering --------------------------------------------------------------------------------


def test_a_household_registers_a_member_once_and_a_full_group_refuses_more(world, client):
    lecture = lecture_create(
        actor=world.users["admin"], community=world.community, topic="老年人居家护理",
        speaker="市第一医院", starts_at=timezone.now() + dt.timedelta(days=1), minutes=60,
        joining="活动室", capacity=50,
    )  # fmt: skip
    group = a_group(world, capacity=1)
    url = portal_url(world, world.household1)
    page = client.get(url, **EN).content.decode()
    lectures, groups = page.split('id="support-groups"')
    assert "老年人居家护理" in lectures and "居家焦虑小组" not in lectures
    assert "居家焦虑小组" in groups and "*三丰" in page and "张三丰" not in page

    done = client.post(
        url, {"action": "register", "member": world.zhang.pk, "lecture": group.pk}, **EN
    )
    assert done.status_code == 200 and "is registered for" in done.content.decode()
    registration = LectureRegistration.objects.get(lecture=group)
    assert (registration.resident, registration.source) == (world.zhang, RegistrationSource.PORTAL)
    again = client.post(
        url, {"action": "register", "member": world.zhang.pk, "lecture": group.pk}, **EN
    )
    assert again.status_code == 200  # their place, not a refusal that would tell who is in it
    assert LectureRegistration.objects.filter(lecture=group).count() == 1
    other = make_resident(
        make_household(world.building1, "2", "402"), name="赵六",
        document_number="110105198501010012", phone="13811112222",
    )  # fmt: skip
    with pytest.raises(ValidationError):
        register(lecture=group, resident=other, actor=world.users["grid1"])  # full
    other_link, _token = household_link_issue(actor=world.users["admin"], household=other.household)
    with pytest.raises(ValidationError):
        register(lecture=lecture, resident=world.zhang, link=other_link)


def test_a_worker_who_screens_residents_registers_them(world):
    group = a_group(world)
    registration = register(lecture=group, resident=world.zhang, actor=world.users["grid1"])
    assert registration.source == RegistrationSource.WORKER
    with pytest.raises(PermissionDenied):
        register(lecture=group, resident=world.li, actor=world.users["sampler"])


# -- who sees who registered ----------------------------------------------------------------------


def test_managers_see_who_registered_and_the_others_only_the_count(world, client_for):
    group = a_group(world)
    register(lecture=group, resident=world.zhang, actor=world.users["grid1"])
    url = reverse("outreach:lecture", kwargs={"pk": group.pk})
    for manager in ("counsellor", "supervisor", "admin"):
        managed = client_for(manager).get(url).content.decode()
        assert world.zhang.name in managed and world.zhang.masked_phone in managed, manager
    for other in ("grid1", "fulltime", "parttime"):
        counted = client_for(other).get(url, **EN).content.decode()
        assert "1 of 2 places taken" in counted and world.zhang.name not in counted, other
        assert 'id="names-hidden"' in counted
    listed = client_for("grid1").get(reverse("outreach:lectures")).content.decode()
    assert "居家焦虑小组" in listed and 'id="lecture-form"' not in listed
    api = f"/api/v1/outreach/lectures/{group.pk}/registrations"
    assert client_for("grid1").get(api).status_code == 403
    assert [row["name"] for row in client_for("counsellor").get(api).json()] == [world.zhang.name]
    assert client_for("other_admin").get(url).status_code == 404
    assert client_for("sampler").get(url).status_code == 404  # sees no care


def test_the_list_filters_by_kind(world, client_for):
    a_group(world)
    lecture_create(
        actor=world.users["admin"], community=world.community, topic="老年人居家护理",
        speaker="市第一医院", starts_at=timezone.now() + dt.timedelta(days=1), minutes=60,
        joining="活动室", capacity=50,
    )  # fmt: skip
    client = client_for("admin")
    url = reverse("outreach:lectures")
    both = client.get(url).content.decode()
    assert "居家焦虑小组" in both and "老年人居家护理" in both
    groups = client.get(url, {"kind": "support_group"}).content.decode()
    assert "居家焦虑小组" in groups and "老年人居家护理" not in groups
    api = client.get("/api/v1/outreach/lectures", {"kind": "lecture"}).json()
    assert [item["topic"] for item in api["items"]] == ["老年人居家护理"]
    # the counsellor sends no notice and acts for no resident: support groups only
    counsellor = client_for("counsellor").get(url).content.decode()
    assert "居家焦虑小组" in counsellor and "老年人居家护理" not in counsellor


def test_attendance_is_marked_by_those_who_run_it(world, client_for):
    group = a_group(world)
    registration = register(lecture=group, resident=world.zhang, actor=world.users["admin"])
    Lecture.objects.filter(pk=group.pk).update(starts_at=timezone.now())
    url = reverse("outreach:lecture_attendance", kwargs={"pk": group.pk})
    body = {"registration": registration.pk, "attended": "yes"}
    assert client_for("fulltime").post(url, body).status_code == 403
    assert client_for("counsellor").post(url, body).status_code == 302
    registration.refresh_from_db()
    assert registration.attended is True


# -- the reminder -------------------------------------------------------------------------------


def test_the_reminder_reaches_only_the_registered_households_and_those_who_manage_care(
    world, client_for, client
):
    outreach_settings_update(
        actor=world.users["admin"], community=world.community, email_addresses="jwh@example.org",
        community_webhook="https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=x",
        grid_webhooks={},
    )  # fmt: skip
    group = a_group(world, hours=0.5)
    register(lecture=group, resident=world.zhang, actor=world.users["admin"])

    assert [lecture.pk for lecture in send_reminders(now=timezone.now())] == [group.pk]
    group.refresh_from_db()
    notice = group.reminder
    assert notice.confidential and "居家焦虑小组" in notice.title
    assert notice.created_by == world.users["counsellor"]
    assert list(NoticeRecipient.objects.values_list("household_id", flat=True)) == [
        world.household1.pk
    ]
    assert list(Delivery.objects.values_list("channel", "recipient__household_id")) == [
        ("sms", world.household1.pk)
    ]  # no group robot, no e-mail list
    assert "居家焦虑小组" in client.get(portal_url(world, world.household1)).content.decode()
    assert (
        "Support group reminder"
        not in client.get(portal_url(world, world.household2), **EN).content.decode()
    )

    notice_url = reverse("outreach:notice", kwargs={"pk": notice.pk})
    assert client_for("fulltime").get(notice_url).status_code == 404
    assert (
        "居家焦虑小组"
        not in client_for("fulltime").get(reverse("outreach:notices")).content.decode()
    )
    assert client_for("fulltime").get(f"/api/v1/outreach/notices/{notice.pk}").status_code == 404
    lecture_page = client_for("fulltime").get(reverse("outreach:lecture", kwargs={"pk": group.pk}))
    assert notice_url not in lecture_page.content.decode()
    assert client_for("admin").get(notice_url).status_code == 200  # manages care too
    Notice.objects.filter(pk=notice.pk).update(sent_at=timezone.now() - dt.timedelta(days=1))
    with pytest.raises(ValidationError):  # never door-to-door work for a grid worker
        door_to_door_tasks_create(actor=world.users["admin"], notice=notice, hours=0)
