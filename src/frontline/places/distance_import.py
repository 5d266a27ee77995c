"""Import a community's walking distances from an .xlsx/.csv matrix: all or nothing, every bad
cell reported by its spreadsheet reference (B3).

The first non-empty row lists building numbers from its second cell on ("3", "3号楼", 3.0), the
first column lists them down from the next row; the cell where row building R meets column
building C holds the metres walked from R to C (which may differ from C to R: uphill, one-way
gates). An empty cell means "not measured": routes estimate that pair from the site plan.
The buildings need not be all the community's, nor in any order, but the rows and the columns
must name the same ones. Read with the roster reader (python-calamine; CSV in UTF-8 or GBK).

An import replaces the community's whole matrix in one transaction; `check_only` validates
without writing.
"""

from __future__ import annotations

import math
import unicodedata
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _

from frontline.accounts.access import Permission, require
from frontline.accounts.models import User
from frontline.core.audit import audit_record
from frontline.core.models import AuditAction
from frontline.places.models import Building, Community, WalkingDistance
from frontline.residents.roster.errors import CellError, RosterError
from frontline.residents.roster.normalise import clean_place_part, is_blank
from frontline.residents.roster.reading import has_content, read_cells

MAX_METRES = 50_000  # further than any walk inside one community: a wrong unit (km, cm) or typo
UNIT_SUFFIXES = ("米", "m")


@dataclass
class CellProblem:
    cell: str  # the spreadsheet reference the user sees: B3
    reasons: list[str]


@dataclass
class DistanceImport:
    buildings: int = 0  # named in the file
    pairs: int = 0  # cells with metres
    written: int = 0
    problems: list[CellProblem] = field(default_factory=list)
    file_error: str = ""

    @property
    def ok(self) -> bool:
        return not self.file_error and not self.problems


def cell_name(row: int, column: int) -> str:
    """0-based indexes as a spreadsheet names the cell: (2, 1) -> "B3", (0, 27) -> "AB1"."""
    letters = ""
    column += 1
    while column:
        column, remainder = divmod(column - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return f"{letters}{row + 1}"


def read_metres(value: object) -> int:
    """A cell's metres, rounded to a whole metre, or CellError."""
    number: float
    if isinstance(value, bool):
        raise CellError(_("Enter the metres as a number."))
    if isinstance(value, int | float):
        number = float(value)
    else:
        text = unicodedata.normalize("NFKC", str(value)).strip().replace(",", "")
        text = text.removesuffix(next((s for s in UNIT_SUFFIXES if text.endswith(s)), "")).strip()
        try:
            number = float(text)
        except ValueError:
            raise CellError(
                _("Enter the metres as a number, not “%(value)s”.") % {"value": value}
            ) from None
    if not math.isfinite(number) or number < 0:
        raise CellError(_("Enter the metres as a number of 0 or more."))
    if number > MAX_METRES:
        raise CellError(
            _("%(metres)s m is further than %(limit)s m: check that the unit is metres.")
            % {"metres": f"{number:g}", "limit": MAX_METRES}
        )
    return round(number)


def _labels(
    labels: list[tuple[int, str, object]], known: dict[str, Building], problems: list[CellProblem]
) -> dict[int, Building]:
    """The building of each row (or column) index from its label cell: (index, cell name,
    value) each. Unknown numbers and a building's second label become problems."""
    found: dict[int, Building] = {}
    for index, cell, value in labels:
        try:
            number = clean_place_part(value, "building")
        except CellError as error:
            problems.append(CellProblem(cell, [str(error)]))
            continue
        building = known.get(number)
        if building is None:
            message = _("There is no building %(number)s in this community.")
            problems.append(CellProblem(cell, [message % {"number": number}]))
        elif building in found.values():
            message = _("Building %(number)s is listed twice.")
            problems.append(CellProblem(cell, [message % {"number": number}]))
        else:
            found[index] = building
    return found


def parse_matrix(
    cells: list[list[object]], known: dict[str, Building]
) -> tuple[dict[tuple[int, int], int], DistanceImport]:
    """The metres per (origin id, destination id) of a matrix's cells, and the import's counts
    and problems (no database here: `known` maps the community's building numbers)."""
    result = DistanceImport()
    top = next((index for index, row in enumerate(cells) if any(map(has_content, row))), 0)
    column_labels = [
        (column, cell_name(top, column), value)
        for column, value in enumerate(cells[top] if cells else [])
        if column > 0 and not is_blank(value)
    ]
    row_labels = [
        (row, cell_name(row, 0), cells[row][0])
        for row in range(top + 1, len(cells))
        if cells[row] and not is_blank(cells[row][0])
    ]
    if not column_labels or not row_labels:
        result.file_error = _(
            "The file needs building numbers along its first row (from the second cell on) and "
            "down its first column, with the metres where they meet."
        )
        return {}, result
    problems = result.problems
    columns = _labels(column_labels, known, problems)
    rows = _labels(row_labels, known, problems)
    for index, building in columns.items():
        if building not in rows.values():
            message = _("Building %(number)s has a column but no row.")
            problems.append(
                CellProblem(cell_name(top, index), [message % {"number": building.number}])
            )
    for index, building in rows.items():
        if building not in columns.values():
            message = _("Building %(number)s has a row but no column.")
            problems.append(
                CellProblem(cell_name(index, 0), [message % {"number": building.number}])
            )
    metres: dict[tuple[int, int], int] = {}
    for row_index, origin in rows.items():
        row = cells[row_index]
        for column_index, destination in columns.items():
            value = row[column_index] if column_index < len(row) else None
            if is_blank(value):
                continue
            cell = cell_name(row_index, column_index)
            try:
                distance = read_metres(value)
            except CellError as error:
                problems.append(CellProblem(cell, [str(error)]))
                continue
            if origin.pk != destination.pk:
                metres[origin.pk, destination.pk] = distance
            elif distance:
                message = _("From a building to itself is 0 m: leave the cell empty or enter 0.")
                problems.append(CellProblem(cell, [message]))
    problems.sort(key=lambda problem: _cell_order(problem.cell))
    result.buildings = len({*columns.values(), *rows.values()})
    result.pairs = len(metres)
    return metres, result


def _cell_order(name: str) -> tuple[int, int, str]:
    letters = name.rstrip("0123456789")
    return int(name[len(letters) :]), len(letters), letters


def walking_distances_import(
    *, actor: User, community: Community, filename: str, content: bytes, check_only: bool = False
) -> DistanceImport:
    """Replace the community's walking distances with the file's matrix, or write nothing and
    report every bad cell."""
    require(actor, Permission.EDIT_PLACES, community)
    try:
        cells = read_cells(content, filename)
    except RosterError as error:
        return DistanceImport(file_error=str(error))
    known = {building.number: building for building in community.buildings.all()}
    metres, result = parse_matrix(cells, known)
    if not result.ok or check_only:
        return result
    with transaction.atomic():
        WalkingDistance.objects.filter(community=community).delete()
        WalkingDistance.objects.bulk_create(
            WalkingDistance(community=community, origin_id=origin, destination_id=destination,
                            metres=distance)
            for (origin, destination), distance in metres.items()
        )  # fmt: skip
        audit_record(
            actor=actor, action=AuditAction.UPDATE, target=community, community_id=community.pk,
            fields=["walking_distances"],
            details={"buildings": result.buildings, "pairs": result.pairs, "file": filename[:100]},
        )  # fmt: skip
    result.written = result.pairs
    return result
