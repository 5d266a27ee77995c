"""Dorfman pooling: the formula against a simulation, and the optimum DOMAIN.md quotes."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from frontline.sampling.pooling import advise, expected_tests, optimum


def simulated_tests(k: int, p: float, people: int, rng: random.Random) -> float:
    """Tests per person when `people` swabs go into pools of `k` and positive pools retest."""
    tests = 0
    for _pool in range(people // k):
        positive = any(rng.random() < p for _ in range(k))
        tests += 1 + (k if positive and k > 1 else 0)
    return tests / (people - people % k)


def people_for(k: int, p: float) -> int:
    """Enough people that the simulation's standard error is under a quarter of 1 %."""
    q = 1 - (1 - p) ** k
    per_person_variance = k * q * (1 - q)  # of the retests, per person
    needed = per_person_variance / (0.0025 * expected_tests(k, p)) ** 2
    return int(min(max(needed, 100_000), 3_000_000)) // k * k


@settings(max_examples=20, deadline=None, derandomize=True)
@given(
    k=st.sampled_from([2, 5, 10, 20]),
    p=st.floats(min_value=0.005, max_value=0.2),
    seed=st.integers(0, 2**32 - 1),
)
def test_the_formula_matches_a_simulation_within_one_percent(k, p, seed):
    simulated = simulated_tests(k, p, people_for(k, p), random.Random(seed))
    assert simulated == pytest.approx(expected_tests(k, p), rel=0.01)


def test_the_optimum_at_one_percent_is_11_with_0_196_tests_per_person():
    assert optimum(0.01) == 11
    assert expected_tests(11, 0.01) == pytest.approx(0.196, abs=0.0005)


def test_the_optimum_at_a_tenth_of_a_percent_is_32():
    assert optimum(0.001) == 32
    assert expected_tests(32, 0.001) == pytest.approx(0.063, abs=0.0005)


@given(p=st.floats(min_value=1e-4, max_value=0.29))
def test_the_optimum_is_near_one_over_the_square_root_and_never_worse_than_its_neighbours(p):
    k = optimum(p)
    assert expected_tests(k, p) <= expected_tests(max(1, k - 1), p)
    assert expected_tests(k, p) <= expected_tests(k + 1, p) or k == 100
    if p < 0.05:
        assert abs(k - p**-0.5) <= max(2, 0.35 * p**-0.5)


@given(p=st.floats(min_value=0.31, max_value=1.0))
def test_pooling_never_pays_above_about_30_percent(p):
    assert optimum(p) == 1
    assert not advise(p).pooling_pays


def test_advice_lists_1_5_10_20_and_warns_above_the_policy_limit():
    low = advise(0.0005)
    assert [k for k, _tests in low.by_size] == [1, 5, 10, 20]
    assert low.pooling_pays and not low.above_policy_limit
    assert advise(0.002).above_policy_limit


@given(k=st.integers(-5, 0), p=st.floats(0, 1))
def test_a_pool_of_no_swabs_is_refused(k, p):
    with pytest.raises(ValueError):
        expected_tests(k, p)


def test_prevalence_from_single_tubes_is_the_positive_share():
    from frontline.sampling.pooling import prevalence_from_pools

    tubes = [(1, True)] * 3 + [(1, False)] * 97
    assert prevalence_from_pools(tubes) == pytest.approx(0.03, abs=1e-6)
    assert prevalence_from_pools([]) is None
    assert prevalence_from_pools([(10, False)] * 5) == 0.0
    assert prevalence_from_pools([(10, True)] * 5) == 1.0


@settings(max_examples=20, deadline=None, derandomize=True)
@given(p=st.floats(min_value=0.002, max_value=0.05), k=st.sampled_from([5, 10, 20]))
def test_prevalence_from_pools_recovers_the_rate_of_a_simulated_round(p, k):
    from frontline.sampling.pooling import prevalence_from_pools

    rng = random.Random(7)
    pools = 20_000
    tubes = [(k, any(rng.random() < p for _ in range(k))) for _pool in range(pools)]
    estimate = prevalence_from_pools(tubes)
    assert estimate is not None and estimate == pytest.approx(p, rel=0.15)
