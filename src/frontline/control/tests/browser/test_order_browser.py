"""In headless Chromium: a worker makes a control order from a contact link, sees day 1 of 10,
and the grid worker finds the sampling tasks in their inbox."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

import pytest
from django.apps import apps
from django.utils import timezone
from playwright.sync_api import Page, expect

from frontline.conftest import World
from frontline.control.models import ControlOrder
from frontline.control.tests.factories import close_contact_link, ninth_in_force_from
from frontline.policy.presets import install_presets

SCREENSHOT = "/tmp/frontline-control-order.png"  # noqa: S108  (a fixed path to look at by hand)
LIST_SCREENSHOT = "/tmp/frontline-control-list.png"  # noqa: S108


@pytest.mark.browser
def test_a_worker_makes_an_order_from_a_contact_link_and_the_tasks_reach_the_inbox(
    login: Callable[[str], Page], world: World
) -> None:
    install_presets(apps.get_model)  # a transactional test starts from a flushed database
    today = timezone.localdate()
    ninth_in_force_from(world, today - dt.timedelta(days=3))
    link = close_contact_link(world, day=today)

    page = login("fulltime")
    page.goto(f"/control/new/?contact_link={link.pk}")
    expect(page.locator("#evidence-words")).to_contain_text("阳性-001")
    expect(page.locator("#id_category")).to_have_value("close_contact")
    page.locator("#id_confirm").check()
    with page.expect_navigation():
        page.locator("#order-form button[type=submit]").click()

    order = ControlOrder.objects.get(resident=world.zhang)
    assert page.url.endswith(f"/control/{order.pk}/")
    expect(page.locator("#day-count")).to_have_text(re.compile(r"\D*1\D+10\D*"))
    expect(page.locator("tr.test-row")).to_have_count(6)
    expect(page.locator("#next-test")).to_have_text(today.isoformat())
    expect(page.locator("#order-evidence")).to_contain_text("阳性-001")
    page.screenshot(path=SCREENSHOT, full_page=True)
    page.goto("/control/")
    row = page.locator("#order-table tr.order-row", has_text="张三丰")
    expect(row.locator(".day-count")).to_have_text(re.compile(r"\D*1\D+10\D*"))
    page.screenshot(path=LIST_SCREENSHOT, full_page=True)

    page.context.clear_cookies()
    page = login("grid1")
    page.goto("/tasks/")
    expect(page.locator("#task-table tbody tr", has_text="张三丰")).to_have_count(6)
