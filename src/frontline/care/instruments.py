"""PHQ-9 and GAD-7 (and their two-item pre-screens PHQ-2 and GAD-2): wording, scoring, bands.

No database: the services, pages and API hand in answers and get a `Result` back. The item
wording is the instrument's own (the widely used Simplified Chinese versions and the English
originals, both public domain), kept here rather than in the translation catalogues so that
nobody rewords a validated question by editing a `.po` file.

Scoring follows DOMAIN.md: every item 0-3; PHQ-9 0-4 minimal, 5-9 mild, 10-14 moderate, 15-19
moderately severe, 20-27 severe; GAD-7 0-4 minimal, 5-9 mild, 10-14 moderate, 15-21 severe.
PHQ-9 item 9 (thoughts of self-harm) above 0 is urgent whatever the total. A pre-screen total
of 3 or more leads to the full instrument.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import get_language, gettext_lazy, ngettext
from django.utils.translation import gettext as _

PRESCREEN_THRESHOLD = 3  # a PHQ-2 / GAD-2 total at or above this leads to the full instrument
SELF_HARM_ITEM = 9  # PHQ-9's item about thoughts of being better off dead or of self-harm


class Code(enum.StrEnum):
    PHQ9 = "phq9"
    GAD7 = "gad7"
    PHQ2 = "phq2"
    GAD2 = "gad2"


class Band(enum.StrEnum):
    NEGATIVE = "negative"  # a pre-screen below 3
    MINIMAL = "minimal"
    MILD = "mild"
    MODERATE = "moderate"
    MODERATELY_SEVERE = "moderately_severe"
    SEVERE = "severe"


BAND_LABELS = {
    Band.NEGATIVE: gettext_lazy("Pre-screen below 3"),
    Band.MINIMAL: gettext_lazy("Minimal"),
    Band.MILD: gettext_lazy("Mild"),
    Band.MODERATE: gettext_lazy("Moderate"),
    Band.MODERATELY_SEVERE: gettext_lazy("Moderately severe"),
    Band.SEVERE: gettext_lazy("Severe"),
}
# Bands at which a care case is opened or its risk raised.
CASE_BANDS = frozenset({Band.MODERATE, Band.MODERATELY_SEVERE, Band.SEVERE})


@dataclass(frozen=True)
class Wording:
    zh: str
    en: str

    def __str__(self) -> str:
        return self.en if (get_language() or "").startswith("en") else self.zh


# The answer options, by score.
OPTIONS: tuple[Wording, ...] = (
    Wording("完全不会", "Not at all"),
    Wording("好几天", "Several days"),
    Wording("一半以上的天数", "More than half the days"),
    Wording("几乎每天", "Nearly every day"),
)
SCORES = range(len(OPTIONS))  # 0..3

STEM = Wording(
    "在过去的两周里，您有多少时间受到以下问题的困扰？",
    "Over the last 2 weeks, how often have you been bothered by any of the following problems?",
)

PHQ9_ITEMS: tuple[Wording, ...] = (
    Wording("做事时提不起劲或没有兴趣", "Little interest or pleasure in doing things"),
    Wording("感到心情低落、沮丧或绝望", "Feeling down, depressed, or hopeless"),
    Wording(
        "入睡困难、睡不安稳或睡眠过多", "Trouble falling or staying asleep, or sleeping too much"
    ),
    Wording("感觉疲倦或没有活力", "Feeling tired or having little energy"),
    Wording("食欲不振或吃太多", "Poor appetite or overeating"),
    Wording(
        "觉得自己很糟，或觉得自己很失败，或让自己或家人失望",
        "Feeling bad about yourself, or that you are a failure or have let yourself or your "
        "family down",
    ),
    Wording(
        "对事物专注有困难，例如阅读报纸或看电视时",
        "Trouble concentrating on things, such as reading the newspaper or watching television",
    ),
    Wording(
        "动作或说话速度缓慢到别人已经觉察？或正好相反，烦躁或坐立不安、动来动去的情况更胜于平常",
        "Moving or speaking so slowly that other people could have noticed? Or the opposite, "
        "being so fidgety or restless that you have been moving around a lot more than usual",
    ),
    Wording(
        "有不如死掉或用某种方式伤害自己的念头",
        "Thoughts that you would be better off dead or of hurting yourself in some way",
    ),
)

GAD7_ITEMS: tuple[Wording, ...] = (
    Wording("感觉紧张、焦虑或急切", "Feeling nervous, anxious or on edge"),
    Wording("不能够停止或控制担忧", "Not being able to stop or control worrying"),
    Wording("对各种各样的事情担忧过多", "Worrying too much about different things"),
    Wording("很难放松下来", "Trouble relaxing"),
    Wording("由于不安而无法静坐", "Being so restless that it is hard to sit still"),
    Wording("变得容易烦恼或急躁", "Becoming easily annoyed or irritable"),
    Wording(
        "感到似乎将有可怕的事情发生而害怕", "Feeling afraid as if something awful might happen"
    ),
)


@dataclass(frozen=True)
class Instrument:
    code: Code
    name: str  # the instrument's own name, the same in every language
    items: tuple[Wording, ...]
    # (highest total of the band, band), in rising order; a pre-screen has no clinical bands
    bands: tuple[tuple[int, Band], ...]
    full: Code | None = None  # the instrument a positive pre-screen leads to

    @property
    def max_total(self) -> int:
        return len(self.items) * SCORES[-1]

    @property
    def is_prescreen(self) -> bool:
        return self.full is not None


INSTRUMENTS: dict[Code, Instrument] = {
    Code.PHQ9: Instrument(
        Code.PHQ9, "PHQ-9", PHQ9_ITEMS,
        ((4, Band.MINIMAL), (9, Band.MILD), (14, Band.MODERATE), (19, Band.MODERATELY_SEVERE),
         (27, Band.SEVERE)),
    ),
    Code.GAD7: Instrument(
        Code.GAD7, "GAD-7", GAD7_ITEMS,
        ((4, Band.MINIMAL), (9, Band.MILD), (14, Band.MODERATE), (21, Band.SEVERE)),
    ),
    Code.PHQ2: Instrument(
        Code.PHQ2, "PHQ-2", PHQ9_ITEMS[:2], ((PRESCREEN_THRESHOLD - 1, Band.NEGATIVE),),
        full=Code.PHQ9,
    ),
    Code.GAD2: Instrument(
        Code.GAD2, "GAD-2", GAD7_ITEMS[:2], ((PRESCREEN_THRESHOLD - 1, Band.NEGATIVE),),
        full=Code.GAD7,
    ),
}  # fmt: skip


@dataclass(frozen=True)
class Result:
    instrument: Code
    answers: tuple[int, ...]
    total: int
    band: Band | None  # None for a pre-screen of 3 or more: the full instrument decides
    urgent: bool

    @property
    def needs_full_instrument(self) -> bool:
        return self.band is None


def instrument(code: str) -> Instrument:
    """The instrument by its code; a ValidationError for anything else."""
    try:
        return INSTRUMENTS[Code(code)]
    except ValueError:
        raise ValidationError({"instrument": [_("Choose PHQ-9, GAD-7, PHQ-2 or GAD-2.")]}) from None


def band_for(code: Code, total: int) -> Band | None:
    for highest, band in INSTRUMENTS[code].bands:
        if total <= highest:
            return band
    return None


def is_urgent(code: Code, answers: Sequence[int]) -> bool:
    """PHQ-9 item 9 above 0, whatever the total."""
    return code == Code.PHQ9 and answers[SELF_HARM_ITEM - 1] > 0


def answer_errors(code: Code, answers: object) -> dict[str, list[str]]:
    """Every way the answers are not exactly one score 0..3 per item, keyed `answers` (the count)
    or `item_N` (1-based)."""
    form = INSTRUMENTS[code]
    if not isinstance(answers, list | tuple):
        return {"answers": [_("Send the answers as a list of scores from 0 to 3.")]}
    if len(answers) != len(form.items):
        return {
            "answers": [
                ngettext(
                    "%(name)s has %(expected)d questions; %(given)d answer was given.",
                    "%(name)s has %(expected)d questions; %(given)d answers were given.",
                    len(answers),
                )
                % {"name": form.name, "expected": len(form.items), "given": len(answers)}
            ]
        }
    errors: dict[str, list[str]] = {}
    for number, answer in enumerate(answers, start=1):
        # bool is an int in Python; True is not an answer.
        if isinstance(answer, bool) or not isinstance(answer, int) or answer not in SCORES:
            errors[f"item_{number}"] = [
                _("Question %(number)d: choose one of the four answers (0 to 3).")
                % {"number": number}
            ]
    return errors


def answer_required() -> str:
    return _("Choose an answer.")


def score(code: str, answers: object) -> Result:
    """Check and score one completed form; one ValidationError names every bad answer."""
    form = instrument(code)
    errors = answer_errors(form.code, answers)
    if errors:
        raise ValidationError(errors)
    values: tuple[int, ...] = tuple(answers)  # type: ignore[arg-type]  # checked: ints 0..3
    total = sum(values)
    return Result(
        instrument=form.code,
        answers=values,
        total=total,
        band=band_for(form.code, total),
        urgent=is_urgent(form.code, values),
    )


def leads_to_full(prescreen_total: int) -> bool:
    return prescreen_total >= PRESCREEN_THRESHOLD
