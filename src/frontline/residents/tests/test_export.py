import io
import re
import zipfile

import pytest
from django.core.management import call_command
from django.urls import reverse
from python_calamine import CalamineWorkbook

from frontline.conftest import ZHANG_ID, make_household, make_resident
from frontline.core.models import AuditAction, AuditEntry


def sheet_rows(content: bytes) -> list[list]:
    return CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_index(0).to_python()


def download(response) -> bytes:  # type: ignore[no-untyped-def]
    assert response.status_code == 200, response.status_code
    return b"".join(response.streaming_content)


def test_the_export_is_masked_by_default_and_audited_with_filter_and_count(world, client_for):
    content = download(client_for("admin").get(reverse("residents:export") + "?q=zsf"))
    rows = sheet_rows(content)
    assert len(rows) == 2 and rows[1][0] == "张三丰"
    assert "110105********002X" in rows[1] and "138****5678" in rows[1]
    assert ZHANG_ID not in str(rows)
    entry = AuditEntry.objects.get(action=AuditAction.EXPORT)
    assert entry.details == {"filters": {"query": "zsf", "status": "", "tags": [], "sort": "address"},
                             "rows": 1, "full_numbers": False}  # fmt: skip
    assert entry.community == world.community and entry.actor == world.users["admin"]


def test_what_a_resident_lacks_is_an_empty_cell_not_empty_text(world, client_for):
    content = download(client_for("admin").get(reverse("residents:export") + "?q=zsf"))
    with zipfile.ZipFile(io.BytesIO(content)) as book:
        sheet = book.read("xl/worksheets/sheet1.xml").decode()
    cells = re.findall(r'<c r="([A-Z]+)2"[^>]*>(.*?)</c>', sheet)
    assert cells and all(value for _column, value in cells)
    assert not re.search(r"<t[^>]*>\s*</t>|<t[^>]*/>", sheet)
    # 张三丰 has no emergency contact, contact phone or notes: columns N, O and P stay empty.
    assert {column for column, _value in cells}.isdisjoint({"N", "O", "P"})
    assert sheet_rows(content)[1][13:16] == ["", "", ""]


def test_full_numbers_need_the_permission_and_a_reason(world, client_for):
    url = reverse("residents:export")
    full = {"q": "zsf", "full_numbers": "1", "reason": "上报街道"}
    rows = sheet_rows(download(client_for("admin").post(url, full)))
    assert ZHANG_ID in rows[1] and "13812345678" in rows[1]
    entry = AuditEntry.objects.get(action=AuditAction.EXPORT)
    assert entry.reason == "上报街道" and "document_number" in entry.fields
    no_reason = client_for("admin").post(url, {"q": "zsf", "full_numbers": "1", "reason": " "})
    assert no_reason.status_code == 302
    assert client_for("grid1").post(url, full).status_code == 403
    assert AuditEntry.objects.filter(action=AuditAction.EXPORT).count() == 1


def test_a_grid_worker_exports_only_their_grid(world, client_for):
    names = {
        row[0]
        for row in sheet_rows(download(client_for("grid1").get(reverse("residents:export"))))[1:]
    }
    assert names == {"张三丰"}
    assert client_for("volunteer").get(reverse("residents:export")).status_code == 403


def test_the_api_exports_with_the_same_rules(world, client_for):
    response = client_for("admin").post(
        "/api/v1/residents/export", {"tag": ["living_alone"]}, content_type="application/json"
    )
    rows = sheet_rows(download(response))
    assert [row[0] for row in rows[1:]] == ["张三丰"] and "110105********002X" in rows[1]
    refused = client_for("grid1").post(
        "/api/v1/residents/export",
        {"full_numbers": True, "reason": "x"},
        content_type="application/json",
    )
    assert refused.status_code == 403


def test_the_command_line_export_writes_a_workbook(world, tmp_path):
    for index in range(30):
        make_resident(make_household(world.building1, "8", f"{index + 1}01"), name=f"居民{index}")
    target = tmp_path / "out.xlsx"
    call_command("export_residents", "--user", "grid1", "--output", str(target))
    assert len(sheet_rows(target.read_bytes())) == 32
    with pytest.raises(Exception, match="may not export full numbers"):
        call_command(
            "export_residents",
            "--user",
            "grid1",
            "--output",
            str(target),
            "--full-numbers",
            "--reason",
            "x",
        )


def test_each_row_has_the_labels_age_and_tags_of_the_reader_language(world):
    from django.utils import timezone, translation

    from frontline.residents.exports import resident_export
    from frontline.residents.models import Resident, age_on

    zhang = world.zhang
    zhang.tags.create(tag="dialysis")
    with translation.override("en"):
        output = resident_export(
            actor=world.users["admin"],
            residents=Resident.objects.filter(pk=zhang.pk),
            filters={},
        )
    header, row = sheet_rows(output.read())
    assert header[:4] == ["Name", "Sex", "Birth date", "Age"]
    age = age_on(zhang.birth_date, timezone.localdate())
    assert age is not None and age >= 65
    assert row[1] == "Female" and row[3] == age
    assert row[12] == "65 and over、Living alone、Dialysis"  # derived and stored, in Tag's order
    assert row[10] == "Registered (hukou)" and row[11] == "Present"


def test_the_export_reads_each_chunk_in_two_queries(world, django_assert_max_num_queries):
    from frontline.residents import exports
    from frontline.residents.models import Resident

    household = make_household(world.building1, "9", "901")
    for index in range(5):
        make_resident(household, name=f"测试{index}")
    residents = Resident.objects.filter(community=world.community).order_by("pk")
    exports.CHUNK, chunk = 2, exports.CHUNK
    try:
        # 7 residents in chunks of 2: 4 chunks of (rows, tags), one content type, one audit entry
        with django_assert_max_num_queries(4 * 2 + 2):
            output = exports.resident_export(
                actor=world.users["admin"], residents=residents, filters={}
            )
    finally:
        exports.CHUNK = chunk
    assert len(sheet_rows(output.read())) == 1 + residents.count()
