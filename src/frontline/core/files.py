"""Uploaded files that hold personal data: stored in the data folder, never under a public URL
(a guarded view serves each one to those who may see its row), and checked at the edge."""

from __future__ import annotations

import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

PHOTO_MAX_BYTES = 5 * 1024 * 1024
# Leading bytes of what phone cameras save (WebP is checked apart: RIFF....WEBP).
PHOTO_SIGNATURES = (b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n")


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


def photo_error(photo: UploadedFile) -> str | None:
    """Why an uploaded picture is refused (over 5 MB, or not JPEG, PNG or WebP), or None."""
    if photo.size is None or photo.size > PHOTO_MAX_BYTES:
        return _("The photo is larger than 5 MB.")
    head = photo.read(16)
    photo.seek(0)
    webp = head[:4] == b"RIFF" and head[8:12] == b"WEBP"
    if not webp and not head.startswith(PHOTO_SIGNATURES):
        return _("Send the photo as a JPEG, PNG or WebP picture.")
    return None
