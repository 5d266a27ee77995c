from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError, CommandParser

from frontline.accounts.models import User
from frontline.residents.roster import RosterError
from frontline.sampling.lab_file import read_lab_file
from frontline.sampling.services import results_record


class Command(BaseCommand):
    help = (
        "Record a laboratory's result file (.xlsx, .xls, .ods, .csv: tube barcode, result, time, "
        "lab); every line that is not recorded is listed with its reason."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file")
        parser.add_argument(
            "--user", required=True, help="the lab's or worker's account; recorded with each result"
        )
        parser.add_argument(
            "--lab", default="", help="the laboratory, when the file has no lab column"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            user = User.objects.get(username=options["user"], is_active=True)
        except User.DoesNotExist as error:
            raise CommandError(f"No active user {options['user']!r}.") from error
        path = Path(options["file"])
        try:
            lines = read_lab_file(path.read_bytes(), path.name, default_lab=options["lab"])
            report = results_record(actor=user, lines=lines, source=path.name)
        except RosterError as error:
            raise CommandError(str(error)) from error
        except PermissionDenied as error:
            raise CommandError(f"{user.username} may not record lab results.") from error
        for line, reason in report.errors:
            self.stdout.write(f"line {line}\terror\t{reason}")
        for line, code in report.unknown:
            self.stdout.write(f"line {line}\tunknown\t{code}")
        for line, code in report.duplicates:
            self.stdout.write(f"line {line}\tduplicate\t{code}")
        for line, code, before, after in report.changed:
            self.stdout.write(f"line {line}\tchanged\t{code}\t{before} -> {after}")
        self.stdout.write(
            f"recorded={report.recorded} changed={len(report.changed)} "
            f"duplicates={len(report.duplicates)} unknown={len(report.unknown)} "
            f"errors={len(report.errors)} positive_tubes={len(report.positive_tubes)} "
            f"tasks={report.tasks}"
        )
