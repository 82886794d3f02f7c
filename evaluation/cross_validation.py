"""The FallbackClassifier's thresholds, chosen by cross-validation of the training data.

``python -m evaluation.cross_validation [--folds 5]`` splits the NLU data of ``data/`` into folds
(Rasa's own ``generate_folds``, stratified by intent), trains the model of ``config.yml`` on
all folds but one and has it judge the one left out, for each fold in turn. Every training
example is thus judged once by a model that never saw it. From those judgements it prints
the calibration curve (:mod:`evaluation.calibration`), the thresholds of lowest cost and
those in config.yml, writes ``results/calibration.json`` and draws ``docs/calibration.png``
(the README shows it). Put the chosen thresholds in config.yml when they differ. About
five minutes on 2 cores (one training a fold).
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

from evaluation import calibration
from evaluation.outcome import decision

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "results" / "calibration.json"
PLOT = ROOT / "docs" / "calibration.png"


def judgements(config: Path, domain: Path, data: Path, folds: int) -> List[Dict[str, Any]]:
    """Each training example judged by a model trained on the other folds."""
    importer = TrainingDataImporter.load_from_config(str(config), str(domain), [str(data)])
    training = importer.get_nlu_data()
    judged: List[Dict[str, Any]] = []
    loop = asyncio.new_event_loop()
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        for number, (train, test) in enumerate(generate_folds(folds, training), start=1):
            logging.getLogger(__name__).info("fold %d of %d", number, folds)
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
                wanted = example.get(INTENT_RESPONSE_KEY) or example.get(INTENT)
                parse = loop.run_until_complete(agent.parse_message(example.get(TEXT)))
                decided = decision(parse)
                judged.append({
                    "text": example.get(TEXT),
                    "wanted": wanted,
                    "decided_label": decided["label"],
                    "decided_confidence": decided["confidence"] or 0.0,
                    "decided_margin": decided["margin"] or 0.0,
                    "fold": number,
                })
    return judged


def plot(points: List[calibration.Point], chosen: calibration.Point, path: Path) -> None:
    """The curve at the chosen ambiguity threshold: answers given and wrong answers."""
    figure = Figure(figsize=(7, 4))
    axis = figure.subplots()
    xs = [p.threshold for p in points]
    axis.plot(xs, [100 * p.answered for p in points], label="messages answered")
    axis.plot(xs, [100 * p.wrong_among_answered for p in points], label="wrong among answered")
    axis.plot(xs, [100 * p.confident_wrong for p in points], label="confident wrong answers")
    axis.plot(xs, [100 * p.lost for p in points], label="right answers withheld", linestyle=":")
    axis.axvline(chosen.threshold, color="grey", linestyle="--", linewidth=1)
    axis.annotate(
        f"chosen: {chosen.threshold:.3f}", (chosen.threshold, 55), xytext=(5, 0),
        textcoords="offset points", color="grey",
    )
    axis.set_xlabel("FallbackClassifier threshold (classifier confidence)")
    axis.set_ylabel("% of messages")
    axis.set_title("Calibration by 5-fold cross-validation of the training data")
    axis.set_ylim(0, 100)
    axis.grid(alpha=0.3)
    axis.legend(loc="center right", fontsize=8)
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=110)


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m evaluation.cross_validation", description=__doc__
    )
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--config", type=Path, default=ROOT / "config.yml")
    parser.add_argument("--domain", type=Path, default=ROOT / "domain.yml")
    parser.add_argument("--data", type=Path, default=ROOT / "data")
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument("--plot", type=Path, default=PLOT)
    args = parser.parse_args(argv)
    configure_logging_and_warnings(logging.WARNING)
    configure_structlog(logging.WARNING)
    judged = judgements(args.config, args.domain, args.data, args.folds)
    found = calibration.from_results(judged)
    chosen = calibration.choose(found)
    configured = calibration.configured(args.config)
    print(calibration.report(found, configured))
    print(
        f"Thresholds of lowest cost (a confident wrong answer = {calibration.WRONG_ANSWER_COST:g}"
        f" lost answers): threshold {chosen.threshold}, ambiguity_threshold {chosen.ambiguity}:"
        f" answered {chosen.answered:.3f}, wrong among answered "
        f"{chosen.wrong_among_answered:.3f}, confident wrong answer rate "
        f"{chosen.confident_wrong:.3f}, lost {chosen.lost:.3f}"
    )
    points = [calibration.point(found, t, chosen.ambiguity) for t in calibration.THRESHOLDS]
    plot(points, chosen, args.plot)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({
        "folds": args.folds,
        "chosen": {"threshold": chosen.threshold, "ambiguity_threshold": chosen.ambiguity},
        "configured": configured,
        "curve": [vars(p) for p in points],
        "judgements": judged,
    }, indent=1))
    if configured and configured != (chosen.threshold, chosen.ambiguity):
        print(f"config.yml has {configured}: put the chosen thresholds there.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
