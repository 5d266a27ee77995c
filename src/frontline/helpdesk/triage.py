"""Which requests are urgent: pure rules over the category, the words and the person's tags.

No database here; `services.request_submit` feeds it the community's keywords and tag rules
(data an administrator edits) and stores the reasons it gives with the request.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass

# Shipped defaults until a community's administrator saves its own list.
DEFAULT_KEYWORDS = ("胸痛", "呼吸困难", "透析", "孕", "抢救", "轻生", "断药")
# Each rule is a set of vulnerability tags a person must all carry; "living_alone+senior" is
# someone living alone who is 65 or over.
DEFAULT_TAG_RULES = ("dialysis", "pregnant", "bedridden", "living_alone+senior")
URGENT_CATEGORIES = frozenset({"medical_emergency"})
# A vulnerable person's need for care, medicine, food or a working home is urgent; their
# complaint or an "other" request follows the ordinary clock.
TAG_CATEGORIES = frozenset({"medical_emergency", "medicine", "food", "psychological", "utilities"})

_IGNORED = frozenset({"Zs", "Cc", "Cf", "Zl", "Zp"})


def normalise(text: str) -> str:
    """Full-width letters and digits to half-width (NFKC), lower case, no spaces or controls:
    "胸 痛", "胸\u3000痛" and "胸痛" read the same."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return "".join(ch for ch in folded if unicodedata.category(ch) not in _IGNORED)


def clean_keywords(keywords: Iterable[str]) -> list[str]:
    """Keywords as stored: stripped, non-empty, each once, in the given order."""
    seen: dict[str, str] = {}
    for keyword in keywords:
        stripped = keyword.strip()
        if normalise(stripped) and normalise(stripped) not in seen:
            seen[normalise(stripped)] = stripped
    return list(seen.values())


def matched_keywords(text: str, keywords: Iterable[str]) -> list[str]:
    """The keywords found anywhere in the text, in the order of `keywords`."""
    haystack = normalise(text)
    return [word for word in keywords if normalise(word) and normalise(word) in haystack]


def parse_tag_rule(rule: str) -> frozenset[str]:
    return frozenset(part.strip() for part in rule.split("+") if part.strip())


def matched_tag_rules(tags: Collection[str], rules: Iterable[str]) -> list[str]:
    """The tag rules whose every tag the person carries."""
    held = set(tags)
    return [rule for rule in rules if parse_tag_rule(rule) and parse_tag_rule(rule) <= held]


@dataclass(frozen=True)
class Assessment:
    urgent: bool
    reasons: tuple[str, ...]  # "category:…", "keyword:…", "tag:…", "reported"


def assess(
    *,
    category: str,
    text: str,
    tags: Collection[str] = (),
    keywords: Sequence[str] = DEFAULT_KEYWORDS,
    tag_rules: Sequence[str] = DEFAULT_TAG_RULES,
    reported_urgent: bool = False,
) -> Assessment:
    """Urgent when the category is, a keyword appears in the text, the person matches a tag rule
    (for a need in `TAG_CATEGORIES`), or whoever took the request said so. Rules only raise."""
    reasons: list[str] = []
    if category in URGENT_CATEGORIES:
        reasons.append(f"category:{category}")
    reasons.extend(f"keyword:{word}" for word in matched_keywords(text, keywords))
    if category in TAG_CATEGORIES:
        reasons.extend(f"tag:{rule}" for rule in matched_tag_rules(tags, tag_rules))
    if reported_urgent:
        reasons.append("reported")
    return Assessment(urgent=bool(reasons), reasons=tuple(reasons))
