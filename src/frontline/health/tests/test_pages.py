import pytest
from django.template import Context, RequestContext, Template
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation

from frontline.conftest import make_household, make_resident
from frontline.core.models import AuditAction, AuditEntry
from frontline.health.models import Checkin, CheckinSource
from frontline.health.services import checkin_record, household_link_issue
from frontline.tasks.models import Task


def add_neighbours(world, count, start=0):
    for i in range(start, start + count):
        household = make_household(world.building1, "1", f"{100 + i}")
        make_resident(household, name=f"赵{i}", phone=f"1390000{i:04d}")


def test_the_batch_page_lists_present_residents_with_a_bounded_query_count(
    world, client_for, django_assert_max_num_queries
):
    client = client_for("grid1")
    url = reverse("health:building_batch", kwargs={"pk": world.building1.pk})
    add_neighbours(world, 2)
    with django_assert_max_num_queries(12) as few:
        client.get(url)
    add_neighbours(world, 20, start=2)
    checkin_record(resident=world.zhang, temperature="36.6", source=CheckinSource.WORKER_PAGE,
                   actor=world.users["admin"])  # fmt: skip
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(url).content.decode()
    assert page.count('class="border rounded p-2 mb-1 checkin-row') == 23
    assert "张三丰" in page and "李四" not in page


def test_a_batch_row_saves_on_its_own_and_records_the_worker(world, client_for):
    client = client_for("grid1")
    url = reverse("health:resident_checkin", kwargs={"pk": world.zhang.pk})
    response = client.post(
        url,
        {"temperature": "38.2", "antigen": "none", "whereabouts": "home"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert f'id="row-{world.zhang.pk}"' in response.content.decode()
    checkin = Checkin.objects.get()
    assert (checkin.recorded_by, checkin.source, checkin.abnormal) == (
        world.users["grid1"],
        "worker",
        True,
    )
    assert Task.objects.get().owner == world.users["grid1"]


def test_a_failed_row_stays_filled_with_its_errors_and_writes_nothing(world, client_for):
    client = client_for("grid1")
    url = reverse("health:resident_checkin", kwargs={"pk": world.zhang.pk})
    with translation.override("en"):
        response = client.post(url, {"temperature": "33", "antigen": "positive", "whereabouts": "home",
                                     "symptoms": ["cough"]}, HTTP_HX_REQUEST="true",
                               HTTP_ACCEPT_LANGUAGE="en")  # fmt: skip
    body = response.content.decode()
    assert response.status_code == 422
    assert "between 34.0 and 43.0" in body and 'value="33"' in body
    assert 'value="cough" checked' in body and '<option value="positive" selected>' in body
    assert not Checkin.objects.exists()


def test_a_grid_worker_cannot_enter_check_ins_for_another_grid(world, client_for):
    client = client_for("grid1")
    assert (
        client.get(reverse("health:building_batch", kwargs={"pk": world.building2.pk})).status_code
        == 404
    )
    response = client.post(
        reverse("health:resident_checkin", kwargs={"pk": world.li.pk}), {"temperature": "36.5"}
    )
    assert response.status_code == 404
    assert (
        client_for("sampler")
        .get(reverse("health:building_batch", kwargs={"pk": world.building1.pk}))
        .status_code
        == 403
    )


def test_the_not_checked_in_list_leaves_out_who_checked_in_with_a_bounded_query_count(
    world, client_for, django_assert_max_num_queries
):
    client = client_for("fulltime")
    url = reverse("health:building_missing", kwargs={"pk": world.building1.pk})
    add_neighbours(world, 2)
    with django_assert_max_num_queries(12) as few:
        client.get(url)
    add_neighbours(world, 20, start=2)
    checkin_record(resident=world.zhang, temperature="36.6", source=CheckinSource.WORKER_PAGE,
                   actor=world.users["admin"])  # fmt: skip
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(url).content.decode()
    assert "赵0" in page and "赵21" in page and "张三丰" not in page
    grid_page = client.get(
        reverse("health:grid_missing", kwargs={"pk": world.grid2.pk})
    ).content.decode()
    assert "李四" in grid_page and "赵0" not in grid_page


def test_the_call_list_shows_masked_phones_and_is_audited(world, client_for):
    client = client_for("grid1")
    url = reverse("health:building_missing", kwargs={"pk": world.building1.pk}) + "?calls=1"
    page = client.get(url).content.decode()
    assert "张三丰" in page and "138****5678" in page and "13812345678" not in page
    assert "window.print()" in page
    assert (
        AuditEntry.objects.filter(action=AuditAction.EXPORT, actor=world.users["grid1"]).count()
        == 1
    )


def test_the_overview_shows_today_and_the_rate_per_grid(
    world, client_for, django_assert_max_num_queries
):
    checkin_record(resident=world.zhang, temperature="36.6", source=CheckinSource.WORKER_PAGE,
                   actor=world.users["admin"])  # fmt: skip
    client = client_for("admin")
    with django_assert_max_num_queries(12):
        page = client.get(reverse("health:overview")).content.decode()
    assert "100%" in page and "第二网格" in page
    assert client_for("officer").get(reverse("health:overview")).status_code == 403


def test_issuing_a_link_shows_it_once_and_the_sheet_prints_every_household(world, client_for):
    client = client_for("grid1")
    response = client.post(reverse("health:household_issue", kwargs={"pk": world.household1.pk}))
    body = response.content.decode()
    assert response.status_code == 200 and "/h/" in body and "<svg" in body
    sheet = client.get(
        reverse("health:building_sheet", kwargs={"pk": world.building1.pk})
    ).content.decode()
    assert sheet.count('class="qr-card"') == 1 and "3-2-401" in sheet and "@page" in sheet
    assert AuditEntry.objects.filter(action=AuditAction.EXPORT, fields=["household_link"]).exists()
    links = client.get(
        reverse("health:building_links", kwargs={"pk": world.building1.pk})
    ).content.decode()
    assert "Revoke" in links or "撤销" in links or "revoke" in links
    assert (
        client.get(reverse("health:building_sheet", kwargs={"pk": world.building2.pk})).status_code
        == 404
    )


def test_revoking_through_the_page_stops_the_link(world, client_for):
    link, token = household_link_issue(actor=world.users["admin"], household=world.household1)
    response = client_for("grid1").post(reverse("health:link_revoke", kwargs={"pk": link.pk}))
    assert response.status_code == 302
    assert client_for("grid1").get(f"/h/{token}/").status_code == 404


def test_the_resident_page_partial_shows_recent_check_ins_only_to_health_viewers(world):
    checkin_record(resident=world.zhang, temperature="37.9", source=CheckinSource.WORKER_PAGE,
                   actor=world.users["admin"])  # fmt: skip
    template = Template('{% include "health/resident_checkins.html" %}')

    def render(user):
        request = RequestFactory().get("/")
        request.user = user
        return template.render(RequestContext(request, {"resident": world.zhang}))

    assert "37.9" in render(world.users["grid1"])
    assert "37.9" not in render(world.users["counsellor"])
    assert Template("{% load health %}").render(Context()) == ""


@pytest.mark.parametrize("role", ["officer", "volunteer", "counsellor"])
def test_roles_without_health_access_get_no_health_pages(world, client_for, role):
    client = client_for(role)
    assert client.get(reverse("health:overview")).status_code == 403
    assert client.get(
        reverse("health:building_missing", kwargs={"pk": world.building1.pk})
    ).status_code in (403, 404)


def test_opening_an_antigen_photo_is_audited_and_scoped(world, client_for, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.DATA_DIR = tmp_path
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
    checkin = checkin_record(
        resident=world.zhang, temperature="36.6", antigen="negative", source=CheckinSource.WORKER_PAGE,
        actor=world.users["admin"], photo=SimpleUploadedFile("t.png", png),
    )  # fmt: skip
    url = reverse("health:checkin_photo", kwargs={"pk": checkin.pk})
    response = client_for("grid1").get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == png
    assert (
        AuditEntry.objects.filter(action=AuditAction.REVEAL, fields=["antigen_photo"]).count() == 1
    )
    assert client_for("other_admin").get(url).status_code == 404
    assert client_for("counsellor").get(url).status_code in (403, 404)
    assert AuditEntry.objects.filter(action=AuditAction.REVEAL).count() == 1
