from __future__ import annotations

from collections.abc import Sequence

from django import forms
from django.utils.translation import gettext_lazy as _

from frontline.control.models import SampleResult
from frontline.core.forms import StyledForm
from frontline.policy.models import Category

DATE = forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})
CONFIRM = _("I have checked the evidence and the dates")


class OrderCreateForm(StyledForm):
    category = forms.ChoiceField(label=_("Category"))
    start = forms.DateField(label=_("Start date"), widget=DATE)
    reason = forms.CharField(
        label=_("Note (optional)"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    confirm = forms.BooleanField(label=CONFIRM)

    def __init__(self, *args: object, categories: Sequence[Category], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [(c.value, c.label) for c in categories]  # type: ignore[attr-defined]


class DocumentOrderForm(OrderCreateForm):
    document = forms.FileField(label=_("Order document (PDF, JPEG or PNG, at most 10 MB)"))
    reference = forms.CharField(label=_("Document reference number"), max_length=100)

    field_order = ["document", "reference", "category", "start", "reason", "confirm"]


class ExtendForm(StyledForm):
    days = forms.IntegerField(label=_("Extend by (days)"), min_value=1, max_value=60)
    reason = forms.CharField(
        label=_("Reason"), max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )
    evidence = forms.CharField(
        label=_("Evidence (a test result, a document reference)"), max_length=300
    )
    confirm = forms.BooleanField(label=CONFIRM)


class TransferForm(StyledForm):
    reason = forms.CharField(
        label=_("Reason and hospital"), max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )
    confirm = forms.BooleanField(label=_("The resident has been taken to hospital"))


class ReleaseForm(StyledForm):
    reason = forms.CharField(
        label=_("Reason (required for an override)"), max_length=500, required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )  # fmt: skip
    override = forms.BooleanField(
        label=_("Override: release without the required negative results"), required=False
    )
    confirm = forms.BooleanField(label=_("Release the resident from this order"))

    def __init__(self, *args: object, may_override: bool, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        if not may_override:
            del self.fields["override"]


class TestResultForm(StyledForm):
    __test__ = False

    result = forms.ChoiceField(
        label=_("Result"),
        choices=[(SampleResult.NEGATIVE.value, SampleResult.NEGATIVE.label),
                 (SampleResult.POSITIVE.value, SampleResult.POSITIVE.label)],
    )  # fmt: skip
    sample_reference = forms.CharField(
        label=_("Sample or tube number"), max_length=100, required=False
    )
