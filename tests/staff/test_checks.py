"""Each plain-words check, with good data and with bad data.

The project's data (copied by ``data_root``, tests/staff/conftest.py) is the good data: it
must pass every check. Each bad case changes the copy the way a staff member could.
"""

from __future__ import annotations

from pathlib import Path
from typing import List

import pytest

from staff import checks, data
from staff.checks import answers, examples, rasa
from staff.checks.__main__ import main as check_command
from staff.problems import Problem

SOURCE = "The procedure typically lasts about 15 to 30 minutes, and minimal downtime is required."
GOOD_ANSWER = "Minimal downtime is required after the treatment."
NUMBERS = "one two three four five six seven eight nine ten".split()
TEN = [f"question {word} about aftercare" for word in NUMBERS]
NEW_SOURCE = (
    "Once approved, the treatment area will be cleaned, and a topical anesthetic may be "
    "applied for additional comfort."
)
NEW_ANSWER = "The treatment area is cleaned, and a topical anesthetic may be applied for comfort."


def messages(problems: List[Problem]) -> List[str]:
    return [p.message for p in problems]


def blocking(problems: List[Problem]) -> List[str]:
    return [p.message for p in problems if p.blocking]


def append(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as out:
        out.write(text)


def nlu_file(intent: str, *examples: str) -> str:
    lines = "".join(f"    - {e}\n" for e in examples)
    return f'version: "3.1"\nnlu:\n- intent: {intent}\n  examples: |\n{lines}'


# ---------------------------------------------------------------- the whole project


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


# ---------------------------------------------------------------- an answer


def test_a_good_answer_with_its_source(data_root: Path) -> None:
    assert checks.check_answer("downtime", GOOD_ANSWER, [SOURCE], data_root) == []


def test_an_unchanged_answer_needs_no_new_source(data_root: Path) -> None:
    answer = data.topic("consultation", data_root).answer
    assert checks.check_answer("consultation", answer, [], data_root) == []


@pytest.mark.parametrize(
    "text, wanted",
    [
        ("The usual dose is 20 units per area.", "gives a dose or a number of units ('20 units')"),
        ("Each session uses several units.", "gives a dose or a number of units ('units')"),
        ("The results are permanent.", "gives a guarantee ('permanent')"),
        ("Botox will remove your scars.", "gives a guarantee ('will remove')"),
        ("The treatment is risk-free.", "gives a guarantee ('risk-free')"),
        ("A session costs $300.", "gives a price ('$300')"),
        ("It is about 250 pounds a session.", "gives a price ('250 pounds')"),
    ],
)
def test_an_answer_that_gives_a_dose_a_guarantee_or_a_price(
    text: str, wanted: str, data_root: Path
) -> None:
    found = blocking(checks.check_answer("downtime", text, [SOURCE], data_root))
    assert any(f"The answer {wanted}." in message for message in found), found


def test_an_answer_sentence_the_source_does_not_back(data_root: Path) -> None:
    text = f"{GOOD_ANSWER} Botox is safe for pregnant women."
    assert blocking(checks.check_answer("downtime", text, [SOURCE], data_root)) == [
        "The sentence 'Botox is safe for pregnant women.' is not backed by the source sentences "
        "you picked. Pick the sentence of the source text that says it, or change or remove it."
    ]
    # With no source picked, no new sentence is backed.
    assert len(blocking(checks.check_answer("downtime", GOOD_ANSWER, [], data_root))) == 1


def test_a_source_sentence_that_is_not_in_the_source(data_root: Path) -> None:
    found = checks.check_answer("downtime", GOOD_ANSWER, [SOURCE, "Botox is magic."], data_root)
    assert blocking(found) == [
        "The source sentence 'Botox is magic.' is not in the source text; pick it from the list."
    ]


def test_a_sentence_with_only_the_clinics_details_needs_no_source(data_root: Path) -> None:
    text = f"{GOOD_ANSWER} To book, call {{clinic_name}} on {{clinic_phone}}."
    assert checks.check_answer("downtime", text, [SOURCE], data_root) == []


def test_an_empty_or_too_long_answer(data_root: Path) -> None:
    assert messages(checks.check_answer("downtime", "  \n ", [SOURCE], data_root)) == [
        "The answer is empty. Write what visitors should read."
    ]
    long = " ".join([GOOD_ANSWER] * 14)
    found = blocking(checks.check_answer("downtime", long, [SOURCE], data_root))
    assert found == [
        f"The answer is {len(long)} characters long; keep it under "
        f"{answers.MAX_ANSWER_CHARS} so it is easy to read in the chat window."
    ]


def test_an_answer_with_a_placeholder_that_is_not_in_clinic_yml(data_root: Path) -> None:
    text = f"{GOOD_ANSWER} Call {{clinic_phone}} or write to {{clinic_adress}}."
    found = blocking(checks.check_answer("downtime", text, [SOURCE], data_root))
    assert len(found) == 1
    assert found[0].startswith(
        "The answer uses {clinic_adress}, which is not one of the clinic's details in clinic.yml."
    )
    assert "{clinic_phone}" in found[0]
    stray = blocking(checks.check_answer("downtime", f"{GOOD_ANSWER} {{", [SOURCE], data_root))
    assert stray == [
        "The answer has a curly bracket that is not part of a clinic detail such as "
        "{clinic_phone}; remove it."
    ]


def test_an_answer_for_a_topic_that_does_not_exist(data_root: Path) -> None:
    assert messages(checks.check_answer("nope", GOOD_ANSWER, [SOURCE], data_root)) == [
        "There is no topic 'nope' with an answer to change."
    ]


# ---------------------------------------------------------------- an example


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


# ---------------------------------------------------------------- make check


def test_make_check_says_no_problems_found(
    data_root: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    monkeypatch.setenv("STAFF_DATA_ROOT", str(data_root))
    assert check_command(["--quick"]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == "No problems found."


def test_make_check_lists_the_problems_and_fails(
    data_root: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    (data_root / "data/nlu/faq/aftercare.yml").write_text(nlu_file("faq/aftercare", *TEN))
    monkeypatch.setenv("STAFF_DATA_ROOT", str(data_root))
    assert check_command(["--quick"]) == 1
    out = capsys.readouterr().out
    assert "1. Topic 'aftercare' has examples but no answer.\n" in out
    assert "1 problem to fix, 0 warnings." in out


# ---------------------------------------------------------------- rasa data validate


def colour(text: str) -> str:
    return f"\x1b[93m{text}\x1b[0m"


RASA_OUTPUT = "\n".join(
    [
        "2026-11-26 11:00:00 INFO     rasa.validator  - Validating intents...",
        colour(
            "/work/.venv/lib/python3.10/site-packages/rasa/shared/core/slot_mappings.py:224: "
            "UserWarning: Slot auto-fill has been removed in 3.0 and replaced with a new "
            "explicit mechanism to set slots.\n"
        ),
        colour(
            "/work/.venv/lib/python3.10/site-packages/rasa/shared/utils/io.py:100: UserWarning: "
            "The utterance 'utter_human_handoff' is not used in any story or rule.\n"
        ),
        colour(
            "/work/.venv/lib/python3.10/site-packages/rasa/validator.py:80: UserWarning: There is "
            "a message in the training data labeled with intent 'aftercare'. This intent is not "
            "listed in your domain. You should need to add that intent to your domain file!\n"
        ),
        colour(
            "/work/.venv/lib/python3.10/site-packages/rasa/validator.py:115: UserWarning: The "
            "example 'how long does it last' was found labeled with multiple different intents "
            "in the training data. Each annotated message should only appear with one intent. "
            "You should fix that conflict The example is labeled with: faq, "
            "request_medical_advice.\n"
            "  More info at https://rasa.com/docs/rasa/training-data-format\n"
        ),
        "2026-11-26 11:00:01 WARNING  rasa.validator  - Story structure conflict after intent "
        "'faq':",
        "  utter_faq predicted in 'answer an FAQ question'",
        "  action_rephrase predicted in 'unsure'",
        "",
        colour("Project validation completed with errors."),
    ]
)


def test_rasas_data_check_in_plain_words(data_root: Path) -> None:
    assert messages(rasa.translate(RASA_OUTPUT, 1, data_root)) == [
        "Examples are labelled 'aftercare', which is not one of the assistant's intents "
        "(domain.yml).",
        "The example 'how long does it last' is under both faq and personal advice.",
        "Two rules or stories disagree on what to do after intent 'faq'.",
    ]
    # Passed: its warnings about reading any project are not problems of the data.
    assert rasa.translate(RASA_OUTPUT, 0, data_root) == []


def test_an_unknown_message_of_rasa_is_shown_without_its_traceback(data_root: Path) -> None:
    output = "\n".join(
        [
            "Traceback (most recent call last):",
            '  File "/x/rasa/__main__.py", line 1, in <module>',
            "    main()",
            f"rasa.shared.exceptions.RasaException: The file '{data_root}/domain.yml' is odd.",
        ]
    )
    assert messages(rasa.translate(output, 1, data_root)) == [
        "Rasa's data check failed: rasa.shared.exceptions.RasaException: The file "
        "'domain.yml' is odd."
    ]


def test_without_the_source_text_nothing_can_be_checked_against_it(data_root: Path) -> None:
    (data_root / "content/botox-for-acne-scars.txt").unlink()
    missing = (
        "The source text (content/botox-for-acne-scars.txt) is missing, so no answer can "
        "be checked against it."
    )
    assert blocking(checks.check_answer("downtime", GOOD_ANSWER, [SOURCE], data_root)) == [missing]
    assert blocking(checks.check_project(data_root, rasa_validate=False)) == [missing]


def test_rasas_own_data_check_runs_and_speaks_plainly(data_root: Path) -> None:
    """The real `rasa data validate`, on the copy: as shipped it passes; a rule that uses a
    response nobody wrote fails it, said in plain words (a subprocess of a few seconds)."""
    assert rasa.validate(data_root) == []
    (data_root / "data/rules/thanks.yml").write_text(
        'version: "3.1"\nrules:\n- rule: thanks\n  steps:\n  - intent: thank\n'
        "  - action: utter_thanks_a_lot\n"
    )
    assert messages(checks.check_project(data_root)) == [
        "The rules or stories use 'utter_thanks_a_lot', which the assistant does not know "
        "(domain.yml)."
    ]
