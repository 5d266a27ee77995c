"""One benchmark database per (backend, size): where it lives, when to rebuild it, how to fill it.

The parent process (no Django loaded) decides whether a database can be reused: it can unless the
`benchmarks_meta` table records migration files that have changed on disk since (new migrations
are fine, `migrate` applies them; an applied migration edited in place is not, so the database is
rebuilt). A database without that table (say one filled by `frontline seed --residents N`) is
reused as it is. The child process (Django configured for that database) migrates, seeds the community
with `frontline.demo.loader.seed_community` (a no-op when the community is already there) and
creates the benchmark user.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import sqlite3
import warnings
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

REPO_DIR = Path(__file__).resolve().parent.parent
DEFAULT_DATA_DIR = REPO_DIR / "data" / "bench"
DEFAULT_POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/frontline_bench"
META_TABLE = "benchmarks_meta"
BENCH_USERNAME = "bench-community-admin"


def community_name(residents: int) -> str:
    """The name `frontline seed --residents N` gives a benchmark community."""
    return f"基准社区-{residents}"


# -- parent side: locations and reuse ---------------------------------------------------------


def database_url(database: str, residents: int, *, data_dir: Path, postgres_url: str) -> str:
    if database == "sqlite":
        return f"sqlite:///{data_dir.resolve() / f'residents-{residents}.sqlite3'}"
    parts = urlsplit(postgres_url)
    prefix = parts.path.strip("/") or "frontline_bench"
    return urlunsplit(parts._replace(path=f"/{prefix}_{residents}"))


def migration_hashes() -> dict[str, str]:
    """SHA-256 of every migration file of the project, by `app/name`."""
    spec = importlib.util.find_spec("frontline")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the frontline package is not importable; run through `uv run`")
    package = Path(next(iter(spec.submodule_search_locations)))
    hashes = {}
    for path in sorted(package.glob("*/migrations/[0-9]*.py")):
        hashes[f"{path.parent.parent.name}/{path.stem}"] = hashlib.sha256(
            path.read_bytes()
        ).hexdigest()
    return hashes


def stale_reason(recorded: dict[str, str] | None) -> str | None:
    """Why a database built from `recorded` migrations cannot be reused, or None if it can."""
    if recorded is None:  # e.g. filled by `frontline seed --residents N`: migrate will tell
        return None
    current = migration_hashes()
    changed = sorted(name for name, digest in recorded.items() if current.get(name) != digest)
    if changed:
        return "migrations changed since it was built: " + ", ".join(changed)
    return None


def prepare(url: str) -> str:
    """Make the database at `url` exist and be reusable; say what was done."""
    if url.startswith("sqlite:"):
        return _prepare_sqlite(Path("/" + urlsplit(url).path.lstrip("/")))
    return _prepare_postgres(url)


def _prepare_sqlite(path: Path) -> str:
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        return f"new database {path}"
    with sqlite3.connect(path) as connection:
        try:
            rows = connection.execute(f"SELECT key, value FROM {META_TABLE}").fetchall()  # noqa: S608
        except sqlite3.OperationalError:
            rows = []
    connection.close()
    reason = stale_reason(_recorded(rows))
    if reason is None:
        return f"reusing {path}"
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return f"rebuilding {path} ({reason})"


def _prepare_postgres(url: str) -> str:
    import psycopg
    from psycopg import sql

    parts = urlsplit(url)
    name = parts.path.strip("/")
    server = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(server, autocommit=True) as admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            return f"new database {name}"
        with psycopg.connect(url) as connection:
            try:
                rows = connection.execute(f"SELECT key, value FROM {META_TABLE}").fetchall()  # noqa: S608
            except psycopg.errors.UndefinedTable:
                rows = []
        reason = stale_reason(_recorded(rows))
        if reason is None:
            return f"reusing {name}"
        admin.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        return f"rebuilding {name} ({reason})"


def _recorded(rows: list[Any]) -> dict[str, str] | None:
    values = dict(rows)
    return json.loads(values["migrations"]) if "migrations" in values else None


# -- child side: Django is configured for this database ---------------------------------------


def configure_django(url: str) -> None:
    """Settings for a benchmark child: this database, DEBUG off (no query log), quiet logs."""
    os.environ["FRONTLINE_DATABASE_URL"] = url
    os.environ["FRONTLINE_DEBUG"] = "0"
    os.environ.setdefault("FRONTLINE_LOG_LEVEL", "WARNING")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "frontline.settings")
    # The collected-static folder only exists after `collectstatic`; pages render without it.
    warnings.filterwarnings("ignore", message="No directory at", category=UserWarning)
    import django

    django.setup()


def migrate() -> None:
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0, interactive=False)
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TABLE IF NOT EXISTS {META_TABLE} (key TEXT PRIMARY KEY, value TEXT)"
        )
        cursor.execute(f"DELETE FROM {META_TABLE} WHERE key = %s", ["migrations"])  # noqa: S608
        cursor.execute(
            f"INSERT INTO {META_TABLE} (key, value) VALUES (%s, %s)",  # noqa: S608
            ["migrations", json.dumps(migration_hashes())],
        )


def ensure_community(residents: int, log: Any) -> Any:
    """The benchmark community of exactly `residents` people, seeded on first use."""
    from django.db import connection

    from frontline.demo.loader import seed_community

    report = seed_community(residents=residents, community_name=community_name(residents))
    log(report.summary())
    if report.residents != residents:
        raise RuntimeError(
            f"{report.community} holds {report.residents:,} residents, not {residents:,}; "
            "delete the benchmark database to rebuild it"
        )
    if report.created and connection.vendor == "postgresql":
        # Autovacuum would analyse the fresh tables soon; do it now so the first run's plans are
        # the steady-state ones. (On SQLite the seeder's own `refresh_statistics` runs ANALYZE.)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    from frontline.places.models import Community

    return Community.objects.get(pk=report.community_id)


def community_admin(community: Any) -> Any:
    """A community admin whose one role assignment covers the whole benchmark community."""
    from frontline.accounts.models import Role, RoleAssignment, User

    user, created = User.objects.get_or_create(
        username=BENCH_USERNAME, defaults={"display_name": "基准管理员"}
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    RoleAssignment.objects.get_or_create(user=user, role=Role.COMMUNITY_ADMIN, community=community)
    return user


def server_version() -> str:
    from django.db import connection

    if connection.vendor == "sqlite":
        return f"SQLite {sqlite3.sqlite_version}"
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        return f"PostgreSQL {cursor.fetchone()[0]}"
