"""Screenings through the API: the same services, errors per answer, scope."""

from __future__ import annotations

from frontline.care.models import Screening
from frontline.care.services import care_settings_update
from frontline.care.tests.conftest import CRISIS_PHQ9, EN
from frontline.tasks.models import Task


def test_a_worker_records_a_crisis_and_gets_the_hotlines_back(world, client_for):
    care_settings_update(
        actor=world.users["admin"], community=world.community, hotlines="心理援助热线：12356",
        crisis_sla_minutes=60,
    )  # fmt: skip
    response = client_for("grid1").post(
        "/api/v1/care/screenings",
        {"resident_id": world.zhang.pk, "instrument": "phq9", "answers": CRISIS_PHQ9},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["total"], body["band"], body["urgent"]) == (5, "mild", True)
    assert body["hotlines"] == ["心理援助热线：12356"]
    assert Task.objects.filter(priority=4).count() == 2


def test_bad_answers_get_422_naming_each_one(world, client_for):
    response = client_for("counsellor").post(
        "/api/v1/care/screenings",
        {"resident_id": world.zhang.pk, "instrument": "gad7", "answers": [0, 1, 2, 3, 4, "x", True]},
        content_type="application/json", **EN,
    )  # fmt: skip
    assert response.status_code == 422
    assert set(response.json()["detail"]) == {"item_5", "item_6", "item_7"}
    short = client_for("counsellor").post(
        "/api/v1/care/screenings",
        {"resident_id": world.zhang.pk, "instrument": "phq9", "answers": [0]},
        content_type="application/json", **EN,
    )  # fmt: skip
    assert short.json()["detail"] == {"answers": ["PHQ-9 has 9 questions; 1 answer was given."]}
    assert Screening.objects.count() == 0


def test_the_list_detail_and_trend_are_scoped(world, client_for, record):
    mine = record("gad7", [1] * 7)
    theirs = record("gad7", [0] * 7, resident=world.li)
    grid1 = client_for("grid1")
    listed = grid1.get("/api/v1/care/screenings").json()
    assert listed["count"] == 1 and listed["items"][0]["id"] == mine.pk
    assert grid1.get(f"/api/v1/care/screenings/{theirs.pk}").status_code == 404
    assert grid1.get(f"/api/v1/care/residents/{world.li.pk}/screenings").status_code == 404
    trend = client_for("counsellor").get(f"/api/v1/care/residents/{world.li.pk}/screenings")
    assert [s["id"] for s in trend.json()] == [theirs.pk]
    assert client_for("sampler").get("/api/v1/care/screenings").status_code == 403
    outside = client_for("other_admin").post(
        "/api/v1/care/screenings",
        {"resident_id": world.zhang.pk, "instrument": "gad2", "answers": [0, 0]},
        content_type="application/json",
    )
    assert outside.status_code == 404


def test_the_instruments_carry_both_wordings(world, client_for):
    found = {i["code"]: i for i in client_for("grid1").get("/api/v1/care/instruments").json()}
    assert found["phq2"]["full"] == "phq9" and len(found["phq9"]["items"]) == 9
    assert found["gad7"]["options"][3] == {"number": 3, "zh": "几乎每天", "en": "Nearly every day"}


def test_the_admin_sets_the_hotlines_through_the_api(world, client_for):
    url = f"/api/v1/care/settings/{world.community.pk}"
    saved = client_for("admin").put(
        url, {"hotlines": ["12356"], "crisis_sla_minutes": 20}, content_type="application/json"
    )
    assert saved.status_code == 200 and saved.json()["crisis_sla_minutes"] == 20
    assert client_for("counsellor").get(url).json()["hotlines"] == ["12356"]
    refused = client_for("counsellor").put(
        url, {"hotlines": [], "crisis_sla_minutes": 20}, content_type="application/json"
    )
    assert refused.status_code == 403
