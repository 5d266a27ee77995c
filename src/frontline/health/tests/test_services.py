import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.http import Http404
from django.utils import translation

from frontline.core.models import AuditAction, AuditEntry
from frontline.health.links import active_link, link_token
from frontline.health.models import Checkin, CheckinSource, HouseholdLink
from frontline.health.services import (
    building_links_issue_missing,
    checkin_record,
    checkin_record_by_token,
    household_link_issue,
    household_link_revoke,
)
from frontline.residents.models import ResidentStatus
from frontline.tasks.models import Task, TaskPriority

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def worker_checkin(world, resident=None, **fields):
    values = {"temperature": "36.5", **fields}
    return checkin_record(
        resident=resident or world.zhang, source=CheckinSource.WORKER_PAGE,
        actor=world.users["grid1"], **values,
    )  # fmt: skip


def test_a_link_stores_only_a_salt_and_a_digest_of_its_token(world):
    link, token = household_link_issue(actor=world.users["grid1"], household=world.household1)
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM health_householdlink")
        stored = " ".join(map(str, cursor.fetchall()))
    assert token not in stored
    assert (
        link_token(link) == token
    )  # the QR code can be reprinted from the salt and the secret key
    assert active_link(token) == link
    entry = AuditEntry.objects.get(action=AuditAction.CREATE, fields=["household_link"])
    assert entry.actor == world.users["grid1"] and "3-2-401" in entry.target_label


def test_reissuing_a_link_stops_the_old_one(world):
    old, old_token = household_link_issue(actor=world.users["admin"], household=world.household1)
    new, new_token = household_link_issue(actor=world.users["admin"], household=world.household1)
    assert active_link(old_token) is None and active_link(new_token) == new
    old.refresh_from_db()
    assert old.revoked_by == world.users["admin"]
    assert (
        HouseholdLink.objects.filter(household=world.household1, revoked_at__isnull=True).count()
        == 1
    )


def test_a_revoked_link_opens_nothing_and_revoking_is_audited(world):
    link, token = household_link_issue(actor=world.users["admin"], household=world.household1)
    household_link_revoke(actor=world.users["grid1"], link=link)
    household_link_revoke(actor=world.users["grid1"], link=link)  # twice changes nothing
    assert active_link(token) is None
    assert AuditEntry.objects.filter(action=AuditAction.UPDATE, fields=["revoked_at"]).count() == 1


def test_a_worker_cannot_issue_links_outside_their_grid(world):
    with pytest.raises(Http404):
        household_link_issue(actor=world.users["grid1"], household=world.household2)
    with pytest.raises(Http404):
        household_link_issue(actor=world.users["admin"], household=world.other_household)
    assert not HouseholdLink.objects.exists()


def test_issuing_missing_links_skips_households_that_have_one(world):
    from frontline.conftest import make_household

    make_household(world.building1, "2", "402")
    household_link_issue(actor=world.users["admin"], household=world.household1)
    assert building_links_issue_missing(actor=world.users["admin"], building=world.building1) == 1
    assert building_links_issue_missing(actor=world.users["admin"], building=world.building1) == 0


def test_a_normal_check_in_records_who_entered_it_and_makes_no_task(world):
    checkin = worker_checkin(world)
    assert (checkin.recorded_by, checkin.source, checkin.abnormal) == (
        world.users["grid1"],
        "worker",
        False,
    )
    assert checkin.building == world.building1 and checkin.community == world.community
    assert not Task.objects.exists()


def test_a_fever_makes_one_high_priority_task_for_the_grid_worker_with_the_check_in_as_evidence(
    world,
):
    checkin = worker_checkin(world, temperature="38.2")
    task = Task.objects.get()
    assert task.owner == world.users["grid1"] and task.resident == world.zhang
    assert task.priority == TaskPriority.HIGH
    assert task.source == checkin and checkin.task == task
    assert "38.2" in task.title


@pytest.mark.parametrize(
    "fields",
    [
        {"symptoms": ["breathing"]},
        {"antigen": "positive"},
        {"temperature": "39.0", "antigen": "positive"},
    ],
)
def test_breathing_difficulty_or_a_positive_antigen_is_urgent(world, fields):
    worker_checkin(world, **fields)
    assert Task.objects.get().priority == TaskPriority.URGENT


def test_abnormal_check_ins_make_one_task_per_person_per_day(world):
    first = worker_checkin(world, temperature="38.0")
    second = worker_checkin(world, symptoms=["cough"])
    third = worker_checkin(world, temperature="36.5")
    assert Task.objects.count() == 1
    assert second.task_id == first.task_id and third.task_id is None
    checkin_record(resident=world.li, temperature="38.0", source=CheckinSource.WORKER_PAGE,
                   actor=world.users["admin"])  # fmt: skip
    assert Task.objects.count() == 2  # another person, another task


def test_an_abnormal_check_in_on_the_next_day_makes_a_new_task(world):
    first = worker_checkin(world, temperature="38.0")
    Checkin.objects.filter(pk=first.pk).update(day=first.day - dt.timedelta(days=1))
    second = worker_checkin(world, temperature="38.1")
    assert Task.objects.count() == 2 and second.task_id != first.task_id


def test_every_bad_field_is_named_and_nothing_is_written(world):
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        worker_checkin(
            world, temperature="45", symptoms=["sneezing"], antigen="maybe", whereabouts="moon"
        )
    assert set(caught.value.message_dict) == {"temperature", "symptoms", "antigen", "whereabouts"}
    assert "between 34.0 and 43.0" in caught.value.message_dict["temperature"][0]
    assert not Checkin.objects.exists() and not Task.objects.exists()


def test_a_temperature_is_required(world):
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        worker_checkin(world, temperature="")
    assert caught.value.message_dict == {"temperature": ["Enter the temperature."]}


def test_a_worker_outside_the_residents_grid_gets_404_and_writes_nothing(world):
    with pytest.raises(Http404):
        worker_checkin(world, resident=world.li)
    assert not Checkin.objects.exists()


def test_someone_who_moved_out_cannot_check_in(world):
    world.zhang.status = ResidentStatus.MOVED_OUT
    world.zhang.save(update_fields=["status"])
    with pytest.raises(ValidationError):
        worker_checkin(world)


def test_a_household_link_writes_only_for_its_own_members(world):
    link, _token = household_link_issue(actor=world.users["admin"], household=world.household1)
    with pytest.raises(ValidationError) as caught:
        checkin_record(
            resident=world.li, link=link, temperature="36.5", source=CheckinSource.HOUSEHOLD_LINK
        )
    assert "member" in caught.value.message_dict
    checkin = checkin_record(
        resident=world.zhang, link=link, temperature="36.5", source=CheckinSource.HOUSEHOLD_LINK
    )
    assert checkin.link == link and checkin.recorded_by is None
    household_link_revoke(actor=world.users["admin"], link=link)
    link.refresh_from_db()
    with pytest.raises(ValidationError):
        checkin_record(
            resident=world.zhang, link=link, temperature="36.5", source=CheckinSource.HOUSEHOLD_LINK
        )
    assert Checkin.objects.count() == 1


def test_an_antigen_photo_must_be_a_picture_of_at_most_5_mb(world, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    with pytest.raises(ValidationError) as caught:
        worker_checkin(
            world, antigen="negative", photo=SimpleUploadedFile("a.png", b"%PDF-1.4 not a picture")
        )
    assert "antigen_photo" in caught.value.message_dict
    with pytest.raises(ValidationError):
        worker_checkin(
            world,
            antigen="negative",
            photo=SimpleUploadedFile("a.png", PNG + b"\x00" * (5 * 1024 * 1024)),
        )
    checkin = worker_checkin(world, antigen="negative", photo=SimpleUploadedFile("a.png", PNG))
    assert checkin.antigen_photo.name and checkin.antigen_photo.read() == PNG
    assert str(tmp_path) in checkin.antigen_photo.path


def by_token(token, member, **fields):
    values = {"temperature": "36.5", **fields}
    return checkin_record_by_token(token=token, member_id=member.pk, **values)


def test_a_normal_check_in_by_token_is_one_insert_of_the_same_row_as_the_ordinary_path(
    world, django_assert_num_queries
):
    link, token = household_link_issue(actor=world.users["admin"], household=world.household1)
    with django_assert_num_queries(1):
        fast = by_token(token, world.zhang, symptoms=[], antigen="negative", whereabouts="away")
    ordinary = checkin_record(
        resident=world.zhang, link=link, temperature="36.5", antigen="negative",
        whereabouts="away", source=CheckinSource.HOUSEHOLD_LINK,
    )  # fmt: skip
    stamps = {"id", "created_at", "updated_at"}
    columns = [f.attname for f in Checkin._meta.concrete_fields if f.attname not in stamps]
    rows = list(Checkin.objects.order_by("pk").values_list(*columns))
    assert rows[0] == rows[1]
    saved = Checkin.objects.get(pk=fast.pk)
    assert (saved.link, saved.building, saved.community) == (link, world.building1, world.community)
    assert saved.created_at and saved.temperature == ordinary.temperature
    assert (fast.building_id, fast.community_id, fast.link_id) == (
        saved.building_id, saved.community_id, link.pk,
    )  # fmt: skip


def test_a_check_in_by_token_writes_nothing_for_a_wrong_link_member_or_field(world):
    link, token = household_link_issue(actor=world.users["admin"], household=world.household1)
    _other_link, other_token = household_link_issue(
        actor=world.users["admin"], household=world.household2
    )
    assert by_token(token, world.li) is None  # another household's member
    assert by_token(other_token, world.zhang) is None
    assert by_token("A" * 22, world.zhang) is None
    assert by_token(token, world.zhang, temperature="50") is None
    assert by_token(token, world.zhang, temperature="") is None
    assert by_token(token, world.zhang, antigen="maybe") is None
    assert by_token(token, world.zhang, symptoms=["hiccups"]) is None
    assert checkin_record_by_token(token=token, member_id=2**63, temperature="36.5") is None
    world.zhang.status = ResidentStatus.MOVED_OUT
    world.zhang.save(update_fields=["status"])
    assert by_token(token, world.zhang) is None
    world.zhang.status = ResidentStatus.AWAY
    world.zhang.save(update_fields=["status"])
    household_link_revoke(actor=world.users["admin"], link=link)
    assert by_token(token, world.zhang) is None
    assert not Checkin.objects.exists()


@pytest.mark.parametrize(
    "fields", [{"temperature": "37.3"}, {"symptoms": ["cough"]}, {"antigen": "positive"}]
)
def test_an_abnormal_reading_is_left_to_the_path_that_makes_the_task(world, fields):
    _link, token = household_link_issue(actor=world.users["admin"], household=world.household1)
    assert by_token(token, world.zhang, **fields) is None
    assert not Checkin.objects.exists() and not Task.objects.exists()
