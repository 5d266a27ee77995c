"""What the periodic management commands share: `--now`, to run them as at another moment (for
a replay or a test)."""

from __future__ import annotations

import datetime as dt

from django.core.management.base import CommandError, CommandParser
from django.utils import timezone
from django.utils.translation import gettext as _


def add_now_argument(parser: CommandParser) -> None:
    parser.add_argument(
        "--now", help="an ISO date-time to act as the present (local time without an offset)"
    )


def now_option(value: str | None) -> dt.datetime | None:
    """The `--now` given, made aware (local time without an offset); None when not given."""
    if not value:
        return None
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError as error:
        raise CommandError(_("--now must be an ISO date and time.")) from error
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment)
