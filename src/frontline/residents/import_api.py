"""Roster import over the API: upload, preview, correct the mapping, confirm or cancel."""

from django.db.models import Q
from django.shortcuts import get_object_or_404
from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from frontline.accounts.access import Permission, api_requires, scoped
from frontline.core.http import AuthedRequest
from frontline.residents import imports
from frontline.residents.import_views import communities_for
from frontline.residents.models import RosterImport
from frontline.residents.roster import RosterError, check_size

router = Router(tags=["roster import"])


class RowOut(Schema):
    line: int
    kind: str
    name: str
    household: str
    reasons: list[str]
    changes: list[str]


class PreviewOut(Schema):
    id: int
    filename: str
    status: str
    counts: dict[str, int]
    columns: dict[int, str | None]
    rows: list[RowOut]


class MappingIn(Schema):
    columns: dict[int, str | None] = {}
    create_places: bool = False


def _batch(request: AuthedRequest, import_id: int) -> RosterImport:
    visible = Q(created_by=request.user) | scoped(
        request.user, Permission.EDIT_RESIDENTS, RosterImport
    )
    return get_object_or_404(RosterImport.objects.filter(visible), pk=import_id)


def _preview_out(request: AuthedRequest, batch: RosterImport) -> PreviewOut:
    preview = imports.roster_preview(actor=request.user, batch=batch)
    return PreviewOut(
        id=batch.pk, filename=batch.filename, status=batch.status, counts=preview.counts,
        columns=dict(preview.columns),
        rows=[RowOut(line=r.line, kind=r.kind, name=r.name, household=r.address, reasons=r.reasons,
                     changes=r.changes) for r in preview.rows],
    )  # fmt: skip


def _rejected(error: RosterError) -> Status:
    return Status(422, {"message": str(error), "detail": None})


@router.post("", response={201: PreviewOut, 422: dict})
@api_requires(Permission.EDIT_RESIDENTS)
def import_upload(request: AuthedRequest, community_id: Form[int], file: File[UploadedFile]):
    """Upload a roster file (multipart); answers the preview, nothing is written yet."""
    community = get_object_or_404(communities_for(request.user), pk=community_id)
    try:
        check_size(file.size or 0)
        batch = imports.roster_upload(
            actor=request.user,
            community=community,
            filename=file.name or "roster",
            content=file.read(),
        )
        return Status(201, _preview_out(request, batch))
    except RosterError as error:
        return _rejected(error)


@router.get("/{import_id}", response=PreviewOut)
@api_requires(Permission.EDIT_RESIDENTS, per_object=True)
def import_preview(request: AuthedRequest, import_id: int):
    return _preview_out(request, _batch(request, import_id))


@router.post("/{import_id}/mapping", response=PreviewOut)
@api_requires(Permission.EDIT_RESIDENTS, per_object=True)
def import_mapping(request: AuthedRequest, import_id: int, payload: MappingIn):
    """Correct which column holds which field (remembered for files of the same shape)."""
    batch = imports.roster_set_mapping(
        actor=request.user, batch=_batch(request, import_id), overrides=payload.columns,
        create_places=payload.create_places,
    )  # fmt: skip
    return _preview_out(request, batch)


@router.post("/{import_id}/confirm", response=dict[str, int])
@api_requires(Permission.EDIT_RESIDENTS, per_object=True)
def import_confirm(request: AuthedRequest, import_id: int):
    """Write every valid row in one transaction; answers the counts."""
    return imports.roster_commit(actor=request.user, batch=_batch(request, import_id))


@router.post("/{import_id}/cancel", response={204: None})
@api_requires(Permission.EDIT_RESIDENTS, per_object=True)
def import_cancel(request: AuthedRequest, import_id: int):
    imports.roster_cancel(actor=request.user, batch=_batch(request, import_id))
    return Status(204, None)
