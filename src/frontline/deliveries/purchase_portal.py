"""The household page's group purchases: /h/<token>/purchases/ lists the community's purchases
taking orders, with a quantity per offer (at most its cap), the household's current order and
its price; saving sets the household's order, 0 everywhere withdraws it. The service checks the
link and the purchase's community again on every POST."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect

from frontline.accounts.access import public
from frontline.deliveries.forms import quantities
from frontline.deliveries.purchases import is_open, order_place_by_household
from frontline.deliveries.selectors import household_purchases
from frontline.health.models import HouseholdLink
from frontline.places.models import Household
from frontline.portal.pages import household_page
from frontline.residents.models import Resident


@public
@never_cache
@csrf_protect
@household_page
def purchases(request: HttpRequest, link: HouseholdLink, members: list[Resident]) -> HttpResponse:
    household = Household.objects.select_related("unit__building").get(pk=link.household_id)
    found = household_purchases(household=household)
    errors: dict[int, list[str]] = {}
    if request.method == "POST":
        purchase_id = request.POST.get("purchase", "")
        chosen = next((row for row in found if str(row[0].pk) == purchase_id), None)
        if chosen is None:
            raise Http404
        purchase, offers, _mine = chosen
        try:
            order_place_by_household(
                link=link, purchase_id=purchase.pk, lines=quantities(request.POST, offers)
            )
        except ValidationError as error:
            errors[purchase.pk] = error.messages
        else:
            return redirect(f"{request.path}?saved={purchase.pk}#purchase-{purchase.pk}")
    cards = [
        {
            "purchase": purchase, "is_open": is_open(purchase), "errors": errors.get(purchase.pk, []),
            "rows": [(offer, request.POST.get(f"quantity_{offer.pk}", mine.get(offer.pk, 0))
                      if purchase.pk in errors else mine.get(offer.pk, 0)) for offer in offers],
            "ordered": bool(mine),
            "price": sum((offer.unit_price * mine.get(offer.pk, 0) for offer in offers), Decimal(0)),
        }
        for purchase, offers, mine in found
    ]  # fmt: skip
    context = {"cards": cards, "saved": request.GET.get("saved", "")}
    return render(
        request, "deliveries/purchase_portal.html", context, status=422 if errors else 200
    )
