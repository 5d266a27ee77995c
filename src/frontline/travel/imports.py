"""Import risk areas and trips from .xlsx/.csv: all rows or none, every bad row reported.

The file is read with the roster reader (python-calamine, CSV in UTF-8 or GBK); the header is the
row among the first 30 that names the most known columns (Chinese or English). Every row is
validated with the same functions the services use; when any row is bad nothing is written and
the result lists each bad row with its reasons. `check_only` validates without writing.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from frontline.accounts.access import Permission, has_permission, scoped
from frontline.accounts.models import User
from frontline.core.audit import audit_record
from frontline.core.identity import document_digest, normalise_document, parse_resident_id
from frontline.core.masking import mask_name
from frontline.core.models import AuditAction
from frontline.residents.models import Resident
from frontline.residents.roster.errors import CellError, RosterError
from frontline.residents.roster.headers import normalise_header
from frontline.residents.roster.normalise import is_blank, parse_date, text_value
from frontline.residents.roster.reading import read_cells
from frontline.travel.models import RiskArea, Trip, TripSource
from frontline.travel.places import normalise_code
from frontline.travel.screening import screening_refresh
from frontline.travel.services import AREA_FIELDS, clean_area_fields, clean_trip_fields

HEADER_SCAN_ROWS = 30

AREA_SYNONYMS: dict[str, tuple[str, ...]] = {
    "name": ("名称", "风险区名称", "风险区域", "区域名称", "地区名称", "name", "area", "area name"),
    "area_code": ("区划代码", "行政区划代码", "地区代码", "代码", "area code", "code", "gb/t2260"),
    "place": ("地区", "地点", "地址", "详细地址", "位置", "place", "location", "address"),
    "level": ("风险等级", "等级", "级别", "风险级别", "level", "risk level"),
    "valid_from": ("开始", "开始日期", "生效日期", "起始日期", "划定日期", "from", "valid from", "start"),
    "valid_to": ("结束", "结束日期", "解除日期", "截止日期", "to", "valid to", "end"),
}  # fmt: skip
TRIP_SYNONYMS: dict[str, tuple[str, ...]] = {
    "document_number": (
        "身份证号", "身份证号码", "证件号码", "证件号", "公民身份号码", "身份证",
        "document number", "id number", "id no",
    ),
    "name": ("姓名", "name"),
    "area_code": ("区划代码", "行政区划代码", "地区代码", "area code", "code"),
    "place": ("地点", "地区", "途经地", "到访地", "目的地", "去向", "地址", "place", "location", "destination"),
    "date_from": ("开始", "开始日期", "到达日期", "抵达日期", "起始日期", "from", "arrived", "start"),
    "date_to": ("结束", "结束日期", "离开日期", "返回日期", "截止日期", "to", "left", "end"),
    "note": ("备注", "说明", "note", "notes", "remarks"),
}  # fmt: skip
AREA_REQUIRED = frozenset({"name", "level", "valid_from"})
TRIP_REQUIRED = frozenset({"document_number", "date_from", "date_to"})

LEVEL_WORDS: dict[str, str] = {
    "高": "high", "高风险": "high", "高风险区": "high", "高风险地区": "high", "high": "high",
    "中": "medium", "中风险": "medium", "中风险区": "medium", "中风险地区": "medium", "medium": "medium",
    "低": "low", "低风险": "low", "低风险区": "low", "低风险地区": "low", "low": "low",
    "封控区": "sealed", "封控": "sealed", "sealed": "sealed",
    "管控区": "controlled", "管控": "controlled", "controlled": "controlled",
    "防范区": "precaution", "防范": "precaution", "precaution": "precaution",
}  # fmt: skip


@dataclass
class RowProblem:
    row: int  # the spreadsheet row number the user sees (1-based)
    reasons: list[str]


@dataclass
class ImportResult:
    rows: int = 0
    written: int = 0
    problems: list[RowProblem] = field(default_factory=list)
    file_error: str = ""

    @property
    def ok(self) -> bool:
        return not self.file_error and not self.problems


def _lookup(synonyms: dict[str, tuple[str, ...]]) -> dict[str, str]:
    return {normalise_header(word): key for key, words in synonyms.items() for word in words}


def find_columns(
    cells: Sequence[Sequence[object]],
    synonyms: dict[str, tuple[str, ...]],
    required: frozenset[str],
) -> tuple[int, dict[str, int]]:
    """The header row's index and its column per field, or RosterError naming what is missing."""
    lookup = _lookup(synonyms)
    best: tuple[int, dict[str, int]] | None = None
    for index, row in enumerate(cells[:HEADER_SCAN_ROWS]):
        columns: dict[str, int] = {}
        for column, cell in enumerate(row):
            key = lookup.get(normalise_header(cell))
            if key is not None and key not in columns:
                columns[key] = column
        if best is None or len(columns) > len(best[1]):
            best = (index, columns)
    if best is None or not required <= set(best[1]):
        labels = ", ".join(synonyms[key][0] for key in sorted(required))
        raise RosterError(
            _("No header row found: the file needs the columns %(columns)s.") % {"columns": labels}
        )
    return best


def _cell(row: Sequence[object], column: int | None) -> object:
    if column is None or column >= len(row):
        return None
    value = row[column]
    return None if is_blank(value) else value


def _date(
    value: object, key: str, labels: dict[str, str], failed: dict[str, str]
) -> dt.date | None:
    """A date cell; a bad one is noted in `failed` (field -> reason) and read as empty."""
    if value is None:
        return None
    try:
        return parse_date(value)
    except CellError as error:
        failed[key] = f"{labels[key]}: {error}"
        return None


def _reasons(error: ValidationError, labels: dict[str, str], failed: dict[str, str]) -> list[str]:
    """Every message of a service's ValidationError, labelled; a field that failed earlier keeps its first reason."""
    if not hasattr(error, "error_dict"):
        return list(error.messages)
    return [
        f"{labels.get(key, key)}: {message}"
        for key, messages in error.message_dict.items()
        if key not in failed
        for message in messages
    ]


def _data_rows(cells: Sequence[Sequence[object]], header_index: int):  # type: ignore[no-untyped-def]
    for index in range(header_index + 1, len(cells)):
        row = cells[index]
        if all(is_blank(cell) for cell in row):
            continue
        yield index + 1, row


def _read(content: bytes, filename: str, synonyms, required):  # type: ignore[no-untyped-def]
    cells = read_cells(content, filename)
    header_index, columns = find_columns(cells, synonyms, required)
    return cells, header_index, columns


def _area_labels() -> dict[str, str]:
    return {
        "name": _("Name"), "area_code": _("Area code"), "place": _("Place"), "level": _("Risk level"),
        "valid_from": _("Valid from"), "valid_to": _("Valid to"),
    }  # fmt: skip


def _trip_labels() -> dict[str, str]:
    return {
        "document_number": _("Document number"), "area_code": _("Area code"), "place": _("Place"),
        "date_from": _("From"), "date_to": _("To"), "note": _("Note"),
    }  # fmt: skip


def risk_area_import(
    *, actor: User, filename: str, content: bytes, check_only: bool = False
) -> ImportResult:
    """Import risk areas; nothing is written unless every row is good."""
    if not has_permission(actor, Permission.MANAGE_RISK_AREAS):
        raise PermissionDenied
    result = ImportResult()
    try:
        cells, header_index, columns = _read(content, filename, AREA_SYNONYMS, AREA_REQUIRED)
    except RosterError as error:
        result.file_error = str(error)
        return result
    labels = _area_labels()
    cleaned_rows: list[dict[str, object]] = []
    for number, row in _data_rows(cells, header_index):
        result.rows += 1
        failed: dict[str, str] = {}
        level_text = _cell(row, columns.get("level"))
        level = LEVEL_WORDS.get(normalise_header(level_text), "") if level_text is not None else ""
        if level_text is not None and not level:
            failed["level"] = f"{labels['level']}: " + _(
                "“%(value)s” is not a risk level (高/中/低)."
            ) % {"value": level_text}
        values: dict[str, object] = {
            "name": text_value(_cell(row, columns.get("name")) or ""),
            "area_code": normalise_code(_cell(row, columns.get("area_code"))),
            "place": text_value(_cell(row, columns.get("place")) or ""),
            "level": level,
            "valid_from": _date(
                _cell(row, columns.get("valid_from")), "valid_from", labels, failed
            ),
            "valid_to": _date(_cell(row, columns.get("valid_to")), "valid_to", labels, failed),
        }
        reasons = list(failed.values())
        try:
            cleaned = clean_area_fields(values)
        except ValidationError as error:
            reasons += _reasons(error, labels, failed)
        else:
            cleaned_rows.append(cleaned)
        if reasons:
            result.problems.append(RowProblem(row=number, reasons=reasons))
    if not result.rows:
        result.file_error = _("The file has a header but no rows.")
    if not result.ok or check_only:
        return result
    with transaction.atomic():
        areas = RiskArea.objects.bulk_create(
            [RiskArea(created_by=actor, **values) for values in cleaned_rows]
        )
        screening_refresh(area_ids=[area.pk for area in areas])
        for area in areas:
            audit_record(
                actor=actor,
                action=AuditAction.CREATE,
                target=area,
                fields=list(AREA_FIELDS),
                reason=_("Imported from %(file)s") % {"file": filename[:100]},
            )
    result.written = len(areas)
    return result


def _digest_of(raw: object) -> str:
    text = normalise_document(text_value(raw))
    with contextlib.suppress(ValidationError):  # a passport or other number stays as typed
        text = parse_resident_id(text).number
    return document_digest(text) if text else ""


def trip_import(
    *, actor: User, filename: str, content: bytes, check_only: bool = False
) -> ImportResult:
    """Import trips matched to residents in the actor's scope by document number."""
    if not has_permission(actor, Permission.RECORD_HEALTH):
        raise PermissionDenied
    result = ImportResult()
    try:
        cells, header_index, columns = _read(content, filename, TRIP_SYNONYMS, TRIP_REQUIRED)
    except RosterError as error:
        result.file_error = str(error)
        return result
    labels = _trip_labels()
    parsed: list[tuple[int, str, dict[str, object], dict[str, str]]] = []
    for number, row in _data_rows(cells, header_index):
        result.rows += 1
        failed: dict[str, str] = {}
        document = _cell(row, columns.get("document_number"))
        digest = _digest_of(document) if document is not None else ""
        if not digest:
            failed["document_number"] = f"{labels['document_number']}: " + _(
                "Enter the resident's document number."
            )
        values: dict[str, object] = {
            "area_code": normalise_code(_cell(row, columns.get("area_code"))),
            "place": text_value(_cell(row, columns.get("place")) or ""),
            "date_from": _date(_cell(row, columns.get("date_from")), "date_from", labels, failed),
            "date_to": _date(_cell(row, columns.get("date_to")), "date_to", labels, failed),
            "note": text_value(_cell(row, columns.get("note")) or ""),
        }
        parsed.append((number, digest, values, failed))
    digests = {digest for _number, digest, _values, _failed in parsed if digest}
    residents: dict[str, list[Resident]] = {}
    in_scope = Resident.objects.filter(scoped(actor, Permission.RECORD_HEALTH, Resident))
    found = list(
        in_scope.filter(document_digest__in=digests).only(
            "id", "name", "document_digest", "community_id"
        )
    )
    for resident in found:
        residents.setdefault(resident.document_digest, []).append(resident)
    trips: list[Trip] = []
    for number, digest, values, failed in parsed:
        reasons = list(failed.values())
        matched = residents.get(digest, []) if digest else []
        if digest and not matched:
            reasons.append(_("No resident in your area has this document number."))
        elif len(matched) > 1:
            reasons.append(_("Several residents in your area have this document number."))
        try:
            cleaned = clean_trip_fields(values)
        except ValidationError as error:
            reasons += _reasons(error, labels, failed)
            cleaned = None
        if reasons:
            result.problems.append(RowProblem(row=number, reasons=reasons))
        elif cleaned is not None:
            trips.append(
                Trip(resident=matched[0], source=TripSource.IMPORT, recorded_by=actor, **cleaned)
            )
    if not result.rows:
        result.file_error = _("The file has a header but no rows.")
    if not result.ok or check_only:
        return result
    with transaction.atomic():
        created = Trip.objects.bulk_create(trips, batch_size=1000)
        screening_refresh(trip_ids=[trip.pk for trip in created])
        for trip in created:
            audit_record(
                actor=actor,
                action=AuditAction.CREATE,
                target=trip,
                label=_("Trip of %(name)s") % {"name": mask_name(trip.resident.name)},
                community_id=trip.resident.community_id,
                fields=["place", "area_code", "date_from", "date_to"],
                reason=_("Imported from %(file)s") % {"file": filename[:100]},
            )
    result.written = len(created)
    return result
