"""In headless Chromium: record a contact for a case, then see the chain as a graph and a table."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from frontline.conftest import World
from frontline.contacts.models import ContactLink
from frontline.contacts.tests.factories import zhang_case

SCREENSHOT = "/tmp/frontline-contact-chain.png"  # noqa: S108  (a fixed path to look at by hand)


@pytest.mark.browser
def test_a_worker_records_a_contact_and_sees_the_chain(
    login: Callable[[str], Page], world: World
) -> None:
    case = zhang_case(world)
    page = login("fulltime")
    page.goto(f"/contacts/{case.pk}/")
    expect(page.locator("h1")).to_contain_text("张三丰")
    expect(page.locator("#chain-table")).not_to_contain_text("李四")

    with page.expect_navigation():
        page.locator("#add-contact").click()
    with page.expect_response(lambda r: "/contacts/residents/" in r.url and "q=ls" in r.url):
        page.fill("#resident-search", "ls")
    choice = page.locator("#contact_resident-choices label", has_text="李四")
    expect(choice).to_have_count(1)
    choice.locator("input").check()
    page.fill("#id_met_on", "2026-11-01")
    page.fill("#id_met_at", "18:30")
    page.fill("#id_place", "菜市场")
    page.select_option("#id_link_type", "household")
    with page.expect_navigation():
        page.locator("#link-form button[type=submit]").click()

    assert page.url.endswith(f"/contacts/{case.pk}/")
    assert ContactLink.objects.filter(case=case, b_resident=world.li).count() == 1
    expect(page.locator("#chain-graph canvas")).to_have_count(1)
    expect(page.locator("#chain-graph")).to_have_attribute("data-nodes", "2")
    row = page.locator("#chain-table tbody tr", has_text="李四")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("139****1111")
    expect(row).to_contain_text("菜市场")
    expect(row.locator("td").first).to_have_text(re.compile("密接|密切接触|Close contact"))
    page.screenshot(path=SCREENSHOT, full_page=True)
