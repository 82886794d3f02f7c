"""The checks of the whole project (staff/checks/project.py).

The project's data (copied by ``data_root``, tests/conftest.py) is the good data: it
must pass every check. Each bad case changes the copy the way a staff member could.
"""

from __future__ import annotations

from pathlib import Path

from staff import checks
from staff.checks import examples
from tests.support.check_cases import (
    GOOD_ANSWER,
    SOURCE,
    TEN,
    append,
    blocking,
    nlu_file,
)


def test_the_project_as_shipped_has_no_problem(data_root: Path) -> None:
    assert checks.check_project(data_root, rasa_validate=False) == []


def test_an_example_under_two_topics(data_root: Path) -> None:
    (data_root / "data/nlu/reviewed").mkdir(parents=True)
    (data_root / "data/nlu/reviewed/downtime.yml").write_text(
        nlu_file("faq/downtime", "how long do the results last")
    )
    assert blocking(checks.check_project(data_root, rasa_validate=False)) == [
        "The example 'how long do the results last' is under both results_duration and downtime."
    ]


def test_an_example_under_two_topics_apart_from_capitals_and_punctuation(data_root: Path) -> None:
    (data_root / "data/nlu/reviewed").mkdir(parents=True)
    (data_root / "data/nlu/reviewed/request_medical_advice.yml").write_text(
        nlu_file("request_medical_advice", "How long do the results last?!")
    )
    assert blocking(checks.check_project(data_root, rasa_validate=False)) == [
        "The example 'how long do the results last' is under both results_duration and "
        "personal advice."
    ]


def test_near_duplicates_within_a_topic(data_root: Path) -> None:
    (data_root / "data/nlu/reviewed").mkdir(parents=True)
    (data_root / "data/nlu/reviewed/downtime.yml").write_text(
        nlu_file("faq/downtime", "Is there any downtime?", "is there any downtime")
    )
    assert blocking(checks.check_project(data_root, rasa_validate=False)) == [
        "The examples 'is there any downtime' and 'Is there any downtime?' of downtime are the "
        "same apart from capitals or punctuation; keep one.",
        "The example 'is there any downtime' is under downtime twice; keep one.",
    ]


def test_a_topic_with_examples_but_no_answer_and_the_reverse(data_root: Path) -> None:
    (data_root / "data/nlu/faq/aftercare.yml").write_text(nlu_file("faq/aftercare", *TEN))
    append(
        data_root / "data/nlu/faq/pain.yml",
        '  utter_faq/recovery:\n    - text: "Minimal downtime is required."\n',
    )
    found = blocking(checks.check_project(data_root, rasa_validate=False))
    assert "Topic 'aftercare' has examples but no answer." in found
    assert (
        "Topic 'recovery' has an answer but no examples, so the assistant can never give it."
        in found
    )


def test_a_topic_with_too_few_examples(data_root: Path) -> None:
    (data_root / "data/nlu/faq/aftercare.yml").write_text(
        nlu_file("faq/aftercare", *TEN[:4])
        + f'responses:\n  utter_faq/aftercare:\n    - text: "{GOOD_ANSWER}"\n'
    )
    found = checks.check_project(data_root, rasa_validate=False)
    assert (
        f"Topic 'aftercare' has 4 different examples; it needs at least {examples.MIN_EXAMPLES} "
        "so the assistant can recognise its questions." in blocking(found)
    )


def test_an_answer_changed_by_hand_without_its_review(data_root: Path) -> None:
    path = data_root / "data/nlu/faq/downtime.yml"
    path.write_text(path.read_text().replace("Minimal downtime", "No downtime at all"))
    assert blocking(checks.check_project(data_root, rasa_validate=False)) == [
        "The answer of topic 'downtime' has text that was never checked against the source "
        "text: 'No downtime at all is needed after a Botox treatment for acne scars.'. Save it "
        "in the staff app with its source sentence."
    ]


def test_an_answer_changed_by_hand_to_give_a_price(data_root: Path) -> None:
    path = data_root / "data/nlu/faq/cost.yml"
    path.write_text(path.read_text().replace("so I can't quote a price here.", "from £150."))
    found = blocking(checks.check_project(data_root, rasa_validate=False))
    assert found[0] == (
        "The answer of topic 'cost' gives a price ('£150'). The assistant never quotes prices: "
        "they depend on the treatment plan worked out at the consultation."
    )


def test_a_data_file_that_is_not_valid_yaml(data_root: Path) -> None:
    (data_root / "data/nlu/faq/pain.yml").write_text("nlu:\n- intent: faq/pain\n  examples: [\n")
    found = checks.check_project(data_root, rasa_validate=False)
    assert len(found) == 1 and found[0].blocking
    assert found[0].message.startswith("The file pain.yml cannot be read:")
    assert "line" in found[0].message and "Traceback" not in found[0].message


def test_without_the_source_text_nothing_can_be_checked_against_it(data_root: Path) -> None:
    (data_root / "content/botox-for-acne-scars.txt").unlink()
    missing = (
        "The source text (content/botox-for-acne-scars.txt) is missing, so no answer can "
        "be checked against it."
    )
    assert blocking(checks.check_answer("downtime", GOOD_ANSWER, [SOURCE], data_root)) == [missing]
    assert blocking(checks.check_project(data_root, rasa_validate=False)) == [missing]
