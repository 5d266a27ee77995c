"""The daily check: list the active zones whose step-down or lift is due on a day (today by
default), with the checklist. Places and counts only; nothing changes here."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from frontline.zones.arithmetic import Action
from frontline.zones.selectors import all_zones_due, today


class Command(BaseCommand):
    help = "List the zones whose step-down or lift is due (today, or on --date)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", help="YYYY-MM-DD; today when omitted")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            on = dt.date.fromisoformat(options["date"]) if options["date"] else today()
        except ValueError as error:
            raise CommandError(_("--date must be YYYY-MM-DD.")) from error
        found = all_zones_due(on=on)
        for due in found:
            zone, review = due.zone, due.review
            action = _("lift") if review.action is Action.LIFT else _("step down")
            self.stdout.write(
                f"{zone.community.name}\t{zone.place_label}\t{zone.get_level_display()}\t"
                f"{action}\t"
                + _("%(days)s days without a new case (needs %(needed)s)")
                % {"days": review.days_without_case, "needed": review.needed}
            )
        self.stdout.write(
            _("%(count)s zones due on %(day)s.") % {"count": len(found), "day": on.isoformat()}
        )
