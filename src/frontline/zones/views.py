"""Pages of zones: the building board (an SVG grid coloured by zone, laid out as on the site plan
once every building has a position, with the positions' table under it), a building's zones with
their history, raising on a case, the daily list of zones due to step down or be lifted, the
step-down / lift confirmation with its checklist, and the sub-district's counts. Every write
goes through `services`; these views only parse forms and pick templates."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST, require_safe

from frontline.accounts.access import Permission, has_permission, require, requires
from frontline.core.forms import add_service_errors
from frontline.core.http import AuthedRequest
from frontline.places import services as place_services
from frontline.policy.models import ZoneLevel, ZoneRule
from frontline.policy.selectors import rule_set_in_force
from frontline.zones import arithmetic, selectors, services
from frontline.zones.forms import WHOLE_BUILDING, FollowRuleForm, PositionsForm, RaiseForm
from frontline.zones.models import LEVEL_RANK


def _legend() -> list[tuple[str, str]]:
    by_rank: dict[int, list[str]] = {}
    for level in ZoneLevel:
        by_rank.setdefault(LEVEL_RANK[level], []).append(str(level.label))
    legend = [(selectors.RANK_COLOURS[rank], " / ".join(by_rank[rank])) for rank in (3, 2, 1)]
    return [*legend, (selectors.RANK_COLOURS[0], _("No zone"))]


def _board_page(
    request: AuthedRequest, wanted: str, positions: PositionsForm | None = None
) -> HttpResponse:
    communities = selectors.board_communities(viewer=request.user)
    community = next((c for c in communities if str(c.pk) == wanted), None) or (
        communities[0] if communities else None
    )
    board = selectors.board(viewer=request.user, community=community.pk) if community else None
    if board is not None and board.editable and positions is None:
        positions = PositionsForm(buildings=board.editable)
    context: dict[str, Any] = {
        "communities": communities, "community": community, "legend": _legend(), "board": board,
        "today": selectors.today(), "positions": positions,
    }  # fmt: skip
    status = 422 if positions is not None and positions.errors else 200
    return render(request, "zones/board.html", context, status=status)


@require_safe
@requires(Permission.VIEW_HEALTH)
def board(request: AuthedRequest) -> HttpResponse:
    return _board_page(request, request.GET.get("community", ""))


@require_POST
@requires(Permission.EDIT_PLACES)
def positions(request: AuthedRequest) -> HttpResponse:
    """Save the positions entered in the table under the board; every bad row is reported."""
    wanted = request.POST.get("community", "")
    editable = selectors.position_buildings(
        viewer=request.user, community=int(wanted) if wanted.isdigit() else 0
    )
    if not editable:
        raise Http404
    community = editable[0].community
    form = PositionsForm(request.POST, buildings=editable)
    if form.is_valid():
        try:
            changed = place_services.building_positions_update(
                actor=request.user, community=community, positions=form.positions
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                ngettext(
                    "Saved the position of %(n)s building.",
                    "Saved the positions of %(n)s buildings.",
                    len(changed),
                )
                % {"n": len(changed)},
            )
            return redirect(f"{reverse('zones:board')}?community={community.pk}#positions")
    return _board_page(request, str(community.pk), positions=form)


@require_safe
@requires(Permission.VIEW_AGGREGATES)
def summary(request: AuthedRequest) -> HttpResponse:
    """Per community, the number of active zones at each level: counts, never a person."""
    rows = selectors.level_counts(viewer=request.user)
    levels = [level for level in ZoneLevel if any(row.by_level.get(level) for row in rows)]
    table = [(row, [row.by_level.get(level, 0) for level in levels]) for row in rows]
    return render(request, "zones/summary.html", {"levels": levels, "table": table})


@require_safe
@requires(Permission.VIEW_HEALTH)
def due(request: AuthedRequest) -> HttpResponse:
    """Zones whose step-down or lift is due today, each with its checklist and action."""
    on = selectors.today()
    found = selectors.zones_due(viewer=request.user, on=on)
    context = {
        "found": found, "today": on,
        "may_manage": has_permission(request.user, Permission.MANAGE_CONTROL),
    }  # fmt: skip
    return render(request, "zones/due.html", context)


@require_safe
@requires(Permission.VIEW_HEALTH, per_object=True)
def building(request: AuthedRequest, pk: int) -> HttpResponse:
    place = selectors.building_get(viewer=request.user, pk=pk)
    on = selectors.today()
    zones = selectors.building_zones(place)
    rules = list(ZoneRule.objects.filter(rule_set_id__in={zone.rule_set_id for zone in zones}))
    units = selectors.building_units(place)
    counts = {unit.pk: count for unit, count in units}
    rows = [
        (zone, selectors.zone_review(
            zone, on=on, rules=rules,
            under_control=counts.get(zone.unit_id, 0) if zone.unit_id else sum(counts.values()),
        ) if zone.is_active else None)
        for zone in zones
    ]  # fmt: skip
    context = {
        "building": place, "rows": rows, "units": units, "today": on,
        "under_control": sum(counts.values()),
        "may_manage": has_permission(request.user, Permission.MANAGE_CONTROL),
    }  # fmt: skip
    return render(request, "zones/building.html", context)


def _levels_in_force() -> list[tuple[str, str]]:
    rule_set = rule_set_in_force(selectors.today())
    if rule_set is None:
        return []
    found = {rule.level for rule in ZoneRule.objects.filter(rule_set=rule_set, designated=True)}
    return [(level.value, str(level.label)) for level in ZoneLevel if level in found]


@requires(Permission.MANAGE_CONTROL, per_object=True)
def building_raise(request: AuthedRequest, pk: int) -> HttpResponse:
    place = selectors.building_get(viewer=request.user, pk=pk)
    require(request.user, Permission.MANAGE_CONTROL, place)
    units = [unit for unit, _count in selectors.building_units(place)]
    cases = selectors.cases_in(viewer=request.user, building=place)
    levels = _levels_in_force()
    form = RaiseForm(
        request.POST if request.method == "POST" else None,
        units=units,
        levels=levels,
        cases=cases,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        target: Any = place
        if data["place"] != WHOLE_BUILDING:
            target = next(u for u in units if f"unit-{u.pk}" == data["place"])
        case = next(c for c in cases if str(c.pk) == data["case"])
        try:
            services.zone_raise(
                place=target, level=data["level"], case=case, actor=request.user,
                reason=data["reason"],
            )  # fmt: skip
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The zone is raised on the confirmed case."))
            return redirect("zones:building", pk=place.pk)
    context = {
        "building": place, "form": form, "has_cases": bool(cases), "has_levels": bool(levels),
    }  # fmt: skip
    return render(request, "zones/raise.html", context, status=422 if form.errors else 200)


def _follow(request: AuthedRequest, pk: int, wanted: arithmetic.Action) -> HttpResponse:
    zone = selectors.zone_get(viewer=request.user, pk=pk)
    require(request.user, Permission.MANAGE_CONTROL, zone)
    if not zone.is_active:
        raise Http404
    form = FollowRuleForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        change = services.zone_lift if wanted is arithmetic.Action.LIFT else services.zone_step_down
        try:
            change(zone=zone, actor=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("The zone is lifted.")
                if wanted is arithmetic.Action.LIFT
                else _("The zone is stepped down."),
            )
            return redirect("zones:building", pk=zone.site_id)
    found = selectors.zone_review(
        zone, on=selectors.today(), under_control=selectors.under_control_count(zone)
    )
    context = {
        "zone": zone, "review": found, "form": form, "lift": wanted is arithmetic.Action.LIFT,
        "next_label": ZoneLevel(found.next_level).label if found.next_level else "",
        "offered": found.due and found.action is wanted,
    }  # fmt: skip
    return render(request, "zones/follow.html", context, status=422 if form.errors else 200)


@requires(Permission.MANAGE_CONTROL, per_object=True)
def zone_step_down(request: AuthedRequest, pk: int) -> HttpResponse:
    return _follow(request, pk, arithmetic.Action.STEP_DOWN)


@requires(Permission.MANAGE_CONTROL, per_object=True)
def zone_lift(request: AuthedRequest, pk: int) -> HttpResponse:
    return _follow(request, pk, arithmetic.Action.LIFT)
