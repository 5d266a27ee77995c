"""End to end in headless Chromium: the calculator, copying a rule set, editing a category with
added and removed phases, and publishing through the confirmation dialog."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from frontline.policy.models import CategoryRule, RuleSet, RuleSetStatus


@pytest.mark.browser
def test_an_admin_calculates_copies_edits_and_publishes_a_rule_set(
    login: Callable[[str], Page], presets
) -> None:
    page = login("admin")
    page.goto("/policy/")
    expect(page.locator("#rule-set-table tr.in-force")).to_contain_text("乙类乙管")
    page.get_by_role("link", name="第九版防控方案").first.click()
    expect(page.locator("h1")).to_contain_text("第九版防控方案")

    # the calculator answers in place (htmx), without leaving the page
    page.select_option("#id_category", "close_contact")
    page.fill("#id_start", "2022-07-01")
    with page.expect_response(lambda r: "/schedule/" in r.url) as response:
        page.locator("#schedule-form button[type=submit]").click()
    assert response.value.ok
    expect(page.locator("tr.schedule-phase")).to_have_count(2)
    expect(page.locator("#schedule-result")).to_contain_text("2022-07-11")
    expect(page.locator("tr.schedule-phase").first.locator(".test-day")).to_have_count(5)
    assert "/schedule/" not in page.url

    # copy as draft through the dialog
    page.locator("#copy-button").click()
    page.fill("#copy-name", "第九版（本社区）")
    with page.expect_navigation():
        page.locator("#copy-dialog button[type=submit]").click()
    draft = RuleSet.objects.get(name="第九版（本社区）")
    assert page.url.endswith(f"/policy/{draft.pk}/edit/")

    # close contact: remove the home phase, add a home isolation phase with a bad test day first
    card = page.locator("#card-close_contact")
    card.locator("tr.phase-row").nth(1).locator(".remove-phase").click()
    card.locator(".add-phase").click()
    new_row = card.locator("tr.phase-row").nth(2)
    new_row.locator("select").select_option("home_isolation")
    new_row.locator("input[name$=-days]").fill("3")
    new_row.locator("input[name$=-test_days]").fill("1, 9")
    card.get_by_role("button", name="保存").click()
    card = page.locator("#card-close_contact")
    expect(card.locator(".invalid-feedback")).to_have_count(1)
    rule = CategoryRule.objects.get(rule_set=draft, category="close_contact")
    assert rule.phases.count() == 2  # nothing saved
    card.locator("tr.phase-row:not(.d-none) input[name$=-test_days]").nth(1).fill("1, 3")
    card.get_by_role("button", name="保存").click()
    expect(page.locator("#card-close_contact .saved")).to_be_visible()
    assert [(p.measure, p.days, p.test_days) for p in rule.phases.all()] == [
        ("centralised_isolation", 7, [1, 2, 3, 5, 7]),
        ("home_isolation", 3, [1, 3]),
    ]

    # publish through the confirmation dialog
    page.goto(f"/policy/{draft.pk}/")
    page.locator("#publish-button").click()
    expect(page.locator("#publish-ready")).to_be_visible()
    page.fill("#publish-date", "2030-01-01")
    with page.expect_navigation():
        page.locator("#publish-dialog button[type=submit]").click()
    draft.refresh_from_db()
    assert draft.status == RuleSetStatus.PUBLISHED
    expect(page.locator("#edit-link")).to_have_count(0)
