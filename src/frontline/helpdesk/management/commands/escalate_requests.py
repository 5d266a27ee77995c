"""Escalate residents' requests that ran past their clocks (not taken, or not resolved, in
time) to the community admin. Run it every few minutes (cron, a systemd timer or the worker's
scheduler); each request is escalated at most once per kind, so running it often is safe."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _

from frontline.core.commands import add_now_argument, now_option
from frontline.helpdesk.services import escalate_overdue_requests


class Command(BaseCommand):
    help = "Escalate requests not taken or not resolved in time (once per kind) to the community admin."

    def add_arguments(self, parser: CommandParser) -> None:
        add_now_argument(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        now = now_option(options["now"])
        escalated = escalate_overdue_requests(now=now)
        self.stdout.write(_("%(count)d requests escalated.") % {"count": len(escalated)})
