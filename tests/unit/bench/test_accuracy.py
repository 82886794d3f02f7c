"""Reading the cross-validation's reports and log (bench/accuracy.py)."""

from __future__ import annotations

import json

import pytest
import yaml

from bench.accuracy import fold_means, nlu_only_config, read_results, weighted
from bench.train import ROOT, BenchError

LOG = """\
2026-11-26 06:20:01 INFO     rasa.model_testing  - CV evaluation (n=5)
2026-11-26 06:20:01 INFO     rasa.model_testing  - Intent evaluation results
2026-11-26 06:20:01 INFO     rasa.nlu.test  - train Accuracy: 0.998 (0.001)
2026-11-26 06:20:01 INFO     rasa.nlu.test  - train F1-score: 0.998 (0.001)
2026-11-26 06:20:01 INFO     rasa.nlu.test  - test Accuracy: 0.951 (0.012)
2026-11-26 06:20:01 INFO     rasa.nlu.test  - test F1-score: 0.949 (0.013)
2026-11-26 06:20:01 INFO     rasa.nlu.test  - test Precision: 0.953 (0.011)
2026-11-26 06:20:01 INFO     rasa.model_testing  - Response Selection evaluation results
2026-11-26 06:20:01 INFO     rasa.nlu.test  - test Accuracy: 0.902 (0.020)
2026-11-26 06:20:01 INFO     rasa.nlu.test  - test F1-score: 0.899 (0.021)
"""


def report(f1):
    return {
        "faq": {"precision": 0.9, "recall": 0.9, "f1-score": 0.9, "support": 100},
        "accuracy": 0.95,
        "weighted avg": {"precision": 0.96, "recall": 0.95, "f1-score": f1, "support": 400},
    }


def test_weighted_figures():
    assert weighted(report(0.947)) == {
        "f1": 0.947,
        "precision": 0.96,
        "recall": 0.95,
        "accuracy": 0.95,
    }


def test_weighted_without_accuracy_uses_micro_average():
    data = {"micro avg": {"f1-score": 0.88}, "weighted avg": {"f1-score": 0.87}}
    assert weighted(data)["accuracy"] == 0.88


def test_fold_means_by_section():
    found = fold_means(LOG)
    assert found["intent"]["F1-score"] == {"mean": 0.949, "std": 0.013}
    assert found["intent"]["Accuracy"] == {"mean": 0.951, "std": 0.012}
    assert found["response_selection"]["F1-score"] == {"mean": 0.899, "std": 0.021}
    assert "train" not in json.dumps(found)


def test_read_results(tmp_path):
    (tmp_path / "intent_report.json").write_text(json.dumps(report(0.947)))
    (tmp_path / "response_selection_report.json").write_text(json.dumps(report(0.9)))
    results = read_results(tmp_path, LOG)
    assert results["intent"]["f1"] == 0.947
    assert results["response_selection"]["folds"]["F1-score"]["mean"] == 0.899


def test_read_results_without_a_report(tmp_path):
    (tmp_path / "intent_report.json").write_text(json.dumps(report(0.947)))
    with pytest.raises(BenchError, match=r"response_selection_report\.json"):
        read_results(tmp_path, LOG)


def test_nlu_only_config_leaves_out_what_needs_the_domain(tmp_path):
    target = tmp_path / "cv.yml"
    removed = nlu_only_config(ROOT / "config.yml", target)
    assert removed == ["components.payload_guard.PayloadGuard"]
    names = [c["name"] for c in yaml.safe_load(target.read_text())["pipeline"]]
    assert "components.payload_guard.PayloadGuard" not in names
    assert "components.safety_guard.SafetyGuard" in names


def test_nlu_only_config_copies_the_baseline_verbatim(tmp_path):
    target = tmp_path / "cv.yml"
    assert nlu_only_config(ROOT / "bench" / "baseline_config.yml", target) == []
    assert target.read_text() == (ROOT / "bench" / "baseline_config.yml").read_text()
