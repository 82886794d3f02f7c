"""Accuracy beside speed: ``rasa test nlu --cross-validation`` of a configuration.

The intent and response-selection F1 are read from the reports Rasa writes for the pooled
test folds (``intent_report.json``, ``response_selection_report.json``: "weighted avg"),
and the mean and standard deviation over the folds from its log.
"""

from __future__ import annotations

import importlib
import inspect
import json
import re
import shutil
import subprocess
import sys
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Optional

import yaml

from bench.train import ROOT, BenchError, fresh_cache

REPORTS = {"intent": "intent_report.json", "response_selection": "response_selection_report.json"}
#: Rasa's log of the folds: "Intent evaluation results", then "test F1-score: 0.951 (0.012)".
_SECTIONS = {
    "intent": "Intent evaluation results",
    "response_selection": "Response Selection evaluation results",
}
_FOLD_LINE = re.compile(r"\btest (Accuracy|F1-score|Precision): ([0-9.]+) \(([0-9.]+)\)")


def weighted(report: Dict[str, Any]) -> Dict[str, float]:
    """F1, precision and recall ("weighted avg") and accuracy of a Rasa report."""
    average = report.get("weighted avg") or {}
    figures = {
        "f1": float(average.get("f1-score", float("nan"))),
        "precision": float(average.get("precision", float("nan"))),
        "recall": float(average.get("recall", float("nan"))),
    }
    if "accuracy" in report:
        figures["accuracy"] = float(report["accuracy"])
    elif "micro avg" in report:
        figures["accuracy"] = float(report["micro avg"].get("f1-score", float("nan")))
    return figures


def fold_means(log: str) -> Dict[str, Dict[str, Dict[str, float]]]:
    """Per section ("intent", "response_selection"): {metric: {"mean", "std"}} over the
    test folds, as Rasa logs them."""
    found: Dict[str, Dict[str, Dict[str, float]]] = {}
    section: Optional[str] = None
    for line in log.splitlines():
        for key, title in _SECTIONS.items():
            if title in line:
                section = key
        match = _FOLD_LINE.search(line)
        if section and match:
            metric, mean, std = match.groups()
            found.setdefault(section, {})[metric] = {"mean": float(mean), "std": float(std)}
    return found


def read_results(out: Path, log: str) -> Dict[str, Any]:
    """The figures of one cross-validation, from its output folder and log."""
    results: Dict[str, Any] = {}
    folds = fold_means(log)
    for key, filename in REPORTS.items():
        path = out / filename
        if not path.exists():
            raise BenchError(f"cross-validation wrote no {path}")
        results[key] = {
            **weighted(json.loads(path.read_text())),
            "folds": folds.get(key, {}),
        }
    return results


def needs_domain(name: str) -> bool:
    """Whether the pipeline component ``name`` (a dotted path to the project's own class)
    reads the domain when it processes a message."""
    if "." not in name:
        return False
    module, _, attribute = name.rpartition(".")
    with warnings.catch_warnings():  # Rasa's imports warn about their own dependencies
        warnings.simplefilter("ignore")
        component = getattr(importlib.import_module(module), attribute)
    return "domain" in inspect.signature(component.process).parameters


def nlu_only_config(source: Path, target: Path) -> List[str]:
    """Write ``source`` without the components that need the domain; what was removed.

    ``rasa test nlu --cross-validation`` trains NLU-only models, which have no domain, so
    a component that reads it (the project's payload guard, which reads the allowed button
    payloads from the domain's responses) cannot be trained there. Such a component is
    left out of the cross-validation's copy of the configuration, and the results say so.
    """
    config = yaml.safe_load(source.read_text(encoding="utf-8"))
    kept: List[Dict[str, Any]] = []
    removed: List[Dict[str, Any]] = []
    for component in config.get("pipeline") or []:
        name = str(component.get("name", ""))
        (removed if needs_domain(name) else kept).append(component)
    if removed:
        config["pipeline"] = kept
        target.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    else:
        shutil.copyfile(source, target)
    return [str(c["name"]) for c in removed]


@dataclass
class Running:
    """A cross-validation running in the background."""

    name: str
    folds: int
    out: Path
    log: Path
    process: subprocess.Popen
    started: float
    #: Components of the configuration left out of the cross-validation.
    removed: List[str] = field(default_factory=list)

    def finish(self) -> Dict[str, Any]:
        """Wait for it; its figures and time.

        Raises:
            BenchError: it failed, or wrote no report.
        """
        code = self.process.wait()
        seconds = time.perf_counter() - self.started
        if code != 0:
            raise BenchError(f"cross-validation of {self.name} failed ({code}); see {self.log}")
        figures = read_results(self.out, self.log.read_text(errors="replace"))
        return {
            "folds": self.folds,
            "seconds": round(seconds, 1),
            "components_left_out": self.removed,
            **figures,
        }


def start(config: Path, name: str, work: Path, folds: int) -> Running:
    """Start ``folds``-fold cross-validation of ``config`` on ``data/``, from an empty Rasa
    cache. Rasa trains and tests the folds one after the other, on one core mostly, so two
    configurations' cross-validations can run side by side on two cores. Components that
    need the domain are left out (``nlu_only_config``; ``Running.removed`` names them)."""
    cv_config = work / f"cv-{name}_config.yml"
    removed = nlu_only_config(config, cv_config)
    config = cv_config
    out = work / f"cv-{name}"
    shutil.rmtree(out, ignore_errors=True)
    log = work / f"cv-{name}.log"
    command = [
        sys.executable, "-m", "rasa", "test", "nlu", "--cross-validation",
        "--folds", str(folds), "--config", str(config), "--nlu", "data",
        "--domain", "domain.yml", "--out", str(out), "--no-plot",
    ]  # fmt: skip
    env = fresh_cache(work, f"cv-{name}")
    with log.open("w") as output:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=output, stderr=output)
    return Running(name, folds, out, log, process, time.perf_counter(), removed)
