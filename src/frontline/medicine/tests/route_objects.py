"""Objects behind the medicine app's object routes, for the route-by-role access test."""

from __future__ import annotations

KINDS = {
    "medicine:": "medicine_request",
    "medicine:resident_new": "resident",
    "medicine:run": "medicine_run",
}
POST_ONLY: set[str] = {"medicine:step", "medicine:run_collect"}
API_PARAMS = {"request_id": "medicine_request"}


def objects(world) -> dict[str, tuple[object, object]]:  # type: ignore[no-untyped-def]
    from frontline.medicine.services import request_submit, run_plan

    def received(resident, actor):  # type: ignore[no-untyped-def]
        return request_submit(
            actor=actor, resident=resident, medicine="二甲双胍片", dose="每日两次，每次1片",
            quantity="2盒", pharmacy="社区卫生服务中心",
        )  # fmt: skip

    def run(resident, actor, runner):  # type: ignore[no-untyped-def]
        return run_plan(actor=actor, requests=[received(resident, actor)], runner=runner)

    return {
        "medicine_request": (
            received(world.zhang, world.users["admin"]),
            received(world.outsider, world.users["other_admin"]),
        ),
        "medicine_run": (
            run(world.zhang, world.users["admin"], world.users["volunteer"]),
            run(world.outsider, world.users["other_admin"], world.users["other_admin"]),
        ),
    }
