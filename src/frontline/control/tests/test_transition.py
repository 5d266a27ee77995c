"""A new rule set taking over running orders: the preview, the confirmation, the impact summary,
through the services, the pages and the API."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from frontline.conftest import make_household, make_resident
from frontline.contacts.services import case_record, link_record
from frontline.control.models import ControlOrder, EventKind, OrderEvent, SampleResult
from frontline.control.services import (
    order_create,
    order_extend,
    order_record_test,
    release_check,
)
from frontline.control.tests.factories import close_contact_order
from frontline.control.transition import (
    impact,
    pending_transitions,
    transition_apply,
    transition_preview,
)
from frontline.core.identity import check_digit
from frontline.core.models import AuditEntry
from frontline.policy.models import Category, RuleSet
from frontline.policy.services import rule_set_copy
from frontline.tasks.models import Task, TaskStatus

D = dt.date
BEFORE_TWENTY = D(2022, 11, 8)  # day 1 under the 9th edition; the 20 measures apply from 11-11


def twenty() -> RuleSet:
    return RuleSet.objects.get(preset="twenty-measures")


def class_b() -> RuleSet:
    return RuleSet.objects.get(preset="class-b")


def new_resident(world, n: int):  # type: ignore[no-untyped-def]
    body = f"11010519850101{n:03d}"
    return make_resident(
        make_household(world.building1, "1", f"50{n}"), name=f"孙{n}",
        document_number=body + check_digit(body), phone=f"1381111000{n}",
    )  # fmt: skip


def days(order: ControlOrder) -> list[dt.date]:
    return [test.day for test in order.tests.order_by("day")]


def test_the_preview_shows_how_the_20_measures_change_a_running_9th_edition_order(world):
    order = close_contact_order(world, start=BEFORE_TWENTY)
    july = case_record(
        actor=world.users["admin"], resident=world.li, confirmed_on=D(2022, 7, 1), reference="七月"
    )
    link = link_record(
        actor=world.users["admin"], case=july, contact_resident=new_resident(world, 0),
        met_on=D(2022, 7, 1), link_type="other",
    )  # fmt: skip
    finished = order_create(  # still active, but its release date 07-11 came long before
        actor=world.users["admin"], evidence=link, category=Category.CLOSE_CONTACT,
        start=D(2022, 7, 1),
    )  # fmt: skip
    assert order.rule_set.preset == "ninth-edition"
    assert order.release_on == D(2022, 11, 18)
    preview = transition_preview(viewer=world.users["admin"], rule_set=twenty())
    assert [plan.order.pk for plan in preview.plans] == [order.pk]
    assert finished.pk not in {plan.order.pk for plan in preview.plans}
    plan = preview.plans[0]
    assert plan.release_on == D(2022, 11, 16) and plan.shift == -2
    assert plan.added == (D(2022, 11, 13), D(2022, 11, 15))
    assert plan.dropped == (D(2022, 11, 14), D(2022, 11, 17))
    assert (plan.measure_before, plan.measure_after) == ("centralised_isolation",) * 2
    assert (preview.counts.orders, preview.counts.earlier, preview.counts.later) == (1, 1, 0)
    # a preview changes nothing
    order.refresh_from_db()
    assert order.release_on == D(2022, 11, 18) and order.rule_set.preset == "ninth-edition"


def test_confirming_moves_the_order_keeps_results_and_swaps_the_sampling_tasks(world):
    order = close_contact_order(world, start=BEFORE_TWENTY)
    first = order.tests.get(day=BEFORE_TWENTY)
    order_record_test(actor=world.users["sampler"], test=first, result=SampleResult.NEGATIVE)
    lapsing = order.tests.get(day=D(2022, 11, 14))
    lapsing_task = lapsing.task
    preview = transition_preview(viewer=world.users["admin"], rule_set=twenty())

    moved = transition_apply(
        actor=world.users["admin"], rule_set=twenty(), fingerprint_seen=preview.fingerprint
    )

    assert moved == 1
    order.refresh_from_db()
    assert order.rule_set == twenty()
    assert (order.release_on, order.total_days) == (D(2022, 11, 16), 8)
    assert order.measures == "centralised_isolation,home_isolation"
    assert days(order) == [D(2022, 11, d) for d in (8, 9, 10, 12, 13, 15)]
    assert order.tests.get(day=BEFORE_TWENTY).result == SampleResult.NEGATIVE
    assert lapsing_task is not None
    lapsing_task.refresh_from_db()
    assert lapsing_task.status == TaskStatus.CANCELLED
    new_tasks = Task.objects.filter(
        source_id__in=[
            str(t.pk) for t in order.tests.filter(day__in=[D(2022, 11, 13), D(2022, 11, 15)])
        ]
    )
    assert sorted(task.due_at.date() for task in new_tasks if task.due_at) == [
        D(2022, 11, 13), D(2022, 11, 15),
    ]  # fmt: skip
    home = order.tests.get(day=D(2022, 11, 15))
    assert (home.phase_index, home.day_in_phase, home.measure) == (1, 3, "home_isolation")
    event = OrderEvent.objects.get(order=order, kind=EventKind.REPLANNED)
    assert event.actor == world.users["admin"]
    assert event.details["before"]["release_on"] == "2022-11-18"
    assert event.details["tests_dropped"] == ["2022-11-14", "2022-11-17"]
    assert "2022-11-11" in event.evidence and twenty().name in event.evidence
    audit = AuditEntry.objects.filter(target_id=str(order.pk)).order_by("-id").first()
    assert audit is not None and "rule_set" in audit.fields
    # nothing is left to move, and a second confirmation of the same preview is refused
    assert transition_preview(viewer=world.users["admin"], rule_set=twenty()).plans == []
    assert pending_transitions(viewer=world.users["admin"]) == []
    with pytest.raises(ValidationError):
        transition_apply(
            actor=world.users["admin"], rule_set=twenty(), fingerprint_seen=preview.fingerprint
        )


def test_a_preview_that_no_longer_holds_is_refused_and_nothing_changes(world):
    order = close_contact_order(world, start=BEFORE_TWENTY)
    seen = transition_preview(viewer=world.users["admin"], rule_set=twenty()).fingerprint
    order_extend(
        actor=world.users["admin"], order=order, days=2, reason="复阳", evidence="11-09 检测单"
    )
    with pytest.raises(ValidationError) as raised, translation.override("en"):
        transition_apply(actor=world.users["admin"], rule_set=twenty(), fingerprint_seen=seen)
    with translation.override("en"):
        assert "changed since this preview" in str(raised.value.messages[0])
    order.refresh_from_db()
    assert order.rule_set.preset == "ninth-edition" and order.release_on == D(2022, 11, 20)
    assert not OrderEvent.objects.filter(order=order, kind=EventKind.REPLANNED).exists()


def test_rules_that_no_longer_identify_the_category_end_the_order_on_their_date(world):
    order = close_contact_order(world, start=D(2023, 1, 5))  # under the 20 measures
    preview = transition_preview(viewer=world.users["admin"], rule_set=class_b())
    (plan,) = preview.plans
    assert not plan.identified and plan.release_on == D(2023, 1, 8)
    assert plan.dropped == tuple(days(order))  # past days too: no test is required any more
    assert preview.counts.ended == 1
    transition_apply(
        actor=world.users["admin"], rule_set=class_b(), fingerprint_seen=preview.fingerprint
    )
    order.refresh_from_db()
    assert days(order) == []
    assert release_check(order, D(2023, 1, 8)).allowed  # released without an override


def test_each_admin_previews_and_moves_only_their_communities_orders(world):
    ours = close_contact_order(world, start=BEFORE_TWENTY)
    neighbour = make_resident(
        make_household(world.other_building, "1", "101"), name="钱七",
        document_number="110105198501010012", phone="13811113333",
    )  # fmt: skip
    case = case_record(
        actor=world.users["other_admin"], resident=world.outsider, confirmed_on=BEFORE_TWENTY,
        reference="阳性-光明",
    )  # fmt: skip
    link = link_record(
        actor=world.users["other_admin"], case=case, contact_resident=neighbour,
        met_on=BEFORE_TWENTY, link_type="household",
    )  # fmt: skip
    other = order_create(
        actor=world.users["other_admin"], evidence=link, category=Category.CLOSE_CONTACT,
        start=BEFORE_TWENTY,
    )  # fmt: skip
    preview = transition_preview(viewer=world.users["admin"], rule_set=twenty())
    assert [plan.order.pk for plan in preview.plans] == [ours.pk]
    transition_apply(
        actor=world.users["admin"], rule_set=twenty(), fingerprint_seen=preview.fingerprint
    )
    other.refresh_from_db()
    assert other.rule_set.preset == "ninth-edition"
    assert pending_transitions(viewer=world.users["other_admin"]) == [(twenty(), 1)]
    for role in ("grid1", "volunteer", "officer"):
        with pytest.raises(PermissionDenied):
            transition_preview(viewer=world.users[role], rule_set=twenty())


def test_only_a_published_rule_set_takes_over_orders(world):
    close_contact_order(world, start=BEFORE_TWENTY)
    draft = rule_set_copy(actor=world.users["admin"], source=twenty(), name="二十条（草稿）")
    with pytest.raises(ValidationError):
        transition_preview(viewer=world.users["admin"], rule_set=draft)
    with pytest.raises(ValidationError):
        transition_apply(actor=world.users["admin"], rule_set=draft, fingerprint_seen="")


def test_the_impact_for_a_policy_editor_counts_per_community_before_publishing(world):
    close_contact_order(world, start=BEFORE_TWENTY)
    draft = rule_set_copy(actor=world.users["officer"], source=twenty(), name="二十条（草稿）")
    rows = impact(viewer=world.users["officer"], rule_set=draft, effective=D(2022, 11, 10))
    assert [(name, counts.orders, counts.earlier) for name, counts in rows] == [
        ("幸福里社区", 1, 1)
    ]
    assert impact(viewer=world.users["officer"], rule_set=draft, effective=D(2022, 12, 1)) == []
    with pytest.raises(PermissionDenied):
        impact(viewer=world.users["grid1"], rule_set=draft, effective=D(2022, 11, 10))


def test_the_preview_reads_a_fixed_number_of_queries_however_many_orders(world):
    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            transition_preview(viewer=world.users["admin"], rule_set=twenty())
        return len(captured)

    close_contact_order(world, start=BEFORE_TWENTY)
    one = count()
    case = ControlOrder.objects.get().contact_link.case  # type: ignore[union-attr]
    for n in range(1, 4):
        link = link_record(
            actor=world.users["admin"], case=case, contact_resident=new_resident(world, n),
            met_on=BEFORE_TWENTY, link_type="other",
        )  # fmt: skip
        order_create(
            actor=world.users["admin"], evidence=link, category=Category.CLOSE_CONTACT,
            start=BEFORE_TWENTY,
        )  # fmt: skip
    assert transition_preview(viewer=world.users["admin"], rule_set=twenty()).counts.orders == 4
    assert count() == one


# -- pages and API ------------------------------------------------------------------------------


def test_the_list_points_the_admin_to_the_preview_and_confirming_applies_it(world, client_for):
    order = close_contact_order(world, start=BEFORE_TWENTY)
    client = client_for("admin")
    listing = client.get(reverse("control:list"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    url = reverse("control:transition", kwargs={"pk": twenty().pk})
    assert url in listing and "1 running order began under earlier rules" in listing
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    body = page.content.decode()
    assert "张三丰" in body and "2022-11-18" in body and "2022-11-16" in body
    assert "2 days earlier" in body
    fingerprint = page.context["preview"].fingerprint
    stale = client.post(url, {"fingerprint": "0" * 32}, HTTP_ACCEPT_LANGUAGE="en")
    assert stale.status_code == 409 and "changed since this preview" in stale.content.decode()
    done = client.post(url, {"fingerprint": fingerprint, "reason": "街道通知 11-11"})
    assert done.status_code == 302 and done["Location"] == reverse("control:list")
    order.refresh_from_db()
    assert order.release_on == D(2022, 11, 16)
    assert OrderEvent.objects.get(order=order, kind=EventKind.REPLANNED).reason == "街道通知 11-11"
    assert url not in client.get(reverse("control:list")).content.decode()


def test_the_publish_dialog_shows_the_officer_counts_without_names(world, client_for):
    close_contact_order(world, start=BEFORE_TWENTY)
    draft = rule_set_copy(actor=world.users["officer"], source=twenty(), name="二十条（草稿）")
    client = client_for("officer")
    detail = client.get(reverse("policy:detail", kwargs={"pk": draft.pk})).content.decode()
    impact_url = reverse("control:transition_impact", kwargs={"pk": draft.pk})
    assert impact_url in detail
    body = client.get(impact_url, {"effective_from": "2022-11-10"}).content.decode()
    assert "幸福里社区" in body and "张三丰" not in body
    assert "impact-table" in body


def test_the_api_previews_and_moves_with_the_fingerprint(world, client_for):
    order = close_contact_order(world, start=BEFORE_TWENTY)
    client = client_for("admin")
    url = f"/api/v1/control/transitions/{twenty().pk}"
    preview = client.get(url).json()
    assert preview["orders"] == 1 and preview["earlier"] == 1
    (item,) = preview["items"]
    assert (item["order_id"], item["release_before"], item["release_on"]) == (
        order.pk, "2022-11-18", "2022-11-16",
    )  # fmt: skip
    assert item["tests_added"] == ["2022-11-13", "2022-11-15"]
    refused = client.post(url, {"fingerprint": "x"}, content_type="application/json")
    assert refused.status_code == 422
    moved = client.post(
        url, {"fingerprint": preview["fingerprint"]}, content_type="application/json"
    )
    assert moved.status_code == 200 and moved.json() == {"moved": 1}
    assert client_for("grid1").get(url).status_code == 403
    draft = rule_set_copy(actor=world.users["admin"], source=twenty(), name="二十条（草稿）")
    assert client.get(f"/api/v1/control/transitions/{draft.pk}").status_code == 404
