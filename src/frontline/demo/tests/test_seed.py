"""The demo loader: exact counts, valid identities, derived columns as the services compute them,
idempotent reruns, one login per role with the right scope, and demo tasks created once."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.db.models import Count
from django.utils import timezone

from frontline.accounts.models import Role, RoleAssignment, User
from frontline.care.models import Screening
from frontline.contacts.models import ContactLink
from frontline.core.identity import parse_resident_id
from frontline.core.phones import normalise_mobile
from frontline.core.pinyin import initials
from frontline.deliveries.models import Batch, Delivery
from frontline.demo.loader import (
    DEMO_ACCOUNTS,
    DEMO_COMMUNITY,
    DEMO_PASSWORD,
    DEMO_TASK_TITLES,
    SUPERUSER,
    ensure_demo_accounts,
    ensure_demo_tasks,
    seed_community,
)
from frontline.demo.synthetic import Synthesizer, age_on
from frontline.health.models import Checkin, HouseholdLink
from frontline.helpdesk.models import HelpRequest
from frontline.medicine.models import MedicineRequest
from frontline.places.models import Building, Community, Grid, Household, Unit
from frontline.residents.models import Resident, ResidentTag, Tag
from frontline.residents.validation import EDITABLE_FIELDS, clean_resident_fields
from frontline.sampling.models import Sample
from frontline.supplies.models import Movement
from frontline.tasks.models import Task, TaskPriority, TaskStatus

N = 300
NAME = "测试社区"


def seed(residents: int = N, name: str = NAME, seed: int = 7) -> Community:
    report = seed_community(residents=residents, community_name=name, seed=seed)
    assert report.created
    return Community.objects.get(pk=report.community_id)


def counts(community: Community) -> dict[str, int]:
    return {
        "grids": Grid.objects.filter(community=community).count(),
        "buildings": Building.objects.filter(community=community).count(),
        "units": Unit.objects.filter(building__community=community).count(),
        "households": Household.objects.filter(unit__building__community=community).count(),
        "residents": Resident.objects.filter(community=community).count(),
        "tags": ResidentTag.objects.filter(resident__community=community).count(),
    }


@pytest.mark.django_db
def test_seeding_creates_exactly_n_residents_with_valid_identities() -> None:
    community = seed()
    residents = list(Resident.objects.filter(community=community).select_related("household__unit"))
    assert len(residents) == N
    assert community.subdistrict.name == "演示街道"
    assert Grid.objects.filter(community=community).count() == 6
    assert Building.objects.filter(community=community).count() == 30

    numbers = [resident.document_number for resident in residents]
    assert len(set(numbers)) == N
    for resident in residents:
        identity = parse_resident_id(resident.document_number)  # raises if invalid
        assert identity.number == resident.document_number
        assert (identity.birth_date, identity.sex) == (resident.birth_date, resident.sex)
        assert resident.household.unit.building_id == resident.building_id
        assert 2 <= len(resident.name) <= 3

    phones = [resident.phone for resident in residents if resident.phone]
    assert len(phones) > N // 2
    assert len(set(phones)) == len(phones)
    assert all(normalise_mobile(phone) == phone for phone in phones)

    sizes = Counter(
        Household.objects.filter(unit__building__community=community)
        .annotate(n=Count("residents"))
        .values_list("n", flat=True)
    )
    assert set(sizes) <= {1, 2, 3, 4, 5}
    assert sizes[1] and sizes[2] and sizes[3]

    statuses = Counter(resident.status for resident in residents)
    assert statuses["present"] > 0.75 * N
    assert statuses["present"] > statuses["away"] > 0


@pytest.mark.django_db
def test_derived_columns_equal_what_the_services_compute() -> None:
    community = seed()
    residents = Resident.objects.filter(community=community).order_by("pk")
    assert residents.count() == N
    for resident in residents:
        cleaned = clean_resident_fields({f: getattr(resident, f) for f in EDITABLE_FIELDS})
        stored = {field: getattr(resident, field) for field in cleaned}
        assert stored == cleaned, resident.name
        assert resident.created_at is not None
        assert resident.created_at <= timezone.now()


@pytest.mark.django_db
def test_tags_are_stored_plausibly_and_senior_never() -> None:
    community = seed(residents=1200)
    tags = Counter(
        ResidentTag.objects.filter(resident__community=community).values_list("tag", flat=True)
    )
    assert Tag.SENIOR not in tags
    assert tags[Tag.CHRONIC] > tags[Tag.DIALYSIS]
    assert tags[Tag.LIVING_ALONE] > 0
    today = timezone.localdate()
    for resident in Resident.objects.filter(community=community).prefetch_related("tags"):
        stored = {tag.tag for tag in resident.tags.all()}
        assert (Tag.INFANT in stored) == (resident.age is not None and resident.age <= 3)
        if Tag.PREGNANT in stored:
            assert resident.birth_date is not None
            assert resident.sex == "F" and 20 <= age_on(resident.birth_date, today) <= 40
        if Tag.LIVING_ALONE in stored:
            assert resident.household.residents.count() == 1


@pytest.mark.django_db
def test_running_again_creates_nothing() -> None:
    community = seed()
    before = counts(community)
    again = seed_community(residents=N, community_name=NAME, seed=7)
    other_size = seed_community(residents=N * 2, community_name=NAME, seed=99)
    assert not again.created and not other_size.created
    assert again.residents == other_size.residents == N
    assert counts(community) == before
    assert Community.objects.filter(name=NAME).count() == 1


@pytest.mark.django_db
def test_two_communities_do_not_clash() -> None:
    first, second = seed(name="甲社区"), seed(name="乙社区", residents=150)
    assert counts(first)["residents"] == N
    assert counts(second)["residents"] == 150
    names_first = set(Resident.objects.filter(community=first).values_list("name", flat=True))
    names_second = set(Resident.objects.filter(community=second).values_list("name", flat=True))
    assert names_first != names_second


def test_generator_is_deterministic_and_covers_polyphonic_surnames() -> None:
    today = dt.date(2026, 3, 1)

    def people(seed: int) -> list[tuple[str, str, str]]:
        synth = Synthesizer(seed, today=today)
        out = []
        for _ in range(4000):
            out += [
                (p.name, p.document_number, p.phone)
                for p in synth.household(synth.household_size())
            ]
        return out

    first = people(1)
    assert first == people(1)
    assert first != people(2)
    surnames = {name[:1] for name, _, _ in first}
    assert {"曾", "单", "解", "仇", "区", "朴", "查"} <= surnames
    zeng = next(name for name, _, _ in first if name.startswith("曾"))
    assert initials(zeng).startswith("z")
    assert len({number for _, number, _ in first}) == len(first)


@pytest.mark.django_db
def test_every_role_gets_an_account_with_the_right_scope() -> None:
    community = seed()
    logins = ensure_demo_accounts(community)
    assert [row[0] for row in logins] == [*(a[0] for a in DEMO_ACCOUNTS), SUPERUSER]
    assert {a[1] for a in DEMO_ACCOUNTS} == set(Role)
    grid1 = Grid.objects.get(community=community, name="第1网格")
    for username, role, level, _display in DEMO_ACCOUNTS:
        user = User.objects.get(username=username)
        (assignment,) = RoleAssignment.objects.filter(user=user)
        assert assignment.role == role
        if level == "subdistrict":
            assert assignment.scope == community.subdistrict
        elif role == Role.GRID_WORKER:
            assert assignment.scope == grid1
        else:
            assert assignment.scope == community
        assert not user.is_superuser
        assert authenticate(username=username, password=DEMO_PASSWORD) == user
    admin = User.objects.get(username=SUPERUSER)
    assert admin.is_superuser and admin.is_staff
    assert authenticate(username=SUPERUSER, password=DEMO_PASSWORD) == admin


@pytest.mark.django_db
def test_accounts_are_idempotent_and_reset() -> None:
    community = seed()
    ensure_demo_accounts(community)
    users, assignments = User.objects.count(), RoleAssignment.objects.count()
    grid_worker = User.objects.get(username="grid1")
    grid_worker.set_password("changed-by-someone")
    grid_worker.is_active = False
    grid_worker.save()
    RoleAssignment.objects.create(user=grid_worker, role=Role.VOLUNTEER, community=community)

    ensure_demo_accounts(community)
    assert (User.objects.count(), RoleAssignment.objects.count()) == (users, assignments)
    assert authenticate(username="grid1", password=DEMO_PASSWORD) == grid_worker


@pytest.mark.django_db
def test_demo_tasks_are_created_once() -> None:
    community = seed(residents=1500)
    ensure_demo_accounts(community)
    created, total = ensure_demo_tasks(community)
    tasks = Task.objects.filter(community=community)
    assert created == total == tasks.count()
    assert 15 <= created <= 25
    assert set(tasks.values_list("title", flat=True)) <= set(DEMO_TASK_TITLES)
    assert all(task.status == TaskStatus.OPEN and task.owner_id for task in tasks)
    assert any(task.is_overdue for task in tasks)
    assert tasks.filter(priority__gte=TaskPriority.HIGH).exists()
    assert tasks.filter(resident__isnull=False).exists()
    assert tasks.filter(resident__isnull=True, household__isnull=False).exists()

    assert ensure_demo_tasks(community) == (0, created)
    assert Task.objects.filter(community=community).count() == created


@pytest.mark.django_db
def test_seed_command_names_benchmark_communities() -> None:
    out = StringIO()
    call_command("seed", residents=120, stdout=out)
    assert "基准社区-120" in out.getvalue()
    assert Resident.objects.filter(community__name="基准社区-120").count() == 120
    out = StringIO()
    call_command("seed", residents=120, stdout=out)
    assert "nothing changed" in out.getvalue()
    assert Resident.objects.count() == 120


@pytest.mark.django_db
def test_demo_command_twice_duplicates_nothing() -> None:
    out = StringIO()
    call_command("demo", no_serve=True, stdout=out)
    community = Community.objects.get(name=DEMO_COMMUNITY)
    first = counts(community) | {
        "users": User.objects.count(),
        "assignments": RoleAssignment.objects.count(),
        "tasks": Task.objects.count(),
        "checkins": Checkin.objects.count(),
        "links": HouseholdLink.objects.count(),
        "contact links": ContactLink.objects.count(),
        "screenings": Screening.objects.count(),
        "samples": Sample.objects.count(),
        "requests": HelpRequest.objects.count(),
        "medicine": MedicineRequest.objects.count(),
        "movements": Movement.objects.count(),
        "deliveries": Delivery.objects.count(),
    }
    assert first["residents"] == 3000
    assert first["requests"] == 2
    assert (first["medicine"], first["movements"]) == (3, 2)
    # one per household of the first three buildings with anyone living there
    assert (
        100
        < first["deliveries"]
        <= Household.objects.filter(
            unit__building__in=Building.objects.filter(community=community).order_by("pk")[:3]
        ).count()
    )
    routed = Batch.objects.get(round__community=community)
    assert routed.route and routed.volunteer is not None
    assert first["screenings"] == 3 and first["samples"] == 30
    assert first["checkins"] > 100 and first["links"] > 10 and first["contact links"] > 5
    assert first["buildings"] == 30
    assert first["tasks"] >= 15
    text = out.getvalue()
    assert "grid1" in text and DEMO_PASSWORD in text

    call_command("demo", no_serve=True, stdout=StringIO())
    assert (
        counts(community)
        | {
            "users": User.objects.count(),
            "assignments": RoleAssignment.objects.count(),
            "tasks": Task.objects.count(),
            "checkins": Checkin.objects.count(),
            "links": HouseholdLink.objects.count(),
            "contact links": ContactLink.objects.count(),
            "screenings": Screening.objects.count(),
            "samples": Sample.objects.count(),
            "requests": HelpRequest.objects.count(),
            "medicine": MedicineRequest.objects.count(),
            "movements": Movement.objects.count(),
            "deliveries": Delivery.objects.count(),
        }
        == first
    )
