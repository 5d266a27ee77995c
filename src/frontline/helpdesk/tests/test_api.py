"""The help desk's API: the same services, scope and error shape as the pages."""

from __future__ import annotations

from frontline.helpdesk.models import HelpRequest


def test_a_request_is_received_listed_and_resolved_through_the_api(world, client_for):
    client = client_for("fulltime")
    created = client.post(
        "/api/v1/helpdesk/requests",
        {"resident_id": world.li.pk, "category": "food", "text": "没菜了", "urgent": True},
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["channel"], body["urgency"], body["urgent_reasons"]) == (
        "api",
        "urgent",
        ["reported"],
    )
    assert [e["kind"] for e in body["events"]] == ["received", "assigned"]
    listed = client.get("/api/v1/helpdesk/requests", {"urgency": "urgent"}).json()
    assert listed["count"] == 1 and listed["items"][0]["id"] == body["id"]
    step = f"/api/v1/helpdesk/requests/{body['id']}/steps"
    bad = client.post(step, {"action": "resolve"}, content_type="application/json",
                      HTTP_ACCEPT_LANGUAGE="en")  # fmt: skip
    assert bad.status_code == 422 and set(bad.json()) == {"message", "detail"}
    done = client.post(
        step, {"action": "resolve", "resolution": "已送"}, content_type="application/json"
    )
    assert done.json()["status"] == "resolved"
    assert HelpRequest.objects.get().resolution == "已送"


def test_a_grid_worker_gets_404_for_another_grid_and_the_officer_403(world, client_for):
    created = client_for("admin").post(
        "/api/v1/helpdesk/requests", {"resident_id": world.li.pk, "category": "other", "text": "咨询"},
        content_type="application/json",
    ).json()  # fmt: skip
    assert client_for("grid1").get(f"/api/v1/helpdesk/requests/{created['id']}").status_code == 404
    assert client_for("grid1").get("/api/v1/helpdesk/requests").json()["count"] == 0
    assert client_for("officer").get("/api/v1/helpdesk/requests").status_code == 403


def test_the_admin_reads_and_sets_the_settings(world, client_for):
    client = client_for("admin")
    url = f"/api/v1/helpdesk/settings/{world.community.pk}"
    assert "断药" in client.get(url).json()["keywords"]
    changed = client.put(
        url, {"keywords": ["高烧"], "service_levels": [
            {"category": "food", "urgency": "urgent", "take_minutes": 10, "resolve_minutes": 60}]},
        content_type="application/json",
    ).json()  # fmt: skip
    assert changed["keywords"] == ["高烧"] and "living_alone+senior" in changed["tag_rules"]
    assert {
        "category": "food",
        "urgency": "urgent",
        "take_minutes": 10,
        "resolve_minutes": 60,
    } in changed["service_levels"]
    assert client_for("fulltime").get(url).status_code == 404


def test_a_photo_is_added_through_the_api_once_and_served_to_the_grid(
    world, client_for, settings, tmp_path
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.DATA_DIR = tmp_path
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
    client = client_for("fulltime")
    created = client.post(
        "/api/v1/helpdesk/requests", {"resident_id": world.zhang.pk, "category": "utilities",
                                      "text": "厨房漏水"}, content_type="application/json",
    ).json()  # fmt: skip
    assert created["has_photo"] is False
    url = f"/api/v1/helpdesk/requests/{created['id']}/photo"
    assert client.get(url).status_code == 404
    none = client.post(url, {}, HTTP_ACCEPT_LANGUAGE="en")
    assert none.json()["detail"] == {"photo": ["Choose a photo."]}
    text = SimpleUploadedFile("note.png", b"not a picture", content_type="image/png")
    refused = client.post(url, {"photo": text}, HTTP_ACCEPT_LANGUAGE="en")
    assert refused.status_code == 422
    assert refused.json()["detail"] == {"photo": ["Send the photo as a JPEG, PNG or WebP picture."]}
    added = client.post(url, {"photo": SimpleUploadedFile("leak.png", png)})
    assert added.status_code == 200 and added.json()["has_photo"] is True
    assert added.json()["events"][-1]["kind"] == "note"
    again = client.post(
        url, {"photo": SimpleUploadedFile("leak.png", png)}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert again.json()["detail"] == {"photo": ["This request already has a photo."]}
    assert b"".join(client_for("grid1").get(url).streaming_content) == png
    assert client_for("counsellor").get(url).status_code == 404
    assert client_for("other_admin").get(url).status_code == 404
