"""`uv run python -m benchmarks [--residents 100000 1000000] [--database sqlite postgres] [--repeat N]`

Runs every case once per (database, size), each in its own child process with Django configured
for a dedicated benchmark database (reused across runs, see `benchmarks.databases`), and prints
one Markdown table: our figure, the baseline measured in the same run, the ratio and the target.
Exit status: 0, or 1 when a run failed or ours and the baseline disagreed about the rows; with
`--strict` also 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from importlib.metadata import version
from pathlib import Path

from benchmarks import databases
from benchmarks.harness import Row, table

CASES = {
    "resident_list": "benchmarks.resident_list",
    "roster_import": "benchmarks.roster_import",
    "roster_export": "benchmarks.roster_export",
    "trip_screening": "benchmarks.trip_screening",
    "not_checked_in": "benchmarks.not_checked_in",
    "checkin_post": "benchmarks.checkin_post",
    "sampling": "benchmarks.sampling",
    "outreach": "benchmarks.outreach",
}
DEFAULT_RESIDENTS = [100_000, 1_000_000]


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description="Frontline performance cases against the targets in DESIGN.md.",
    )
    parser.add_argument(
        "--residents",
        type=int,
        nargs="+",
        default=DEFAULT_RESIDENTS,
        metavar="N",
        help="community sizes to run (default: 100000 1000000); each gets its own database, "
        "seeded on first use and reused afterwards",
    )
    parser.add_argument(
        "--database",
        nargs="+",
        choices=("sqlite", "postgres"),
        default=["sqlite"],
        help="backends to run on (default: sqlite)",
    )
    parser.add_argument(
        "--repeat", type=int, default=20, help="timed runs per measurement (default: 20)"
    )
    parser.add_argument(
        "--case", nargs="+", choices=sorted(CASES), default=sorted(CASES), help="cases to run"
    )
    parser.add_argument(
        "--explain",
        action="store_true",
        help="also print every query of one request with its time, and the plans of slow ones",
    )
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=Path(os.environ.get("FRONTLINE_BENCH_DATA_DIR", databases.DEFAULT_DATA_DIR)),
        help="where the SQLite benchmark databases live (default: data/bench)",
    )
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get("FRONTLINE_BENCH_POSTGRES_URL", databases.DEFAULT_POSTGRES_URL),
        help="server and database-name prefix; the size is appended "
        "(default: %(default)s -> frontline_bench_100000)",
    )
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    parser.add_argument(
        "--prepare-only",
        action="store_true",
        help="build (migrate and seed) the benchmark databases, measure nothing",
    )
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--result-file", type=Path, help=argparse.SUPPRESS)
    arguments = parser.parse_args(argv)
    if arguments.repeat < 1:
        parser.error("--repeat must be at least 1")
    if any(size < 1 for size in arguments.residents):
        parser.error("--residents must be at least 1")
    return arguments


def main(argv: list[str]) -> int:
    arguments = parse(argv)
    if arguments.child:
        return child(arguments)
    return parent(arguments)


def parent(arguments: argparse.Namespace) -> int:
    rows: list[Row] = []
    servers: set[str] = set()
    failures: list[str] = []
    started = time.perf_counter()
    for database in arguments.database:
        for residents in arguments.residents:
            label = f"{database} {residents:,}"
            url = databases.database_url(
                database,
                residents,
                data_dir=arguments.data_dir,
                postgres_url=arguments.postgres_url,
            )
            try:
                note(f"[{label}] {databases.prepare(url)}")
            except Exception as error:
                failures.append(f"{label}: cannot prepare the database: {error}")
                note(f"[{label}] cannot prepare the database: {error}")
                continue
            with tempfile.TemporaryDirectory() as folder:
                result_file = Path(folder) / "result.json"
                command = [
                    sys.executable, "-m", "benchmarks", "--child", "--url", url,
                    "--database", database, "--residents", str(residents),
                    "--repeat", str(arguments.repeat), "--case", *arguments.case,
                    "--result-file", str(result_file),
                    *(["--explain"] if arguments.explain else []),
                    *(["--prepare-only"] if arguments.prepare_only else []),
                ]  # fmt: skip
                completed = subprocess.run(command, check=False, cwd=databases.REPO_DIR)  # noqa: S603
                if completed.returncode != 0 or not result_file.exists():
                    failures.append(f"{label}: the run failed (exit {completed.returncode})")
                    continue
                result = json.loads(result_file.read_text())
            servers.add(result["server"])
            rows.extend(Row.from_json(row) for row in result["rows"])

    print()
    print(machine(servers))
    print(f"repeat {arguments.repeat}; total {time.perf_counter() - started:.0f} s")
    print()
    if rows:
        print(table(rows))
    for failure in failures:
        print(f"FAILED {failure}")
    mismatched = [row for row in rows if not row.matches]
    missed = [row for row in rows if not row.passed]
    if failures or mismatched:
        return 1
    return 1 if arguments.strict and missed else 0


def child(arguments: argparse.Namespace) -> int:
    (database,) = arguments.database
    (residents,) = arguments.residents
    label = f"[{database} {residents:,}]"

    def log(message: str) -> None:
        note(f"{label} {message}")

    databases.configure_django(arguments.url)
    started = time.perf_counter()
    databases.migrate()
    log(f"migrated in {time.perf_counter() - started:.1f} s")
    rows: list[Row] = []
    for name in arguments.case:
        case = importlib.import_module(CASES[name])
        if arguments.prepare_only:
            case.prepare(residents=residents, log=log)
            continue
        rows.extend(
            case.run(
                residents=residents, repeat=arguments.repeat, explain=arguments.explain, log=log
            )
        )
    arguments.result_file.write_text(
        json.dumps({"server": databases.server_version(), "rows": [r.to_json() for r in rows]})
    )
    return 0


def machine(servers: set[str]) -> str:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        cpu = platform.processor()
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    parts = [
        f"machine: {cores} cores ({cpu or 'unknown CPU'})",
        f"{platform.system()} {platform.release()}",
        f"Python {platform.python_version()}",
        f"Django {version('django')}",
        *sorted(servers),
    ]
    return "; ".join(parts)


def note(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
