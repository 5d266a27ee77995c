"""Psychological support through the API: the same selectors and services as the pages, the same
errors (422 naming every bad answer, 404 outside scope, 403 inside it without the permission)."""

import datetime as dt
from typing import Any

from ninja import Query, Router, Schema, Status

from frontline.accounts.access import Permission, api_requires
from frontline.care import cases, instruments, selectors, services
from frontline.care.instruments import INSTRUMENTS
from frontline.care.models import CareCase, CareSettings, Screening, ScreeningSource
from frontline.core.http import AuthedRequest
from frontline.core.schemas import Page

router = Router(tags=["care"])


class ItemOut(Schema):
    number: int
    zh: str
    en: str


class InstrumentOut(Schema):
    code: str
    name: str
    items: list[ItemOut]
    options: list[ItemOut]
    full: str | None
    max_total: int


class ScreeningOut(Schema):
    id: int
    resident_id: int
    name: str
    household: str
    instrument: str
    answers: list[int]
    total: int
    band: str
    urgent: bool
    source: str
    recorded_by: str | None
    created_at: dt.datetime
    task_id: int | None
    escalation_task_id: int | None

    @staticmethod
    def of(screening: Screening) -> "ScreeningOut":
        return ScreeningOut(
            id=screening.pk, resident_id=screening.resident_id, name=screening.resident.name,
            household=screening.resident.household.label, instrument=screening.instrument,
            answers=list(screening.answers), total=screening.total, band=screening.band,
            urgent=screening.urgent, source=screening.source,
            recorded_by=str(screening.recorded_by) if screening.recorded_by_id else None,
            created_at=screening.created_at, task_id=screening.task_id,
            escalation_task_id=screening.escalation_task_id,
        )  # fmt: skip


class RecordedOut(ScreeningOut):
    hotlines: list[str]


class ScreeningIn(Schema):
    """Answers are scores 0-3 in question order; the service names every bad one (422). A PHQ-2
    or GAD-2 of 3 or more is refused: send the full PHQ-9 or GAD-7 instead."""

    resident_id: int | None = None
    instrument: str = ""
    answers: list[Any] = []


class ScreeningFilter(Schema):
    q: str = ""
    instrument: str = ""
    band: str = ""
    urgent: bool | None = None
    since: dt.date | None = None
    until: dt.date | None = None
    limit: int = 50
    offset: int = 0


class SettingsOut(Schema):
    community_id: int
    hotlines: list[str]
    crisis_sla_minutes: int

    @staticmethod
    def of(row: CareSettings) -> "SettingsOut":
        return SettingsOut(
            community_id=row.community_id, hotlines=row.hotline_lines,
            crisis_sla_minutes=row.crisis_sla_minutes,
        )  # fmt: skip


class SettingsIn(Schema):
    hotlines: list[str] = []
    crisis_sla_minutes: int | None = None


def _wording(number: int, wording: instruments.Wording) -> ItemOut:
    return ItemOut(number=number, zh=wording.zh, en=wording.en)


@router.get("/instruments", response=list[InstrumentOut])
@api_requires(Permission.SCREEN_RESIDENTS)
def instrument_list(request: AuthedRequest):
    """The questionnaires with their official wording in both languages and the answer options."""
    found = []
    for form in INSTRUMENTS.values():
        found.append(
            InstrumentOut(
                code=form.code.value,
                name=form.name,
                items=[_wording(n, w) for n, w in enumerate(form.items, start=1)],
                options=[_wording(score, w) for score, w in enumerate(instruments.OPTIONS)],
                full=form.full.value if form.full else None,
                max_total=form.max_total,
            )
        )
    return found


@router.get("/screenings", response=Page[ScreeningOut])
@api_requires(Permission.SCREEN_RESIDENTS)
def screening_list(request: AuthedRequest, filters: Query[ScreeningFilter]):
    screenings = selectors.screening_list(
        viewer=request.user,
        filters=selectors.ScreeningFilters(
            query=filters.q, instrument=filters.instrument, band=filters.band,
            urgent=filters.urgent, since=filters.since, until=filters.until,
        ),
    )  # fmt: skip
    limit = max(1, min(filters.limit, 500))
    offset = max(0, filters.offset)
    page = list(screenings[offset : offset + limit])
    return {"count": screenings.count(), "items": [ScreeningOut.of(s) for s in page]}


@router.post("/screenings", response={201: RecordedOut})
@api_requires(Permission.SCREEN_RESIDENTS)
def screening_create(request: AuthedRequest, payload: ScreeningIn):
    """Record a screening on a resident's behalf. An urgent answer (PHQ-9 item 9 above 0) makes
    the crisis tasks at once; `hotlines` are the community's numbers to give the person."""
    resident = selectors.screening_resident_get(viewer=request.user, pk=payload.resident_id or 0)
    screening = services.screening_record(
        actor=request.user, resident=resident, instrument=payload.instrument,
        answers=payload.answers, source=ScreeningSource.WORKER,
    )  # fmt: skip
    recorded = selectors.screening_get(viewer=request.user, pk=screening.pk)
    hotlines = services.care_settings_for(recorded.community_id).hotline_lines
    return Status(201, RecordedOut(**ScreeningOut.of(recorded).dict(), hotlines=hotlines))


@router.get("/screenings/{screening_id}", response=ScreeningOut)
@api_requires(Permission.SCREEN_RESIDENTS, per_object=True)
def screening_detail(request: AuthedRequest, screening_id: int):
    return ScreeningOut.of(selectors.screening_get(viewer=request.user, pk=screening_id))


@router.get("/residents/{resident_id}/screenings", response=list[ScreeningOut])
@api_requires(Permission.SCREEN_RESIDENTS, per_object=True)
def resident_screenings(request: AuthedRequest, resident_id: int):
    """A resident's screenings, oldest first (the trend)."""
    resident = selectors.screening_resident_get(viewer=request.user, pk=resident_id)
    screenings = selectors.resident_screenings(viewer=request.user, resident=resident)
    return [
        ScreeningOut.of(s) for s in screenings.select_related("resident__household__unit__building")
    ]


@router.get("/settings/{community_id}", response=SettingsOut)
@api_requires(Permission.MANAGE_CARE, per_object=True)
def settings_detail(request: AuthedRequest, community_id: int):
    community = selectors.settings_community_get(viewer=request.user, pk=community_id)
    return SettingsOut.of(services.care_settings_for(community.pk))


@router.put("/settings/{community_id}", response=SettingsOut)
@api_requires(Permission.MANAGE_CARE, per_object=True)
def settings_update(request: AuthedRequest, community_id: int, payload: SettingsIn):
    """The crisis hotlines (one string each) and the crisis deadline; community administrators."""
    community = selectors.settings_community_get(viewer=request.user, pk=community_id)
    row = services.care_settings_update(
        actor=request.user, community=community, hotlines="\n".join(payload.hotlines),
        crisis_sla_minutes=payload.crisis_sla_minutes,
    )  # fmt: skip
    return SettingsOut.of(row)


# -- care cases ---------------------------------------------------------------------------------


class CaseOut(Schema):
    """What every `view_care` holder may know: that the case exists, its risk, the next contact."""

    id: int
    resident_id: int
    name: str
    household: str
    risk: str
    status: str
    next_contact_on: dt.date | None

    @staticmethod
    def of(case: CareCase) -> "CaseOut":
        return CaseOut(
            id=case.pk, resident_id=case.resident_id, name=case.resident.name,
            household=case.resident.household.label, risk=case.risk, status=case.status,
            next_contact_on=case.next_contact_on,
        )  # fmt: skip


class CaseIn(Schema):
    resident_id: int | None = None
    reason: str = ""
    risk: str = ""
    plan: str = ""


class CloseIn(Schema):
    reason: str = ""


class NoteIn(Schema):
    body: str = ""


class NoteOut(Schema):
    id: int
    author: str | None
    body: str
    created_at: dt.datetime


@router.get("/cases", response=Page[CaseOut])
@api_requires(Permission.VIEW_CARE)
def case_list(request: AuthedRequest, status: str = "open", limit: int = 50, offset: int = 0):
    found = selectors.case_list(viewer=request.user, status=status)
    limit = max(1, min(limit, 500))
    page = list(found[max(0, offset) : max(0, offset) + limit])
    return {"count": found.count(), "items": [CaseOut.of(case) for case in page]}


@router.post("/cases", response={201: CaseOut})
@api_requires(Permission.MANAGE_CARE)
def case_open(request: AuthedRequest, payload: CaseIn):
    """Open a case for a referral, a help-desk request or a self-referral."""
    resident = selectors.screening_resident_get(viewer=request.user, pk=payload.resident_id or 0)
    case = cases.case_open(
        actor=request.user, resident=resident, reason=payload.reason, risk=payload.risk,
        plan=payload.plan,
    )  # fmt: skip
    return Status(201, CaseOut.of(selectors.case_get(viewer=request.user, pk=case.pk)))


@router.get("/cases/{case_id}", response=CaseOut)
@api_requires(Permission.VIEW_CARE, per_object=True)
def case_detail(request: AuthedRequest, case_id: int):
    return CaseOut.of(selectors.case_get(viewer=request.user, pk=case_id))


@router.post("/cases/{case_id}/close", response=CaseOut)
@api_requires(Permission.MANAGE_CARE, per_object=True)
def case_close(request: AuthedRequest, case_id: int, payload: CloseIn):
    """Close after a final re-screen, or with a reason (422 otherwise)."""
    case = selectors.case_get(viewer=request.user, pk=case_id)
    cases.case_close(actor=request.user, case=case, reason=payload.reason)
    return CaseOut.of(selectors.case_get(viewer=request.user, pk=case_id))


@router.get("/cases/{case_id}/notes", response=list[NoteOut])
@api_requires(Permission.VIEW_CARE, per_object=True)
def case_notes(request: AuthedRequest, case_id: int):
    """The case's counsellor and note readers only (403 for others in scope); audited."""
    case = selectors.case_get(viewer=request.user, pk=case_id)
    return [
        NoteOut(id=n.pk, author=str(n.author) if n.author_id else None, body=n.body,
                created_at=n.created_at)
        for n in cases.case_notes_read(actor=request.user, case=case)
    ]  # fmt: skip


@router.post("/cases/{case_id}/notes", response={201: NoteOut})
@api_requires(Permission.COUNSEL, per_object=True)
def note_add(request: AuthedRequest, case_id: int, payload: NoteIn):
    case = selectors.case_get(viewer=request.user, pk=case_id)
    note = cases.note_add(actor=request.user, case=case, body=payload.body)
    return Status(201, NoteOut(id=note.pk, author=str(request.user), body=note.body,
                               created_at=note.created_at))  # fmt: skip
