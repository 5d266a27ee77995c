"""Parse an uploaded roster into rows of resident fields, every cell error kept with its row.

No database here: the import service matches the rows to residents and households, validates
them with `clean_resident_fields` and writes them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from typing import NamedTuple

from frontline.residents.roster.errors import CellError
from frontline.residents.roster.headers import (
    Header,
    apply_mapping,
    field_for,
    find_header,
    shape_key,
)
from frontline.residents.roster.normalise import (
    DEFAULT_UNIT,
    PLACEHOLDER_SPELLINGS,
    clean_place_part,
    document_text,
    document_type_value,
    is_blank,
    parse_date,
    phone_text,
    residence_value,
    sex_value,
    split_address,
    split_unit_and_room,
    status_value,
    tags_value,
    text_value,
)
from frontline.residents.roster.reading import read_cells

PLACE_FIELDS = ("building", "unit", "room")

CONVERTERS: dict[str, Callable[[object], object]] = {
    "name": text_value,
    "document_type": document_type_value,
    "document_number": document_text,
    "phone": phone_text,
    "building": partial(clean_place_part, part="building"),
    "unit": partial(clean_place_part, part="unit"),
    "room": partial(clean_place_part, part="room"),
    "sex": sex_value,
    "birth_date": parse_date,
    "residence_type": residence_value,
    "status": status_value,
    "tags": tags_value,
    "emergency_contact_name": text_value,
    "emergency_contact_phone": phone_text,
    "notes": text_value,
}
# Columns whose few values repeat down the file (a building has a hundred people, everyone is
# 男 or 女): each distinct cell is converted once per file. Names, IDs and phones are nearly all
# different, so remembering them would only cost.
REPEATING = frozenset(
    {"document_type", "building", "unit", "room", "sex", "birth_date", "residence_type", "status"}
)


class RosterRow(NamedTuple):
    """One person's row.

    line: the 1-based row number the user sees in the spreadsheet.
    fields: only the cells the row fills (an empty cell, "/" or "无" leaves its field out, so it
        never overwrites a known value), in the shapes `clean_resident_fields` takes, plus
        building, unit and room; tags is a sorted list of stored tag values.
    errors: field -> translated message, for every cell that could not be read ("address"
        when the address column could not be split).
    """

    line: int
    fields: dict[str, object]
    errors: dict[str, str]


@dataclass(frozen=True)
class Roster:
    header: Header
    shape: str  # `shape_key` of the header texts, to remember the user's mapping
    rows: list[RosterRow]


def parse_roster(
    data: bytes, filename: str, overrides: Mapping[int, str | None] | None = None
) -> Roster:
    """Read, find the header, apply the user's mapping corrections and parse every row.

    Raises RosterError when the file as a whole cannot be used.
    """
    cells = read_cells(data, filename)
    header = find_header(cells)
    if overrides:
        header = apply_mapping(header, overrides)
    return Roster(
        header=header,
        shape=shape_key(header.labels),
        rows=parse_rows(cells, header),
    )


def parse_rows(cells: Sequence[Sequence[object]], header: Header) -> list[RosterRow]:
    """Rows below the header; a row with nothing in any mapped column (a pre-numbered empty
    template row, say) or a repeat of the header is skipped."""
    converters = [
        (column, name, remembered(CONVERTERS[name]) if name in REPEATING else CONVERTERS[name])
        for column, name in header.columns.items()
        if name != "address"
    ]
    address_column = next((c for c, name in header.columns.items() if name == "address"), None)
    place_columns = not header.fields.isdisjoint(PLACE_FIELDS)
    header_words = set(header.labels)  # includes "" for a row without a name
    rows: list[RosterRow] = []
    for index in range(header.row_index + 1, len(cells)):
        row = cells[index]
        width = len(row)
        fields: dict[str, object] = {}
        errors: dict[str, str] = {}
        for column, name, convert in converters:
            if column >= width:
                continue
            value = row[column]
            if type(value) is str:  # is_blank, inlined: this loop runs for every cell
                value = value.strip()
                if not value or value in PLACEHOLDER_SPELLINGS:
                    continue
            elif value is None:
                continue
            try:
                fields[name] = convert(value)
            except CellError as error:
                errors[name] = str(error)
        address = (
            row[address_column] if address_column is not None and address_column < width else None
        )
        has_address = not is_blank(address)
        if not (fields or errors or has_address):
            continue
        if fields.get("name", "") in header_words and repeats_header(row, header):
            continue
        if has_address and not place_columns:
            try:
                fields["building"], fields["unit"], fields["room"] = split_address(address)
            except CellError as error:
                errors["address"] = str(error)
        elif has_address or "room" in fields:
            fill_place(fields, errors, address if has_address else None)
        rows.append(RosterRow(line=index + 1, fields=fields, errors=errors))
    return rows


def remembered(convert: Callable[[object], object]) -> Callable[[object], object]:
    """`convert` with each distinct cell's result (or error) kept for the rest of the file."""
    results: dict[object, object] = {}

    def converted(value: object) -> object:
        # 1, 1.0 and True are equal keys; only text (the common case) goes in as itself.
        key = value if type(value) is str else (type(value), value)
        try:
            result = results[key]
        except KeyError:
            try:
                result = convert(value)
            except CellError as error:
                result = error
            results[key] = result
        if isinstance(result, CellError):
            raise CellError(result.message)
        return result

    return converted


def repeats_header(row: Sequence[object], header: Header) -> bool:
    """Every filled mapped cell is a header word: the header again, as some exports print it
    at the top of each page (or one row of a two-row header)."""
    filled = [row[c] for c in header.columns if c < len(row) and not is_blank(row[c])]
    return bool(filled) and all(field_for(value) is not None for value in filled)


def fill_place(fields: dict[str, object], errors: dict[str, str], address: object) -> None:
    """Complete building, unit and room: separate columns win over the address column; a room
    cell holding "2-401" gives the unit when no unit is given; a building without units is in
    unit "1"."""
    if address is None and ("unit" in fields or "unit" in errors):
        return  # the usual separate columns: nothing to complete (this runs for every row)
    given = [part for part in PLACE_FIELDS if part in fields or part in errors]
    if address is not None and len(given) < len(PLACE_FIELDS):
        try:
            parts = split_address(address)
        except CellError as error:
            errors["address"] = str(error)
        else:
            for part, value in zip(PLACE_FIELDS, parts, strict=True):
                if part not in given:
                    fields[part] = value
            return
    if "unit" not in given and "room" in fields:
        unit_and_room = split_unit_and_room(fields["room"])
        if unit_and_room is not None:
            fields["unit"], fields["room"] = unit_and_room
        elif "building" in fields:
            fields["unit"] = DEFAULT_UNIT
