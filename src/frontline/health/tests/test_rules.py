"""The abnormal rules and the temperature check are pure: property tests over all inputs."""

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from frontline.health.models import Antigen, Symptom
from frontline.health.rules import FEVER_FROM, assess, clean_symptoms, parse_temperature

temperatures = st.decimals(min_value="34.0", max_value="43.0", places=1)
symptom_sets = st.sets(st.sampled_from(Symptom.values))
antigens = st.sampled_from(Antigen.values)


@given(temperatures, symptom_sets, antigens)
def test_a_check_in_is_abnormal_exactly_when_a_rule_holds(temperature, symptoms, antigen):
    result = assess(temperature=temperature, symptoms=symptoms, antigen=antigen)
    expected = temperature >= FEVER_FROM or bool(symptoms) or antigen == Antigen.POSITIVE
    assert result.abnormal is expected
    assert bool(result.reasons) is expected


@given(temperatures, symptom_sets, antigens)
def test_it_is_urgent_exactly_for_breathing_difficulty_or_a_positive_antigen(
    temperature, symptoms, antigen
):
    result = assess(temperature=temperature, symptoms=symptoms, antigen=antigen)
    assert result.urgent is (
        Symptom.BREATHING_DIFFICULTY in symptoms or antigen == Antigen.POSITIVE
    )
    assert not result.urgent or result.abnormal


def test_the_fever_threshold_is_inclusive():
    assert assess(temperature=Decimal("37.3"), symptoms=[], antigen="none").reasons == (
        "temperature",
    )
    assert not assess(temperature=Decimal("37.2"), symptoms=[], antigen="none").abnormal
    assert not assess(temperature=None, symptoms=[], antigen="negative").abnormal


@given(temperatures)
def test_every_temperature_in_range_reads_back_as_itself(temperature):
    assert parse_temperature(str(temperature)) == (temperature, None)
    assert parse_temperature(float(temperature)) == (temperature, None)


@given(
    st.decimals(allow_nan=False, allow_infinity=False, places=1).filter(
        lambda t: t < Decimal("34.0") or t > Decimal("43.0")
    )
)
def test_temperatures_outside_34_to_43_are_refused(temperature):
    value, error = parse_temperature(str(temperature))
    assert value is None and error


@given(st.text(alphabet="abcxyz!?/ ", min_size=1).filter(lambda s: s.strip()))
def test_text_that_is_no_number_is_refused(text):
    value, error = parse_temperature(text)
    assert value is None and error


def test_full_width_digits_comma_and_unit_are_accepted_and_blank_is_not_measured():
    assert parse_temperature("３７．５")[0] == Decimal("37.5")
    assert parse_temperature("36,8℃")[0] == Decimal("36.8")
    assert parse_temperature("  ") == (None, None)
    assert parse_temperature("36.55")[1]  # two decimals are a typo, not a reading


@given(st.lists(st.sampled_from(Symptom.values)))
def test_symptoms_come_back_once_each_in_the_listed_order(values):
    cleaned, error = clean_symptoms(values)
    assert error is None
    assert cleaned == [value for value in Symptom.values if value in values]


@given(
    st.lists(st.sampled_from(Symptom.values)),
    st.text(min_size=1).filter(lambda s: s not in Symptom.values),
)
def test_an_unknown_symptom_is_an_error(values, unknown):
    cleaned, error = clean_symptoms([*values, unknown])
    assert cleaned == [] and error
