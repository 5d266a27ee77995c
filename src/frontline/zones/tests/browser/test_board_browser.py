"""In headless Chromium: the building board draws its SVG grid, and building 3 turns red once a
worker raises it on a confirmed case from its building page."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.apps import apps
from django.utils import timezone
from playwright.sync_api import Page, expect

from frontline.conftest import World
from frontline.control.tests.factories import ninth_in_force_from
from frontline.policy.presets import install_presets
from frontline.zones.models import Zone
from frontline.zones.tests.factories import case_of

SCREENSHOT = "/tmp/frontline-zone-board.png"  # noqa: S108  (a fixed path to look at by hand)


@pytest.mark.browser
def test_the_board_renders_and_a_building_turns_red_after_a_raise(
    login: Callable[[str], Page], world: World
) -> None:
    install_presets(apps.get_model)  # a transactional test starts from a flushed database
    today = timezone.localdate()
    ninth_in_force_from(world, today - dt.timedelta(days=3))
    case_of(world, day=today, reference="阳性-楼3")

    page = login("fulltime")
    page.goto("/zones/")
    board = page.locator("svg#building-board")
    expect(board).to_be_visible()
    tile = board.locator('a.zone-tile[data-building="3"]')
    expect(tile).to_have_attribute("data-rank", "0")
    expect(tile.locator("rect")).to_have_attribute("fill", "#e9ecef")

    with page.expect_navigation():
        tile.locator("rect").click()
    with page.expect_navigation():
        page.locator("#raise-link").click()
    page.locator("#id_place").select_option("building")
    page.locator("#id_level").select_option("high")
    expect(page.locator("#id_case option")).to_have_count(1)
    page.locator("#id_confirm").check()
    with page.expect_navigation():
        page.locator("#raise-form button[type=submit]").click()
    expect(page.locator("#zone-table tr.zone-row")).to_have_count(1)
    assert Zone.objects.get().level == "high"

    page.goto("/zones/")
    tile = page.locator('svg#building-board a.zone-tile[data-building="3"]')
    expect(tile).to_have_attribute("data-rank", "3")
    expect(tile.locator("rect")).to_have_attribute("fill", "#dc3545")
    expect(
        page.locator('svg#building-board a.zone-tile[data-building="5"] rect')
    ).to_have_attribute("fill", "#e9ecef")
    page.screenshot(path=SCREENSHOT, full_page=True)
