"""Percentiles and summaries of the benchmark (bench/stats.py)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from bench.stats import percentile, ratio, summarise


@pytest.mark.parametrize("q", [0, 1, 25, 50, 90, 95, 99, 100])
def test_percentile_agrees_with_numpy(q):
    values = [0.31, 0.05, 0.12, 0.9, 0.44, 0.44, 0.2, 0.07, 1.5, 0.33, 0.61]
    assert percentile(values, q) == pytest.approx(float(np.percentile(values, q)))


def test_percentile_of_one_value_and_of_none():
    assert percentile([3.0], 99) == 3.0
    assert math.isnan(percentile([], 50))


def test_percentile_refuses_a_bad_q():
    with pytest.raises(ValueError):
        percentile([1.0], 101)


def test_summarise_gives_milliseconds():
    summary = summarise([0.010, 0.020, 0.030, 0.040])
    assert summary["count"] == 4
    assert summary["p50_ms"] == pytest.approx(25.0)
    assert summary["max_ms"] == pytest.approx(40.0)
    assert summary["mean_ms"] == pytest.approx(25.0)


def test_summarise_of_nothing_is_nan():
    summary = summarise([])
    assert summary["count"] == 0
    assert math.isnan(summary["p95_ms"])


def test_ratio_with_missing_figures():
    assert ratio(3.0, 6.0) == 0.5
    assert math.isnan(ratio(1.0, 0.0))
    assert math.isnan(ratio(math.nan, 2.0))
