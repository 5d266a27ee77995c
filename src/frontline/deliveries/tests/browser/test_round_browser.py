"""A worker plans and starts a round and gives its batch to a volunteer; the volunteer marks the
parcels on a phone; a resident confirms one on the household page."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Browser, Page, ViewportSize, expect

from frontline.conftest import PASSWORD, World
from frontline.deliveries.models import ConfirmedVia, Delivery, DeliveryStatus
from frontline.deliveries.tests.factories import Storeroom
from frontline.health.services import household_link_issue

PHONE: ViewportSize = {"width": 390, "height": 844}
SCREENSHOT = "/tmp/frontline-deliveries-phone.png"  # noqa: S108  (a fixed path to look at by hand)


def phone_page(browser: Browser, live_server) -> Page:  # type: ignore[no-untyped-def]
    context = browser.new_context(
        base_url=live_server.url, locale="zh-CN", viewport=PHONE, is_mobile=True, has_touch=True
    )
    return context.new_page()


@pytest.mark.browser
def test_a_round_is_started_batched_delivered_on_a_phone_and_confirmed_by_a_resident(
    browser: Browser,
    live_server,
    login: Callable[[str], Page],
    world: World,
    placed: World,
    room: Storeroom,  # type: ignore[no-untyped-def]
) -> None:
    planner = login("admin")
    planner.goto("/deliveries/new/")
    planner.select_option("#id_community", str(world.community.pk))
    planner.fill("#id_name", "第一轮保供")
    planner.select_option("#id_warehouse", str(room.warehouse.pk))
    planner.select_option("#id_line_item_0", str(room.vegetables.pk))
    planner.fill("#id_line_quantity_0", "1")
    planner.select_option("#id_line_item_1", str(room.masks.pk))
    planner.select_option("#id_line_basis_1", "person")
    planner.fill("#id_line_quantity_1", "10")
    with planner.expect_navigation():
        planner.locator("#round-form button[type=submit]").click()
    expect(planner.locator("#stock-table")).to_contain_text("蔬菜包")
    with planner.expect_navigation():
        planner.locator("#start").click()
    planner.locator(f"#batch-form input[value='{world.building1.pk}']").check()
    planner.locator(f"#batch-form input[value='{world.building2.pk}']").check()
    planner.select_option("#id_volunteer", str(world.users["volunteer"].pk))
    with planner.expect_navigation():
        planner.locator("#batch-form button[type=submit]").click()
    expect(planner.locator("#batch-table")).to_contain_text("volunteer")
    with planner.expect_navigation():
        planner.locator("#batch-table a").first.click()
    expect(planner.locator("#route-board")).to_be_visible()
    expect(planner.locator(".route-stop")).to_have_count(2)

    volunteer = phone_page(browser, live_server)
    volunteer.goto("/accounts/login/")
    volunteer.fill("#id_username", "volunteer")
    volunteer.fill("#id_password", PASSWORD)
    with volunteer.expect_navigation():
        volunteer.locator("main form button[type=submit]").tap()
    volunteer.goto("/deliveries/mine/")
    expect(volunteer.locator("body")).not_to_contain_text("张三丰")
    zhang = Delivery.objects.get(household=world.household1)
    li = Delivery.objects.get(household=world.household2)
    zhang_card, li_card = (
        volunteer.locator(f"#delivery-{zhang.pk}"),
        volunteer.locator(f"#delivery-{li.pk}"),
    )
    expect(zhang_card).to_contain_text("5678")
    assert volunteer.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    zhang_card.locator("button[value=out]").tap()
    expect(zhang_card).to_have_attribute("data-status", "out")
    li_card.locator("summary").tap()
    li_card.locator("select[name=reason]").select_option("nobody_home")
    li_card.locator("button[value=failed]").tap()
    expect(li_card).to_have_attribute("data-status", "failed")
    li_card.locator("button[value=delivered]").tap()
    expect(li_card).to_have_attribute("data-status", "delivered")
    volunteer.screenshot(path=SCREENSHOT, full_page=True)

    _link, token = household_link_issue(actor=world.users["grid1"], household=world.household1)
    resident = phone_page(browser, live_server)
    resident.goto(f"/h/{token}/deliveries/")
    with resident.expect_navigation():
        resident.locator(f"button[value='{zhang.pk}']").tap()
    expect(resident.locator(f"#delivery-{zhang.pk} .received")).to_be_visible()

    zhang.refresh_from_db()
    li.refresh_from_db()
    assert zhang.status == DeliveryStatus.DELIVERED
    assert zhang.confirmed_via == ConfirmedVia.HOUSEHOLD
    assert li.status == DeliveryStatus.DELIVERED and li.confirmed_via == ConfirmedVia.VOLUNTEER
    assert li.task is not None  # the failed attempt left a follow-up task
