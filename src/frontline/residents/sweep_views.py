"""Pages of door-to-door sweeps: start, progress, and the phone page a worker walks with."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from frontline.accounts.access import Permission, requires, scoped
from frontline.core.forms import StyledForm, add_service_errors
from frontline.core.http import AuthedRequest
from frontline.places.models import Building, Household
from frontline.residents import sweeps
from frontline.residents.models import Need, VisitOutcome


class SweepForm(StyledForm):
    purpose = forms.CharField(label=_("Purpose"), max_length=200)
    buildings = forms.ModelMultipleChoiceField(
        queryset=Building.objects.none(), label=_("Buildings"), widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, buildings, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.fields["buildings"].queryset = buildings  # type: ignore[attr-defined]


class VisitForm(forms.Form):
    outcome = forms.ChoiceField(choices=VisitOutcome.choices)
    people_present = forms.IntegerField(min_value=0, max_value=50, required=False)
    needs = forms.MultipleChoiceField(choices=Need.choices, required=False)
    note = forms.CharField(max_length=500, required=False)


def _buildings(request: AuthedRequest):  # type: ignore[no-untyped-def]
    return (
        Building.objects.filter(scoped(request.user, Permission.EDIT_RESIDENTS, Building))
        .select_related("community")
        .order_by("community_id", "number")
    )


@requires(Permission.EDIT_RESIDENTS)
def sweep_list(request: AuthedRequest) -> HttpResponse:
    form = SweepForm(request.POST or None, buildings=_buildings(request))
    if request.method == "POST" and form.is_valid():
        chosen = list(form.cleaned_data["buildings"])
        try:
            sweep = sweeps.sweep_start(
                actor=request.user, community=chosen[0].community, purpose=form.cleaned_data["purpose"],
                buildings=chosen,
            )  # fmt: skip
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect("residents:sweep", pk=sweep.pk)
    return render(
        request,
        "residents/sweep_list.html",
        {"form": form, "sweeps": sweeps.sweep_list(viewer=request.user)[:50]},
    )


@requires(Permission.EDIT_RESIDENTS, per_object=True)
def sweep_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    sweep = sweeps.sweep_get(viewer=request.user, pk=pk)
    progress = sweeps.sweep_progress(viewer=request.user, sweep=sweep)
    return render(request, "residents/sweep_detail.html", {"sweep": sweep, "progress": progress})


@require_POST
@requires(Permission.EDIT_RESIDENTS, per_object=True)
def sweep_close(request: AuthedRequest, pk: int) -> HttpResponse:
    sweeps.sweep_close(actor=request.user, sweep=sweeps.sweep_get(viewer=request.user, pk=pk))
    return redirect("residents:sweep", pk=pk)


@requires(Permission.EDIT_RESIDENTS, per_object=True)
def sweep_walk(request: AuthedRequest, pk: int, building_pk: int) -> HttpResponse:
    """One building, household by household: each card saves on its own."""
    sweep = sweeps.sweep_get(viewer=request.user, pk=pk)
    building = get_object_or_404(_buildings(request), pk=building_pk)
    try:
        households = sweeps.sweep_households(viewer=request.user, sweep=sweep, building=building)
    except ValidationError:
        return HttpResponse(status=404)
    pending_only = request.GET.get("pending") == "1"
    if pending_only:  # the households not reached yet: no visit, or nobody was home
        households = [
            (h, v) for h, v in households if v is None or v.outcome == VisitOutcome.NOBODY_HOME
        ]
    context = {"sweep": sweep, "building": building, "households": households, "pending_only": pending_only,
               "outcomes": VisitOutcome.choices, "needs": Need.choices}  # fmt: skip
    return render(request, "residents/sweep_walk.html", context)


@require_POST
@requires(Permission.EDIT_RESIDENTS, per_object=True)
def sweep_visit(request: AuthedRequest, pk: int, household_pk: int) -> HttpResponse:
    """Save one household's card; answers the card again (htmx), with errors when there are any."""
    sweep = sweeps.sweep_get(viewer=request.user, pk=pk)
    household = get_object_or_404(
        Household.objects.filter(
            scoped(request.user, Permission.EDIT_RESIDENTS, Household)
        ).select_related("unit__building"),
        pk=household_pk,
    )
    form = VisitForm(request.POST)
    errors: list[str] = []
    visit = None
    if form.is_valid():
        try:
            visit = sweeps.sweep_record_visit(
                actor=request.user, sweep=sweep, household=household, outcome=form.cleaned_data["outcome"],
                people_present=form.cleaned_data["people_present"] or 0, needs=form.cleaned_data["needs"],
                note=form.cleaned_data["note"],
            )  # fmt: skip
        except ValidationError as error:
            errors = error.messages
    else:
        errors = [str(message) for messages in form.errors.values() for message in messages]
    context = {"sweep": sweep, "household": household, "visit": visit, "errors": errors, "saved": visit is not None,
               "outcomes": VisitOutcome.choices, "needs": Need.choices}  # fmt: skip
    return render(request, "residents/sweep_walk.html#card", context, status=422 if errors else 200)
