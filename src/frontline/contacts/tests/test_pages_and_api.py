"""Pages and API: access by role and scope, masking, query counts and the 20k-contact chain."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from frontline.contacts.models import Case, ContactLink
from frontline.contacts.services import case_record, link_record
from frontline.contacts.tests.factories import DAY, bulk_chain, zhang_case
from frontline.core.models import AuditAction, AuditEntry


def count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, response.status_code
    return len(queries)


def test_a_worker_records_a_case_and_a_contact_through_the_pages(world, client_for):
    client = client_for("fulltime")
    picker = client.get(reverse("contacts:resident_search"), {"q": "zsf", "field": "resident"})
    assert "张三丰" in picker.content.decode() and "李四" not in picker.content.decode()
    response = client.post(
        reverse("contacts:case_create"),
        {"resident": world.zhang.pk, "confirmed_on": "2026-11-01", "reference": "阳性-7"},
    )
    case = Case.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "contacts:case", kwargs={"pk": case.pk}
    )
    url = reverse("contacts:case_link_create", kwargs={"pk": case.pk})
    form = client.get(url).content.decode()
    assert f'value="r{world.zhang.pk}"' in form
    response = client.post(
        url,
        {"source": f"r{world.zhang.pk}", "contact_resident": world.li.pk, "met_on": "2026-10-30",
         "met_at": "18:30", "place": "菜场", "link_type": "workplace"},
    )  # fmt: skip
    assert response.status_code == 302
    page = client.get(reverse("contacts:case", kwargs={"pk": case.pk})).content.decode()
    assert "李四" in page and "139****1111" in page and "13900001111" not in page
    assert "菜场" in page


def test_the_contact_form_shows_every_error_and_keeps_the_input(world, client_for):
    case = zhang_case(world)
    client = client_for("admin")
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    with translation.override("en"):
        response = client.post(
            reverse("contacts:case_link_create", kwargs={"pk": case.pk}),
            {"source": f"r{world.zhang.pk}", "contact_name": "赵外", "contact_phone": "123",
             "met_on": "2026-10-30", "link_type": "other", "place": "公交"},
        )  # fmt: skip
    body = response.content.decode()
    assert response.status_code == 200 and "Enter an 11-digit mobile number." in body
    assert 'value="赵外"' in body and 'value="公交"' in body
    assert not ContactLink.objects.exists()


def test_the_case_form_refuses_a_resident_outside_scope(world, client_for):
    client = client_for("admin")
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    with translation.override("en"):
        response = client.post(
            reverse("contacts:case_create"),
            {"resident": world.outsider.pk, "confirmed_on": "2026-11-01", "reference": "x"},
        )
    assert "Choose a resident from the search results." in response.content.decode()
    assert not Case.objects.exists()


@pytest.mark.parametrize("role", ["volunteer", "counsellor", "officer"])
def test_roles_without_health_access_get_403_on_the_lists(world, client_for, role):
    client = client_for(role)
    assert client.get(reverse("contacts:cases")).status_code == 403
    assert client.get("/api/v1/contacts/cases").status_code == 403


def test_the_sampler_sees_cases_but_cannot_record(world, client_for):
    case = zhang_case(world)
    client = client_for("sampler")
    assert client.get(reverse("contacts:case", kwargs={"pk": case.pk})).status_code == 200
    assert client.get(reverse("contacts:case_create")).status_code == 403
    assert (
        client.get(reverse("contacts:case_link_create", kwargs={"pk": case.pk})).status_code == 403
    )
    response = client.post(
        f"/api/v1/contacts/cases/{case.pk}/links",
        {"contact_resident_id": world.li.pk, "met_on": "2026-11-01", "link_type": "other"},
        content_type="application/json",
    )
    assert response.status_code == 403


def test_a_grid_worker_sees_only_the_cases_of_their_grid(world, client_for):
    mine = zhang_case(world)
    theirs = case_record(
        actor=world.users["admin"], resident=world.li, confirmed_on=DAY, reference="阳性-li"
    )
    client = client_for("grid1")
    listed = client.get(reverse("contacts:cases")).content.decode()
    assert "阳性-001" in listed and "阳性-li" not in listed
    assert client.get(reverse("contacts:case", kwargs={"pk": theirs.pk})).status_code == 404
    assert client.get(f"/api/v1/contacts/cases/{theirs.pk}").status_code == 404
    assert client.get(f"/api/v1/contacts/cases/{mine.pk}").json()["name"] == "张三丰"


def test_the_officer_sees_counts_per_community_and_no_person(world, client_for):
    case = zhang_case(world)
    link_record(
        actor=world.users["admin"],
        case=case,
        contact_resident=world.li,
        met_on=DAY,
        link_type="other",
    )
    body = client_for("officer").get(reverse("contacts:summary")).content.decode()
    assert (
        "幸福里社区" in body and "光明社区" in body and "张三丰" not in body and "李四" not in body
    )
    rows = client_for("officer").get("/api/v1/contacts/summary").json()
    assert {"community": "幸福里社区", "cases": 1, "links": 1} in rows
    assert client_for("admin").get(reverse("contacts:summary")).status_code == 200


def test_the_api_records_a_case_and_a_link_and_reports_every_bad_field(world, client_for):
    client = client_for("admin")
    created = client.post(
        "/api/v1/contacts/cases",
        {"resident_id": world.zhang.pk, "confirmed_on": "2026-11-01", "reference": "阳性-8"},
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    case_id = created.json()["id"]
    assert created.json()["phone"] == "138****5678"
    bad = client.post(
        f"/api/v1/contacts/cases/{case_id}/links",
        {"contact_name": "赵外", "contact_phone": "1", "link_type": "party"},
        content_type="application/json",
    )
    assert bad.status_code == 422
    assert set(bad.json()["detail"]) == {"contact_phone", "met_on", "link_type"}
    outside_resident = client.post(
        f"/api/v1/contacts/cases/{case_id}/links",
        {"contact_resident_id": world.outsider.pk, "met_on": "2026-11-01", "link_type": "other"},
        content_type="application/json",
    )
    assert outside_resident.status_code == 422
    assert "contact_resident_id" in outside_resident.json()["detail"]
    good = client.post(
        f"/api/v1/contacts/cases/{case_id}/links",
        {"contact_resident_id": world.li.pk, "met_on": "2026-11-01", "link_type": "household"},
        content_type="application/json",
    )
    assert good.status_code == 201, good.content
    assert good.json()["contact"] == f"r{world.li.pk}"
    chain = client.get(f"/api/v1/contacts/cases/{case_id}/chain").json()
    assert chain["count"] == 1 and chain["degrees"] == {"1": 1}
    assert chain["items"][0]["name"] == "李四" and chain["items"][0]["phone"] == "139****1111"


def test_printing_a_chain_is_audited_as_an_export(world, client_for):
    case = zhang_case(world)
    link_record(
        actor=world.users["admin"],
        case=case,
        contact_resident=world.li,
        met_on=DAY,
        link_type="other",
    )
    body = (
        client_for("parttime")
        .get(reverse("contacts:case_print", kwargs={"pk": case.pk}))
        .content.decode()
    )
    assert "李四" in body and "window.print()" in body
    entry = AuditEntry.objects.get(action=AuditAction.EXPORT)
    assert entry.actor == world.users["parttime"] and entry.details["rows"] == 1


def test_the_resident_partial_lists_cases_and_links(world, client_for, rf):
    from django.template import Context, Template

    case = zhang_case(world)
    link_record(
        actor=world.users["admin"],
        case=case,
        contact_resident=world.li,
        met_on=DAY,
        link_type="household",
    )
    template = Template("{% load contacts_tags %}{% resident_contacts resident %}")
    for user, expected in (("admin", "李四"), ("grid1", "*四"), ("counsellor", None)):
        request = rf.get("/")
        request.user = world.users[user]
        html = template.render(Context({"request": request, "resident": world.zhang}))
        if expected is None:
            assert "resident-contacts" not in html
        else:
            assert case.reference in html and expected in html and "139****1111" in html


def test_the_case_list_runs_a_constant_number_of_queries(world, client_for):
    client = client_for("admin")
    zhang_case(world, "r-0")
    few = count_queries(client, reverse("contacts:cases"))
    for i in range(1, 20):
        zhang_case(world, f"r-{i}")
    assert count_queries(client, reverse("contacts:cases")) == few
    assert count_queries(client, "/api/v1/contacts/cases") <= few + 2


def test_the_chain_page_and_graph_run_a_constant_number_of_queries(world, client_for):
    client = client_for("admin")
    case = zhang_case(world)
    bulk_chain(case, direct=2, per_contact=2)
    urls = [reverse("contacts:case", kwargs={"pk": case.pk}),
            reverse("contacts:case_graph", kwargs={"pk": case.pk}),
            f"/api/v1/contacts/cases/{case.pk}/chain"]  # fmt: skip
    few = [count_queries(client, url) for url in urls]
    bulk_chain(case, direct=30, per_contact=5)
    assert [count_queries(client, url) for url in urls] == few


@pytest.mark.django_db
def test_the_graph_of_a_20000_contact_chain_is_compact_and_takes_few_queries(
    world, client_for, django_assert_max_num_queries
):
    case = zhang_case(world)
    added = bulk_chain(case, direct=400, per_contact=49)  # 400 + 19,600 people
    assert added == 20_000
    client = client_for("admin")
    with django_assert_max_num_queries(12):
        response = client.get(reverse("contacts:case_graph", kwargs={"pk": case.pk}))
    assert response.status_code == 200
    graph = json.loads(response.content)
    nodes = len(graph["nodes"]) // 4
    assert nodes == 20_001
    assert len(graph["edges"]) // 3 == 20_000
    assert graph["labels"] is False  # no names drawn at this size
    degrees = graph["nodes"][2::4]
    assert degrees.count(1) == 400 and degrees.count(2) == 19_600
    assert len(response.content) / nodes < 40  # bytes per person, edges included
    with django_assert_max_num_queries(12):
        page = client.get(reverse("contacts:case", kwargs={"pk": case.pk}) + "?page=300")
    assert page.status_code == 200 and "外" in page.content.decode()


def test_the_chain_table_filters_by_degree_for_screen_and_print(world, client_for):
    case = zhang_case(world)
    admin = world.users["admin"]
    link_record(actor=admin, case=case, contact_resident=world.li, met_on=DAY, link_type="other")
    link_record(
        actor=admin, case=case, source=f"r{world.li.pk}", contact_name="赵外",
        contact_phone="13900009999", met_on=DAY, link_type="transport",
    )  # fmt: skip
    client = client_for("admin")
    for name in ("contacts:case", "contacts:case_print"):
        url = reverse(name, kwargs={"pk": case.pk})
        everyone = client.get(url).content.decode()
        assert "李四" in everyone and "赵外" in everyone
        second = client.get(url, {"degree": "2"}).content.decode()
        table = second[second.index('id="chain-table"') :]
        assert "赵外" in table and "139****9999" in table and "139****1111" not in table


def test_a_failed_contact_form_keeps_the_chosen_resident(world, client_for):
    case = zhang_case(world)
    response = client_for("admin").post(
        reverse("contacts:case_link_create", kwargs={"pk": case.pk}),
        {"source": f"r{world.zhang.pk}", "contact_resident": world.li.pk, "met_on": "",
         "link_type": "other"},
    )  # fmt: skip
    body = response.content.decode()
    assert response.status_code == 200 and not ContactLink.objects.exists()
    assert f'name="contact_resident" value="{world.li.pk}" checked' in body


def test_the_resident_partial_runs_a_bounded_number_of_queries(
    world, rf, django_assert_max_num_queries
):
    from django.template import Context, Template

    case = zhang_case(world)
    bulk_chain(case, direct=80, per_contact=0)
    request = rf.get("/")
    request.user = world.users["admin"]
    template = Template("{% load contacts_tags %}{% resident_contacts resident %}")
    with django_assert_max_num_queries(6):
        html = template.render(Context({"request": request, "resident": world.zhang}))
    assert html.count("<tr>") == 1 + 50  # the header and the latest 50 links
    assert 'class="counts"' in html  # "only the latest links are shown"
