"""The round report for the sub-district: per building, expected, sampled and exempt people,
tubes and positive tubes; a page and an .xlsx with a fixed layout. Counts only, never a name.

Workbook layout (labels in the downloader's language; positions never change):

- One worksheet, "Round report". A1: the round's name and community; A2: the sampling window;
  A3: when the file was made. Row 4: the header, columns A to I. Rows 5 on: one row per building
  in grid and building order. The row after: "Total" and the column sums (coverage of the total
  row is total sampled / total expected).

| column | header | meaning |
|---|---|---|
| A | Grid | the building's grid |
| B | Building | building number |
| C | Expected | present residents of the round's scope, less those exempt |
| D | Sampled | people with a sample in the round |
| E | Exempt | in hospital, away from the city, already positive |
| F | Not yet sampled | C - D, never below 0 |
| G | Coverage | D / C as a fraction shown as a percentage; empty when C is 0 |
| H | Tubes | tubes holding at least one person of the building |
| I | Positive tubes | of those, tubes with a positive result |
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import xlsxwriter
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from frontline.sampling.coverage import BuildingProgress, by_building
from frontline.sampling.models import Round, Sample, TubeResult

HEADERS = (
    "Grid", "Building", "Expected", "Sampled", "Exempt", "Not yet sampled", "Coverage", "Tubes",
    "Positive tubes",
)  # fmt: skip


@dataclass(frozen=True)
class ReportRow:
    progress: BuildingProgress
    tubes: int
    positive_tubes: int


@dataclass(frozen=True)
class RoundReport:
    round: Round
    rows: list[ReportRow]

    def total(self, field: str) -> int:
        if field in ("tubes", "positive_tubes"):
            return sum(getattr(row, field) for row in self.rows)
        return sum(getattr(row.progress, field) for row in self.rows)

    @property
    def coverage(self) -> float | None:
        expected = self.total("expected")
        return self.total("sampled") / expected if expected else None

    @property
    def coverage_percent(self) -> float | None:
        return None if self.coverage is None else round(self.coverage * 100, 1)


def round_report(round: Round) -> RoundReport:
    """Four grouped queries whatever the size of the round."""
    tubes = {
        row["building"]: (row["tubes"], row["positive"])
        for row in Sample.objects.filter(round=round)
        .values("building")
        .annotate(
            tubes=Count("tube", distinct=True),
            positive=Count("tube", filter=Q(tube__result=TubeResult.POSITIVE), distinct=True),
        )
        .order_by()
    }
    rows = [
        ReportRow(progress, *tubes.get(progress.building.pk, (0, 0)))
        for progress in by_building(round)
    ]
    return RoundReport(round, rows)


def _headers() -> list[str]:
    words = {
        "Grid": _("Grid"), "Building": _("Building"), "Expected": _("Expected"),
        "Sampled": _("Sampled"), "Exempt": _("Exempt"), "Not yet sampled": _("Not yet sampled"),
        "Coverage": _("Coverage"), "Tubes": _("Tubes"), "Positive tubes": _("Positive tubes"),
    }  # fmt: skip
    return [words[header] for header in HEADERS]


def report_xlsx(report: RoundReport) -> bytes:
    output = io.BytesIO()
    book = xlsxwriter.Workbook(output, {"in_memory": True})
    sheet = book.add_worksheet(_("Round report")[:31])
    bold = book.add_format({"bold": True})
    percent = book.add_format({"num_format": "0.0%"})
    round = report.round
    sheet.write(0, 0, f"{round.name} · {round.community.name}", bold)
    window = f"{timezone.localtime(round.starts_at):%Y-%m-%d %H:%M} – {timezone.localtime(round.ends_at):%H:%M}"
    sheet.write(1, 0, window)
    sheet.write(2, 0, _("Generated %(time)s") % {"time": f"{timezone.localtime():%Y-%m-%d %H:%M}"})
    sheet.write_row(3, 0, _headers(), bold)
    line = 4
    for row in report.rows:
        progress = row.progress
        grid = progress.building.grid.name if progress.building.grid else ""
        sheet.write_row(
            line, 0,
            [grid, progress.building.number, progress.expected, progress.sampled, progress.exempt,
             progress.missing],
        )  # fmt: skip
        if progress.expected:
            sheet.write_number(line, 6, progress.sampled / progress.expected, percent)
        sheet.write_row(line, 7, [row.tubes, row.positive_tubes])
        line += 1
    sheet.write(line, 0, _("Total"), bold)
    sheet.write_row(
        line, 2,
        [report.total("expected"), report.total("sampled"), report.total("exempt"),
         report.total("missing")],
        bold,
    )  # fmt: skip
    if report.coverage is not None:
        sheet.write_number(line, 6, report.coverage, percent)
    sheet.write_row(line, 7, [report.total("tubes"), report.total("positive_tubes")], bold)
    sheet.set_column(0, 0, 14)
    sheet.set_column(1, 8, 12)
    book.close()
    return output.getvalue()
