"""The shape every household-link page shares: `/h/` alone explains how to get a link, an unknown
or revoked link answers 404, and the page itself gets the link and the household's members (one
query, `health.links.household_by_token`)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from frontline.health.links import household_by_token
from frontline.health.models import HouseholdLink
from frontline.residents.models import Resident

HouseholdView = Callable[..., HttpResponse]


def household_page(
    view: Callable[[HttpRequest, HouseholdLink, list[Resident]], HttpResponse],
) -> HouseholdView:
    @functools.wraps(view)
    def page(request: HttpRequest, token: str | None = None, **kwargs: Any) -> HttpResponse:
        if token is None:
            return render(request, "portal/start.html")
        found = household_by_token(token)
        if found is None:
            raise Http404
        link, members = found
        return view(request, link, members, **kwargs)

    return page
