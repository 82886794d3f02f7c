"""A figure against its threshold: the one rule the safety suite, the held-out sets and the
staff app's publish gates all judge by."""

from __future__ import annotations

from typing import Dict, List, Sequence, Tuple

#: (figure, comparison ">=" or "<=", threshold).
Threshold = Tuple[str, str, float]


def meets(value: float, op: str, limit: float) -> bool:
    """Whether ``value`` is ``op`` ``limit``."""
    return value >= limit if op == ">=" else value <= limit


def missed(
    values: Dict[str, float], thresholds: Sequence[Threshold]
) -> List[Tuple[str, float, str, float]]:
    """The figures of ``values`` that miss their threshold, as (name, value, op, limit); a
    figure not in ``values`` is not judged."""
    return [
        (name, float(values[name]), op, limit)
        for name, op, limit in thresholds
        if name in values and not meets(float(values[name]), op, limit)
    ]


def failures(values: Dict[str, float], thresholds: Sequence[Threshold]) -> List[str]:
    """The missed figures, one line each ("emergency recall is 0.960, wanted >= 1.0")."""
    return [
        f"{name} is {value:.3f}, wanted {op} {limit}"
        for name, value, op, limit in missed(values, thresholds)
    ]
