"""The household page's notices: /h/<token>/notices/ with "I have read it"."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse

from frontline.accounts.access import public


@public
def notices(request: HttpRequest, token: str | None = None) -> HttpResponse:
    raise Http404
