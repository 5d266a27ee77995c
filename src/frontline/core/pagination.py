from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest


def paginate(
    request: HttpRequest, rows: QuerySet[Any] | Sequence[Any], per_page: int | None = None
) -> Page:
    paginator = Paginator(rows, per_page or settings.FRONTLINE_PAGE_SIZE)
    return paginator.get_page(request.GET.get("page"))
