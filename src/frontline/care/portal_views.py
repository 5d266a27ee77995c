"""The household page's screening (PHQ/GAD) for a member: /h/<token>/care/.

Step 1 asks the two pre-screens (PHQ-2 and GAD-2, four questions); a pre-screen of 3 or more
continues with the rest of its full instrument (step 2), the first two answers carried along.
Everything travels in the form, nothing in a session: an unknown or revoked link is a 404 and
the service checks the link and the member again on every write. An urgent answer shows the
community's crisis hotlines in the very response that records it.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect

from frontline.accounts.access import public
from frontline.care import instruments
from frontline.care.forms import AnswersForm, MemberForm
from frontline.care.instruments import INSTRUMENTS, Code
from frontline.care.models import Screening, ScreeningSource
from frontline.care.services import care_settings_for, screening_record
from frontline.health.models import HouseholdLink
from frontline.health.services import public_member_label
from frontline.portal.pages import household_page
from frontline.residents.models import Resident

# (form prefix, pre-screen, full instrument)
PARTS = (("phq", Code.PHQ2, Code.PHQ9), ("gad", Code.GAD2, Code.GAD7))


def _prescreen_forms(data: object) -> dict[str, AnswersForm]:
    return {
        prefix: AnswersForm(data, instrument=INSTRUMENTS[prescreen], prefix=prefix)  # type: ignore[arg-type]
        for prefix, prescreen, _full in PARTS
    }


@public
@never_cache
@csrf_protect
@household_page
def screening(request: HttpRequest, link: HouseholdLink, members: list[Resident]) -> HttpResponse:
    data = request.POST if request.method == "POST" else None
    member_form = MemberForm(data, members=members)
    prescreens = _prescreen_forms(data)
    context: dict[str, object] = {
        "members": members,
        "member_form": member_form,
        "stem": instruments.STEM,
    }
    if data is None:
        return render(request, "care/portal.html", {**context, "prescreens": prescreens.values()})
    valid = member_form.is_valid()
    valid = all([form.is_valid() for form in prescreens.values()]) and valid
    missing = valid and any(None in form.answers() for form in prescreens.values())
    if not valid or missing:
        for form in prescreens.values():
            for name in form.fields:
                if form.cleaned_data.get(name) is None and not form.errors.get(name):
                    form.add_error(name, instruments.answer_required())
        context["prescreens"] = prescreens.values()
        return render(request, "care/portal.html", context, status=422)
    member = member_form.members[member_form.cleaned_data["member"]]
    positive = {
        prefix: instruments.leads_to_full(sum(prescreens[prefix].answers()))  # type: ignore[arg-type]
        for prefix, _prescreen, _full in PARTS
    }
    full_forms = {
        prefix: AnswersForm(
            data if request.POST.get("step") == "2" else None,
            instrument=INSTRUMENTS[full], first=3, prefix=prefix,
        )
        for prefix, _prescreen, full in PARTS
        if positive[prefix]
    }  # fmt: skip
    if full_forms and request.POST.get("step") != "2":
        return _step_two(request, context, member, prescreens, full_forms)
    if full_forms:
        complete = all([form.is_valid() for form in full_forms.values()])
        for form in full_forms.values():
            for name in form.fields:
                if complete and form.cleaned_data.get(name) is None:
                    form.add_error(name, instruments.answer_required())
                    complete = False
        if not complete:
            return _step_two(request, context, member, prescreens, full_forms, status=422)
    recorded = _record(link=link, member=member, prescreens=prescreens, full_forms=full_forms)
    if isinstance(recorded, ValidationError):
        member_form.add_error(None, recorded)
        context["prescreens"] = prescreens.values()
        return render(request, "care/portal.html", context, status=422)
    urgent = any(s.urgent for s in recorded)
    follow_up = any(s.band in instruments.CASE_BANDS or s.band == "mild" for s in recorded)
    mild = any(s.band == "mild" for s in recorded) and not urgent
    settings = care_settings_for(member.community_id)
    return render(
        request, "care/portal_done.html",
        {"member_label": public_member_label(member), "urgent": urgent, "follow_up": follow_up,
         "self_help": mild, "hotlines": settings.hotline_lines},
    )  # fmt: skip


def _step_two(
    request: HttpRequest,
    context: dict[str, object],
    member: Resident,
    prescreens: dict[str, AnswersForm],
    full_forms: dict[str, AnswersForm],
    status: int = 200,
) -> HttpResponse:
    """The rest of each full instrument whose pre-screen was 3 or more."""
    carried = [
        (f"{prefix}-item_{n}", answer)
        for prefix, form in prescreens.items()
        for n, answer in enumerate(form.answers(), start=1)
    ]
    context = {
        **context, "member": member, "member_label": public_member_label(member),
        "carried": carried, "full_forms": full_forms.values(),
    }  # fmt: skip
    return render(request, "care/portal_more.html", context, status=status)


def _record(
    *,
    link: HouseholdLink,
    member: Resident,
    prescreens: dict[str, AnswersForm],
    full_forms: dict[str, AnswersForm],
) -> list[Screening] | ValidationError:
    """One screening per instrument: the pre-screen where it ended there, else the full one."""
    recorded = []
    try:
        with transaction.atomic():  # both instruments or neither
            for prefix, prescreen, full in PARTS:
                answers = prescreens[prefix].answers()
                if prefix in full_forms:
                    answers = answers + full_forms[prefix].answers()
                    code = full
                else:
                    code = prescreen
                screening = screening_record(
                    actor=None, resident=member, instrument=code, answers=answers,
                    source=ScreeningSource.PORTAL, link=link,
                )  # fmt: skip
                recorded.append(screening)
    except ValidationError as error:
        return error
    return recorded
