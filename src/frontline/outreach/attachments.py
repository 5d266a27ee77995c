"""The files a notice carries (a PDF of the rules, a picture of the map): checked at the edge by
their leading bytes, kept in private storage, added or removed only while the notice is a draft,
and served as downloads by guarded views (the workers who may see the notice, the households
it was sent to)."""

from __future__ import annotations

import os
from collections.abc import Sequence

from django.core.exceptions import SuspiciousFileOperation, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.http import FileResponse
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _

from frontline.accounts.access import Permission, require
from frontline.accounts.models import User
from frontline.core.audit import audit_record
from frontline.core.files import private_file_response, upload_kind
from frontline.core.models import AuditAction
from frontline.outreach.models import Notice, NoticeAttachment, NoticeStatus

MAX_ATTACHMENTS = 5
ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024
NAME_MAX = NoticeAttachment._meta.get_field("name").max_length or 100


def attachment_error(upload: UploadedFile) -> str | None:
    """Why an uploaded file is refused (over 10 MB, or not a PDF, JPEG, PNG or WebP), or None."""
    name = display_name(upload.name or "")
    if upload.size is None or upload.size > ATTACHMENT_MAX_BYTES:
        return _("“%(name)s” is larger than 10 MB.") % {"name": name}
    if upload_kind(upload) is None:
        return _("“%(name)s” is not a PDF, JPEG, PNG or WebP file.") % {"name": name}
    return None


def display_name(uploaded: str) -> str:
    """The uploaded name, safe to show and to offer as the download's name."""
    stem, extension = os.path.splitext(os.path.basename(uploaded.replace("\\", "/")))
    try:
        name = get_valid_filename(stem[: NAME_MAX - len(extension[:10])] + extension[:10])
    except SuspiciousFileOperation:
        name = ""
    return name or _("attachment")


def _draft(notice: Notice) -> Notice:
    locked = Notice.objects.select_for_update().get(pk=notice.pk)
    if locked.status != NoticeStatus.DRAFT:
        raise ValidationError(
            {"files": [_("Attachments change only while the notice is a draft.")]}
        )
    return locked


@transaction.atomic
def attachments_add(
    *, actor: User, notice: Notice, files: Sequence[UploadedFile]
) -> list[NoticeAttachment]:
    """Attach files to a draft: all of them or, if one is refused, none (each refusal named)."""
    require(actor, Permission.SEND_NOTICES, notice)
    notice = _draft(notice)
    errors = [message for upload in files if (message := attachment_error(upload))]
    if not files:
        errors.append(_("Choose a file to attach."))
    if NoticeAttachment.objects.filter(notice=notice).count() + len(files) > MAX_ATTACHMENTS:
        errors.append(_("A notice carries at most %(n)d files.") % {"n": MAX_ATTACHMENTS})
    if errors:
        raise ValidationError({"files": errors})
    added = []
    for upload in files:
        kind = upload_kind(upload)
        assert kind is not None and upload.size is not None  # checked above
        attachment = NoticeAttachment(
            notice=notice, name=display_name(upload.name or ""), content_type=kind[0],
            size=upload.size, created_by=actor,
        )  # fmt: skip
        attachment.file.save(attachment.name, upload, save=False)
        attachment.save()
        added.append(attachment)
    audit_record(
        actor=actor, action=AuditAction.UPDATE, target=notice, community_id=notice.community_id,
        fields=["attachments"], details={"added": len(added)},
    )  # fmt: skip
    return added


@transaction.atomic
def attachment_remove(*, actor: User, attachment: NoticeAttachment) -> None:
    """Take a file off a draft; the file itself goes once the removal is committed."""
    require(actor, Permission.SEND_NOTICES, attachment.notice)
    notice = _draft(attachment.notice)
    name, storage = attachment.file.name or "", attachment.file.storage
    attachment.delete()
    if name:
        transaction.on_commit(lambda: storage.delete(name))
    audit_record(
        actor=actor, action=AuditAction.UPDATE, target=notice, community_id=notice.community_id,
        fields=["attachments"], details={"removed": 1},
    )  # fmt: skip


def attachment_response(attachment: NoticeAttachment) -> FileResponse:
    """The file as a download under its uploaded name (never shown inline)."""
    return private_file_response(attachment.file, filename=attachment.name, as_attachment=True)
