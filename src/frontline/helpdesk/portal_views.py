"""The household page's requests: /h/<token>/requests/ (one request: ?request=<id>)."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse

from frontline.accounts.access import public


@public
def requests(request: HttpRequest, token: str | None = None) -> HttpResponse:
    raise Http404
