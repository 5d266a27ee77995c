"""The triage rules: category, keywords (anywhere, full-width or spaced) and vulnerability tags."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from frontline.helpdesk import triage
from frontline.helpdesk.triage import DEFAULT_KEYWORDS, DEFAULT_TAG_RULES, assess


def test_a_medical_emergency_is_urgent_by_its_category_alone():
    result = assess(category="medical_emergency", text="请来一下")
    assert result == triage.Assessment(urgent=True, reasons=("category:medical_emergency",))


@pytest.mark.parametrize("keyword", DEFAULT_KEYWORDS)
def test_each_default_keyword_marks_a_food_request_urgent(keyword):
    result = assess(category="food", text=f"老人{keyword}，需要帮忙")
    assert result == triage.Assessment(urgent=True, reasons=(f"keyword:{keyword}",))


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("胸 痛 两小时", ["胸痛"]),
        ("呼吸\u3000困难", ["呼吸困难"]),  # an ideographic space
        ("明天透析，车没了", ["透析"]),
        ("怀孕7个月", ["孕"]),
        ("断药三天，胸痛", ["胸痛", "断药"]),
        ("家里水管漏水", []),
    ],
)
def test_keywords_are_found_through_spaces_in_the_order_of_the_list(text, found):
    assert triage.matched_keywords(text, DEFAULT_KEYWORDS) == found


def test_full_width_latin_keywords_match_half_width_text_and_back():
    assert triage.matched_keywords("需要ＳＯＳ", ["sos"]) == ["sos"]
    assert triage.matched_keywords("need sos now", ["ＳＯＳ"]) == ["ＳＯＳ"]


@pytest.mark.parametrize(
    ("tags", "reasons"),
    [
        ({"dialysis"}, ("tag:dialysis",)),
        ({"pregnant"}, ("tag:pregnant",)),
        ({"bedridden"}, ("tag:bedridden",)),
        ({"living_alone", "senior"}, ("tag:living_alone+senior",)),
        ({"living_alone"}, ()),  # living alone but under 65
        ({"senior"}, ()),  # 65+ but not alone
        ({"chronic", "infant"}, ()),
    ],
)
def test_each_tag_rule_marks_a_need_urgent(tags, reasons):
    result = assess(category="medicine", text="要买药", tags=tags)
    assert result == triage.Assessment(urgent=bool(reasons), reasons=reasons)


@pytest.mark.parametrize("category", ["complaint", "other"])
def test_tags_do_not_make_a_complaint_or_other_request_urgent(category):
    assert assess(category=category, text="楼道太吵", tags={"dialysis", "pregnant"}).urgent is False


def test_a_worker_may_raise_the_urgency_but_no_rule_lowers_it():
    assert assess(category="other", text="请回电", reported_urgent=True).reasons == ("reported",)
    assert assess(category="other", text="胸痛", reported_urgent=False).urgent is True


def test_a_community_list_replaces_the_defaults():
    assert assess(category="food", text="胸痛", keywords=["高烧"], tag_rules=[]).urgent is False
    assert assess(category="food", text="高 烧", keywords=["高烧"], tag_rules=[]).reasons == (
        "keyword:高烧",
    )


def test_clean_keywords_strips_blanks_and_repeats():
    assert triage.clean_keywords([" 胸痛 ", "", "胸 痛", "透析"]) == ["胸痛", "透析"]
    assert DEFAULT_TAG_RULES == ("dialysis", "pregnant", "bedridden", "living_alone+senior")


# -- properties ---------------------------------------------------------------------------------

NON_URGENT_CATEGORIES = ["medicine", "food", "psychological", "utilities", "complaint", "other"]
# Text built from characters that neither are nor fold (NFKC) into a keyword's characters.
KEYWORD_CHARS = set("".join(DEFAULT_KEYWORDS))
safe_text = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]).filter(
        lambda ch: not set(unicodedata.normalize("NFKC", ch).casefold()) & KEYWORD_CHARS
    ),
    max_size=60,
)
# Chinese and ASCII only: no combining mark that NFKC would fuse with a neighbour.
plain_text = st.text(
    alphabet=st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF)
    | st.characters(min_codepoint=0x21, max_codepoint=0x7E),
    max_size=30,
)
spacing = st.sampled_from(["", " ", "\u3000", "\t", "\n", "  "])


def to_full_width(text: str) -> str:
    return "".join(chr(ord(ch) + 0xFEE0) if "!" <= ch <= "~" else ch for ch in text)


@given(
    before=safe_text, after=safe_text, keyword=st.sampled_from(DEFAULT_KEYWORDS),
    gap=spacing, category=st.sampled_from(NON_URGENT_CATEGORIES), full_width=st.booleans(),
)  # fmt: skip
def test_a_keyword_anywhere_marks_the_request_urgent(
    before, after, keyword, gap, category, full_width
):
    spaced = gap.join(keyword)
    text = f"{before}{gap}{spaced}{gap}{after}"
    if full_width:
        text = to_full_width(text)
    result = assess(category=category, text=text, tags=())
    assert result.urgent
    assert f"keyword:{keyword}" in result.reasons


@given(
    text=safe_text, category=st.sampled_from(NON_URGENT_CATEGORIES),
    tags=st.sets(st.sampled_from(["chronic", "disabled", "infant", "mental_health", "living_alone"])),
)  # fmt: skip
def test_text_without_a_keyword_in_a_non_urgent_category_never_is(text, category, tags):
    assert assess(category=category, text=text, tags=tags) == triage.Assessment(False, ())


@given(word=plain_text.filter(bool), text=plain_text)
def test_a_community_keyword_is_found_in_any_text_that_contains_it(word, text):
    assert triage.matched_keywords(text + word + text, [word]) == [word]
