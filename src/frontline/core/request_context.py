"""Per-request facts that services record without every caller passing them (the client's IP)."""

from __future__ import annotations

from contextvars import ContextVar

_ip: ContextVar[str | None] = ContextVar("frontline_ip", default=None)


def current_ip() -> str | None:
    return _ip.get()


def set_ip(ip: str | None) -> object:
    return _ip.set(ip)


def reset_ip(token: object) -> None:
    _ip.reset(token)  # type: ignore[arg-type]
