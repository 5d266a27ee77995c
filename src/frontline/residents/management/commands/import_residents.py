from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Q

from frontline.accounts.models import User
from frontline.places.models import Community
from frontline.residents import imports
from frontline.residents.roster import RosterError


class Command(BaseCommand):
    help = (
        "Import a roster file (.xlsx, .xls, .ods, .csv): preview it, and write it unless --dry-run."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file")
        parser.add_argument(
            "--user", required=True, help="whose scope applies; recorded in the audit log"
        )
        parser.add_argument(
            "--community", help="name or code; needed when the user works in several"
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="show the preview, write nothing"
        )
        parser.add_argument(
            "--create-places", action="store_true", help="create missing units and households"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            user = User.objects.get(username=options["user"], is_active=True)
        except User.DoesNotExist as error:
            raise CommandError(f"No active user {options['user']!r}.") from error
        community = self._community(user, options["community"])
        path = Path(options["file"])
        try:
            batch = imports.roster_upload(
                actor=user, community=community, filename=path.name, content=path.read_bytes()
            )
            if options["create_places"]:
                imports.roster_set_mapping(
                    actor=user, batch=batch, overrides={}, create_places=True
                )
                batch.mapping = {}
            preview = imports.roster_preview(actor=user, batch=batch)
        except (RosterError, ValidationError) as error:
            raise CommandError(" ".join(getattr(error, "messages", [str(error)]))) from error
        for row in preview.rows:
            if row.kind in ("error", "conflict"):
                self.stdout.write(
                    f"line {row.line}\t{row.kind}\t{row.name}\t{'; '.join(row.reasons)}"
                )
        counts = preview.counts
        self.stdout.write(" ".join(f"{kind}={count}" for kind, count in counts.items()))
        if options["dry_run"]:
            imports.roster_cancel(actor=user, batch=batch)
            self.stdout.write("dry run: nothing written")
            return
        summary = imports.roster_commit(actor=user, batch=batch)
        self.stdout.write(f"written: created={summary['create']} updated={summary['update']}")

    def _community(self, user: User, name: str | None) -> Community:
        from frontline.residents.import_views import communities_for

        communities = communities_for(user)
        if name:
            communities = communities.filter(Q(name=name) | Q(code=name))
        found = list(communities[:2])
        if len(found) != 1:
            raise CommandError(
                "Name the community with --community (one where the user may add residents)."
            )
        return found[0]
