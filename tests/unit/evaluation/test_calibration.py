"""The calibration curve and the thresholds of lowest cost."""

from __future__ import annotations

from pathlib import Path

import pytest

from evaluation.calibration import (
    Judgement,
    choose,
    configured,
    from_results,
    point,
    report,
)

#: Right answers are confident, wrong ones less so: a threshold between them pays.
JUDGEMENTS = [
    *(Judgement(0.9, 0.8, True) for _ in range(8)),
    Judgement(0.35, 0.1, False),
    Judgement(0.4, 0.2, True),
    Judgement(0.3, 0.05, False, answer=False),
]


def test_a_point_counts_answers_wrong_answers_and_lost_ones() -> None:
    everything = point(JUDGEMENTS, 0.0, 0.0)
    assert everything.answered == 1.0
    assert everything.wrong_among_answered == pytest.approx(2 / 11)
    # A wrong reply that answers nothing (off topic for a question) is lost, not harmful.
    assert everything.confident_wrong == pytest.approx(1 / 11)
    assert everything.lost == pytest.approx(1 / 11)
    strict = point(JUDGEMENTS, 0.5, 0.0)
    assert strict.answered == pytest.approx(8 / 11)
    assert strict.confident_wrong == 0.0
    assert strict.lost == pytest.approx(1 / 11)  # the right answer at 0.4
    assert point(JUDGEMENTS, 0.0, 0.15).confident_wrong == 0.0


def test_the_chosen_thresholds_cost_least() -> None:
    best = choose(JUDGEMENTS)
    assert best.confident_wrong == 0.0
    assert best.lost == pytest.approx(0.0)
    assert best.threshold <= 0.375 and best.ambiguity > 0.1


def test_the_chosen_thresholds_keep_the_in_domain_questions_answered() -> None:
    # A stricter threshold would avoid the wrong answer, but withhold in-domain answers.
    judgements = [
        *(Judgement(0.9, 0.8, True, group="nlu", topic_question=True) for _ in range(8)),
        Judgement(0.4, 0.1, True, group="nlu", topic_question=True),
        Judgement(0.45, 0.1, True, group="nlu", topic_question=True),
        Judgement(0.42, 0.1, False),
    ]
    assert choose(judgements).threshold > 0.42
    floored = choose(judgements, in_domain_floor=0.95)
    assert floored.threshold <= 0.4
    assert floored.lost == 0.0


def test_judgements_come_from_results_with_a_wanted_label() -> None:
    results = [
        {
            "wanted": "faq/cost",
            "decided_label": "faq/cost",
            "decided_confidence": 0.7,
            "decided_margin": 0.4,
        },
        {
            "wanted": "out_of_scope",
            "decided_label": "faq/pain",
            "decided_confidence": 0.6,
            "decided_margin": 0.1,
        },
        {"wanted": "", "decided_label": "greet", "decided_confidence": 0.9, "decided_margin": 0.9},
    ]
    assert from_results(results) == [
        Judgement(0.7, 0.4, True, True, "", True),
        Judgement(0.6, 0.1, False, True, "", False),
    ]


def test_the_configured_thresholds_are_read_from_config(tmp_path: Path) -> None:
    config = tmp_path / "config.yml"
    config.write_text(
        "pipeline:\n  - name: FallbackClassifier\n    threshold: 0.4\n"
        "    ambiguity_threshold: 0.05\n"
    )
    assert configured(config) == (0.4, 0.05)
    (tmp_path / "none.yml").write_text("pipeline: []\n")
    assert configured(tmp_path / "none.yml") is None


def test_the_report_shows_the_curve_and_the_configured_point() -> None:
    text = report(JUDGEMENTS, (0.5, 0.0))
    assert "Calibration of the classifier on 11 held-out messages" in text
    assert "at config.yml's thresholds (0.5, ambiguity 0.0)" in text
    assert report([]) == "Calibration: no message with a known label."
