"""Roster import: upload, preview (create / update / unchanged / conflict / error), confirm.

Nothing is written until the user confirms; then every valid row is written in one transaction.
Rows match an existing resident by document number, then by name + phone + household. A file
never blanks a known value: only the fields it fills in are compared and changed.
"""

from __future__ import annotations

import io
import json
import operator
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import xlsxwriter
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from frontline.accounts.access import Permission, has_permission, scoped
from frontline.accounts.models import User
from frontline.core.audit import audit_record
from frontline.core.bulk import RowWriter, allocate_ids, cycle_collection_paused
from frontline.core.labels import field_label
from frontline.core.masking import mask_document
from frontline.core.models import AuditAction, AuditEntry
from frontline.core.request_context import current_ip
from frontline.places.models import Building, Community, Household, Unit, address_key
from frontline.residents.models import (
    Resident,
    ResidentTag,
    RosterImport,
    RosterImportStatus,
    RosterMapping,
)
from frontline.residents.roster import FIELD_LABELS, check_size, parse_roster, read_cells
from frontline.residents.roster.headers import find_header, shape_key
from frontline.residents.statistics import refresh_statistics
from frontline.residents.validation import (
    EDITABLE_FIELDS,
    NEW_RESIDENT_DEFAULTS,
    clean_resident_fields,
)

Kind = Literal["create", "update", "unchanged", "conflict", "error"]
PLACE_FIELDS = ("building", "unit", "room")
DERIVED = ("name_initials", "document_digest", "document_tail", "phone_tail")
BULK_ROWS = 1000  # an import this large refreshes the planner's statistics
_EDITABLE = frozenset(EDITABLE_FIELDS)


@dataclass(slots=True)
class RowOutcome:
    line: int
    kind: Kind
    name: str = ""
    address: str = ""
    reasons: list[str] = field(default_factory=list)
    changes: list[str] = field(default_factory=list)
    resident_id: int | None = None
    # Every column of the person as cleaned: defaults where the file says nothing, as a new
    # resident gets them. `given` names the columns the file filled and those derived from
    # them: the only ones an update compares and writes, so an empty cell never blanks a value.
    values: dict[str, Any] = field(default_factory=dict)
    given: tuple[str, ...] = ()
    tags: list[str] = field(default_factory=list)
    place: tuple[str, str, str] = ("", "", "")


@dataclass
class Preview:
    columns: Mapping[int, str | None]
    headers: list[str]
    rows: list[RowOutcome]
    missing_places: set[tuple[str, str, str]]

    def of_kind(self, kind: Kind) -> list[RowOutcome]:
        return [row for row in self.rows if row.kind == kind]

    @property
    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(("create", "update", "unchanged", "conflict", "error"), 0)
        for row in self.rows:
            counts[row.kind] += 1
        return counts


# -- upload -------------------------------------------------------------------------------------


@transaction.atomic
@cycle_collection_paused()
def roster_upload(
    *, actor: User, community: Community, filename: str, content: bytes
) -> RosterImport:
    """Keep an uploaded file for preview; reject what cannot be read, with the reason."""
    if not Building.objects.filter(
        scoped(actor, Permission.EDIT_RESIDENTS, Building), community=community
    ).exists():
        raise ValidationError({"community": [_("You may not add residents in this community.")]})
    check_size(len(content))
    # RosterError for an unreadable file; the cells stay kept for the preview and the commit.
    header = find_header(read_cells(content, filename))
    shape = shape_key(header.labels)
    remembered = RosterMapping.objects.filter(community=community, shape=shape).first()
    return RosterImport.objects.create(
        community=community,
        created_by=actor,
        filename=filename[:200],
        content=content,
        shape=shape,
        mapping=remembered.mapping if remembered else {},
    )


@transaction.atomic
def roster_set_mapping(
    *, actor: User, batch: RosterImport, overrides: dict[int, str | None], create_places: bool
) -> RosterImport:
    """Correct the column mapping (remembered for files of the same shape) and the place option."""
    _editable(actor, batch)
    batch.mapping = {str(column): target or "" for column, target in overrides.items()}
    batch.create_places = create_places
    batch.save(update_fields=["mapping", "create_places", "updated_at"])
    RosterMapping.objects.update_or_create(
        community=batch.community, shape=batch.shape, defaults={"mapping": batch.mapping}
    )
    return batch


def _editable(actor: User, batch: RosterImport) -> None:
    if batch.created_by_id != actor.pk and not has_permission(actor, Permission.EDIT_RESIDENTS):
        raise ValidationError(_("This import belongs to someone else."))
    if batch.status != RosterImportStatus.PREVIEW:
        raise ValidationError(_("This import is already closed."))


def _overrides(batch: RosterImport) -> dict[int, str | None]:
    return {int(column): (target or None) for column, target in batch.mapping.items()}


# -- preview ------------------------------------------------------------------------------------


@cycle_collection_paused()
def roster_preview(*, actor: User, batch: RosterImport) -> Preview:
    """Classify every row without writing anything."""
    roster = parse_roster(bytes(batch.content), batch.filename, overrides=_overrides(batch) or None)
    community = batch.community
    editable = set(
        Building.objects.filter(
            scoped(actor, Permission.EDIT_RESIDENTS, Building), community=community
        ).values_list("number", flat=True)
    )
    buildings = dict(Building.objects.filter(community=community).values_list("number", "pk"))
    households = {
        (number, unit, room): pk
        for pk, number, unit, room in Household.objects.filter(
            unit__building__community=community
        ).values_list("pk", "unit__building__number", "unit__number", "room")
    }
    outcomes: list[RowOutcome] = []
    missing: set[tuple[str, str, str]] = set()
    today = timezone.localdate()
    kept: dict[tuple[str, ...], tuple[str, ...]] = {}  # the file's fields -> the columns to keep
    for row in roster.rows:
        fields = row.fields
        outcome = RowOutcome(line=row.line, kind="error", name=str(fields.get("name") or ""))
        if row.errors:
            outcome.reasons.extend(
                f"{FIELD_LABELS.get(name, name)}: {message}" for name, message in row.errors.items()
            )
        place = (
            str(fields.get("building") or ""), str(fields.get("unit") or ""),
            str(fields.get("room") or ""),
        )  # fmt: skip
        outcome.place = place
        outcome.address = "-".join(filter(None, place))
        values = {k: v for k, v in fields.items() if k in _EDITABLE and v != "" and v is not None}
        if "tags" in fields:
            outcome.tags = [str(tag) for tag in fields["tags"]]  # type: ignore[attr-defined]
        try:
            cleaned = clean_resident_fields(NEW_RESIDENT_DEFAULTS | values, today=today)
        except ValidationError as error:
            outcome.reasons.extend(
                f"{field_label(Resident, name)}: {' '.join(messages)}"
                for name, messages in error.message_dict.items()
            )
            cleaned = {}
        if not all(place):
            outcome.reasons.append(_("The building, unit and room are needed."))
        elif place[0] not in buildings:
            outcome.reasons.append(
                _("Building %(number)s is not registered in this community.") % {"number": place[0]}
            )
        elif place[0] not in editable:
            outcome.reasons.append(
                _("Building %(number)s is outside your area.") % {"number": place[0]}
            )
        elif place not in households:
            missing.add(place)
            if not batch.create_places:
                outcome.reasons.append(
                    _("Household %(address)s does not exist; allow creating missing households.")
                    % {"address": outcome.address}
                )
        if outcome.reasons:
            outcomes.append(outcome)
            continue
        filled = tuple(values)
        if (given := kept.get(filled)) is None:
            given = kept[filled] = (*filled, *_derived_of(values))
        outcome.values = cleaned
        outcome.given = given
        outcome.kind = "create"
        outcomes.append(outcome)
    _match(community, outcomes, households)
    return Preview(
        columns=roster.header.columns,
        headers=list(roster.header.labels),
        rows=outcomes,
        missing_places=missing,
    )


def _derived_of(values: dict[str, Any]) -> list[str]:
    derived = []
    if "name" in values:
        derived.append("name_initials")
    if "document_number" in values:
        derived += ["document_digest", "document_tail", "birth_date", "sex"]
    if "phone" in values:
        derived.append("phone_tail")
    return derived


def _match(
    community: Community, outcomes: list[RowOutcome], households: dict[tuple[str, str, str], int]
) -> None:
    """Turn "create" rows into updates, unchanged rows and conflicts against the database and the file."""
    candidates = [row for row in outcomes if row.kind == "create"]
    digests = {
        row.values["document_digest"] for row in candidates if row.values.get("document_digest")
    }
    names = {row.values["name"] for row in candidates if not row.values.get("document_digest")}
    residents = Resident.objects.filter(community=community)
    # A first roster for a new community (the largest imports) has no one to match against.
    existing = (
        residents.filter(
            Q(document_digest__any=sorted(digests)) | Q(name__any=sorted(names))
        ).prefetch_related("tags")
        if residents.exists()
        else Resident.objects.none()
    )
    by_digest = {r.document_digest: r for r in existing if r.document_digest}
    by_person = {(r.name, r.phone, r.household_id): r for r in existing}
    seen: dict[str, RowOutcome] = {}
    for row in candidates:
        digest = row.values.get("document_digest", "")
        household_id = households.get(row.place)
        if digest and digest in seen:
            first = seen[digest]
            row.kind = "conflict" if first.values["name"] != row.values["name"] else "unchanged"
            row.reasons.append(
                _("The same document number is on line %(line)s.") % {"line": first.line}
            )
            continue
        if digest:
            seen[digest] = row
        resident = (
            by_digest.get(digest)
            if digest
            else by_person.get((row.values["name"], row.values.get("phone", ""), household_id or 0))
        )
        if resident is None:
            continue
        row.resident_id = resident.pk
        if resident.name != row.values["name"]:
            row.kind = "conflict"
            row.reasons.append(
                _("This document number belongs to %(name)s here.") % {"name": resident.name}
            )
            continue
        values = row.values
        row.changes = [
            k for k in row.given if k not in DERIVED and getattr(resident, k) != values[k]
        ]
        if household_id is not None and household_id != resident.household_id:
            row.changes.append("household")
        known_tags = {tag.tag for tag in resident.tags.all()}
        if set(row.tags) - known_tags:
            row.changes.append("tags")
        row.kind = "update" if row.changes else "unchanged"


# -- confirm ------------------------------------------------------------------------------------


@transaction.atomic
@cycle_collection_paused()
def roster_commit(*, actor: User, batch: RosterImport) -> dict[str, int]:
    """Write every valid row of the preview in one transaction, and audit it: one entry for the
    import's new residents, one per existing resident it changed (a merge).

    New residents, their tags and the merges' audit entries go in as prepared rows
    (`core.bulk`): the preview has validated every value, and `bulk_create` would spend most of
    a large import building model instances.
    """
    batch = RosterImport.objects.select_for_update().get(pk=batch.pk)
    _editable(actor, batch)
    preview = roster_preview(actor=actor, batch=batch)
    community = batch.community
    if batch.create_places:
        _create_missing_households(community, preview)
    households = {
        (number, unit, room): (pk, building_id)
        for pk, number, unit, room, building_id in Household.objects.filter(
            unit__building__community=community
        ).values_list("pk", "unit__building__number", "unit__number", "room", "unit__building_id")
    }
    merges = _MergeAudit(actor, community, batch)
    tags: list[tuple[int, str]] = []
    creates = preview.of_kind("create")
    keys = {place: address_key(*place) for place in {row.place for row in creates}}
    created = operator.itemgetter(*CREATED_COLUMNS)
    adapt_date = connection.ops.adapt_datefield_value  # `connection` is a per-thread proxy
    rows = []
    for row, pk in zip(creates, allocate_ids(Resident, len(creates)), strict=True):
        household_id, building_id = households[row.place]
        values = row.values
        rows.append(
            (pk, household_id, building_id, community.pk, keys[row.place], *created(values),
             adapt_date(values["birth_date"]))
        )  # fmt: skip
        tags += [(pk, tag) for tag in sorted(set(row.tags))]
    RowWriter(
        Resident,
        ("id", "household_id", "building_id", "community_id", "address_key", *CREATED_COLUMNS,
         "birth_date"),
    ).write(rows)  # fmt: skip
    updates = preview.of_kind("update")
    residents = Resident.objects.prefetch_related("tags").in_bulk(
        [row.resident_id for row in updates]
    )
    for row in updates:
        resident = residents[row.resident_id]  # type: ignore[index]
        columns = {k for k in row.changes if k in row.given} | {
            d for d in DERIVED if d in row.given
        }
        for key in columns:
            setattr(resident, key, row.values[key])
        if "household" in row.changes:
            resident.household_id, resident.building_id = households[row.place]
            resident.address_key = address_key(*row.place)
            columns |= {"household", "building", "address_key"}
        resident.save(update_fields=[*sorted(columns), "updated_at"])
        known = {tag.tag for tag in resident.tags.all()}
        tags += [(resident.pk, tag) for tag in sorted(set(row.tags) - known)]
        merges.add(resident.pk, resident.__dict__, row.changes, row.line)
    RowWriter(ResidentTag, ("resident_id", "tag")).write(tags)
    RowWriter(AuditEntry, _MergeAudit.COLUMNS).write(merges.rows)
    if creates:
        # The import is the record of where its new residents came from: its file, who confirmed
        # it and when. One entry names it, rather than 100k entries that would bury the log.
        filled = {column for given in {row.given for row in creates} for column in given}
        audit_record(
            actor=actor, action=AuditAction.CREATE, target=batch, community_id=community.pk,
            label=_("Roster import %(file)s: %(count)s new residents")
            % {"file": batch.filename, "count": len(creates)},
            fields=sorted(filled - set(DERIVED)),
            details={"import": batch.pk, "created": len(creates)},
        )  # fmt: skip
    if len(creates) >= BULK_ROWS:
        refresh_statistics()
    summary = preview.counts
    batch.status = RosterImportStatus.COMMITTED
    batch.summary = summary
    batch.committed_at = timezone.now()
    batch.save(update_fields=["status", "summary", "committed_at", "updated_at"])
    return summary


# The columns an import writes for a new resident, as the preview cleaned them: every field a
# file may fill and the columns derived from them (the birth date goes last, adapted for the
# database).
CREATED_COLUMNS = tuple(column for column in (*EDITABLE_FIELDS, *DERIVED) if column != "birth_date")


LINE = "\x00"


class _MergeAudit:
    """One audit entry per existing resident an import changed, as prepared rows for
    `RowWriter`: what changed, from which file and line."""

    COLUMNS = (
        "actor_id", "action", "target_type_id", "target_id", "target_label", "community_id",
        "fields", "reason", "details", "ip",
    )  # fmt: skip

    def __init__(self, actor: User, community: Community, batch: RosterImport) -> None:
        from django.contrib.contenttypes.models import ContentType

        self.actor = actor.pk
        self.target_type = ContentType.objects.get_for_model(Resident).pk
        self.community = community.pk
        self.ip = current_ip()
        # The reason with the file name filled in once; each row's line number replaces LINE.
        self.reason = _("Roster import %(file)s, line %(line)s") % {
            "file": batch.filename.replace(LINE, ""),
            "line": LINE,
        }
        self.rows: list[tuple[Any, ...]] = []
        self.field_lists: dict[tuple[str, ...], str] = {}  # most rows name the same fields
        self.details = f'{{"import": {batch.pk}, "line": %d}}'  # JSON, each row's line put in

    def add(
        self, resident_id: int, person: Mapping[str, Any], fields: Iterable[str], line: int
    ) -> None:
        label = f"{person.get('name', '')} {mask_document(person.get('document_number', ''))}"
        given = tuple(fields)
        if (field_list := self.field_lists.get(given)) is None:
            field_list = json.dumps(sorted(f for f in given if f not in DERIVED))
            self.field_lists[given] = field_list
        self.rows.append(
            (self.actor, AuditAction.UPDATE.value, self.target_type, str(resident_id), label.strip()[:200],
             self.community, field_list, self.reason.replace(LINE, str(line)),
             self.details % line, self.ip)
        )  # fmt: skip


def _create_missing_households(community: Community, preview: Preview) -> None:
    """Create the units and households the confirmed rows need (their buildings exist)."""
    needed = {
        row.place for row in preview.of_kind("create") + preview.of_kind("update")
    } & preview.missing_places
    if not needed:
        return
    buildings = dict(Building.objects.filter(community=community).values_list("number", "pk"))
    RowWriter(Unit, ("building_id", "number"), skip_existing=True).write(
        sorted({(buildings[number], unit) for number, unit, _room in needed})
    )
    units = {
        (number, unit): pk
        for pk, number, unit in Unit.objects.filter(building__community=community).values_list(
            "pk", "building__number", "number"
        )
    }
    RowWriter(Household, ("unit_id", "room"), skip_existing=True).write(
        (units[(number, unit)], room) for number, unit, room in sorted(needed)
    )


@transaction.atomic
def roster_cancel(*, actor: User, batch: RosterImport) -> RosterImport:
    _editable(actor, batch)
    batch.status = RosterImportStatus.CANCELLED
    batch.content = b""
    batch.save(update_fields=["status", "content", "updated_at"])
    return batch


def roster_error_workbook(*, actor: User, batch: RosterImport) -> bytes:
    """The rejected and conflicting rows as they were in the file, with a reason column, to fix and re-import."""
    preview = roster_preview(actor=actor, batch=batch)
    bad = {row.line: row for row in preview.rows if row.kind in ("error", "conflict")}
    cells = read_cells(bytes(batch.content), batch.filename)
    header = list(find_header(cells).labels)
    output = io.BytesIO()
    workbook = xlsxwriter.Workbook(output, {"in_memory": True, "strings_to_numbers": False})
    sheet = workbook.add_worksheet()
    sheet.write_row(0, 0, [*header, _("Reason"), _("Line")], workbook.add_format({"bold": True}))
    for out_row, (line, outcome) in enumerate(sorted(bad.items()), start=1):
        values = ["" if cell is None else str(cell) for cell in cells[line - 1]]
        for column, value in enumerate(values):
            sheet.write_string(out_row, column, value)
        sheet.write_string(out_row, len(header), "; ".join(outcome.reasons))
        sheet.write_number(out_row, len(header) + 1, line)
    workbook.close()
    return output.getvalue()
