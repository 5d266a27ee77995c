"""Receiving, triage from the community's data, paging, the steps, escalation and breaches."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.http import Http404
from django.utils import timezone, translation

from frontline.conftest import make_household, make_resident
from frontline.core.models import AuditEntry
from frontline.health.services import household_link_issue
from frontline.helpdesk import services
from frontline.helpdesk.models import (
    Breach,
    Channel,
    EventKind,
    HelpRequest,
    RequestEvent,
    RequestStatus,
    Urgency,
)  # fmt: skip
from frontline.helpdesk.selectors import breaches_on
from frontline.tasks.models import Task, TaskPriority, TaskStatus


def kinds(request: HelpRequest) -> list[str]:
    return list(request.events.order_by("created_at", "id").values_list("kind", flat=True))


def test_an_ordinary_request_goes_to_the_grid_worker_with_a_normal_task(world, submit):
    request = submit("complaint", "楼道太吵")
    assert (request.urgency, request.urgent_reasons, request.status) == ("normal", [], "assigned")
    assert request.owner == world.users["grid1"]
    assert request.resolve_due_at - request.take_due_at == dt.timedelta(hours=68)  # 4 h, 72 h
    task = Task.objects.get(pk=request.task_id)
    assert (task.owner, task.priority, task.resident) == (
        world.users["grid1"], TaskPriority.NORMAL, world.zhang,
    )  # fmt: skip
    assert kinds(request) == ["received", "assigned"]
    assert AuditEntry.objects.filter(target_id=str(request.pk), action="create").count() == 1


def test_an_urgent_word_pages_the_owner_at_once_with_the_urgent_clocks(world, submit):
    before = timezone.now()
    request = submit("medicine", "父亲断药两天了")
    assert request.urgency == Urgency.URGENT
    assert request.urgent_reasons == ["keyword:断药", "tag:living_alone+senior"]
    assert before + dt.timedelta(minutes=15) <= request.take_due_at
    assert request.take_due_at <= timezone.now() + dt.timedelta(minutes=15)
    assert request.resolve_due_at - request.take_due_at == dt.timedelta(minutes=105)
    task = Task.objects.get(pk=request.task_id)
    assert (task.owner, task.priority, task.due_at) == (
        world.users["grid1"], TaskPriority.URGENT, request.take_due_at,
    )  # fmt: skip
    assert "断药" not in task.title  # the title names the person and category only


def test_a_vulnerability_tag_makes_a_need_urgent(world, submit):
    pregnant = make_resident(world.household1, ("pregnant",), name="张小红")
    assert submit("food", "需要送菜", resident=pregnant).urgent_reasons == ["tag:pregnant"]
    assert submit("food", "需要送菜", resident=world.li).urgency == Urgency.NORMAL  # no tag


def test_living_alone_at_65_or_over_is_urgent(world, submit):
    # Zhang (born 1949) lives alone
    assert submit("utilities", "停电了").urgent_reasons == ["tag:living_alone+senior"]
    young = make_resident(
        world.household1, ("living_alone",), name="张小弟", birth_date=dt.date(2000, 1, 1)
    )
    assert submit("utilities", "停电了", resident=young).urgency == Urgency.NORMAL


def test_the_communitys_own_keywords_replace_the_defaults(world, submit):
    services.triage_rules_update(
        actor=world.users["admin"], community=world.community, keywords=["高烧", " 高烧 ", ""],
        tag_rules=["dialysis"],
    )  # fmt: skip
    assert submit("medicine", "孩子高烧不退").urgent_reasons == ["keyword:高烧"]
    assert submit("medicine", "老人断药").urgency == Urgency.NORMAL


def test_only_the_community_admin_edits_triage_and_service_levels(world):
    with pytest.raises(Http404):
        services.triage_rules_update(
            actor=world.users["other_admin"], community=world.community, keywords=[], tag_rules=[]
        )
    with pytest.raises(Exception) as denied:
        services.service_level_update(
            actor=world.users["fulltime"], community=world.community, category="food",
            urgency="normal", take_minutes=10, resolve_minutes=20,
        )  # fmt: skip
    assert denied.type.__name__ == "PermissionDenied"


def test_bad_settings_are_named_field_by_field(world):
    with translation.override("en"), pytest.raises(ValidationError) as error:
        services.service_level_update(
            actor=world.users["admin"], community=world.community, category="x", urgency="y",
            take_minutes="soon", resolve_minutes=0,
        )  # fmt: skip
    assert error.value.message_dict == {
        "category": ["Choose a category."], "urgency": ["Choose an urgency."],
        "take_minutes": ["Enter a number of minutes from 1 to 10080."],
        "resolve_minutes": ["Enter a number of minutes from 1 to 43200."],
    }  # fmt: skip
    with translation.override("en"), pytest.raises(ValidationError) as tags:
        services.triage_rules_update(
            actor=world.users["admin"], community=world.community, keywords=[],
            tag_rules=["dialysis+astronaut"],
        )  # fmt: skip
    assert list(tags.value.message_dict) == ["tag_rules"]


def test_a_saved_service_level_sets_the_clocks(world, submit):
    services.service_level_update(
        actor=world.users["admin"], community=world.community, category="food", urgency="normal",
        take_minutes="30", resolve_minutes=90,
    )  # fmt: skip
    request = submit("food", "没米了", resident=world.li)
    assert request.resolve_due_at - request.take_due_at == dt.timedelta(minutes=60)


def test_a_bad_request_names_every_field_and_writes_nothing(world):
    with translation.override("en"), pytest.raises(ValidationError) as error:
        services.request_submit(
            actor=world.users["fulltime"], resident=world.zhang, category="weather", text="  ",
            channel=Channel.PHONE,
        )  # fmt: skip
    assert error.value.message_dict == {
        "category": ["Choose what the request is about."], "text": ["Say what is needed."],
    }  # fmt: skip
    assert HelpRequest.objects.count() == 0 and Task.objects.count() == 0


def test_a_grid_worker_cannot_receive_a_request_for_another_grid(world):
    with pytest.raises(Http404):
        services.request_submit(
            actor=world.users["grid1"], resident=world.li, category="food", text="送菜",
            channel=Channel.VISIT,
        )  # fmt: skip


def test_a_household_link_only_files_for_its_own_members(world):
    link, _token = household_link_issue(actor=world.users["admin"], household=world.household2)
    with pytest.raises(ValidationError):
        services.request_submit(
            link=link, resident=world.zhang, category="food", text="送菜", channel=Channel.PORTAL
        )
    request = services.request_submit(
        link=link, resident=world.li, category="food", text="送菜", channel=Channel.API
    )
    assert request.channel == Channel.PORTAL and request.recorded_by is None
    assert request.events.get(kind="received").by_resident


def test_taking_stops_the_take_clock_and_moves_the_task(world, submit):
    request = submit("medicine", "胸痛")
    taken = services.request_take(actor=world.users["grid1"], request=request)
    assert (taken.status, taken.owner, taken.taken_at is not None) == (
        "taken", world.users["grid1"], True,
    )  # fmt: skip
    assert Task.objects.get(pk=request.task_id).status == TaskStatus.IN_PROGRESS
    services.request_take(actor=world.users["grid1"], request=request)  # a double click
    assert kinds(request) == ["received", "assigned", "taken"]


def test_the_whole_path_appends_one_event_per_step(world, submit):
    request = submit("utilities", "水管爆了")
    admin = world.users["admin"]
    services.request_take(actor=admin, request=request)
    services.request_note(actor=admin, request=request, note="已联系物业")
    services.request_assign(actor=admin, request=request, to=world.users["fulltime"])
    services.request_transfer(actor=world.users["fulltime"], request=request, partner="幸福物业")
    resolved = services.request_resolve(
        actor=world.users["fulltime"], request=request, resolution="已修好"
    )
    assert (resolved.status, resolved.partner, resolved.resolution) == (
        "resolved",
        "幸福物业",
        "已修好",
    )
    assert kinds(request) == [
        "received", "assigned", "taken", "note", "assigned", "transferred", "resolved"
    ]  # fmt: skip
    with translation.override("en"), pytest.raises(ValidationError) as error:
        services.request_note(actor=admin, request=request, note="  ")
    assert error.value.messages == ["Write the note."]
    with pytest.raises(ValidationError):
        services.request_resolve(actor=admin, request=request, resolution="again")


def test_timeline_events_cannot_be_changed_or_deleted(world, submit):
    request = submit()
    event = request.events.first()
    with pytest.raises(TypeError):
        RequestEvent.objects.filter(request=request).update(note="x")
    with pytest.raises(TypeError):
        RequestEvent.objects.filter(request=request).delete()
    with pytest.raises(TypeError):
        event.save()


def test_a_resolved_request_reopened_by_the_resident_returns_to_its_owner(world, submit):
    link, _token = household_link_issue(actor=world.users["admin"], household=world.household1)
    request = submit("medicine", "缺降压药")
    services.request_take(actor=world.users["parttime"], request=request)
    services.request_resolve(actor=world.users["parttime"], request=request, resolution="已送药")
    reopened = services.request_reopen(link=link, request=request, reason="送错药了")
    assert (reopened.status, reopened.owner, reopened.resolved_at) == (
        RequestStatus.TAKEN, world.users["parttime"], None,
    )  # fmt: skip
    event = reopened.events.get(kind=EventKind.REOPENED)
    assert (event.by_resident, event.to_owner, event.note) == (
        True,
        world.users["parttime"],
        "送错药了",
    )
    task = Task.objects.get(pk=reopened.task_id or 0)
    assert (task.owner, task.status, task.due_at) == (
        world.users["parttime"], TaskStatus.OPEN, reopened.resolve_due_at,
    )  # fmt: skip


def test_a_request_resolved_more_than_7_days_ago_cannot_be_reopened(world, submit):
    link, _token = household_link_issue(actor=world.users["admin"], household=world.household1)
    request = submit()
    services.request_resolve(actor=world.users["admin"], request=request, resolution="已送")
    HelpRequest.objects.filter(pk=request.pk).update(
        resolved_at=timezone.now() - dt.timedelta(days=7, minutes=1)
    )
    with translation.override("en"), pytest.raises(ValidationError) as error:
        services.request_reopen(link=link, request=request, reason="还是没有")
    assert error.value.messages == ["Only a request resolved in the last 7 days can be reopened."]


def test_another_households_link_can_neither_reopen_nor_rate(world, submit):
    other, _token = household_link_issue(actor=world.users["admin"], household=world.household2)
    request = submit()
    services.request_resolve(actor=world.users["admin"], request=request, resolution="已送")
    with pytest.raises(ValidationError):
        services.request_reopen(link=other, request=request, reason="x")
    with pytest.raises(ValidationError):
        services.request_rate(link=other, request=request, rating=5)


def test_the_resident_rates_a_resolved_request_from_1_to_5(world, submit):
    link, _token = household_link_issue(actor=world.users["admin"], household=world.household1)
    request = submit()
    with translation.override("en"), pytest.raises(ValidationError) as early:
        services.request_rate(link=link, request=request, rating=5)
    assert early.value.message_dict == {"rating": ["A request is rated once it is resolved."]}
    services.request_resolve(actor=world.users["admin"], request=request, resolution="已送")
    with pytest.raises(ValidationError):
        services.request_rate(link=link, request=request, rating=6)
    rated = services.request_rate(link=link, request=request, rating="4", comment="很及时")
    assert (rated.rating, rated.rating_comment) == (4, "很及时")
    assert kinds(request)[-1] == "rated"


# -- escalation ---------------------------------------------------------------------------------


def test_a_missed_take_clock_escalates_once_to_the_community_admin(world, submit):
    request = submit("medicine", "透析车没来")  # urgent: take within 15 min
    later = request.take_due_at + dt.timedelta(minutes=1)
    first = services.escalate_overdue_requests(now=later)
    assert [(b.request_id, b.kind) for b in first] == [(request.pk, "take")]
    task = first[0].escalation_task
    assert task is not None
    assert (task.owner, task.priority) == (world.users["admin"], TaskPriority.URGENT)
    assert services.escalate_overdue_requests(now=later + dt.timedelta(minutes=5)) == []
    call_command("escalate_requests", now=(later + dt.timedelta(minutes=9)).isoformat())
    assert Breach.objects.count() == 1
    assert kinds(request).count("escalated") == 1


def test_the_resolve_clock_escalates_separately_and_a_resolved_request_never(world, submit):
    late = submit("food", "没菜")
    done = submit("food", "没米")
    services.request_take(actor=world.users["grid1"], request=late)
    services.request_resolve(actor=world.users["grid1"], request=done, resolution="已送")
    after = late.resolve_due_at + dt.timedelta(minutes=1)
    escalated = services.escalate_overdue_requests(now=after)
    assert sorted((b.request_id, b.kind) for b in escalated) == [(late.pk, "resolve")]
    assert services.escalate_overdue_requests(now=after + dt.timedelta(hours=1)) == []


def test_breaches_are_counted_per_community_on_the_day_the_deadline_passed(world, submit):
    outside = services.request_submit(
        actor=world.users["other_admin"], resident=world.outsider, category="other",
        text="咨询", channel=Channel.PHONE,
    )  # fmt: skip
    first, second = submit("food", "没菜"), submit("medicine", "没药")
    now = max(r.resolve_due_at for r in (first, second, outside)) + dt.timedelta(minutes=1)
    services.escalate_overdue_requests(now=now)
    assert Breach.objects.count() == 6  # each request missed both clocks, once each
    ids = [world.community.pk, world.other_community.pk]
    days = {timezone.localdate(due) for r in (first, second, outside)
            for due in (r.take_due_at, r.resolve_due_at)}  # fmt: skip
    for day in days:
        expected = {
            community: sum(
                timezone.localdate(due) == day
                for r in (first, second, outside) if r.community_id == community
                for due in (r.take_due_at, r.resolve_due_at)
            )
            for community in ids
        }  # fmt: skip
        assert breaches_on(ids, day) == expected
    assert sum(sum(breaches_on(ids, day).values()) for day in days) == 6
    earlier = min(days) - dt.timedelta(days=1)
    assert breaches_on([world.community.pk], earlier) == {world.community.pk: 0}


def test_a_breach_day_is_the_local_day_of_the_deadline(world, submit):
    request = submit("food", "没菜")
    due = dt.datetime(2026, 3, 1, 23, 50, tzinfo=dt.timezone(dt.timedelta(hours=8)))  # Shanghai
    HelpRequest.objects.filter(pk=request.pk).update(
        take_due_at=due, resolve_due_at=due + dt.timedelta(days=1)
    )
    services.escalate_overdue_requests(now=due + dt.timedelta(minutes=20))
    assert breaches_on([world.community.pk], dt.date(2026, 3, 1)) == {world.community.pk: 1}
    assert breaches_on([world.community.pk], dt.date(2026, 3, 2)) == {world.community.pk: 0}


def test_a_new_household_member_in_another_grid_goes_to_the_community_admin(world, submit):
    from frontline.places.models import Building

    building = Building.objects.create(community=world.community, grid=world.grid2, number="9")
    resident = make_resident(make_household(building, "1", "101"), name="赵六")
    request = submit("other", "咨询", resident=resident)
    assert request.owner == world.users["admin"]  # no grid worker in grid 2


def test_whoever_takes_a_request_takes_its_task_even_without_the_right_to_assign(world, submit):
    request = submit("food", "没菜了")  # the grid worker's request and task
    task = Task.objects.get(pk=request.task_id)
    assert task.owner == world.users["grid1"]
    services.request_take(actor=world.users["parttime"], request=request)  # may not assign tasks
    task.refresh_from_db()
    assert (task.owner, task.status) == (world.users["parttime"], TaskStatus.IN_PROGRESS)
    services.request_resolve(actor=world.users["parttime"], request=request, resolution="已送达")
    task.refresh_from_db()
    assert task.status == TaskStatus.DONE


def test_a_psychological_request_opens_a_care_case_for_the_counsellor(world, submit):
    from frontline.care.models import CareCase, CaseReason, RiskLevel
    from frontline.tasks.models import Task, TaskPriority

    request = submit("psychological", "封控太久了，睡不着，心里很慌", resident=world.li)
    case = CareCase.objects.get(resident=world.li)
    assert (case.reason, case.risk, case.counsellor) == (
        CaseReason.HELPDESK, RiskLevel.MEDIUM, world.users["counsellor"],
    )  # fmt: skip
    request.refresh_from_db()
    assert request.care_case == case and request.owner != world.users["counsellor"]
    assert [e.kind for e in request.events.all()] == ["received", "assigned", "care"]
    task = Task.objects.get(owner=world.users["counsellor"])
    assert (task.priority, task.description) == (TaskPriority.HIGH, "封控太久了，睡不着，心里很慌")


def test_an_urgent_psychological_request_raises_the_open_case_to_crisis(world, submit):
    from frontline.care.models import CareCase, RiskLevel
    from frontline.tasks.models import Task, TaskPriority

    submit("psychological", "最近心情不好", resident=world.li)
    assert CareCase.objects.get(resident=world.li).risk == RiskLevel.MEDIUM
    submit("psychological", "不想活了，想轻生", resident=world.li)
    assert CareCase.objects.get(resident=world.li).risk == RiskLevel.CRISIS
    submit("psychological", "还是睡不着", resident=world.li)
    assert CareCase.objects.get(resident=world.li).risk == RiskLevel.CRISIS  # never lowered
    priorities = sorted(
        Task.objects.filter(owner=world.users["counsellor"]).values_list("priority", flat=True)
    )
    assert priorities == [TaskPriority.HIGH, TaskPriority.HIGH, TaskPriority.URGENT]


def test_a_vulnerable_persons_psychological_request_is_high_risk_not_crisis(world, submit):
    from frontline.care.models import CareCase, RiskLevel

    request = submit("psychological", "最近心情不好")  # Zhang: 65 or over and living alone
    assert request.urgent_reasons == ["tag:living_alone+senior"]
    assert CareCase.objects.get(resident=world.zhang).risk == RiskLevel.HIGH


def test_other_categories_do_not_reach_psychological_support(world, submit):
    from frontline.care.models import CareCase

    submit("food", "家里没菜了，心里很慌")
    assert not CareCase.objects.exists()
