"""In headless Chromium: the sub-district officer opens the daily report, sees both communities
side by side with a total, steps back a day, prints it and downloads the .xlsx."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.apps import apps
from playwright.sync_api import Page, expect
from python_calamine import CalamineWorkbook

from frontline.conftest import World
from frontline.core.models import AuditAction, AuditEntry
from frontline.policy.presets import install_presets
from frontline.reports.tests.factories import construct_day

SCREENSHOT = "/tmp/frontline-daily-report.png"  # noqa: S108  (a fixed path to look at by hand)
PRINT_SCREENSHOT = "/tmp/frontline-daily-report-print.png"  # noqa: S108


@pytest.mark.browser
def test_the_officer_reads_prints_and_downloads_the_daily_report(
    login: Callable[[str], Page], world: World, settings, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    settings.DATA_DIR = tmp_path
    install_presets(apps.get_model)  # a transactional test starts from a flushed database
    built = construct_day(world)

    page = login("officer")
    page.goto("/report/daily/")
    rows = page.locator("#daily-report tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text("光明社区")
    expect(rows.nth(1)).to_contain_text("幸福里社区")
    expect(page.locator("#daily-row-total")).to_contain_text("30.0%")
    expect(page.locator("#next-day")).to_have_count(0)
    for name in built.names:
        expect(page.locator("main")).not_to_contain_text(name)
    page.screenshot(path=SCREENSHOT, full_page=True)

    page.emulate_media(media="print")
    expect(page.locator("#daily-form")).to_be_hidden()
    expect(page.locator("#daily-report")).to_be_visible()
    page.screenshot(path=PRINT_SCREENSHOT, full_page=True)
    page.emulate_media(media="screen")

    with page.expect_download() as download_info:
        page.locator("#daily-xlsx").click()
    download = download_info.value
    assert download.suggested_filename == f"daily-report-{built.day.isoformat()}.xlsx"
    workbook = CalamineWorkbook.from_path(download.path())
    rows_read = workbook.get_sheet_by_index(0).to_python()
    assert rows_read[-1][1:5] == [2, 1, 1, 1]
    assert AuditEntry.objects.filter(action=AuditAction.EXPORT).count() == 1

    with page.expect_navigation():
        page.locator("#previous-day").click()
    yesterday = built.day - dt.timedelta(days=1)
    expect(page.locator("h1")).to_contain_text(yesterday.isoformat())
    expect(page.locator("#next-day")).to_be_visible()
