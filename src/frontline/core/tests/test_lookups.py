"""The `__any` lookup matches exactly what `__in` matches, on both databases."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from frontline.residents.models import Resident, ResidentTag, Tag

NAMES = ["张三丰", "李四", "王五", "赵六", ""]


def test_any_matches_like_in(world):
    for chosen in ([], ["张三丰"], ["李四", "王五", "无此人"], NAMES):
        by_any = set(Resident.objects.filter(name__any=chosen).values_list("pk", flat=True))
        by_in = set(Resident.objects.filter(name__in=chosen).values_list("pk", flat=True))
        assert by_any == by_in
    assert Resident.objects.filter(name__any=["张三丰"]).get() == world.zhang


def test_any_on_integers_agrees_with_in(world):
    known = sorted(Resident.objects.values_list("pk", flat=True))

    @settings(max_examples=25, deadline=None)
    @given(st.lists(st.sampled_from([*known, -1, 0, max(known) + 1]), max_size=20))
    def agrees(ids: list[int]) -> None:
        by_any = set(Resident.objects.filter(pk__any=ids))
        assert by_any == set(Resident.objects.filter(pk__in=ids))

    agrees()


def test_any_on_a_foreign_key_agrees_with_in(world):
    ResidentTag.objects.create(resident=world.zhang, tag=Tag.DIALYSIS)
    others = Resident.objects.exclude(pk=world.zhang.pk).values_list("pk", flat=True)
    ids = [world.zhang.pk, -1, *others]
    for chosen in ([], ids[:1], ids):
        by_any = set(ResidentTag.objects.filter(resident_id__any=chosen))
        assert by_any == set(ResidentTag.objects.filter(resident_id__in=chosen))
    tags = ResidentTag.objects.filter(resident_id__any=ids[:1]).values_list("tag", flat=True)
    assert Tag.DIALYSIS in set(tags)
