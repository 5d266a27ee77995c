"""Orders through the services: evidence in, dates, tests and tasks out; every change logged."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import translation

from frontline.control.models import ControlOrder, EventKind, OrderEvent, OrderStatus, SampleResult
from frontline.control.selectors import progress
from frontline.control.services import (
    order_create,
    order_extend,
    order_record_test,
    order_release,
    order_transfer,
)
from frontline.control.tests.factories import (
    NINTH,
    close_contact_link,
    close_contact_order,
    document,
    positive_checkin,
    second_degree_link,
    trip_match,
)
from frontline.core.models import AuditEntry
from frontline.policy.models import Category, Phase, RuleSet
from frontline.tasks.models import Task, TaskPriority, TaskStatus

D = dt.date


def record_all(order: ControlOrder, world, result: str = SampleResult.NEGATIVE) -> None:  # type: ignore[no-untyped-def]
    for test in order.tests.all():
        order_record_test(actor=world.users["sampler"], test=test, result=result)


def test_a_close_contact_under_the_9th_edition_gets_7_plus_3_days_and_six_tests(world):
    order = close_contact_order(world)
    assert order.rule_set.preset == "ninth-edition"
    assert (order.start_on, order.release_on, order.total_days) == (NINTH, D(2022, 7, 11), 10)
    assert [(p["measure"], p["days"], p["start"], p["end"]) for p in order.phases] == [
        ("centralised_isolation", 7, "2022-07-01", "2022-07-07"),
        ("home_health_monitoring", 3, "2022-07-08", "2022-07-10"),
    ]
    assert order.phases[1]["test_dates"] == ["2022-07-10"]
    days = [test.day for test in order.tests.all()]
    assert days == [D(2022, 7, d) for d in (1, 2, 3, 5, 7, 10)]
    tasks = Task.objects.filter(
        resident=world.zhang, source_id__in=[str(t.pk) for t in order.tests.all()]
    )
    assert tasks.count() == 6
    assert sorted(t.due_at.date() for t in tasks if t.due_at) == days
    assert all(t.priority == TaskPriority.HIGH for t in tasks)
    assert all(test.task_id for test in order.tests.all())


def test_the_order_counts_day_n_of_m_and_shows_the_phase_and_next_test(world):
    order = close_contact_order(world)
    first = progress(order, D(2022, 7, 1))
    assert (first.day.number, first.day.total, first.phase_number) == (1, 10, 1)
    assert first.next_test == D(2022, 7, 1)
    order_record_test(actor=world.users["sampler"], test=order.tests.all()[0], result="negative")
    order.refresh_from_db()
    fourth = progress(ControlOrder.objects.get(pk=order.pk), D(2022, 7, 4))
    assert (fourth.day.number, getattr(fourth.phase, "measure", None)) == (
        4,
        "centralised_isolation",
    )
    assert fourth.next_test == D(2022, 7, 2)  # overdue: day 2 has no result yet
    ninth = progress(order, D(2022, 7, 9))
    assert (ninth.day.number, ninth.phase_number, getattr(ninth.phase, "measure", None)) == (
        9,
        2,
        "home_health_monitoring",
    )


def test_a_rule_change_mid_order_keeps_the_orders_snapshot(world, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    order = close_contact_order(world, start=D(2022, 11, 8))  # the 20 measures start on 11-11
    ninth = RuleSet.objects.get(preset="ninth-edition")
    Phase.objects.filter(category_rule__rule_set=ninth).update(days=1)  # even the old rule changes
    order.refresh_from_db()
    assert order.rule_set == ninth
    assert (order.total_days, order.release_on) == (10, D(2022, 11, 18))
    assert progress(order, D(2022, 11, 12)).day.number == 5
    later = order_create(
        actor=world.users["admin"], evidence=document(world, resident=world.li),
        category=Category.CLOSE_CONTACT, start=D(2022, 11, 12),
    )  # fmt: skip
    assert later.rule_set.preset == "twenty-measures"
    assert (later.total_days, [t.day.day for t in later.tests.all()]) == (
        8,
        [12, 13, 14, 16, 17, 19],
    )


def test_it_refuses_evidence_that_does_not_match_the_category(world):
    link = close_contact_link(world)
    with pytest.raises(ValidationError) as error:
        order_create(
            actor=world.users["admin"],
            evidence=link,
            category=Category.CONTACT_OF_CONTACT,
            start=NINTH,
        )
    assert "category" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        order_create(actor=world.users["admin"], evidence=positive_checkin(world, "negative"),
                     category=Category.CONFIRMED_CASE, start=NINTH)  # fmt: skip
    assert "evidence" in error.value.message_dict
    assert (
        ControlOrder.objects.count() == 0
        and Task.objects.filter(title__contains="day").count() == 0
    )


def test_a_contact_of_a_contact_gets_7_days_home_isolation(world):
    first = close_contact_link(world)
    second = second_degree_link(world, first)
    order = order_create(actor=world.users["admin"], evidence=second,
                         category=Category.CONTACT_OF_CONTACT, start=NINTH)  # fmt: skip
    assert order.resident.name == "赵六"
    assert [t.day.day for t in order.tests.all()] == [1, 4, 7]
    assert order.phases[0]["measure"] == "home_isolation"


def test_a_trip_to_a_high_risk_area_gives_centralised_isolation(world):
    order = order_create(actor=world.users["fulltime"], evidence=trip_match(world),
                         category=Category.ARRIVAL_HIGH_RISK, start=NINTH)  # fmt: skip
    assert order.trip_match_id and order.total_days == 7 and order.tests.count() == 0


def test_it_refuses_a_category_the_rule_set_does_not_manage(world):
    with translation.override("en"), pytest.raises(ValidationError) as error:
        order_create(actor=world.users["admin"], evidence=close_contact_link(world, day=D(2023, 2, 1)),
                     category=Category.CLOSE_CONTACT, start=D(2023, 2, 1))  # fmt: skip
    assert "does not identify" in error.value.message_dict["category"][0]


def test_it_refuses_a_second_active_order_of_the_same_category(world):
    order = close_contact_order(world)
    with translation.override("en"), pytest.raises(ValidationError) as error:
        order_create(
            actor=world.users["admin"], evidence=document(world), category=Category.CLOSE_CONTACT,
            start=NINTH,
        )  # fmt: skip
    assert "already has an active order" in error.value.message_dict["category"][0]
    assert ControlOrder.objects.filter(resident=order.resident).count() == 1


def test_a_documented_order_needs_a_pdf_or_picture_and_a_reference(world, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    with pytest.raises(ValidationError) as error:
        order_create(actor=world.users["admin"], evidence=document(world, content=b"MZ\x90", reference=" "),
                     category=Category.CLOSE_CONTACT, start=NINTH)  # fmt: skip
    assert set(error.value.message_dict) == {"document", "reference"}
    order = order_create(actor=world.users["admin"], evidence=document(world),
                         category=Category.CLOSE_CONTACT, start=NINTH)  # fmt: skip
    assert order.document.name and str(tmp_path) in order.document.path
    assert order.document_reference == "街道管控〔2022〕7号"


def test_the_evidence_must_belong_to_the_resident(world):
    with pytest.raises(ValidationError) as error:
        order_create(actor=world.users["admin"], evidence=close_contact_link(world),
                     category=Category.CLOSE_CONTACT, start=NINTH, resident=world.li)  # fmt: skip
    assert "evidence" in error.value.message_dict


def test_a_worker_outside_the_scope_gets_404_and_a_sampler_403(world):
    link = close_contact_link(world)
    with pytest.raises(Http404):
        order_create(
            actor=world.users["other_admin"],
            evidence=link,
            category=Category.CLOSE_CONTACT,
            start=NINTH,
        )
    with pytest.raises(PermissionDenied):
        order_create(
            actor=world.users["sampler"],
            evidence=link,
            category=Category.CLOSE_CONTACT,
            start=NINTH,
        )


def test_release_is_refused_before_every_required_test_is_negative(world):
    order = close_contact_order(world)
    with translation.override("en"), pytest.raises(ValidationError) as error:
        order_release(actor=world.users["fulltime"], order=order, on=D(2022, 7, 11))
    assert "no result" in " ".join(error.value.messages)
    record_all(order, world)
    with pytest.raises(ValidationError):
        order_release(actor=world.users["fulltime"], order=order, on=D(2022, 7, 10))  # too early
    released = order_release(actor=world.users["fulltime"], order=order, on=D(2022, 7, 11))
    assert released.status == OrderStatus.RELEASED
    event = list(released.events.all())[-1]
    assert event.kind == EventKind.RELEASED and event.actor == world.users["fulltime"]


def test_a_positive_result_blocks_release_and_makes_an_urgent_task_without_changing_the_category(
    world,
):
    order = close_contact_order(world)
    test = order.tests.all()[0]
    order_record_test(
        actor=world.users["sampler"], test=test, result="positive", sample_reference="T-1"
    )
    order.refresh_from_db()
    assert order.category == Category.CLOSE_CONTACT and order.status == OrderStatus.ACTIVE
    assert Task.objects.filter(resident=world.zhang, priority=TaskPriority.URGENT).count() == 1
    assert order.events.filter(kind=EventKind.TEST_RECORDED, test=test).exists()
    with pytest.raises(ValidationError):
        order_record_test(actor=world.users["sampler"], test=test, result="negative")


def test_only_a_community_admin_may_override_a_release_and_only_with_a_reason(world):
    order = close_contact_order(world)
    with pytest.raises(PermissionDenied):
        order_release(
            actor=world.users["fulltime"], order=order, override=True, reason="政策调整", on=NINTH
        )
    with pytest.raises(ValidationError) as error:
        order_release(actor=world.users["admin"], order=order, override=True, reason="  ", on=NINTH)
    assert "reason" in error.value.message_dict
    released = order_release(
        actor=world.users["admin"], order=order, override=True, reason="政策调整", on=NINTH
    )
    assert released.status == OrderStatus.RELEASED
    event = released.events.get(kind=EventKind.OVERRIDDEN)
    assert event.reason == "政策调整" and event.details["blockers"]
    open_tasks = Task.objects.filter(
        source_id__in=[str(t.pk) for t in order.tests.all()], status="open"
    )
    assert open_tasks.count() == 0


def test_a_transfer_closes_the_order_and_cancels_the_pending_sampling_tasks(world):
    order = close_contact_order(world)
    order_record_test(actor=world.users["fulltime"], test=order.tests.all()[0], result="negative")
    with pytest.raises(ValidationError):
        order_transfer(actor=world.users["fulltime"], order=order, reason="")
    order = order_transfer(actor=world.users["fulltime"], order=order, reason="转定点医院")
    assert order.status == OrderStatus.TRANSFERRED
    statuses = [t.task.status for t in order.tests.select_related("task") if t.task]
    assert statuses.count(TaskStatus.CANCELLED) == 5
    with pytest.raises(ValidationError):
        order_extend(actor=world.users["fulltime"], order=order, days=3, reason="x", evidence="y")


def test_an_extension_needs_days_a_reason_and_evidence_and_moves_the_release_date(world):
    order = close_contact_order(world)
    with pytest.raises(ValidationError) as error:
        order_extend(actor=world.users["admin"], order=order, days=0, reason="", evidence="")
    assert set(error.value.message_dict) == {"days", "reason", "evidence"}
    order = order_extend(
        actor=world.users["admin"], order=order, days=3, reason="复核", evidence="街道通知 7号"
    )
    assert (order.total_days, order.release_on) == (13, D(2022, 7, 14))
    assert order.phases[-1]["days"] == 6


def test_every_change_writes_an_event_and_an_audit_entry_and_events_cannot_be_rewritten(world):
    order = close_contact_order(world)
    order_extend(actor=world.users["admin"], order=order, days=1, reason="复核", evidence="通知")
    order_transfer(actor=world.users["admin"], order=order, reason="转院")
    kinds = list(order.events.values_list("kind", flat=True))
    assert kinds == [EventKind.CREATED, EventKind.EXTENDED, EventKind.TRANSFERRED]
    audits = AuditEntry.objects.filter(target_id=str(order.pk), target_type__model="controlorder")
    assert audits.count() == 3
    event = order.events.all()[0]
    with pytest.raises(TypeError):
        event.save()
    with pytest.raises(TypeError):
        OrderEvent.objects.filter(order=order).update(reason="")
    with pytest.raises(TypeError):
        event.delete()


def test_a_positive_antigen_result_makes_a_confirmed_case_order_where_the_rules_define_one(world):
    from frontline.policy.rules import PhaseSpec
    from frontline.policy.services import category_rule_put, rule_set_copy, rule_set_publish

    admin = world.users["admin"]
    copy = rule_set_copy(
        actor=admin, source=RuleSet.objects.get(preset="ninth-edition"), name="本地方案"
    )
    category_rule_put(actor=admin, rule_set=copy, category=Category.CONFIRMED_CASE, identified=True,
                      phases=[PhaseSpec("home_isolation", 7, (5, 6, 7))])  # fmt: skip
    rule_set_publish(actor=admin, rule_set=copy, effective_from=D(2022, 8, 1))
    checkin = positive_checkin(world)
    order = order_create(
        actor=admin, evidence=checkin, category=Category.CONFIRMED_CASE, start=D(2022, 8, 2)
    )
    assert order.checkin == checkin and order.rule_set == copy
    assert [t.day.day for t in order.tests.all()] == [6, 7, 8]
