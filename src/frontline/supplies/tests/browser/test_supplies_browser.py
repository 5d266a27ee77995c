"""In headless Chromium: a worker records a donation of two items on the receipt form, opens
the donor's printable receipt, issues the last units and sees the storeroom's warnings."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from frontline.conftest import World
from frontline.supplies.models import Category, Movement
from frontline.supplies.services import item_create, warehouse_create

SCREENSHOT = "/tmp/frontline-supplies.png"  # noqa: S108  (a fixed path to look at by hand)


@pytest.mark.browser
def test_a_worker_records_a_donation_prints_its_receipt_and_sees_the_warnings(
    login: Callable[[str], Page], world: World
) -> None:
    admin = world.users["admin"]
    room = warehouse_create(actor=admin, community=world.community, name="一号仓")
    rice = item_create(actor=admin, community=world.community, name="大米", unit="袋",
                       category=Category.FOOD, low_stock_at=5)  # fmt: skip
    masks = item_create(actor=admin, community=world.community, name="口罩", unit="盒",
                        category=Category.PROTECTIVE)  # fmt: skip

    page = login("fulltime")
    page.goto(f"/supplies/storerooms/{room.pk}/receive/")
    page.locator("#id_donor").fill("爱心超市")
    page.locator("#id_lines-0-item").select_option(str(rice.pk))
    page.locator("#id_lines-0-quantity").fill("8")
    page.locator("#id_lines-1-item").select_option(str(masks.pk))
    page.locator("#id_lines-1-quantity").fill("3")
    with page.expect_navigation():
        page.locator("#receive-form button[type=submit]").click()
    movement = Movement.objects.get()
    expect(page.locator("h1")).to_contain_text(movement.receipt_number)

    page.locator("#print-receipt").click()
    expect(page.locator("#receipt-number")).to_have_text(movement.receipt_number)
    expect(page.locator("#receipt-lines")).to_contain_text("8 袋")
    expect(page.locator("#issuer")).to_have_text("幸福里社区")

    page.goto(f"/supplies/storerooms/{room.pk}/issue/")
    page.locator("#id_reason").fill("隔离点领用")
    page.locator("#id_lines-0-item").select_option(str(masks.pk))
    page.locator("#id_lines-0-quantity").fill("3")
    page.locator("#id_lines-1-item").select_option(str(rice.pk))
    page.locator("#id_lines-1-quantity").fill("4")
    with page.expect_navigation():
        page.locator("#issue-form button[type=submit]").click()
    page.goto(f"/supplies/storerooms/{room.pk}/")
    expect(page.locator("#stock-table .table-danger")).to_contain_text("口罩")
    expect(page.locator("#stock-table .table-warning")).to_contain_text("大米")
    page.screenshot(path=SCREENSHOT, full_page=True)
    page.goto("/supplies/")
    expect(page.locator("#warehouse-table .warnings .badge")).to_have_count(2)
