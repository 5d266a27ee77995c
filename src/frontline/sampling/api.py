"""Mass testing through the API: a laboratory posts results with its token; workers read who
is in a tube. The same services and selectors as the pages."""

import datetime as dt

from ninja import Router, Schema

from frontline.accounts.access import Permission, api_requires
from frontline.core.http import AuthedRequest
from frontline.sampling import selectors, services

router = Router(tags=["sampling"])


class ResultIn(Schema):
    barcode: str = ""
    result: str = ""
    reported_at: dt.datetime | None = None
    lab: str = ""


class ResultsIn(Schema):
    source: str = "api"
    results: list[ResultIn]


class ResultsOut(Schema):
    """Lines are numbered from 1 in the order posted; every line not recorded is listed."""

    recorded: int
    changed: list[tuple[int, str, str, str]]
    duplicates: list[tuple[int, str]]
    unknown: list[tuple[int, str]]
    errors: list[tuple[int, str]]
    positive_tubes: list[str]
    invalid_tubes: list[str]
    tasks: int


@router.post("/results", response=ResultsOut)
@api_requires(Permission.POST_LAB_RESULTS, Permission.RECORD_TESTS)
def results_post(request: AuthedRequest, payload: ResultsIn):
    """Record a laboratory's results (tube barcode, positive / negative / invalid, time, lab)."""
    report = services.results_record(
        actor=request.user,
        lines=[
            services.ResultLine(
                line=n, barcode=r.barcode, result=r.result, reported_at=r.reported_at, lab=r.lab
            )
            for n, r in enumerate(payload.results, start=1)
        ],
        source=payload.source,
    )
    return ResultsOut(
        recorded=report.recorded, changed=report.changed, duplicates=report.duplicates,
        unknown=report.unknown, errors=report.errors,
        positive_tubes=[t.barcode for t in report.positive_tubes],
        invalid_tubes=[t.barcode for t in report.invalid_tubes], tasks=report.tasks,
    )  # fmt: skip


class PersonOut(Schema):
    resident_id: int
    name: str
    household: str
    phone: str


class TubeOut(Schema):
    id: int
    barcode: str
    round_id: int
    result: str
    size: int
    capacity: int
    people: list[PersonOut]


@router.get("/tubes/{tube_id}", response=TubeOut)
@api_requires(Permission.PLAN_SAMPLING, Permission.SAMPLE, Permission.VIEW_HEALTH, per_object=True)
def tube_detail(request: AuthedRequest, tube_id: int):
    """Who is in a tube: the trace-back of one tube, phones masked."""
    tube = selectors.tube_get(viewer=request.user, pk=tube_id)
    return TubeOut(
        id=tube.pk, barcode=tube.barcode, round_id=tube.round_id, result=tube.result,
        size=tube.size, capacity=tube.capacity,
        people=[
            PersonOut(
                resident_id=s.resident_id, name=s.resident.name,
                household=s.resident.household.label, phone=s.resident.masked_phone,
            )
            for s in services.tube_people(tube)
        ],
    )  # fmt: skip
