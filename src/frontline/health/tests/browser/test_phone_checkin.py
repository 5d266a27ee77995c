"""On a phone: a household checks in through its QR link with a fever; the grid worker sees the task."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Browser, Page, ViewportSize, expect

from frontline.conftest import World
from frontline.health.models import Checkin
from frontline.health.services import household_link_issue
from frontline.tasks.models import TaskPriority

PHONE: ViewportSize = {"width": 390, "height": 844}
SCREENSHOT = "/tmp/frontline-portal-phone.png"  # noqa: S108  (a fixed path to look at by hand)


@pytest.mark.browser
def test_a_household_checks_in_with_a_fever_and_the_grid_worker_sees_the_task(
    browser: Browser,
    live_server,
    login: Callable[[str], Page],
    world: World,  # type: ignore[no-untyped-def]
) -> None:
    _link, token = household_link_issue(actor=world.users["grid1"], household=world.household1)
    phone = browser.new_context(
        base_url=live_server.url, locale="zh-CN", viewport=PHONE, is_mobile=True, has_touch=True
    )
    resident_page = phone.new_page()
    resident_page.goto(f"/h/{token}/")
    expect(resident_page.locator("#checkin-form")).to_be_visible()
    expect(resident_page.locator("body")).not_to_contain_text("张三丰")
    resident_page.get_by_label("*三丰").check()
    resident_page.fill("#id_temperature", "38.2")
    resident_page.screenshot(path=SCREENSHOT, full_page=True)
    # Nothing overflows the phone's width.
    assert resident_page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    with resident_page.expect_navigation():
        resident_page.locator("#checkin-form button[type=submit]").tap()
    expect(resident_page.locator("#done")).to_contain_text("*三丰")
    phone.close()

    checkin = Checkin.objects.get()
    assert checkin.abnormal and checkin.source == "link"

    page = login("grid1")
    page.goto("/tasks/")
    task_row = page.locator("main").get_by_text("张三丰").first
    expect(task_row).to_be_visible()
    expect(page.locator("main")).to_contain_text("38.2")
    assert checkin.task is not None and checkin.task.priority == TaskPriority.HIGH
