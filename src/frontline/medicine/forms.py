"""What the medicine request form posts, read the one way for the worker's and the household's
pages."""

from __future__ import annotations

from typing import TypedDict

from django.core.files.uploadedfile import UploadedFile
from django.http import HttpRequest


class TypedRequest(TypedDict):
    medicine: str
    dose: str
    quantity: str
    pharmacy: str
    prescription: UploadedFile | None


def typed_request(request: HttpRequest) -> TypedRequest:
    """The request's fields as `services.request_submit` takes them."""
    post = request.POST
    return {
        "medicine": post.get("medicine", ""), "dose": post.get("dose", ""),
        "quantity": post.get("quantity", ""), "pharmacy": post.get("pharmacy", ""),
        "prescription": request.FILES.get("prescription"),
    }  # fmt: skip
