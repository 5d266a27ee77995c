from django.test import Client
from django.utils import translation

from frontline.accounts.tokens import token_create
from frontline.health.models import Checkin
from frontline.tasks.models import Task


def api_client(world, name):
    _row, token = token_create(user=world.users[name], name="test")
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}")


def test_a_worker_records_and_lists_check_ins_through_the_api(world):
    client = api_client(world, "grid1")
    url = f"/api/v1/health/residents/{world.zhang.pk}/checkins"
    response = client.post(
        url, {"temperature": 37.6, "symptoms": ["cough"]}, content_type="application/json"
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (
        body["abnormal"] is True
        and body["source"] == "api"
        and body["task_id"] == Task.objects.get().pk
    )
    listed = client.get(url).json()
    assert [row["id"] for row in listed] == [body["id"]] and listed[0]["temperature"] == "37.6"


def test_the_api_names_every_bad_field(world):
    client = api_client(world, "grid1")
    with translation.override("en"):
        response = client.post(
            f"/api/v1/health/residents/{world.zhang.pk}/checkins",
            {"temperature": "hot", "antigen": "maybe"}, content_type="application/json",
        )  # fmt: skip
    assert response.status_code == 422
    assert set(response.json()["detail"]) == {"temperature", "antigen"}
    assert not Checkin.objects.exists()


def test_the_not_checked_in_api_lists_masked_phones_in_scope(world):
    client = api_client(world, "fulltime")
    body = client.get(f"/api/v1/health/buildings/{world.building1.pk}/not-checked-in").json()
    assert body["count"] == 1 and body["items"][0]["name"] == "张三丰"
    assert body["items"][0]["phone"] == "138****5678"
    assert (
        api_client(world, "grid1")
        .get(f"/api/v1/health/buildings/{world.other_building.pk}/not-checked-in")
        .status_code
        == 404
    )
    assert (
        api_client(world, "officer")
        .get(f"/api/v1/health/buildings/{world.building1.pk}/not-checked-in")
        .status_code
        == 404
    )
