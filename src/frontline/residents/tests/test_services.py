import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from frontline.conftest import ZHANG_ID
from frontline.core.models import AuditAction, AuditEntry
from frontline.residents.models import Resident, ResidentStatus
from frontline.residents.services import (
    resident_mark_moved_out,
    resident_move,
    resident_register,
    resident_reveal,
    resident_update,
)


def register(world, actor="admin", **fields):
    values = {
        "name": "赵六",
        "document_type": "resident_id",
        "residence_type": "tenant",
        "status": "present",
    }
    return resident_register(
        actor=world.users[actor], household=world.household1, **(values | fields)
    )


def test_it_registers_a_resident_with_birth_date_and_sex_from_the_id(world):
    resident = register(
        world, document_number="４４０３０５ １９９２０７０４ ００５２", phone="+86 139 1234 5678"
    )
    assert resident.document_number == "440305199207040052"
    assert (resident.birth_date.isoformat(), resident.sex) == ("1992-07-04", "M")
    assert (resident.phone, resident.phone_tail, resident.name_initials) == (
        "13912345678",
        "5678",
        "zl",
    )
    assert resident.building == world.building1 and resident.community == world.community
    entry = AuditEntry.objects.get(action=AuditAction.CREATE, target_id=str(resident.pk))
    assert "440305199207040052" not in entry.target_label  # the log never holds the number


def test_it_reports_every_bad_field_at_once_and_writes_nothing(world):
    before = Resident.objects.count()
    with pytest.raises(ValidationError) as error:
        register(
            world,
            name="",
            document_number="110105199003070018",
            phone="12345",
            birth_date="1990-13-01",
        )
    assert set(error.value.message_dict) == {"name", "document_number", "phone", "birth_date"}
    assert Resident.objects.count() == before
    assert not AuditEntry.objects.filter(action=AuditAction.CREATE).exists()


def test_it_rejects_a_birth_date_or_sex_that_contradicts_the_id(world):
    with pytest.raises(ValidationError) as error:
        register(world, document_number="440305199207040052", birth_date="1992-07-05", sex="F")
    assert set(error.value.message_dict) == {"birth_date", "sex"}


def test_it_converts_a_15_digit_id(world):
    resident = register(world, document_number="110105850101003")
    assert resident.document_number == "110105198501010039"


def test_one_person_per_document_number_per_community(world):
    with pytest.raises(ValidationError) as error:
        register(world, document_number=ZHANG_ID.lower())
    assert "document_number" in error.value.message_dict
    # the same person may be registered in another community
    other = resident_register(
        actor=world.users["other_admin"], household=world.other_household, name="张三丰",
        document_number=ZHANG_ID,
    )  # fmt: skip
    assert other.community == world.other_community


def test_a_grid_worker_cannot_register_in_another_grid(world):
    with pytest.raises(Http404):
        resident_register(actor=world.users["grid1"], household=world.household2, name="钱七")
    assert register(world, actor="grid1", name="钱七").household == world.household1


def test_update_keeps_fields_not_given_and_audits_changed_field_names_only(world):
    resident = resident_update(
        actor=world.users["grid1"], resident=world.zhang, phone="13800001234"
    )
    assert resident.phone == "13800001234" and resident.document_number == ZHANG_ID
    entry = AuditEntry.objects.get(action=AuditAction.UPDATE, target_id=str(resident.pk))
    assert entry.fields == ["phone"]
    assert "13800001234" not in str(entry.fields) + entry.target_label + entry.reason


def test_moving_a_resident_changes_household_building_and_is_audited(world):
    resident = resident_move(
        actor=world.users["admin"], resident=world.zhang, household=world.household2, reason="搬家"
    )
    assert (resident.household, resident.building) == (world.household2, world.building2)
    assert (
        AuditEntry.objects.filter(
            action=AuditAction.UPDATE, fields=["household"], reason="搬家"
        ).count()
        == 1
    )


def test_a_grid_worker_cannot_move_someone_into_another_grid(world):
    with pytest.raises(Http404):
        resident_move(actor=world.users["grid1"], resident=world.zhang, household=world.household2)


def test_moved_out_residents_are_kept(world):
    resident_mark_moved_out(actor=world.users["admin"], resident=world.zhang, reason="迁往外地")
    world.zhang.refresh_from_db()
    assert world.zhang.status == ResidentStatus.MOVED_OUT
    assert AuditEntry.objects.filter(target_id=str(world.zhang.pk), reason="迁往外地").exists()


def test_a_reveal_writes_exactly_one_audit_entry(world):
    before = AuditEntry.objects.count()
    value = resident_reveal(
        actor=world.users["admin"], resident=world.zhang, field="document_number", reason="核实身份"
    )
    assert value == ZHANG_ID
    assert AuditEntry.objects.count() == before + 1
    entry = AuditEntry.objects.latest("id")
    assert (entry.action, entry.actor, entry.fields, entry.reason) == (
        AuditAction.REVEAL, world.users["admin"], ["document_number"], "核实身份",
    )  # fmt: skip


def test_a_reveal_needs_a_reason(world):
    with pytest.raises(ValidationError):
        resident_reveal(
            actor=world.users["admin"], resident=world.zhang, field="phone", reason="  "
        )


def test_a_role_without_the_permission_cannot_reveal(world):
    with pytest.raises(PermissionDenied):
        resident_reveal(actor=world.users["grid1"], resident=world.zhang, field="phone", reason="x")
    with pytest.raises(Http404):
        resident_reveal(
            actor=world.users["admin"], resident=world.outsider, field="phone", reason="x"
        )
    assert not AuditEntry.objects.filter(action=AuditAction.REVEAL).exists()


def test_audit_entries_cannot_be_changed_or_deleted(world):
    resident_reveal(actor=world.users["admin"], resident=world.zhang, field="phone", reason="回访")
    entry = AuditEntry.objects.get()
    entry.reason = "nothing happened"
    with pytest.raises(TypeError):
        entry.save()
    with pytest.raises(TypeError):
        entry.delete()
    with pytest.raises(TypeError):
        AuditEntry.objects.all().delete()
    with pytest.raises(TypeError):
        AuditEntry.objects.update(reason="")


def test_the_audit_page_names_fields_in_the_readers_language(world, client_for):
    resident_update(
        actor=world.users["admin"], resident=world.zhang, phone="13800001234", tags=["chronic"]
    )
    page = client_for("admin").get("/audit/", headers={"accept-language": "en"}).content.decode()
    assert "phone" in page and "vulnerability tags" in page
    assert client_for("grid1").get("/audit/").status_code == 403
