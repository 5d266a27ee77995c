"""Control orders through the API: the same selectors and services as the pages, the same errors
(422 naming every bad field, 404 outside scope, 403 inside it without the permission)."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status

from frontline.accounts.access import Permission, api_requires
from frontline.control import selectors, services, transition
from frontline.control.models import ControlOrder, OrderStatus, OrderTest
from frontline.core.http import AuthedRequest
from frontline.core.schemas import Page
from frontline.policy.models import RuleSet
from frontline.policy.selectors import rule_set_get

router = Router(tags=["control"])


class TestOut(Schema):
    __test__ = False

    id: int
    day: dt.date
    phase: int
    day_in_phase: int
    measure: str
    result: str
    sample_reference: str

    @staticmethod
    def of(test: OrderTest) -> "TestOut":
        return TestOut(
            id=test.pk, day=test.day, phase=test.phase_index + 1, day_in_phase=test.day_in_phase,
            measure=test.measure, result=test.result, sample_reference=test.sample_reference,
        )  # fmt: skip


class PhaseOut(Schema):
    measure: str
    days: int
    start: dt.date
    end: dt.date
    test_days: list[int]
    test_dates: list[dt.date]


class EventOut(Schema):
    kind: str
    actor: str | None
    reason: str
    evidence: str
    at: dt.datetime


class OrderOut(Schema):
    id: int
    resident_id: int
    name: str
    household: str
    category: str
    status: str
    rule_set: str
    start_on: dt.date
    release_on: dt.date
    day: int
    total_days: int
    current_measure: str | None
    next_test: dt.date | None
    evidence_kind: str
    evidence: str

    @staticmethod
    def of(order: ControlOrder, edges: services.Edges | None = None) -> "OrderOut":
        progress = selectors.progress(order)
        return OrderOut(
            id=order.pk, resident_id=order.resident_id, name=order.resident.name,
            household=order.resident.household.label, category=order.category, status=order.status,
            rule_set=order.rule_set.name, start_on=order.start_on, release_on=order.release_on,
            day=progress.day.number, total_days=order.total_days,
            current_measure=progress.phase.measure if progress.phase and order.is_active else None,
            next_test=progress.next_test, evidence_kind=order.evidence_kind.value,
            evidence=services.order_evidence_words(order, edges=edges),
        )  # fmt: skip


class OrderDetailOut(OrderOut):
    release_allowed: bool
    release_blockers: list[str]
    phases: list[PhaseOut]
    tests: list[TestOut]
    events: list[EventOut]

    @staticmethod
    def of_detail(order: ControlOrder) -> "OrderDetailOut":
        check = selectors.progress(order).release
        return OrderDetailOut(
            **OrderOut.of(order).dict(),
            release_allowed=check.allowed,
            release_blockers=services.release_blockers_text(check, order.release_on),
            phases=[PhaseOut(**phase) for phase in order.phases],
            tests=[TestOut.of(test) for test in order.tests.all()],
            events=[
                EventOut(kind=e.kind, actor=str(e.actor) if e.actor_id else None, reason=e.reason,
                         evidence=e.evidence, at=e.created_at)
                for e in order.events.all()
            ],
        )  # fmt: skip


class OrderFilter(Schema):
    q: str = ""
    category: str = ""
    measure: str = ""
    status: str = OrderStatus.ACTIVE.value
    building: int | None = None
    sort: str = "release"
    limit: int = 50
    offset: int = 0


class OrderIn(Schema):
    """Exactly one piece of evidence, by id; every field is checked by the service (422)."""

    contact_link_id: int | None = None
    trip_match_id: int | None = None
    checkin_id: int | None = None
    sample_id: int | None = None
    category: str = ""
    start: dt.date | None = None
    reason: str = ""


class ExtendIn(Schema):
    days: int | None = None
    reason: str = ""
    evidence: str = ""


class ReasonIn(Schema):
    reason: str = ""


class ReleaseIn(Schema):
    reason: str = ""
    override: bool = False


class ResultIn(Schema):
    result: str = ""
    sample_reference: str = ""


@router.get("/orders", response=Page[OrderOut])
@api_requires(Permission.VIEW_HEALTH)
def order_list(request: AuthedRequest, filters: Query[OrderFilter]):
    orders = selectors.order_list(
        viewer=request.user, query=filters.q, category=filters.category, measure=filters.measure,
        status=filters.status, building=filters.building, sort=filters.sort,
    )  # fmt: skip
    limit = max(1, min(filters.limit, 500))
    offset = max(0, filters.offset)
    page = list(orders[offset : offset + limit])
    edges = services.case_edges(
        {o.contact_link.case_id for o in page if o.contact_link is not None}
    )
    return {"count": orders.count(), "items": [OrderOut.of(order, edges) for order in page]}


@router.get("/orders/{order_id}", response=OrderDetailOut)
@api_requires(Permission.VIEW_HEALTH, per_object=True)
def order_detail(request: AuthedRequest, order_id: int):
    return OrderDetailOut.of_detail(selectors.order_get(viewer=request.user, pk=order_id))


def _detail(request: AuthedRequest, order: ControlOrder) -> "OrderDetailOut":
    return OrderDetailOut.of_detail(selectors.order_get(viewer=request.user, pk=order.pk))


@router.post("/orders", response={201: OrderDetailOut})
@api_requires(Permission.MANAGE_CONTROL)
def order_create(request: AuthedRequest, payload: OrderIn):
    """Make an order from a contact link, a trip match, a positive check-in or a positive
    single-tube sample (a documented order is uploaded on its page)."""
    given = {
        "contact_link_id": payload.contact_link_id,
        "trip_match_id": payload.trip_match_id,
        "checkin_id": payload.checkin_id,
        "sample_id": payload.sample_id,
    }
    named = [value for value in given.values() if value is not None]
    if len(named) != 1:
        raise ValidationError({"evidence": [_("Name exactly one piece of evidence.")]})
    evidence: services.Evidence
    if payload.contact_link_id is not None:
        evidence = selectors.contact_link_get(viewer=request.user, pk=payload.contact_link_id)
    elif payload.trip_match_id is not None:
        evidence = selectors.trip_match_get(viewer=request.user, pk=payload.trip_match_id)
    elif payload.checkin_id is not None:
        evidence = selectors.checkin_get(viewer=request.user, pk=payload.checkin_id)
    else:
        evidence = selectors.sample_get(viewer=request.user, pk=named[0])
    order = services.order_create(
        actor=request.user, evidence=evidence,
        category=payload.category, start=payload.start, reason=payload.reason,
    )  # fmt: skip
    return Status(201, _detail(request, order))


@router.post("/orders/{order_id}/extend", response=OrderDetailOut)
@api_requires(Permission.MANAGE_CONTROL, per_object=True)
def order_extend(request: AuthedRequest, order_id: int, payload: ExtendIn):
    order = selectors.order_get(viewer=request.user, pk=order_id)
    services.order_extend(
        actor=request.user, order=order, days=payload.days, reason=payload.reason,
        evidence=payload.evidence,
    )  # fmt: skip
    return _detail(request, order)


@router.post("/orders/{order_id}/transfer", response=OrderDetailOut)
@api_requires(Permission.MANAGE_CONTROL, per_object=True)
def order_transfer(request: AuthedRequest, order_id: int, payload: ReasonIn):
    order = selectors.order_get(viewer=request.user, pk=order_id)
    services.order_transfer(actor=request.user, order=order, reason=payload.reason)
    return _detail(request, order)


@router.post("/orders/{order_id}/release", response=OrderDetailOut)
@api_requires(Permission.MANAGE_CONTROL, Permission.OVERRIDE_RELEASE, per_object=True)
def order_release(request: AuthedRequest, order_id: int, payload: ReleaseIn):
    order = selectors.order_get(viewer=request.user, pk=order_id)
    services.order_release(
        actor=request.user, order=order, reason=payload.reason, override=payload.override
    )
    return _detail(request, order)


@router.post("/tests/{test_id}/result", response=TestOut)
@api_requires(Permission.RECORD_TESTS, per_object=True)
def test_record(request: AuthedRequest, test_id: int, payload: ResultIn):
    test = selectors.test_get(viewer=request.user, pk=test_id)
    return TestOut.of(
        services.order_record_test(
            actor=request.user,
            test=test,
            result=payload.result,
            sample_reference=payload.sample_reference,
        )
    )


test_record.__test__ = False  # type: ignore[attr-defined]


class ReplanOut(Schema):
    order_id: int
    resident_id: int
    name: str
    household: str
    category: str
    rule_set_before: str
    start_on: dt.date
    release_before: dt.date
    release_on: dt.date
    identified: bool
    measure_before: str | None
    measure_after: str | None
    tests_added: list[dt.date]
    tests_dropped: list[dt.date]


class TransitionOut(Schema):
    """What confirming would change; send `fingerprint` back to confirm exactly this."""

    rule_set_id: int
    rule_set: str
    effective_from: dt.date
    fingerprint: str
    orders: int
    earlier: int
    later: int
    ended: int
    tests_added: int
    tests_dropped: int
    items: list[ReplanOut]


class TransitionIn(Schema):
    fingerprint: str = ""
    reason: str = ""


class MovedOut(Schema):
    moved: int


def _published(request: AuthedRequest, rule_set_id: int) -> RuleSet:
    rule_set = rule_set_get(viewer=request.user, pk=rule_set_id)
    if not rule_set.is_published:
        raise Http404
    return rule_set


@router.get("/transitions/{rule_set_id}", response=TransitionOut)
@api_requires(Permission.MANAGE_CONTROL, per_object=True)
def transition_preview(request: AuthedRequest, rule_set_id: int):
    """The running orders in your communities that a published rule set changes, and how."""
    preview = transition.transition_preview(
        viewer=request.user, rule_set=_published(request, rule_set_id)
    )
    return TransitionOut(
        rule_set_id=preview.rule_set.pk, rule_set=preview.rule_set.name,
        effective_from=preview.effective, fingerprint=preview.fingerprint,
        **vars(preview.counts),
        items=[
            ReplanOut(
                order_id=plan.order.pk, resident_id=plan.order.resident_id,
                name=plan.order.resident.name, household=plan.order.resident.household.label,
                category=plan.order.category, rule_set_before=plan.order.rule_set.name,
                start_on=plan.order.start_on, release_before=plan.order.release_on,
                release_on=plan.release_on, identified=plan.identified,
                measure_before=plan.measure_before, measure_after=plan.measure_after,
                tests_added=list(plan.added), tests_dropped=list(plan.dropped),
            )
            for plan in preview.plans
        ],
    )  # fmt: skip


@router.post("/transitions/{rule_set_id}", response=MovedOut)
@api_requires(Permission.MANAGE_CONTROL, per_object=True)
def transition_apply(request: AuthedRequest, rule_set_id: int, payload: TransitionIn):
    """Move the orders of the preview whose fingerprint you send; 422 when they changed since."""
    moved = transition.transition_apply(
        actor=request.user, rule_set=_published(request, rule_set_id),
        fingerprint_seen=payload.fingerprint, reason=payload.reason,
    )  # fmt: skip
    return MovedOut(moved=moved)
