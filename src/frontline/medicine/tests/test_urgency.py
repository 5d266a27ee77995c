"""Which medicine cannot wait: exact reasons for each word list and the dialysis tag."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from frontline.medicine.urgency import WORDS, reasons


@pytest.mark.parametrize(
    ("medicine", "tags", "expected"),
    [
        ("腹透液 2.5%", (), ("dialysis",)),
        ("门冬胰岛素注射液", (), ("insulin",)),
        ("Insulin glargine", (), ("insulin",)),
        ("左乙拉西坦片", (), ("epilepsy",)),
        ("丙戊酸钠缓释片", ("senior",), ("epilepsy",)),
        ("二甲双胍片", ("dialysis",), ("dialysis",)),
        ("透析用碳酸氢钠", ("dialysis",), ("dialysis",)),
        ("胰 岛 素", (), ("insulin",)),  # spaces do not hide a word
        ("ＩＮＳＵＬＩＮ", (), ("insulin",)),  # nor full-width letters
        ("二甲双胍片", ("living_alone", "senior"), ()),
        ("阿司匹林肠溶片", (), ()),
        ("门冬氨酸钾镁片", (), ()),  # a supplement, not insulin aspart
        ("诺和龙（瑞格列奈片）", (), ()),  # tablets, not insulin
        ("诺和锐笔芯", (), ("insulin",)),
    ],
)
def test_urgent_medicine_is_recognised_from_its_name_and_the_dialysis_tag(medicine, tags, expected):
    assert reasons(medicine=medicine, tags=tags) == expected


@given(
    prefix=st.text(max_size=10),
    reason=st.sampled_from(sorted(WORDS)),
    index=st.integers(min_value=0, max_value=20),
    suffix=st.text(max_size=10),
)
def test_every_listed_word_marks_its_reason_wherever_it_appears(prefix, reason, index, suffix):
    word = WORDS[reason][index % len(WORDS[reason])]
    assert reason in reasons(medicine=prefix + word + suffix)
