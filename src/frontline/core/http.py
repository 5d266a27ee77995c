from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails

from frontline.accounts.models import User


class AuthedRequest(HttpRequest):
    """A request behind a guard: the user is signed in, and django-htmx has parsed its headers."""

    user: User  # type: ignore[assignment]
    htmx: HtmxDetails
