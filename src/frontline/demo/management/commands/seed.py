"""`frontline seed [--residents N] [--community NAME] [--seed S]`: a synthetic community.

Without options it seeds the demo community 幸福里社区 with 3,000 residents. With `--residents N`
and no `--community`, it seeds the benchmark community "基准社区-N" instead, so a benchmark size
never clashes with the demo. A community that already exists is reported and left as it is.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

from frontline.demo.loader import DEFAULT_SEED, DEMO_COMMUNITY, DEMO_RESIDENTS, seed_community
from frontline.residents.models import Resident


def benchmark_community_name(residents: int) -> str:
    return f"基准社区-{residents}"


class Command(BaseCommand):
    help = (
        "Seed a synthetic community: the demo community (3,000 residents) by default, "
        "or '基准社区-N' with --residents N. Does nothing if the community exists."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--residents", type=int, default=None, help="number of residents (default 3000)"
        )
        parser.add_argument(
            "--community",
            default=None,
            help=f"community name (default {DEMO_COMMUNITY}, or 基准社区-N with --residents N)",
        )
        parser.add_argument(
            "--seed", type=int, default=DEFAULT_SEED, help="random seed (default %(default)s)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        residents = options["residents"]
        if residents is not None and residents < 1:
            raise CommandError("--residents must be at least 1")
        if Resident._meta.db_table not in connection.introspection.table_names():
            raise CommandError("The database has no tables yet: run `frontline migrate` first.")
        name = options["community"] or (
            benchmark_community_name(residents) if residents is not None else DEMO_COMMUNITY
        )
        report = seed_community(
            residents=residents or DEMO_RESIDENTS, community_name=name, seed=options["seed"]
        )
        self.stdout.write(report.summary())
