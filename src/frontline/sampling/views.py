"""Pages of mass testing: the rounds, planning a round with pool advice, a round with its sites
and positive tubes, the sampler's scanning page, the lab result upload and a tube's people.
Every write goes through `services`."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from frontline.accounts.access import Permission, has_permission, require, requires
from frontline.accounts.models import User
from frontline.core.audit import audit_record
from frontline.core.http import AuthedRequest
from frontline.core.identity import document_digest, normalise_document
from frontline.core.models import AuditAction
from frontline.health.links import household_by_token
from frontline.places.models import Building, Community
from frontline.residents.models import Resident, ResidentStatus, Tag
from frontline.residents.roster import RosterError
from frontline.sampling import coverage, planner, pooling, report, selectors, services
from frontline.sampling.lab_file import read_lab_file
from frontline.sampling.models import POOL_SIZES, ExemptionReason, Round, Site, Tube

VIEWERS = (Permission.PLAN_SAMPLING, Permission.SAMPLE, Permission.VIEW_HEALTH)
PICK_LIMIT = 12
MISSING_LIMIT = 2000


@require_safe
@requires(*VIEWERS, Permission.VIEW_AGGREGATES)
def round_list(request: AuthedRequest) -> HttpResponse:
    rounds = selectors.round_list(viewer=request.user)
    may_open = any(has_permission(request.user, p) for p in VIEWERS)
    return render(request, "sampling/list.html", {"rounds": rounds, "may_open": may_open})


def _communities(user: User) -> list[Community]:
    from frontline.accounts.access import scoped

    return list(
        Community.objects.filter(scoped(user, Permission.PLAN_SAMPLING, Community)).order_by("name")
    )


def _moment(value: str) -> datetime | None:
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment)


@requires(Permission.PLAN_SAMPLING)
def round_new(request: AuthedRequest) -> HttpResponse:
    communities = _communities(request.user)
    if not communities:
        raise Http404
    chosen = request.POST.get("community") or request.GET.get("community") or communities[0].pk
    community = next((c for c in communities if str(c.pk) == str(chosen)), communities[0])
    buildings = list(Building.objects.filter(community=community).order_by("number"))
    errors: dict[str, list[str]] = {}
    values: dict[str, Any] = {"pool_size": 10, "buildings": []}
    if request.method == "POST":
        picked = set(request.POST.getlist("buildings"))
        values = {
            "name": request.POST.get("name", ""), "starts_at": request.POST.get("starts_at", ""),
            "ends_at": request.POST.get("ends_at", ""),
            "pool_size": int(request.POST.get("pool_size", "0") or 0), "buildings": picked,
            "own_tube_tags": request.POST.getlist("own_tube_tags"),
            "household_tubes": request.POST.get("household_tubes") == "on",
        }  # fmt: skip
        try:
            created = services.round_create(
                actor=request.user, community=community, name=values["name"],
                starts_at=_moment(values["starts_at"]), ends_at=_moment(values["ends_at"]),
                pool_size=values["pool_size"],
                buildings=[b for b in buildings if str(b.pk) in picked],
                own_tube_tags=values["own_tube_tags"], household_tubes=values["household_tubes"],
            )  # fmt: skip
        except ValidationError as error:
            errors = error.message_dict
        else:
            messages.success(request, _("The round is planned. Add its sampling sites."))
            return redirect("sampling:detail", pk=created.pk)
    prevalence, rounds = selectors.recent_positivity(community.pk)
    context = {
        "communities": communities, "community": community, "buildings": buildings,
        "errors": errors, "values": values, "pool_sizes": POOL_SIZES, "tags": Tag.choices,
        "positivity": round(prevalence * 100, 4) if prevalence is not None else None,
        "positivity_rounds": rounds,
    }  # fmt: skip
    return render(request, "sampling/new.html", context, status=422 if errors else 200)


@require_safe
@requires(Permission.PLAN_SAMPLING)
def pool_advice(request: AuthedRequest) -> HttpResponse:
    """Expected tests per person for pools of 1/5/10/20 and the optimum, from a positivity in %."""
    try:
        percent = float(request.GET.get("positivity", "").replace("%", "").strip())
    except ValueError:
        percent = -1.0
    advice = pooling.advise(percent / 100) if 0 <= percent <= 100 else None
    return render(request, "sampling/_advice.html", {"advice": advice, "percent": percent})


@require_safe
@requires(*VIEWERS, per_object=True)
def round_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    round = selectors.round_get(viewer=request.user, pk=pk)
    sites = list(selectors.sites_for(viewer=request.user, round=round))
    context = {
        "round": round,
        "site_rows": [(site, selectors.site_count(round=round, site=site)) for site in sites],
        "positives": selectors.positive_tubes(round=round),
        "may_plan": has_permission(request.user, Permission.PLAN_SAMPLING),
        "own_tube_labels": [str(Tag(t).label) for t in round.own_tube_tags if t in Tag.values],
        "samplers": User.objects.filter(
            is_active=True, assignments__role="medical_sampler",
            assignments__community=round.community,
        ).distinct().order_by("username"),
    }  # fmt: skip
    return render(request, "sampling/detail.html", context)


@require_POST
@requires(Permission.PLAN_SAMPLING, per_object=True)
def site_new(request: AuthedRequest, pk: int) -> HttpResponse:
    round = selectors.round_get(viewer=request.user, pk=pk)
    require(request.user, Permission.PLAN_SAMPLING, round)
    samplers = User.objects.filter(
        pk__in=[v for v in request.POST.getlist("samplers") if v.isdigit()]
    )
    try:
        tables = int(request.POST.get("tables", "1") or 1)
        services.site_create(
            actor=request.user, round=round, name=request.POST.get("name", ""), tables=tables,
            samplers=list(samplers),
        )  # fmt: skip
    except (ValueError, ValidationError) as error:
        text = " ".join(error.messages) if isinstance(error, ValidationError) else str(error)
        messages.error(request, text)
    else:
        messages.success(request, _("The site is added."))
    return redirect("sampling:detail", pk=round.pk)


# -- the sampler's page -------------------------------------------------------------------------


def _site(request: AuthedRequest, round: Round) -> Site | None:
    value = request.POST.get("site") or request.GET.get("site") or ""
    if not value:
        return None
    site = (
        selectors.sites_for(viewer=request.user, round=round).filter(pk=value).first()
        if value.isdigit()
        else None
    )
    if site is None:
        raise Http404
    return site


def _panel(
    request: AuthedRequest, round: Round, site: Site | None, *, status: int = 200,
    error: str = "", ok: str = "", choices: list[Resident] | None = None, code: str = "",
    needs_reason: bool = False,
) -> HttpResponse:  # fmt: skip
    tube = selectors.open_tube(viewer=request.user, round=round, site=site)
    context = {
        "round": round, "site": site, "tube": tube,
        "people": services.tube_people(tube) if tube else [],
        "count": selectors.site_count(round=round, site=site), "scan_id": uuid.uuid4().hex,
        "error": error, "ok": ok, "choices": choices or [], "code": code,
        "needs_reason": needs_reason,
        # door to door: the round's bedridden residents still to be sampled, nearest first
        "route": coverage.door_to_door(viewer=request.user, round=round, unsampled=True)
        if site is None else [],
    }  # fmt: skip
    template = "sampling/sample.html#panel" if request.htmx else "sampling/sample.html"
    return render(request, template, context, status=status)


@require_safe
@requires(Permission.SAMPLE, per_object=True)
def sample_page(request: AuthedRequest, pk: int) -> HttpResponse:
    round = selectors.round_get(viewer=request.user, pk=pk)
    require(request.user, Permission.SAMPLE, round)
    return _panel(request, round, _site(request, round))


def people_for_code(round: Round, code: str) -> list[Resident]:
    """Who a scanned or typed code names in the round's community: a household QR (its link),
    a resident ID number, or the last 4 digits of a phone or ID number."""
    text = code.strip()
    present = Resident.objects.filter(
        community=round.community, status__in=(ResidentStatus.PRESENT, ResidentStatus.AWAY)
    ).select_related("household__unit__building")
    if "/h/" in text:
        text = text.split("/h/", 1)[1].strip("/").split("/")[0]
    number = normalise_document(text)
    if len(number) in (15, 18) and number[:14].isdigit():
        return list(present.filter(document_digest=document_digest(number)))
    if len(number) == 4 and number[:3].isdigit():
        return list(
            present.filter(phone_tail=number).order_by("household__unit__building__number", "name")[
                :PICK_LIMIT
            ]
        )
    found = household_by_token(text)
    if found is None:
        return []
    _link, members = found
    ids = [member.pk for member in members]
    return list(present.filter(pk__in=ids).order_by("name"))


@require_POST
@requires(Permission.SAMPLE, per_object=True)
def scan(request: AuthedRequest, pk: int) -> HttpResponse:
    """One scan: a tube barcode when no tube is open, else a person (or a pick from a list)."""
    round = selectors.round_get(viewer=request.user, pk=pk)
    require(request.user, Permission.SAMPLE, round)
    site = _site(request, round)
    code = request.POST.get("code", "").strip()
    done = selectors.sample_by_scan(round=round, scan_id=request.POST.get("scan_id", ""))
    if done is not None:  # the same scan posted again: answer as the first time
        return _panel(request, round, site, ok=_added_words(done.resident.name, done.tube))
    tube = selectors.open_tube(viewer=request.user, round=round, site=site)
    try:
        if tube is None:
            if not code or request.POST.get("resident"):
                return _panel(request, round, site, status=422, error=_("Scan a tube barcode."))
            opened = services.tube_open(actor=request.user, round=round, site=site, barcode=code)
            return _panel(
                request, round, site, ok=_("Tube %(code)s is open.") % {"code": opened.barcode}
            )
        picked = request.POST.get("resident", "")
        if picked.isdigit():
            people = list(Resident.objects.filter(pk=int(picked), community=round.community))
        elif code:
            people = people_for_code(round, code)
        else:
            return _panel(request, round, site, status=422, error=_("Scan a person."))
        if not people:
            return _panel(
                request,
                round,
                site,
                status=422,
                error=_("No one in this community matches %(code)s.") % {"code": code},
            )
        if len(people) > 1:
            return _panel(request, round, site, choices=people, code=code)
        added = services.sample_add(
            actor=request.user, tube=tube, resident=people[0],
            scan_id=request.POST.get("scan_id", ""),
            override_reason=request.POST.get("override_reason", ""),
        )  # fmt: skip
    except ValidationError as error:
        needs_reason = "override_reason" in getattr(error, "error_dict", {})
        return _panel(
            request, round, site, status=422, error=" ".join(error.messages), code=code,
            choices=people if needs_reason else None, needs_reason=needs_reason,
        )  # fmt: skip
    return _panel(request, round, site, ok=_added_words(added.sample.resident.name, added.tube))


def _added_words(name: str, tube: Tube) -> str:
    words = _("%(name)s is in tube %(code)s (%(n)d of %(m)d).") % {
        "name": name, "code": tube.barcode, "n": tube.size, "m": tube.capacity,
    }  # fmt: skip
    if tube.is_full:
        words = f"{words} {_('The tube is full and closed; scan the next tube.')}"
    return words


@require_POST
@requires(Permission.SAMPLE, per_object=True)
def undo(request: AuthedRequest, pk: int) -> HttpResponse:
    """Take the last person out of the sampler's current tube, or of the tube they just filled."""
    round = selectors.round_get(viewer=request.user, pk=pk)
    require(request.user, Permission.SAMPLE, round)
    site = _site(request, round)
    tube = selectors.open_tube(viewer=request.user, round=round, site=site) or (
        Tube.objects.filter(round=round, site=site, opened_by=request.user).order_by("-id").first()
    )
    if tube is None:
        return _panel(request, round, site, status=422, error=_("There is no tube to undo in."))
    try:
        removed = services.sample_undo(actor=request.user, tube=tube)
    except ValidationError as error:
        return _panel(request, round, site, status=422, error=" ".join(error.messages))
    if removed is None:
        return _panel(request, round, site, status=422, error=_("The tube is empty."))
    return _panel(
        request, round, site,
        ok=_("%(name)s was taken out of tube %(code)s.") % {"name": removed.resident.name, "code": tube.barcode},
    )  # fmt: skip


@require_POST
@requires(Permission.SAMPLE, per_object=True)
def close(request: AuthedRequest, pk: int) -> HttpResponse:
    round = selectors.round_get(viewer=request.user, pk=pk)
    require(request.user, Permission.SAMPLE, round)
    site = _site(request, round)
    tube = selectors.open_tube(viewer=request.user, round=round, site=site)
    if tube is None:
        return _panel(request, round, site, status=422, error=_("No tube is open."))
    try:
        services.tube_close(actor=request.user, tube=tube)
    except ValidationError as error:
        return _panel(request, round, site, status=422, error=" ".join(error.messages))
    return _panel(request, round, site, ok=_("Tube %(code)s is closed.") % {"code": tube.barcode})


# -- results and trace-back ---------------------------------------------------------------------


@requires(Permission.RECORD_TESTS, Permission.POST_LAB_RESULTS)
def results(request: AuthedRequest) -> HttpResponse:
    """Upload a lab's result file; the report lists every line that was not recorded."""
    report = None
    error = ""
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            error = _("Choose the lab's result file.")
        else:
            try:
                lines = read_lab_file(
                    upload.read(),
                    upload.name or "results",
                    default_lab=request.POST.get("lab", "").strip(),
                )
                report = services.results_record(
                    actor=request.user, lines=lines, source=upload.name or ""
                )
            except RosterError as problem:
                error = str(problem)
    context = {"report": report, "error": error}
    return render(request, "sampling/results.html", context, status=422 if error else 200)


@require_safe
@requires(*VIEWERS, per_object=True)
def tube_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    """Who is in the tube, with households and phone tails, and its result history."""
    tube = selectors.tube_get(viewer=request.user, pk=pk)
    context = {
        "tube": tube,
        "people": services.tube_people(tube),
        "results": selectors.tube_results(tube),
    }
    return render(request, "sampling/tube.html", context)


# -- coverage (应检尽检) -------------------------------------------------------------------------


@require_safe
@requires(Permission.PLAN_SAMPLING, Permission.VIEW_HEALTH, per_object=True)
def coverage_page(request: AuthedRequest, pk: int) -> HttpResponse:
    """Sampled against expected per site, building and grid, with links to who is missing."""
    round = selectors.round_get(viewer=request.user, pk=pk)
    buildings = coverage.by_building(round)
    grids: dict[str, list[int]] = {}
    for row in buildings:
        totals = grids.setdefault(row.building.grid.name if row.building.grid else "—", [0, 0])
        totals[0] += row.expected
        totals[1] += row.sampled
    context = {
        "round": round, "buildings": buildings, "sites": coverage.by_site(round),
        "grids": sorted(grids.items()),
        "expected": sum(r.expected for r in buildings), "sampled": sum(r.sampled for r in buildings),
    }  # fmt: skip
    return render(request, "sampling/coverage.html", context)


@require_safe
@requires(Permission.PLAN_SAMPLING, Permission.VIEW_HEALTH, per_object=True)
def missing(request: AuthedRequest, pk: int) -> HttpResponse:
    """The people of one building not yet sampled: a call list (phones masked), printable.
    Names and addresses of people, so every opening is audited."""
    round = selectors.round_get(viewer=request.user, pk=pk)
    value = request.GET.get("building", "")
    building = (
        Building.objects.filter(community=round.community, pk=value).first()
        if value.isdigit()
        else None
    )
    if building is None:
        raise Http404
    people = list(
        coverage.not_sampled(viewer=request.user, round=round, building=building)[:MISSING_LIMIT]
    )
    audit_record(
        actor=request.user, action=AuditAction.EXPORT, community_id=round.community_id,
        label=_("Not yet sampled in %(round)s, building %(building)s") % {"round": round.name, "building": building.number},
        fields=["name", "address", "phone_tail"], details={"rows": len(people), "round": round.pk},
    )  # fmt: skip
    context = {
        "round": round, "building": building, "people": people, "limit": MISSING_LIMIT,
        "reasons": ExemptionReason.choices,
        "may_exempt": has_permission(request.user, Permission.RECORD_HEALTH),
    }  # fmt: skip
    return render(request, "sampling/missing.html", context)


# -- the plan: buildings to sites and times, notices, door to door ------------------------------


def _plan(round: Round) -> tuple[dict[int, Site], dict[int, Building], planner.Plan]:
    sites = {site.pk: site for site in Site.objects.filter(round=round).order_by("name", "id")}
    progress = coverage.by_building(round)
    buildings = {row.building.pk: row.building for row in progress}
    result = planner.plan(
        sites=[planner.SiteSpec(key, site.tables) for key, site in sites.items()],
        buildings=[planner.BuildingSpec(row.building.pk, row.expected) for row in progress],
        starts_at=round.starts_at, ends_at=round.ends_at,
    )  # fmt: skip
    return sites, buildings, result


@require_POST
@requires(Permission.PLAN_SAMPLING, per_object=True)
def plan_send(request: AuthedRequest, pk: int) -> HttpResponse:
    """Send each building its time and site as a notice (household page and SMS), one notice per
    building, through the notices app; all or nothing."""
    from frontline.outreach.models import ChannelName
    from frontline.outreach.services import notice_create, notice_send

    round = selectors.round_get(viewer=request.user, pk=pk)
    require(request.user, Permission.PLAN_SAMPLING, round)
    _sites, buildings, result = _plan(round)
    try:
        with transaction.atomic():
            for visit in result.visits:
                building, site = buildings[visit.building], _sites[visit.site]
                start = timezone.localtime(visit.start)
                end = timezone.localtime(visit.end)
                notice = notice_create(
                    actor=request.user, community=round.community,
                    title=_("%(round)s: building %(building)s") % {"round": round.name, "building": building.number},
                    body=_("Building %(building)s: %(start)s–%(end)s at %(site)s. Bring your ID card or the household QR code; wear a mask and keep a metre apart.")
                    % {"building": building, "start": f"{start:%H:%M}", "end": f"{end:%H:%M}", "site": site.name},
                    expires_at=round.ends_at, channels=[ChannelName.PORTAL, ChannelName.SMS],
                    building_ids=[building.pk],
                )  # fmt: skip
                notice_send(actor=request.user, notice=notice)
    except (ValidationError, PermissionDenied) as error:
        text = (
            " ".join(error.messages)
            if isinstance(error, ValidationError)
            else _("You may not send notices.")
        )
        messages.error(request, text)
    else:
        messages.success(
            request, _("%(n)d buildings are told their time.") % {"n": len(result.visits)}
        )
    return redirect("sampling:plan", pk=round.pk)


@require_safe
@requires(Permission.PLAN_SAMPLING, per_object=True)
def plan_page(request: AuthedRequest, pk: int) -> HttpResponse:
    """Which building samples where and when, so no site's queue exceeds its tables; the
    printable notice per building; bedridden residents for the door-to-door list."""
    round = selectors.round_get(viewer=request.user, pk=pk)
    require(request.user, Permission.PLAN_SAMPLING, round)
    sites, buildings, result = _plan(round)
    visits = [(buildings[v.building], sites[v.site], v) for v in result.visits]
    context = {
        "round": round, "visits": visits, "result": result,
        "unplaced": [(buildings[key], n) for key, n in result.unplaced.items()],
        "door_to_door": coverage.door_to_door(viewer=request.user, round=round),
        "rate": planner.SWABS_PER_TABLE_HOUR,
        "may_send": has_permission(request.user, Permission.SEND_NOTICES),
    }  # fmt: skip
    return render(request, "sampling/plan.html", context)


@require_POST
@requires(Permission.RECORD_HEALTH, per_object=True)
def exempt(request: AuthedRequest, pk: int) -> HttpResponse:
    """Record (or take back) why a person of the round will not come to a site."""
    round = selectors.round_get(viewer=request.user, pk=pk)
    value = request.POST.get("resident", "")
    resident = (
        selectors.residents_in_reach(viewer=request.user)
        .filter(pk=value, community=round.community)
        .first()
        if value.isdigit()
        else None
    )
    if resident is None:
        raise Http404
    try:
        services.exemption_record(
            actor=request.user, round=round, resident=resident,
            reason=request.POST.get("reason", ""), note=request.POST.get("note", ""),
        )  # fmt: skip
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Recorded for %(name)s.") % {"name": resident.name})
    return redirect(
        f"{reverse('sampling:missing', kwargs={'pk': round.pk})}?building={resident.building_id}"
    )


# -- the round report for the sub-district -------------------------------------------------------

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@require_safe
@requires(
    Permission.VIEW_AGGREGATES, Permission.PLAN_SAMPLING, Permission.VIEW_HEALTH, per_object=True
)
def round_report(request: AuthedRequest, pk: int) -> HttpResponse:
    """Per building: expected, sampled, exempt, tubes and positive tubes; ?format=xlsx for the
    fixed-layout workbook (documented in `report.py`). Counts only."""
    round = selectors.round_for_report(viewer=request.user, pk=pk)
    data = report.round_report(round)
    if request.GET.get("format") == "xlsx":
        audit_record(
            actor=request.user, action=AuditAction.EXPORT, community_id=round.community_id,
            label=_("Round report: %(round)s") % {"round": round.name},
            details={"round": round.pk, "rows": len(data.rows)},
        )  # fmt: skip
        response = HttpResponse(report.report_xlsx(data), content_type=XLSX)
        response["Content-Disposition"] = f'attachment; filename="round-{round.pk}.xlsx"'
        return response
    return render(request, "sampling/report.html", {"round": round, "report": data})
