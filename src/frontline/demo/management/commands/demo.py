"""`frontline demo [--no-serve] [--addrport 127.0.0.1:8000]`: the whole demo in one command.

Migrates the database, seeds the demo community (3,000 residents, 30 buildings, 6 grids) if it is
not there yet, makes sure the demo logins and a score of open tasks exist, prints the logins and
serves the site with Django's development server. Running it again duplicates nothing.
"""

from __future__ import annotations

import unicodedata
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from frontline.care.demo import ensure_demo_care
from frontline.contacts.demo import ensure_demo_contacts
from frontline.deliveries.demo import ensure_demo_round
from frontline.demo.loader import (
    DEMO_COMMUNITY,
    DEMO_RESIDENTS,
    ensure_demo_accounts,
    ensure_demo_tasks,
    seed_community,
)
from frontline.health.demo import ensure_demo_checkins
from frontline.helpdesk.demo import ensure_demo_requests
from frontline.medicine.demo import ensure_demo_medicine
from frontline.outreach.demo import ensure_demo_outreach
from frontline.places.models import Community
from frontline.sampling.demo import ensure_demo_sampling
from frontline.supplies.demo import ensure_demo_supplies
from frontline.travel.demo import ensure_demo_travel


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def login_table(rows: list[tuple[str, str, str]]) -> str:
    """A plain-text table that lines up with Chinese role names too."""
    header = ("username", "password", "role")
    table = [header, *rows]
    widths = [max(_width(row[column]) for row in table) for column in range(2)]

    def line(row: tuple[str, str, str]) -> str:
        cells = [cell + " " * (widths[i] - _width(cell)) for i, cell in enumerate(row[:2])]
        return "  ".join([*cells, row[2]]).rstrip()

    rule = "  ".join("-" * width for width in [*widths, max(_width(row[2]) for row in table)])
    return "\n".join([line(header), rule, *(line(row) for row in rows)])


class Command(BaseCommand):
    help = "Migrate, seed the demo community, print the demo logins and serve the site."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--no-serve", action="store_true", help="prepare everything but do not start a server"
        )
        parser.add_argument(
            "--addrport", default="127.0.0.1:8000", help="where to serve (default %(default)s)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("migrate", interactive=False, verbosity=0)
        report = seed_community(residents=DEMO_RESIDENTS, community_name=DEMO_COMMUNITY)
        self.stdout.write(report.summary())
        community = Community.objects.get(pk=report.community_id)
        logins = ensure_demo_accounts(community)
        created, total = ensure_demo_tasks(community)
        self.stdout.write(f"Demo tasks: {created} created, {total} in {community.name}.")
        ensure_demo_contacts(community)
        ensure_demo_travel(community)
        checkins = ensure_demo_checkins(community)
        self.stdout.write(f"Demo check-ins recorded today: {checkins}.")
        ensure_demo_care(community)
        ensure_demo_sampling(community)
        ensure_demo_requests(community)
        ensure_demo_outreach(community)
        ensure_demo_supplies(community)
        ensure_demo_round(community)
        ensure_demo_medicine(community)
        self.stdout.write("")
        self.stdout.write(login_table(logins))
        self.stdout.write("")
        address = options["addrport"]
        if options["no_serve"]:
            self.stdout.write(f"Ready. Serve with: frontline runserver {address}")
            return
        shown = address if ":" in address else f"127.0.0.1:{address}"
        self.stdout.write(f"Serving on http://{shown}/ (Django admin at /admin/); Ctrl-C stops.")
        call_command("runserver", address, use_reloader=False)
