"""The household page's medicine: /h/<token>/medicine/ - ask for regular medicine to be fetched
(with a prescription photo), follow the household's own requests, cancel one not yet collected.
An unknown or revoked link is a 404; the services check the link again on every write."""

from __future__ import annotations

import contextlib

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect

from frontline.accounts.access import public
from frontline.core.forms import error_dict
from frontline.core.masking import mask_name
from frontline.core.numbers import parse_count
from frontline.health.models import HouseholdLink
from frontline.health.services import public_member_label
from frontline.medicine import selectors, services
from frontline.medicine.forms import typed_request
from frontline.medicine.models import RequestChannel
from frontline.portal.pages import household_page
from frontline.residents.models import Resident


@public
@never_cache
@csrf_protect
@household_page
def medicine(request: HttpRequest, link: HouseholdLink, members: list[Resident]) -> HttpResponse:
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        if request.POST.get("action") == "cancel":
            chosen = request.POST.get("request", "")
            row = (
                selectors.household_requests(link.household_id)
                .filter(pk=parse_count(chosen) or 0)
                .first()
            )
            if row is None:
                raise Http404
            # A request already collected cannot be cancelled: the list shows its status.
            with contextlib.suppress(ValidationError, PermissionDenied):
                services.request_cancel(
                    request=row, link=link, reason=_("Cancelled by the household")
                )
            return HttpResponseRedirect(request.path)
        member = next((m for m in members if str(m.pk) == request.POST.get("member")), None)
        try:
            if member is None:
                raise ValidationError({"member": [_("Choose who the medicine is for.")]})
            services.request_submit(
                resident=member,
                link=link,
                channel=RequestChannel.PORTAL,
                **typed_request(request),
            )
        except ValidationError as invalid:
            errors = error_dict(invalid)
        else:
            return HttpResponseRedirect(f"{request.path}?sent=1")
    rows = [(row, mask_name(row.resident.name))
            for row in selectors.household_requests(link.household_id)[:50]]  # fmt: skip
    context = {
        "members": [(m.pk, public_member_label(m)) for m in members], "rows": rows,
        "errors": errors, "posted": request.POST, "sent": request.GET.get("sent") == "1",
        "general_errors": errors.get("__all__", []),
    }  # fmt: skip
    return render(request, "medicine/portal.html", context, status=422 if errors else 200)
