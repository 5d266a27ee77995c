"""Which medicine requests cannot wait (no database): a missed dialysis, insulin or
anti-epileptic dose is an emergency, so these are flagged from the medicine's name or the
person's dialysis tag, and planned and delivered first."""

from __future__ import annotations

import unicodedata
from collections.abc import Collection

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

# Reason -> words that mark it, matched in the medicine's name after folding (NFKC, lower case).
WORDS: dict[str, tuple[str, ...]] = {
    "dialysis": ("透析", "腹透液", "dialysis"),
    # with the brands that do not say 胰岛素 (诺和灵/锐/平, 优泌林/乐, 来得时, 长秀霖, 甘舒霖)
    "insulin": (
        "胰岛素", "insulin", "诺和灵", "诺和锐", "诺和平", "优泌林", "优泌乐", "来得时", "长秀霖",
        "甘舒霖",
    ),
    "epilepsy": (
        "癫痫", "抗癫", "丙戊酸", "卡马西平", "奥卡西平", "左乙拉西坦", "拉莫三嗪", "苯妥英",
        "托吡酯", "epilep", "levetiracetam", "valpro", "carbamazepine", "lamotrigine",
    ),
}  # fmt: skip
URGENT_TAGS = frozenset({"dialysis"})
LABELS = {
    "dialysis": pgettext_lazy("medicine", "Dialysis"),
    "insulin": _("Insulin"),
    "epilepsy": _("Epilepsy"),
}


def fold(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).casefold().split())


def reasons(*, medicine: str, tags: Collection[str] = ()) -> tuple[str, ...]:
    """The reasons (keys of `LABELS`) this request is urgent; empty when it can wait."""
    name = fold(medicine)
    found = [reason for reason, words in WORDS.items() if any(word in name for word in words)]
    if "dialysis" not in found and URGENT_TAGS & set(tags):
        found.insert(0, "dialysis")
    return tuple(found)
