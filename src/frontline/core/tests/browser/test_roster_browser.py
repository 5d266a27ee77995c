"""End-to-end: a roster upload with a mapping fix, and a sweep visit on a phone-sized screen."""

from __future__ import annotations

import io
from collections.abc import Callable

import pytest
import xlsxwriter
from playwright.sync_api import Page, expect

from frontline.conftest import World
from frontline.residents.models import Resident, SweepVisit
from frontline.residents.sweeps import sweep_start
from frontline.tasks.models import Task


def roster_file() -> bytes:
    output = io.BytesIO()
    workbook = xlsxwriter.Workbook(output, {"in_memory": True})
    sheet = workbook.add_worksheet()
    sheet.merge_range(0, 0, 0, 3, "幸福里社区花名册")
    sheet.write_row(1, 0, ["姓名", "身份证号", "住址", "户主电话"])
    sheet.write_row(2, 0, ["赵六", "440305199207040052", "3-2-401", "13912345678"])
    sheet.write_row(3, 0, ["钱七", "110105198501010039", "3栋2单元401", "13912340000"])
    workbook.close()
    return output.getvalue()


@pytest.mark.browser
def test_upload_fix_a_mapping_confirm_and_see_the_residents(
    login: Callable[[str], Page], world: World, tmp_path
):
    page = login("admin")
    path = tmp_path / "花名册.xlsx"
    path.write_bytes(roster_file())
    page.goto("/residents/import/")
    page.set_input_files("#id_file", str(path))
    with page.expect_navigation():
        page.locator("#upload-form button[type=submit]").click()
    expect(page.locator('[data-count="create"]')).to_have_text("2")
    # "户主电话" is not recognised as the phone: the worker maps it by hand
    expect(page.locator("#column_3")).to_have_value("")
    page.select_option("#column_3", "phone")
    with page.expect_navigation():
        page.locator("#mapping-form button[type=submit]").click()
    expect(page.locator("#column_3")).to_have_value("phone")
    with page.expect_navigation():
        page.locator("#confirm-import").click()
    expect(page.locator("#import-summary")).to_contain_text("2")
    page.goto("/residents/?q=3-2-401")
    for name in ("赵六", "钱七", "张三丰"):
        expect(page.locator("#resident-table")).to_contain_text(name)
    assert Resident.objects.get(name="赵六").phone == "13912345678"


@pytest.mark.browser
def test_record_a_sweep_visit_on_a_phone(login: Callable[[str], Page], world: World):
    sweep = sweep_start(actor=world.users["admin"], community=world.community, purpose="独居老人排查",
                        buildings=[world.building1])  # fmt: skip
    page = login("grid1")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"/residents/sweeps/{sweep.pk}/buildings/{world.building1.pk}/")
    card = page.locator(f"#household-{world.household1.pk}")
    card.locator(f"label[for='o-{world.household1.pk}-nobody_home']").click()
    card.locator("input[name=note]").fill("敲门无应答")
    card.locator("button[type=submit]").click()
    expect(page.locator(f"#household-{world.household1.pk}.border-success")).to_be_visible()
    visit = SweepVisit.objects.get()
    assert (visit.outcome, visit.note) == ("nobody_home", "敲门无应答")
    assert Task.objects.filter(title__contains="3-2-401").count() == 1
