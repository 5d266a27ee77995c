from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from frontline.accounts.models import User
from frontline.residents.exports import resident_export
from frontline.residents.selectors import resident_list


class Command(BaseCommand):
    help = (
        "Export the residents a user may see to .xlsx (masked unless --full-numbers with --reason)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--user", required=True, help="whose scope and permissions apply")
        parser.add_argument("--output", "-o", default="residents.xlsx")
        parser.add_argument("--query", "-q", default="", help="name, initials, tail or room")
        parser.add_argument("--status", default="")
        parser.add_argument("--tag", action="append", default=[])
        parser.add_argument("--full-numbers", action="store_true")
        parser.add_argument("--reason", default="")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            user = User.objects.get(username=options["user"], is_active=True)
        except User.DoesNotExist as error:
            raise CommandError(f"No active user {options['user']!r}.") from error
        filters = {
            "query": options["query"],
            "status": options["status"],
            "tags": options["tag"],
            "sort": "address",
        }
        try:
            workbook = resident_export(
                actor=user,
                residents=resident_list(viewer=user, **filters),
                filters=filters,
                full_numbers=options["full_numbers"],
                reason=options["reason"],
            )
        except PermissionDenied as error:
            raise CommandError("This user may not export full numbers.") from error
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        with workbook, Path(options["output"]).open("wb") as target:
            shutil.copyfileobj(workbook, target)
        self.stdout.write(f"wrote {options['output']}")
