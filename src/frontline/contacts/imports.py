"""Import a case's contacts from a spreadsheet or CSV: check every row first, write all or nothing.

Columns (Chinese or English headers, any order; the header may sit under title rows):
name 姓名, phone 手机, date 日期, and optionally time 时间, where 地点, type 类型, notes 备注 and
via 经由手机 (the phone of the person, already in the chain or on an earlier row, whose contact
this is; empty means the index person). A row whose name and phone match a resident the user
may record for becomes a link to that resident; any other row records an outside person.

`contacts_check` runs every row through `services.link_record` inside a transaction it rolls
back, so the preview reports exactly what the real write would refuse (bad fields, self-links,
duplicates); `contacts_commit` repeats the same rows in one transaction and keeps nothing if any
row fails.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import asdict, dataclass, field
from typing import Any

from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from frontline.accounts.access import Permission, require, scoped
from frontline.accounts.models import User
from frontline.contacts.models import Case, ContactLink, LinkType, OutsidePerson
from frontline.contacts.services import link_record
from frontline.core.phones import normalise_mobile
from frontline.residents.models import Resident
from frontline.residents.roster.errors import CellError, RosterError
from frontline.residents.roster.normalise import parse_date, phone_text, text_value
from frontline.residents.roster.reading import has_content, read_cells

MAX_ROWS = 5000
SIGNING_SALT = "frontline.contacts.import"
SIGNED_MAX_AGE = 3600  # seconds a checked file may wait for confirmation

HEADERS = {
    "name": {"姓名", "接触者", "接触者姓名", "name", "contact", "contactname"},
    "phone": {"手机", "手机号", "手机号码", "电话", "联系电话", "phone", "mobile"},
    "met_on": {"日期", "接触日期", "date", "meton"},
    "met_at": {"时间", "接触时间", "time", "metat"},
    "place": {"地点", "接触地点", "where", "place"},
    "link_type": {"类型", "接触类型", "接触方式", "type", "linktype"},
    "notes": {"备注", "notes", "note"},
    "via": {"经由手机", "来源手机", "上级接触者手机", "via", "viaphone"},
}
TYPE_SYNONYMS = {
    "household": LinkType.HOUSEHOLD, "家庭": LinkType.HOUSEHOLD, "同住": LinkType.HOUSEHOLD,
    "共同居住": LinkType.HOUSEHOLD, "家人": LinkType.HOUSEHOLD,
    "workplace": LinkType.WORKPLACE, "工作": LinkType.WORKPLACE, "同事": LinkType.WORKPLACE,
    "单位": LinkType.WORKPLACE,
    "same_building": LinkType.SAME_BUILDING, "samebuilding": LinkType.SAME_BUILDING,
    "同楼": LinkType.SAME_BUILDING, "同楼栋": LinkType.SAME_BUILDING,
    "transport": LinkType.TRANSPORT, "交通": LinkType.TRANSPORT, "同乘": LinkType.TRANSPORT,
    "公交": LinkType.TRANSPORT,
    "other": LinkType.OTHER, "其他": LinkType.OTHER, "": LinkType.OTHER,
}  # fmt: skip


@dataclass
class ContactRow:
    row: int  # the spreadsheet row number the user sees
    name: str = ""
    phone: str = ""
    met_on: str = ""  # ISO date
    met_at: str = ""  # HH:MM
    place: str = ""
    link_type: str = ""
    notes: str = ""
    via: str = ""
    errors: list[str] = field(default_factory=list)


@dataclass
class ContactCheck:
    rows: list[ContactRow]
    problem: str = ""  # the whole file could not be read

    @property
    def ok(self) -> bool:
        return not self.problem and bool(self.rows) and not any(r.errors for r in self.rows)

    @property
    def bad_rows(self) -> int:
        return sum(1 for r in self.rows if r.errors)

    def signed(self) -> str:
        """The checked rows, signed, for the confirmation form (no re-upload, no tampering)."""
        return signing.dumps(
            [asdict(r) | {"errors": []} for r in self.rows], salt=SIGNING_SALT, compress=True
        )


def _fold(label: object) -> str:
    text = unicodedata.normalize("NFKC", text_value(label)).lower()
    return "".join(ch for ch in text if ch.isalnum())


def parse_contacts(data: bytes, filename: str) -> ContactCheck:
    """Cells to rows with their cell errors; touches no database."""
    try:
        cells = read_cells(data, filename)
    except RosterError as error:
        return ContactCheck(rows=[], problem=str(error))
    lookup = {_fold(label): name for name, labels in HEADERS.items() for label in labels}
    header_at, columns = -1, {}
    for position, row in enumerate(cells[:20]):
        found = {lookup[_fold(c)]: i for i, c in enumerate(row) if _fold(c) in lookup}
        if {"name", "phone", "met_on"} <= set(found):
            header_at, columns = position, found
            break
    if header_at < 0:
        return ContactCheck(
            rows=[], problem=_("No header row with name (姓名), phone (手机) and date (日期).")
        )
    rows: list[ContactRow] = []
    for position, cells_row in enumerate(cells[header_at + 1 :], start=header_at + 2):
        if not any(has_content(c) for c in cells_row):
            continue
        if len(rows) >= MAX_ROWS:
            return ContactCheck(
                rows=[], problem=_("At most %(n)d rows per file.") % {"n": MAX_ROWS}
            )

        def cell(name: str, row: list[object] = cells_row) -> object:
            column = columns.get(name)
            return row[column] if column is not None and column < len(row) else ""

        parsed = ContactRow(row=position)
        parsed.name = text_value(cell("name"))
        parsed.place = text_value(cell("place"))
        parsed.notes = text_value(cell("notes"))
        try:
            parsed.phone = phone_text(cell("phone"))
        except CellError as error:
            parsed.errors.append(str(error))
        try:
            parsed.via = phone_text(cell("via")) if has_content(cell("via")) else ""
        except CellError as error:
            parsed.errors.append(str(error))
        try:
            parsed.met_on = (
                parse_date(cell("met_on")).isoformat() if has_content(cell("met_on")) else ""
            )
        except CellError as error:
            parsed.errors.append(str(error))
        parsed.met_at = _time_text(cell("met_at"), parsed)
        kind = TYPE_SYNONYMS.get(_fold(cell("link_type")).replace("_", ""))
        if kind is None:
            kind = TYPE_SYNONYMS.get(text_value(cell("link_type")).strip().lower())
        if kind is None:
            parsed.errors.append(
                _("Unknown contact type “%(value)s”.") % {"value": text_value(cell("link_type"))}
            )
        else:
            parsed.link_type = kind
        rows.append(parsed)
    return ContactCheck(rows=rows)


def _time_text(value: object, parsed: ContactRow) -> str:
    if not has_content(value):
        return ""
    if isinstance(value, dt.datetime):
        return value.strftime("%H:%M")
    if isinstance(value, dt.time):
        return value.strftime("%H:%M")
    if isinstance(value, float) and 0 <= value < 1:  # an Excel time of day
        minutes = round(value * 24 * 60)
        return f"{minutes // 60:02d}:{minutes % 60:02d}"
    text = unicodedata.normalize("NFKC", text_value(value)).replace("：", ":")
    try:
        return dt.time.fromisoformat(text if len(text) > 4 else f"0{text}").strftime("%H:%M")
    except ValueError:
        parsed.errors.append(_("Enter a time such as 18:30."))
        return ""


def _resident_for(actor: User, row: ContactRow) -> Resident | None:
    """The resident in the actor's reach with this name and phone, if any."""
    try:
        phone = normalise_mobile(row.phone)
    except ValidationError:
        return None
    return (
        Resident.objects.filter(scoped(actor, Permission.RECORD_HEALTH, Resident))
        .filter(phone_tail=phone[-4:], phone=phone, name=row.name)
        .order_by("pk")
        .first()
    )


def _source_for(case: Case, via: str) -> str:
    """The person key of the chain member with phone `via`; '' when none (reported by the
    service as a bad source)."""
    if not via:
        return case.person_key
    try:
        phone = normalise_mobile(via)
    except ValidationError:
        return "?"
    index = case.index_person
    if index.phone == phone:
        return case.person_key
    links = ContactLink.objects.filter(case=case)
    for side in ("a", "b"):
        found = links.filter(**{f"{side}_resident__phone": phone}).values_list(
            f"{side}_resident_id", flat=True
        )[:1]
        if found:
            return f"r{found[0]}"
    outside = OutsidePerson.objects.filter(community_id=case.community_id, phone=phone).filter(
        Q(pk__in=links.values("a_outside_id")) | Q(pk__in=links.values("b_outside_id"))
    )
    first = outside.values_list("pk", flat=True).first()
    return f"o{first}" if first else "?"


def _write(actor: User, case: Case, rows: list[ContactRow]) -> list[ContactRow]:
    """Record every row in order (a savepoint each); rows gather their errors."""
    for row in rows:
        if row.errors:
            continue
        resident = _resident_for(actor, row)
        try:
            link_record(
                actor=actor, case=case, source=_source_for(case, row.via),
                contact_resident=resident,
                contact_name="" if resident else row.name,
                contact_phone="" if resident else row.phone,
                met_on=dt.date.fromisoformat(row.met_on) if row.met_on else None,
                met_at=dt.time.fromisoformat(row.met_at) if row.met_at else None,
                place=row.place, link_type=row.link_type, notes=row.notes,
            )  # fmt: skip
        except ValidationError as error:
            messages = error.message_dict if hasattr(error, "error_dict") else {"": error.messages}
            row.errors.extend(m for values in messages.values() for m in values)
    return rows


def contacts_check(*, actor: User, case: Case, data: bytes, filename: str) -> ContactCheck:
    """Parse and try every row, then undo: the preview of what a commit would do."""
    require(actor, Permission.RECORD_HEALTH, case)
    check = parse_contacts(data, filename)
    if check.problem:
        return check
    with transaction.atomic():
        _write(actor, case, check.rows)
        transaction.set_rollback(True)
    return check


def contacts_commit(*, actor: User, case: Case, signed: str) -> ContactCheck:
    """Write the confirmed rows, all or nothing; a row that fails now (someone recorded the same
    link meanwhile) undoes the whole file and is reported."""
    require(actor, Permission.RECORD_HEALTH, case)
    try:
        raw: list[dict[str, Any]] = signing.loads(signed, salt=SIGNING_SALT, max_age=SIGNED_MAX_AGE)
    except signing.BadSignature:
        return ContactCheck(rows=[], problem=_("The checked file has expired; upload it again."))
    rows = [ContactRow(**item) for item in raw]
    with transaction.atomic():
        _write(actor, case, rows)
        check = ContactCheck(rows=rows)
        if not check.ok:
            transaction.set_rollback(True)
    return check
