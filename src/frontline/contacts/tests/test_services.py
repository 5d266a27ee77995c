"""Recording cases and contact links: validation, scope and audit."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone, translation
from hypothesis import given, settings
from hypothesis import strategies as st

from frontline.conftest import make_resident
from frontline.contacts.models import Case, ContactLink, OutsidePerson
from frontline.contacts.selectors import case_get, chain_of
from frontline.contacts.services import case_record, link_record, parse_person_key
from frontline.contacts.tests.factories import DAY, zhang_case
from frontline.core.models import AuditAction, AuditEntry


def test_a_case_is_recorded_for_a_resident_with_an_audit_entry(world):
    case = zhang_case(world)
    assert case.community == world.community and case.building == world.building1
    entry = AuditEntry.objects.get(
        target_type__model="case", target_id=str(case.pk), action=AuditAction.CREATE
    )
    assert entry.actor == world.users["admin"] and "张三丰" not in entry.target_label
    assert "*三丰" in entry.target_label


def test_a_case_of_an_outside_person_belongs_to_the_chosen_community(world):
    case = case_record(
        actor=world.users["fulltime"], confirmed_on=DAY, reference="R-9",
        outside_name="赵外", outside_phone="+86 139 0000 9999", community=world.community,
    )  # fmt: skip
    assert case.outside_person is not None
    assert case.outside_person.phone == "13900009999" and case.outside_person.phone_tail == "9999"
    assert case.building is None and case.community == world.community


def test_a_case_reports_every_bad_field_at_once_and_saves_nothing(world):
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        case_record(
            actor=world.users["admin"], confirmed_on=timezone.localdate() + dt.timedelta(days=1),
            reference="", outside_name="", outside_phone="12345", community=None,
        )  # fmt: skip
    errors = caught.value.message_dict
    assert set(errors) == {
        "reference", "confirmed_on", "outside_name", "outside_phone", "community",
    }  # fmt: skip
    assert errors["confirmed_on"] == ["The date cannot be in the future."]
    assert not Case.objects.exists() and not OutsidePerson.objects.exists()


def test_the_same_case_cannot_be_recorded_twice(world):
    zhang_case(world)
    with pytest.raises(ValidationError) as caught:
        zhang_case(world)
    assert "reference" in caught.value.message_dict


def test_a_worker_cannot_record_a_case_outside_their_scope(world):
    with pytest.raises(Http404):
        case_record(
            actor=world.users["admin"], resident=world.outsider, confirmed_on=DAY, reference="x"
        )
    with pytest.raises(Http404):  # a grid worker records residents' cases only
        case_record(
            actor=world.users["grid1"], confirmed_on=DAY, reference="x", outside_name="赵外",
            outside_phone="13900009999", community=world.community,
        )  # fmt: skip


def test_a_contact_link_is_recorded_with_an_audit_entry(world):
    case = zhang_case(world)
    link = link_record(
        actor=world.users["fulltime"], case=case,
        contact_resident=world.li, met_on=DAY, met_at=dt.time(9, 30), place="菜场",
        link_type="workplace",
    )  # fmt: skip
    assert link.a_key == f"r{world.zhang.pk}" and link.b_key == f"r{world.li.pk}"
    assert link.b_building == world.building2 and link.a_building == world.building1
    entry = AuditEntry.objects.get(
        target_type__model="contactlink", target_id=str(link.pk), action=AuditAction.CREATE
    )
    assert "李四" not in entry.target_label and entry.community_id == world.community.pk


def test_an_outside_contact_is_stored_once_per_community_with_a_normalised_phone(world):
    case = zhang_case(world)
    for day in (DAY, DAY + dt.timedelta(days=1)):
        link_record(
            actor=world.users["admin"], case=case, contact_name="赵外",
            contact_phone="139-0000-9999", met_on=day, link_type="transport",
        )  # fmt: skip
    assert OutsidePerson.objects.count() == 1
    assert ContactLink.objects.filter(case=case).count() == 2


def test_a_link_reports_every_bad_field_at_once(world):
    case = zhang_case(world)
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        link_record(
            actor=world.users["admin"], case=case, source="r999999", contact_name="",
            contact_phone="5", met_on=None, link_type="party", place="x" * 201,
        )  # fmt: skip
    assert set(caught.value.message_dict) == {
        "source", "contact_name", "contact_phone", "met_on", "link_type", "place",
    }  # fmt: skip
    assert not ContactLink.objects.exists() and not OutsidePerson.objects.exists()


def test_a_link_needs_a_contact(world):
    with pytest.raises(ValidationError) as caught:
        link_record(
            actor=world.users["admin"], case=zhang_case(world), met_on=DAY, link_type="other"
        )
    assert "contact" in caught.value.message_dict


def test_a_person_cannot_be_their_own_contact(world):
    case = zhang_case(world)
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        link_record(
            actor=world.users["admin"], case=case, contact_resident=world.zhang, met_on=DAY,
            link_type="other",
        )  # fmt: skip
    assert caught.value.message_dict["contact"] == ["A person cannot be their own contact."]


def test_the_same_pair_on_the_same_day_for_the_same_case_is_refused_in_either_direction(world):
    case = zhang_case(world)
    link_record(
        actor=world.users["admin"], case=case, contact_resident=world.li, met_on=DAY,
        link_type="other",
    )  # fmt: skip
    with pytest.raises(ValidationError):
        link_record(
            actor=world.users["admin"], case=case, contact_resident=world.li, met_on=DAY,
            link_type="workplace",
        )  # fmt: skip
    # li -> zhang is the same pair; li is in the chain now, so may be the source
    with pytest.raises(ValidationError):
        link_record(
            actor=world.users["admin"], case=case, source=f"r{world.li.pk}",
            contact_resident=world.zhang, met_on=DAY, link_type="other",
        )  # fmt: skip
    link_record(
        actor=world.users["admin"], case=case, contact_resident=world.li,
        met_on=DAY + dt.timedelta(days=1), link_type="other",
    )  # fmt: skip
    assert ContactLink.objects.count() == 2


def test_a_worker_cannot_link_a_resident_outside_their_scope(world):
    case = zhang_case(world)
    with pytest.raises(Http404):
        link_record(
            actor=world.users["admin"], case=case, contact_resident=world.outsider, met_on=DAY,
            link_type="other",
        )  # fmt: skip
    other_case = case_record(
        actor=world.users["other_admin"], resident=world.outsider, confirmed_on=DAY, reference="y"
    )
    with pytest.raises(Http404):
        link_record(
            actor=world.users["admin"], case=other_case, contact_resident=world.li, met_on=DAY,
            link_type="other",
        )  # fmt: skip


def test_the_chain_derives_degrees_and_household_members(world):
    """zhang -> li (household): li's household member 小李 is a close contact too;
    li -> 赵外 (transport): 赵外 is a contact of a contact."""
    xiao_li = make_resident(world.household2, name="李小", document_number="", phone="")
    case = zhang_case(world)
    admin = world.users["admin"]
    link_record(
        actor=admin, case=case, contact_resident=world.li, met_on=DAY, link_type="household"
    )
    link_record(
        actor=admin, case=case, source=f"r{world.li.pk}", contact_name="赵外",
        contact_phone="13900009999", met_on=DAY, link_type="transport",
    )  # fmt: skip
    chain = chain_of(viewer=admin, case=case_get(viewer=admin, pk=case.pk))
    degrees = {person.name: person.degree for person in chain.people}
    assert degrees == {"张三丰": 0, "李四": 1, "李小": 1, "赵外": 2}
    rows = {row.person.name: row for row in chain.rows()}
    derived, further = rows["李小"], rows["赵外"]
    assert derived.link is not None and derived.via is not None and further.via is not None
    assert derived.link.derived and derived.via.name == "张三丰"
    assert further.via.name == "李四"
    assert further.link is not None and further.link.link_type == "transport"
    assert xiao_li.pk == rows["李小"].person.resident_id


def test_the_chain_masks_names_outside_the_viewers_own_scope(world):
    case = zhang_case(world)
    link_record(
        actor=world.users["admin"], case=case, contact_resident=world.li, met_on=DAY,
        link_type="other",
    )  # fmt: skip
    grid1 = world.users["grid1"]  # sees building 1 (张三丰), not building 2 (李四)
    chain = chain_of(viewer=grid1, case=case_get(viewer=grid1, pk=case.pk))
    assert [p.name for p in chain.people] == ["张三丰", "*四"]
    assert chain.people[1].phone == "139****1111"


@settings(max_examples=30, deadline=None)
@given(key=st.text(max_size=8))
def test_person_keys_parse_only_as_a_letter_and_digits(key):
    resident_id, outside_id = parse_person_key(key)
    if resident_id is not None:
        assert key == f"r{resident_id}" or key.lstrip("r").lstrip("0") == str(resident_id)
    if outside_id is not None:
        assert key.startswith("o") and key[1:].isdigit()
    if key[:1] not in ("r", "o") or not key[1:].isdigit():
        assert (resident_id, outside_id) == (None, None)
