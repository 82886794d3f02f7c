"""How long each part of the benchmark runs: the real figures, or a quick try-out."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, Tuple


@dataclass(frozen=True)
class Plan:
    """Durations and sizes of one benchmark run."""

    #: ``full`` (the figures to report) or ``quick`` (a try-out, not the real figures).
    name: str
    #: Folds of the NLU cross-validation.
    folds: int
    #: Concurrent visitors of each load level, and how long each level is measured (s).
    #: The 32-visitor level is also the zero-errors run of the targets (60 s).
    levels: Tuple[int, ...]
    durations_s: Dict[int, float]
    #: Load before each level that is not measured (s): TensorFlow's first calls, caches.
    warmup_s: float
    #: How long py-spy samples the Rasa server under the 8-visitor load (s), and how often.
    profile_s: float
    profile_rate_hz: int
    #: How long one turn may take before it counts as a timeout (s).
    timeout_s: float = 30.0

    @property
    def is_real(self) -> bool:
        return self.name == "full"


FULL = Plan(
    name="full",
    folds=5,
    levels=(1, 8, 32),
    durations_s={1: 20.0, 8: 20.0, 32: 60.0},
    warmup_s=5.0,
    profile_s=20.0,
    profile_rate_hz=100,
)

QUICK = Plan(
    name="quick",
    folds=2,
    levels=(1, 8, 32),
    durations_s={1: 4.0, 8: 4.0, 32: 8.0},
    warmup_s=2.0,
    profile_s=4.0,
    profile_rate_hz=100,
)
