"""Pages of the roster import: upload, preview with mapping, confirm or cancel, error workbook."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from frontline.accounts.access import Permission, requires, scoped
from frontline.accounts.models import User
from frontline.core.forms import StyledForm
from frontline.core.http import AuthedRequest
from frontline.places.models import Building, Community
from frontline.residents import imports
from frontline.residents.models import RosterImport, RosterImportStatus
from frontline.residents.roster import RosterError, check_size
from frontline.residents.roster.headers import FIELD_LABELS

PREVIEW_ROWS = 200


class UploadForm(StyledForm):
    file = forms.FileField(label=gettext_lazy("Roster file (.xlsx, .xls, .ods or .csv)"))
    community = forms.ModelChoiceField(
        queryset=Community.objects.none(), label=gettext_lazy("Community")
    )

    def __init__(self, *args, communities, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        field = self.fields["community"]
        field.queryset = communities  # type: ignore[attr-defined]
        if communities.count() == 1:
            field.initial = communities.first()
            field.widget = forms.HiddenInput()


def communities_for(user: User) -> QuerySet[Community]:
    """Communities where the user may add residents in at least one building."""
    buildings = Building.objects.filter(scoped(user, Permission.EDIT_RESIDENTS, Building))
    return Community.objects.filter(pk__in=buildings.values("community_id"))


def _batch(request: AuthedRequest, pk: int) -> RosterImport:
    visible = Q(created_by=request.user) | scoped(
        request.user, Permission.EDIT_RESIDENTS, RosterImport
    )
    return get_object_or_404(
        RosterImport.objects.filter(visible).select_related("community"), pk=pk
    )


@requires(Permission.EDIT_RESIDENTS)
def roster_upload(request: AuthedRequest) -> HttpResponse:
    form = UploadForm(
        request.POST or None, request.FILES or None, communities=communities_for(request.user)
    )
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            check_size(upload.size)
            batch = imports.roster_upload(
                actor=request.user, community=form.cleaned_data["community"], filename=upload.name,
                content=upload.read(),
            )  # fmt: skip
        except RosterError as error:
            form.add_error("file", str(error))
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return redirect("residents:import_preview", pk=batch.pk)
    recent = RosterImport.objects.filter(created_by=request.user).defer("content")[:10]
    return render(request, "residents/import_upload.html", {"form": form, "recent": recent})


@requires(Permission.EDIT_RESIDENTS, per_object=True)
def roster_preview(request: AuthedRequest, pk: int) -> HttpResponse:
    batch = _batch(request, pk)
    if request.method == "POST" and batch.status == RosterImportStatus.PREVIEW:
        overrides: dict[int, str | None] = {
            int(key.removeprefix("column_")): (str(value) or None)
            for key, value in request.POST.items()
            if key.startswith("column_")
        }
        imports.roster_set_mapping(
            actor=request.user,
            batch=batch,
            overrides=overrides,
            create_places=request.POST.get("create_places") == "1",
        )
        return redirect("residents:import_preview", pk=batch.pk)
    context: dict[str, object] = {"batch": batch, "fields": FIELD_LABELS.items()}
    if batch.status == RosterImportStatus.PREVIEW:
        try:
            preview = imports.roster_preview(actor=request.user, batch=batch)
        except RosterError as error:
            context["error"] = str(error)
        else:
            context |= {
                "preview": preview,
                "counts": preview.counts,
                "problems": [r for r in preview.rows if r.kind in ("error", "conflict")][
                    :PREVIEW_ROWS
                ],
                "updates": preview.of_kind("update")[:PREVIEW_ROWS],
                "creates": preview.of_kind("create")[:PREVIEW_ROWS],
                "columns": [(i, h, preview.columns.get(i)) for i, h in enumerate(preview.headers)],
            }
    return render(request, "residents/import_preview.html", context)


@require_POST
@requires(Permission.EDIT_RESIDENTS, per_object=True)
def roster_commit(request: AuthedRequest, pk: int) -> HttpResponse:
    batch = _batch(request, pk)
    try:
        summary = imports.roster_commit(actor=request.user, batch=batch)
    except (ValidationError, RosterError) as error:
        messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
    else:
        messages.success(
            request,
            _(
                "Imported: %(create)s created, %(update)s updated, %(unchanged)s unchanged, %(skipped)s not imported."
            )
            % {**summary, "skipped": summary["error"] + summary["conflict"]},
        )
    return redirect("residents:import_preview", pk=batch.pk)


@require_POST
@requires(Permission.EDIT_RESIDENTS, per_object=True)
def roster_cancel(request: AuthedRequest, pk: int) -> HttpResponse:
    batch = _batch(request, pk)
    try:
        imports.roster_cancel(actor=request.user, batch=batch)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The import was cancelled; nothing was written."))
    return redirect("residents:import")


@requires(Permission.EDIT_RESIDENTS, per_object=True)
def roster_errors(request: AuthedRequest, pk: int) -> HttpResponse:
    batch = _batch(request, pk)
    content = imports.roster_error_workbook(actor=request.user, batch=batch)
    response = HttpResponse(
        content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="errors-{batch.pk}.xlsx"'
    return response
