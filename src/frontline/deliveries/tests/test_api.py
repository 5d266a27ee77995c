"""The API: rounds for those who plan them, a volunteer's own parcels and their status."""

from __future__ import annotations

import json

from frontline.deliveries.models import Delivery, DeliveryStatus
from frontline.deliveries.tests.factories import started_round


def post(client, url, body):  # type: ignore[no-untyped-def]
    return client.post(url, json.dumps(body), content_type="application/json")


def test_a_round_is_drafted_previewed_and_started_through_the_api(world, room, client_for):
    admin = client_for("admin")
    created = post(admin, "/api/v1/deliveries/rounds", {
        "community_id": world.community.pk, "name": "第二轮", "warehouse_id": room.warehouse.pk,
        "lines": [{"item_id": room.vegetables.pk, "basis": "household", "quantity": 1},
                  {"item_id": room.formula.pk, "basis": "tagged_person", "tag": "infant",
                   "quantity": 2}],
    })  # fmt: skip
    assert created.status_code == 201, created.content
    round_id = created.json()["id"]
    assert created.json()["priority"][0] == "dialysis"

    preview = admin.get(f"/api/v1/deliveries/rounds/{round_id}/preview").json()
    assert preview["households"] == 2 and preview["short"] == []
    started = post(
        admin, f"/api/v1/deliveries/rounds/{round_id}/start",
        {"fingerprint": preview["fingerprint"]},
    )  # fmt: skip
    assert started.json()["status"] == "started"
    assert post(admin, f"/api/v1/deliveries/rounds/{round_id}/start", {}).status_code == 422
    listed = admin.get("/api/v1/deliveries/rounds").json()
    assert listed["count"] == 1 and listed["items"][0]["lines"][1]["tag"] == "infant"
    closed = post(admin, f"/api/v1/deliveries/rounds/{round_id}/close", {})
    assert closed.json()["status"] == "closed"


def test_a_draft_with_bad_fields_answers_422_naming_them(world, room, client_for):
    answer = post(client_for("admin"), "/api/v1/deliveries/rounds", {
        "community_id": world.community.pk, "name": "", "warehouse_id": room.warehouse.pk,
        "lines": [],
    })  # fmt: skip
    assert answer.status_code == 422
    assert set(answer.json()["detail"]) == {"name", "lines"}


def test_a_volunteer_lists_and_marks_only_their_parcels(world, room, client_for):
    round, _batch = started_round(
        actor=world.users["admin"], community=world.community, room=room,
        volunteer=world.users["volunteer"],
    )  # fmt: skip
    volunteer = client_for("volunteer")
    mine = volunteer.get("/api/v1/deliveries/mine").json()
    assert {row["household"] for row in mine} == {"3-2-401", "5-1-102"}
    assert {row["phone_tail"] for row in mine} == {"5678", "1111"}
    assert "张三丰" not in json.dumps(mine, ensure_ascii=False)

    parcel = Delivery.objects.get(round=round, household=world.household2)
    marked = post(volunteer, f"/api/v1/deliveries/{parcel.pk}/status",
                  {"status": "failed", "reason": "nobody_home"})  # fmt: skip
    assert marked.status_code == 200 and marked.json()["status"] == DeliveryStatus.FAILED
    refused = post(volunteer, f"/api/v1/deliveries/{parcel.pk}/status", {"status": "lost"})
    assert refused.status_code == 422 and "status" in refused.json()["detail"]
    assert client_for("volunteer").get("/api/v1/deliveries/rounds").status_code == 403
    assert client_for("sampler").get("/api/v1/deliveries/mine").status_code == 403
    parttime = client_for("parttime")  # delivers too, but this parcel is not in their batch
    assert (
        post(parttime, f"/api/v1/deliveries/{parcel.pk}/status", {"status": "out"}).status_code
        == 404
    )
