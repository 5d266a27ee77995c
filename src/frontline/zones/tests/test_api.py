"""Zones through the API: list, one zone, raise on a case, step down and lift only when due."""

from __future__ import annotations

import datetime as dt

import pytest

from frontline.zones.models import Zone
from frontline.zones.selectors import today
from frontline.zones.services import zone_raise
from frontline.zones.tests.factories import case_of

BASE = "/api/v1/zones/zones"


@pytest.fixture
def ninth_now(world):  # type: ignore[no-untyped-def]
    from frontline.control.tests.factories import ninth_in_force_from

    return ninth_in_force_from(world, today() - dt.timedelta(days=10))


def post(client, url: str, body: dict):  # type: ignore[no-untyped-def, type-arg]
    return client.post(url, body, content_type="application/json")


def test_a_worker_raises_a_zone_on_a_case_and_reads_it_back(world, client_for, ninth_now):
    case = case_of(world, day=today())
    client = client_for("fulltime")
    created = post(client, BASE, {"building_id": world.building1.pk, "level": "high",
                                  "case_id": case.pk})  # fmt: skip
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["level"] == "high" and body["building"] == "3" and body["review"]["due"] is False
    assert [event["kind"] for event in body["events"]] == ["raised"]
    listed = client.get(BASE, {"community": world.community.pk}).json()
    assert listed["count"] == 1 and listed["items"][0]["id"] == body["id"]
    assert (
        client.get(f"{BASE}/{body['id']}").json()["review"]["step_down_on"]
        == (today() + dt.timedelta(days=8)).isoformat()
    )


def test_raising_without_a_case_in_the_place_is_422_and_changes_nothing(
    world, client_for, ninth_now
):
    elsewhere = case_of(world, world.li, day=today())
    client = client_for("fulltime")
    response = post(client, BASE, {"building_id": world.building1.pk, "level": "high",
                                   "case_id": elsewhere.pk})  # fmt: skip
    assert response.status_code == 422
    missing = post(client, BASE, {"level": "high"})
    assert missing.status_code == 422
    assert {"place", "case_id"} <= set(missing.json()["detail"])
    assert not Zone.objects.exists()


def test_stepping_down_through_the_api_waits_for_the_rule_set(world, client_for, ninth_now):
    day = today() - dt.timedelta(days=7)
    zone = zone_raise(place=world.building1, level="high", case=case_of(world, day=day),
                      actor=world.users["admin"], on=day)  # fmt: skip
    client = client_for("admin")
    early = post(client, f"{BASE}/{zone.pk}/step-down", {"reason": "想早点解封"})
    assert early.status_code == 422 and Zone.objects.get().level == "high"
    wrong = post(client, f"{BASE}/{zone.pk}/lift", {"reason": ""})
    assert wrong.status_code == 422 and Zone.objects.get().lifted_on is None


def test_a_due_zone_steps_down_through_the_api(world, client_for, ninth_now):
    day = today() - dt.timedelta(days=8)
    zone = zone_raise(place=world.building1, level="high", case=case_of(world, day=day),
                      actor=world.users["admin"], on=day)  # fmt: skip
    response = post(client_for("admin"), f"{BASE}/{zone.pk}/step-down", {"reason": ""})
    assert response.status_code == 200 and response.json()["level"] == "medium"


def test_api_scope_and_permissions(world, client_for, ninth_now):
    zone = zone_raise(place=world.building1, level="high", case=case_of(world, day=today()),
                      actor=world.users["admin"], on=today())  # fmt: skip
    assert client_for("other_admin").get(f"{BASE}/{zone.pk}").status_code == 404
    assert post(client_for("grid1"), f"{BASE}/{zone.pk}/lift", {}).status_code == 403
    assert client_for("officer").get(BASE).status_code == 403
    assert client_for("other_admin").get(BASE).json()["count"] == 0
