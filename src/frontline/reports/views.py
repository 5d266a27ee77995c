from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import redirect, render

from frontline.accounts.access import Permission, has_permission, requires, signed_in
from frontline.core.http import AuthedRequest
from frontline.places.selectors import aggregate_counts


@signed_in
def home(request: AuthedRequest) -> HttpResponse:
    """Send each role to where its work starts."""
    if has_permission(request.user, Permission.VIEW_PLACES):
        return redirect("places:tree")
    if has_permission(request.user, Permission.VIEW_AGGREGATES):
        return redirect("overview")
    return redirect("tasks:inbox")


@requires(Permission.VIEW_AGGREGATES)
def overview(request: AuthedRequest) -> HttpResponse:
    """Counts per community and grid: no individual's details."""
    return render(request, "reports/overview.html", {"tree": aggregate_counts(viewer=request.user)})
