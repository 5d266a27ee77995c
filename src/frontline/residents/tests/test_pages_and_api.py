import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from frontline.conftest import ZHANG_ID, make_household, make_resident
from frontline.core.models import AuditAction, AuditEntry


def add_residents(world, count, start=0):
    for index in range(start, start + count):
        household = make_household(world.building1, "9", f"{index + 1:03d}")
        make_resident(household, ("chronic",), name=f"测试{index}", phone=f"1380000{index:04d}")


def count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("url", ["/residents/", "/residents/?q=cs", "/api/v1/residents"])
def test_the_resident_list_runs_a_constant_number_of_queries(world, client_for, url):
    client = client_for("admin")
    add_residents(world, 3)
    few = count_queries(client, url)
    add_residents(world, 30, start=3)
    assert count_queries(client, url) == few


def test_the_detail_page_shows_masked_numbers_only(world, client_for):
    body = (
        client_for("grid1")
        .get(reverse("residents:detail", kwargs={"pk": world.zhang.pk}))
        .content.decode()
    )
    assert "110105********002X" in body and "138****5678" in body
    assert ZHANG_ID not in body and "13812345678" not in body
    assert "reveal-form" not in body  # a grid worker is not offered the reveal


def test_the_page_reveal_is_refused_to_a_grid_worker_and_audited_for_an_admin(world, client_for):
    url = reverse("residents:reveal", kwargs={"pk": world.zhang.pk})
    refused = client_for("grid1").post(url, {"field": "document_number", "reason": "看看"})
    assert refused.status_code == 403 and ZHANG_ID not in refused.content.decode()
    shown = client_for("admin").post(url, {"field": "document_number", "reason": "核实身份"})
    assert ZHANG_ID in shown.content.decode()
    assert AuditEntry.objects.filter(action=AuditAction.REVEAL).count() == 1


def test_the_api_masks_by_default_and_reveals_with_an_audit_entry(world, client_for):
    admin = client_for("admin")
    detail = admin.get(f"/api/v1/residents/{world.zhang.pk}").json()
    assert detail["document_number"] == "110105********002X" and detail["phone"] == "138****5678"
    refused = client_for("grid1").post(
        f"/api/v1/residents/{world.zhang.pk}/reveal",
        {"field": "phone", "reason": "x"},
        content_type="application/json",
    )
    assert refused.status_code == 403 and set(refused.json()) == {"message", "detail"}
    revealed = admin.post(
        f"/api/v1/residents/{world.zhang.pk}/reveal",
        {"field": "phone", "reason": "回访"},
        content_type="application/json",
    )
    assert revealed.json() == {"field": "phone", "value": "13812345678"}
    assert AuditEntry.objects.filter(action=AuditAction.REVEAL, fields=["phone"]).count() == 1


def test_the_api_creates_and_updates_residents_with_one_error_shape(world, client_for):
    admin = client_for("admin")
    bad = admin.post(
        "/api/v1/residents",
        {"household_id": world.household1.pk, "name": "", "document_number": "123", "phone": "555"},
        content_type="application/json",
    )
    assert bad.status_code == 422
    assert set(bad.json()["detail"]) == {"name", "document_number", "phone"}
    created = admin.post(
        "/api/v1/residents",
        {"household_id": world.household1.pk, "name": "孙八", "tags": ["dialysis"]},
        content_type="application/json",
    )
    assert created.status_code == 201 and created.json()["tags"] == ["dialysis"]
    patched = admin.patch(
        f"/api/v1/residents/{created.json()['id']}",
        {"status": "away"},
        content_type="application/json",
    )
    assert patched.json()["status"] == "away" and patched.json()["tags"] == ["dialysis"]


def test_the_api_list_filters_and_paginates(world, client_for):
    add_residents(world, 5)
    page = client_for("admin").get("/api/v1/residents?tag=chronic&limit=2&offset=2").json()
    assert page["count"] == 5 and len(page["items"]) == 2


def test_the_api_accepts_a_bearer_token_and_refuses_a_revoked_one(world):
    from django.test import Client

    from frontline.accounts.tokens import token_create, token_revoke

    token, clear = token_create(user=world.users["grid1"])
    client = Client(headers={"Authorization": f"Bearer {clear}"})
    assert [r["name"] for r in client.get("/api/v1/residents").json()["items"]] == ["张三丰"]
    token_revoke(token=token)
    assert client.get("/api/v1/residents").status_code == 401


def test_the_edit_page_never_puts_the_number_in_the_form_and_keeps_it(world, client_for):
    client = client_for("admin")
    url = reverse("residents:edit", kwargs={"pk": world.zhang.pk})
    assert ZHANG_ID not in client.get(url).content.decode()
    response = client.post(url, {
        "name": "张三丰", "document_type": "resident_id", "document_number": "", "sex": "F",
        "birth_date": "1949-12-31", "phone": "13812345678", "residence_type": "registered",
        "status": "present", "tags": ["living_alone", "chronic"],
    })  # fmt: skip
    assert response.status_code == 302
    world.zhang.refresh_from_db()
    assert world.zhang.document_number == ZHANG_ID
    assert sorted(world.zhang.tag_values) == ["chronic", "living_alone", "senior"]


def test_the_create_page_shows_every_error(world, client_for):
    url = reverse("residents:create") + f"?household={world.household1.pk}"
    response = client_for("grid1").post(url, {
        "name": "周九", "document_type": "resident_id", "document_number": "110105199003070018",
        "residence_type": "registered", "status": "present", "phone": "123",
    })  # fmt: skip
    body = response.content.decode()
    assert response.status_code == 200
    assert "invalid-feedback" in body and body.count("invalid-feedback") >= 2


def test_a_worker_moves_a_resident_through_the_pages(world, client_for):
    client = client_for("admin")
    choices = client.get(reverse("places:household_search") + "?q=5-1").content.decode()
    assert "5-1-102" in choices and "3-2-401" not in choices
    response = client.post(
        reverse("residents:move", kwargs={"pk": world.zhang.pk}),
        {"household": world.household2.pk, "reason": "换房"},
    )
    assert response.status_code == 302
    world.zhang.refresh_from_db()
    assert world.zhang.household == world.household2


def test_a_grid_worker_cannot_move_a_resident_out_of_their_grid_through_the_page(world, client_for):
    response = client_for("grid1").post(
        reverse("residents:move", kwargs={"pk": world.zhang.pk}), {"household": world.household2.pk}
    )
    assert response.status_code == 404
    world.zhang.refresh_from_db()
    assert world.zhang.household == world.household1


def test_moved_out_residents_leave_the_default_list_but_stay_findable(world, client_for):
    client = client_for("admin")
    client.post(
        reverse("residents:move_out", kwargs={"pk": world.zhang.pk}), {"reason": "迁往外地"}
    )
    assert "张三丰" not in client.get(reverse("residents:list")).content.decode()
    assert "张三丰" in client.get(reverse("residents:list") + "?status=moved_out").content.decode()


def test_the_htmx_search_answers_only_the_results_fragment(world, client_for):
    response = client_for("admin").get(
        reverse("residents:list") + "?q=zsf", headers={"HX-Request": "true"}
    )
    body = response.content.decode()
    assert "张三丰" in body and "李四" not in body and "<nav" not in body
