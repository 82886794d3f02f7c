"""Percentiles and summaries of latencies: pure functions, no I/O."""

from __future__ import annotations

import math
from typing import Dict, Sequence


def percentile(values: Sequence[float], q: float) -> float:
    """The ``q``-th percentile (0-100) of ``values``, interpolated linearly between the two
    nearest ranks (numpy's default method). NaN for no values.

    >>> percentile([1.0, 2.0, 3.0, 4.0], 50)
    2.5
    """
    if not 0 <= q <= 100:
        raise ValueError(f"percentile {q} is not between 0 and 100")
    if not values:
        return math.nan
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    fraction = position - low
    return ordered[low] + (ordered[high] - ordered[low]) * fraction


def summarise(latencies_s: Sequence[float]) -> Dict[str, float]:
    """Count, mean, p50, p95, p99 and max of latencies given in seconds, in milliseconds."""
    if not latencies_s:
        nan = math.nan
        return {
            "count": 0,
            "mean_ms": nan,
            "p50_ms": nan,
            "p95_ms": nan,
            "p99_ms": nan,
            "max_ms": nan,
        }
    ms = [value * 1000 for value in latencies_s]
    return {
        "count": len(ms),
        "mean_ms": sum(ms) / len(ms),
        "p50_ms": percentile(ms, 50),
        "p95_ms": percentile(ms, 95),
        "p99_ms": percentile(ms, 99),
        "max_ms": max(ms),
    }


def ratio(numerator: float, denominator: float) -> float:
    """``numerator / denominator``; NaN when either is missing or the denominator is 0."""
    if any(math.isnan(x) for x in (numerator, denominator)) or denominator == 0:
        return math.nan
    return numerator / denominator
