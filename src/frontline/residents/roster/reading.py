"""Read the cells of an uploaded roster: the first visible sheet of a workbook, or a CSV file.

Cells keep their spreadsheet positions (row 0 is spreadsheet row 1, even when the first rows are
empty) so errors can name the row the user sees. Workbook cells come from python-calamine as str
(empty cells are ""), float (every number in .xlsx and .ods), int, bool, date, datetime, time or
timedelta; CSV cells are always str. Every cell of a merged range holds the range's value.

An import reads its file several times (upload, preview, a corrected mapping, confirm), so the
cells of the last file read are kept for a few minutes, by the file's digest: callers must treat
the cells they get as read-only.
"""

from __future__ import annotations

import csv
import hashlib
import io
import time
from collections import Counter
from collections.abc import Iterable
from pathlib import PurePath
from typing import cast

from django.utils.translation import gettext_lazy as _
from python_calamine import (
    CalamineWorkbook,
    PasswordError,
    SheetTypeEnum,
    SheetVisibleEnum,
)

from frontline.residents.roster.errors import RosterError

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
MEGABYTE = 1024 * 1024
WORKBOOK_EXTENSIONS = frozenset({".xlsx", ".xlsm", ".xls", ".ods"})
DELIMITED_EXTENSIONS = frozenset({".csv"})
ACCEPTED_EXTENSIONS = WORKBOOK_EXTENSIONS | DELIMITED_EXTENSIONS
# A workbook renamed to .csv (it happens) is still read as a workbook.
WORKBOOK_SIGNATURES = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")
DELIMITERS = (",", "\t", ";")
SNIFF_LINES = 50

Cells = list[list[object]]
MergedRange = tuple[tuple[int, int], tuple[int, int]]


def check_size(size: int) -> None:
    """Reject an upload over the limit; call it with the upload's size before reading it."""
    if size > MAX_UPLOAD_BYTES:
        raise RosterError(
            _(
                "The file is %(size).1f MB; the limit is %(limit)d MB. Split it into smaller "
                "files (for example one per building) and import them one by one."
            )
            % {"size": size / MEGABYTE, "limit": MAX_UPLOAD_BYTES // MEGABYTE}
        )


def read_cells(data: bytes, filename: str) -> Cells:
    """Return the rows of cells of the file, or raise RosterError with the reason. The cells may
    be shared with the next caller reading the same file."""
    check_size(len(data))
    extension = PurePath(filename).suffix.lower()
    if extension not in ACCEPTED_EXTENSIONS:
        raise RosterError(
            _("Files of type “%(extension)s” cannot be imported. Use .xlsx, .xls, .ods or .csv.")
            % {"extension": extension or filename}
        )
    if not data:
        raise_empty()
    key = (hashlib.sha256(data).hexdigest(), extension)
    kept = _last_read.get(key)
    if kept is not None and time.monotonic() - kept[0] < KEEP_SECONDS:
        cells = kept[1]
    else:
        _last_read.clear()
        if extension in WORKBOOK_EXTENSIONS or data.startswith(WORKBOOK_SIGNATURES):
            cells = read_workbook(data)
        else:
            cells = read_delimited(data)
        if not any(has_content(cell) for row in cells for cell in row):
            raise_empty()
        _last_read[key] = (time.monotonic(), cells)
    return cells


KEEP_SECONDS = 600.0
# The last file read: (digest, extension) -> (when, cells). One entry, so memory stays bounded.
_last_read: dict[tuple[str, str], tuple[float, Cells]] = {}


def forget_last_read() -> None:
    """Drop the kept cells, so the next read reads the file."""
    _last_read.clear()


def raise_empty() -> None:
    raise RosterError(_("The file is empty."))


def has_content(cell: object) -> bool:
    return not (cell is None or (isinstance(cell, str) and not cell.strip()))


def read_workbook(data: bytes) -> Cells:
    try:
        with CalamineWorkbook.from_filelike(io.BytesIO(data)) as book:
            if not book.sheet_names:
                raise_empty()
            sheet = book.get_sheet_by_index(first_visible_sheet(book))
            cells = cast(Cells, sheet.to_python(skip_empty_area=False))
            spread_merged_values(cells, sheet.merged_cell_ranges or ())
            return cells
    except RosterError:
        raise
    except PasswordError as error:
        raise RosterError(
            _("The file is protected by a password. Remove the password, save it and upload again.")
        ) from error
    except Exception as error:  # calamine raises several types for damaged files
        raise RosterError(
            _(
                "The file could not be read as a spreadsheet: it may be damaged or of another "
                "type. Open it in Excel or WPS, save it as .xlsx and upload that."
            )
        ) from error


def first_visible_sheet(book: CalamineWorkbook) -> int:
    """The first visible worksheet (hidden sheets often hold drop-down lists), else the first."""
    for index, sheet in enumerate(book.sheets_metadata):
        if sheet.visible == SheetVisibleEnum.Visible and sheet.typ == SheetTypeEnum.WorkSheet:
            return index
    return 0


def spread_merged_values(cells: Cells, ranges: Iterable[MergedRange]) -> None:
    """Give every cell of a merged range the range's value, as the user sees it.

    One household's address merged down over its members' rows then reaches each member.
    Calamine reports merged ranges for .xlsx and .xls only; in .ods the covered cells stay "".
    """
    for (first_row, first_column), (last_row, last_column) in ranges:
        if first_row >= len(cells) or first_column >= len(cells[first_row]):
            continue
        value = cells[first_row][first_column]
        for row in cells[first_row : last_row + 1]:
            for column in range(first_column, min(last_column + 1, len(row))):
                row[column] = value


def read_delimited(data: bytes) -> Cells:
    text = decode_text(data)
    delimiter = sniff_delimiter(text)
    try:
        return cast(Cells, list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)))
    except csv.Error as error:
        raise RosterError(
            _("The file could not be read as CSV: %(reason)s.") % {"reason": str(error)}
        ) from error


def decode_text(data: bytes) -> str:
    """UTF-8 (with or without BOM), UTF-16 with BOM (Excel's "Unicode text"), else GB18030.

    GB18030 is a superset of GBK and GB2312, the encodings of CSV saved by Excel and WPS on a
    Chinese Windows.
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        encodings: tuple[str, ...] = ("utf-16",)
    else:
        encodings = ("utf-8-sig", "gb18030")
    for encoding in encodings:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise RosterError(
        _("The text of the file could not be decoded. Save it as CSV UTF-8 and upload again.")
    )


def sniff_delimiter(text: str) -> str:
    """The delimiter that splits the most of the first lines into the same number of cells.

    Title rows and notes have another width; a comma inside a quoted address does not count.
    """
    sample = text[: 64 * 1024].splitlines()[:SNIFF_LINES]
    best, best_score = DELIMITERS[0], 0
    for delimiter in DELIMITERS:
        try:
            widths = Counter(len(row) for row in csv.reader(sample, delimiter=delimiter))
        except csv.Error:
            continue
        score = max((count for width, count in widths.items() if width > 1), default=0)
        if score > best_score:
            best, best_score = delimiter, score
    return best
