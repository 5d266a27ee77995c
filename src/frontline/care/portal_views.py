"""The household page's screening (PHQ/GAD) for a member."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse

from frontline.accounts.access import public


@public
def screening(request: HttpRequest, token: str | None = None) -> HttpResponse:
    raise Http404
