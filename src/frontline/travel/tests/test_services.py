"""Risk areas and trips through the services: validation, screening on write, audit, access."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone, translation

from frontline.conftest import World
from frontline.core.models import AuditAction, AuditEntry
from frontline.travel.models import RiskArea, Trip, TripMatch, TripSource
from frontline.travel.services import (
    risk_area_create,
    risk_area_delete,
    risk_area_end,
    risk_area_update,
    trip_record,
    trip_remove,
)

pytestmark = pytest.mark.django_db
TODAY = dt.date(2022, 11, 20)


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: TODAY)


def chaoyang(world: World, **changes: object) -> RiskArea:
    values = {
        "name": "朝阳区",
        "area_code": "110105",
        "level": "high",
        "valid_from": TODAY - dt.timedelta(days=5),
    }
    return risk_area_create(actor=world.users["admin"], **{**values, **changes})


def test_it_reports_every_bad_field_of_a_risk_area_at_once(world: World) -> None:
    with translation.override("en"), pytest.raises(ValidationError) as error:
        risk_area_create(
            actor=world.users["admin"], name="", area_code="11010", level="extreme",
            valid_from=TODAY, valid_to=TODAY - dt.timedelta(days=1),
        )  # fmt: skip
    assert set(error.value.message_dict) == {"name", "area_code", "level", "valid_to"}
    assert RiskArea.objects.count() == 0


def test_a_new_area_is_screened_against_existing_trips_at_once(world: World) -> None:
    trip = trip_record(
        actor=world.users["grid1"], resident=world.zhang, source=TripSource.WORKER,
        area_code="110105", place="北京朝阳", date_from=TODAY - dt.timedelta(days=10), date_to=TODAY - dt.timedelta(days=3),
    )  # fmt: skip
    assert TripMatch.objects.count() == 0
    area = risk_area_create(
        actor=world.users["officer"],
        name="北京市",
        area_code="110000",
        level="medium",
        valid_from=TODAY - dt.timedelta(days=4),
    )
    match = TripMatch.objects.get()
    assert (match.trip, match.area, match.kind, match.days) == (trip, area, "match", 2)


def test_ending_or_moving_an_area_updates_the_matches(world: World) -> None:
    area = chaoyang(world)
    trip_record(
        actor=world.users["grid1"], resident=world.zhang, source=TripSource.WORKER,
        area_code="110105", date_from=TODAY - dt.timedelta(days=2), date_to=TODAY,
    )  # fmt: skip
    assert TripMatch.objects.get().days == 3
    risk_area_end(actor=world.users["admin"], area=area, day=TODAY - dt.timedelta(days=2))
    assert TripMatch.objects.get().days == 1
    risk_area_update(actor=world.users["admin"], area=area, area_code="310101")
    assert TripMatch.objects.count() == 0
    actions = list(
        AuditEntry.objects.filter(target_id=str(area.pk), target_type__model="riskarea")
        .order_by("id")
        .values_list("action", "fields")
    )
    assert actions == [
        (AuditAction.CREATE, ["name", "area_code", "place", "level", "valid_from", "valid_to"]),
        (AuditAction.UPDATE, ["valid_to"]),
        (AuditAction.UPDATE, ["area_code"]),
    ]


def test_only_risk_area_managers_may_change_areas(world: World) -> None:
    with pytest.raises(PermissionDenied):
        risk_area_create(
            actor=world.users["sampler"],
            name="x",
            area_code="110105",
            level="high",
            valid_from=TODAY,
        )


def test_an_area_that_matched_trips_cannot_be_deleted_only_ended(world: World) -> None:
    area = chaoyang(world)
    trip_record(
        actor=world.users["grid1"],
        resident=world.zhang,
        source=TripSource.WORKER,
        area_code="110105",
        date_from=TODAY,
        date_to=TODAY,
    )
    with pytest.raises(ValidationError):
        risk_area_delete(actor=world.users["admin"], area=area)
    unused = chaoyang(world, area_code="310101")
    risk_area_delete(actor=world.users["admin"], area=unused)
    assert not RiskArea.objects.filter(pk=unused.pk).exists()


def test_a_trip_must_be_ordered_and_not_in_the_future(world: World) -> None:
    with translation.override("en"), pytest.raises(ValidationError) as error:
        trip_record(
            actor=world.users["grid1"], resident=world.zhang, source=TripSource.WORKER,
            place="", date_from=TODAY + dt.timedelta(days=1), date_to=TODAY,
        )  # fmt: skip
    messages = error.value.message_dict
    assert set(messages) == {"place", "date_from", "date_to"}
    assert "future" in messages["date_from"][0] and "before the start" in messages["date_to"][0]
    assert Trip.objects.count() == 0


def test_a_worker_records_trips_only_for_residents_in_their_scope(world: World) -> None:
    with pytest.raises(Http404):
        trip_record(
            actor=world.users["grid1"],
            resident=world.li,
            source=TripSource.WORKER,
            place="上海",
            date_from=TODAY,
            date_to=TODAY,
        )
    with pytest.raises(PermissionDenied):  # sees health data, may not record it
        trip_record(
            actor=world.users["sampler"],
            resident=world.zhang,
            source=TripSource.WORKER,
            place="上海",
            date_from=TODAY,
            date_to=TODAY,
        )
    with pytest.raises(PermissionDenied):  # no actor is only for the portal's self-declared trips
        trip_record(
            resident=world.zhang,
            source=TripSource.WORKER,
            place="上海",
            date_from=TODAY,
            date_to=TODAY,
        )


def test_the_portal_records_a_self_declared_trip_without_a_worker(world: World) -> None:
    trip = trip_record(
        resident=world.zhang,
        source=TripSource.PORTAL,
        place="上海浦东",
        date_from=TODAY,
        date_to=TODAY,
    )
    assert (trip.source, trip.recorded_by, trip.place_key) == ("portal", None, "上海浦东")


def test_recording_and_removing_a_trip_is_audited_without_the_full_name(world: World) -> None:
    trip = trip_record(
        actor=world.users["grid1"],
        resident=world.zhang,
        source=TripSource.WORKER,
        place="上海",
        date_from=TODAY,
        date_to=TODAY,
    )
    trip_pk = trip.pk
    with pytest.raises(ValidationError):
        trip_remove(actor=world.users["grid1"], trip=trip, reason=" ")
    trip_remove(actor=world.users["grid1"], trip=trip, reason="录错了")
    entries = list(
        AuditEntry.objects.filter(target_id=str(trip_pk), target_type__model="trip").order_by("id")
    )
    assert [e.action for e in entries] == [AuditAction.CREATE, AuditAction.DELETE]
    assert entries[1].reason == "录错了"
    assert all("张三丰" not in e.target_label for e in entries)
    assert not Trip.objects.exists()
