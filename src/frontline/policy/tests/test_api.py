"""The policy API: rule sets with their rules, and the schedule calculation."""

from __future__ import annotations

import pytest
from django.test import Client

from frontline.policy.models import RuleSet

BASE = "/api/v1/policy/rule-sets"


def test_the_list_names_every_rule_set_and_the_one_in_force(presets, client_for):
    rows = client_for("grid1").get(BASE).json()
    assert {row["name"] for row in rows} == {rule_set.name for rule_set in presets.values()}
    assert [row["name"] for row in rows if row["in_force_today"]] == [presets["class-b"].name]


def test_a_rule_set_comes_with_its_rules_in_plain_words(presets, client_for):
    ninth = presets["ninth-edition"]
    body = client_for("officer").get(f"{BASE}/{ninth.pk}", HTTP_ACCEPT_LANGUAGE="en").json()
    close = next(row for row in body["categories"] if row["category"] == "close_contact")
    assert close["phases"] == [
        {"measure": "centralised_isolation", "days": 7, "test_days": [1, 2, 3, 5, 7]},
        {"measure": "home_health_monitoring", "days": 3, "test_days": [3]},
    ]
    assert close["total_days"] == 10
    assert close["summary"].startswith("Close contact: 7 days of centralised isolation")
    assert {(zone["level"], zone["designated"]) for zone in body["zone_rules"]} == {
        ("high", True), ("medium", False), ("medium", True), ("low", True),
    }  # fmt: skip


def test_the_schedule_of_a_9th_edition_close_contact(presets, client_for):
    response = client_for("sampler").post(
        f"{BASE}/{presets['ninth-edition'].pk}/schedule",
        {"category": "close_contact", "start": "2022-07-01"},
        content_type="application/json",
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["outcome"], body["total_days"], body["release_on"]) == (
        "scheduled",
        10,
        "2022-07-11",
    )
    assert [phase["test_dates"] for phase in body["phases"]] == [
        ["2022-07-01", "2022-07-02", "2022-07-03", "2022-07-05", "2022-07-07"],
        ["2022-07-10"],
    ]


def test_bad_schedule_input_names_every_field(presets, client_for):
    response = client_for("grid1").post(
        f"{BASE}/{presets['ninth-edition'].pk}/schedule",
        {"category": "martian", "start": "yesterday"},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert set(response.json()["detail"]) == {"category", "start"}


@pytest.mark.parametrize("role", ["volunteer", "counsellor"])
def test_roles_without_health_or_policy_work_get_403(presets, client_for, role):
    client = client_for(role)
    assert client.get(BASE).status_code == 403
    assert client.get(f"{BASE}/{presets['class-b'].pk}").status_code == 403


def test_a_missing_rule_set_is_404_and_anonymous_callers_401(presets, client_for):
    missing = RuleSet.objects.latest("pk").pk + 100
    response = client_for("volunteer").get(f"{BASE}/{missing}")
    assert response.status_code == 404 and set(response.json()) == {"message", "detail"}
    assert Client().get(BASE).status_code == 401
    anonymous = Client().post(f"{BASE}/{missing}/schedule", {}, content_type="application/json")
    assert anonymous.status_code == 401


@pytest.mark.parametrize("role", ["officer", "admin", "grid1", "volunteer", "counsellor"])
def test_every_operation_on_a_missing_rule_set_is_404_for_every_role(presets, client_for, role):
    missing = RuleSet.objects.latest("pk").pk + 100
    client = client_for(role)
    assert client.get(f"{BASE}/{missing}").status_code == 404
    body = {"reason": "x", "field": "phone"}  # whatever the body, the missing set comes first
    response = client.post(f"{BASE}/{missing}/schedule", body, content_type="application/json")
    assert response.status_code == 404 and set(response.json()) == {"message", "detail"}
