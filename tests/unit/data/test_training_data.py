"""The training data and domain keep the promises the project makes to clinics."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Dict, List

import pytest
import yaml
from rasa.shared.core.domain import Domain

from evaluation import understanding
from tests.support.project import ROOT

#: The FAQ topics whose names clinics and our evaluation rely on.
FAQ_TOPICS = [
    "what_is_botox", "botox_for_scars", "scar_types", "atrophic_scars", "hypertrophic_scars",
    "ice_pick_scars", "procedure", "procedure_duration", "downtime", "pain", "consultation",
    "who_administers", "results_onset", "results_duration", "results_expectations",
    "side_effects", "serious_complications", "combination_treatments", "dermal_fillers",
    "laser_therapy", "chemical_peels", "candidacy", "cost",
]  # fmt: skip
INTENTS = [
    "greet", "goodbye", "affirm", "deny", "thank", "bot_challenge", "request_medical_advice",
    "report_emergency_symptom", "book_consultation", "human_handoff", "out_of_scope", "faq",
    "not_covered", "other_language",
]  # fmt: skip
ACTIONS = ["action_emergency_guidance", "action_consultation_info"]
PLACEHOLDERS = {
    "clinic_name", "clinic_phone", "booking_url", "clinic_email", "opening_hours",
    "emergency_number",
    "max_message_chars",  # filled by channels/limits.py
    "handoff_wait", "callback_keep",  # clinic.yml's handoff section
    "next_opening", "callback_name", "callback_contact",  # actions/handoff.py, callback.py
    "staff_name",  # the handoff's routes in the Rasa server (channels/handoff.py)
}  # fmt: skip


def examples(paths: List[Path]) -> Dict[str, List[str]]:
    """Examples by intent in these NLU files."""
    found: Dict[str, List[str]] = {}
    for path in paths:
        for block in yaml.safe_load(path.read_text(encoding="utf-8")).get("nlu", []):
            lines = block["examples"].splitlines()
            found.setdefault(block["intent"], []).extend(
                line.strip()[2:] for line in lines if line.strip().startswith("- ")
            )
    return found


TRAINING = examples(sorted((ROOT / "data" / "nlu").rglob("*.yml")))
HELD_OUT = examples([ROOT / "evaluation" / "nlu_test.yml"])
#: The held-out sets of evaluation/ (evaluation/understanding.py), by what they want.
HELD_OUT_SETS: Dict[str, List[str]] = {}
for _item in understanding.load():
    HELD_OUT_SETS.setdefault(_item.wanted or _item.group, []).append(_item.text)


def normalise(text: str) -> str:
    return re.sub(r"[^a-z0-9 ]", "", text.lower()).strip()


def test_names_that_must_not_change_are_there(domain: Domain) -> None:
    assert set(INTENTS) <= set(domain.intents)
    assert set(ACTIONS) <= set(domain.user_actions)
    assert domain.retrieval_intents == ["faq"]


#: The live handoff's names that the Rasa server's handoff routes and the staff app rely on
#: (the contract between them): slots with their types, responses, the external intent.
HANDOFF_SLOTS = {
    "handoff": "text",
    "handoff_staff": "text",
    "handoff_requested_at": "float",
    "callback_consent": "bool",
    "callback_name": "text",
    "callback_contact": "text",
    "callback_requested_at": "float",
}
HANDOFF_RESPONSES = [
    "utter_handoff_waiting", "utter_handoff_joined", "utter_handoff_returned",
    "utter_handoff_idle_closed",
]  # fmt: skip
HANDOFF_ACTIONS = [
    "action_offer_handoff", "action_request_handoff", "action_offer_callback",
    "validate_callback_form", "action_submit_callback", "action_stop_callback",
]  # fmt: skip


def test_the_live_handoffs_names_are_there(domain: Domain) -> None:
    slots = {slot.name: slot for slot in domain.slots}
    for name, kind in HANDOFF_SLOTS.items():
        assert slots[name].type_name == kind, name
        assert not slots[name].influence_conversation, name
    for name in ("handoff", "handoff_staff", "handoff_requested_at", "callback_requested_at"):
        assert [m["type"] for m in slots[name].mappings] == ["custom"], name
    assert set(HANDOFF_RESPONSES) <= set(domain.responses)
    assert set(HANDOFF_ACTIONS) <= set(domain.user_actions)
    assert "EXTERNAL_handoff_timeout" in domain.intents
    assert "{staff_name}" in domain.responses["utter_handoff_joined"][0]["text"]


@pytest.mark.parametrize("topic", FAQ_TOPICS)
def test_every_faq_topic_has_examples_and_an_answer(topic: str, domain: Domain) -> None:
    assert len(set(TRAINING[f"faq/{topic}"])) >= 15
    assert domain.responses[f"utter_faq/{topic}"][0]["text"].strip()


@pytest.mark.parametrize(
    "intent", ["request_medical_advice", "report_emergency_symptom", "out_of_scope"]
)
def test_safety_intents_and_out_of_scope_have_40_examples(intent: str) -> None:
    assert len(set(TRAINING[intent])) >= 40


def test_no_example_is_repeated_or_under_two_intents() -> None:
    seen: Dict[str, str] = {}
    for intent, texts in TRAINING.items():
        for text in texts:
            key = normalise(text)
            assert key not in seen, f"'{text}' is under {seen[key]} and {intent}"
            seen[key] = intent


@pytest.mark.parametrize("held_out", [HELD_OUT, HELD_OUT_SETS], ids=["nlu_test", "sets"])
def test_held_out_messages_are_not_training_examples(held_out: Dict[str, List[str]]) -> None:
    training = {normalise(t) for texts in TRAINING.values() for t in texts}
    # Emoji and punctuation alone ("😂", "???") normalise to nothing: not compared.
    leaked = [
        t
        for texts in held_out.values()
        for t in texts
        if normalise(t) and normalise(t) in training
    ]
    assert leaked == []


def test_held_out_sets_cover_every_intent_and_topic() -> None:
    wanted = {f"faq/{t}" for t in FAQ_TOPICS} | (set(INTENTS) - {"faq"})
    assert wanted - {"not_covered", "other_language"} <= set(HELD_OUT)
    assert wanted <= set(HELD_OUT) | set(HELD_OUT_SETS)


def test_responses_use_only_known_placeholders(domain: Domain) -> None:
    for name, variations in domain.responses.items():
        for variation in variations:
            used = set(re.findall(r"{(\w+)}", variation.get("text", "")))
            assert used <= PLACEHOLDERS, (name, used - PLACEHOLDERS)


def test_button_payloads_are_understood_questions_or_intents(domain: Domain) -> None:
    """Every button either sends an intent of the domain or a question the data teaches."""
    training = {normalise(t): intent for intent, texts in TRAINING.items() for t in texts}
    for name, variations in domain.responses.items():
        for button in variations[0].get("buttons", []):
            payload = button["payload"]
            if payload.startswith("/"):
                assert payload[1:] in domain.intents, (name, payload)
            else:
                assert normalise(payload) in training, (name, payload)
