"""Pages and API: scope, permissions, evidence shown, exports audited and masked, bounded queries."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from python_calamine import CalamineWorkbook

from frontline.conftest import ZHANG_ID, World, make_resident
from frontline.core.models import AuditAction, AuditEntry
from frontline.travel.models import RiskArea, Trip, TripMatch, TripSource
from frontline.travel.services import risk_area_create, trip_record

pytestmark = pytest.mark.django_db


def today() -> dt.date:
    return timezone.localdate()


@pytest.fixture
def chaoyang(world: World) -> RiskArea:
    return risk_area_create(
        actor=world.users["admin"], name="朝阳区", area_code="110105", level="high",
        valid_from=today() - dt.timedelta(days=10),
    )  # fmt: skip


def zhang_trip(world: World, **changes: object) -> Trip:
    values: dict[str, Any] = {
        "area_code": "110105", "place": "北京朝阳", "date_from": today() - dt.timedelta(days=3),
        "date_to": today() - dt.timedelta(days=1),
    }  # fmt: skip
    return trip_record(
        actor=world.users["grid1"],
        resident=world.zhang,
        source=TripSource.WORKER,
        **{**values, **changes},
    )


def test_a_grid_worker_records_a_trip_on_the_page_and_sees_the_match(
    world: World, client_for, chaoyang: RiskArea
) -> None:
    client = client_for("grid1")
    url = reverse("travel:resident_trips", kwargs={"pk": world.zhang.pk})
    response = client.post(url, {
        "place": "北京朝阳望京", "area_code": "110105",
        "date_from": (today() - dt.timedelta(days=2)).isoformat(), "date_to": today().isoformat(),
    })  # fmt: skip
    assert response.status_code == 302
    page = client.get(url).content.decode()
    assert "北京朝阳望京" in page and "朝阳区" in page and 'id="resident-matches"' in page
    screening = client.get(reverse("travel:screening")).content.decode()
    first, last = today() - dt.timedelta(days=2), today()
    assert "张三丰" in screening and f"{first:%Y-%m-%d} ~ {last:%Y-%m-%d}" in screening


def test_the_resident_page_panel_loads_as_a_fragment(
    world: World, client_for, chaoyang: RiskArea
) -> None:
    zhang_trip(world)
    url = reverse("travel:resident_trips", kwargs={"pk": world.zhang.pk})
    fragment = client_for("grid1").get(url, {"fragment": "1"}).content.decode()
    assert fragment.lstrip().startswith("<section") and 'id="resident-matches"' in fragment
    assert "<html" not in fragment


def test_the_trip_form_reports_bad_dates_and_keeps_nothing(world: World, client_for) -> None:
    response = client_for("grid1").post(
        reverse("travel:resident_trips", kwargs={"pk": world.zhang.pk}),
        {
            "place": "上海",
            "date_from": today().isoformat(),
            "date_to": (today() - dt.timedelta(days=1)).isoformat(),
        },
    )
    assert response.status_code == 422
    assert Trip.objects.count() == 0


def test_a_sampler_sees_trips_but_cannot_record_them(world: World, client_for) -> None:
    zhang_trip(world)
    client = client_for("sampler")
    url = reverse("travel:resident_trips", kwargs={"pk": world.zhang.pk})
    page = client.get(url).content.decode()
    assert "北京朝阳" in page and 'id="trip-form"' not in page
    assert (
        client.post(
            url, {"place": "上海", "date_from": today().isoformat(), "date_to": today().isoformat()}
        ).status_code
        == 403
    )


def test_a_grid_worker_gets_404_for_another_grids_resident(world: World, client_for) -> None:
    client = client_for("grid1")
    assert (
        client.get(reverse("travel:resident_trips", kwargs={"pk": world.li.pk})).status_code == 404
    )
    assert client.get(f"/api/v1/travel/residents/{world.li.pk}/trips").status_code == 404


def test_screening_lists_only_the_viewers_residents(
    world: World, client_for, chaoyang: RiskArea
) -> None:
    zhang_trip(world)
    trip_record(actor=world.users["admin"], resident=world.li, source=TripSource.WORKER, area_code="110105",
                date_from=today() - dt.timedelta(days=2), date_to=today())  # fmt: skip
    assert TripMatch.objects.count() == 2
    grid_page = client_for("grid1").get(reverse("travel:screening")).content.decode()
    assert "张三丰" in grid_page and "李四" not in grid_page
    admin_page = client_for("admin").get(reverse("travel:screening")).content.decode()
    assert "张三丰" in admin_page and "李四" in admin_page
    assert (
        client_for("other_admin").get(reverse("travel:screening")).content.decode().count("朝阳区")
        == 0
    )


def test_screening_filters_by_level_kind_and_date(
    world: World, client_for, chaoyang: RiskArea
) -> None:
    zhang_trip(world)
    client = client_for("admin")
    url = reverse("travel:screening")
    assert "张三丰" in client.get(url, {"level": "high"}).content.decode()
    assert "张三丰" not in client.get(url, {"level": "medium"}).content.decode()
    assert "张三丰" not in client.get(url, {"kind": "possible"}).content.decode()
    assert "张三丰" not in client.get(url, {"since": today().isoformat()}).content.decode()
    assert "张三丰" in client.get(url, {"until": today().isoformat()}).content.decode()


def test_the_screening_list_runs_a_bounded_number_of_queries(
    world: World, client_for, chaoyang: RiskArea, django_assert_max_num_queries
) -> None:  # type: ignore[no-untyped-def]
    client = client_for("admin")
    zhang_trip(world)
    with django_assert_max_num_queries(12) as few:
        client.get(reverse("travel:screening"))
    for n in range(15):
        someone = make_resident(world.household1, name=f"居民{n}")
        trip_record(actor=world.users["admin"], resident=someone, source=TripSource.WORKER, area_code="110105",
                    date_from=today(), date_to=today())  # fmt: skip
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("travel:screening"))


def test_the_risk_area_list_runs_a_bounded_number_of_queries(
    world: World, client_for, django_assert_max_num_queries
) -> None:  # type: ignore[no-untyped-def]
    client = client_for("officer")
    risk_area_create(actor=None, name="a", area_code="110105", level="high", valid_from=today())
    with django_assert_max_num_queries(12) as few:
        client.get(reverse("travel:areas"))
    for n in range(15):
        risk_area_create(
            actor=None, name=f"区{n}", place=f"地点{n}", level="low", valid_from=today()
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(reverse("travel:areas")).content.decode()
    assert "区14" in page


def test_the_export_is_masked_and_audited(world: World, client_for, chaoyang: RiskArea) -> None:
    zhang_trip(world)
    response = client_for("admin").get(reverse("travel:screening_export"), {"level": "high"})
    assert response.status_code == 200
    content = b"".join(response.streaming_content)
    rows = CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_index(0).to_python()
    assert rows[1][0] == "张三丰" and rows[1][1] == "110105********002X"
    assert ZHANG_ID not in str(rows)
    entry = AuditEntry.objects.get(action=AuditAction.EXPORT)
    assert entry.actor == world.users["admin"] and entry.details["rows"] == 1
    assert entry.details["filters"]["level"] == "high"


def test_the_officer_manages_risk_areas_but_sees_no_screening(
    world: World, client_for, chaoyang: RiskArea
) -> None:
    client = client_for("officer")
    assert client.get(reverse("travel:areas")).status_code == 200
    response = client.post(reverse("travel:area_create"), {
        "name": "浦东", "area_code": "310115", "level": "medium", "valid_from": today().isoformat(),
    })  # fmt: skip
    assert response.status_code == 302 and RiskArea.objects.filter(name="浦东").exists()
    assert client.get(reverse("travel:screening")).status_code == 403
    assert client.get("/api/v1/travel/matches").status_code == 403


def test_risk_areas_are_read_only_without_the_right_to_manage_them(
    world: World, client_for, chaoyang: RiskArea
) -> None:
    client = client_for("sampler")
    page = client.get(reverse("travel:areas")).content.decode()
    assert "朝阳区" in page and reverse("travel:area_create") not in page
    assert client.get(reverse("travel:area_edit", kwargs={"pk": chaoyang.pk})).status_code == 403
    assert client.post(reverse("travel:area_end", kwargs={"pk": chaoyang.pk})).status_code == 403
    assert client_for("volunteer").get(reverse("travel:areas")).status_code == 403


def test_ending_an_area_today_from_the_list(world: World, client_for, chaoyang: RiskArea) -> None:
    response = client_for("fulltime").post(reverse("travel:area_end", kwargs={"pk": chaoyang.pk}))
    assert response.status_code == 302
    chaoyang.refresh_from_db()
    assert chaoyang.valid_to == today()


def test_the_risk_area_list_searches_and_sorts(world: World, client_for) -> None:
    for name, code in (("朝阳区", "110105"), ("海淀区", "110108"), ("浦东新区", "310115")):
        risk_area_create(actor=None, name=name, area_code=code, level="high", valid_from=today())
    client = client_for("admin")
    page = client.get(reverse("travel:areas"), {"q": "1101", "sort": "name"}).content.decode()
    assert "朝阳区" in page and "海淀区" in page and "浦东新区" not in page
    assert (
        client.get(reverse("travel:areas"), {"q": "浦东"}, HTTP_HX_REQUEST="true")
        .content.decode()
        .count("<tr>")
        == 2
    )


def test_importing_trips_through_the_page_reports_bad_rows(world: World, client_for) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    csv = f"身份证号,地点,开始,结束\n{ZHANG_ID},北京,2022-11-01,2022-11-03\n999,上海,2022-11-01,2022-11-03\n"
    response = client_for("admin").post(
        reverse("travel:trip_import"), {"file": SimpleUploadedFile("t.csv", csv.encode())}
    )
    assert response.status_code == 422
    assert 'id="problem-table"' in response.content.decode()
    assert Trip.objects.count() == 0


def test_the_api_manages_areas_and_records_and_lists_trips(world: World, client_for) -> None:
    admin = client_for("admin")
    created = admin.post("/api/v1/travel/risk-areas", {"name": "朝阳区", "area_code": "110105", "level": "high",
                         "valid_from": (today() - dt.timedelta(days=5)).isoformat()}, content_type="application/json")  # fmt: skip
    assert created.status_code == 201
    area_id = created.json()["id"]
    bad = admin.post(
        f"/api/v1/travel/residents/{world.zhang.pk}/trips",
        {"place": ""},
        content_type="application/json",
    )
    assert bad.status_code == 422 and {"place", "date_from", "date_to"} <= set(bad.json()["detail"])
    trip = admin.post(f"/api/v1/travel/residents/{world.zhang.pk}/trips", {
        "area_code": "110100", "date_from": (today() - dt.timedelta(days=1)).isoformat(), "date_to": today().isoformat(),
    }, content_type="application/json")  # fmt: skip
    assert trip.status_code == 201
    assert [
        t["area_code"] for t in admin.get(f"/api/v1/travel/residents/{world.zhang.pk}/trips").json()
    ] == ["110100"]
    matches = admin.get("/api/v1/travel/matches").json()
    assert matches["count"] == 1
    item = matches["items"][0]
    assert (item["kind"], item["days"], item["document_number"]) == (
        "possible",
        2,
        "110105********002X",
    )
    patched = admin.patch(
        f"/api/v1/travel/risk-areas/{area_id}", {"level": "medium"}, content_type="application/json"
    )
    assert patched.json()["level"] == "medium"
    assert admin.delete(f"/api/v1/travel/risk-areas/{area_id}").status_code == 422
    ended = admin.post(f"/api/v1/travel/risk-areas/{area_id}/end")
    assert ended.json()["valid_to"] == today().isoformat()
    assert (
        client_for("sampler")
        .post("/api/v1/travel/risk-areas", {}, content_type="application/json")
        .status_code
        == 403
    )
    assert client_for("officer").get("/api/v1/travel/risk-areas").json()["count"] == 1
