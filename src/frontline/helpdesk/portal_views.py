"""The household page's requests: /h/<token>/requests/ and one request with its rating."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse

from frontline.accounts.access import public


@public
def requests(request: HttpRequest, token: str | None = None) -> HttpResponse:
    raise Http404


@public
def request_detail(request: HttpRequest, token: str | None = None, pk: str = "") -> HttpResponse:
    raise Http404
