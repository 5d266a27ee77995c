"""The API: the same services and errors as the pages, scoped the same way."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from frontline.control.models import ControlOrder, OrderStatus
from frontline.control.tests.factories import (
    close_contact_link,
    close_contact_order,
    ninth_in_force_from,
    positive_checkin,
)

BASE = "/api/v1/control"
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture
def today(world) -> dt.date:  # type: ignore[no-untyped-def]
    day = timezone.localdate()
    ninth_in_force_from(world, day - dt.timedelta(days=3))
    return day


def post(client, url: str, body: dict):  # type: ignore[no-untyped-def, type-arg]
    return client.post(url, body, content_type="application/json", **EN)


def test_an_order_is_made_from_a_contact_link_and_read_back(world, client_for, today):
    link = close_contact_link(world, day=today)
    client = client_for("fulltime")
    response = post(client, f"{BASE}/orders", {"contact_link_id": link.pk, "category": "close_contact",
                                               "start": today.isoformat()})  # fmt: skip
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["day"], body["total_days"], body["current_measure"]) == (
        1,
        10,
        "centralised_isolation",
    )
    assert [t["day"] for t in body["tests"]][-1] == (today + dt.timedelta(days=9)).isoformat()
    assert body["events"][0]["kind"] == "created" and "阳性-001" in body["evidence"]
    listed = client.get(f"{BASE}/orders").json()
    assert listed["count"] == 1 and listed["items"][0]["name"] == "张三丰"
    assert client_for("other_admin").get(f"{BASE}/orders").json()["count"] == 0
    assert client_for("other_admin").get(f"{BASE}/orders/{body['id']}").status_code == 404


def test_creating_needs_exactly_one_matching_evidence_and_reports_every_bad_field(
    world, client_for, today
):
    client = client_for("admin")
    link = close_contact_link(world, day=today)
    none = post(client, f"{BASE}/orders", {"category": "close_contact"})
    assert none.status_code == 422 and set(none.json()["detail"]) == {"evidence"}
    wrong = post(
        client, f"{BASE}/orders", {"contact_link_id": link.pk, "category": "arrival_low_risk"}
    )
    assert wrong.status_code == 422 and set(wrong.json()["detail"]) == {"category", "start"}
    checkin = positive_checkin(world)
    refused = post(client, f"{BASE}/orders", {"checkin_id": checkin.pk, "category": "confirmed_case",
                                              "start": today.isoformat()})  # fmt: skip
    assert refused.status_code == 422 and "no rule" in refused.json()["detail"]["category"][0]
    assert (
        post(client_for("sampler"), f"{BASE}/orders", {"contact_link_id": link.pk}).status_code
        == 403
    )
    assert ControlOrder.objects.count() == 0


def test_results_and_release_through_the_api(world, client_for, today):
    order = close_contact_order(world, start=today)
    admin, fulltime, sampler = client_for("admin"), client_for("fulltime"), client_for("sampler")
    refused = post(fulltime, f"{BASE}/orders/{order.pk}/release", {})
    assert refused.status_code == 422 and "no result" in " ".join(
        refused.json()["detail"]["__all__"]
    )
    assert (
        post(
            fulltime, f"{BASE}/orders/{order.pk}/release", {"override": True, "reason": "x"}
        ).status_code
        == 403
    )
    test_id = order.tests.all()[0].pk
    assert post(fulltime, f"{BASE}/tests/{test_id}/result", {"result": "maybe"}).status_code == 422
    recorded = post(
        sampler, f"{BASE}/tests/{test_id}/result", {"result": "negative", "sample_reference": "T-1"}
    )
    assert recorded.status_code == 200 and recorded.json()["result"] == "negative"
    assert post(admin, f"{BASE}/orders/{order.pk}/release", {"override": True}).status_code == 422
    released = post(
        admin, f"{BASE}/orders/{order.pk}/release", {"override": True, "reason": "政策调整"}
    )
    assert released.status_code == 200 and released.json()["status"] == OrderStatus.RELEASED
    assert released.json()["events"][-1] == {
        **released.json()["events"][-1],
        "kind": "overridden",
        "reason": "政策调整",
    }


def test_no_api_call_sets_a_status_or_category_without_evidence(world, client_for, today):
    order = close_contact_order(world, start=today)
    client = client_for("admin")
    forged = {"status": "released", "category": "contact_of_contact"}
    assert (
        client.put(f"{BASE}/orders/{order.pk}", forged, content_type="application/json").status_code
        == 405
    )
    assert (
        client.patch(
            f"{BASE}/orders/{order.pk}", forged, content_type="application/json"
        ).status_code
        == 405
    )
    assert post(client, f"{BASE}/orders/{order.pk}/extend", forged).status_code == 422
    assert post(client, f"{BASE}/orders/{order.pk}/transfer", forged).status_code == 422
    order.refresh_from_db()
    assert (order.status, order.category, order.total_days) == (
        OrderStatus.ACTIVE,
        "close_contact",
        10,
    )


def test_the_extend_and_transfer_operations(world, client_for, today):
    order = close_contact_order(world, start=today)
    client = client_for("fulltime")
    extended = post(
        client,
        f"{BASE}/orders/{order.pk}/extend",
        {"days": 2, "reason": "复核", "evidence": "通知"},
    )
    assert extended.status_code == 200 and extended.json()["total_days"] == 12
    moved = post(client, f"{BASE}/orders/{order.pk}/transfer", {"reason": "转院"})
    assert moved.json()["status"] == "transferred" and moved.json()["next_test"] is None
