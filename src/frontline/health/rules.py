"""The abnormal check-in rules and the edge checks of a check-in, without database access."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext_lazy as _

from frontline.health.models import Antigen, Symptom

FEVER_FROM = Decimal("37.3")  # °C, inclusive
LOWEST_TEMPERATURE = Decimal("34.0")
HIGHEST_TEMPERATURE = Decimal("43.0")
URGENT_SYMPTOMS = frozenset({Symptom.BREATHING_DIFFICULTY.value})


@dataclass(frozen=True)
class Assessment:
    abnormal: bool
    urgent: bool
    reasons: tuple[str, ...]  # "fever" (by thermometer), symptom values, "antigen_positive"


NORMAL = Assessment(abnormal=False, urgent=False, reasons=())


def assess(*, temperature: Decimal | None, symptoms: Collection[str], antigen: str) -> Assessment:
    """Abnormal when the temperature is 37.3 °C or more, any listed symptom is reported or the
    antigen self-test is positive; urgent for breathing difficulty or a positive antigen."""
    reasons: list[str] = []
    if temperature is not None and temperature >= FEVER_FROM:
        reasons.append("temperature")
    reasons.extend(value for value in Symptom.values if value in symptoms)
    if antigen == Antigen.POSITIVE:
        reasons.append("antigen_positive")
    if not reasons:
        return NORMAL
    urgent = antigen == Antigen.POSITIVE or bool(URGENT_SYMPTOMS.intersection(symptoms))
    return Assessment(abnormal=True, urgent=urgent, reasons=tuple(reasons))


def reason_labels(reasons: Collection[str], temperature: Decimal | None) -> list[str]:
    labels: list[str] = []
    for reason in reasons:
        if reason == "temperature":
            labels.append(f"{temperature}°C")
        elif reason == "antigen_positive":
            labels.append(str(_("antigen positive")))
        elif reason in Symptom.values:
            labels.append(str(Symptom(reason).label))
    return labels


def parse_temperature(value: object) -> tuple[Decimal | None, str | None]:
    """A temperature in °C with at most one decimal, 34.0-43.0: (value, None) or (None, error).

    Full-width digits and a comma as decimal mark are accepted; blank means "not measured".
    """
    if value is None:
        return None, None
    if isinstance(value, float):
        value = repr(value)
    text = str(value).strip()
    text = text.translate(FULL_WIDTH).replace(",", ".").removesuffix("°C").removesuffix("℃").strip()
    if not text:
        return None, None
    try:
        number = Decimal(text)
    except InvalidOperation:
        return None, str(_("Enter the temperature as a number, e.g. 36.5."))
    if not number.is_finite():
        return None, str(_("Enter the temperature as a number, e.g. 36.5."))
    if not LOWEST_TEMPERATURE <= number <= HIGHEST_TEMPERATURE:
        return None, str(
            _("Enter a temperature between %(low)s and %(high)s °C.")
            % {"low": LOWEST_TEMPERATURE, "high": HIGHEST_TEMPERATURE}
        )
    if number != number.quantize(Decimal("0.1")):
        return None, str(_("Give the temperature to one decimal place, e.g. 36.5."))
    return number.quantize(Decimal("0.1")), None


FULL_WIDTH = str.maketrans("０１２３４５６７８９．，", "0123456789.,")


def clean_symptoms(values: Collection[str]) -> tuple[list[str], str | None]:
    """Known symptoms in their listed order, duplicates dropped; an unknown one is an error."""
    unknown = [value for value in values if value not in Symptom.values]
    if unknown:
        return [], str(_("Unknown symptom: %(value)s.") % {"value": ", ".join(map(str, unknown))})
    return [value for value in Symptom.values if value in values], None
