"""The household page: its own members only, nothing of anyone else, and nothing through a dead link."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import translation

from frontline.conftest import make_resident
from frontline.health.models import Checkin
from frontline.health.services import household_link_issue, household_link_revoke
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
