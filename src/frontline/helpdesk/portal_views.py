"""The household page's requests: /h/<token>/requests/ (one request: ?request=<id>).

Without `request`, the household's own requests ("my requests") and a form to send a new one;
with it, that request's timeline as the household may see it (no worker's notes or names), the
rating once resolved and, within 7 days of resolving, a way to reopen it. An unknown or revoked
link, or a request of another household, is a 404; the services check the link again on every
write."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect

from frontline.accounts.access import public
from frontline.health.models import HouseholdLink
from frontline.health.services import public_member_label
from frontline.helpdesk import selectors, services
from frontline.helpdesk.models import Category, Channel, EventKind, HelpRequest
from frontline.portal.pages import household_page
from frontline.residents.models import Resident

# The steps a household sees of its request: not the workers' notes, assignments or escalations.
RESIDENT_STEPS = (
    EventKind.RECEIVED, EventKind.TAKEN, EventKind.TRANSFERRED, EventKind.RESOLVED,
    EventKind.REOPENED, EventKind.RATED,
)  # fmt: skip


@public
@never_cache
@csrf_protect
@household_page
def requests(request: HttpRequest, link: HouseholdLink, members: list[Resident]) -> HttpResponse:
    chosen = request.GET.get("request", "")
    if chosen:
        if not chosen.isdigit():
            raise Http404
        help_request = (
            selectors.household_requests(link.household_id).filter(pk=int(chosen)).first()
        )
        if help_request is None:
            raise Http404
        return _detail(request, link, help_request)
    return _list(request, link, members)


def _list(request: HttpRequest, link: HouseholdLink, members: list[Resident]) -> HttpResponse:
    error = ""
    if request.method == "POST":
        member = next((m for m in members if str(m.pk) == request.POST.get("member")), None)
        try:
            if member is None:
                raise ValidationError(_("Choose who the request is for."))
            created = services.request_submit(
                resident=member, link=link, channel=Channel.PORTAL,
                category=request.POST.get("category", ""), text=request.POST.get("text", ""),
                photo=request.FILES.get("photo"),
            )  # fmt: skip
        except ValidationError as invalid:
            error = " ".join(invalid.messages)
        else:
            return HttpResponseRedirect(f"?request={created.pk}&sent=1")
    context = {
        "members": [(m.pk, public_member_label(m)) for m in members],
        "categories": Category.choices,
        "rows": list(selectors.household_requests(link.household_id)[:50]),
        "error": error, "posted": request.POST,
    }  # fmt: skip
    return render(request, "helpdesk/portal.html", context, status=422 if error else 200)


def _detail(request: HttpRequest, link: HouseholdLink, help_request: HelpRequest) -> HttpResponse:
    error = ""
    if request.method == "POST":
        try:
            if request.POST.get("action") == "reopen":
                services.request_reopen(
                    link=link, request=help_request, reason=request.POST.get("reason", "")
                )
            else:
                services.request_rate(
                    link=link, request=help_request, rating=request.POST.get("rating", ""),
                    comment=request.POST.get("comment", ""),
                )  # fmt: skip
        except ValidationError as invalid:
            error = " ".join(invalid.messages)
        else:
            return HttpResponseRedirect(f"?request={help_request.pk}&done=1")
        help_request.refresh_from_db()
    events = list(help_request.events.filter(kind__in=RESIDENT_STEPS).order_by("created_at", "id"))
    context = {
        "help_request": help_request, "member_label": public_member_label(help_request.resident),
        "events": events, "error": error, "may_reopen": services.may_reopen(help_request),
        "sent": request.GET.get("sent") == "1", "done": request.GET.get("done") == "1",
        "stars": range(1, 6),
    }  # fmt: skip
    return render(request, "helpdesk/portal_detail.html", context, status=422 if error else 200)
