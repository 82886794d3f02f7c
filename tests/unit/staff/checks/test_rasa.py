"""Rasa's own data check, in plain words (staff/checks/rasa.py)."""

from __future__ import annotations

from pathlib import Path

from staff.checks import rasa
from tests.support.check_cases import (
    messages,
)


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
