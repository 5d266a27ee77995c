"""The household page: its own members only, nothing of anyone else, and nothing through a dead link."""

import datetime as dt
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import QueryDict
from django.test import Client
from django.utils import timezone, translation
from django.utils.datastructures import MultiValueDict
from hypothesis import example, given, settings
from hypothesis import strategies as st

from frontline.conftest import make_resident
from frontline.health.models import Antigen, Checkin, Symptom, Whereabouts
from frontline.health.services import household_link_issue, household_link_revoke
from frontline.portal.forms import PortalCheckinForm, plain_checkin
from frontline.residents.models import Resident, ResidentStatus
from frontline.tasks.models import Task

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def links(world):
    make_resident(world.household1, name="张小明", phone="13600001111")
    ours = household_link_issue(actor=world.users["admin"], household=world.household1)[1]
    theirs = household_link_issue(actor=world.users["admin"], household=world.household2)[1]
    return ours, theirs


def checkin(token, member_pk, **fields):
    values = {
        "member": member_pk,
        "temperature": "36.5",
        "antigen": "none",
        "whereabouts": "home",
        **fields,
    }
    return Client(enforce_csrf_checks=False).post(f"/h/{token}/", values)


def test_the_page_names_only_this_households_members_with_surnames_hidden(world, links):
    page = Client().get(f"/h/{links[0]}/").content.decode()
    assert "*三丰" in page and "*小明" in page
    for secret in ("张三丰", "张小明", "李四", "*四", "王五", "3-2-401", "5678", "幸福里"):
        assert secret not in page


def test_a_check_in_through_the_link_is_recorded_as_the_residents_own(world, links):
    response = checkin(links[0], world.zhang.pk, temperature="38.2", symptoms=["cough"])
    assert response.status_code == 302 and "done=abnormal" in response["Location"]
    saved = Checkin.objects.get()
    assert (saved.resident, saved.source, saved.recorded_by) == (world.zhang, "link", None)
    assert Task.objects.get().owner == world.users["grid1"]
    thanks = Client().get(response["Location"]).content.decode()
    assert "*三丰" in thanks and "张三丰" not in thanks


def test_one_households_link_cannot_write_another_households_member(world, links):
    with translation.override("en"):
        response = checkin(links[0], world.li.pk)
    assert response.status_code == 422
    response = checkin(links[0], world.outsider.pk)
    assert response.status_code == 422
    assert not Checkin.objects.exists()
    # and the other household's link names its own member only
    assert "*四" in Client().get(f"/h/{links[1]}/").content.decode()


@pytest.mark.parametrize("token", ["not-a-real-token-at-all", "A" * 22])
def test_an_unknown_link_answers_404_and_writes_nothing(world, links, token):
    assert Client().get(f"/h/{token}/").status_code == 404
    assert checkin(token, world.zhang.pk).status_code == 404
    assert not Checkin.objects.exists()


def test_a_revoked_link_answers_404_and_writes_nothing(world, links):
    from frontline.health.links import active_link

    link = active_link(links[0])
    assert link is not None
    household_link_revoke(actor=world.users["grid1"], link=link)
    assert Client().get(f"/h/{links[0]}/").status_code == 404
    assert checkin(links[0], world.zhang.pk).status_code == 404
    assert not Checkin.objects.exists()


def test_bad_fields_are_all_reported_in_english_too(world, links):
    with translation.override("en"):
        response = Client(HTTP_ACCEPT_LANGUAGE="en").post(
            f"/h/{links[0]}/", {"member": world.zhang.pk, "temperature": "50", "antigen": "negative",
                                "whereabouts": "home",
                                "antigen_photo": SimpleUploadedFile("a.png", b"GIF89a not allowed")},
        )  # fmt: skip
    body = response.content.decode()
    assert response.status_code == 422
    assert "between 34.0 and 43.0" in body and "JPEG, PNG or WebP" in body
    assert not Checkin.objects.exists()


def test_a_photo_is_kept_with_the_check_in(world, links, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    response = checkin(links[0], world.zhang.pk, antigen="negative",
                       antigen_photo=SimpleUploadedFile("test.png", PNG, content_type="image/png"))  # fmt: skip
    assert response.status_code == 302
    assert Checkin.objects.get().antigen_photo.read() == PNG


def test_the_page_needs_the_csrf_token(world, links):
    client = Client(enforce_csrf_checks=True)
    response = client.post(f"/h/{links[0]}/", {"member": world.zhang.pk, "temperature": "36.5"})
    assert response.status_code == 403
    assert not Checkin.objects.exists()


def test_the_portal_without_a_link_explains_how_to_get_one(db):
    assert Client().get("/h/").status_code == 200


def test_a_normal_check_in_is_one_insert_and_its_page_reads_once(
    world, links, django_assert_num_queries
):
    client = Client(enforce_csrf_checks=True)
    page = client.get(f"/h/{links[0]}/")
    found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode())
    assert found is not None
    csrf = found[1]
    values = {"csrfmiddlewaretoken": csrf, "member": world.zhang.pk, "temperature": "36.6",
              "antigen": "none", "whereabouts": "home"}  # fmt: skip
    with django_assert_num_queries(1):  # the insert, which checks the link and the member
        response = client.post(f"/h/{links[0]}/", values)
    assert response.status_code == 302 and "done=ok" in response["Location"]
    saved = Checkin.objects.select_related("link").get()
    assert saved.link is not None and saved.link.household == world.household1
    assert (saved.resident, saved.abnormal, saved.recorded_by) == (world.zhang, False, None)
    with django_assert_num_queries(1):  # the link and its members
        assert client.get(response["Location"]).status_code == 200


def test_abnormal_check_ins_through_the_link_make_one_task_per_person_per_day(world, links):
    first = checkin(links[0], world.zhang.pk, temperature="38.0")
    second = checkin(links[0], world.zhang.pk, symptoms=["cough"])
    normal = checkin(links[0], world.zhang.pk)
    assert "done=abnormal" in first["Location"] and "done=abnormal" in second["Location"]
    assert "done=ok" in normal["Location"]
    task = Task.objects.get()
    assert list(Checkin.objects.order_by("pk").values_list("task", flat=True)) == [
        task.pk, task.pk, None,
    ]  # fmt: skip
    assert task.source == Checkin.objects.order_by("pk").first()


def test_someone_who_moved_out_cannot_be_checked_in_through_the_link(world, links):
    world.zhang.status = ResidentStatus.MOVED_OUT
    world.zhang.save(update_fields=["status"])
    response = checkin(links[0], world.zhang.pk)
    assert response.status_code == 422 and "*三丰" not in response.content.decode()
    assert not Checkin.objects.exists()


@pytest.mark.parametrize("member", ["0{pk}", " {pk}", "{pk}.0", "+{pk}", "", "x"])
def test_a_member_written_otherwise_than_the_form_writes_it_is_refused(world, links, member):
    response = checkin(links[0], member.format(pk=world.zhang.pk))
    assert response.status_code == 422
    assert not Checkin.objects.exists()


def junk(values):
    """Mostly the values a page sends, sometimes anything."""
    usual = st.sampled_from(values)
    return st.one_of(usual, usual, usual, st.text(max_size=12), st.sampled_from(["", " ", "\x00"]))


def one_or_two(values):
    return st.lists(junk(values), min_size=1, max_size=2)


posts = st.fixed_dictionaries(
    {
        "member": one_or_two(["1", "2", "99", "01", " 1", "1.0"]),
        "antigen": one_or_two(Antigen.values),
        "whereabouts": one_or_two(Whereabouts.values),
    },
    optional={
        "temperature": one_or_two(["36.5", " 37.3 ", "12345678901", "36,5", " 1234567890 "]),
        "symptoms": st.lists(junk(Symptom.values), max_size=3),
        "antigen_photo-clear": st.lists(st.sampled_from(["on", ""]), max_size=1),
    },
)


def plain_post(**fields):
    return {"member": ["1"], "antigen": ["none"], "whereabouts": ["home"], **fields}


@settings(max_examples=400, deadline=None)
@given(posts)
@example(plain_post(member=["01"]))
@example(plain_post(member=["99"]))
@example(plain_post(temperature=["12345678901"]))
@example(plain_post(temperature=[" 1234567890 "]))
@example(plain_post(temperature=[" 37.3 "]))
@example(plain_post(temperature=["36.5\x00"]))
@example(plain_post(symptoms=["cough", "hiccups"]))
@example(plain_post(antigen=["none", "maybe"]))
def test_a_plain_post_is_cleaned_exactly_as_the_form_would_clean_it(fields):
    data = QueryDict(mutable=True)
    for name, values in fields.items():
        data.setlist(name, values)
    members = [Resident(pk=1, name="张三丰"), Resident(pk=2, name="张小明")]
    form = PortalCheckinForm(data, MultiValueDict(), members=members)
    plain = plain_checkin(data, MultiValueDict())
    if plain is None:
        return  # the form's path, which reports what is wrong
    posted = plain.of({m.pk: m for m in members})
    assert form.is_valid() is (posted is not None), form.errors
    if posted is not None:
        assert posted == form.posted()


def test_a_post_with_a_photo_goes_through_the_form():
    data = QueryDict("member=1&temperature=36.5&antigen=negative&whereabouts=home")
    photo = SimpleUploadedFile("a.png", PNG, content_type="image/png")
    assert plain_checkin(data, MultiValueDict({"antigen_photo": [photo]})) is None
    assert plain_checkin(data, MultiValueDict()) is not None


def declare(token, member_pk, **fields):
    today = timezone.localdate()
    values = {
        "member": member_pk,
        "place": "某某农贸市场",
        "date_from": (today - dt.timedelta(days=3)).isoformat(),
        "date_to": (today - dt.timedelta(days=1)).isoformat(),
        **fields,
    }
    return Client().post(f"/h/{token}/trips/", values, HTTP_ACCEPT_LANGUAGE="en")


def test_a_member_declares_a_trip_and_it_is_screened_at_once(world, links):
    from frontline.travel.models import Trip, TripMatch, TripSource
    from frontline.travel.services import risk_area_create

    today = timezone.localdate()
    area = risk_area_create(
        actor=None, name="农贸市场", place="某某农贸市场", level="high",
        valid_from=today - dt.timedelta(days=10), valid_to=None,
    )  # fmt: skip
    ours, _theirs = links
    page = Client().get(f"/h/{ours}/trips/").content.decode()
    assert "*三丰" in page and "李四" not in page
    response = declare(ours, world.zhang.pk)
    assert response.status_code == 302 and response["Location"].endswith("?saved=1")
    trip = Trip.objects.get()
    assert (trip.resident, trip.source, trip.recorded_by) == (world.zhang, TripSource.PORTAL, None)
    assert TripMatch.objects.filter(trip=trip, area=area).exists()


def test_a_trip_for_another_household_or_with_bad_dates_is_refused_and_nothing_written(
    world, links
):
    from frontline.travel.models import Trip

    ours, theirs = links
    assert declare(theirs, world.zhang.pk).status_code == 422  # 张三丰 lives in household 1
    today = timezone.localdate()
    backwards = declare(
        ours, world.zhang.pk, date_from=today.isoformat(),
        date_to=(today - dt.timedelta(days=2)).isoformat(),
    )  # fmt: skip
    assert backwards.status_code == 422
    assert Client().post("/h/not-a-real-token-123/trips/", {}).status_code == 404
    household_link_revoke(
        actor=world.users["admin"], link=world.household1.health_links.get(revoked_at=None)
    )
    assert declare(ours, world.zhang.pk).status_code == 404
    assert not Trip.objects.exists()
