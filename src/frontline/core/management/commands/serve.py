"""`frontline serve`: the production web server (gunicorn) for this project."""

from __future__ import annotations

import os
from typing import Any

from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Serve Frontline with gunicorn (collect static files and migrate first)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--bind", default=os.environ.get("FRONTLINE_BIND", "127.0.0.1:8000"))
        parser.add_argument(
            "--workers", type=int, default=int(os.environ.get("FRONTLINE_WORKERS", "2"))
        )
        parser.add_argument(
            "--threads", type=int, default=int(os.environ.get("FRONTLINE_THREADS", "4"))
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from gunicorn.app.base import BaseApplication

        from frontline.wsgi import application

        class Server(BaseApplication):  # type: ignore[misc]
            def load_config(self) -> None:
                for key in ("bind", "workers", "threads"):
                    self.cfg.set(key, options[key])
                self.cfg.set("accesslog", "-")

            def load(self) -> Any:
                return application

        Server().run()
