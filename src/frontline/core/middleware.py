from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from frontline.core.request_context import reset_ip, set_ip


class RequestContextMiddleware:
    """Keep the client's address for audit entries written while this request runs."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = set_ip(request.META.get("REMOTE_ADDR"))
        try:
            return self.get_response(request)
        finally:
            reset_ip(token)
