"""The worker pages and the API of the notices."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from frontline.outreach.models import Notice, NoticeStatus, OutreachSettings, WecomRobot

from .conftest import BODY, EN


def test_a_full_time_worker_composes_and_sends_a_notice_from_the_pages(
    world, client_for, django_capture_on_commit_callbacks
):
    client = client_for("fulltime")
    expires = (timezone.localtime() + dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        reverse("outreach:notice_create"),
        {"community": world.community.pk, "title": "疫苗接种", "body": BODY,
         "expires_at": expires, "grids": [world.grid1.pk], "channels": ["portal", "sms"]},
    )  # fmt: skip
    notice = Notice.objects.get()
    assert response.status_code == 302 and notice.status == NoticeStatus.DRAFT
    detail = client.get(reverse("outreach:notice", kwargs={"pk": notice.pk}), **EN)
    assert "It would reach 1 household now." in detail.content.decode()
    assert "<strong>8:00-12:00</strong>" in detail.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("outreach:notice_send", kwargs={"pk": notice.pk}))

    notice.refresh_from_db()
    assert notice.status == NoticeStatus.SENT and notice.household_count == 1
    page = client.get(reverse("outreach:notice", kwargs={"pk": notice.pk}), **EN).content.decode()
    assert "delivery-summary" in page
    listing = client.get(reverse("outreach:notices"), **EN).content.decode()
    assert "疫苗接种" in listing and "0 / 1" in listing


def test_the_compose_page_names_every_bad_field(world, client_for):
    response = client_for("admin").post(
        reverse("outreach:notice_create"), {"community": world.community.pk}, **EN
    )
    assert response.status_code == 422
    assert not Notice.objects.exists()


def test_workers_without_the_permission_cannot_open_the_notices(world, client_for, compose):
    notice = compose()
    for role in ("parttime", "grid1", "volunteer", "officer"):
        client = client_for(role)
        assert client.get(reverse("outreach:notices")).status_code == 403
        assert client.get(reverse("outreach:notice", kwargs={"pk": notice.pk})).status_code == 404


def test_the_flyer_prints_the_notice_with_the_household_qr_and_the_hotline(
    world, client_for, compose
):
    world.community.hotline = "010-12345678"
    world.community.save(update_fields=["hotline"])
    notice = compose()

    page = client_for("admin").get(reverse("outreach:flyer", kwargs={"pk": notice.pk}), **EN)

    html = page.content.decode()
    assert "size: A4" in html and "@media print" in html
    assert "<svg" in html and 'id="household-qr"' in html
    assert "010-12345678" in html and "<li>请提前储水</li>" in html


def test_the_admin_sets_the_channels_and_a_bad_url_loses_nothing(world, client_for):
    client = client_for("admin")
    url = reverse("outreach:settings", kwargs={"pk": world.community.pk})
    good = {
        "email_addresses": "office@example.org", "community_webhook": "https://example.org/hook",
        f"grid_{world.grid1.pk}": "https://example.org/grid1", f"grid_{world.grid2.pk}": "",
    }  # fmt: skip
    assert client.post(url, good).status_code == 302
    assert OutreachSettings.objects.get().email_list == ["office@example.org"]
    assert WecomRobot.objects.count() == 2

    bad = {**good, "community_webhook": "not a url", "email_addresses": "x@example.org"}
    response = client.post(url, bad, **EN)
    assert response.status_code == 422
    assert OutreachSettings.objects.get().email_list == ["office@example.org"]
    assert client_for("parttime").get(url).status_code == 404


def test_the_api_creates_sends_and_reports_a_notice(
    world, client_for, django_capture_on_commit_callbacks
):
    client = client_for("admin")
    created = client.post(
        "/api/v1/outreach/notices",
        {"community_id": world.community.pk, "title": "停电通知", "body": "今晚停电",
         "expires_at": (timezone.now() + dt.timedelta(days=1)).isoformat(),
         "channels": ["portal"], "building_ids": [world.building2.pk]},
        content_type="application/json",
    )  # fmt: skip
    assert created.status_code == 201, created.content
    notice_id = created.json()["id"]
    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post(f"/api/v1/outreach/notices/{notice_id}/send")
    assert sent.json()["household_count"] == 1
    again = client.post(f"/api/v1/outreach/notices/{notice_id}/send")
    assert again.status_code == 422 and set(again.json()) == {"message", "detail"}

    report = client.get(f"/api/v1/outreach/notices/{notice_id}/acknowledgements?hours=0").json()
    assert [(b["households"], b["read"]) for b in report["buildings"]] == [(1, 0)]
    assert [h["household_id"] for h in report["not_reached"]] == [world.household2.pk]
    tasks = client.post(
        f"/api/v1/outreach/notices/{notice_id}/door-to-door", {"hours": 0},
        content_type="application/json",
    )  # fmt: skip
    assert tasks.status_code == 201 and tasks.json()["created"] == 1
    listing = client.get("/api/v1/outreach/notices").json()
    assert listing["count"] == 1
    assert client_for("other_admin").get(f"/api/v1/outreach/notices/{notice_id}").status_code == 404
