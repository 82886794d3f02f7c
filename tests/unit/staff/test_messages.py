"""The assistant's own messages (staff/messages.py): listed with their languages, one text
changed at a time, the rest of domain.yml and Rasa's reading of it as they were.

Every test works on a copy of the project's data (``data_root``, tests/conftest.py).
"""

from __future__ import annotations

from pathlib import Path
from typing import List, Tuple

import pytest
import yaml

from staff import data, messages
from staff.edits import Edits
from staff.problems import ContentError, Problem
from tests.support.staff_edits import assert_the_audit_passes, reviews

GERMAN = (
    "Entschuldigung, ich antworte nur auf Englisch. Bei Atemnot, Schluckbeschwerden, "
    "Sprechstörungen oder Doppeltsehen nach einer Behandlung rufen Sie sofort die "
    "{emergency_number} an. Sonst erreichen Sie {clinic_name} unter {clinic_phone}."
)


def save_message(
    name: str, index: int, text: str, confirmed: bool, who: str, root: Path
) -> Tuple[List[Path], List[Problem]]:
    """The edit of one variation (staff/edits.py): the files changed and the warnings."""
    saved = Edits(root).save_message(name, index, text, confirmed, who)
    return saved.changed, saved.warnings


def other_language(root: Path) -> messages.Message:
    return messages.message("utter_other_language", root)


def index_of(message: messages.Message, label: str) -> int:
    [found] = [v.index for v in message.variations if v.label == label]
    return found


def domain_texts(root: Path, name: str) -> list:
    document = yaml.safe_load((root / data.DOMAIN).read_text(encoding="utf-8"))
    return [v["text"] for v in document["responses"][name]]


def test_the_list_names_what_each_message_is_for_off_topic_and_not_covered_first() -> None:
    found = messages.messages()
    names = [m.name for m in found]
    assert names[:4] == ["utter_greet", "utter_how_can_help", "utter_out_of_scope",
                         "utter_not_covered"]  # fmt: skip
    assert not any(name.startswith(data.FAQ_RESPONSE) for name in names)
    not_covered = {m.name: m for m in found}["utter_not_covered"]
    assert (not_covered.title, not_covered.purpose) == messages.PURPOSES["utter_not_covered"]


def test_each_language_is_named_and_the_default_is_english() -> None:
    labels = [v.label for v in other_language(data.ROOT).variations]
    assert labels == ["Spanish", "French", "German", "Italian", "Portuguese", "Polish",
                      "Dutch", "English (any other language)"]  # fmt: skip
    assert [v.label for v in messages.message("utter_not_covered").variations] == [""]


def test_one_language_is_changed_and_nothing_else(data_root: Path) -> None:
    before = (data_root / data.DOMAIN).read_text(encoding="utf-8")
    old = domain_texts(data_root, "utter_other_language")
    german = index_of(other_language(data_root), "German")
    changed, warnings = save_message(
        "utter_other_language", german, GERMAN, True, "Ana", data_root
    )
    assert changed == [data_root / data.DOMAIN, data_root / data.CLAIMS]
    assert warnings == [
        Problem(
            "answer",
            "The German text no longer gives {booking_url}; visitors used to find it here.",
            blocking=False,
        )
    ]
    new = domain_texts(data_root, "utter_other_language")
    assert new[german] == GERMAN
    assert new[:german] + new[german + 1 :] == old[:german] + old[german + 1 :]
    after = (data_root / data.DOMAIN).read_text(encoding="utf-8")
    assert before.splitlines()[:160] == after.splitlines()[:160]  # the lines before it
    domain = assert_the_audit_passes(data_root)
    assert domain.responses["utter_other_language"][german]["condition"] == [
        {"type": "slot", "name": "language", "value": "de"}
    ]
    review = reviews(data_root)["utter_other_language"]
    written = [i for i in review["no_claim"] if i["answer"].startswith("Bei Atemnot")]
    assert written == [
        {
            "answer": written[0]["answer"],
            "why": "written in the staff app by Ana; states no medical fact",
        }
    ]


def test_the_emergency_number_cannot_be_taken_out(data_root: Path) -> None:
    before = (data_root / data.DOMAIN).read_bytes()
    spanish = index_of(other_language(data_root), "Spanish")
    with pytest.raises(ContentError) as refused:
        save_message(
            "utter_other_language", spanish, "Solo hablo inglés. Llame a {clinic_phone}.",
            True, "Ana", data_root,
        )  # fmt: skip
    assert [p.message for p in refused.value.problems if p.blocking] == [
        "The Spanish text must keep {emergency_number}: a visitor who reads it may be having "
        "a serious reaction and must be told to call the emergency number."
    ]
    assert (data_root / data.DOMAIN).read_bytes() == before


def test_new_sentences_need_the_confirmation_that_they_state_no_medical_fact(
    data_root: Path,
) -> None:
    before = (data_root / data.DOMAIN).read_bytes()
    old = messages.message("utter_not_covered", data_root).variations[0].text
    text = old + " Most people need three sessions."
    problems = messages.check_message("utter_not_covered", 0, text, False, "Ana", data_root)
    assert [(p.field, p.blocking) for p in problems] == [("confirm", True)]
    assert "('Most people need three sessions.')" in problems[0].message
    with pytest.raises(ContentError):
        save_message("utter_not_covered", 0, text, False, "Ana", data_root)
    assert (data_root / data.DOMAIN).read_bytes() == before


def test_a_price_is_refused_even_when_confirmed(data_root: Path) -> None:
    problems = messages.check_message(
        "utter_not_covered", 0, "I can't answer that. A session costs £250.", True, "Ana",
        data_root,
    )  # fmt: skip
    assert [p.field for p in problems if p.blocking] == ["answer"]
    assert "price" in problems[0].message


def test_the_clinics_details_need_no_confirmation_and_an_unchanged_text_writes_nothing(
    data_root: Path,
) -> None:
    old = messages.message("utter_not_covered", data_root).variations[0].text
    assert save_message("utter_not_covered", 0, old, False, "Ana", data_root) == ([], [])
    text = old + "\nYou can also e-mail {clinic_email}."
    changed, problems = save_message("utter_not_covered", 0, text, False, "Ana", data_root)
    assert (changed, problems) == ([data_root / data.DOMAIN, data_root / data.CLAIMS], [])
    assert domain_texts(data_root, "utter_not_covered") == [text]
    assert_the_audit_passes(data_root)


@pytest.mark.parametrize(
    ("name", "index"), [("utter_nothing", 0), ("utter_not_covered", 1), ("utter_faq/pain", 0)]
)
def test_an_unknown_message_or_text_is_a_key_error(name: str, index: int) -> None:
    with pytest.raises(KeyError):
        messages.message(name).variation(index)
