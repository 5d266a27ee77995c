"""The pages: list, detail, create from evidence, the change forms; scope and query counts."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.loader import render_to_string
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from frontline.accounts.models import User
from frontline.conftest import make_household, make_resident
from frontline.contacts.services import case_record, link_record
from frontline.control.models import ControlOrder, EventKind, OrderStatus, SampleResult
from frontline.control.services import order_create, order_record_test
from frontline.control.tests.factories import (
    PDF,
    close_contact_link,
    close_contact_order,
    ninth_in_force_from,
    positive_checkin,
    trip_match,
)
from frontline.core.models import AuditEntry
from frontline.policy.models import Category
from frontline.tasks.models import Task

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture
def today(world) -> dt.date:  # type: ignore[no-untyped-def]
    day = timezone.localdate()
    ninth_in_force_from(world, day - dt.timedelta(days=3))
    return day


def test_an_admin_makes_an_order_from_a_contact_link_and_sees_day_1_of_10(world, client_for, today):
    link = close_contact_link(world, day=today)
    client = client_for("fulltime")
    url = reverse("control:new") + f"?contact_link={link.pk}"
    page = client.get(url, **EN).content.decode()
    assert "close contact of confirmed case 阳性-001" in page and 'value="close_contact"' in page
    refused = client.post(url, {"category": "close_contact", "start": today.isoformat()}, **EN)
    assert refused.status_code == 422 and ControlOrder.objects.count() == 0  # not confirmed
    response = client.post(
        url, {"category": "close_contact", "start": today.isoformat(), "confirm": "on"}, **EN
    )
    order = ControlOrder.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "control:detail", kwargs={"pk": order.pk}
    )
    detail = client.get(response["Location"], **EN).content.decode()
    assert "Day 1 of 10" in detail and "Centralised isolation" in detail
    assert today.isoformat() in detail  # the next test is today
    assert Task.objects.filter(resident=world.zhang).count() == 6


def test_the_category_offered_follows_the_evidence(world, client_for, today):
    client = client_for("admin")
    match_page = client.get(
        reverse("control:new") + f"?trip_match={trip_match(world, day=today).pk}", **EN
    )
    assert 'value="arrival_high_risk"' in match_page.content.decode()
    assert 'value="close_contact"' not in match_page.content.decode()
    negative = positive_checkin(world, "negative")
    page = client.get(reverse("control:new") + f"?checkin={negative.pk}", **EN).content.decode()
    assert 'id="no-category"' in page and 'id="order-form"' not in page
    forged = client.post(
        reverse("control:new") + f"?contact_link={close_contact_link(world, day=today).pk}",
        {"category": "arrival_high_risk", "start": today.isoformat(), "confirm": "on"},
    )
    assert forged.status_code == 422 and ControlOrder.objects.count() == 0


def test_a_documented_order_is_uploaded_and_opened_only_through_an_audited_view(
    world, client_for, today, settings, tmp_path
):
    settings.DATA_DIR = tmp_path
    client = client_for("admin")
    url = reverse("control:new") + f"?resident={world.li.pk}"
    bad = client.post(url, {"document": SimpleUploadedFile("a.exe", b"MZ\x90\x00"), "reference": "街道7号",
                            "category": "close_contact", "start": today.isoformat(), "confirm": "on"})  # fmt: skip
    assert bad.status_code == 422 and ControlOrder.objects.count() == 0
    client.post(url, {"document": SimpleUploadedFile("order.pdf", PDF), "reference": "街道7号",
                      "category": "close_contact", "start": today.isoformat(), "confirm": "on"})  # fmt: skip
    order = ControlOrder.objects.get()
    assert order.resident == world.li and order.document_reference == "街道7号"
    document_url = reverse("control:document", kwargs={"pk": order.pk})
    assert str(tmp_path) in order.document.path  # in the data folder, not under a public URL
    body = b"".join(client.get(document_url).streaming_content)  # type: ignore[attr-defined]
    assert body == PDF
    assert (
        AuditEntry.objects.filter(
            action="reveal", target_id=str(order.pk), fields=["document"]
        ).count()
        == 1
    )
    assert client_for("other_admin").get(document_url).status_code == 404


def add_contacts(world, count: int, start: int, day: dt.date) -> None:  # type: ignore[no-untyped-def]
    case = case_record(
        actor=world.users["admin"], resident=world.li, confirmed_on=day, reference=f"病例{start}"
    )
    for i in range(start, start + count):
        neighbour = make_resident(make_household(world.building1, "1", f"{100 + i}"), name=f"赵{i}",
                                  phone=f"1390000{i:04d}")  # fmt: skip
        link = link_record(actor=world.users["admin"], case=case, contact_resident=neighbour, met_on=day,
                           link_type="other")  # fmt: skip
        order_create(
            actor=world.users["admin"], evidence=link, category=Category.CLOSE_CONTACT, start=day
        )


def test_the_list_is_scoped_searchable_and_its_query_count_does_not_grow(
    world, client_for, today, django_assert_max_num_queries
):
    add_contacts(world, 2, 0, today)
    client = client_for("grid1")
    with django_assert_max_num_queries(12) as few:
        client.get(reverse("control:list"))
    add_contacts(world, 15, 2, today)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(reverse("control:list"), **EN).content.decode()
    assert page.count('class="order-row"') == 17 and "Day 1 of 10" in page
    found = client.get(
        reverse("control:list"), {"q": "赵3"}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert found.count('class="order-row"') == 1 and "<html" not in found
    other_building = client.get(
        reverse("control:list"), {"building": world.building2.pk}
    ).content.decode()
    assert other_building.count('class="order-row"') == 0
    assert (
        client_for("other_admin")
        .get(reverse("control:list"))
        .content.decode()
        .count('class="order-row"')
        == 0
    )
    assert client_for("sampler").get(reverse("control:list")).status_code == 200
    for role in ("officer", "volunteer", "counsellor"):
        assert client_for(role).get(reverse("control:list")).status_code == 403


def test_the_order_page_reads_in_a_fixed_number_of_queries(
    world, client_for, today, django_assert_max_num_queries
):
    order = close_contact_order(world, start=today)
    for test in order.tests.all()[:3]:
        order_record_test(actor=world.users["sampler"], test=test, result="negative")
    client = client_for("grid1")
    with django_assert_max_num_queries(10):
        page = client.get(reverse("control:detail", kwargs={"pk": order.pk}), **EN)
    assert page.content.decode().count('class="test-row"') == 6


def test_the_printable_list_is_audited(world, client_for, today):
    close_contact_order(world, start=today)
    page = client_for("admin").get(reverse("control:print"), {"status": "all"}).content.decode()
    assert "张三丰" in page and "window.print()" in page
    assert AuditEntry.objects.filter(action="export", details__rows=1).count() == 1


def test_release_through_the_page_is_refused_without_negatives_and_overridden_by_an_admin(
    world, client_for, today
):
    order = close_contact_order(world, start=today)
    url = reverse("control:release", kwargs={"pk": order.pk})
    fulltime = client_for("fulltime")
    assert "id_override" not in fulltime.get(url).content.decode()
    refused = fulltime.post(url, {"confirm": "on", "override": "on", "reason": "提前"}, **EN)
    assert refused.status_code == 422 and "no result" in refused.content.decode()
    order.refresh_from_db()
    assert order.status == OrderStatus.ACTIVE
    admin = client_for("admin")
    assert admin.post(url, {"confirm": "on", "override": "on", "reason": ""}).status_code == 422
    assert (
        admin.post(url, {"confirm": "on", "override": "on", "reason": "政策调整"}).status_code
        == 302
    )
    order.refresh_from_db()
    assert order.status == OrderStatus.RELEASED
    assert order.events.filter(
        kind=EventKind.OVERRIDDEN, reason="政策调整", actor=world.users["admin"]
    ).exists()


def test_a_sampler_records_a_result_and_a_grid_worker_may_not(world, client_for, today):
    order = close_contact_order(world, start=today)
    test = order.tests.all()[0]
    url = reverse("control:test_record", kwargs={"pk": test.pk})
    assert client_for("grid1").post(url, {"result": "negative"}).status_code == 403
    assert (
        client_for("sampler")
        .post(url, {"result": "negative", "sample_reference": "T-9"})
        .status_code
        == 302
    )
    test.refresh_from_db()
    assert (test.result, test.sample_reference, test.recorded_by) == (
        "negative",
        "T-9",
        world.users["sampler"],
    )


def test_extend_and_transfer_forms_change_the_order_only_with_reasons(world, client_for, today):
    order = close_contact_order(world, start=today)
    client = client_for("admin")
    extend = reverse("control:extend", kwargs={"pk": order.pk})
    assert (
        client.post(
            extend, {"days": "3", "reason": "", "evidence": "", "confirm": "on"}
        ).status_code
        == 422
    )
    assert (
        client.post(
            extend, {"days": "3", "reason": "复核", "evidence": "通知7号", "confirm": "on"}
        ).status_code
        == 302
    )
    transfer = reverse("control:transfer", kwargs={"pk": order.pk})
    assert client_for("grid1").get(transfer).status_code == 403
    assert client.post(transfer, {"reason": "转院", "confirm": "on"}).status_code == 302
    order.refresh_from_db()
    assert (order.total_days, order.status) == (13, OrderStatus.TRANSFERRED)


def test_no_page_sets_a_status_or_category_without_evidence(world, client_for, today):
    order = close_contact_order(world, start=today)
    client = client_for("admin")
    forged = {"status": "released", "category": "contact_of_contact", "confirm": "on"}
    assert (
        client.post(reverse("control:detail", kwargs={"pk": order.pk}), forged).status_code == 405
    )
    assert client.post(reverse("control:list"), forged).status_code == 405
    client.post(reverse("control:extend", kwargs={"pk": order.pk}), forged)
    assert (
        client.post(reverse("control:new"), forged).status_code == 200
    )  # no evidence: nothing to make
    test = order.tests.all()[0]
    client.post(
        reverse("control:test_record", kwargs={"pk": test.pk}), {**forged, "result": "released"}
    )
    order.refresh_from_db()
    test.refresh_from_db()
    assert (order.status, order.category, order.total_days) == (
        OrderStatus.ACTIVE,
        "close_contact",
        10,
    )
    assert test.result == SampleResult.PENDING
    assert ControlOrder.objects.count() == 1


def test_the_django_admin_is_read_only(world, today):
    order = close_contact_order(world, start=today)
    root = User.objects.create_superuser("root", password="x")
    client = Client()
    client.force_login(root)
    change = f"/admin/control/controlorder/{order.pk}/change/"
    assert client.get(change).status_code == 200
    response = client.post(change, {"status": "released", "category": "contact_of_contact"})
    assert response.status_code == 403
    assert client.post("/admin/control/controlorder/add/", {"status": "active"}).status_code == 403
    assert (
        client.post(f"/admin/control/controlorder/{order.pk}/delete/", {"post": "yes"}).status_code
        == 403
    )
    event = order.events.all()[0]
    assert (
        client.post(f"/admin/control/orderevent/{event.pk}/change/", {"reason": "x"}).status_code
        == 403
    )
    order.refresh_from_db()
    assert (order.status, order.category) == (OrderStatus.ACTIVE, "close_contact")


def test_the_resident_page_section_shows_the_category_and_the_evidence_in_plain_words(world, today):
    order = close_contact_order(world, start=today)
    order_record_test(actor=world.users["sampler"], test=order.tests.all()[0], result="negative")
    request = RequestFactory().get("/", HTTP_ACCEPT_LANGUAGE="en")
    request.user = world.users["grid1"]
    from django.utils import translation

    with translation.override("en"):
        html = render_to_string(
            "control/resident_orders.html", {"resident": world.zhang}, request=request
        )
    assert "Current category: <strong>Close contact</strong>" in html and "Day 1 of 10" in html
    assert "document-order-link" not in html  # a grid worker makes no orders
    assert (
        "close contact of confirmed case 阳性-001" in html and "李四" not in html
    )  # no other person named
    assert "Test result recorded" in html
    request.user = world.users["other_admin"]
    assert "card mb-2 resident-order" not in render_to_string(
        "control/resident_orders.html", {"resident": world.zhang}, request=request
    )
    request.user = world.users["volunteer"]
    assert (
        render_to_string(
            "control/resident_orders.html", {"resident": world.zhang}, request=request
        ).strip()
        == ""
    )


def test_evidence_without_an_order_is_listed_with_its_entry_point_until_an_order_names_it(
    world, client_for, today, django_assert_max_num_queries
):
    link = close_contact_link(world, day=today)
    match = trip_match(world, day=today)
    checkin = positive_checkin(world)
    positive_checkin(world, "negative")
    client = client_for("fulltime")
    with django_assert_max_num_queries(12):
        page = client.get(reverse("control:candidates")).content.decode()
    for name, row in (("contact_link", link), ("trip_match", match), ("checkin", checkin)):
        assert f"?{name}={row.pk}" in page
    assert page.count("?checkin=") == 1
    order_create(
        actor=world.users["admin"], evidence=link, category=Category.CLOSE_CONTACT, start=today
    )
    page = client.get(reverse("control:candidates")).content.decode()
    assert f"?contact_link={link.pk}" not in page and f"?trip_match={match.pk}" in page
    assert (
        "张三丰"
        not in client_for("other_admin").get(reverse("control:candidates")).content.decode()
    )
    assert client_for("grid1").get(reverse("control:candidates")).status_code == 403


def test_the_api_list_reads_the_evidence_of_a_page_in_a_fixed_number_of_queries(
    world, client_for, today, django_assert_max_num_queries
):
    add_contacts(world, 2, 0, today)
    client = client_for("grid1")
    with django_assert_max_num_queries(12) as few:
        client.get("/api/v1/control/orders")
    add_contacts(world, 6, 2, today)  # a second case, more orders
    with django_assert_max_num_queries(len(few.captured_queries)):
        body = client.get("/api/v1/control/orders", **EN).json()
    assert body["count"] == 8
    assert all("close contact" in item["evidence"] for item in body["items"])
