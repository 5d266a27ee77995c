"""Find the header row of a roster and map its columns to resident fields.

Rosters open with title rows ("幸福里社区居民花名册"), their headers use many names for one field,
and some headers span two rows: "住址" merged over "楼栋 | 单元 | 房号", or "姓名" merged down
over two rows. Merged cells reach us filled (.xlsx, .xls) or as "" continuation cells (.ods, or a
header laid out without merging), so each column of a candidate row is read with the row above
it: the group label above joined with its own text ("紧急联系人" + "电话"), its own text, or,
when its own cell is empty, the text above (a vertical merge). The row above counts only when it
names at least one field: a title row above a header is ignored.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from hashlib import sha256

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from frontline.residents.roster.errors import RosterError

HEADER_SCAN_ROWS = 30
REQUIRED_FIELD = "name"
IDENTIFYING_FIELDS = frozenset({"document_number", "phone", "address", "room"})

FIELD_LABELS: dict[str, str | Promise] = {
    "name": _("Name"),
    "document_type": _("Document type"),
    "document_number": _("Document number"),
    "phone": _("Phone"),
    "building": _("Building"),
    "unit": _("Unit"),
    "room": _("Room"),
    "address": _("Address (building-unit-room)"),
    "sex": _("Sex"),
    "birth_date": _("Birth date"),
    "residence_type": _("Residence type"),
    "status": _("Status"),
    "tags": _("Vulnerability tags"),
    "emergency_contact_name": _("Emergency contact"),
    "emergency_contact_phone": _("Emergency contact phone"),
    "notes": _("Notes"),
}
FIELDS = tuple(FIELD_LABELS)

# Matched after `normalise_header`: NFKC, no spaces, "*" or ":", no "(...)" notes, case-folded.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "name": ("姓名", "名字", "居民姓名", "人员姓名", "name", "full name", "fullname"),
    "document_type": ("证件类型", "证件种类", "document type", "id type"),
    "document_number": (
        "身份证号", "身份证号码", "身份证", "公民身份号码", "公民身份证号", "身份证件号码",
        "证件号码", "证件号", "id number", "id no", "id no.", "id card", "id card number",
        "document number",
    ),
    "phone": (
        "手机", "手机号", "手机号码", "联系电话", "电话", "电话号码", "联系方式", "mobile",
        "mobile number", "phone", "phone number", "telephone",
    ),
    "building": ("楼栋", "楼号", "楼栋号", "栋", "栋号", "楼", "building", "building number"),
    "unit": ("单元", "单元号", "unit", "unit number"),
    "room": ("房号", "房间号", "门牌号", "室", "房间", "室号", "room", "room number"),
    "address": (
        "住址", "地址", "家庭住址", "门牌", "现住址", "居住地址", "楼栋单元房号", "address",
    ),
    "sex": ("性别", "sex", "gender"),
    "birth_date": ("出生日期", "生日", "出生年月日", "birth date", "date of birth", "birthday"),
    "residence_type": (
        "人员类别", "户籍类型", "人口类型", "人口类别", "居住类型", "residence type",
    ),
    "status": ("状态", "居住状态", "在住状态", "status"),
    "tags": ("重点人群", "重点人群类别", "重点人群标签", "标签", "人群标签", "tags", "vulnerability tags"),
    "emergency_contact_name": (
        "紧急联系人", "紧急联系人姓名", "emergency contact", "emergency contact name",
    ),
    "emergency_contact_phone": (
        "紧急联系人电话", "紧急联系电话", "紧急联系人手机", "紧急联系人联系电话",
        "emergency contact phone", "emergency phone",
    ),
    "notes": ("备注", "说明", "notes", "note", "remarks", "remark"),
}  # fmt: skip

BRACKETED = re.compile(r"\(.*?\)|\[.*?\]|【.*?】|〔.*?〕")
DECORATION = re.compile(r"[\s*:※]+")


def normalise_header(value: object) -> str:
    """The text a header is matched by: "联系电话（必填）：" and "联系 电话*" both give "联系电话"."""
    if value is None:
        return ""
    text = unicodedata.normalize("NFKC", str(value))
    return DECORATION.sub("", BRACKETED.sub("", text)).casefold()


FIELD_BY_HEADER: dict[str, str] = {
    normalise_header(synonym): field for field, synonyms in SYNONYMS.items() for synonym in synonyms
}


def field_for(label: object) -> str | None:
    """The field a header text names; "手机/电话" names one field through both halves."""
    key = normalise_header(label)
    field = FIELD_BY_HEADER.get(key)
    if field is None and "/" in key:
        named = {FIELD_BY_HEADER.get(part) for part in key.split("/") if part}
        if len(named) == 1:
            field = named.pop()
    return field


@dataclass(frozen=True)
class Header:
    """Where the header is and what each column holds.

    row_index: 0-based index of the (last) header row; the data starts on the row below.
    columns: column index -> field, one column per field.
    labels: the header text of every column as the user sees it (two-row headers joined).
    """

    row_index: int
    columns: dict[int, str]
    labels: tuple[str, ...]

    @property
    def fields(self) -> frozenset[str]:
        return frozenset(self.columns.values())


def find_header(cells: Sequence[Sequence[object]]) -> Header:
    """Pick the row among the first 30 with the most recognised headers, or raise RosterError."""
    best: Header | None = None
    for row_index in range(min(len(cells), HEADER_SCAN_ROWS)):
        above = cells[row_index - 1] if row_index else ()
        if not any(field_for(cell) for cell in above):
            above = ()  # a title or a note, not the upper row of a two-row header
        candidate = read_header_row(row_index, cells[row_index], above)
        if is_usable(candidate.fields) and (
            best is None or len(candidate.fields) > len(best.fields)
        ):
            best = candidate
    if best is None:
        raise RosterError(
            _(
                "No header row found: the file needs at least a name column and an ID, phone or "
                "address column."
            )
        )
    return best


def read_header_row(row_index: int, row: Sequence[object], above: Sequence[object]) -> Header:
    columns: dict[int, str] = {}
    labels: list[str] = []
    group = ""
    for column in range(max(len(row), len(above))):
        own = cell_text(row, column)
        up = cell_text(above, column)
        group = up or group  # a label merged across columns is carried to the right
        if not own:
            options = [up]
        elif group and group != own:
            options = [group + own, own]
        else:
            options = [own]
        label = own or up
        for option in options:
            field = field_for(option)
            if field is not None:
                label = option
                if field not in columns.values():
                    columns[column] = field
                break
        labels.append(label)
    return Header(row_index=row_index, columns=columns, labels=tuple(labels))


def cell_text(row: Sequence[object], column: int) -> str:
    if column >= len(row) or row[column] is None:
        return ""
    return str(row[column]).strip()


def is_usable(fields: frozenset[str]) -> bool:
    return REQUIRED_FIELD in fields and not fields.isdisjoint(IDENTIFYING_FIELDS)


def shape_key(labels: Sequence[object]) -> str:
    """A stable key for files with the same header texts, to remember a corrected mapping.

    Decoration that `normalise_header` drops and trailing empty columns do not change the key.
    """
    texts = [normalise_header(label) for label in labels]
    while texts and not texts[-1]:
        texts.pop()
    return sha256("\x1f".join(texts).encode()).hexdigest()[:32]


def apply_mapping(header: Header, overrides: Mapping[int, str | None]) -> Header:
    """The header with the user's corrections: column -> field, or None to ignore the column.

    A field given to a column is taken away from the column that had it before.
    """
    columns = dict(header.columns)
    assigned: dict[str, int] = {}
    for column, field in overrides.items():
        if not 0 <= column < len(header.labels):
            raise RosterError(
                _("The mapping names column %(column)d, which the file does not have.")
                % {"column": column + 1}
            )
        if field is None:
            columns.pop(column, None)
            continue
        if field not in FIELD_LABELS:
            raise RosterError(_("Unknown field in the mapping: %(field)s.") % {"field": field})
        if field in assigned:
            raise RosterError(
                _("Two columns are mapped to “%(field)s”; choose one.")
                % {"field": FIELD_LABELS[field]}
            )
        assigned[field] = column
    for field, column in assigned.items():
        columns = {index: name for index, name in columns.items() if name != field}
        columns[column] = field
    mapped = Header(
        row_index=header.row_index, columns=dict(sorted(columns.items())), labels=header.labels
    )
    if not is_usable(mapped.fields):
        raise RosterError(
            _("Map a column to the name and at least one column to the ID, phone or address.")
        )
    return mapped
