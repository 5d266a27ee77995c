"""Importing a case's contacts from .csv/.xlsx: every row checked first, then all or nothing."""

from __future__ import annotations

import io

import xlsxwriter
from django.urls import reverse
from django.utils import translation

from frontline.contacts.imports import contacts_check, contacts_commit, parse_contacts
from frontline.contacts.models import ContactLink, OutsidePerson
from frontline.contacts.selectors import case_get, chain_of
from frontline.contacts.tests.factories import zhang_case
from frontline.core.models import AuditAction, AuditEntry

GOOD = (
    "接触者名单\n"
    "姓名,手机,日期,时间,地点,类型,经由手机\n"
    "李四,13900001111,2026-10-30,18:30,菜场,同住,\n"
    "赵外,139 0000 9999,2026/10/31,,公交,交通,13900001111\n"
).encode()


def test_a_csv_is_checked_without_saving_then_committed_all_at_once(world):
    case = zhang_case(world)
    admin = world.users["admin"]
    check = contacts_check(actor=admin, case=case, data=GOOD, filename="c.csv")
    assert check.ok and [r.row for r in check.rows] == [3, 4]
    assert not ContactLink.objects.exists() and not OutsidePerson.objects.exists()
    done = contacts_commit(actor=admin, case=case, signed=check.signed())
    assert done.ok
    chain = chain_of(viewer=admin, case=case_get(viewer=admin, pk=case.pk))
    degrees = {p.name: p.degree for p in chain.people}
    assert degrees == {"张三丰": 0, "李四": 1, "赵外": 2}  # 李四 matched the resident by name+phone
    assert ContactLink.objects.get(b_resident=world.li).link_type == "household"
    assert (
        AuditEntry.objects.filter(
            action=AuditAction.CREATE, target_type__model="contactlink"
        ).count()
        == 2
    )


def test_every_bad_row_is_reported_with_its_row_number_and_nothing_is_saved(world):
    case = zhang_case(world)
    data = (
        "姓名,手机,日期,类型,经由手机\n"
        "李四,13900001111,2026-10-30,同住,\n"
        "坏号,12345,2026-10-30,其他,\n"
        "无日期,13900002222,昨天,其他,\n"
        "李四,13900001111,2026-10-30,同住,\n"  # the same pair on the same day again
        "未知,13900003333,2026-10-30,开会,\n"
        "无来源,13900004444,2026-10-30,其他,13700000000\n"
    ).encode()
    with translation.override("en"):
        check = contacts_check(actor=world.users["admin"], case=case, data=data, filename="c.csv")
    bad = {row.row: row.errors for row in check.rows if row.errors}
    assert set(bad) == {3, 4, 5, 6, 7}
    assert any("11-digit" in e for e in bad[3])
    assert any("already linked" in e for e in bad[5])
    assert any("already in this case's chain" in e for e in bad[7])
    assert not check.ok and not ContactLink.objects.exists()


def test_a_tampered_or_stale_confirmation_is_refused(world):
    case = zhang_case(world)
    result = contacts_commit(actor=world.users["admin"], case=case, signed="x" + "abc:def")
    assert result.problem and not ContactLink.objects.exists()


def test_an_xlsx_with_dates_and_times_as_cells_is_read(world):
    import datetime as dt

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet()
    date_format = book.add_format({"num_format": "yyyy-mm-dd"})
    time_format = book.add_format({"num_format": "hh:mm"})
    sheet.write_row(0, 0, ["name", "phone", "date", "time", "where", "type"])
    sheet.write(1, 0, "赵外")
    sheet.write_number(1, 1, 13900009999)
    sheet.write_datetime(1, 2, dt.date(2026, 10, 30), date_format)
    sheet.write_datetime(1, 3, dt.time(18, 30), time_format)
    sheet.write(1, 4, "公交")
    sheet.write(1, 5, "transport")
    book.close()
    check = parse_contacts(buffer.getvalue(), "c.xlsx")
    assert not check.problem, check.problem
    row = check.rows[0]
    assert (row.phone, row.met_on, row.met_at, row.link_type) == (
        "13900009999", "2026-10-30", "18:30", "transport",
    )  # fmt: skip


def test_a_file_without_the_needed_headers_is_refused_as_a_whole(world):
    check = parse_contacts(b"a,b\n1,2\n", "c.csv")
    assert check.problem and not check.rows


def test_the_import_page_checks_then_imports(world, client_for):
    case = zhang_case(world)
    client = client_for("fulltime")
    url = reverse("contacts:case_import", kwargs={"pk": case.pk})
    upload = io.BytesIO(GOOD)
    upload.name = "contacts.csv"
    preview = client.post(url, {"file": upload})
    body = preview.content.decode()
    assert preview.status_code == 200 and 'id="import-confirm"' in body
    assert not ContactLink.objects.exists()
    signed = body.split('name="signed" value="')[1].split('"')[0]
    done = client.post(url, {"signed": signed})
    assert done.status_code == 302 and ContactLink.objects.count() == 2
    assert client_for("sampler").get(url).status_code == 403
