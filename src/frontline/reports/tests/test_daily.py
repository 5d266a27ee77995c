"""The daily upward report: exact figures for a constructed day, scope per role, the .xlsx
layout read back, the audited export and a query count independent of the residents."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from hypothesis import given
from hypothesis import strategies as st
from python_calamine import CalamineWorkbook

from frontline.accounts.models import Role
from frontline.conftest import World, make_household, make_user
from frontline.core.models import AuditAction, AuditEntry
from frontline.health.models import CheckinSource
from frontline.health.services import checkin_record
from frontline.reports.daily import DailyFigures, daily_report
from frontline.reports.daily_xlsx import column_headers, daily_report_export
from frontline.reports.tests.factories import construct_day, person

HAPPY = DailyFigures(
    centralised_isolation=1, home_isolation=1, home_health_monitoring=1, new_orders=1,
    released=1, transferred=1, new_cases=1, new_contacts=1, present=8, checked_in=2, abnormal=1,
)  # fmt: skip
BRIGHT = DailyFigures(centralised_isolation=1, present=2, checked_in=1)


@pytest.fixture
def documents(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.DATA_DIR = tmp_path


def test_it_counts_a_constructed_day_exactly(world: World, documents: None) -> None:
    built = construct_day(world)

    report = daily_report(viewer=world.users["officer"], day=built.day)

    assert [row.community_name for row in report.rows] == ["光明社区", "幸福里社区"]
    by_name = {row.community_name: row.figures for row in report.rows}
    assert by_name["幸福里社区"] == HAPPY
    assert by_name["光明社区"] == BRIGHT
    assert report.total == HAPPY + BRIGHT
    assert report.total.checkin_rate == pytest.approx(3 / 10)


def test_an_order_counts_under_the_phase_of_the_day_asked_for(
    world: World, documents: None
) -> None:
    built = construct_day(world)
    yesterday = built.day - dt.timedelta(days=1)

    figures = daily_report(viewer=world.users["admin"], day=yesterday).rows[0].figures

    # Yesterday the switching order was still centralised, the released and transferred ones
    # were running, the home-isolation order had not started.
    assert figures.centralised_isolation == 4
    assert figures.home_health_monitoring == 0
    assert figures.home_isolation == 0
    assert (figures.new_orders, figures.released, figures.transferred) == (0, 0, 0)
    assert figures.new_cases == 1  # the case confirmed yesterday


def test_a_community_admin_sees_only_their_community(world: World, documents: None) -> None:
    built = construct_day(world)

    report = daily_report(viewer=world.users["admin"], day=built.day)

    assert [(row.community_name, row.figures) for row in report.rows] == [("幸福里社区", HAPPY)]


def test_a_grid_worker_sees_only_their_grid(world: World, documents: None) -> None:
    built = construct_day(world)

    figures = daily_report(viewer=world.users["grid1"], day=built.day).rows[0].figures

    # Grid 1 is building 3: 张三丰 and the three in household 3-2-401.
    assert (figures.present, figures.checked_in, figures.abnormal) == (4, 1, 0)
    assert figures.centralised_isolation == 1 and figures.home_health_monitoring == 1


def test_a_user_without_reach_gets_an_empty_report(world: World) -> None:
    assert daily_report(viewer=world.users["volunteer"], day=timezone.localdate()).rows == []


def test_the_officer_sees_every_community_side_by_side_and_no_name(
    world: World, documents: None, client_for
) -> None:  # type: ignore[no-untyped-def]
    built = construct_day(world)

    with translation.override("en"):
        response = client_for("officer").get(reverse("daily_report"))

    assert response.status_code == 200
    page = response.content.decode()
    assert "幸福里社区" in page and "光明社区" in page
    assert 'id="daily-row-total"' in page
    assert "30.0%" in page  # 3 of 10 present residents in the total row
    for name in built.names:
        assert name not in page


def test_a_community_admin_page_shows_their_community_only(
    world: World, documents: None, client_for
) -> None:  # type: ignore[no-untyped-def]
    construct_day(world)

    response = client_for("admin").get(reverse("daily_report"))

    page = response.content.decode()
    assert "幸福里社区" in page and "光明社区" not in page
    assert "25.0%" in page
    assert 'id="daily-row-total"' not in page


def test_the_page_moves_between_days(world: World, client_for) -> None:  # type: ignore[no-untyped-def]
    today = timezone.localdate()
    yesterday = today - dt.timedelta(days=1)

    response = client_for("admin").get(reverse("daily_report"), {"date": yesterday.isoformat()})

    page = response.content.decode()
    assert f"?date={(yesterday - dt.timedelta(days=1)).isoformat()}" in page
    assert f"?date={today.isoformat()}" in page
    current = client_for("admin").get(reverse("daily_report")).content.decode()
    assert 'id="next-day"' not in current


@pytest.mark.parametrize("value", ["2026-13-01", "yesterday", "2999-01-01"])
def test_it_reports_a_bad_date_and_shows_today(world: World, client_for, value: str) -> None:  # type: ignore[no-untyped-def]
    with translation.override("en"):
        response = client_for("admin").get(reverse("daily_report"), {"date": value})

    assert response.status_code == 200
    assert response.context["day"] == timezone.localdate()
    assert response.context["form"].errors["date"]


def test_a_bad_date_for_the_download_goes_back_to_the_page(world: World, client_for) -> None:  # type: ignore[no-untyped-def]
    response = client_for("admin").post(reverse("daily_report_xlsx"), {"date": "nonsense"})

    assert response.status_code == 302
    assert response["Location"] == reverse("daily_report") + "?date=nonsense"
    assert not AuditEntry.objects.filter(action=AuditAction.EXPORT).exists()


def _sheet_rows(content: bytes) -> tuple[str, list[list[Any]]]:
    workbook = CalamineWorkbook.from_filelike(io.BytesIO(content))
    assert len(workbook.sheet_names) == 1
    name = workbook.sheet_names[0]
    return name, workbook.get_sheet_by_name(name).to_python(skip_empty_area=False)


def test_the_xlsx_has_the_documented_layout(world: World, documents: None, client_for) -> None:  # type: ignore[no-untyped-def]
    built = construct_day(world)

    with translation.override("en"):
        response = client_for("officer").post(
            reverse("daily_report_xlsx"),
            {"date": built.day.isoformat()},
            HTTP_ACCEPT_LANGUAGE="en",  # the request's language, set by LocaleMiddleware
        )
        headers = column_headers()

    assert response.status_code == 200
    assert response["Content-Disposition"].endswith(f'daily-report-{built.day.isoformat()}.xlsx"')
    name, rows = _sheet_rows(b"".join(response.streaming_content))  # type: ignore[attr-defined]
    assert name == "Daily report"
    assert rows[0][0] == f"Daily report {built.day.isoformat()}"
    assert str(rows[1][0]).startswith("Generated ")
    assert rows[2] == headers and len(headers) == 14
    assert rows[3] == ["光明社区", 1, 0, 0, 0, 0, 0, 0, 0, 2, 1, 0.5, 0, 0]
    assert rows[4] == ["幸福里社区", 1, 1, 1, 1, 1, 1, 1, 1, 8, 2, 0.25, 1, 0]
    assert rows[5] == ["Total", 2, 1, 1, 1, 1, 1, 1, 1, 10, 3, 0.3, 1, 0]
    assert len(rows) == 6
    text = " ".join(str(cell) for row in rows for cell in row)
    for person_name in built.names:
        assert person_name not in text


def test_the_download_is_a_post(world: World, client_for) -> None:  # type: ignore[no-untyped-def]
    assert client_for("admin").get(reverse("daily_report_xlsx")).status_code == 405
    assert not AuditEntry.objects.filter(action=AuditAction.EXPORT).exists()


def test_the_export_is_audited_with_its_date_and_scope(world: World, documents: None) -> None:
    built = construct_day(world)

    daily_report_export(actor=world.users["admin"], day=built.day)

    entry = AuditEntry.objects.get(action=AuditAction.EXPORT)
    assert entry.actor == world.users["admin"]
    assert entry.community_id == world.community.pk
    assert entry.details == {
        "report": "daily", "day": built.day.isoformat(), "communities": [world.community.pk],
    }  # fmt: skip


def test_an_empty_scope_still_gets_the_layout_with_a_zero_total(world: World) -> None:
    with translation.override("en"):
        content = daily_report_export(actor=world.users["volunteer"], day=timezone.localdate())

    _name, rows = _sheet_rows(content.getvalue())
    assert rows[3] == ["Total", 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, "", 0, 0]


def _add_people(world: World, count: int, start: int) -> None:
    household = make_household(world.building2, "9", f"{start}")
    for n in range(count):
        resident = person(household, f"测{start + n}", start + n)
        checkin_record(
            resident=resident, temperature="38.0" if n % 2 else "36.4",
            source=CheckinSource.WORKER_PAGE, actor=world.users["admin"],
        )  # fmt: skip


@pytest.mark.parametrize("role", ["officer", "admin"])
def test_the_page_query_count_does_not_grow_with_residents(
    world: World, documents: None, client_for, role: str
) -> None:  # type: ignore[no-untyped-def]
    construct_day(world)
    client = client_for(role)
    url = reverse("daily_report")

    with CaptureQueriesContext(connection) as few:
        client.get(url)
    _add_people(world, 12, 201)
    with CaptureQueriesContext(connection) as many:
        client.get(url)

    assert len(many) == len(few)


def test_the_page_stays_within_a_fixed_number_of_queries(
    world: World, documents: None, client_for, django_assert_max_num_queries
) -> None:  # type: ignore[no-untyped-def]
    construct_day(world)
    _add_people(world, 6, 301)
    client = client_for("officer")

    with django_assert_max_num_queries(14):
        client.get(reverse("daily_report"))


figures = st.builds(
    DailyFigures,
    **{name: st.integers(0, 10_000) for name in (
        "centralised_isolation", "home_isolation", "home_health_monitoring", "new_orders",
        "released", "transferred", "new_cases", "new_contacts", "abnormal",
    )},
    present=st.integers(0, 10_000),
).flatmap(
    lambda f: st.integers(0, f.present).map(
        lambda checked: DailyFigures(**{**f.__dict__, "checked_in": checked})
    )
)  # fmt: skip


@given(st.lists(figures, max_size=6))
def test_the_total_is_the_sum_and_its_rate_lies_between_the_rows(rows: list[DailyFigures]) -> None:
    total = sum(rows, DailyFigures())

    assert total.present == sum(row.present for row in rows)
    assert total.abnormal == sum(row.abnormal for row in rows)
    rates = [row.checkin_rate for row in rows if row.checkin_rate is not None]
    if rates:
        assert total.checkin_rate is not None
        assert min(rates) - 1e-12 <= total.checkin_rate <= max(rates) + 1e-12
        assert 0 <= total.checkin_rate <= 1
    else:
        assert total.checkin_rate is None


@pytest.mark.parametrize(
    ("role", "status"),
    [("officer", 200), ("admin", 200), ("fulltime", 200), ("parttime", 200), ("grid1", 200),
     ("sampler", 200), ("volunteer", 403), ("counsellor", 403)],
)  # fmt: skip
def test_each_role_gets_the_report_only_with_health_or_aggregates(
    world: World, client_for, role: str, status: int
) -> None:  # type: ignore[no-untyped-def]
    assert client_for(role).get(reverse("daily_report")).status_code == status
    download = client_for(role).post(reverse("daily_report_xlsx"), {"date": ""})
    assert download.status_code == status


def test_anonymous_visitors_are_sent_to_log_in(world: World) -> None:
    from django.test import Client

    response = Client().get(reverse("daily_report"))

    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_missed_request_service_level_counts_on_the_day_it_passed(world: World, client_for):
    from frontline.helpdesk.models import Channel
    from frontline.helpdesk.services import escalate_overdue_requests, request_submit

    request = request_submit(
        actor=world.users["admin"], resident=world.zhang, category="food", text="没菜了",
        channel=Channel.PHONE,
    )  # fmt: skip
    escalate_overdue_requests(now=request.take_due_at + dt.timedelta(minutes=1))
    day = timezone.localtime(request.take_due_at).date()
    rows = {
        row.community_name: row.figures
        for row in daily_report(viewer=world.users["admin"], day=day).rows
    }
    assert rows["幸福里社区"].request_breaches == 1
    # a grid worker's report covers their grid only: 张三丰 lives in grid 1, not grid 2
    grid2 = make_user("grid2", Role.GRID_WORKER, grid=world.grid2)
    (theirs,) = daily_report(viewer=grid2, day=day).rows
    assert theirs.figures.request_breaches == 0
