"""Pool-size advice from Dorfman's two-stage pooling (DOMAIN.md): a pool of k swabs is tested
once, and every swab of a positive pool is tested again alone. No database, no Django.

With prevalence p, the expected tests per person for pools of k are
    E(k) = 1/k + 1 - (1 - p)^k          (k >= 2;  E(1) = 1)
and the optimum k lies near 1/sqrt(p): p = 1% gives k = 11 and E = 0.196.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

ADVISED_SIZES = (1, 5, 10, 20)
MAX_POOL = 100  # the search bound for the optimum; no lab pools more
NOT_WORTH_POOLING = 0.30  # above about 30 % prevalence pooling never saves tests
POOLING_LIMIT = 0.001  # the policy pools only at low prevalence (under 0.1 %)


def expected_tests(k: int, p: float) -> float:
    """Expected tests per person for pools of `k` at prevalence `p` (0 <= p <= 1)."""
    if k < 1:
        raise ValueError("a pool holds at least one swab")
    if not 0.0 <= p <= 1.0:
        raise ValueError("prevalence is between 0 and 1")
    if k == 1:
        return 1.0
    return 1.0 / k + 1.0 - (1.0 - p) ** k


def optimum(p: float, *, largest: int = MAX_POOL) -> int:
    """The pool size with the fewest expected tests per person (1 when pooling does not pay)."""
    if p <= 0.0:
        return largest
    return min(range(1, largest + 1), key=lambda k: (expected_tests(k, p), k))


@dataclass(frozen=True)
class Advice:
    prevalence: float
    by_size: tuple[tuple[int, float], ...]  # (pool size, expected tests per person)
    best: int
    best_tests: float
    pooling_pays: bool  # any pool size beats testing everyone alone
    above_policy_limit: bool  # prevalence at or above the policy's 0.1 % pooling limit

    @property
    def near_square_root(self) -> float:
        return 1.0 / math.sqrt(self.prevalence) if self.prevalence > 0 else math.inf


def advise(p: float) -> Advice:
    by_size = tuple((k, expected_tests(k, p)) for k in ADVISED_SIZES)
    best = optimum(p)
    return Advice(
        prevalence=p,
        by_size=by_size,
        best=best,
        best_tests=expected_tests(best, p),
        pooling_pays=best > 1 and p < NOT_WORTH_POOLING,
        above_policy_limit=p >= POOLING_LIMIT,
    )


def prevalence_from_pools(tubes: list[tuple[int, bool]]) -> float | None:
    """Estimate the prevalence from pooled results: the maximum-likelihood p for tubes of the
    given sizes of which some were positive (a tube of k is positive with probability
    1 - (1 - p)^k). None without tubes; 1.0 when every tube was positive."""
    if not tubes:
        return None
    if all(positive for _size, positive in tubes):
        return 1.0
    if not any(positive for _size, positive in tubes):
        return 0.0

    def slope(p: float) -> float:  # derivative of the log-likelihood in p
        total = 0.0
        for size, positive in tubes:
            if positive:
                total += size * (1 - p) ** (size - 1) / (1 - (1 - p) ** size)
            else:
                total -= size / (1 - p)
        return total

    low, high = 1e-12, 1 - 1e-12
    for _step in range(200):  # the slope falls as p rises: bisect for its zero
        middle = (low + high) / 2
        if slope(middle) > 0:
            low = middle
        else:
            high = middle
    return (low + high) / 2
