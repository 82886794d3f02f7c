"""The checks of an example and of a new topic (staff/checks/examples.py).

The project's data (copied by ``data_root``, tests/conftest.py) is the good data: it
must pass every check. Each bad case changes the copy the way a staff member could.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from staff import checks
from tests.support.check_cases import (
    NEW_ANSWER,
    NEW_SOURCE,
    TEN,
    blocking,
)


def test_a_good_example(data_root: Path) -> None:
    assert (
        checks.check_example("downtime", "can I go to work the day after my jabs", data_root) == []
    )
    assert checks.check_example("emergency", "my face has gone numb and droopy", data_root) == []


@pytest.mark.parametrize(
    "target, text, wanted",
    [
        ("downtime", "   ", "The example is empty. Type the question as a visitor would."),
        ("downtime", "?!", "The example '?!' has no words."),
        ("downtime", "x" * 301, "The example is 301 characters long; keep it under 300 (the "
         "question itself is enough)."),
        ("downtime", "is [botox](treatment) painful", "The example 'is [botox](treatment) "
         "painful' has square brackets followed by other brackets, which the training files "
         "use to mark words; remove the brackets."),
        ("downtime", "IS THERE ANY DOWNTIME", "The example 'IS THERE ANY DOWNTIME' is already "
         "under downtime (written 'is there any downtime')."),
        ("pain", "how long do the results last", "The example 'how long do the results last' "
         "is already under results_duration; an example can belong to one topic only."),
        ("downtime", "/greet", "The example '/greet' starts with '/', which the assistant "
         "reads as a button's command; remove the '/'."),
        ("nope", "hello there", "There is no topic 'nope' to add the example to."),
    ],
)  # fmt: skip
def test_a_bad_example(target: str, text: str, wanted: str, data_root: Path) -> None:
    assert wanted in blocking(checks.check_example(target, text, data_root))


def test_a_held_out_test_question_cannot_be_taught(data_root: Path) -> None:
    found = checks.check_example("what_is_botox", "What is botox exactly?", data_root)
    assert blocking(found) == [
        "The example 'What is botox exactly?' is one of the test messages the assistant is "
        "checked with (evaluation/nlu_test.yml); a test message must not be taught, or the test "
        "would prove nothing. Teach it in other words."
    ]


# ---------------------------------------------------------------- a new topic


def test_a_good_new_topic(data_root: Path) -> None:
    assert checks.check_new_topic("aftercare", TEN, NEW_ANSWER, NEW_SOURCE, data_root) == []


def test_a_new_topic_with_a_name_that_exists_or_is_invalid(data_root: Path) -> None:
    taken = blocking(checks.check_new_topic("downtime", TEN, NEW_ANSWER, NEW_SOURCE, data_root))
    assert taken == [
        "There is already a topic 'downtime'; pick another name, or change that topic's answer "
        "and examples instead."
    ]
    bad = blocking(checks.check_new_topic("After Care!", TEN, NEW_ANSWER, NEW_SOURCE, data_root))
    assert bad == [
        "The topic name 'After Care!' can only have lower-case letters, digits and underscores, "
        "start with a letter and be at most 40 characters long, for example 'after_care'."
    ]
    assert blocking(checks.check_new_topic("", TEN, NEW_ANSWER, NEW_SOURCE, data_root)) == [
        "Give the topic a name, for example aftercare."
    ]


def test_a_new_topic_with_too_few_or_repeated_examples(data_root: Path) -> None:
    examples = [*TEN[:8], TEN[0].upper()]
    found = blocking(
        checks.check_new_topic("aftercare", examples, NEW_ANSWER, NEW_SOURCE, data_root)
    )
    assert found == [
        f"The example '{TEN[0].upper()}' is already under aftercare (written '{TEN[0]}').",
        "The topic has 8 different examples; it needs at least 10 so the assistant can "
        "recognise its questions (write the ways visitors really ask it).",
    ]


def test_a_new_topic_without_a_source_or_with_a_bad_answer(data_root: Path) -> None:
    found = blocking(checks.check_new_topic("aftercare", TEN, NEW_ANSWER, "", data_root))
    assert found == ["Pick the sentence of the source text that supports the answer."]
    bad = blocking(
        checks.check_new_topic("aftercare", TEN, "It is painless.", NEW_SOURCE, data_root)
    )
    assert bad[0].startswith("The answer gives a guarantee ('painless').")
