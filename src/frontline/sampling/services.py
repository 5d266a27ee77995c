"""The only writes of the testing ledger: rounds and sites, opening and closing tubes, adding
and undoing samples, recording lab results and acting on them.

Two samplers on one tube, a retried post, a double click: each sample write locks its tube row
first, and a scan carries an id (`scan_id`) that makes a repeated post return the sample it
already made. A person is sampled once per round (a unique constraint backs the check).
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from frontline.accounts.access import Permission, has_permission, require, scoped
from frontline.accounts.models import User
from frontline.control.models import ControlOrder, OrderStatus
from frontline.core.audit import audit_record
from frontline.core.models import AuditAction
from frontline.places.models import Building, Community, Household
from frontline.policy.models import ZoneLevel
from frontline.residents.models import Resident, Tag
from frontline.sampling.models import (
    POOL_SIZES,
    Exemption,
    ExemptionReason,
    ResultEntry,
    Round,
    RoundStatus,
    Sample,
    Site,
    Tube,
    TubeResult,
    TubeStatus,
)
from frontline.tasks.models import TaskPriority
from frontline.tasks.services import task_create
from frontline.zones.models import Zone

BARCODE_MAX = Tube._meta.get_field("barcode").max_length or 40
SCAN_ID_MAX = Sample._meta.get_field("scan_id").max_length or 64
REASON_MAX = Sample._meta.get_field("override_reason").max_length or 200


# -- rounds and sites ---------------------------------------------------------------------------


@transaction.atomic
def round_create(
    *, actor: User, community: Community, name: str, starts_at: dt.datetime | None,
    ends_at: dt.datetime | None, pool_size: int, buildings: Sequence[Building] = (),
    own_tube_tags: Sequence[str] = (), household_tubes: bool = False,
) -> Round:  # fmt: skip
    """A round over `buildings` (the whole community when none), every problem reported."""
    require(actor, Permission.PLAN_SAMPLING, community)
    errors: dict[str, list[str]] = {}
    if not name.strip():
        errors["name"] = [_("Give the round a name.")]
    if starts_at is None:
        errors["starts_at"] = [_("Enter when sampling starts.")]
    if ends_at is None:
        errors["ends_at"] = [_("Enter when sampling ends.")]
    elif starts_at is not None and ends_at <= starts_at:
        errors["ends_at"] = [_("Sampling must end after it starts.")]
    if pool_size not in POOL_SIZES:
        errors["pool_size"] = [
            _("Pool 1, 5, 10 or 20 people per tube."),
        ]
    if any(tag not in Tag.values for tag in own_tube_tags):
        errors["own_tube_tags"] = [_("Choose groups from the list.")]
    outside = [b for b in buildings if b.community_id != community.pk]
    if outside:
        errors["buildings"] = [
            _("Building %(number)s is not in this community.") % {"number": outside[0].number}
        ]
    if errors:
        raise ValidationError(errors)
    assert starts_at is not None and ends_at is not None
    created = Round.objects.create(
        community=community, name=name.strip(), starts_at=starts_at, ends_at=ends_at,
        pool_size=pool_size, own_tube_tags=sorted(set(own_tube_tags)),
        household_tubes=household_tubes, created_by=actor,
    )  # fmt: skip
    created.buildings.set(buildings)
    audit_record(
        actor=actor, action=AuditAction.CREATE, target=created, community_id=community.pk,
        label=created.name, details={"buildings": [b.pk for b in buildings], "pool": pool_size},
    )  # fmt: skip
    return created


@transaction.atomic
def site_create(
    *, actor: User, round: Round, name: str, tables: int, samplers: Sequence[User] = ()
) -> Site:
    require(actor, Permission.PLAN_SAMPLING, round)
    errors: dict[str, list[str]] = {}
    if not name.strip():
        errors["name"] = [_("Give the site a name.")]
    elif Site.objects.filter(round=round, name=name.strip()).exists():
        errors["name"] = [_("This round already has a site of this name.")]
    if not 1 <= tables <= 100:
        errors["tables"] = [_("A site has 1 to 100 tables.")]
    if errors:
        raise ValidationError(errors)
    site = Site.objects.create(round=round, name=name.strip(), tables=tables)
    site.samplers.set(samplers)
    return site


# -- tubes and samples --------------------------------------------------------------------------


def _clean_barcode(raw: str) -> str:
    return "".join(raw.split()).upper()


SEALED_LEVELS = (ZoneLevel.SEALED, ZoneLevel.HIGH)


class OwnTube(enum.Enum):
    CONTROL_ORDER = "control_order"
    SEALED = "sealed"
    LISTED = "listed"


def needs_own_tube(round: Round, resident: Resident) -> OwnTube | None:
    """Why the person must be sampled one per tube (DOMAIN.md), if they must: under an active
    control order, living in a sealed (or high-risk) building or unit, or of a group the round
    lists."""
    if ControlOrder.objects.filter(resident=resident, status=OrderStatus.ACTIVE).exists():
        return OwnTube.CONTROL_ORDER
    zones = Zone.objects.filter(lifted_on__isnull=True, level__in=SEALED_LEVELS).filter(
        Q(building_id=resident.building_id) | Q(unit__households=resident.household_id)
    )
    if zones.exists():
        return OwnTube.SEALED
    if round.own_tube_tags and set(resident.tag_values) & set(round.own_tube_tags):
        return OwnTube.LISTED
    return None


@transaction.atomic
def tube_open(
    *, actor: User, round: Round, barcode: str, site: Site | None = None,
    capacity: int | None = None,
) -> Tube:  # fmt: skip
    """Start filling the tube with `barcode`; refused when the barcode was ever used."""
    require(actor, Permission.SAMPLE, round)
    code = _clean_barcode(barcode)
    errors: dict[str, list[str]] = {}
    if round.status == RoundStatus.CLOSED:
        errors["round"] = [_("This round is closed.")]
    if not code or len(code) > BARCODE_MAX or not code.isalnum():
        errors["barcode"] = [_("A tube barcode is 1 to 40 letters and digits.")]
    size = capacity if capacity is not None else round.pool_size
    if size not in POOL_SIZES:
        errors["capacity"] = [_("Pool 1, 5, 10 or 20 people per tube.")]
    if site is not None and site.round_id != round.pk:
        errors["site"] = [_("This site belongs to another round.")]
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            tube = Tube.objects.create(
                round=round, site=site, barcode=code, capacity=size, opened_by=actor
            )
    except IntegrityError as error:
        raise ValidationError(
            {"barcode": [_("Tube %(code)s was already used.") % {"code": code}]}
        ) from error
    if round.status == RoundStatus.PLANNED:
        Round.objects.filter(pk=round.pk, status=RoundStatus.PLANNED).update(
            status=RoundStatus.SAMPLING
        )
    return tube


def in_scope(round: Round, resident: Resident) -> bool:
    if resident.community_id != round.community_id:
        return False
    listed = {b.pk for b in round.buildings.all()}
    return not listed or resident.building_id in listed


@dataclass(frozen=True)
class Added:
    sample: Sample
    tube: Tube
    repeated: bool  # the same scan posted again: nothing new was written


@transaction.atomic
def sample_add(
    *, actor: User, tube: Tube, resident: Resident, scan_id: str, override_reason: str = ""
) -> Added:
    """Put `resident`'s swab in `tube`. Idempotent by `scan_id`; the tube row is locked, so two
    samplers on one tube never overfill it; a full tube closes itself."""
    require(actor, Permission.SAMPLE, tube)
    scan = scan_id.strip()
    if not scan or len(scan) > SCAN_ID_MAX:
        raise ValidationError({"scan_id": [_("The scan has no id; reload the page.")]})
    locked = Tube.objects.select_for_update().select_related("round").get(pk=tube.pk)
    earlier = Sample.objects.filter(scan_id=scan).first()
    if earlier is not None:
        if earlier.tube_id != locked.pk or earlier.resident_id != resident.pk:
            raise ValidationError({"scan_id": [_("This scan id was used for another sample.")]})
        return Added(earlier, locked, repeated=True)
    round = locked.round
    errors: dict[str, list[str]] = {}
    reason = override_reason.strip()
    if locked.status != TubeStatus.OPEN:
        errors["tube"] = [_("Tube %(code)s is closed.") % {"code": locked.barcode}]
    elif locked.is_full:
        errors["tube"] = [_("Tube %(code)s is full.") % {"code": locked.barcode}]
    already = Sample.objects.filter(round=round, resident=resident).select_related("tube").first()
    if already is not None:
        errors["resident"] = [
            _("%(name)s was already sampled in this round (tube %(code)s).")
            % {"name": resident.name, "code": already.tube.barcode}
        ]
    if not in_scope(round, resident) and not reason:
        errors["override_reason"] = [
            _("%(name)s is outside this round's buildings; give a reason to sample them anyway.")
            % {"name": resident.name}
        ]
    if len(reason) > REASON_MAX:
        errors["override_reason"] = [_("The reason is at most 200 characters.")]
    why = needs_own_tube(round, resident) if locked.capacity > 1 else None
    first = Sample.objects.filter(tube=locked).select_related("resident").order_by("id").first()
    stranger = first is not None and first.resident.household_id != resident.household_id
    if why is not None and round.household_tubes and not stranger:
        why = None  # a tube of their own household, where the round allows it
    guarded = (
        why is None and round.household_tubes and stranger and first is not None
        and needs_own_tube(round, first.resident) is not None
    )  # fmt: skip
    if guarded and first is not None:
        errors["tube"] = [
            _("Tube %(code)s holds another household that is sampled on its own.")
            % {"code": locked.barcode}
        ]
    if why is not None:
        words = {
            OwnTube.CONTROL_ORDER: _(
                "%(name)s is under a control order and needs a tube of their own."
            ),
            OwnTube.SEALED: _("%(name)s lives in a sealed building and needs a tube of their own."),
            OwnTube.LISTED: _("%(name)s belongs to a group this round samples one per tube."),
        }
        errors["resident"] = [words[why] % {"name": resident.name}]
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            sample = Sample.objects.create(
                round=round, tube=locked, resident=resident, building_id=resident.building_id,
                scan_id=scan, override_reason=reason, sampled_by=actor,
            )  # fmt: skip
    except IntegrityError as error:  # the same person in another tube at the same moment
        raise ValidationError(
            {
                "resident": [
                    _("%(name)s was already sampled in this round.") % {"name": resident.name}
                ]
            }
        ) from error
    locked.size += 1
    fields = ["size"]
    if locked.is_full:
        locked.status, locked.closed_at = TubeStatus.CLOSED, timezone.now()
        fields += ["status", "closed_at"]
    locked.save(update_fields=fields)
    if reason:
        audit_record(
            actor=actor, action=AuditAction.CREATE, target=sample, community_id=round.community_id,
            label=resident.name, reason=reason, details={"out_of_scope": True},
        )  # fmt: skip
    return Added(sample, locked, repeated=False)


@transaction.atomic
def sample_undo(*, actor: User, tube: Tube) -> Sample | None:
    """Take the last person out of `tube` (a wrong scan); a tube that filled up opens again.
    None when the tube is empty. Refused once the tube has a result."""
    require(actor, Permission.SAMPLE, tube)
    locked = Tube.objects.select_for_update().get(pk=tube.pk)
    if locked.result != TubeResult.PENDING:
        raise ValidationError({"tube": [_("This tube already has a result.")]})
    last = Sample.objects.filter(tube=locked).select_related("resident").order_by("-id").first()
    if last is None:
        return None
    audit_record(
        actor=actor, action=AuditAction.DELETE, target=last,
        community_id=locked.round.community_id, label=last.resident.name,
        details={"tube": locked.barcode, "resident": last.resident_id},
    )  # fmt: skip
    last.delete()
    locked.size = F("size") - 1
    locked.status, locked.closed_at = TubeStatus.OPEN, None
    locked.save(update_fields=["size", "status", "closed_at"])
    locked.refresh_from_db(fields=["size"])
    return last


@transaction.atomic
def tube_close(*, actor: User, tube: Tube) -> Tube:
    """Close a tube by hand before it is full (the queue ended, the tube goes to the lab)."""
    require(actor, Permission.SAMPLE, tube)
    locked = Tube.objects.select_for_update().get(pk=tube.pk)
    if locked.size == 0:
        raise ValidationError(
            {"tube": [_("An empty tube is not closed; use it for the next person.")]}
        )
    if locked.status == TubeStatus.OPEN:
        locked.status, locked.closed_at = TubeStatus.CLOSED, timezone.now()
        locked.save(update_fields=["status", "closed_at"])
    return locked


# -- lab results and what a positive or invalid tube sets off -----------------------------------


@dataclass(frozen=True)
class ResultLine:
    """One result as a lab file or the API states it."""

    line: int
    barcode: str
    result: str
    reported_at: dt.datetime | None
    lab: str


@dataclass
class ResultReport:
    """What a batch of results did, line by line: nothing is dropped without being listed."""

    recorded: int = 0
    changed: list[tuple[int, str, str, str]] = field(default_factory=list)  # line, code, from, to
    duplicates: list[tuple[int, str]] = field(default_factory=list)
    unknown: list[tuple[int, str]] = field(default_factory=list)
    errors: list[tuple[int, str]] = field(default_factory=list)
    positive_tubes: list[Tube] = field(default_factory=list)
    invalid_tubes: list[Tube] = field(default_factory=list)
    tasks: int = 0


RESULT_WORDS = {
    "positive": TubeResult.POSITIVE, "阳性": TubeResult.POSITIVE, "+": TubeResult.POSITIVE,
    "negative": TubeResult.NEGATIVE, "阴性": TubeResult.NEGATIVE, "-": TubeResult.NEGATIVE,
    "invalid": TubeResult.INVALID, "无效": TubeResult.INVALID,
}  # fmt: skip
LAB_MAX = ResultEntry._meta.get_field("lab").max_length or 100


def _line_problem(line: ResultLine) -> str | None:
    if not _clean_barcode(line.barcode):
        return _("The tube barcode is empty.")
    if RESULT_WORDS.get(line.result.strip().lower()) is None:
        return _("%(value)s is not a result: use positive, negative or invalid.") % {
            "value": line.result or "—"
        }
    if line.reported_at is None:
        return _("The result has no time.")
    if not line.lab.strip() or len(line.lab.strip()) > LAB_MAX:
        return _("Name the laboratory (at most 100 characters).")
    return None


def _result_permission(actor: User) -> Permission:
    return (
        Permission.POST_LAB_RESULTS
        if has_permission(actor, Permission.POST_LAB_RESULTS)
        else Permission.RECORD_TESTS
    )


@transaction.atomic
def results_record(*, actor: User, lines: Iterable[ResultLine], source: str) -> ResultReport:
    """Record a lab's results, every line accounted for.

    Bad lines and barcodes unknown (or outside the actor's reach) are listed and skipped; a
    result equal to the tube's current one is a duplicate; a different one is kept as a new
    entry with its source and becomes the tube's result. Every tube that turns positive starts
    the trace-back at once (`positive_actions`); an invalid tube asks for re-sampling.
    """
    permission = _result_permission(actor)
    if not has_permission(actor, permission):
        raise PermissionDenied
    report = ResultReport()
    valid: list[tuple[ResultLine, str, str]] = []
    for line in lines:
        problem = _line_problem(line)
        if problem:
            report.errors.append((line.line, problem))
        else:
            valid.append(
                (line, _clean_barcode(line.barcode), RESULT_WORDS[line.result.strip().lower()])
            )
    tubes = {
        tube.barcode: tube
        for tube in Tube.objects.filter(scoped(actor, permission, Tube))
        .filter(barcode__in={code for _line, code, _result in valid})
        .select_for_update(of=("self",))
        .select_related("round")
        .order_by("barcode")
    }
    turned: dict[int, Tube] = {}
    for line, code, result in valid:
        tube = tubes.get(code)
        if tube is None:
            report.unknown.append((line.line, code))
            continue
        if tube.result == result:
            report.duplicates.append((line.line, code))
            continue
        if tube.result != TubeResult.PENDING:
            report.changed.append((line.line, code, tube.result, result))
        assert line.reported_at is not None  # checked by _line_problem
        ResultEntry.objects.create(
            tube=tube, result=result, lab=line.lab.strip(), reported_at=line.reported_at,
            source=source[:200], recorded_by=actor,
        )  # fmt: skip
        tube.result = result
        tube.save(update_fields=["result"])
        report.recorded += 1
        turned[tube.pk] = tube
    for tube in turned.values():
        if tube.result == TubeResult.POSITIVE:
            report.positive_tubes.append(tube)
            report.tasks += positive_actions(actor=actor, tube=tube)
        elif tube.result == TubeResult.INVALID:
            report.invalid_tubes.append(tube)
            report.tasks += resample_actions(actor=actor, tube=tube)
    if report.recorded:
        audit_record(
            actor=actor, action=AuditAction.CREATE, label=source[:200],
            details={"recorded": report.recorded, "changed": len(report.changed),
                     "duplicates": len(report.duplicates), "unknown": len(report.unknown),
                     "errors": len(report.errors), "positive": len(report.positive_tubes)},
        )  # fmt: skip
    return report


def tube_people(tube: Tube) -> list[Sample]:
    """Who is in `tube`, with their households: one indexed query."""
    return list(
        Sample.objects.filter(tube=tube)
        .select_related("resident__household__unit__building")
        .order_by("resident__household_id", "id")
    )


def trace_back(*, round: Round, barcodes: Iterable[str]) -> dict[str, list[Sample]]:
    """Who is in each of the round's tubes named, with their households, in three queries
    however many tubes (a positive morning can name a thousand): the samples with their people,
    then each tube and each household (with unit and building) once, shared by its samples
    rather than copied into every row."""
    codes = sorted({_clean_barcode(code) for code in barcodes})
    samples = (
        Sample.objects.filter(round=round, tube__barcode__any=codes)
        .select_related("resident")
        .prefetch_related(
            "tube",
            Prefetch("resident__household", Household.objects.select_related("unit__building")),
        )
        .order_by("tube__barcode", "resident__household_id", "id")
    )
    found: dict[str, list[Sample]] = {}
    for sample in samples:
        found.setdefault(sample.tube.barcode, []).append(sample)
    return found


def positive_actions(*, actor: User | None, tube: Tube) -> int:
    """A positive tube: one urgent on-the-spot control task per household for its grid worker,
    naming the people and asking for one-per-tube re-sampling; how many tasks were made."""
    samples = tube_people(tube)
    households: dict[int, list[Sample]] = {}
    for sample in samples:
        households.setdefault(sample.resident.household_id, []).append(sample)
    single = tube.capacity == 1
    for group in households.values():
        household = group[0].resident.household
        names = "、".join(sample.resident.name for sample in group)
        title = (
            _(
                "Positive single tube %(code)s: %(names)s (%(home)s): hold on the spot, report the case"
            )
            if single
            else _(
                "Positive pool %(code)s: hold %(names)s (%(home)s) on the spot and re-sample one per tube"
            )
        ) % {"code": tube.barcode, "names": names, "home": household.label}
        task_create(
            title=title, target=household, source=tube, priority=TaskPriority.URGENT, actor=actor,
            description=_("Tube %(code)s tested positive; these people were in it: %(names)s.")
            % {"code": tube.barcode, "names": names},
        )  # fmt: skip
    return len(households)


def resample_actions(*, actor: User | None, tube: Tube) -> int:
    """An invalid tube: a re-sampling task per household of its people."""
    households: dict[int, list[Sample]] = {}
    for sample in tube_people(tube):
        households.setdefault(sample.resident.household_id, []).append(sample)
    for group in households.values():
        household = group[0].resident.household
        task_create(
            title=_("Re-sample %(names)s (%(home)s): tube %(code)s was invalid")
            % {"names": "、".join(s.resident.name for s in group), "home": household.label,
               "code": tube.barcode},
            target=household, source=tube, priority=TaskPriority.HIGH, actor=actor,
        )  # fmt: skip
    return len(households)


# -- exemptions ---------------------------------------------------------------------------------

NOTE_MAX = Exemption._meta.get_field("note").max_length or 200


@transaction.atomic
def exemption_record(
    *, actor: User, round: Round, resident: Resident, reason: str, note: str = ""
) -> Exemption | None:
    """Say why someone of the round will not come to a site, or (`reason=""`) take that back.
    Whoever records health information for the person may; audited."""
    require(actor, Permission.RECORD_HEALTH, resident)
    if resident.community_id != round.community_id:
        raise ValidationError({"resident": [_("This person is not in the round's community.")]})
    if not reason:
        Exemption.objects.filter(round=round, resident=resident).delete()
        audit_record(
            actor=actor, action=AuditAction.DELETE, community_id=round.community_id,
            label=resident.name, fields=["exemption"], details={"round": round.pk},
        )  # fmt: skip
        return None
    errors: dict[str, list[str]] = {}
    if reason not in ExemptionReason.values:
        errors["reason"] = [_("Choose a reason.")]
    if len(note.strip()) > NOTE_MAX:
        errors["note"] = [_("The note is at most 200 characters.")]
    if errors:
        raise ValidationError(errors)
    exemption, _created = Exemption.objects.update_or_create(
        round=round, resident=resident,
        defaults={"reason": reason, "note": note.strip(), "recorded_by": actor},
    )  # fmt: skip
    audit_record(
        actor=actor, action=AuditAction.UPDATE, target=exemption, community_id=round.community_id,
        label=resident.name, fields=["exemption"], details={"round": round.pk, "reason": reason},
    )  # fmt: skip
    return exemption
