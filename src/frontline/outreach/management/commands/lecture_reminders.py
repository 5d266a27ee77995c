"""Remind the households registered for a lecture that starts within the hour, once per
lecture, through a notice on the household page and an SMS. Run it every few minutes (cron or a
systemd timer); a lecture is never reminded twice."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.translation import gettext as _

from frontline.outreach.lectures import REMIND_WITHIN, send_reminders


class Command(BaseCommand):
    help = "Send the reminder notice of lectures starting soon to their registered households."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--now", help="ISO date and time to act as now (default: now).")
        parser.add_argument(
            "--within", type=int, default=int(REMIND_WITHIN.total_seconds() // 60),
            help="Remind lectures starting within this many minutes (default 60).",
        )  # fmt: skip

    def handle(self, *args: Any, **options: Any) -> None:
        now = timezone.now()
        if options["now"]:
            try:
                now = dt.datetime.fromisoformat(options["now"])
            except ValueError as error:
                raise CommandError(_("--now must be an ISO date and time.")) from error
            if timezone.is_naive(now):
                now = timezone.make_aware(now)
        if options["within"] < 1:
            raise CommandError(_("--within must be at least one minute."))
        reminded = send_reminders(now=now, within=dt.timedelta(minutes=options["within"]))
        self.stdout.write(_("%(n)d lectures reminded.") % {"n": len(reminded)})
