"""Group support sessions: announcing, signing up from the household page, full sessions."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from frontline.care.groups import session_create, signup
from frontline.care.models import SessionSignup
from frontline.conftest import make_household, make_resident
from frontline.health.services import household_link_issue

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def a_session(world, capacity: int = 2):  # type: ignore[no-untyped-def]
    return session_create(
        actor=world.users["counsellor"], community=world.community, title="居家焦虑小组",
        starts_at=timezone.now() + dt.timedelta(days=1), minutes=60, capacity=capacity,
        joining="腾讯会议 123 456 789",
    )  # fmt: skip


def test_announcing_reports_every_bad_field(world):
    with pytest.raises(ValidationError) as raised:
        session_create(
            actor=world.users["counsellor"], community=world.community, title="",
            starts_at=timezone.now() - dt.timedelta(hours=1), minutes=5, capacity=0, joining="",
        )  # fmt: skip
    assert set(raised.value.message_dict) == {
        "title",
        "starts_at",
        "minutes",
        "capacity",
        "joining",
    }


def test_a_household_signs_a_member_up_once_and_a_full_session_refuses_more(world, client):
    session = a_session(world, capacity=1)
    _link, token = household_link_issue(actor=world.users["admin"], household=world.household1)
    url = reverse("portal:care_sessions", kwargs={"token": token})
    page = client.get(url, **EN).content.decode()
    assert "居家焦虑小组" in page and "*三丰" in page and "张三丰" not in page
    done = client.post(url, {"member": world.zhang.pk, "session": session.pk}, **EN)
    assert done.status_code == 200 and "is signed up for" in done.content.decode()
    again = client.post(url, {"member": world.zhang.pk, "session": session.pk}, **EN)
    assert again.status_code == 422 and "Full" in again.content.decode()
    assert SessionSignup.objects.count() == 1
    other = make_resident(
        make_household(world.building1, "2", "402"), name="赵六",
        document_number="110105198501010012", phone="13811112222",
    )  # fmt: skip
    with pytest.raises(ValidationError):
        signup(session=session, resident=other, actor=world.users["grid1"])  # full
    # another household's link cannot sign this household's member up
    other_link, _token = household_link_issue(actor=world.users["admin"], household=other.household)
    with pytest.raises(ValidationError):
        signup(session=session, resident=world.zhang, link=other_link)


def test_managers_see_who_signed_up_and_grid_workers_only_the_count(world, client_for):
    session = a_session(world)
    signup(session=session, resident=world.zhang, actor=world.users["grid1"])
    url = reverse("care:session", kwargs={"pk": session.pk})
    managed = client_for("counsellor").get(url).content.decode()
    assert world.zhang.name in managed and world.zhang.masked_phone in managed
    counted = client_for("grid1").get(url, **EN).content.decode()
    assert "1 of 2 places taken" in counted and world.zhang.name not in counted
    listed = client_for("grid1").get(reverse("care:sessions")).content.decode()
    assert "居家焦虑小组" in listed and 'id="session-form"' not in listed
