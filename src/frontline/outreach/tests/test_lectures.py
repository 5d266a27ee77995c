"""Lectures: announcing, registering from the household page or through a worker, full lectures,
attendance after the start, the reminder notice to registered households, and who sees what."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from frontline.conftest import make_household, make_resident
from frontline.core.identity import check_digit
from frontline.health.services import household_link_issue
from frontline.outreach.lectures import attendance_mark, lecture_create, register, send_reminders
from frontline.outreach.models import (
    Delivery,
    Lecture,
    LectureRegistration,
    Notice,
    NoticeRecipient,
    NoticeStatus,
    RegistrationSource,
)

from .conftest import EN


def a_lecture(world, *, by: str = "admin", capacity: int = 50, hours: float = 24, **fields):  # type: ignore[no-untyped-def]
    values = {
        "topic": "老年人居家护理", "speaker": "市第一医院 王医生", "minutes": 60,
        "joining": "腾讯会议 123 456 789", "capacity": capacity,
        "starts_at": timezone.now() + dt.timedelta(hours=hours), **fields,
    }  # fmt: skip
    return lecture_create(actor=world.users[by], community=world.community, **values)


def started(lecture: Lecture, minutes_ago: int = 5) -> Lecture:
    Lecture.objects.filter(pk=lecture.pk).update(
        starts_at=timezone.now() - dt.timedelta(minutes=minutes_ago)
    )
    lecture.refresh_from_db()
    return lecture


def portal_url(world, household, by: str = "admin") -> str:  # type: ignore[no-untyped-def]
    _link, token = household_link_issue(actor=world.users[by], household=household)
    return reverse("portal:notices", kwargs={"token": token})


# -- announcing ---------------------------------------------------------------------------------


def test_announcing_reports_every_bad_field(world):
    with pytest.raises(ValidationError) as raised:
        lecture_create(
            actor=world.users["admin"], community=world.community, topic=" ", speaker="",
            starts_at=timezone.now() - dt.timedelta(hours=1), minutes=5, joining="",
            capacity=0, description="x" * 2001,
        )  # fmt: skip
    assert set(raised.value.message_dict) == {
        "topic", "speaker", "starts_at", "minutes", "joining", "capacity", "description",
    }  # fmt: skip
    assert not Lecture.objects.exists()


def test_only_those_who_send_notices_announce_lectures_in_their_community(world):
    from django.core.exceptions import PermissionDenied
    from django.http import Http404

    with pytest.raises(Http404):
        lecture_create(
            actor=world.users["other_admin"], community=world.community, topic="t", speaker="s",
            starts_at=timezone.now() + dt.timedelta(days=1), minutes=60, joining="j",
            capacity=5,
        )  # fmt: skip
    with pytest.raises(PermissionDenied):
        a_lecture(world, by="parttime")


def test_the_form_page_announces_a_lecture_and_shows_errors_by_field(world, client_for):
    client = client_for("admin")
    url = reverse("outreach:lectures")
    bad = client.post(url, {"community": world.community.pk, "topic": "讲座", "minutes": "5"}, **EN)
    assert bad.status_code == 422 and "This field is required." in bad.content.decode()
    starts = timezone.localtime() + dt.timedelta(days=2)
    done = client.post(
        url,
        {
            "community": world.community.pk, "topic": "慢病用药", "speaker": "社区卫生服务中心",
            "starts_at": starts.strftime("%Y-%m-%dT%H:%M"), "minutes": "90",
            "joining": "社区活动室", "capacity": "30",
        },
    )  # fmt: skip
    lecture = Lecture.objects.get()
    assert done.status_code == 302 and done["Location"] == reverse(
        "outreach:lecture", kwargs={"pk": lecture.pk}
    )
    assert (lecture.topic, lecture.minutes, lecture.capacity) == ("慢病用药", 90, 30)
    assert "慢病用药" in client.get(url).content.decode()


# -- registering --------------------------------------------------------------------------------


def test_a_household_registers_only_its_own_members_from_its_notices_page(world, client):
    lecture = a_lecture(world)
    url = portal_url(world, world.household1)
    page = client.get(url, **EN).content.decode()
    assert "Lectures" in page and "老年人居家护理" in page and "*三丰" in page
    assert "张三丰" not in page

    others = client.post(
        url, {"action": "register", "member": world.li.pk, "lecture": lecture.pk}, **EN
    )
    assert others.status_code == 422 and not LectureRegistration.objects.exists()

    done = client.post(
        url, {"action": "register", "member": world.zhang.pk, "lecture": lecture.pk}, **EN
    )
    assert done.status_code == 200 and "is registered for" in done.content.decode()
    registration = LectureRegistration.objects.get()
    assert (registration.resident, registration.source) == (world.zhang, RegistrationSource.PORTAL)
    again = client.post(
        url, {"action": "register", "member": world.zhang.pk, "lecture": lecture.pk}, **EN
    )
    assert again.status_code == 200  # registering again keeps the one place
    assert LectureRegistration.objects.count() == 1

    # another household's link cannot register this household's member
    other_link, _token = household_link_issue(
        actor=world.users["admin"], household=world.household2
    )
    with pytest.raises(ValidationError):
        register(lecture=lecture, resident=world.zhang, link=other_link)


def test_a_household_of_another_community_never_sees_this_communitys_lectures(world, client):
    a_lecture(world)
    page = client.get(
        portal_url(world, world.other_household, by="other_admin"), **EN
    ).content.decode()
    assert "老年人居家护理" not in page and "No lecture planned" in page


def test_a_worker_registers_a_resident_of_their_grid_only(world, client_for):
    lecture = a_lecture(world)
    client = client_for("grid1")
    url = reverse("outreach:lecture_register", kwargs={"pk": lecture.pk})
    found = client.get(reverse("outreach:lecture", kwargs={"pk": lecture.pk}), {"q": "张三丰"})
    assert world.zhang.masked_phone in found.content.decode()
    assert client.post(url, {"resident": world.zhang.pk}).status_code == 302
    assert client.post(url, {"resident": world.li.pk}).status_code == 404
    registration = LectureRegistration.objects.get()
    assert (registration.resident, registration.source) == (world.zhang, RegistrationSource.WORKER)
    with pytest.raises(ValidationError):
        register(lecture=lecture, resident=world.outsider, actor=world.users["other_admin"])


def test_a_full_lecture_refuses_more_registrations(world):
    lecture = a_lecture(world, capacity=1)
    register(lecture=lecture, resident=world.zhang, actor=world.users["admin"])
    with pytest.raises(ValidationError) as raised, translation.override("en"):
        register(lecture=lecture, resident=world.li, actor=world.users["admin"])
    assert "full" in " ".join(raised.value.messages)
    assert LectureRegistration.objects.count() == 1


def test_a_lecture_that_is_over_refuses_registrations(world):
    lecture = started(a_lecture(world), minutes_ago=61)
    with pytest.raises(ValidationError):
        register(lecture=lecture, resident=world.zhang, actor=world.users["admin"])


# -- attendance ---------------------------------------------------------------------------------


def test_attendance_is_marked_only_after_the_lecture_started(world, client_for):
    lecture = a_lecture(world)
    registration = register(lecture=lecture, resident=world.zhang, actor=world.users["admin"])
    with pytest.raises(ValidationError):
        attendance_mark(actor=world.users["admin"], registration=registration, attended=True)
    registration.refresh_from_db()
    assert registration.attended is None

    started(lecture)
    url = reverse("outreach:lecture_attendance", kwargs={"pk": lecture.pk})
    assert client_for("grid1").post(url, {"registration": registration.pk}).status_code == 403
    response = client_for("fulltime").post(
        url, {"registration": registration.pk, "attended": "yes"}
    )
    assert response.status_code == 302
    registration.refresh_from_db()
    assert registration.attended is True
    attendance_mark(actor=world.users["admin"], registration=registration, attended=False)
    registration.refresh_from_db()
    assert registration.attended is False


# -- reminders ----------------------------------------------------------------------------------


def test_reminders_go_once_to_the_registered_households_of_lectures_within_the_hour(world):
    soon = a_lecture(world, hours=0.5, topic="疫苗接种答疑")
    later = a_lecture(world, hours=3, topic="心理健康")
    empty = a_lecture(world, hours=0.75, topic="无人报名")
    register(lecture=soon, resident=world.zhang, actor=world.users["admin"])
    register(lecture=later, resident=world.li, actor=world.users["admin"])

    reminded = send_reminders(now=timezone.now())

    assert [lecture.pk for lecture in reminded] == [soon.pk]
    soon.refresh_from_db()
    assert soon.reminded_at is not None and soon.reminder is not None
    notice = soon.reminder
    assert notice.status == NoticeStatus.SENT and "疫苗接种答疑" in notice.title
    assert set(notice.channels) == {"portal", "sms"}
    assert list(NoticeRecipient.objects.values_list("household_id", flat=True)) == [
        world.household1.pk
    ]
    assert list(Delivery.objects.values_list("channel", "recipient__household_id")) == [
        ("sms", world.household1.pk)
    ]
    assert send_reminders(now=timezone.now()) == []
    assert Notice.objects.count() == 1
    empty.refresh_from_db()
    assert empty.reminded_at is None

    # two and a half hours on, the later lecture is within the hour
    moved_on = send_reminders(now=timezone.now() + dt.timedelta(hours=2, minutes=30))
    assert [lecture.pk for lecture in moved_on] == [later.pk]
    assert Notice.objects.count() == 2


def test_the_reminder_command_takes_a_time_to_act_as_now(world):
    lecture = a_lecture(world, hours=5)
    register(lecture=lecture, resident=world.zhang, actor=world.users["admin"])
    out = StringIO()
    call_command("lecture_reminders", stdout=out)
    lecture.refresh_from_db()
    assert lecture.reminded_at is None
    at = (timezone.now() + dt.timedelta(hours=4, minutes=30)).isoformat()
    call_command("lecture_reminders", "--now", at, stdout=out)
    lecture.refresh_from_db()
    assert lecture.reminded_at is not None


# -- who sees what ------------------------------------------------------------------------------


def test_a_grid_worker_sees_their_grids_registrations_and_cannot_announce(world, client_for):
    lecture = a_lecture(world)
    register(lecture=lecture, resident=world.zhang, actor=world.users["admin"])
    register(lecture=lecture, resident=world.li, actor=world.users["admin"])
    url = reverse("outreach:lecture", kwargs={"pk": lecture.pk})

    managed = client_for("admin").get(url).content.decode()
    assert world.zhang.name in managed and world.li.name in managed
    assert world.zhang.masked_phone in managed and world.zhang.phone not in managed

    grid = client_for("grid1").get(url, **EN).content.decode()
    assert "2 of 50 places taken" in grid
    assert world.zhang.name in grid and world.li.name not in grid
    listed = client_for("grid1").get(reverse("outreach:lectures")).content.decode()
    assert "老年人居家护理" in listed and 'id="lecture-form"' not in listed
    refused = client_for("grid1").post(reverse("outreach:lectures"), {"topic": "x"})
    assert refused.status_code == 403


def test_another_community_gets_404_and_the_officer_no_name(world, client_for):
    lecture = a_lecture(world)
    register(lecture=lecture, resident=world.zhang, actor=world.users["admin"])
    url = reverse("outreach:lecture", kwargs={"pk": lecture.pk})
    assert client_for("other_admin").get(url).status_code == 404
    assert (
        "老年人居家护理"
        not in client_for("other_admin").get(reverse("outreach:lectures")).content.decode()
    )
    officer = client_for("officer")
    assert officer.get(reverse("outreach:lectures")).status_code == 403
    assert officer.get(url).status_code == 404
    api = officer.get(f"/api/v1/outreach/lectures/{lecture.pk}/registrations")
    assert api.status_code == 404 and world.zhang.name not in api.content.decode()


def test_the_api_lists_lectures_and_registrations_with_masked_phones(world, client_for):
    lecture = a_lecture(world)
    register(lecture=lecture, resident=world.zhang, actor=world.users["admin"])
    client = client_for("admin")
    listed = client.get("/api/v1/outreach/lectures").json()
    assert listed["count"] == 1 and listed["items"][0]["registered"] == 1
    rows = client.get(f"/api/v1/outreach/lectures/{lecture.pk}/registrations").json()
    assert [(row["name"], row["phone"]) for row in rows] == [
        (world.zhang.name, world.zhang.masked_phone)
    ]


def test_the_lecture_list_and_detail_take_the_same_queries_whatever_the_rows(world, client_for):
    client = client_for("admin")
    first = a_lecture(world)
    register(lecture=first, resident=world.zhang, actor=world.users["admin"])

    def counted(url: str) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    list_url = reverse("outreach:lectures")
    detail_url = reverse("outreach:lecture", kwargs={"pk": first.pk})
    before = (counted(list_url), counted(detail_url))
    a_lecture(world, topic="第二讲")
    for serial, room in enumerate(("501", "502", "503")):
        base = f"11010519850101{serial:03d}"
        resident = make_resident(
            make_household(world.building1, "1", room), name=f"住户{room}",
            document_number=base + check_digit(base), phone=f"1381111000{serial}",
        )  # fmt: skip
        register(lecture=first, resident=resident, actor=world.users["admin"])
    assert (counted(list_url), counted(detail_url)) == before
