"""A worker types check-ins row by row with the keyboard; a failed row stays as typed."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from frontline.conftest import World, make_household, make_resident
from frontline.health.models import Checkin

SCREENSHOT = "/tmp/frontline-batch.png"  # noqa: S108  (a fixed path to look at by hand)


@pytest.mark.browser
def test_enter_saves_a_row_and_moves_to_the_next_persons_temperature(
    login: Callable[[str], Page], world: World
) -> None:
    neighbour = make_resident(
        make_household(world.building1, "2", "402"), name="王小明", phone="13611112222"
    )
    late = make_resident(
        make_household(world.building1, "2", "403"), name="赵小红", phone="13611113333"
    )
    page = login("grid1")
    page.goto(f"/health/buildings/{world.building1.pk}/batch/")
    first = page.locator(f"#row-{world.zhang.pk}")
    second = page.locator(f"#row-{neighbour.pk}")

    first.locator("input[name=temperature]").fill("50")
    with page.expect_response(lambda r: "/checkin/" in r.url):
        first.locator("input[name=temperature]").press("Enter")
    expect(first.locator(".row-errors")).to_be_visible()
    expect(first.locator("input[name=temperature]")).to_have_value("50")
    assert not Checkin.objects.exists()

    first.locator("input[name=temperature]").fill("38.5")
    with page.expect_response(lambda r: "/checkin/" in r.url):
        first.locator("input[name=temperature]").press("Enter")
    expect(first.locator(".latest")).to_contain_text("38.5")
    expect(second.locator("input[name=temperature]")).to_be_focused()
    page.keyboard.type("36.4")
    with page.expect_response(lambda r: "/checkin/" in r.url):
        page.keyboard.press("Enter")
    expect(second.locator(".latest")).to_contain_text("36.4")
    assert sorted(str(c.temperature) for c in Checkin.objects.all()) == ["36.4", "38.5"]

    # No signal: the row says it was not saved and keeps what was typed. (A row not saved yet,
    # wired up by htmx with the page; first no request may still be in flight.)
    third = page.locator(f"#row-{late.pk}")
    page.wait_for_function(
        """(id) => {
            const row = document.getElementById(id);
            const data = row && row["htmx-internal-data"];
            return Boolean(data && data.initHash) && !document.querySelector(".htmx-request");
        }""",
        arg=f"row-{late.pk}",
    )
    page.context.set_offline(True)
    third.locator("input[name=temperature]").fill("37.0")
    third.locator("input[name=temperature]").press("Enter")
    expect(third.locator(".save-failed")).to_be_visible()
    expect(third.locator("input[name=temperature]")).to_have_value("37.0")
    page.context.set_offline(False)
    assert Checkin.objects.count() == 2
    page.screenshot(path=SCREENSHOT, full_page=True)
