"""Timing, percentiles, result rows and the printed table. No Django imports here."""

from __future__ import annotations

import gc
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any


def percentile(samples: Sequence[float], fraction: float) -> float:
    """Nearest-rank percentile: the smallest sample with at least `fraction` of them at or below."""
    if not samples:
        return math.nan
    ordered = sorted(samples)
    rank = max(1, math.ceil(fraction * len(ordered)))
    return ordered[rank - 1]


def measure_pair(
    ours: Callable[[], object],
    baseline: Callable[[], object],
    *,
    repeat: int,
    warmup: int = 2,
) -> tuple[list[float], list[float]]:
    """Time `ours` and `baseline` `repeat` times each, interleaved, after `warmup` untimed calls.

    Interleaving (and swapping which goes first on every round) exposes both to the same cache,
    disk and CPU-frequency conditions, so the ratio is fair even when the machine drifts.
    """
    for _ in range(warmup):
        ours()
        baseline()
    ours_times: list[float] = []
    baseline_times: list[float] = []
    gc.collect()
    for round_number in range(repeat):
        pair = [(ours, ours_times), (baseline, baseline_times)]
        if round_number % 2:
            pair.reverse()
        for call, times in pair:
            started = time.perf_counter()
            call()
            times.append(time.perf_counter() - started)
    return ours_times, baseline_times


@dataclass
class Row:
    """One printed line: our figure against the baseline and the target."""

    case: str
    database: str
    residents: int
    ours: list[float]
    baseline: list[float]
    target_seconds: float
    target: str
    ours_queries: int | None = None
    baseline_queries: int | None = None
    matches: bool = True
    note: str = ""
    extra: dict[str, Any] = field(default_factory=dict)
    # Optional further bounds: ours p95 / baseline p95, and ours' peak memory in MB.
    max_ratio: float | None = None
    ours_memory_mb: float | None = None
    baseline_memory_mb: float | None = None
    max_memory_mb: float | None = None

    @property
    def ours_p50(self) -> float:
        return percentile(self.ours, 0.50)

    @property
    def ours_p95(self) -> float:
        return percentile(self.ours, 0.95)

    @property
    def baseline_p50(self) -> float:
        return percentile(self.baseline, 0.50)

    @property
    def baseline_p95(self) -> float:
        return percentile(self.baseline, 0.95)

    @property
    def ratio(self) -> float:
        return self.ours_p95 / self.baseline_p95 if self.baseline_p95 else math.inf

    @property
    def passed(self) -> bool:
        if not self.matches or self.ours_p95 > self.target_seconds:
            return False
        if self.max_ratio is not None and self.ratio > self.max_ratio:
            return False
        if self.max_memory_mb is not None:
            return self.ours_memory_mb is not None and self.ours_memory_mb < self.max_memory_mb
        return True

    @property
    def verdict(self) -> str:
        if not self.matches:
            return "MISMATCH"
        return "PASS" if self.passed else "MISS"

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Row:
        return cls(**data)


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:,.1f} ms" if seconds < 10 else f"{seconds:,.1f} s"


def _queries(row: Row) -> str:
    if row.ours_queries is None:
        return ""
    return f"{row.ours_queries} / {row.baseline_queries}"


def _memory(row: Row) -> str:
    if row.ours_memory_mb is None:
        return ""
    baseline = "-" if row.baseline_memory_mb is None else f"{row.baseline_memory_mb:,.0f}"
    return f"{row.ours_memory_mb:,.0f} / {baseline} MB"


HEADER = (
    "case",
    "db",
    "residents",
    "ours p50",
    "ours p95",
    "baseline p50",
    "baseline p95",
    "ratio p95",
    "queries ours / base",
    "target",
    "result",
)
MEMORY_HEADER = "peak memory ours / base"


def table(rows: Sequence[Row]) -> str:
    """A Markdown table (readable in a terminal, pasteable into benchmarks/README.md).

    The column "peak memory ours / base" is shown only when a row measured memory.
    """
    with_memory = any(row.ours_memory_mb is not None for row in rows)
    header = (*HEADER[:-2], MEMORY_HEADER, *HEADER[-2:]) if with_memory else HEADER
    lines = []
    for row in rows:
        cells = [
            row.case,
            row.database,
            f"{row.residents:,}",
            _ms(row.ours_p50),
            _ms(row.ours_p95),
            _ms(row.baseline_p50),
            _ms(row.baseline_p95),
            f"{row.ratio:.2f}x",
            _queries(row),
            row.target,
            row.verdict + (f" ({row.note})" if row.note else ""),
        ]
        if with_memory:
            cells.insert(len(cells) - 2, _memory(row))
        lines.append(tuple(cells))
    widths = [max(len(cell) for cell in column) for column in zip(header, *lines, strict=True)]
    numeric = {2, 3, 4, 5, 6, 7}

    def render(cells: Sequence[str]) -> str:
        padded = [
            cell.rjust(width) if index in numeric else cell.ljust(width)
            for index, (cell, width) in enumerate(zip(cells, widths, strict=True))
        ]
        return "| " + " | ".join(padded) + " |"

    rule = "|" + "|".join(
        "-" * (width + 1) + ":" if index in numeric else "-" * (width + 2)
        for index, width in enumerate(widths)
    )
    return "\n".join([render(header), rule + "|", *(render(line) for line in lines)])
