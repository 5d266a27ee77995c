"""End-to-end: a manager adds a risk area, a grid worker records a trip and finds the match."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from frontline.conftest import World
from frontline.travel.models import TripMatch


@pytest.mark.browser
def test_an_area_then_a_trip_shows_up_in_screening_with_its_evidence(
    login: Callable[[str], Page], world: World
) -> None:
    today = timezone.localdate()
    page = login("fulltime")
    page.goto("/travel/areas/new/")
    page.fill("#id_name", "朝阳区")
    page.fill("#id_area_code", "110100")
    page.select_option("#id_level", "high")
    page.fill("#id_valid_from", (today - dt.timedelta(days=7)).isoformat())
    with page.expect_navigation():
        page.locator("#area-form button[type=submit]").click()
    expect(page.locator("#area-table")).to_contain_text("110100")
    page.context.clear_cookies()

    page = login("grid1")
    page.goto(f"/travel/residents/{world.zhang.pk}/")
    page.fill("#id_place", "北京朝阳望京")
    page.fill("#id_area_code", "110105")
    page.fill("#id_date_from", (today - dt.timedelta(days=3)).isoformat())
    page.fill("#id_date_to", (today - dt.timedelta(days=1)).isoformat())
    with page.expect_navigation():
        page.locator("#trip-form button[type=submit]").click()
    expect(page.locator("#resident-matches")).to_contain_text("朝阳区")
    assert TripMatch.objects.filter(resident=world.zhang).count() == 1

    page.goto("/travel/screening/")
    rows = page.locator("#match-table tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("张三丰")
    expect(rows.first).to_contain_text("北京朝阳望京")
    with page.expect_response(
        lambda r: "level=medium" in r.url and r.request.headers.get("hx-request") == "true"
    ):
        page.select_option("select[name=level]", "medium")
    expect(page.locator("#match-table")).not_to_contain_text("张三丰")
