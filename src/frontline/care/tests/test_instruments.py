"""Scoring of PHQ-9, GAD-7 and their pre-screens: every band boundary, item-9 urgency, gating,
and (by property) that a total is the sum of valid answers and nothing else is accepted."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from frontline.care import instruments
from frontline.care.instruments import INSTRUMENTS, Band, Code, score


def answers_totalling(code: Code, total: int, *, item9: int = 0) -> list[int]:
    """Answers of `code` that add up to `total`, with PHQ-9 item 9 set to `item9`."""
    count = len(INSTRUMENTS[code].items)
    answers = [0] * count
    rest = total
    if code == Code.PHQ9:
        item9 = max(item9, total - 24)  # 25 and above need item 9
        answers[8] = item9
        rest -= item9
    for index in range(count):
        if code == Code.PHQ9 and index == 8:
            continue
        answers[index] = min(3, rest)
        rest -= answers[index]
    assert rest == 0 and sum(answers) == total
    return answers


PHQ9_BANDS = [
    (0, Band.MINIMAL), (4, Band.MINIMAL), (5, Band.MILD), (9, Band.MILD), (10, Band.MODERATE),
    (14, Band.MODERATE), (15, Band.MODERATELY_SEVERE), (19, Band.MODERATELY_SEVERE),
    (20, Band.SEVERE), (27, Band.SEVERE),
]  # fmt: skip
GAD7_BANDS = [
    (0, Band.MINIMAL), (4, Band.MINIMAL), (5, Band.MILD), (9, Band.MILD), (10, Band.MODERATE),
    (14, Band.MODERATE), (15, Band.SEVERE), (21, Band.SEVERE),
]  # fmt: skip


@pytest.mark.parametrize(("total", "band"), PHQ9_BANDS)
def test_phq9_bands_at_every_boundary(total, band):
    answers = answers_totalling(Code.PHQ9, total)
    result = score("phq9", answers)
    assert (result.total, result.band, result.urgent) == (total, band, answers[8] > 0)


@pytest.mark.parametrize(("total", "band"), GAD7_BANDS)
def test_gad7_bands_at_every_boundary(total, band):
    result = score("gad7", answers_totalling(Code.GAD7, total))
    assert (result.total, result.band, result.urgent) == (total, band, False)


def test_every_total_of_each_instrument_has_exactly_the_domain_band():
    expected = {
        Code.PHQ9: lambda t: [Band.MINIMAL] * 5 + [Band.MILD] * 5 + [Band.MODERATE] * 5
        + [Band.MODERATELY_SEVERE] * 5 + [Band.SEVERE] * 8,
        Code.GAD7: lambda t: [Band.MINIMAL] * 5 + [Band.MILD] * 5 + [Band.MODERATE] * 5
        + [Band.SEVERE] * 7,
    }  # fmt: skip
    for code, bands in expected.items():
        top = INSTRUMENTS[code].max_total
        assert [instruments.band_for(code, t) for t in range(top + 1)] == bands(top)


@pytest.mark.parametrize("item9", [1, 2, 3])
@pytest.mark.parametrize("total", range(1, 28))
def test_phq9_item_9_above_0_is_urgent_at_every_total(total, item9):
    if item9 > total:
        pytest.skip("item 9 cannot exceed the total")
    result = score("phq9", answers_totalling(Code.PHQ9, total, item9=item9))
    assert result.urgent and result.total == total


def test_item_9_at_0_is_not_urgent_even_when_severe_and_gad7_is_never_urgent():
    assert not score("phq9", [3, 3, 3, 3, 3, 3, 3, 3, 0]).urgent
    assert not score("gad7", [3] * 7).urgent


@pytest.mark.parametrize(("code", "full"), [("phq2", Code.PHQ9), ("gad2", Code.GAD7)])
def test_a_pre_screen_of_3_or_more_leads_to_the_full_instrument(code, full):
    for first, second in [(0, 0), (1, 1), (2, 0), (0, 2), (1, 2), (3, 0), (2, 2), (3, 3)]:
        result = score(code, [first, second])
        positive = first + second >= 3
        assert result.needs_full_instrument is positive
        assert instruments.leads_to_full(result.total) is positive
        assert result.band == (None if positive else Band.NEGATIVE)
        assert not result.urgent
    assert INSTRUMENTS[Code(code)].full == full
    assert INSTRUMENTS[Code(code)].items == INSTRUMENTS[full].items[:2]


def test_the_wording_is_the_instruments_own_in_both_languages():
    assert len(INSTRUMENTS[Code.PHQ9].items) == 9 and len(INSTRUMENTS[Code.GAD7].items) == 7
    item9 = INSTRUMENTS[Code.PHQ9].items[8]
    with translation.override("zh-hans"):
        assert str(item9) == "有不如死掉或用某种方式伤害自己的念头"
        assert [str(o) for o in instruments.OPTIONS] == [
            "完全不会",
            "好几天",
            "一半以上的天数",
            "几乎每天",
        ]
    with translation.override("en"):
        assert str(item9).startswith("Thoughts that you would be better off dead")
        assert str(instruments.OPTIONS[2]) == "More than half the days"


def test_a_wrong_count_is_rejected_naming_the_expected_number():
    with translation.override("en"), pytest.raises(ValidationError) as raised:
        score("phq9", [0] * 8)
    assert raised.value.message_dict == {
        "answers": ["PHQ-9 has 9 questions; 8 answers were given."]
    }


def test_each_bad_answer_is_named_by_its_question():
    with translation.override("en"), pytest.raises(ValidationError) as raised:
        score("gad7", [0, 4, "1", None, True, -1, 1.0])
    assert set(raised.value.message_dict) == {f"item_{n}" for n in (2, 3, 4, 5, 6, 7)}
    assert raised.value.message_dict["item_2"] == [
        "Question 2: choose one of the four answers (0 to 3)."
    ]


def test_an_unknown_instrument_is_rejected():
    with pytest.raises(ValidationError) as raised:
        score("bdi", [0])
    assert "instrument" in raised.value.message_dict


def test_the_errors_are_translated():
    with translation.override("zh-hans"), pytest.raises(ValidationError) as raised:
        score("phq9", "0,1")
    assert list(raised.value.message_dict) == ["answers"]


CODES = st.sampled_from(list(Code))


@given(code=CODES, data=st.data())
def test_the_total_is_the_sum_of_any_valid_answers(code, data):
    count = len(INSTRUMENTS[code].items)
    answers = data.draw(st.lists(st.integers(0, 3), min_size=count, max_size=count))
    result = score(code.value, answers)
    assert result.total == sum(answers)
    assert result.answers == tuple(answers)
    assert result.urgent == (code == Code.PHQ9 and answers[8] > 0)
    if INSTRUMENTS[code].is_prescreen:
        assert result.needs_full_instrument == (sum(answers) >= 3)
    else:
        assert result.band is not None


ANYTHING = st.one_of(
    st.integers(), st.booleans(), st.none(), st.floats(allow_nan=True), st.text(max_size=3),
)  # fmt: skip


@given(code=CODES, answers=st.lists(ANYTHING, max_size=12))
def test_anything_but_the_right_count_of_scores_0_to_3_is_rejected(code, answers):
    count = len(INSTRUMENTS[code].items)
    valid = len(answers) == count and all(
        type(answer) is int and 0 <= answer <= 3 for answer in answers
    )
    if valid:
        assert score(code.value, answers).total == sum(answers)
    else:
        with pytest.raises(ValidationError):
            score(code.value, answers)
