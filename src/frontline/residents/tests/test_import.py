"""Roster import through the service, the pages and the command line, with files built here."""

import io

import pytest
import xlsxwriter
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation
from python_calamine import CalamineWorkbook

from frontline.conftest import ZHANG_ID
from frontline.core.bulk import RowWriter
from frontline.core.models import AuditAction, AuditEntry
from frontline.places.models import Household
from frontline.residents import imports
from frontline.residents.models import Resident, RosterImport, RosterImportStatus
from frontline.residents.roster import RosterError

HEADER = ["姓名", "身份证号", "手机", "住址", "备注"]


@pytest.fixture(autouse=True)
def english():  # type: ignore[no-untyped-def]
    """Assert the English messages, whatever the catalogue translates them to."""
    with translation.override("en"):
        yield


NEW_ID = "440305199207040052"
LI_ID = "110105199003070017"


def xlsx(rows, *, title=True) -> bytes:
    output = io.BytesIO()
    workbook = xlsxwriter.Workbook(output, {"in_memory": True})
    sheet = workbook.add_worksheet()
    offset = 0
    if title:
        sheet.merge_range(0, 0, 0, len(HEADER) - 1, "幸福里社区居民花名册（2022年4月）")
        offset = 1
    sheet.write_row(offset, 0, HEADER)
    for index, row in enumerate(rows, start=offset + 1):
        for column, value in enumerate(row):
            if isinstance(value, float):
                sheet.write_number(index, column, value)
            else:
                sheet.write_string(index, column, value)
    workbook.close()
    return output.getvalue()


MESSY = [
    [
        "赵六",
        "４４０３０５ １９９２０７０４ ００５２",
        "139 1234 5678",
        "3栋2单元401",
        "新住户",
    ],  # create
    ["张三丰", ZHANG_ID.lower(), "13800009999", "3-2-401", ""],  # update: phone only, note kept
    ["王小二", LI_ID, "", "5-1-102", ""],  # conflict: 李四's ID
    ["钱七", "11010519491231002", "", "3-2-401", ""],  # error: 17 characters
    ["孙八", 1.10105194912310e17, "", "3-2-401", ""],  # error: ID stored as a number
    ["周九", "", "13912340000", "3栋2单元999", ""],  # error: household 3-2-999 missing
    ["赵六", NEW_ID, "", "3-2-401", ""],  # the same person again in the file
]


def upload(world, content, actor="admin", filename="roster.xlsx"):
    return imports.roster_upload(
        actor=world.users[actor], community=world.community, filename=filename, content=content
    )


def test_the_preview_classifies_every_row_and_writes_nothing(world):
    before = (Resident.objects.count(), AuditEntry.objects.count())
    batch = upload(world, xlsx(MESSY))
    preview = imports.roster_preview(actor=world.users["admin"], batch=batch)
    kinds = {row.line: row.kind for row in preview.rows}
    assert kinds == {
        3: "create",
        4: "update",
        5: "conflict",
        6: "error",
        7: "error",
        8: "error",
        9: "unchanged",
    }
    reasons = {row.line: " ".join(row.reasons) for row in preview.rows}
    assert "李四" in reasons[5]
    assert "stored as a number" in reasons[7] or "number" in reasons[7]
    assert "3-2-999" in reasons[8]
    assert preview.of_kind("update")[0].changes == ["phone"]
    assert (Resident.objects.count(), AuditEntry.objects.count()) == before


def test_confirming_writes_valid_rows_once_and_never_blanks_known_values(world):
    world.zhang.notes = "独居，需每日回访"
    world.zhang.save(update_fields=["notes"])
    batch = upload(world, xlsx(MESSY))
    summary = imports.roster_commit(actor=world.users["admin"], batch=batch)
    assert summary == {"create": 1, "update": 1, "unchanged": 1, "conflict": 1, "error": 3}
    zhao = Resident.objects.get(name="赵六")
    assert (zhao.document_number, zhao.phone, zhao.household) == (
        NEW_ID,
        "13912345678",
        world.household1,
    )
    world.zhang.refresh_from_db()
    assert (world.zhang.phone, world.zhang.notes) == ("13800009999", "独居，需每日回访")
    # One entry for the import's new residents, naming the import; one per merged resident.
    created = AuditEntry.objects.get(action=AuditAction.CREATE)
    assert created.target_type is not None and created.target_id == str(batch.pk)
    assert created.target_type.model_class() is RosterImport
    assert created.details == {"import": batch.pk, "created": 1}
    assert "roster.xlsx" in created.target_label and created.actor == world.users["admin"]
    assert "document_number" in created.fields and "document_digest" not in created.fields
    merge = AuditEntry.objects.get(action=AuditAction.UPDATE)
    assert merge.target_id == str(world.zhang.pk) and merge.fields == ["phone"]
    assert merge.target_label == f"{world.zhang.name} 110105********002X"
    line = merge.details["line"]
    assert merge.details == {"import": batch.pk, "line": line} and line > 1
    assert "roster.xlsx" in merge.reason and str(line) in merge.reason
    assert AuditEntry.objects.count() == 2
    batch.refresh_from_db()
    assert batch.status == RosterImportStatus.COMMITTED


def test_reimporting_the_same_file_changes_nothing(world):
    imports.roster_commit(actor=world.users["admin"], batch=upload(world, xlsx(MESSY)))
    state = (
        list(Resident.objects.values_list("pk", "phone", "updated_at")),
        AuditEntry.objects.count(),
    )
    summary = imports.roster_commit(actor=world.users["admin"], batch=upload(world, xlsx(MESSY)))
    assert summary["create"] == 0 and summary["update"] == 0
    assert (
        list(Resident.objects.values_list("pk", "phone", "updated_at")),
        AuditEntry.objects.count(),
    ) == state


def test_a_second_file_about_the_same_person_merges_into_one_resident(world):
    imports.roster_commit(actor=world.users["admin"], batch=upload(world, xlsx([MESSY[0]])))
    property_file = xlsx([["赵六", NEW_ID, "", "3-2-401", "物业登记"]])
    summary = imports.roster_commit(actor=world.users["admin"], batch=upload(world, property_file))
    assert summary["update"] == 1
    zhao = Resident.objects.get(name="赵六")
    assert (zhao.phone, zhao.notes) == ("13912345678", "物业登记")
    assert Resident.objects.filter(document_number=NEW_ID).count() == 1


def test_missing_households_are_created_only_when_allowed(world):
    batch = upload(world, xlsx([["周九", "", "13912340000", "3栋2单元999", ""]]))
    assert imports.roster_commit(actor=world.users["admin"], batch=batch)["create"] == 0
    batch = upload(world, xlsx([["周九", "", "13912340000", "3栋2单元999", ""]]))
    imports.roster_set_mapping(
        actor=world.users["admin"], batch=batch, overrides={}, create_places=True
    )
    assert imports.roster_commit(actor=world.users["admin"], batch=batch)["create"] == 1
    assert Household.objects.filter(
        unit__building=world.building1, unit__number="2", room="999"
    ).exists()


def test_a_grid_worker_imports_only_into_their_grid(world):
    rows = [["赵六", NEW_ID, "", "3-2-401", ""], ["吴十", "", "13912340001", "5-1-102", ""]]
    batch = upload(world, xlsx(rows), actor="grid1")
    preview = imports.roster_preview(actor=world.users["grid1"], batch=batch)
    assert [row.kind for row in preview.rows] == ["create", "error"]
    assert "outside your area" in " ".join(preview.rows[1].reasons)


def test_cancelling_writes_nothing_and_drops_the_file(world):
    batch = upload(world, xlsx(MESSY))
    imports.roster_cancel(actor=world.users["admin"], batch=batch)
    batch.refresh_from_db()
    assert batch.status == RosterImportStatus.CANCELLED and bytes(batch.content) == b""
    assert not Resident.objects.filter(name="赵六").exists()
    with pytest.raises(Exception, match="closed"):
        imports.roster_commit(actor=world.users["admin"], batch=batch)


def test_a_gbk_csv_is_read(world):
    text = "姓名,身份证号,手机,楼栋,单元,房号\n赵六,440305199207040052,13912345678,3,2,401\n"
    batch = upload(world, text.encode("gbk"), filename="物业名单.csv")
    assert imports.roster_commit(actor=world.users["admin"], batch=batch)["create"] == 1


@pytest.mark.parametrize(
    ("content", "filename", "message"),
    [
        (b"", "empty.xlsx", "empty"),
        ("编号,日期\n1,2\n".encode(), "x.csv", "header"),
        (b"x", "x.pdf", "cannot be imported"),
    ],
)
def test_unusable_files_are_rejected_at_upload(world, content, filename, message):
    with pytest.raises(RosterError, match=message):
        upload(world, content, filename=filename)
    assert not RosterImport.objects.exists()


def test_the_error_workbook_has_each_rejected_row_with_its_reason(world):
    batch = upload(world, xlsx(MESSY))
    rows = (
        CalamineWorkbook.from_filelike(
            io.BytesIO(imports.roster_error_workbook(actor=world.users["admin"], batch=batch))
        )
        .get_sheet_by_index(0)
        .to_python()
    )
    assert rows[0][: len(HEADER)] == HEADER
    assert [row[0] for row in rows[1:]] == ["王小二", "钱七", "孙八", "周九"]
    assert all(row[len(HEADER)] for row in rows[1:])


def test_the_pages_upload_correct_the_mapping_and_confirm(world, client_for):
    client = client_for("admin")
    content = xlsx([["赵六", NEW_ID, "13912345678", "3-2-401", "备注内容"]])
    response = client.post(
        reverse("residents:import"),
        {"file": SimpleUploadedFile("roster.xlsx", content), "community": world.community.pk},
    )
    batch = RosterImport.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/import/{batch.pk}/")
    page = client.get(response["Location"]).content.decode()
    assert 'data-count="create">1<' in page
    # the user tells the page that column 4 (备注) is to be ignored
    client.post(response["Location"], {"column_0": "name", "column_1": "document_number", "column_2": "phone",
                                       "column_3": "address", "column_4": ""})  # fmt: skip
    client.post(reverse("residents:import_commit", kwargs={"pk": batch.pk}))
    zhao = Resident.objects.get(name="赵六")
    assert zhao.notes == ""
    # the next file of the same shape gets the corrected mapping
    again = imports.roster_upload(
        actor=world.users["admin"],
        community=world.community,
        filename="again.xlsx",
        content=content,
    )
    assert again.mapping["4"] == ""


def test_the_command_line_dry_run_writes_nothing_and_the_real_run_writes(world, tmp_path):
    path = tmp_path / "roster.xlsx"
    path.write_bytes(xlsx(MESSY))
    out = io.StringIO()
    call_command("import_residents", str(path), "--user", "admin", "--dry-run", stdout=out)
    assert "create=1" in out.getvalue() and not Resident.objects.filter(name="赵六").exists()
    call_command("import_residents", str(path), "--user", "admin", stdout=io.StringIO())
    assert Resident.objects.filter(name="赵六").count() == 1


def test_the_api_uploads_previews_corrects_and_confirms(world, client_for):
    client = client_for("admin")
    upload_response = client.post(
        "/api/v1/residents/imports",
        {"community_id": world.community.pk, "file": SimpleUploadedFile("r.xlsx", xlsx(MESSY))},
    )
    assert upload_response.status_code == 201, upload_response.content
    body = upload_response.json()
    assert body["counts"] == {"create": 1, "update": 1, "unchanged": 1, "conflict": 1, "error": 3}
    mapped = client.post(
        f"/api/v1/residents/imports/{body['id']}/mapping",
        {"columns": {"0": "name", "1": "document_number", "2": "", "3": "address", "4": "notes"}},
        content_type="application/json",
    ).json()
    assert mapped["counts"]["update"] == 0  # without the phone column 张三丰 is unchanged
    confirmed = client.post(f"/api/v1/residents/imports/{body['id']}/confirm").json()
    assert confirmed["create"] == 1
    bad = client.post(
        "/api/v1/residents/imports",
        {"community_id": world.community.pk, "file": SimpleUploadedFile("x.pdf", b"x")},
    )
    assert bad.status_code == 422 and set(bad.json()) == {"message", "detail"}


def test_an_import_that_fails_midway_leaves_the_database_as_it_was(world, monkeypatch):
    batch = upload(world, xlsx(MESSY))
    before = (list(Resident.objects.values_list("pk", "phone")), AuditEntry.objects.count())

    write = RowWriter.write

    def disk_full(writer, rows):  # type: ignore[no-untyped-def]
        if writer.model is AuditEntry:
            raise OSError("disk full")
        return write(writer, rows)

    # the residents and their tags are written, then writing their audit entries fails
    monkeypatch.setattr(RowWriter, "write", disk_full)
    with pytest.raises(OSError, match="disk full"):
        imports.roster_commit(actor=world.users["admin"], batch=batch)
    assert (list(Resident.objects.values_list("pk", "phone")), AuditEntry.objects.count()) == before
    batch.refresh_from_db()
    assert batch.status == RosterImportStatus.PREVIEW
