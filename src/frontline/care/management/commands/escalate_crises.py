"""Escalate urgent screenings whose crisis task is still open past the community's deadline.
Run it every few minutes (cron, a systemd timer or the worker's scheduler); it escalates each
screening at most once, so running it often is safe."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _

from frontline.care.services import escalate_overdue_crises
from frontline.core.commands import add_now_argument, now_option


class Command(BaseCommand):
    help = "Escalate crisis screenings not followed up in time (once each) to the community admin."

    def add_arguments(self, parser: CommandParser) -> None:
        add_now_argument(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        now = now_option(options["now"])
        escalated = escalate_overdue_crises(now=now)
        self.stdout.write(_("%(count)d crises escalated.") % {"count": len(escalated)})
