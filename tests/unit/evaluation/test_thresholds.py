"""A figure against its threshold (evaluation/thresholds.py)."""

from __future__ import annotations

from evaluation.thresholds import failures, meets, missed

LIMITS = [("emergency recall", ">=", 1.0), ("false refusal", "<=", 0.03)]


def test_a_minimum_and_a_maximum_are_met_on_the_bound_and_missed_beyond_it() -> None:
    assert meets(1.0, ">=", 1.0) and not meets(0.99, ">=", 1.0)
    assert meets(0.03, "<=", 0.03) and not meets(0.031, "<=", 0.03)


def test_only_the_missed_figures_are_listed_and_a_missing_one_is_not_judged() -> None:
    values = {"emergency recall": 0.96, "false refusal": 0.01}
    assert missed(values, LIMITS) == [("emergency recall", 0.96, ">=", 1.0)]
    assert failures(values, LIMITS) == ["emergency recall is 0.960, wanted >= 1.0"]
    assert failures({"false refusal": 0.5}, LIMITS) == ["false refusal is 0.500, wanted <= 0.03"]
    assert failures({}, LIMITS) == []
