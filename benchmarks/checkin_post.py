"""Case: check-in POST throughput behind gunicorn; target (issue 4, DESIGN.md) >= 400 req/s on
PostgreSQL with 2 workers, p95 <= 150 ms, and >= 0.8x a bare Django view doing the same insert.

Set-up (by `prepare`, once per database): a household link for each of the first `LINKS`
households of the benchmark community that have a present resident.

- **ours**: `POST /h/<token>/` (the household page a resident's phone sends: CSRF, every field
  checked as the page's form and the service check it, then one `INSERT ... SELECT` that writes
  the check-in only if the token's digest opens an active link and the member belongs to that
  household and may check in; a redirect), normal readings so that no task is made. (Anything
  else, e.g. an abnormal reading, reads the household and goes through the form and the service.)
- **baseline**: `POST /bench/bare/<token>/`: a bare Django view behind the same middleware (CSRF
  included) that reads the resident, building, community and link ids from the form and inserts
  the same check-in row with `Checkin.objects.create`, then redirects. No lookup, no validation.
- The server: gunicorn, 2 sync workers, serving this module's `application` (the project's WSGI
  app with the bare view's route added to the URLconf), with this database's settings and DEBUG
  off. The load: a second process (`python -m benchmarks.checkin_post --load ...`) on loopback,
  `CONCURRENCY` threads each sending one request per connection with `http.client`, for
  `SECONDS` seconds per phase; phases alternate ours, baseline, baseline, ours.
- Rows: per-request latencies (p50/p95 in the table); the throughput of each and their ratio are
  in the note. The throughput bounds are folded into the verdict: the row passes only when p95
  <= 150 ms, ours >= 400 req/s and ours >= 0.8x the baseline's req/s.
- The harness checks that every 302 answer inserted exactly one row (counted before and after).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from benchmarks.databases import REPO_DIR, ensure_community
from benchmarks.harness import Row, percentile

NAME = "checkin_post"
LINKS = 200
SECONDS = 10.0
WARMUP_SECONDS = 2.0
CONCURRENCY = 8
WORKERS = 2
TARGET_RPS = 400.0
TARGET_RATIO = 0.8
TARGET_P95 = 0.150
TARGET = ">= 400 req/s, >= 0.8x, p95 <= 150 ms"
BARE_PREFIX = "bench/bare/"


# -- the server side: the project's WSGI app plus the bare view --------------------------------


def bare_checkin(request: Any, token: str) -> Any:
    """The same check-in row, inserted with nothing around it."""
    from decimal import Decimal

    from django.http import HttpResponseRedirect
    from django.utils import timezone

    from frontline.health.models import Checkin

    Checkin.objects.create(
        resident_id=int(request.POST["member"]),
        building_id=int(request.POST["building"]),
        community_id=int(request.POST["community"]),
        link_id=int(request.POST["link"]),
        day=timezone.localdate(),
        temperature=Decimal(request.POST["temperature"]),
        symptoms=[],
        antigen="none",
        whereabouts="home",
        source="link",
    )
    return HttpResponseRedirect(request.path)


def __getattr__(name: str) -> Any:
    """`urlpatterns` for the benchmark server: the project's routes and the bare view."""
    if name != "urlpatterns":
        raise AttributeError(name)
    from django.urls import path

    from frontline.urls import urlpatterns

    return [path(f"{BARE_PREFIX}<str:token>/", bare_checkin), *urlpatterns]


_application: Any = None


def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
    """The WSGI entry point gunicorn serves (set up on the first request, in each worker)."""
    global _application
    if _application is None:
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "frontline.settings")
        import django
        from django.conf import settings
        from django.core.handlers.wsgi import WSGIHandler

        django.setup()
        settings.ROOT_URLCONF = __name__
        _application = WSGIHandler()
    return _application(environ, start_response)


# -- the harness side --------------------------------------------------------------------------


def prepare(*, residents: int, log: Callable[[str], None]) -> None:
    _targets(ensure_community(residents, log), log)


def _targets(community: Any, log: Callable[[str], None]) -> list[dict[str, Any]]:
    """One (token, member) per linked household; links are issued on first use."""
    from benchmarks.databases import community_admin
    from frontline.health.links import link_token
    from frontline.health.models import HouseholdLink
    from frontline.health.services import household_link_issue
    from frontline.residents.models import Resident, ResidentStatus

    admin = community_admin(community)
    members: dict[int, Any] = {}
    for resident in (
        Resident.objects.filter(community=community, status=ResidentStatus.PRESENT)
        .order_by("household_id", "id")
        .only("id", "household_id", "building_id", "community_id")
    ):
        members.setdefault(resident.household_id, resident)
        if len(members) >= LINKS:
            break
    links = {
        link.household_id: link
        for link in HouseholdLink.objects.filter(household_id__in=members, revoked_at__isnull=True)
    }
    issued = 0
    for household_id, resident in members.items():
        if household_id not in links:
            links[household_id] = household_link_issue(actor=admin, household=resident.household)[0]
            issued += 1
    if issued:
        log(f"issued {issued} household links")
    return [
        {
            "token": link_token(links[h]),
            "member": r.pk,
            "building": r.building_id,
            "community": r.community_id,
            "link": links[h].pk,
        }
        for h, r in members.items()
    ]


def run(*, residents: int, repeat: int, explain: bool, log: Callable[[str], None]) -> list[Row]:
    from django.db import close_old_connections, connection

    from frontline.health.models import Checkin

    community = ensure_community(residents, log)
    targets = _targets(community, log)
    seconds = SECONDS if repeat >= 5 else min(SECONDS, 2.0 * repeat)
    close_old_connections()
    connection.close()  # the server's workers and this process share the database
    port = _free_port()
    server = _start_server(port, log)
    try:
        for phase in ("ours", "baseline"):  # untimed: connections opened, queries compiled
            _load(port, phase, targets, WARMUP_SECONDS)
        phases = ["ours", "baseline", "baseline", "ours"]
        results: dict[str, list[dict[str, Any]]] = {"ours": [], "baseline": []}
        matches = True
        for phase in phases:
            before = Checkin.objects.count()
            result = _load(port, phase, targets, seconds)
            after = Checkin.objects.count()
            connection.close()
            if after - before != result["ok"] or result["errors"]:
                matches = False
                log(
                    f"MISMATCH {phase}: {result['ok']} answered 302, {after - before} rows, {result['errors']} errors"
                )
            log(
                f"  {phase}: {result['ok'] / result['seconds']:.0f} req/s, {result['errors']} errors"
            )
            results[phase].append(result)
    finally:
        server.terminate()
        server.wait(timeout=30)
    ours_rps = _rps(results["ours"])
    baseline_rps = _rps(results["baseline"])
    ours_latencies = [t for r in results["ours"] for t in r["latencies"]]
    baseline_latencies = [t for r in results["baseline"] for t in r["latencies"]]
    ratio = ours_rps / baseline_rps if baseline_rps else 0.0
    throughput_ok = ours_rps >= TARGET_RPS and ratio >= TARGET_RATIO
    note = f"{ours_rps:.0f} vs {baseline_rps:.0f} req/s = {ratio:.2f}x"
    print(
        f"check-in POST ({connection.vendor}, {residents:,}): ours {ours_rps:.0f} req/s, "
        f"baseline {baseline_rps:.0f} req/s, ratio {ratio:.2f}x; ours p95 "
        f"{percentile(ours_latencies, 0.95) * 1000:.1f} ms",
        file=sys.stderr,
    )
    return [
        Row(
            case=f"check-in POST, gunicorn {WORKERS} workers",
            database=connection.vendor,
            residents=residents,
            ours=ours_latencies,
            baseline=baseline_latencies,
            target_seconds=TARGET_P95 if throughput_ok else 0.0,
            target=TARGET,
            matches=matches,
            note=note,
            extra={
                "ours_rps": ours_rps,
                "baseline_rps": baseline_rps,
                "ratio": ratio,
                "concurrency": CONCURRENCY,
                "seconds_per_phase": seconds,
            },
        )
    ]


def _rps(results: list[dict[str, Any]]) -> float:
    seconds = sum(r["seconds"] for r in results)
    return sum(r["ok"] for r in results) / seconds if seconds else 0.0


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _start_server(port: int, log: Callable[[str], None]) -> subprocess.Popen[bytes]:
    env = {**os.environ, "FRONTLINE_DEBUG": "0", "FRONTLINE_LOG_LEVEL": "WARNING"}
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "--workers",
        str(WORKERS),
        "--bind",
        f"127.0.0.1:{port}",
        "--backlog",
        "2048",
        "--log-level",
        "warning",
        f"{__name__}:application",
    ]
    server = subprocess.Popen(command, cwd=REPO_DIR, env=env)  # noqa: S603
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/h/")
            if connection.getresponse().status == 200:
                # Warm both workers: the first request of each sets Django up.
                for _ in range(WORKERS * 4):
                    warm = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
                    warm.request("GET", "/h/")
                    warm.getresponse().read()
                log(f"gunicorn up on port {port}")
                return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise RuntimeError("gunicorn did not start")


def _load(port: int, phase: str, targets: list[dict[str, Any]], seconds: float) -> dict[str, Any]:
    """Run the load generator in its own process and read its JSON summary."""
    command = [
        sys.executable,
        "-m",
        "benchmarks.checkin_post",
        "--load",
        "--port",
        str(port),
        "--phase",
        phase,
        "--seconds",
        str(seconds),
    ]
    completed = subprocess.run(  # noqa: S603
        command, input=json.dumps(targets).encode(), capture_output=True, check=True, cwd=REPO_DIR
    )
    return dict(json.loads(completed.stdout))


# -- the load generator (a separate process; no Django) ----------------------------------------


def _csrf(port: int, token: str) -> tuple[str, str]:
    """The CSRF cookie and a form token from one household page."""
    import re

    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request("GET", f"/h/{token}/")
    response = connection.getresponse()
    body = response.read().decode()
    cookie = next(
        value.split(";", 1)[0].split("=", 1)[1]
        for name, value in response.getheaders()
        if name.lower() == "set-cookie" and value.startswith("csrftoken=")
    )
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body)
    if match is None:
        raise RuntimeError(f"no CSRF token on /h/{token}/ (status {response.status})")
    return cookie, match[1]


def load(port: int, phase: str, targets: list[dict[str, Any]], seconds: float) -> dict[str, Any]:
    cookie, form_token = _csrf(port, targets[0]["token"])
    headers = {"Content-Type": "application/x-www-form-urlencoded", "Cookie": f"csrftoken={cookie}"}
    requests = []
    for target in targets:
        fields = {
            "csrfmiddlewaretoken": form_token,
            "member": target["member"],
            "temperature": "36.6",
            "antigen": "none",
            "whereabouts": "home",
        }
        if phase == "baseline":
            fields |= {k: target[k] for k in ("building", "community", "link")}
            path = f"/{BARE_PREFIX}{target['token']}/"
        else:
            path = f"/h/{target['token']}/"
        requests.append((path, urlencode(fields)))
    latencies: list[list[float]] = [[] for _ in range(CONCURRENCY)]
    errors = [0] * CONCURRENCY
    started = time.perf_counter()
    deadline = started + seconds

    def worker(index: int) -> None:
        position = index
        while time.perf_counter() < deadline:
            path, body = requests[position % len(requests)]
            position += CONCURRENCY
            sent = time.perf_counter()
            try:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                connection.request("POST", path, body=body, headers=headers)
                response = connection.getresponse()
                response.read()
                connection.close()
            except OSError:
                errors[index] += 1
                continue
            if response.status == 302:
                latencies[index].append(time.perf_counter() - sent)
            else:
                errors[index] += 1

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(CONCURRENCY)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    flat = [t for chunk in latencies for t in chunk]
    return {"ok": len(flat), "errors": sum(errors), "seconds": elapsed, "latencies": flat}


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.checkin_post")
    parser.add_argument("--load", action="store_true", required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--phase", choices=("ours", "baseline"), required=True)
    parser.add_argument("--seconds", type=float, default=SECONDS)
    arguments = parser.parse_args(argv)
    targets = json.loads(sys.stdin.read())
    print(json.dumps(load(arguments.port, arguments.phase, targets, arguments.seconds)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
