"""On a phone: a resident files an urgent request through the household link; a worker sees it
highlighted on every page, takes it and resolves it; the resident rates it."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Browser, Page, ViewportSize, expect

from frontline.conftest import World
from frontline.health.services import household_link_issue
from frontline.helpdesk.models import HelpRequest

PHONE: ViewportSize = {"width": 390, "height": 844}
SCREENSHOT = "/tmp/frontline-request-phone.png"  # noqa: S108  (a fixed path to look at by hand)


@pytest.mark.browser
def test_an_urgent_request_from_a_phone_is_taken_resolved_and_rated(
    browser: Browser,
    live_server,
    login: Callable[[str], Page],
    world: World,  # type: ignore[no-untyped-def]
) -> None:
    _link, token = household_link_issue(actor=world.users["grid1"], household=world.household1)
    phone = browser.new_context(
        base_url=live_server.url, locale="zh-CN", viewport=PHONE, is_mobile=True, has_touch=True
    )
    resident = phone.new_page()
    resident.goto(f"/h/{token}/requests/")
    expect(resident.locator("body")).not_to_contain_text("张三丰")
    resident.get_by_label("*三丰").check()
    resident.select_option("#id_category", "medicine")
    resident.fill("#id_text", "父亲断药两天了，胸痛")
    assert resident.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    with resident.expect_navigation():
        resident.locator("#request-form button[type=submit]").tap()
    expect(resident.locator("#timeline")).to_be_visible()  # the request just sent, with its steps
    request = HelpRequest.objects.get()
    assert f"request={request.pk}" in resident.url
    assert request.urgency == "urgent"

    worker = login("grid1")
    worker.goto("/tasks/")  # any page: the banner loads by itself
    banner = worker.locator("#urgent-requests")
    expect(banner).to_be_visible()
    with worker.expect_navigation():
        banner.locator("a").first.click()
    with worker.expect_navigation():
        worker.locator("#take").click()
    worker.fill("#id_resolution", "已联系家庭医生上门，并由志愿者代购药品送达。")
    with worker.expect_navigation():
        worker.locator("form:has(#id_resolution) button[type=submit]").click()
    expect(worker.locator("#request-status")).to_contain_text("已办结")
    worker.goto("/tasks/")
    expect(worker.locator("body")).to_be_visible()
    expect(worker.locator("#urgent-requests")).to_have_count(0)

    resident = browser.new_context(
        base_url=live_server.url, locale="zh-CN", viewport=PHONE, is_mobile=True, has_touch=True
    ).new_page()
    resident.goto(f"/h/{token}/requests/?request={request.pk}")
    expect(resident.locator("body")).to_contain_text("志愿者代购药品送达")
    resident.locator("label[for=r5]").tap()
    with resident.expect_navigation():
        resident.locator("#rate-form button[type=submit]").tap()
    resident.screenshot(path=SCREENSHOT, full_page=True)
    request.refresh_from_db()
    assert request.rating == 5 and request.status == "resolved"
