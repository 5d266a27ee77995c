"""Care's group sessions and sign-ups become support groups among the lectures (outreach 0004),
then care drops its models (care 0005); back again when the migrations are reversed."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from frontline.outreach.models import Lecture, LectureKind, LectureRegistration, RegistrationSource

BEFORE = [("outreach", "0003_notice_attachments_door_reads_support_groups"),
          ("care", "0004_group_sessions")]  # fmt: skip


def migrate(targets):  # type: ignore[no-untyped-def]
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def latest() -> list[tuple[str, str]]:
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


@pytest.fixture
def forget_content_types():  # type: ignore[no-untyped-def]
    """This test ends by emptying the database (it commits, unlike most tests), which takes the
    content types with it: their cached ids must go too, or a later test that commits writes
    audit entries naming content types that no longer exist."""
    yield
    ContentType.objects.clear_cache()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_sessions_and_sign_ups_become_support_groups_and_come_back(world, forget_content_types):
    old = migrate(BEFORE)
    GroupSession = old.get_model("care", "GroupSession")
    SessionSignup = old.get_model("care", "SessionSignup")
    created = timezone.now() - dt.timedelta(days=3)
    starts = timezone.now() + dt.timedelta(days=1)
    counsellor, admin = world.users["counsellor"], world.users["admin"]
    session = GroupSession.objects.create(
        community_id=world.community.pk, title="居家焦虑小组", description="每周一次",
        counsellor_id=counsellor.pk, starts_at=starts, minutes=90, capacity=8,
        joining="腾讯会议 123 456 789", created_by_id=admin.pk,
    )  # fmt: skip
    GroupSession.objects.create(
        community_id=world.other_community.pk, title="睡眠小组", starts_at=starts, minutes=60,
        capacity=20, joining="活动室",
    )  # fmt: skip
    GroupSession.objects.filter(pk=session.pk).update(created_at=created)
    SessionSignup.objects.create(session=session, resident_id=world.zhang.pk, source="portal")
    SessionSignup.objects.create(session=session, resident_id=world.li.pk, source="worker")
    SessionSignup.objects.filter(resident_id=world.zhang.pk).update(created_at=created)

    migrate(latest())

    groups = {lecture.topic: lecture for lecture in Lecture.objects.all()}
    assert set(groups) == {"居家焦虑小组", "睡眠小组"}
    moved = groups["居家焦虑小组"]
    assert (moved.kind, moved.community_id, moved.host_id, moved.created_by_id) == (
        LectureKind.SUPPORT_GROUP, world.community.pk, counsellor.pk, admin.pk,
    )  # fmt: skip
    assert (moved.description, moved.starts_at, moved.minutes, moved.capacity, moved.joining) == (
        "每周一次", starts, 90, 8, "腾讯会议 123 456 789",
    )  # fmt: skip
    assert (moved.created_at, moved.speaker, moved.reminded_at) == (created, "", None)
    assert groups["睡眠小组"].community_id == world.other_community.pk
    assert groups["睡眠小组"].host_id is None
    registrations = {r.resident_id: r for r in LectureRegistration.objects.filter(lecture=moved)}
    assert registrations[world.zhang.pk].source == RegistrationSource.PORTAL
    assert registrations[world.zhang.pk].created_at == created
    assert registrations[world.li.pk].source == RegistrationSource.WORKER
    assert registrations[world.li.pk].attended is None
    assert "care_groupsession" not in connection.introspection.table_names()

    back = migrate(BEFORE)
    sessions = back.get_model("care", "GroupSession").objects.order_by("title")
    assert [(s.title, s.counsellor_id, s.created_at == created) for s in sessions] == [
        ("居家焦虑小组", counsellor.pk, True), ("睡眠小组", None, False),
    ]  # fmt: skip
    signups = back.get_model("care", "SessionSignup").objects.order_by("resident_id")
    assert [(s.resident_id, s.source) for s in signups] == sorted(
        [(world.zhang.pk, "portal"), (world.li.pk, "worker")]
    )
    assert not Lecture.objects.exists()
    migrate(latest())
