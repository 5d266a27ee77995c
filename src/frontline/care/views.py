"""Worker pages of the care app: the screening list, one screening, a resident's screenings with
their trend, recording a screening on a resident's behalf, and each community's crisis
settings. Every write goes through `services`; these views parse forms and pick templates."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from frontline.accounts.access import Permission, has_permission, requires
from frontline.care import cases, instruments, selectors, services
from frontline.care.forms import AnswersForm, SettingsForm
from frontline.care.instruments import BAND_LABELS, INSTRUMENTS, Band, Code
from frontline.care.models import CaseReason, CaseStatus, ReferralKind, RiskLevel, ScreeningSource
from frontline.core.forms import add_service_errors
from frontline.core.http import AuthedRequest
from frontline.core.pagination import paginate

FULL_INSTRUMENTS = (Code.PHQ9, Code.GAD7)


def _date(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _filters(request: AuthedRequest) -> selectors.ScreeningFilters:
    urgent = request.GET.get("urgent", "")
    return selectors.ScreeningFilters(
        query=request.GET.get("q", "").strip(),
        instrument=request.GET.get("instrument", ""),
        band=request.GET.get("band", ""),
        urgent={"1": True, "0": False}.get(urgent),
        since=_date(request.GET.get("since", "")),
        until=_date(request.GET.get("until", "")),
    )


@require_safe
@requires(Permission.SCREEN_RESIDENTS)
def screening_list(request: AuthedRequest) -> HttpResponse:
    filters = _filters(request)
    page = paginate(request, selectors.screening_list(viewer=request.user, filters=filters))
    context = {
        "page": page, "filters": filters, "q": filters.query,
        "instruments": [(code.value, INSTRUMENTS[code].name) for code in Code],
        "bands": [(band.value, BAND_LABELS[band]) for band in Band],
        "urgent": request.GET.get("urgent", ""),
    }  # fmt: skip
    if request.htmx:
        return render(request, "care/screening_list.html#results", context)
    return render(request, "care/screening_list.html", context)


@require_safe
@requires(Permission.SCREEN_RESIDENTS, per_object=True)
def screening_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    screening = selectors.screening_get(viewer=request.user, pk=pk)
    form = INSTRUMENTS[Code(screening.instrument)]
    context = {
        "screening": screening,
        "rows": [
            (number, wording, instruments.OPTIONS[answer], answer)
            for number, (wording, answer) in enumerate(
                zip(form.items, screening.answers, strict=True), start=1
            )
        ],
        "hotlines": services.care_settings_for(screening.community_id).hotline_lines,
    }
    return render(request, "care/screening_detail.html", context)


@require_safe
@requires(Permission.SCREEN_RESIDENTS, per_object=True)
def resident_screenings(request: AuthedRequest, pk: int) -> HttpResponse:
    """A resident's screenings, oldest to newest, and the trend of their full-instrument totals."""
    resident = selectors.screening_resident_get(viewer=request.user, pk=pk)
    screenings = list(selectors.resident_screenings(viewer=request.user, resident=resident))
    context = {
        "resident": resident,
        "screenings": list(reversed(screenings)),
        "trend": selectors.trend(screenings),
        "instruments": [(code.value, INSTRUMENTS[code].name) for code in Code],
    }
    return render(request, "care/resident.html", context)


@requires(Permission.SCREEN_RESIDENTS, per_object=True)
def resident_screen(request: AuthedRequest, pk: int) -> HttpResponse:
    """Record a screening on the resident's behalf. A pre-screen of 3 or more turns into the full
    instrument with the two answers already given."""
    resident = selectors.screening_resident_get(viewer=request.user, pk=pk)
    chosen = request.POST.get("instrument") or request.GET.get("instrument", Code.PHQ9.value)
    code = Code(chosen) if chosen in {c.value for c in Code} else Code.PHQ9
    form = AnswersForm(request.POST or None, instrument=INSTRUMENTS[code])
    continued_from: str | None = None
    status = 200
    if request.method == "POST" and form.is_valid():
        answers = form.answers()
        full = INSTRUMENTS[code].full
        if full is not None and None not in answers and instruments.leads_to_full(sum(answers)):  # type: ignore[arg-type]
            # The same two questions open the full instrument: carry them over.
            continued_from = INSTRUMENTS[code].name
            code = full
            form = AnswersForm(
                instrument=INSTRUMENTS[code],
                initial={f"item_{n}": answer for n, answer in enumerate(answers, start=1)},
            )
        else:
            try:
                screening = services.screening_record(
                    actor=request.user, resident=resident, instrument=code, answers=answers,
                    source=ScreeningSource.WORKER,
                )  # fmt: skip
            except ValidationError as error:
                add_service_errors(form, error)
                status = 422
            else:
                if screening.urgent:
                    messages.error(
                        request,
                        _("Urgent: the counsellor and the grid worker have a task due now. "
                          "Give the person the crisis hotlines below."),
                    )  # fmt: skip
                else:
                    messages.success(request, _("The screening is recorded."))
                return redirect("care:screening", pk=screening.pk)
    context = {
        "resident": resident, "form": form, "instrument": INSTRUMENTS[code],
        "continued_from": continued_from, "stem": instruments.STEM,
        "instruments": [(c.value, INSTRUMENTS[c].name) for c in Code],
    }  # fmt: skip
    return render(request, "care/screen.html", context, status=status)


# -- settings -----------------------------------------------------------------------------------


@require_safe
@requires(Permission.MANAGE_CARE)
def settings_list(request: AuthedRequest) -> HttpResponse:
    communities = list(selectors.settings_communities(viewer=request.user))
    if len(communities) == 1:
        return redirect("care:settings", pk=communities[0].pk)
    return render(request, "care/settings_list.html", {"communities": communities})


@requires(Permission.MANAGE_CARE, per_object=True)
def settings_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    """A community's crisis hotlines and deadline: read by whoever manages care there, changed by
    its administrator."""
    community = selectors.settings_community_get(viewer=request.user, pk=pk)
    current = services.care_settings_for(community.pk)
    initial = {"hotlines": current.hotlines, "crisis_sla_minutes": current.crisis_sla_minutes}
    form = SettingsForm(request.POST or None, initial=initial)
    may_edit = has_permission(request.user, Permission.EDIT_PLACES)
    if request.method == "POST" and form.is_valid():
        try:
            services.care_settings_update(
                actor=request.user, community=community, hotlines=form.cleaned_data["hotlines"],
                crisis_sla_minutes=form.cleaned_data["crisis_sla_minutes"],
            )  # fmt: skip
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The care settings are saved."))
            return redirect("care:settings", pk=community.pk)
    context = {"community": community, "form": form, "current": current, "may_edit": may_edit}
    return render(request, "care/settings.html", context, status=422 if form.errors else 200)


# -- care cases ---------------------------------------------------------------------------------


def _int(value: str) -> int | None:
    return int(value) if value.isdigit() else None


@require_safe
@requires(Permission.VIEW_CARE)
def case_list(request: AuthedRequest) -> HttpResponse:
    """Open cases: their existence, risk and next contact for every `view_care` holder; the
    counsellor for those who manage care."""
    status = request.GET.get("status", CaseStatus.OPEN)
    counsellor = _int(request.GET.get("counsellor", ""))
    page = paginate(
        request, selectors.case_list(viewer=request.user, status=status, counsellor=counsellor)
    )
    context = {
        "page": page, "status": status, "statuses": CaseStatus.choices,
        "may_manage": has_permission(request.user, Permission.MANAGE_CARE),
    }  # fmt: skip
    return render(request, "care/case_list.html", context)


@require_safe
@requires(Permission.MANAGE_CARE, Permission.COUNSEL)
def caseload(request: AuthedRequest) -> HttpResponse:
    """Open cases per counsellor, by risk; and the viewer's own cases."""
    context = {
        "rows": selectors.caseload(viewer=request.user),
        "risks": RiskLevel.choices,
        "mine": selectors.case_list(viewer=request.user, counsellor=request.user.pk),
    }
    return render(request, "care/caseload.html", context)


@require_safe
@requires(Permission.VIEW_CARE, per_object=True)
def case_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    case = selectors.case_get(viewer=request.user, pk=pk)
    may_manage = has_permission(request.user, Permission.MANAGE_CARE)
    context = {
        "case": case, "may_manage": may_manage,
        "may_read_notes": cases.may_read_notes(request.user, case),
        "counsellors": cases.counsellor_choices(case) if may_manage and case.is_open else [],
        "risks": RiskLevel.choices,
        "referrals": list(case.referrals.select_related("referred_by")) if may_manage else [],
        "referral_kinds": ReferralKind.choices,
    }  # fmt: skip
    return render(request, "care/case_detail.html", context)


@requires(Permission.VIEW_CARE, per_object=True)
def case_notes(request: AuthedRequest, pk: int) -> HttpResponse:
    """The notes of a case: its counsellor and note readers only; each reading audited."""
    case = selectors.case_get(viewer=request.user, pk=pk)
    error = ""
    if request.method == "POST":
        try:
            cases.note_add(actor=request.user, case=case, body=request.POST.get("body", ""))
        except ValidationError as invalid:
            error = " ".join(invalid.messages)
        else:
            return redirect("care:case_notes", pk=case.pk)
    notes = cases.case_notes_read(actor=request.user, case=case)
    context = {
        "case": case, "notes": notes, "error": error,
        "may_write": case.counsellor_id == request.user.pk and case.is_open,
    }  # fmt: skip
    return render(request, "care/case_notes.html", context, status=422 if error else 200)


@require_POST
@requires(Permission.MANAGE_CARE, per_object=True)
def case_change(request: AuthedRequest, pk: int) -> HttpResponse:
    """One form per change on the case page: assign, risk and plan, schedule, close."""
    case = selectors.case_get(viewer=request.user, pk=pk)
    action = request.POST.get("action", "")
    try:
        if action == "assign":
            counsellor = next(
                (
                    u
                    for u in cases.counsellor_choices(case)
                    if str(u.pk) == request.POST.get("counsellor")
                ),
                None,
            )
            if counsellor is None:
                raise ValidationError(_("Choose a counsellor who works where this person lives."))
            cases.case_assign(actor=request.user, case=case, counsellor=counsellor)
        elif action == "risk":
            cases.case_set_risk(
                actor=request.user, case=case, risk=request.POST.get("risk", ""),
                plan=request.POST.get("plan", ""),
            )  # fmt: skip
        elif action == "schedule":
            cases.case_schedule(
                actor=request.user, case=case, every_days=_int(request.POST.get("every_days", "")),
                times=_int(request.POST.get("times", "")),
            )  # fmt: skip
        elif action == "refer":
            cases.referral_make(
                actor=request.user, case=case, kind=request.POST.get("kind", ""),
                organisation=request.POST.get("organisation", ""),
            )  # fmt: skip
        elif action == "outcome":
            referral = case.referrals.filter(pk=_int(request.POST.get("referral", "")) or 0).first()
            if referral is None:
                raise ValidationError(_("Choose a referral of this case."))
            cases.referral_outcome(
                actor=request.user, referral=referral, outcome=request.POST.get("outcome", "")
            )
        elif action == "close":
            cases.case_close(actor=request.user, case=case, reason=request.POST.get("reason", ""))
        else:
            raise ValidationError(_("Choose what to change."))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The case is updated."))
    return redirect("care:case", pk=case.pk)


@requires(Permission.MANAGE_CARE, per_object=True)
def resident_case_open(request: AuthedRequest, pk: int) -> HttpResponse:
    """Open a case for a resident: a worker's referral, a help-desk request, a self-referral."""
    resident = selectors.screening_resident_get(viewer=request.user, pk=pk)
    error = ""
    if request.method == "POST":
        try:
            case = cases.case_open(
                actor=request.user, resident=resident, reason=request.POST.get("reason", ""),
                risk=request.POST.get("risk", ""), plan=request.POST.get("plan", ""),
            )  # fmt: skip
        except ValidationError as invalid:
            error = " ".join(invalid.messages)
        else:
            return redirect("care:case", pk=case.pk)
    context = {
        "resident": resident, "error": error, "reasons": CaseReason.choices,
        "risks": RiskLevel.choices,
    }  # fmt: skip
    return render(request, "care/case_open.html", context, status=422 if error else 200)
