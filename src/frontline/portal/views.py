"""The resident-facing phone pages, reached by a household's secret link (QR code); no account."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect

from frontline.accounts.access import public
from frontline.core.forms import add_service_errors
from frontline.health import services
from frontline.health.links import household_by_token
from frontline.health.models import Checkin, CheckinSource, HouseholdLink
from frontline.portal.forms import PortalCheckinForm, PortalTripForm, PostedCheckin, plain_checkin
from frontline.portal.pages import household_page
from frontline.residents.models import Resident
from frontline.travel.models import TripSource
from frontline.travel.services import trip_record


@public
@never_cache
@csrf_protect
def household(request: HttpRequest, token: str | None = None) -> HttpResponse:
    """Check in one member of the link's household. An unknown or revoked link is a 404 and
    writes nothing; the page names only this household's members, surnames hidden.

    A well-formed, normal check-in without a photo (nearly every post) is checked field by
    field without building the form and written by one statement that also checks the link
    and the member; anything else reads the household and goes through the form and the
    service, which name every bad field or make the follow-up task."""
    if token is None:
        return render(request, "portal/start.html")
    plain = plain_checkin(request.POST, request.FILES) if request.method == "POST" else None
    if plain is not None:
        recorded = services.checkin_record_by_token(
            token=token, member_id=plain.member_id, temperature=plain.temperature,
            symptoms=plain.symptoms, antigen=plain.antigen, whereabouts=plain.whereabouts,
        )  # fmt: skip
        if recorded is not None:
            return _recorded(request, recorded)
    found = household_by_token(token)
    if found is None:
        raise Http404
    link, members = found
    by_id = {member.pk: member for member in members}
    form: PortalCheckinForm | None = None
    if request.method == "POST":
        posted: PostedCheckin | None = plain.of(by_id) if plain is not None else None
        if posted is None:
            form = PortalCheckinForm(request.POST or None, request.FILES or None, members=members)
            posted = form.posted() if form.is_valid() else None
        if posted is not None:
            try:
                checkin = services.checkin_record(
                    resident=posted.member, link=link, source=CheckinSource.HOUSEHOLD_LINK,
                    temperature=posted.temperature, symptoms=posted.symptoms,
                    antigen=posted.antigen, whereabouts=posted.whereabouts, photo=posted.photo,
                )  # fmt: skip
            except ValidationError as error:
                if form is None:
                    form = PortalCheckinForm(request.POST, request.FILES, members=members)
                    form.is_valid()
                add_service_errors(form, error)
            else:
                return _recorded(request, checkin)
    if form is None:
        form = PortalCheckinForm(members=members)
    done = request.GET.get("done")
    done_member = by_id.get(int(request.GET["m"])) if request.GET.get("m", "").isdigit() else None
    context = {
        "form": form,
        "members": members,
        "done": done if done in {"ok", "abnormal"} and done_member else None,
        "done_label": services.public_member_label(done_member) if done_member else "",
    }
    return render(request, "portal/household.html", context, status=422 if form.errors else 200)


def _recorded(request: HttpRequest, checkin: Checkin) -> HttpResponse:
    """Back to the household page, saying whose check-in was recorded and how it looked."""
    outcome = "abnormal" if checkin.abnormal else "ok"
    # A plain redirect: `redirect()` would first try the path as a URL name.
    return HttpResponseRedirect(f"{request.path}?done={outcome}&m={checkin.resident_id}")


@public
@never_cache
@csrf_protect
@household_page
def household_trip(
    request: HttpRequest, _link: HouseholdLink, members: list[Resident]
) -> HttpResponse:
    """A member of the link's household declares a trip; it is screened against the risk areas
    at once. The same link rules as the check-in page: an unknown or revoked link is a 404."""
    form = PortalTripForm(request.POST or None, members=members)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            trip_record(
                resident=form.members[data["member"]], source=TripSource.PORTAL,
                place=data["place"], date_from=data["date_from"], date_to=data["date_to"],
            )  # fmt: skip
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return HttpResponseRedirect(f"{request.path}?saved=1")
    context = {"form": form, "members": members, "saved": request.GET.get("saved") == "1"}
    return render(request, "portal/trip.html", context, status=422 if form.errors else 200)
