"""The JSON API at /api/v1/: session or bearer-token auth, one error shape, routers per app."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as SchemaError
from ninja.security import APIKeyCookie, HttpBearer

from frontline.accounts.access import signed_in
from frontline.accounts.models import User
from frontline.accounts.tokens import token_user
from frontline.core.forms import error_dict


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        user = token_user(token)
        if user is not None:
            request.user = user
        return user


class Session(APIKeyCookie):
    """The browser's signed-in session; unsafe methods need the CSRF token like any page."""

    param_name = "sessionid"

    def authenticate(self, request: HttpRequest, key: str | None) -> User | None:
        return request.user if request.user.is_authenticated else None  # type: ignore[return-value]


api = NinjaAPI(
    title="Frontline API",
    version="1",
    urls_namespace="api",
    auth=[BearerToken(), Session(csrf=True)],
    docs_url="/docs",
    docs_decorator=signed_in,
)


def _error(request: HttpRequest, status: int, message: str, detail: object = None) -> HttpResponse:
    return api.create_response(request, {"message": message, "detail": detail}, status=status)


@api.exception_handler(ValidationError)
def invalid_input(request: HttpRequest, error: ValidationError) -> HttpResponse:
    return _error(request, 422, _("Some fields are not valid."), error_dict(error))


@api.exception_handler(SchemaError)
def invalid_schema(request: HttpRequest, error: SchemaError) -> HttpResponse:
    return _error(request, 422, _("Some fields are not valid."), error.errors)


@api.exception_handler(Http404)
def not_found(request: HttpRequest, error: Http404) -> HttpResponse:
    return _error(request, 404, _("Not found."))


@api.exception_handler(PermissionDenied)
def forbidden(request: HttpRequest, error: PermissionDenied) -> HttpResponse:
    return _error(request, 403, _("You may not do this."))


@api.exception_handler(AuthenticationError)
def unauthenticated(request: HttpRequest, error: AuthenticationError) -> HttpResponse:
    return _error(request, 401, _("Sign in or send a valid bearer token."))


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, error: HttpError) -> HttpResponse:
    return _error(request, error.status_code, str(error))


def _mount() -> None:
    from frontline.care.api import router as care
    from frontline.contacts.api import router as contacts
    from frontline.control.api import router as control
    from frontline.deliveries.api import router as deliveries
    from frontline.health.api import router as health
    from frontline.helpdesk.api import router as helpdesk
    from frontline.medicine.api import router as medicine
    from frontline.outreach.api import router as outreach
    from frontline.places.api import router as places
    from frontline.policy.api import router as policy
    from frontline.residents.api import router as residents
    from frontline.residents.import_api import router as roster_imports
    from frontline.sampling.api import router as sampling
    from frontline.supplies.api import router as supplies
    from frontline.tasks.api import router as tasks
    from frontline.travel.api import router as travel
    from frontline.zones.api import router as zones

    api.add_router("/places", places)
    api.add_router("/residents/imports", roster_imports)
    api.add_router("/residents", residents)
    api.add_router("/tasks", tasks)
    api.add_router("/health", health)
    api.add_router("/travel", travel)
    api.add_router("/contacts", contacts)
    api.add_router("/control", control)
    api.add_router("/zones", zones)
    api.add_router("/policy", policy)
    api.add_router("/sampling", sampling)
    api.add_router("/care", care)
    api.add_router("/helpdesk", helpdesk)
    api.add_router("/outreach", outreach)
    api.add_router("/supplies", supplies)
    api.add_router("/deliveries", deliveries)
    api.add_router("/medicine", medicine)


_mount()
