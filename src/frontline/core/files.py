"""Uploaded files that hold personal data: stored in the data folder under a name of our own,
never under a public URL, and served by a guarded view to those who may see their row with the
type read from their own leading bytes (never the uploader's name for them), so a page disguised
as a picture cannot run in a worker's browser. Checked at the edge."""

from __future__ import annotations

import os
import secrets

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import UploadedFile
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404
from django.utils.translation import gettext as _

PHOTO_MAX_BYTES = 5 * 1024 * 1024
# Leading bytes -> (type, extension); WebP is checked apart (RIFF....WEBP).
SIGNATURES = (
    (b"\xff\xd8\xff", ("image/jpeg", "jpg")),
    (b"\x89PNG\r\n\x1a\n", ("image/png", "png")),
    (b"%PDF-", ("application/pdf", "pdf")),
)
WEBP = ("image/webp", "webp")
UNKNOWN = ("application/octet-stream", "bin")


class PrivateStorage(FileSystemStorage):
    """Files under `DATA_DIR / folder`, the folder read when used so tests can move it."""

    def __init__(self, folder: str) -> None:
        super().__init__()
        self.folder = folder

    @property  # type: ignore[override]
    def base_location(self) -> str:
        return str(settings.DATA_DIR / self.folder)

    @property  # type: ignore[override]
    def location(self) -> str:
        return os.path.abspath(self.base_location)


def sniff(head: bytes) -> tuple[str, str] | None:
    """(content type, extension) of a JPEG, PNG, WebP or PDF from its first 16 bytes, else None."""
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return WEBP
    return next((kind for signature, kind in SIGNATURES if head.startswith(signature)), None)


def upload_kind(upload: UploadedFile) -> tuple[str, str] | None:
    head = upload.read(16)
    upload.seek(0)
    return sniff(head)


def photo_error(photo: UploadedFile) -> str | None:
    """Why an uploaded picture is refused (over 5 MB, or not JPEG, PNG or WebP), or None."""
    if photo.size is None or photo.size > PHOTO_MAX_BYTES:
        return _("The photo is larger than 5 MB.")
    kind = upload_kind(photo)
    if kind is None or not kind[0].startswith("image/"):
        return _("Send the photo as a JPEG, PNG or WebP picture.")
    return None


def stored_name(upload: UploadedFile, stem: str) -> str:
    """A name of our own for an upload: `stem`, a random part and the extension of its bytes."""
    extension = (upload_kind(upload) or UNKNOWN)[1]
    return f"{stem}-{secrets.token_hex(8)}.{extension}"


def private_file_response(
    field: FieldFile, *, filename: str = "", as_attachment: bool = False
) -> FileResponse:
    """Serve a private file with the type of its own bytes (anything else is a download of
    unknown type), kept out of shared caches and sandboxed should a browser render it."""
    try:
        opened = field.open("rb")
    except FileNotFoundError as missing:
        raise Http404 from missing
    head = opened.read(16)
    opened.seek(0)
    content_type, extension = sniff(head) or UNKNOWN
    response = FileResponse(
        opened, content_type=content_type, as_attachment=as_attachment or extension == "bin",
        filename=filename or f"file.{extension}",
    )  # fmt: skip
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
