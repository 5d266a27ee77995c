"""Escalate urgent screenings whose crisis task is still open past the community's deadline.
Run it every few minutes (cron, a systemd timer or the worker's scheduler); it escalates each
screening at most once, so running it often is safe."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from frontline.care.services import escalate_overdue_crises


class Command(BaseCommand):
    help = "Escalate crisis screenings not followed up in time (once each) to the community admin."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--now", help="an ISO date-time with offset; the present when omitted")

    def handle(self, *args: Any, **options: Any) -> None:
        now = None
        if options["now"]:
            try:
                now = dt.datetime.fromisoformat(options["now"])
            except ValueError as error:
                raise CommandError(_("--now must be an ISO date-time.")) from error
            if now.tzinfo is None:
                raise CommandError(_("--now must carry a time-zone offset."))
        escalated = escalate_overdue_crises(now=now)
        self.stdout.write(_("%(count)d crises escalated.") % {"count": len(escalated)})
