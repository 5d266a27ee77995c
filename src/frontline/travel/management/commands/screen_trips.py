"""`frontline screen_trips`: screen every trip against every risk area again (after a bulk load)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand

from frontline.travel.screening import screening_refresh


class Command(BaseCommand):
    help = "Screen every trip against every risk area and bring the stored matches up to date."

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        found = screening_refresh()
        self.stdout.write(f"{found} matches ({time.perf_counter() - started:.1f} s)")
