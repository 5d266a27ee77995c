from __future__ import annotations

import datetime as dt
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.utils import timezone

from frontline.outreach.services import notice_create, notice_send

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
BODY = "明天 **8:00-12:00** 停水\n\n- 请提前储水\n- 有困难请打热线"


@pytest.fixture
def compose(world):  # type: ignore[no-untyped-def]
    """A draft notice of community 幸福里, by its admin unless told."""

    def composed(*, by: str = "admin", channels=("portal",), **fields):  # type: ignore[no-untyped-def]
        values = {
            "title": "停水通知", "body": BODY, "channels": list(channels),
            "expires_at": timezone.now() + dt.timedelta(days=2), **fields,
        }  # fmt: skip
        return notice_create(actor=world.users[by], community=world.community, **values)

    return composed


@pytest.fixture
def send(world, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    """Send a draft and run what it queues for after the commit (the background sending)."""

    def sent(notice, *, by: str = "admin"):  # type: ignore[no-untyped-def]
        with django_capture_on_commit_callbacks(execute=True):
            return notice_send(actor=world.users[by], notice=notice)

    return sent


class Robot:
    """A local stand-in for a WeCom group robot: records each POST, answers as told."""

    def __init__(self) -> None:
        self.posts: list[dict[str, object]] = []
        self.status = 200
        self.answer: dict[str, object] = {"errcode": 0, "errmsg": "ok"}
        self.url = ""


@pytest.fixture
def robot() -> Iterator[Robot]:
    state = Robot()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            state.posts.append(json.loads(self.rfile.read(length)))
            payload = json.dumps(state.answer).encode()
            self.send_response(state.status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format: str, *args: object) -> None:
            return None

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/cgi-bin/webhook/send?key=test"
    yield state
    server.shutdown()
    server.server_close()
