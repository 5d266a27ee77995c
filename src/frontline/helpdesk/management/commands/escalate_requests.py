"""Escalate residents' requests that ran past their clocks (not taken, or not resolved, in
time) to the community admin. Run it every few minutes (cron, a systemd timer or the worker's
scheduler); each request is escalated at most once per kind, so running it often is safe."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from frontline.helpdesk.services import escalate_overdue_requests


class Command(BaseCommand):
    help = "Escalate requests not taken or not resolved in time (once per kind) to the community admin."

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
        escalated = escalate_overdue_requests(now=now)
        self.stdout.write(_("%(count)d requests escalated.") % {"count": len(escalated)})
