"""Forms of the care pages: one radio group per question, built from `instruments`."""

from __future__ import annotations

from collections.abc import Sequence

from django import forms
from django.utils.translation import gettext_lazy as _

from frontline.care.instruments import INSTRUMENTS, OPTIONS, Code, Instrument
from frontline.core.forms import StyledForm
from frontline.health.services import public_member_label
from frontline.residents.models import Resident


class OptionLabel:
    """An answer option's label ("0 完全不会"), worded in the language of the moment it is shown."""

    def __init__(self, score: int) -> None:
        self.score = score

    def __str__(self) -> str:
        return f"{self.score} {OPTIONS[self.score]}"


class ItemLabel:
    def __init__(self, number: int, wording: object) -> None:
        self.number = number
        self.wording = wording

    def __str__(self) -> str:
        return f"{self.number}. {self.wording}"


ANSWER_CHOICES = [(str(score), OptionLabel(score)) for score in range(len(OPTIONS))]


def item_field(number: int, wording: object) -> forms.TypedChoiceField:
    # Not required at the field: the service names every missing answer in its own words.
    return forms.TypedChoiceField(
        label=ItemLabel(number, wording),  # type: ignore[arg-type]
        choices=ANSWER_CHOICES,
        coerce=int,
        required=False,
        empty_value=None,
        widget=forms.RadioSelect,
    )


class AnswersForm(forms.Form):
    """The questions `first`..`last` (1-based, inclusive) of one instrument, named `item_N`."""

    prefix_name = ""

    def __init__(
        self,
        *args: object,
        instrument: Instrument,
        first: int = 1,
        last: int | None = None,
        **kwargs: object,
    ) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.instrument = instrument
        self.first = first
        self.last = last or len(instrument.items)
        for number in range(first, self.last + 1):
            self.fields[f"item_{number}"] = item_field(number, instrument.items[number - 1])

    def answers(self) -> list[int | None]:
        """The answers in question order (None where unanswered), from a bound, valid form."""
        return [self.cleaned_data.get(f"item_{n}") for n in range(self.first, self.last + 1)]

    def items(self) -> list[forms.BoundField]:
        return [self[f"item_{n}"] for n in range(self.first, self.last + 1)]


class InstrumentChoiceForm(StyledForm):
    instrument = forms.ChoiceField(
        label=_("Questionnaire"),
        choices=[(code.value, INSTRUMENTS[code].name) for code in Code],
    )


class SettingsForm(StyledForm):
    hotlines = forms.CharField(
        label=_("Crisis hotlines"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One line each, e.g. “Psychological aid hotline: 12356”. Shown to a resident at once after an urgent answer."),
    )  # fmt: skip
    crisis_sla_minutes = forms.CharField(
        label=_("Answer a crisis within (minutes)"),
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )


class MemberForm(forms.Form):
    """The household page's choice of member, by first name only."""

    member = forms.TypedChoiceField(
        label=_("Who is answering?"), coerce=int, widget=forms.RadioSelect
    )

    def __init__(self, *args: object, members: Sequence[Resident], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.members = {m.pk: m for m in members}
        self.fields["member"].choices = [(m.pk, public_member_label(m)) for m in members]  # type: ignore[attr-defined]
