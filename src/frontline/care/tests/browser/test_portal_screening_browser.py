"""On a phone: a resident answers the mood questions through the household link, says yes to
thoughts of self-harm, sees the crisis hotline at once, and the counsellor has the urgent task."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Browser, Page, ViewportSize, expect

from frontline.care.models import Screening
from frontline.care.services import care_settings_update
from frontline.conftest import World
from frontline.health.services import household_link_issue
from frontline.tasks.models import Task, TaskPriority

PHONE: ViewportSize = {"width": 390, "height": 844}
SCREENSHOT = "/tmp/frontline-care-phone.png"  # noqa: S108  (a fixed path to look at by hand)


def answer(page: Page, values: list[int]) -> None:
    """Tick the given answer (0-3) in each question on the page, in order."""
    questions = page.locator("fieldset.question")
    expect(questions).to_have_count(len(values))
    for index, value in enumerate(values):
        questions.nth(index).locator(f"input[value='{value}']").check()


@pytest.mark.browser
def test_a_resident_answers_yes_to_self_harm_sees_the_hotline_and_the_counsellor_is_paged(
    browser: Browser,
    live_server,
    login: Callable[[str], Page],
    world: World,  # type: ignore[no-untyped-def]
) -> None:
    care_settings_update(
        actor=world.users["admin"], community=world.community,
        hotlines="全国心理援助热线：12356", crisis_sla_minutes=60,
    )  # fmt: skip
    _link, token = household_link_issue(actor=world.users["grid1"], household=world.household1)
    phone = browser.new_context(
        base_url=live_server.url, locale="zh-CN", viewport=PHONE, is_mobile=True, has_touch=True
    )
    resident = phone.new_page()
    resident.goto(f"/h/{token}/care/")
    expect(resident.locator("body")).not_to_contain_text("张三丰")
    resident.get_by_label("*三丰").check()
    answer(resident, [2, 2, 0, 0])  # PHQ-2 = 4 leads to the PHQ-9; GAD-2 = 0 does not
    with resident.expect_navigation():
        resident.locator("form button[type=submit]").tap()
    answer(resident, [1, 1, 1, 0, 0, 0, 1])  # PHQ-9 items 3 to 9, item 9 above 0
    assert resident.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    with resident.expect_navigation():
        resident.locator("form button[type=submit]").tap()
    expect(resident.locator("body")).to_contain_text("12356")
    resident.screenshot(path=SCREENSHOT, full_page=True)
    phone.close()

    screening = Screening.objects.get(instrument="phq9")
    assert screening.urgent and screening.total == 8
    urgent = Task.objects.filter(priority=TaskPriority.URGENT, owner=world.users["counsellor"])
    assert urgent.count() == 1

    page = login("counsellor")
    page.goto("/tasks/")
    expect(page.locator("main")).to_contain_text("张三丰")
