"""Remind the households registered for a lecture or a support group that starts within the
hour, once each, through a notice on the household page and an SMS (a support group's is
confidential). Run it every few minutes (cron or a systemd timer); none is reminded twice."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.translation import gettext as _

from frontline.core.commands import add_now_argument, now_option
from frontline.outreach.lectures import REMIND_WITHIN, send_reminders


class Command(BaseCommand):
    help = (
        "Send the reminder notice of lectures and support groups starting soon to their "
        "registered households."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        add_now_argument(parser)
        parser.add_argument(
            "--within", type=int, default=int(REMIND_WITHIN.total_seconds() // 60),
            help="Remind lectures starting within this many minutes (default 60).",
        )  # fmt: skip

    def handle(self, *args: Any, **options: Any) -> None:
        now = now_option(options["now"]) or timezone.now()
        if options["within"] < 1:
            raise CommandError(_("--within must be at least one minute."))
        reminded = send_reminders(now=now, within=dt.timedelta(minutes=options["within"]))
        self.stdout.write(_("%(n)d lectures reminded.") % {"n": len(reminded)})
