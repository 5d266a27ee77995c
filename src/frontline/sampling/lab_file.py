"""Read a laboratory's result file (.xlsx, .xls, .ods or .csv) into result lines.

The header row is found among the first rows (labs put a title above it); columns are known by
their Chinese or English names. Every data row becomes a `ResultLine` with its spreadsheet row
number, even a bad one: the service reports it rather than this reader dropping it.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _

from frontline.residents.roster.errors import RosterError
from frontline.residents.roster.normalise import is_blank, number_text
from frontline.residents.roster.reading import check_size, read_cells
from frontline.sampling.services import ResultLine

HEADER_ROWS = 10
COLUMNS = {
    "barcode": (
        "试管条码",
        "试管编码",
        "条码",
        "管码",
        "采样管条码",
        "barcode",
        "tube",
        "tube barcode",
    ),
    "result": ("结果", "检测结果", "result"),
    "time": ("时间", "检测时间", "报告时间", "结果时间", "time", "reported at", "reported"),
    "lab": ("检测机构", "实验室", "检测实验室", "lab", "laboratory"),
}
EXCEL_EPOCH = dt.datetime(1899, 12, 30)  # noqa: DTZ001 - serials count local days


def _label(value: object) -> str:
    return "".join(str(value).split()).lower() if value is not None else ""


def _header(cells: list[list[object]]) -> tuple[int, dict[str, int]]:
    wanted = {field: {_label(name) for name in names} for field, names in COLUMNS.items()}
    for index, row in enumerate(cells[:HEADER_ROWS]):
        found = {}
        for column, value in enumerate(row):
            label = _label(value)
            for field, names in wanted.items():
                if label in names and field not in found:
                    found[field] = column
        if {"barcode", "result"} <= found.keys():
            return index, found
    raise RosterError(_("No header row with a tube barcode column and a result column was found."))


def _text(value: object) -> str:
    if isinstance(value, float):
        return number_text(value)
    return "" if value is None else str(value).strip()


def _time(value: object) -> dt.datetime | None:
    if isinstance(value, dt.datetime):
        moment = value
    elif isinstance(value, dt.date):
        moment = dt.datetime.combine(value, dt.time())
    elif isinstance(value, int | float) and not isinstance(value, bool):
        moment = EXCEL_EPOCH + dt.timedelta(days=float(value))
    else:
        text = _text(value).replace("/", "-").replace("T", " ")
        try:
            moment = dt.datetime.fromisoformat(text)
        except ValueError:
            return None
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment)


def read_lab_file(data: bytes, filename: str, *, default_lab: str = "") -> list[ResultLine]:
    """The result lines of a lab file; RosterError when the file cannot be read at all."""
    check_size(len(data))
    cells = read_cells(data, filename)
    start, columns = _header(cells)

    def cell(row: list[object], field: str) -> object:
        column = columns.get(field)
        return row[column] if column is not None and column < len(row) else None

    lines = []
    for index, row in enumerate(cells[start + 1 :], start=start + 2):
        if all(is_blank(value) for value in row):
            continue
        lab = _text(cell(row, "lab")) or default_lab
        lines.append(
            ResultLine(
                line=index,
                barcode=_text(cell(row, "barcode")),
                result=_text(cell(row, "result")),
                reported_at=_time(cell(row, "time")) if "time" in columns else timezone.now(),
                lab=lab,
            )
        )
    return lines
