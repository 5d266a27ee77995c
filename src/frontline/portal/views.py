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
from frontline.health.models import CheckinSource
from frontline.portal.forms import PortalCheckinForm, PostedCheckin, plain_checkin


@public
@never_cache
@csrf_protect
def household(request: HttpRequest, token: str | None = None) -> HttpResponse:
    """Check in one member of the link's household. An unknown or revoked link is a 404 and
    writes nothing; the page names only this household's members, surnames hidden.

    A well-formed post without a photo (nearly every one) is checked field by field without
    building the form; anything else goes through the form, which names every bad field."""
    if token is None:
        return render(request, "portal/start.html")
    found = household_by_token(token)
    if found is None:
        raise Http404
    link, members = found
    form: PortalCheckinForm | None = None
    if request.method == "POST":
        posted: PostedCheckin | None = plain_checkin(request.POST, request.FILES, members)
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
                outcome = "abnormal" if checkin.abnormal else "ok"
                # A plain redirect: `redirect()` would first try the path as a URL name.
                return HttpResponseRedirect(f"{request.path}?done={outcome}&m={posted.member.pk}")
    if form is None:
        form = PortalCheckinForm(members=members)
    by_id = {member.pk: member for member in members}
    done = request.GET.get("done")
    done_member = by_id.get(int(request.GET["m"])) if request.GET.get("m", "").isdigit() else None
    context = {
        "form": form,
        "members": members,
        "done": done if done in {"ok", "abnormal"} and done_member else None,
        "done_label": services.public_member_label(done_member) if done_member else "",
    }
    return render(request, "portal/household.html", context, status=422 if form.errors else 200)
