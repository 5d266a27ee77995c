"""Recording screenings: scope, validation, and the follow-up (crisis tasks, re-screen reminders,
escalation once past the community's deadline)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.http import Http404
from django.utils import timezone, translation

from frontline.accounts.models import Role, RoleAssignment
from frontline.care.models import CareSettings, Screening, ScreeningSource
from frontline.care.services import (
    care_settings_update,
    escalate_overdue_crises,
    on_duty_counsellor,
    screening_record,
)
from frontline.care.tests.conftest import CRISIS_PHQ9
from frontline.conftest import make_user
from frontline.core.models import AuditEntry
from frontline.health.services import household_link_issue
from frontline.residents.models import ResidentStatus
from frontline.tasks.models import Task, TaskPriority, TaskStatus
from frontline.tasks.services import task_finish


def test_a_worker_records_a_phq9_with_its_total_and_band(world, record):
    screening = record("phq9", [2, 2, 2, 2, 1, 1, 1, 0, 0], by="grid1")
    assert (screening.total, screening.band, screening.urgent) == (11, "moderate", False)
    assert screening.community_id == world.community.pk
    assert screening.building_id == world.building1.pk
    assert screening.recorded_by == world.users["grid1"]
    assert screening.source == ScreeningSource.WORKER
    assert AuditEntry.objects.filter(action="create", target_id=str(screening.pk)).exists()


def test_minimal_results_make_no_task(world, record):
    record("gad7", [0, 1, 0, 1, 0, 1, 0])
    record("phq2", [1, 1])
    assert Task.objects.count() == 0


def test_a_mild_result_makes_a_re_screen_reminder_in_14_days(world, record):
    before = timezone.now()
    screening = record("gad7", [1, 1, 1, 1, 1, 1, 0])
    task = Task.objects.get()
    assert screening.band == "mild" and screening.task == task
    assert task.resident == world.zhang and task.priority == TaskPriority.NORMAL
    assert task.due_at is not None
    assert dt.timedelta(days=14) <= task.due_at - before < dt.timedelta(days=14, minutes=1)
    assert task.owner == world.users["grid1"]  # the responsible grid worker


def test_an_item_9_answer_makes_one_urgent_task_for_the_counsellor_and_one_for_the_grid_worker(
    world, record
):
    before = timezone.now()
    screening = record("phq9", CRISIS_PHQ9, by="grid1")
    assert screening.urgent and screening.band == "mild"
    tasks = Task.objects.filter(resident=world.zhang)
    assert tasks.count() == 2
    assert all(t.priority == TaskPriority.URGENT for t in tasks)
    counsellor_task = tasks.get(owner=world.users["counsellor"])
    grid_task = tasks.get(owner=world.users["grid1"])
    assert screening.task == counsellor_task  # not a re-screen reminder, though the band is mild
    for task in (counsellor_task, grid_task):
        assert task.due_at is not None
        assert dt.timedelta(minutes=59) < task.due_at - before <= dt.timedelta(minutes=61)
        assert task.source_id == str(screening.pk)
    # the grid worker's task says nothing of the answer
    with translation.override("en"):
        assert "self-harm" not in grid_task.title + grid_task.description
        label = grid_task.source_label.split("(")[0].replace(str(screening.pk), "")
        assert str(screening.total) not in label  # the id may share digits with the score


def test_the_crisis_deadline_follows_the_communitys_settings(world, record):
    care_settings_update(
        actor=world.users["admin"], community=world.community, hotlines="心理援助热线：12356",
        crisis_sla_minutes="30",
    )  # fmt: skip
    before = timezone.now()
    record("phq9", CRISIS_PHQ9)
    for task in Task.objects.all():
        assert task.due_at is not None
        assert dt.timedelta(minutes=29) < task.due_at - before <= dt.timedelta(minutes=31)


def test_without_a_counsellor_the_crisis_goes_to_the_community_admin(world, record):
    RoleAssignment.objects.filter(role__in=[Role.COUNSELLOR, Role.CARE_SUPERVISOR]).delete()
    record("phq9", CRISIS_PHQ9, by="grid1")
    owners = set(Task.objects.values_list("owner__username", flat=True))
    assert owners == {"admin", "grid1"}


def test_the_counsellor_on_duty_is_the_first_holding_counsel_over_the_community(world):
    assert (
        on_duty_counsellor(community_id=world.community.pk, building=world.building1)
        == (world.users["counsellor"])
    )
    assert on_duty_counsellor(community_id=world.other_community.pk, building=None) is None
    there = make_user("counsellor2", Role.COUNSELLOR, community=world.other_community)
    assert on_duty_counsellor(community_id=world.other_community.pk, building=None) == there


def test_a_crisis_where_the_grid_worker_is_the_admin_makes_one_task(world, record):
    RoleAssignment.objects.filter(role__in=[Role.COUNSELLOR, Role.CARE_SUPERVISOR]).delete()
    record("phq9", CRISIS_PHQ9, resident=world.li, by="admin")  # building 2 has no grid worker
    assert list(Task.objects.values_list("owner__username", flat=True)) == ["admin"]


def test_a_positive_pre_screen_is_not_a_result(world, record):
    with translation.override("en"), pytest.raises(ValidationError) as raised:
        record("phq2", [2, 1])
    assert raised.value.message_dict == {
        "answers": ["A pre-screen total of 3 or more continues with the full PHQ-9."]
    }
    assert Screening.objects.count() == 0


def test_bad_answers_write_nothing(world, record):
    with pytest.raises(ValidationError):
        record("phq9", [0, 1, 2, 3, 4, 0, 0, 0, 1])
    assert Screening.objects.count() == 0 and Task.objects.count() == 0


@pytest.mark.parametrize("who", ["volunteer", "sampler", "officer", "lab", "other_admin"])
def test_users_who_may_not_screen_this_resident_are_refused(world, record, who):
    with pytest.raises((Http404, PermissionDenied)):
        record("gad7", [0] * 7, by=who)
    assert Screening.objects.count() == 0


def test_a_grid_worker_cannot_screen_someone_of_another_grid(world, record):
    with pytest.raises(Http404):
        record("gad7", [0] * 7, resident=world.li, by="grid1")


def test_through_a_household_link_only_its_own_members_are_screened(world):
    link, _token = household_link_issue(actor=world.users["admin"], household=world.household1)
    screening = screening_record(
        actor=None, resident=world.zhang, instrument="gad2", answers=[1, 0],
        source=ScreeningSource.PORTAL, link=link,
    )  # fmt: skip
    assert screening.recorded_by is None and screening.source == ScreeningSource.PORTAL
    with pytest.raises(ValidationError):
        screening_record(
            actor=None, resident=world.li, instrument="gad2", answers=[1, 0],
            source=ScreeningSource.PORTAL, link=link,
        )  # fmt: skip
    with pytest.raises(ValidationError):
        screening_record(
            actor=None, resident=world.li, instrument="gad2", answers=[1, 0],
            source=ScreeningSource.PORTAL,
        )  # fmt: skip


def test_someone_who_moved_out_is_not_screened(world, record):
    world.zhang.status = ResidentStatus.MOVED_OUT
    world.zhang.save(update_fields=["status"])
    with pytest.raises(ValidationError):
        record("gad7", [0] * 7)


# -- escalation ---------------------------------------------------------------------------------


def test_an_open_crisis_past_its_deadline_is_escalated_to_the_admin_once(world, record):
    screening = record("phq9", CRISIS_PHQ9)
    crisis = screening.task
    assert crisis is not None and crisis.due_at is not None
    assert escalate_overdue_crises(now=crisis.due_at - dt.timedelta(minutes=1)) == []
    escalated = escalate_overdue_crises(now=crisis.due_at + dt.timedelta(minutes=1))
    assert len(escalated) == 1
    task = escalated[0]
    assert task.owner == world.users["admin"] and task.priority == TaskPriority.URGENT
    assert task.resident == world.zhang and task.source_id == str(screening.pk)
    screening.refresh_from_db()
    assert screening.escalation_task == task
    # never twice, however often it runs
    assert escalate_overdue_crises(now=crisis.due_at + dt.timedelta(hours=5)) == []
    assert Task.objects.filter(owner=world.users["admin"]).count() == 1


def test_a_crisis_taken_care_of_in_time_is_not_escalated(world, record):
    screening = record("phq9", CRISIS_PHQ9)
    assert screening.task is not None
    task_finish(actor=world.users["counsellor"], task=screening.task, note="已电话联系，安全")
    assert screening.task.due_at is not None
    assert escalate_overdue_crises(now=screening.task.due_at + dt.timedelta(hours=1)) == []


def test_the_escalation_command_escalates_once(world, record, capsys):
    screening = record("phq9", CRISIS_PHQ9)
    assert screening.task is not None and screening.task.due_at is not None
    later = (screening.task.due_at + dt.timedelta(minutes=5)).isoformat()
    with translation.override("en"):
        call_command("escalate_crises", "--now", later)
        call_command("escalate_crises", "--now", later)
    output = capsys.readouterr().out
    assert "1 crises escalated." in output and "0 crises escalated." in output
    assert Task.objects.filter(owner=world.users["admin"], status=TaskStatus.OPEN).count() == 1


# -- settings -----------------------------------------------------------------------------------


def test_only_a_community_admin_sets_the_hotlines(world):
    row = care_settings_update(
        actor=world.users["admin"], community=world.community,
        hotlines=" 心理援助热线：12356 \n\n 社区值班电话：010-12345678", crisis_sla_minutes=45,
    )  # fmt: skip
    assert row.hotline_lines == ["心理援助热线：12356", "社区值班电话：010-12345678"]
    assert CareSettings.objects.get().crisis_sla_minutes == 45
    with pytest.raises(PermissionDenied):
        care_settings_update(
            actor=world.users["counsellor"], community=world.community, hotlines="x",
            crisis_sla_minutes=60,
        )  # fmt: skip
    with pytest.raises(Http404):
        care_settings_update(
            actor=world.users["admin"], community=world.other_community, hotlines="x",
            crisis_sla_minutes=60,
        )  # fmt: skip
    with pytest.raises(ValidationError) as raised:
        care_settings_update(
            actor=world.users["admin"], community=world.community, hotlines="x",
            crisis_sla_minutes="soon",
        )  # fmt: skip
    assert list(raised.value.message_dict) == ["crisis_sla_minutes"]
