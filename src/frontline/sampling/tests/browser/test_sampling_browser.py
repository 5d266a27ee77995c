"""In headless Chromium: a sampler fills a tube of 10 by typing a barcode and ten ID numbers,
a result file marks the tube positive, and the grid worker's inbox shows the control tasks."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from frontline.conftest import World
from frontline.sampling.models import Tube
from frontline.sampling.tests.factories import a_round, a_site, residents

SCREENSHOT = "/tmp/frontline-sampling.png"  # noqa: S108  (a fixed path to look at by hand)


@pytest.mark.browser
def test_a_sampler_fills_a_tube_the_lab_marks_it_positive_and_the_grid_worker_is_told(
    login: Callable[[str], Page], world: World, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    round = a_round(world, pool_size=10)
    site = a_site(world, round)
    people = residents(world, 10)  # five households of two, in building 3 (grid 1)

    page = login("sampler")
    page.goto(f"/sampling/{round.pk}/sample/?site={site.pk}")
    box = page.locator("#id_code")
    box.fill("TB0001")
    box.press("Enter")
    expect(page.locator("#scan-ok")).to_contain_text("TB0001")
    for n, person in enumerate(people):
        page.locator("#id_code").fill(person.document_number)
        page.locator("#id_code").press("Enter")
        expect(page.locator("#scan-ok")).to_contain_text(person.name)
        expect(page.locator("#scan-ok")).to_contain_text(f"{n + 1}")
    expect(page.locator("#tube-state")).not_to_contain_text("TB0001")  # full, so closed
    page.screenshot(path=SCREENSHOT, full_page=True)
    tube = Tube.objects.get(barcode="TB0001")
    assert tube.size == 10

    page.context.clear_cookies()
    page = login("admin")
    page.goto("/sampling/results/")
    results = tmp_path / "结果.csv"
    results.write_text("试管条码,检测结果,报告时间,检测机构\nTB0001,阳性,2022-04-04 10:30,区疾控\n")
    page.locator("#id_file").set_input_files(str(results))
    with page.expect_navigation():
        page.locator("#results-form button[type=submit]").click()
    expect(page.locator("#results-report")).to_contain_text("TB0001")

    page.context.clear_cookies()
    page = login("grid1")
    page.goto("/tasks/")
    rows = page.locator("#task-table tbody tr", has_text="TB0001")
    expect(rows).to_have_count(5)
    for person in people:
        expect(page.locator("#task-table")).to_contain_text(person.name)
