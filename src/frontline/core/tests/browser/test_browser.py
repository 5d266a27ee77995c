"""End-to-end checks in headless Chromium: search, masking and reveal, the audit trail, language."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from frontline.conftest import ZHANG_ID, World, make_resident
from frontline.core.models import AuditAction, AuditEntry

MASKED_ID = "110105********002X"
SCREENSHOT = "/tmp/frontline-resident.png"  # noqa: S108  (a fixed path to look at by hand)


@pytest.fixture
def neighbour(world: World):  # type: ignore[no-untyped-def]
    """A second resident in 张三丰's household, so that the search has something to filter out."""
    return make_resident(
        world.household1, name="王小明", document_number="110105200001010198", phone="13611112222"
    )


def search_and_open_zhang(page: Page) -> None:
    """Type pinyin initials into the live search, wait for htmx's swap, open 张三丰."""
    page.goto("/residents/")
    rows = page.locator("#resident-table tbody tr")
    expect(rows.filter(has_text="王小明")).to_have_count(1)
    with page.expect_response(
        lambda r: (
            "/residents/?" in r.url
            and "q=zsf" in r.url
            and r.request.headers.get("hx-request") == "true"
        )
    ) as response:
        page.fill("#id_q", "zsf")
    assert response.value.ok
    expect(page).to_have_url(re.compile(r"[?&]q=zsf"))  # hx-push-url
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("张三丰")
    expect(rows.first).to_contain_text("3-2-401")
    expect(page.locator("#resident-table")).not_to_contain_text("王小明")
    with page.expect_navigation():
        rows.first.get_by_role("link", name="张三丰").click()
    expect(page.locator("h1")).to_contain_text("张三丰")


@pytest.mark.browser
@pytest.mark.usefixtures("neighbour")
def test_grid_worker_sees_masked_id_and_cannot_reveal(
    login: Callable[[str], Page], world: World
) -> None:
    page = login("grid1")
    search_and_open_zhang(page)
    assert page.url.endswith(f"/residents/{world.zhang.pk}/")

    expect(page.locator("#document_number-value")).to_have_text(MASKED_ID)
    expect(page.locator(".reveal-form")).to_have_count(0)

    # Going around the missing form: POST straight to the reveal URL with this session's cookies.
    reveal_url = f"/residents/{world.zhang.pk}/reveal/"
    csrf = next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")
    response = page.request.post(
        reveal_url,
        form={"field": "document_number", "reason": "curious"},
        headers={"X-CSRFToken": csrf, "HX-Request": "true"},
        max_redirects=0,
    )
    assert response.status in (403, 404), response.status
    assert ZHANG_ID not in response.text()

    # And the same from inside the page through htmx, aimed at the masked value.
    status = page.evaluate(
        """([url, csrf]) => new Promise((resolve) => {
            // Only this request: the page loads other parts through htmx too.
            document.body.addEventListener("htmx:afterRequest", (e) => {
                if (e.detail.requestConfig.path === url) resolve(e.detail.xhr.status);
            });
            htmx.ajax("POST", url, {target: "#document_number-value",
                values: {field: "document_number", reason: "curious"},
                headers: {"X-CSRFToken": csrf}});
        })""",
        [reveal_url, csrf],
    )
    assert status in (403, 404), status
    expect(page.locator("#document_number-value")).to_have_text(MASKED_ID)
    assert ZHANG_ID not in page.content()
    assert not AuditEntry.objects.filter(action=AuditAction.REVEAL).exists()


@pytest.mark.browser
@pytest.mark.usefixtures("neighbour")
def test_admin_reveals_id_and_finds_it_in_the_audit_log(
    login: Callable[[str], Page], world: World
) -> None:
    page = login("admin")
    search_and_open_zhang(page)
    expect(page.locator("#document_number-value")).to_have_text(MASKED_ID)
    assert ZHANG_ID not in page.content()
    page.screenshot(path=SCREENSHOT, full_page=True)

    reason = "核对核酸检测登记 browser-test"
    form = page.locator(".reveal-form[data-field=document_number]")
    form.locator("input[name=reason]").fill(reason)
    with page.expect_response(lambda r: r.url.endswith(f"/residents/{world.zhang.pk}/reveal/")):
        form.locator("button[type=submit]").click()
    expect(page.locator("#document_number-value strong.revealed")).to_have_text(ZHANG_ID)
    # Only the field asked for is revealed.
    expect(page.locator("#phone-value")).not_to_contain_text("13812345678")

    page.goto("/audit/?action=reveal")
    rows = page.locator("#audit-table tbody tr")
    expect(rows).to_have_count(1)
    cells = rows.first.locator("td")
    expect(cells.nth(1)).to_have_text("admin")
    expect(cells.nth(3)).to_contain_text("张三丰")
    expect(cells.nth(3)).to_contain_text(MASKED_ID)
    expect(cells.nth(5)).to_have_text(reason)
    # The log names who looked and why, never the number itself.
    assert ZHANG_ID not in page.content()
    entry = AuditEntry.objects.get(action=AuditAction.REVEAL)
    assert (entry.actor, entry.fields, entry.reason) == (
        world.users["admin"],
        ["document_number"],
        reason,
    )


@pytest.mark.browser
def test_language_switch_to_english_and_back(login: Callable[[str], Page]) -> None:
    page = login("grid1")
    html = page.locator("html")
    residents_link = page.locator("#nav a.nav-link[href='/residents/']")
    expect(html).to_have_attribute("lang", "zh-hans")
    expect(residents_link).to_have_text("居民")

    with page.expect_navigation():
        page.select_option("#language-form select[name=language]", "en")
    expect(html).to_have_attribute("lang", "en")
    expect(residents_link).to_have_text("Residents")
    expect(page.locator("#language-form select[name=language]")).to_have_value("en")

    with page.expect_navigation():
        page.select_option("#language-form select[name=language]", label="简体中文")
    expect(html).to_have_attribute("lang", "zh-hans")
    expect(residents_link).to_have_text("居民")
    expect(page.locator("#language-form select[name=language]")).to_have_value("zh-hans")
