"""Reads of the testing ledger, each scoped to the viewer.

Planners (PLAN_SAMPLING) and health workers (VIEW_HEALTH) see the rounds of their communities;
a sampler (SAMPLE without PLAN_SAMPLING) sees only the rounds and sites they are assigned to.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, Q, QuerySet
from django.shortcuts import get_object_or_404

from frontline.accounts.access import Permission, has_permission, scoped
from frontline.accounts.models import User
from frontline.residents.models import Resident
from frontline.sampling.models import ResultEntry, Round, Sample, Site, Tube, TubeResult

Viewer = User | AnonymousUser


def _round_scope(viewer: Viewer) -> Q:
    assigned = scoped(viewer, Permission.SAMPLE, Round) & Q(sites__samplers=viewer.pk)
    if has_permission(viewer, Permission.SAMPLE) and not has_permission(
        viewer, Permission.PLAN_SAMPLING
    ):
        return assigned  # a sampler: only where they are assigned, whatever else they read
    return scoped(viewer, Permission.PLAN_SAMPLING, Round) | scoped(
        viewer, Permission.VIEW_HEALTH, Round
    )


def round_list(*, viewer: Viewer) -> QuerySet[Round]:
    """The viewer's rounds; for a sub-district officer, every round of the sub-district (whose
    reports they read)."""
    reach = _round_scope(viewer) | scoped(viewer, Permission.VIEW_AGGREGATES, Round)
    return (
        Round.objects.filter(pk__in=Round.objects.filter(reach).values("pk"))
        .select_related("community")
        .annotate(
            tube_count=Count("tubes", distinct=True),
            positive_count=Count(
                "tubes", filter=Q(tubes__result=TubeResult.POSITIVE), distinct=True
            ),
        )
        .order_by("-starts_at", "-id")
    )


def round_get(*, viewer: Viewer, pk: int) -> Round:
    return get_object_or_404(
        Round.objects.filter(pk__in=Round.objects.filter(_round_scope(viewer)).values("pk"))
        .select_related("community")
        .prefetch_related("buildings"),
        pk=pk,
    )


def round_for_report(*, viewer: Viewer, pk: int) -> Round:
    """A round whose counts the viewer may read: their own rounds, or any round of their
    sub-district for an officer (the report names no one)."""
    reach = _round_scope(viewer) | scoped(viewer, Permission.VIEW_AGGREGATES, Round)
    return get_object_or_404(
        Round.objects.filter(pk__in=Round.objects.filter(reach).values("pk"))
        .select_related("community")
        .prefetch_related("buildings"),
        pk=pk,
    )


def sites_for(*, viewer: Viewer, round: Round) -> QuerySet[Site]:
    """The round's sites the viewer may sample at (every site for a planner)."""
    sites = Site.objects.filter(round=round).prefetch_related("samplers").order_by("name", "id")
    if has_permission(viewer, Permission.PLAN_SAMPLING):
        return sites
    return sites.filter(samplers=viewer.pk)


def tube_get(*, viewer: Viewer, pk: int) -> Tube:
    rounds = Round.objects.filter(_round_scope(viewer)).values("pk")
    return get_object_or_404(
        Tube.objects.filter(round__in=rounds).select_related("round", "site", "opened_by"), pk=pk
    )


def sample_by_scan(*, round: Round, scan_id: str) -> Sample | None:
    if not scan_id:
        return None
    return (
        Sample.objects.filter(round=round, scan_id=scan_id)
        .select_related("resident", "tube")
        .first()
    )


def tube_results(tube: Tube) -> list[ResultEntry]:
    return list(tube.results.select_related("recorded_by").order_by("created_at", "id"))


def open_tube(*, viewer: Viewer, round: Round, site: Site | None) -> Tube | None:
    """The tube this sampler is filling at this site: the last open one they opened."""
    return (
        Tube.objects.filter(round=round, site=site, opened_by=viewer.pk, status="open")
        .order_by("-id")
        .first()
    )


@dataclass(frozen=True)
class SiteCount:
    samples: int
    tubes: int
    per_hour: float


def site_count(*, round: Round, site: Site | None) -> SiteCount:
    """The running count at a site and its rate over the last hour of sampling."""
    from datetime import timedelta

    from django.utils import timezone

    samples = Sample.objects.filter(round=round, tube__site=site)
    hour_ago = timezone.now() - timedelta(hours=1)
    counts = samples.aggregate(
        total=Count("id"), tubes=Count("tube", distinct=True),
        last_hour=Count("id", filter=Q(sampled_at__gte=hour_ago)),
    )  # fmt: skip
    return SiteCount(counts["total"], counts["tubes"], float(counts["last_hour"]))


def positive_tubes(*, round: Round) -> QuerySet[Tube]:
    return round.tubes.filter(result=TubeResult.POSITIVE).order_by("barcode")


def residents_in_reach(*, viewer: Viewer) -> QuerySet[Resident]:
    return Resident.objects.filter(scoped(viewer, Permission.VIEW_RESIDENTS, Resident))


RECENT_ROUNDS = 3


def recent_positivity(community_id: int) -> tuple[float | None, int]:
    """The prevalence the community's last rounds with results point to (from their tubes'
    sizes and results), and how many rounds that was; (None, 0) without any."""
    from frontline.sampling.pooling import prevalence_from_pools

    rounds = list(
        Round.objects.filter(community_id=community_id, tubes__result__in=RESULTED)
        .distinct()
        .order_by("-starts_at", "-id")
        .values_list("pk", flat=True)[:RECENT_ROUNDS]
    )
    tubes = Tube.objects.filter(round__in=rounds, result__in=RESULTED, size__gt=0)
    found = [
        (size, result == TubeResult.POSITIVE)
        for size, result in tubes.values_list("size", "result")
    ]
    return prevalence_from_pools(found), len(rounds)


RESULTED = (TubeResult.POSITIVE, TubeResult.NEGATIVE)
