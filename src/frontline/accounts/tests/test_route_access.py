"""Every route declares a permission; every role gets 404 for objects outside its scope;
the sub-district officer never receives an individual's name or number."""

from __future__ import annotations

import importlib
import json
import re
from collections.abc import Iterator
from types import ModuleType

import pytest
from django.apps import apps
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from frontline.api import api
from frontline.residents.imports import roster_upload
from frontline.residents.sweeps import sweep_start
from frontline.tasks.services import task_create

# Routes that are neither pages of ours nor the API: Django's admin (superusers only), static files.
FOREIGN_PREFIXES = ("admin/", "static/")
ROLES = ["officer", "admin", "fulltime", "parttime", "grid1", "volunteer", "sampler", "counsellor",
         "supervisor", "lab"]  # fmt: skip
POST_ONLY = {
    "tasks:take", "tasks:finish", "tasks:cancel", "tasks:hand_over", "residents:reveal",
    "residents:import_commit", "residents:import_cancel", "residents:sweep_close", "residents:sweep_visit",
}  # fmt: skip
# Route-name prefix -> kind of object its <int:pk> names; the longest matching prefix wins.
KINDS = {
    "places:": "household", "places:grid": "grid", "places:building": "building",
    "residents:": "resident", "residents:import": "import", "residents:sweep": "sweep",
    "tasks:": "task",
}  # fmt: skip
# API path parameter -> kind of object.
API_PARAMS = {"grid_id": "grid", "building_id": "building", "household_id": "household",
              "resident_id": "resident", "task_id": "task", "import_id": "import"}  # fmt: skip


def providers() -> list[ModuleType]:
    """Each app's `tests/route_objects.py`: its KINDS, POST_ONLY, API_PARAMS and `objects(world)`."""
    found = []
    for config in apps.get_app_configs():
        if config.name.startswith("frontline."):
            try:
                found.append(importlib.import_module(f"{config.name}.tests.route_objects"))
            except ModuleNotFoundError:
                continue
    return found


for _provider in providers():
    KINDS |= getattr(_provider, "KINDS", {})
    POST_ONLY |= getattr(_provider, "POST_ONLY", set())
    API_PARAMS |= getattr(_provider, "API_PARAMS", {})


def page_patterns() -> Iterator[tuple[str, URLPattern]]:
    def walk(patterns, prefix: str, namespace: str):  # type: ignore[no-untyped-def]
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                ns = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                yield from walk(pattern.url_patterns, route, ns)
            elif route.startswith("api/v1/") and pattern.name not in {
                "openapi-json",
                "openapi-view",
            }:
                continue  # API operations are walked through the routers below
            elif not route.startswith(FOREIGN_PREFIXES):
                yield f"{namespace}{pattern.name}", pattern

    yield from walk(get_resolver().url_patterns, "", "")


def api_operations():  # type: ignore[no-untyped-def]
    for prefix, router in api._routers:
        for path, path_view in router.path_operations.items():
            for operation in path_view.operations:
                yield (prefix + path).replace("//", "/"), operation


def test_every_page_route_declares_a_permission():
    missing = [
        name
        for name, pattern in page_patterns()
        if not hasattr(pattern.callback, "required_permission")
    ]
    assert missing == []


@pytest.mark.django_db
def test_every_api_operation_declares_a_permission_and_answers_401_without_auth():
    operations = list(api_operations())
    assert len(operations) >= 10
    anonymous = Client()
    for path, operation in operations:
        assert hasattr(operation.view_func, "required_permission"), path
        url = "/api/v1" + re.sub(r"{(\w+)}", "1", path)
        response = getattr(anonymous, operation.methods[0].lower())(url)
        assert response.status_code == 401, (path, response.status_code)


@pytest.fixture
def objects(world):  # type: ignore[no-untyped-def]
    """For each kind of object route: (an object inside community 幸福里, one in community 光明)."""
    inside_task = task_create(title="回访", target=world.zhang)
    outside_task = task_create(title="回访", target=world.outsider)
    roster = "姓名,手机,楼栋,单元,房号\n赵六,13912345678,3,2,401\n".encode()
    inside_import = roster_upload(
        actor=world.users["admin"], community=world.community, filename="a.csv", content=roster
    )
    outside_import = roster_upload(
        actor=world.users["other_admin"],
        community=world.other_community,
        filename="b.csv",
        content=roster,
    )
    inside_sweep = sweep_start(
        actor=world.users["admin"],
        community=world.community,
        purpose="排查",
        buildings=[world.building1],
    )
    outside_sweep = sweep_start(
        actor=world.users["other_admin"], community=world.other_community, purpose="排查",
        buildings=[world.other_building],
    )  # fmt: skip
    found = {
        "sweep": (inside_sweep, outside_sweep),
        "import": (inside_import, outside_import),
        "grid": (world.grid1, world.other_building.grid),
        "building": (world.building1, world.other_building),
        "household": (world.household1, world.other_household),
        "resident": (world.zhang, world.outsider),
        "task": (inside_task, outside_task),
    }
    for provider in providers():
        found |= provider.objects(world)
    return found


def kind_of(name: str) -> str:
    prefix = max((p for p in KINDS if name.startswith(p)), key=len)
    return KINDS[prefix]


def object_routes() -> list[str]:
    return [name for name, pattern in page_patterns() if "<int:pk>" in str(pattern.pattern)]


EXTRA_KINDS = {"building_pk": "building", "household_pk": "household"}


def object_url(name: str, objects: dict, side: int) -> str:  # type: ignore[type-arg]
    """The route's URL for the inside (0) or outside (1) objects of every parameter."""
    pattern = dict(page_patterns())[name]
    kwargs = {"pk": objects[kind_of(name)][side].pk}
    for parameter, kind in EXTRA_KINDS.items():
        if f"<int:{parameter}>" in str(pattern.pattern):
            kwargs[parameter] = objects[kind][side].pk
    return reverse(name, kwargs=kwargs)


@pytest.mark.parametrize("role", ROLES)
def test_each_role_gets_404_for_every_object_route_outside_its_scope(
    world, objects, client_for, role
):
    client = client_for(role)
    routes = object_routes()
    assert len(routes) >= 10
    for name in routes:
        url = object_url(name, objects, 1)
        body = {"reason": "x", "field": "phone", "outcome": "visited"}
        response = client.post(url, body) if name in POST_ONLY else client.get(url)
        assert response.status_code == 404, (role, name, response.status_code)


@pytest.mark.parametrize("role", ROLES)
def test_each_role_gets_404_for_every_api_object_outside_its_scope(
    world, objects, client_for, role
):
    client = client_for(role)
    checked = 0
    for path, operation in api_operations():
        names = re.findall(r"{(\w+)}", path)
        if not names:
            continue
        url = "/api/v1" + path
        for name in names:
            url = url.replace("{" + name + "}", str(objects[API_PARAMS[name]][1].pk))
        method = operation.methods[0].lower()
        body = {
            "reason": "x",
            "field": "phone",
            "action": "take",
            "household_id": world.household1.pk,
        }
        response = getattr(client, method)(url, body, content_type="application/json") if method != "get" \
            else client.get(url)  # fmt: skip
        assert response.status_code == 404, (
            role,
            method,
            path,
            response.status_code,
            response.content,
        )
        assert set(response.json()) == {"message", "detail"}
        checked += 1
    assert checked >= 8


def test_the_officer_never_receives_an_individuals_name_or_number(world, objects, client_for):
    officer = client_for("officer")
    secrets = [
        world.zhang.name,
        world.li.name,
        world.outsider.name,
        "002X",
        "5678",
        world.zhang.document_number,
    ]
    bodies = []
    for name, pattern in page_patterns():
        if name in POST_ONLY or name in {"accounts:logout", "logout", "set_language"}:
            continue
        url = object_url(name, objects, 0) if "<int:pk>" in str(pattern.pattern) else reverse(name)
        bodies.append(officer.get(url, follow=True).content.decode())
    for path, operation in api_operations():
        if "GET" in operation.methods:
            url = "/api/v1" + re.sub(r"{(\w+)}", str(world.zhang.pk), path)
            answer = officer.get(url)
            # JSON escapes non-ASCII text: compare the decoded body, where names appear as such
            body = answer.content.decode()
            if answer.get("Content-Type", "").startswith("application/json"):
                body = json.dumps(answer.json(), ensure_ascii=False)
            bodies.append(body)
    overview = officer.get(reverse("overview")).content.decode()
    assert (
        "幸福里社区" in overview and "光明社区" in overview
    )  # the officer does see the aggregates
    for body in bodies:
        for secret in secrets:
            assert secret not in body


def test_a_volunteer_sees_only_the_tasks_given_to_them(world, client_for):
    mine = task_create(
        title="送菜到3-2-401", target=world.household1, owner=world.users["volunteer"]
    )
    others = task_create(title="核实外出人员", target=world.zhang)
    client = client_for("volunteer")
    inbox = client.get(reverse("tasks:inbox")).content.decode()
    assert mine.title in inbox and others.title not in inbox
    assert client.get(reverse("tasks:detail", kwargs={"pk": others.pk})).status_code == 404
    assert client.get(reverse("residents:list")).status_code == 403
    assert client.get(reverse("residents:detail", kwargs={"pk": world.zhang.pk})).status_code == 404


def test_anonymous_visitors_are_sent_to_log_in_and_the_api_answers_401(world):
    client = Client()
    response = client.get(reverse("residents:list"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    api_response = client.get("/api/v1/residents")
    assert api_response.status_code == 401
    assert set(api_response.json()) == {"message", "detail"}


def test_the_django_admin_is_for_superusers_only(world, client_for):
    assert client_for("admin").get("/admin/").status_code == 302


def test_the_django_admin_opens_for_a_superuser(world):
    from frontline.accounts.models import User

    root = User.objects.create_superuser("root", password="x")
    client = Client()
    client.force_login(root)
    assert client.get("/admin/").status_code == 200
    staff = world.users["admin"]
    staff.is_staff = True
    staff.save(update_fields=["is_staff"])
    assert client_for_user(staff).get("/admin/").status_code == 302


def client_for_user(user):  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


def test_the_api_docs_are_served_locally_to_signed_in_users(world, client_for):
    assert Client().get("/api/v1/docs").status_code == 302
    page = client_for("grid1").get("/api/v1/docs").content.decode()
    # no script or style from another host (a CSRF token may spell "cdn" by chance)
    assert "/static/ninja/swagger-ui-bundle.js" in page
    assert not re.search(r"(src|href)=\"(https?:)?//", page)
    schema = client_for("grid1").get("/api/v1/openapi.json").json()
    assert "/api/v1/residents" in schema["paths"]
