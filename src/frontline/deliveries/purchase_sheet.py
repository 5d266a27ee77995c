"""A group purchase's totals as a workbook for the supplier: per offer with the prices and the
grand total, then the units per building for the hand-out."""

from __future__ import annotations

import io

import xlsxwriter
from django.utils import timezone
from django.utils.translation import gettext as _

from frontline.deliveries.models import GroupPurchase
from frontline.deliveries.selectors import PurchaseTotals

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def totals_xlsx(purchase: GroupPurchase, totals: PurchaseTotals) -> bytes:
    output = io.BytesIO()
    book = xlsxwriter.Workbook(output, {"in_memory": True})
    sheet = book.add_worksheet(_("Totals")[:31])
    bold = book.add_format({"bold": True})
    money = book.add_format({"num_format": "0.00"})
    money_bold = book.add_format({"num_format": "0.00", "bold": True})
    sheet.write(0, 0, f"{purchase.title} · {purchase.community.name}", bold)
    sheet.write(1, 0, _("Supplier: %(supplier)s %(contact)s")
                % {"supplier": purchase.supplier, "contact": purchase.supplier_contact})  # fmt: skip
    sheet.write(2, 0, _("Generated %(time)s") % {"time": f"{timezone.localtime():%Y-%m-%d %H:%M}"})
    sheet.write_row(
        4, 0,
        [_("Item"), _("Unit"), _("Price (yuan)"), _("Units"), _("Households"), _("Amount (yuan)")],
        bold,
    )  # fmt: skip
    line = 5
    for row in totals.offers:
        item = row.offer.item
        sheet.write_row(line, 0, [item.name, item.unit])
        sheet.write_number(line, 2, float(row.offer.unit_price), money)
        sheet.write_row(line, 3, [row.units, row.households])
        sheet.write_number(line, 5, float(row.amount), money)
        line += 1
    sheet.write(line, 0, _("Total"), bold)
    sheet.write(line, 4, totals.households, bold)
    sheet.write_number(line, 5, float(totals.amount), money_bold)
    line += 2
    sheet.write_row(
        line, 0,
        [_("Building"), _("Households"), *(row.offer.item.name for row in totals.offers),
         _("Amount (yuan)")],
        bold,
    )  # fmt: skip
    for building in totals.buildings:
        line += 1
        sheet.write_row(line, 0, [building.building.number, building.households, *building.units])
        sheet.write_number(line, 2 + len(building.units), float(building.amount), money)
    sheet.set_column(0, 0, 18)
    sheet.set_column(1, 2 + len(totals.offers), 12)
    book.close()
    return output.getvalue()
