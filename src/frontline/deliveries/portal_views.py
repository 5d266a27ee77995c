"""The household page's deliveries: /h/<token>/deliveries/ shows what is coming from the rounds
under way (the items, on the way or delivered) and a "Received" button, the resident's
contactless confirmation. Only the link's own household's deliveries are shown, and the service
checks the link and the delivery's household again on every POST."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect

from frontline.accounts.access import public
from frontline.core.numbers import parse_count
from frontline.deliveries.selectors import household_deliveries
from frontline.deliveries.services import delivery_confirm_by_household
from frontline.health.models import HouseholdLink
from frontline.portal.pages import household_page
from frontline.residents.models import Resident


@public
@never_cache
@csrf_protect
@household_page
def deliveries(request: HttpRequest, link: HouseholdLink, members: list[Resident]) -> HttpResponse:
    error = ""
    if request.method == "POST":
        delivery_id = parse_count(request.POST.get("delivery", ""))
        if delivery_id is None:
            raise Http404
        try:
            delivery_confirm_by_household(link=link, delivery_id=delivery_id)
        except ValidationError as invalid:
            error = " ".join(invalid.messages)
        else:
            return redirect(f"{request.path}?received={delivery_id}#delivery-{delivery_id}")
    context = {
        "deliveries": household_deliveries(household_id=link.household_id),
        "received": request.GET.get("received", ""),
        "error": error,
    }
    return render(request, "deliveries/portal.html", context, status=422 if error else 200)
