"""The reports app's routes for the route-by-role test: none names an object; the .xlsx
download is a POST (it writes an audit entry)."""

from __future__ import annotations

from typing import Any

from frontline.conftest import World

KINDS: dict[str, str] = {}
POST_ONLY: set[str] = {"daily_report_xlsx"}
API_PARAMS: dict[str, str] = {}


def objects(world: World) -> dict[str, tuple[Any, Any]]:
    return {}
