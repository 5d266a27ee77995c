"""Notice attachments: up to five PDF or pictures of at most 10 MB (checked by their leading
bytes), changed only while the notice is a draft, downloaded by the workers who may see the
notice and by the households it was sent to, and by nobody else."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from frontline.health.services import household_link_issue
from frontline.outreach.attachments import (
    ATTACHMENT_MAX_BYTES,
    attachment_remove,
    attachments_add,
)
from frontline.outreach.models import NoticeAttachment

from .conftest import EN

PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 " + b"\x00" * 24


@pytest.fixture(autouse=True)
def private_folder(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.DATA_DIR = tmp_path
    return tmp_path


def upload(name: str, content: bytes, content_type: str = "application/octet-stream"):  # type: ignore[no-untyped-def]
    return SimpleUploadedFile(name, content, content_type=content_type)


def attach(world, notice, *files, by: str = "admin"):  # type: ignore[no-untyped-def]
    return attachments_add(actor=world.users[by], notice=notice, files=list(files))


def test_pdf_and_pictures_are_kept_under_their_type_read_from_the_leading_bytes(
    world, compose, private_folder
):
    notice = compose()
    added = attach(world, notice, upload("停水安排.pdf", PDF), upload("map.jpg", PNG),
                   upload("../../etc/x.webp", WEBP))  # fmt: skip
    assert [(a.name, a.content_type, a.size) for a in added] == [
        ("停水安排.pdf", "application/pdf", len(PDF)), ("map.jpg", "image/png", len(PNG)),
        ("x.webp", "image/webp", len(WEBP)),
    ]  # fmt: skip
    stored = private_folder / "outreach" / "attachments" / added[0].file.name
    assert stored.read_bytes() == PDF and "停水" not in added[0].file.name


def test_other_types_large_files_and_a_sixth_file_are_refused_and_nothing_is_kept(world, compose):
    notice = compose()
    too_big = upload("big.pdf", PDF + b"\x00" * (ATTACHMENT_MAX_BYTES - len(PDF) + 1))
    with translation.override("en"), pytest.raises(ValidationError) as raised:
        attach(world, notice, upload("good.pdf", PDF), upload("run.exe", b"MZ\x90\x00" * 8),
               upload("page.html", b"<html><body>"), too_big)  # fmt: skip
    messages = raised.value.message_dict["files"]
    assert messages == [
        "“run.exe” is not a PDF, JPEG, PNG or WebP file.",
        "“page.html” is not a PDF, JPEG, PNG or WebP file.",
        "“big.pdf” is larger than 10 MB.",
    ]
    assert not NoticeAttachment.objects.exists()
    attach(world, notice, *(upload(f"{n}.png", PNG) for n in range(4)))
    with pytest.raises(ValidationError):
        attach(world, notice, upload("5.png", PNG), upload("6.png", PNG))
    attach(world, notice, upload("5.png", PNG))
    assert NoticeAttachment.objects.count() == 5


def test_attachments_change_only_while_the_notice_is_a_draft(world, compose, send):
    notice = compose()
    [kept] = attach(world, notice, upload("a.pdf", PDF))
    with pytest.raises(PermissionDenied):
        attach(world, notice, upload("b.pdf", PDF), by="parttime")  # sends no notice
    send(notice)
    with pytest.raises(ValidationError):
        attach(world, notice, upload("b.pdf", PDF))
    with pytest.raises(ValidationError):
        attachment_remove(actor=world.users["admin"], attachment=kept)
    assert NoticeAttachment.objects.count() == 1


def test_the_notice_page_attaches_serves_and_removes_files(
    world, compose, client_for, django_capture_on_commit_callbacks, private_folder
):
    notice = compose()
    client = client_for("fulltime")
    url = reverse("outreach:notice_attach", kwargs={"pk": notice.pk})
    assert (
        client.post(url, {"files": [upload("a.pdf", PDF), upload("b.png", PNG)]}).status_code == 302
    )
    page = client.get(reverse("outreach:notice", kwargs={"pk": notice.pk}), **EN).content.decode()
    assert "a.pdf" in page and "b.png" in page and 'id="attach-form"' in page
    first = NoticeAttachment.objects.get(name="a.pdf")
    served = client.get(reverse("outreach:attachment", kwargs={"pk": first.pk}))
    assert served.status_code == 200 and b"".join(served.streaming_content) == PDF
    assert served["Content-Type"] == "application/pdf"
    assert served["Content-Disposition"].startswith("attachment;")
    assert served["Cache-Control"] == "private, no-store"
    refused = client.post(url, {"files": [upload("x.txt", b"hello")]}, follow=True, **EN)
    assert "is not a PDF" in refused.content.decode()

    stored = private_folder / "outreach" / "attachments" / first.file.name
    with django_capture_on_commit_callbacks(execute=True):
        removed = client.post(reverse("outreach:attachment_remove", kwargs={"pk": first.pk}))
    assert removed.status_code == 302 and not stored.exists()
    assert list(NoticeAttachment.objects.values_list("name", flat=True)) == ["b.png"]


def test_only_workers_who_may_see_the_notice_download_its_files(world, compose, client_for):
    [attachment] = attach(world, compose(), upload("a.pdf", PDF))
    url = reverse("outreach:attachment", kwargs={"pk": attachment.pk})
    assert client_for("admin").get(url).status_code == 200
    for outsider in ("other_admin", "grid1", "officer", "volunteer"):
        assert client_for(outsider).get(url).status_code == 404, outsider


def test_a_household_downloads_the_files_of_notices_sent_to_it_and_no_other(
    world, compose, send, client
):
    to_grid1 = compose(title="一网格通知", grid_ids=[world.grid1.pk])
    [mine] = attach(world, to_grid1, upload("安排.pdf", PDF))
    sms_only = compose(title="短信通知", channels=["sms"])
    [by_sms] = attach(world, sms_only, upload("sms.pdf", PDF))
    draft = compose(title="草稿")
    [unsent] = attach(world, draft, upload("draft.pdf", PDF))
    send(to_grid1)
    send(sms_only)

    def link(household, by="admin"):  # type: ignore[no-untyped-def]
        _link, token = household_link_issue(actor=world.users[by], household=household)
        return reverse("portal:notices", kwargs={"token": token})

    page_url = link(world.household1)
    page = client.get(page_url).content.decode()
    assert f'href="attachment/?id={mine.pk}"' in page and "安排.pdf" in page
    served = client.get(f"{page_url}attachment/", {"id": mine.pk})
    assert served.status_code == 200 and b"".join(served.streaming_content) == PDF
    for other in (by_sms, unsent):
        assert client.get(f"{page_url}attachment/", {"id": other.pk}).status_code == 404
    assert client.get(f"{page_url}attachment/", {"id": "x"}).status_code == 404
    for household, by in ((world.household2, "admin"), (world.other_household, "other_admin")):
        other_url = link(household, by=by)
        assert client.get(f"{other_url}attachment/", {"id": mine.pk}).status_code == 404


def test_the_api_attaches_lists_serves_and_removes_files(world, compose, send, client_for):
    notice = compose()
    client = client_for("admin")
    base = f"/api/v1/outreach/notices/{notice.pk}/attachments"
    added = client.post(base, {"files": [upload("a.pdf", PDF), upload("b.webp", WEBP)]})
    assert added.status_code == 201
    assert [(row["name"], row["content_type"]) for row in added.json()] == [
        ("a.pdf", "application/pdf"), ("b.webp", "image/webp"),
    ]  # fmt: skip
    refused = client.post(base, {"files": [upload("c.gif", b"GIF89a" + b"\x00" * 10)]})
    assert refused.status_code == 422 and "files" in refused.json()["detail"]
    nothing = client.post(base, {})
    assert nothing.status_code == 422
    first, second = (row["id"] for row in added.json())
    assert [row["id"] for row in client.get(base).json()] == [first, second]
    served = client.get(f"{base}/{first}")
    assert served.status_code == 200 and b"".join(served.streaming_content) == PDF
    assert client.delete(f"{base}/{second}").status_code == 204
    send(notice)
    assert client.delete(f"{base}/{first}").status_code == 422
    other = f"/api/v1/outreach/notices/{notice.pk}/attachments/{first}"
    assert client_for("other_admin").get(other).status_code == 404
