"""Editing the training data (staff/edits.py): answers, taught examples and new topics, as
Rasa reads them, each checked once, written under the data lock and recorded in the history.

Every test works on a copy of the project's data (``data_root``, tests/conftest.py).
"""

from __future__ import annotations

import sqlite3
import threading
import warnings
from pathlib import Path
from typing import List

import pytest
import yaml
from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLReader

from staff import data, history
from staff.claims import CONTACT_REASON
from staff.data import CLAIMS
from staff.edits import Edits
from staff.history import History
from staff.problems import ContentError
from staff.yaml_edit import today
from tests.support.project import ROOT
from tests.support.staff_edits import (
    DOWNTIME,
    DOWNTIME_SOURCE,
    NEW_DOWNTIME,
    add_example,
    add_topic,
    assert_the_audit_passes,
    files,
    project,
    refuse_to_replace,
    reviews,
    save_answer,
)

AFTERCARE_EXAMPLES = [
    "how should I look after my skin after botox",
    "aftercare tips for the injections",
    "what should I do after the treatment",
    "can I touch my face after the jabs",
    "is exercise ok after botox for scars",
    "what aftercare is needed after tox",
    "how do I care for the treated area",
    "post treatment care for botox",
    "are there rules to follow after the treatment",
    "after botox what should i avoid",
    "can i lie down after the injections",
]
AFTERCARE_ANSWER = (
    "The treatment area is cleaned before the injections, and a topical anesthetic may be "
    "applied for comfort. For aftercare advice, call {clinic_name} on {clinic_phone}."
)
AFTERCARE_SOURCE = (
    "Once approved, the treatment area will be cleaned, and a topical anesthetic may be "
    "applied for additional comfort."
)


def rasa_warnings(text: str) -> List[str]:
    """What Rasa's YAML reader warns about when it reads ``text``."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        RasaYAMLReader().reads(text)
    return [str(w.message) for w in caught if "rasa" in str(w.filename)]


def test_editing_an_answer_leaves_every_other_byte_of_the_file_as_it_was(
    data_root: Path,
) -> None:
    path = data_root / DOWNTIME
    before = path.read_text(encoding="utf-8").splitlines(keepends=True)
    others = {k: v for k, v in files(data_root / "data").items() if k != "nlu/faq/downtime.yml"}

    changed = save_answer("downtime", NEW_DOWNTIME, [DOWNTIME_SOURCE], "nurse", data_root)

    assert changed == [path, data_root / CLAIMS]
    after = path.read_text(encoding="utf-8").splitlines(keepends=True)
    start = before.index("    - text: >-\n") + 1
    end = before.index("      buttons:\n")
    new_end = after.index("      buttons:\n")
    # Everything outside the answer's folded scalar is byte-identical, comments included.
    assert after[:start] == before[:start]
    assert after[new_end:] == before[end:]
    assert after[start:new_end] == [
        "        Minimal downtime is required after the treatment, so most people go back to\n",
        "        their day straight away. Common side effects may include bruising at the\n",
        "        injection site, slight swelling and headaches.\n",
    ]
    # No other data file changed.
    assert {k: v for k, v in files(data_root / "data").items() if k in others} == others
    domain = assert_the_audit_passes(data_root)
    assert domain.responses["utter_faq/downtime"][0]["text"] == NEW_DOWNTIME


def test_an_unchanged_sentence_keeps_its_review_and_a_new_one_cites_the_picked_source(
    data_root: Path,
) -> None:
    old = reviews(data_root)["utter_faq/downtime"]
    save_answer("downtime", NEW_DOWNTIME, [DOWNTIME_SOURCE], "nurse jo", data_root)
    new = reviews(data_root)["utter_faq/downtime"]
    kept = [c for c in old["claims"] if c["answer"].startswith("Common side effects")]
    assert kept and all(c in new["claims"] for c in kept)
    assert {
        "answer": "Minimal downtime is required after the treatment, so most people go back to "
        "their day straight away.",
        "source": DOWNTIME_SOURCE,
    } in new["claims"]
    text = (data_root / CLAIMS).read_text()
    assert f"# Answer edited in the staff app by nurse jo on {today()}." in text


def test_an_answer_of_several_lines_stays_a_literal_block(data_root: Path) -> None:
    topic = data.topic("combination_treatments", data_root)
    text = topic.answer.replace("Which combination suits someone", "Which combination suits you")
    save_answer("combination_treatments", text, topic.sources, "nurse", data_root)
    written = (data_root / topic.file).read_text()
    assert "    - text: |-\n        For the best results" in written
    domain = assert_the_audit_passes(data_root)
    assert domain.responses["utter_faq/combination_treatments"][0]["text"] == text


def test_saving_an_unchanged_answer_changes_nothing(data_root: Path) -> None:
    before = files(data_root)
    topic = data.topic("serious_complications", data_root)
    assert save_answer(topic.name, topic.answer + "\n", [], "nurse", data_root) == []
    assert files(data_root) == before


def test_an_answer_with_a_blocking_problem_is_not_saved(data_root: Path) -> None:
    before = files(data_root)
    with pytest.raises(ContentError) as refused:
        save_answer(
            "downtime", "Downtime is zero and results are permanent.", [], "nurse", data_root
        )
    assert "a guarantee" in str(refused.value)
    assert all(p.blocking for p in refused.value.problems)
    assert files(data_root) == before


def test_an_answer_of_a_topic_that_does_not_exist_is_refused(data_root: Path) -> None:
    with pytest.raises(KeyError):
        save_answer("no_such_topic", "Some text.", [], "nurse", data_root)


def test_a_taught_example_lands_in_the_reviewed_file_with_who_and_when(data_root: Path) -> None:
    path = add_example("downtime", "Can I go to the office the day after?", "jo", data_root)
    assert path == data_root / "data/nlu/reviewed/downtime.yml"
    first = path.read_text()
    assert first.startswith('version: "3.1"\n# Staff-reviewed examples land here')
    assert (
        f"# added by jo on {today()}\n- intent: faq/downtime\n  examples: |\n"
        "    - Can I go to the office the day after?\n"
    ) in first
    assert rasa_warnings(first) == []

    add_example("downtime", "  back to work   the next day?  ", "sam", data_root)
    second = path.read_text()
    assert second.startswith(first)  # appended: the earlier bytes are untouched
    assert rasa_warnings(second) == []
    examples = RasaYAMLReader().reads(second).intent_examples
    assert [(m.get("text"), m.get("intent_response_key")) for m in examples] == [
        ("Can I go to the office the day after?", "faq/downtime"),
        ("back to work the next day?", "faq/downtime"),
    ]
    assert "back to work the next day?" in data.topic("downtime", data_root).examples


def test_a_taught_example_of_personal_advice_goes_to_its_intent(data_root: Path) -> None:
    path = add_example("personal advice", "I am on roaccutane, can I book?", "jo", data_root)
    assert path == data_root / "data/nlu/reviewed/request_medical_advice.yml"
    nlu = project(data_root).get_nlu_data()
    taught = [m for m in nlu.intent_examples if m.get("text") == "I am on roaccutane, can I book?"]
    assert [m.get("intent") for m in taught] == ["request_medical_advice"]


def test_an_example_under_another_topic_is_refused(data_root: Path) -> None:
    with pytest.raises(ContentError) as refused:
        add_example("side_effects", "Is there any downtime?", "jo", data_root)
    assert refused.value.problems[0].message == (
        "The example 'Is there any downtime?' is already under downtime; an example can "
        "belong to one topic only."
    )
    assert not (data_root / "data/nlu/reviewed/side_effects.yml").exists()


def test_two_staff_teaching_at_once_lose_nothing(data_root: Path) -> None:
    def teach(who: str) -> None:
        for number in range(8):
            add_example("pain", f"{who} asks question number {number} about pain", who, data_root)

    threads = [threading.Thread(target=teach, args=(who,)) for who in ("amy", "ben", "cat")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    examples = data.topic("pain", data_root).examples
    for who in ("amy", "ben", "cat"):
        assert all(f"{who} asks question number {n} about pain" in examples for n in range(8))
    text = (data_root / "data/nlu/reviewed/pain.yml").read_text()
    assert text.count("# added by") == 24
    assert rasa_warnings(text) == []
    # No temporary file is left behind.
    assert sorted(p.name for p in (data_root / "data/nlu/reviewed").iterdir()) == ["pain.yml"]


def test_a_new_topic_has_the_layout_of_the_others_and_passes_the_audit(data_root: Path) -> None:
    changed = add_topic(
        "aftercare", AFTERCARE_EXAMPLES, AFTERCARE_ANSWER, AFTERCARE_SOURCE, "nurse", data_root
    )
    path = data_root / "data/nlu/faq/aftercare.yml"
    assert changed == [path, data_root / CLAIMS]
    text = path.read_text()
    assert text.startswith(
        'version: "3.1"\nnlu:\n- intent: faq/aftercare\n  examples: |\n'
        "    - how should I look after my skin after botox\n"
    )
    assert '#   "Once approved, the treatment area will be cleaned' in text
    written = yaml.safe_load(text)
    answer = written["responses"]["utter_faq/aftercare"][0]
    assert answer["buttons"][-1] == {
        "title": "Book a consultation",
        "payload": "/book_consultation",
    }
    # Laid out as the existing topics: the answer's key and button lines as in downtime.yml.
    downtime = (data_root / DOWNTIME).read_text()
    for line in ("responses:\n", "    - text: >-\n", "      buttons:\n",
                 '        - title: "Book a consultation"\n',
                 '          payload: "/book_consultation"\n'):  # fmt: skip
        assert line in text and line in downtime
    domain = assert_the_audit_passes(data_root)
    assert domain.responses["utter_faq/aftercare"][0]["text"] == AFTERCARE_ANSWER
    review = reviews(data_root)["utter_faq/aftercare"]
    assert review["claims"][0]["source"] == AFTERCARE_SOURCE
    assert review["no_claim"] == [
        {
            "answer": "For aftercare advice, call {clinic_name} on {clinic_phone}.",
            "why": CONTACT_REASON,
        }
    ]
    # The review is among the FAQ answers, in name order.
    claims_text = (data_root / CLAIMS).read_text()
    assert claims_text.index("utter_faq/aftercare:") < claims_text.index("utter_faq/atrophic")
    nlu = project(data_root).get_nlu_data()
    assert (
        len([m for m in nlu.intent_examples if m.get("intent_response_key") == "faq/aftercare"])
        == 11
    )
    topic = data.topic("aftercare", data_root)
    assert topic.sources == [AFTERCARE_SOURCE]


def test_a_new_topic_with_a_taken_or_bad_name_is_refused(data_root: Path) -> None:
    for name in ("downtime", "After care", "2nd_topic", ""):
        with pytest.raises(ContentError):
            add_topic(
                name, AFTERCARE_EXAMPLES, AFTERCARE_ANSWER, AFTERCARE_SOURCE, "nurse", data_root
            )
    assert not (data_root / "data/nlu/faq/after_care.yml").exists()


def test_the_copy_starts_as_the_project(data_root: Path) -> None:
    """The fixture's copy is the project's data (so the tests above test the real files)."""
    assert (data_root / DOWNTIME).read_bytes() == (ROOT / DOWNTIME).read_bytes()


def test_every_edit_is_recorded_in_the_history_with_who_and_what(data_root: Path) -> None:
    log = History(data_root / "var" / "staff.db")
    edits = Edits(data_root, log)
    edits.save_answer("downtime", NEW_DOWNTIME, [DOWNTIME_SOURCE], "jo")
    edits.add_example("downtime", "back at work   the next day?", "sam")
    edits.add_topic("aftercare", AFTERCARE_EXAMPLES, AFTERCARE_ANSWER, AFTERCARE_SOURCE, "ana")
    # Refused or unchanged: nothing to record.
    with pytest.raises(ContentError):
        edits.add_example("side_effects", "Is there any downtime?", "jo")
    assert edits.save_answer("downtime", NEW_DOWNTIME, [], "jo").changed == []
    entries = [(e.who, e.action, e.subject, e.after) for e in reversed(log.entries())]
    assert entries == [
        ("jo", history.ANSWER_EDITED, "downtime", NEW_DOWNTIME),
        ("sam", history.EXAMPLE_TAUGHT, "downtime", "back at work the next day?"),
        ("ana", history.TOPIC_ADDED, "aftercare", AFTERCARE_ANSWER),
    ]
    assert (
        log.entries(action=history.ANSWER_EDITED)[0].before == data.topic("downtime", ROOT).answer
    )


# All or nothing: an edit of two files (the data file and the claims review) that cannot
# write the second leaves the first as it was, and records nothing (issue 16, finding 11).


def test_an_answer_whose_review_cannot_be_written_is_not_saved_at_all(
    data_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    log = History(data_root / "var" / "staff.db")
    before = files(data_root)
    refuse_to_replace(monkeypatch, data_root / CLAIMS)

    with pytest.raises(Exception) as refused:
        Edits(data_root, log).save_answer("downtime", NEW_DOWNTIME, [DOWNTIME_SOURCE], "jo")

    # The answer's file is as it was (no other file changed, no temporary file left) ...
    assert files(data_root) == before
    # ... no history entry says it changed ...
    assert log.entries() == []
    # ... and the page is told why, in plain words.
    assert isinstance(refused.value, ContentError)
    assert str(refused.value) == (
        "Nothing was saved: content/claims.yml could not be written (Permission denied)."
    )
    # Once the file can be written, the same save goes through.
    monkeypatch.undo()
    assert save_answer("downtime", NEW_DOWNTIME, [DOWNTIME_SOURCE], "jo", data_root) == [
        data_root / DOWNTIME,
        data_root / CLAIMS,
    ]


def test_a_new_topic_whose_review_cannot_be_written_leaves_no_topic_file(
    data_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    log = History(data_root / "var" / "staff.db")
    before = files(data_root)
    refuse_to_replace(monkeypatch, data_root / CLAIMS)

    with pytest.raises(Exception) as refused:
        Edits(data_root, log).add_topic(
            "aftercare", AFTERCARE_EXAMPLES, AFTERCARE_ANSWER, AFTERCARE_SOURCE, "ana"
        )

    assert not (data_root / "data/nlu/faq/aftercare.yml").exists()
    assert files(data_root) == before
    assert log.entries() == []
    assert isinstance(refused.value, ContentError)
    assert "Nothing was saved: content/claims.yml could not be written" in str(refused.value)


def test_a_message_whose_review_cannot_be_written_is_not_saved_at_all(
    data_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    log = History(data_root / "var" / "staff.db")
    before = files(data_root)
    refuse_to_replace(monkeypatch, data_root / CLAIMS)
    text = "Sorry, I can only help with questions about Botox for acne scars. Call us."

    with pytest.raises(Exception) as refused:
        Edits(data_root, log).save_message("utter_out_of_scope", 0, text, True, "ana")

    assert files(data_root) == before
    assert log.entries() == []
    assert isinstance(refused.value, ContentError)
    assert "Nothing was saved: content/claims.yml could not be written" in str(refused.value)


def test_an_edit_whose_history_cannot_be_written_puts_its_files_back(
    data_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    log = History(data_root / "var" / "staff.db")
    before = files(data_root)

    def unwritable(*args: object, **kwargs: object) -> bool:
        raise sqlite3.OperationalError("database is locked")

    monkeypatch.setattr(log, "record", unwritable)
    with pytest.raises(sqlite3.OperationalError):
        Edits(data_root, log).save_answer("downtime", NEW_DOWNTIME, [DOWNTIME_SOURCE], "jo")
    with pytest.raises(sqlite3.OperationalError):
        Edits(data_root, log).add_example("downtime", "back at work the next day?", "sam")

    assert files(data_root) == before
