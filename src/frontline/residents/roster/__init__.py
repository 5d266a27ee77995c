"""Roster files (花名册): read .xlsx/.xls/.ods/.csv uploads into rows of resident fields.

Pure parsing and normalisation, no database: `parse_roster` gives a `Roster` whose rows the
import service matches, validates with `clean_resident_fields` and writes.
"""

from frontline.residents.roster.errors import CellError, RosterError
from frontline.residents.roster.headers import (
    FIELD_LABELS,
    FIELDS,
    Header,
    apply_mapping,
    find_header,
    shape_key,
)
from frontline.residents.roster.parsing import Roster, RosterRow, parse_roster
from frontline.residents.roster.reading import MAX_UPLOAD_BYTES, check_size, read_cells

__all__ = [
    "FIELDS",
    "FIELD_LABELS",
    "MAX_UPLOAD_BYTES",
    "CellError",
    "Header",
    "Roster",
    "RosterError",
    "RosterRow",
    "apply_mapping",
    "check_size",
    "find_header",
    "parse_roster",
    "read_cells",
    "shape_key",
]
