"""Send the notices' due deliveries: SMS held back by the rate limit and failed messages whose
retry time has come. Run it every minute (cron or a systemd timer) where the background
backend cannot schedule later runs itself; a message is never sent twice."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from frontline.outreach.services import deliveries_send


class Command(BaseCommand):
    help = "Send the notices' due deliveries (rate-limited SMS, retries)."

    def handle(self, *args: Any, **options: Any) -> None:
        summary = deliveries_send()
        self.stdout.write(
            _("%(sent)d sent, %(retrying)d to retry, %(failed)d failed, %(deferred)d waiting.")
            % {
                "sent": summary.sent, "retrying": summary.retrying, "failed": summary.failed,
                "deferred": summary.deferred,
            }
        )  # fmt: skip
