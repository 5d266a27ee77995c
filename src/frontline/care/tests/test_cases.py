"""Care cases: opened from screenings or by hand, one open per person, follow-up schedules,
closing; and the notes' confidentiality through every page and API route."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from frontline.care import cases
from frontline.care.models import CareCase, CaseStatus, RiskLevel
from frontline.care.tests.conftest import CRISIS_PHQ9
from frontline.core.models import AuditAction, AuditEntry
from frontline.tasks.models import Task

SECRET = "来访者提到与家人冲突，夜间难以入睡"


def text(response) -> str:  # type: ignore[no-untyped-def]
    """A response body as text; JSON decoded, since the API escapes non-ASCII characters."""
    if response.get("Content-Type", "").startswith("application/json"):
        return json.dumps(response.json(), ensure_ascii=False)
    return response.content.decode()


@pytest.fixture
def case(world, record):  # type: ignore[no-untyped-def]
    """Zhang's case, opened by a moderate PHQ-9, held by the counsellor, with one note."""
    record("phq9", [2, 2, 2, 2, 1, 1, 0, 0, 0])
    opened = CareCase.objects.get(resident=world.zhang)
    cases.note_add(actor=world.users["counsellor"], case=opened, body=SECRET)
    return opened


def test_a_moderate_screening_opens_a_case_for_the_counsellor_and_a_worse_one_raises_it(
    world, record, case
):
    assert (case.risk, case.reason, case.counsellor) == (
        RiskLevel.MEDIUM, "screening", world.users["counsellor"],
    )  # fmt: skip
    record("gad7", [3] * 7)  # severe: high
    case.refresh_from_db()
    assert case.risk == RiskLevel.HIGH
    record("phq9", CRISIS_PHQ9)
    case.refresh_from_db()
    assert case.risk == RiskLevel.CRISIS
    record("gad7", [2] * 7)  # moderate never lowers it
    case.refresh_from_db()
    assert case.risk == RiskLevel.CRISIS and CareCase.objects.count() == 1


def test_a_mild_screening_opens_no_case(world, record):
    record("gad7", [1] * 7)
    assert CareCase.objects.count() == 0


def test_a_worker_referral_opens_a_case_once(world):
    opened = cases.case_open(
        actor=world.users["admin"],
        resident=world.li,
        reason="referral",
        risk="low",
        plan="每周电话",
    )
    assert opened.counsellor == world.users["counsellor"] and opened.status == CaseStatus.OPEN
    with pytest.raises(ValidationError):
        cases.case_open(actor=world.users["admin"], resident=world.li, reason="self", risk="low")
    with pytest.raises(PermissionDenied):
        cases.case_open(actor=world.users["grid1"], resident=world.zhang, reason="self", risk="low")


def test_a_weekly_schedule_for_4_weeks_makes_4_tasks_for_the_counsellor(world, case):
    start = dt.date(2030, 1, 7)
    days = cases.case_schedule(
        actor=world.users["supervisor"], case=case, every_days=7, times=4, start=start
    )
    assert days == [start + dt.timedelta(days=7 * n) for n in range(4)]
    tasks = Task.objects.filter(source_id=str(case.pk), owner=world.users["counsellor"])
    assert tasks.count() == 4
    case.refresh_from_db()
    assert case.next_contact_on == start
    with pytest.raises(ValidationError):
        cases.case_schedule(actor=world.users["supervisor"], case=case, every_days=0, times=99)


def test_closing_needs_a_final_re_screen_or_a_reason(world, record, case):
    with pytest.raises(ValidationError):
        cases.case_close(actor=world.users["counsellor"], case=case)
    final = record("phq9", [0] * 9)
    closed = cases.case_close(actor=world.users["counsellor"], case=case)
    assert closed.status == CaseStatus.CLOSED and closed.closing_screening == final
    other = cases.case_open(
        actor=world.users["admin"], resident=world.li, reason="self", risk="low"
    )
    assert (
        cases.case_close(actor=world.users["admin"], case=other, reason="搬离本社区").is_open
        is False
    )


def test_only_the_assigned_counsellor_writes_notes(world, case):
    with pytest.raises(PermissionDenied):
        cases.note_add(actor=world.users["supervisor"], case=case, body="x")
    with pytest.raises(PermissionDenied):
        cases.note_add(actor=world.users["admin"], case=case, body="x")


# -- confidentiality ----------------------------------------------------------------------------


def reveals(world, case) -> int:  # type: ignore[no-untyped-def]
    return AuditEntry.objects.filter(action=AuditAction.REVEAL, target_id=str(case.pk)).count()


def test_the_counsellor_reads_the_notes_and_each_reading_is_audited(world, client_for, case):
    client = client_for("counsellor")
    url = reverse("care:case_notes", kwargs={"pk": case.pk})
    assert SECRET in client.get(url).content.decode()
    assert SECRET in text(client.get(f"/api/v1/care/cases/{case.pk}/notes"))
    assert reveals(world, case) == 2
    entry = AuditEntry.objects.filter(action=AuditAction.REVEAL).first()
    assert entry is not None and entry.actor == world.users["counsellor"]
    assert entry.fields == ["care_notes"] and SECRET not in entry.target_label


def test_the_supervisor_reads_any_case_notes_audited(world, client_for, case):
    assert (
        SECRET
        in client_for("supervisor")
        .get(reverse("care:case_notes", kwargs={"pk": case.pk}))
        .content.decode()
    )
    assert reveals(world, case) == 1


@pytest.mark.parametrize(
    "who", ["grid1", "fulltime", "parttime", "officer", "admin", "volunteer", "sampler", "lab",
            "other_admin"],
)  # fmt: skip
def test_nobody_else_reads_the_notes_through_any_page_or_api_route(world, client_for, case, who):
    client = client_for(who)
    bodies = []
    for name in ("care:case", "care:case_notes"):
        response = client.get(reverse(name, kwargs={"pk": case.pk}))
        assert response.status_code in (403, 404) or name == "care:case", (who, name)
        bodies.append(text(response))
    posted = client.post(reverse("care:case_notes", kwargs={"pk": case.pk}), {"body": "x"})
    assert posted.status_code in (403, 404)
    for path in (f"/api/v1/care/cases/{case.pk}/notes", f"/api/v1/care/cases/{case.pk}",
                 "/api/v1/care/cases", "/api/v1/care/screenings"):  # fmt: skip
        response = client.get(path)
        bodies.append(text(response))
        if path.endswith("/notes"):
            assert response.status_code in (403, 404), (who, path)
    for url in (reverse("care:cases"), reverse("care:caseload")):
        bodies.append(client.get(url).content.decode())
    assert all(SECRET not in body for body in bodies)
    assert reveals(world, case) == 0
    assert case.notes.count() == 1


def test_a_grid_worker_sees_only_existence_risk_and_next_contact(world, client_for, case):
    cases.case_schedule(
        actor=world.users["counsellor"], case=case, every_days=7, times=1,
        start=dt.date(2030, 1, 7),
    )  # fmt: skip
    cases.case_set_risk(
        actor=world.users["counsellor"], case=case, risk="high", plan="转介专科门诊"
    )
    client = client_for("grid1")
    listed = client.get(reverse("care:cases"), **{"HTTP_ACCEPT_LANGUAGE": "en"}).content.decode()
    assert world.zhang.name in listed and "2030-01-07" in listed and "High" in listed
    page = client.get(reverse("care:case", kwargs={"pk": case.pk})).content.decode()
    assert "2030-01-07" in page and "转介专科门诊" not in page and 'id="notes-link"' not in page
    api = client.get(f"/api/v1/care/cases/{case.pk}").json()
    assert set(api) == {
        "id",
        "resident_id",
        "name",
        "household",
        "risk",
        "status",
        "next_contact_on",
    }


def test_notes_are_not_in_the_django_admin(world):
    from django.contrib import admin

    from frontline.care.models import CareNote

    assert CareNote not in admin.site._registry


def test_the_case_pages_work_for_those_who_manage_care(world, client_for, case):
    client = client_for("counsellor")
    detail = client.get(reverse("care:case", kwargs={"pk": case.pk})).content.decode()
    assert 'id="notes-link"' in detail and 'id="close-form"' in detail
    change = reverse("care:case_change", kwargs={"pk": case.pk})
    client.post(change, {"action": "schedule", "every_days": "7", "times": "4"})
    case.refresh_from_db()
    assert case.next_contact_on is not None
    caseload = client.get(reverse("care:caseload")).content.decode()
    assert "counsellor" in caseload and world.zhang.name in caseload
    client.post(change, {"action": "close", "reason": "情绪稳定"})
    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED
    opened = client_for("admin").post(
        reverse("care:resident_case_open", kwargs={"pk": world.li.pk}),
        {"reason": "helpdesk", "risk": "medium", "plan": ""},
    )
    assert opened.status_code == 302 and CareCase.objects.filter(resident=world.li).exists()


def test_a_case_is_referred_and_its_outcome_recorded_once_by_those_who_manage_care(
    world, client_for
):  # type: ignore[no-untyped-def]
    from frontline.care.cases import case_open, referral_make, referral_outcome
    from frontline.care.models import CaseReason, Referral, RiskLevel

    case = case_open(
        actor=world.users["admin"], resident=world.zhang, reason=CaseReason.REFERRAL,
        risk=RiskLevel.HIGH,
    )  # fmt: skip
    client = client_for("counsellor")
    url = reverse("care:case_change", kwargs={"pk": case.pk})
    client.post(url, {"action": "refer", "kind": "psychiatry", "organisation": "区精神卫生中心"})
    referral = Referral.objects.get(case=case)
    assert (referral.kind, referral.referred_by) == ("psychiatry", world.users["counsellor"])
    client.post(url, {"action": "outcome", "referral": referral.pk, "outcome": "已就诊，开始服药"})
    referral.refresh_from_db()
    assert referral.outcome == "已就诊，开始服药" and referral.outcome_at is not None
    with pytest.raises(ValidationError):
        referral_outcome(actor=world.users["admin"], referral=referral, outcome="again")
    with pytest.raises(ValidationError) as raised:
        referral_make(actor=world.users["admin"], case=case, kind="astrology", organisation="")
    assert set(raised.value.message_dict) == {"kind", "organisation"}
    # the grid worker sees the case exists, never where it was referred
    page = client_for("grid1").get(reverse("care:case", kwargs={"pk": case.pk})).content.decode()
    assert "区精神卫生中心" not in page
    # an unknown action changes nothing (it used to close the case)
    client.post(url, {"action": "bogus"})
    case.refresh_from_db()
    assert case.is_open
