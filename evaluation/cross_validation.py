"""The FallbackClassifier's thresholds, chosen by cross-validation on held-out messages.

``python -m evaluation.cross_validation --model models/<name>.tar.gz`` runs the held-out sets
of ``evaluation/sets/`` through the model (in-process), takes from each message the
confidence and margin the FallbackClassifier would judge and whether the answer acted on
was right (:mod:`evaluation.calibration`), and then:

- prints the calibration curve: the share of wrong answers above each confidence;
- chooses the pair of thresholds of lowest cost, among those that answer at least the bar's
  answer accuracy (0.95) of the in-domain questions right, by cross-validation: the
  messages are split
  into five parts; for each part the pair is chosen on the other four and measured on it,
  so the printed figures are those of thresholds on messages they were not chosen on; the
  pair chosen on all messages is the one to put in config.yml;
- writes ``results/thresholds.json`` and draws ``docs/calibration.png`` (in docs/how-it-works.md).

``--training`` adds the same curve by cross-validation of the training data (five models,
each trained on four fifths of ``data/`` and judging the fifth; about six minutes on 2
cores), for comparison: the training data holds many deliberately hard examples, so its
curve is the more pessimistic.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
import tempfile
from pathlib import Path
from typing import Any, Dict, List, Optional

import rasa.model_training
from matplotlib.figure import Figure
from rasa.core.agent import Agent
from rasa.nlu.test import generate_folds
from rasa.shared.importers.importer import TrainingDataImporter
from rasa.shared.nlu.constants import INTENT, INTENT_RESPONSE_KEY, TEXT
from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLWriter
from rasa.utils.common import configure_logging_and_warnings
from rasa.utils.log_utils import configure_structlog

from evaluation import calibration, understanding
from evaluation.in_process import conversations
from evaluation.outcome import decision

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "results" / "thresholds.json"
PLOT = ROOT / "docs" / "calibration.png"
FOLDS = 5


def training_judgements(
    config: Path, domain: Path, data: Path, folds: int
) -> List[Dict[str, Any]]:
    """Each training example judged by a model trained on the other folds."""
    importer = TrainingDataImporter.load_from_config(str(config), str(domain), [str(data)])
    training = importer.get_nlu_data()
    judged: List[Dict[str, Any]] = []
    loop = asyncio.new_event_loop()
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        for number, (train, test) in enumerate(generate_folds(folds, training), start=1):
            data_file = tmp / f"train-{number}.yml"
            RasaYAMLWriter().dump(data_file, train)
            # The whole model (the payload guard reads the domain's buttons), on this fold's
            # NLU data and all the rules and stories.
            result = rasa.model_training.train(
                str(domain),
                str(config),
                [str(data_file), str(data / "rules"), str(data / "stories")],
                output=str(tmp),
                fixed_model_name=f"fold-{number}",
            )
            if result.code != 0 or not result.model:
                raise SystemExit(f"fold {number}: training failed")
            agent = Agent.load(result.model)
            for example in test.intent_examples:
                parse = loop.run_until_complete(agent.parse_message(example.get(TEXT)))
                decided = decision(parse)
                judged.append(
                    {
                        "text": example.get(TEXT),
                        "wanted": example.get(INTENT_RESPONSE_KEY) or example.get(INTENT),
                        "decided_label": decided["label"],
                        "decided_confidence": decided["confidence"] or 0.0,
                        "decided_margin": decided["margin"] or 0.0,
                    }
                )
    return judged


def plot(
    curves: Dict[str, List[calibration.Point]], chosen: calibration.Point, path: Path
) -> None:
    """Wrong answers and answers withheld at each threshold (the chosen ambiguity)."""
    figure = Figure(figsize=(7.5, 4.2))
    axis = figure.subplots()
    styles = ["-", "--"]
    for (name, points), style in zip(curves.items(), styles, strict=False):
        xs = [p.threshold for p in points]
        axis.plot(
            xs,
            [100 * p.wrong_among_answered for p in points],
            style,
            color="tab:red",
            label=f"wrong among answered ({name})",
        )
        axis.plot(
            xs,
            [100 * p.lost for p in points],
            style,
            color="tab:blue",
            label=f"right answers withheld ({name})",
        )
    axis.axvline(chosen.threshold, color="grey", linestyle=":", linewidth=1)
    axis.annotate(
        f"chosen {chosen.threshold:.3f}",
        (chosen.threshold, 28),
        xytext=(4, 0),
        textcoords="offset points",
        color="grey",
        fontsize=8,
    )
    axis.set_xlabel("FallbackClassifier threshold (the classifier's confidence)")
    axis.set_ylabel("% of messages")
    axis.set_ylim(0, 30)
    axis.grid(alpha=0.3)
    axis.legend(fontsize=7, loc="upper left")
    axis.set_title(f"Calibration (ambiguity_threshold {chosen.ambiguity:.3f})", fontsize=10)
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=110)


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m evaluation.cross_validation", description=__doc__
    )
    parser.add_argument("--model", type=Path, required=True, help="the trained model")
    parser.add_argument("--training", action="store_true", help="also cross-validate data/")
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument("--plot", type=Path, default=PLOT)
    args = parser.parse_args(argv)
    configure_logging_and_warnings(logging.WARNING)
    configure_structlog(logging.WARNING)
    results = understanding.run(conversations(args.model), understanding.load())
    found = calibration.from_results(results)
    floor = next(limit for name, _, limit in understanding.THRESHOLDS if name == "answer accuracy")
    chosen, measured = calibration.cross_validated(found, FOLDS, in_domain_floor=floor)
    validated = calibration.mean(measured)
    configured = calibration.configured()
    print(calibration.report(found, configured))
    print(
        f"Thresholds of lowest cost (a confident wrong answer = "
        f"{calibration.WRONG_ANSWER_COST:g} lost answers), chosen on all {len(found)} "
        f"messages: threshold {chosen.threshold}, ambiguity_threshold {chosen.ambiguity}.\n"
        f"Chosen on four fifths and measured on the fifth left out ({FOLDS} times): answered "
        f"{validated.answered:.3f}, wrong among answered {validated.wrong_among_answered:.3f}, "
        f"confident wrong answer rate {validated.confident_wrong:.3f}, lost "
        f"{validated.lost:.3f}."
    )
    curves = {
        "held-out sets": [
            calibration.point(found, t, chosen.ambiguity) for t in calibration.THRESHOLDS
        ]
    }
    saved: Dict[str, Any] = {
        "chosen": {"threshold": chosen.threshold, "ambiguity_threshold": chosen.ambiguity},
        "cross_validated": vars(validated),
        "configured": configured,
        "held_out": [vars(p) for p in curves["held-out sets"]],
    }
    if args.training:
        judged = training_judgements(
            ROOT / "config.yml", ROOT / "domain.yml", ROOT / "data", FOLDS
        )
        training = calibration.from_results(judged)
        print("Training data, by cross-validation:\n" + calibration.report(training))
        curves["training data"] = [
            calibration.point(training, t, chosen.ambiguity) for t in calibration.THRESHOLDS
        ]
        saved["training"] = [vars(p) for p in curves["training data"]]
    plot(curves, chosen, args.plot)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(saved, indent=1))
    if configured and configured != (chosen.threshold, chosen.ambiguity):
        print(f"config.yml has {configured}: put the chosen thresholds there.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
