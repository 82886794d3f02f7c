"""The safety guard component: the rules' finding against the classifier's guess, the scope
guard's subject and a forged payload, and what it records in the parse data."""

from __future__ import annotations

import pytest
from rasa.nlu.constants import SPACY_DOCS
from rasa.nlu.utils.spacy_utils import SpacyModel
from rasa.shared.nlu.training_data.message import Message
from spacy.language import Language

from components.safety_guard import SafetyGuard
from nlp.build_pipeline import build, load_patterns


@pytest.fixture(scope="module")
def nlp() -> Language:
    return build(load_patterns())


def message(nlp: Language, text: str, intent: str, confidence: float = 0.9) -> Message:
    msg = Message(data={"text": text})
    msg.set(SPACY_DOCS["text"], nlp(text))
    msg.set("intent", {"name": intent, "confidence": confidence}, add_to_output=True)
    msg.set("intent_ranking", [{"name": intent, "confidence": confidence}], add_to_output=True)
    return msg


def run_guard(nlp: Language, msg: Message) -> Message:
    guard = SafetyGuard(SafetyGuard.get_default_config())
    return guard.process([msg], SpacyModel(model=nlp, model_name="test"))[0]


def test_the_guard_overrides_the_classifier_and_says_why(nlp: Language) -> None:
    msg = run_guard(nlp, message(nlp, "my throat is closing since the jabs", "faq"))

    assert msg.get("intent") == {"name": "report_emergency_symptom", "confidence": 1.0}
    assert msg.get("intent_ranking")[0]["name"] == "report_emergency_symptom"
    assert msg.get("safety_guard") == {
        "intent": "report_emergency_symptom",
        "rule": "emergency:allergy",
        "matched": "throat is closing",
        "classifier_intent": {"name": "faq", "confidence": 0.9},
        "entities": [{"entity": "body_area", "value": "throat"}],
    }
    assert "safety_guard" in msg.as_dict(only_output_properties=True)


def test_the_guard_catches_what_the_classifier_was_unsure_about(nlp: Language) -> None:
    msg = run_guard(nlp, message(nlp, "cant swallow properly since my shots", "nlu_fallback"))
    assert msg.get("intent")["name"] == "report_emergency_symptom"


def test_the_guard_never_lowers_an_emergency(nlp: Language) -> None:
    text = "I'm pregnant and my face feels strange after the injections"
    msg = run_guard(nlp, message(nlp, text, "report_emergency_symptom"))
    assert msg.get("intent")["name"] == "report_emergency_symptom"
    assert msg.get("safety_guard") is None


def test_personal_details_do_not_turn_a_booking_into_a_refusal(nlp: Language) -> None:
    text = "I'm pregnant, can I book a consultation for after the birth?"
    msg = run_guard(nlp, message(nlp, text, "book_consultation"))
    assert msg.get("intent")["name"] == "book_consultation"


def test_button_payloads_are_left_alone(nlp: Language) -> None:
    msg = run_guard(nlp, message(nlp, "/affirm", "affirm"))
    assert msg.get("intent")["name"] == "affirm"


def test_a_forged_payload_steers_nothing(nlp: Language) -> None:
    msg = message(nlp, "report_emergency_symptom", "report_emergency_symptom")
    msg.set("forged_payload", "/report_emergency_symptom", add_to_output=True)

    msg = run_guard(nlp, msg)

    assert msg.get("intent") == {"name": "nlu_fallback", "confidence": 1.0}
    assert msg.get("safety_guard")["rule"] == "forged_payload"


def test_a_forged_payload_that_describes_an_emergency_is_one(nlp: Language) -> None:
    msg = message(nlp, "my throat is closing since the jabs", "faq")
    msg.set("forged_payload", "/my throat is closing since the jabs", add_to_output=True)

    assert run_guard(nlp, msg).get("intent")["name"] == "report_emergency_symptom"


def test_a_classifier_emergency_whose_symptoms_are_all_gone_is_taken_back(
    nlp: Language,
) -> None:
    text = "my lip was a bit swollen after the botox but it went down the same evening"
    msg = message(nlp, text, "report_emergency_symptom")
    msg.set(
        "intent_ranking",
        [
            {"name": "report_emergency_symptom", "confidence": 0.6},
            {"name": "faq", "confidence": 0.3},
        ],
        add_to_output=True,
    )

    msg = run_guard(nlp, msg)

    assert msg.get("intent")["name"] == "faq"
    assert msg.get("safety_guard")["rule"] == "emergency_discounted"


def test_an_emergency_with_a_symptom_not_discounted_is_kept(nlp: Language) -> None:
    text = "the swelling went down but my tongue feels thick"
    msg = run_guard(nlp, message(nlp, text, "report_emergency_symptom"))
    assert msg.get("intent")["name"] == "report_emergency_symptom"


def test_asking_for_it_in_a_question_not_covered_is_refused(nlp: Language) -> None:
    text = "my scars are from chickenpox not acne, can i still have it"
    msg = run_guard(nlp, message(nlp, text, "not_covered"))
    assert msg.get("intent")["name"] == "request_medical_advice"
    assert msg.get("safety_guard")["rule"] == "advice:asks_for_it"


def test_a_question_not_covered_in_the_first_person_is_not_refused(nlp: Language) -> None:
    msg = run_guard(
        nlp, message(nlp, "should I avoid the sun after the treatment?", "not_covered")
    )
    assert msg.get("intent")["name"] == "not_covered"
    msg = run_guard(nlp, message(nlp, "I'm on warfarin, can I drink wine after?", "not_covered"))
    assert msg.get("intent")["name"] == "request_medical_advice"


def test_asking_for_it_in_ones_own_case_is_refused_even_when_taken_for_off_topic(
    nlp: Language,
) -> None:
    text = "can I have it if I've got a cold sore right now"
    msg = run_guard(nlp, message(nlp, text, "out_of_scope"))
    assert msg.get("intent") == {"name": "request_medical_advice", "confidence": 1.0}
    assert msg.get("safety_guard")["rule"] == "advice:asks_for_it"


def test_another_subject_found_by_the_scope_guard_stays_off_topic(nlp: Language) -> None:
    msg = message(nlp, "can I have it if it's for my migraines", "out_of_scope")
    msg.set("scope_guard", {"subject": "botox_for_other_uses", "matched": "for my migraines"})
    assert run_guard(nlp, msg).get("intent")["name"] == "out_of_scope"
    other = run_guard(
        nlp, message(nlp, "should I buy an iphone, is it safe for me", "out_of_scope")
    )
    assert other.get("intent")["name"] == "out_of_scope"


def scoped(nlp: Language, text: str, classifier_intent: str, subject: str) -> Message:
    """A message the scope guard turned into off topic."""
    msg = message(nlp, text, "out_of_scope")
    msg.set(
        "scope_guard", {"subject": subject, "matched": "", "classifier_intent": classifier_intent}
    )
    return msg


def test_a_personal_question_the_scope_guard_took_for_off_topic_is_refused_again(
    nlp: Language,
) -> None:
    text = "I had botox 6 weeks ago for my forehead lines, can I have the scar one now?"
    msg = run_guard(nlp, scoped(nlp, text, "request_medical_advice", "botox_for_other_uses"))
    assert msg.get("intent")["name"] == "request_medical_advice"
    assert msg.get("safety_guard")["rule"] == "advice:own_treatment"


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("I'm on antibiotics, can I still come in on Thursday", "advice:medication"),
        ("i take ibuprofen every day for my back, do i need to stop before", "advice:medication"),
        ("we're trying for a baby at the moment, should i wait", "advice:pregnancy"),
        ("I'm pregnant, what are the side effects", "advice:pregnancy"),
        ("i have a needle phobia and panic attacks, should i even try this", "advice:own_case"),
        ("which needle size is used", "advice:dose"),
        ("what size needle do you use", "advice:dose"),
        ("I'm having a tooth out next week, should I postpone my botox", "advice:own_case"),
        ("I have a cold sore right now, can I still go ahead tomorrow", "advice:condition"),
    ],
)
def test_a_personal_question_of_this_treatment_or_a_visit_taken_for_off_topic_is_refused(
    nlp: Language, text: str, rule: str
) -> None:
    msg = run_guard(nlp, message(nlp, text, "out_of_scope"))
    assert msg.get("intent")["name"] == "request_medical_advice"
    assert msg.get("safety_guard")["rule"] == rule


@pytest.mark.parametrize(
    "text",
    [
        "I'm on antibiotics for a chest infection, can I drink alcohol",  # no visit, no botox
        "my toddler has eczema on his cheeks, which cream is best",
    ],
)
def test_a_personal_health_question_about_nothing_of_this_treatment_stays_off_topic(
    nlp: Language, text: str
) -> None:
    assert run_guard(nlp, message(nlp, text, "out_of_scope")).get("intent")["name"] == (
        "out_of_scope"
    )


def test_a_personal_question_about_the_other_subject_itself_stays_off_topic(
    nlp: Language,
) -> None:
    # The classifier took it for advice, the scope guard for another subject: the medicine
    # the safety guard finds is that subject.
    msg = message(nlp, "where should I rotate my insulin injections", "out_of_scope")
    msg.set(
        "scope_guard",
        {
            "subject": "other_injections",
            "matched": "insulin",
            "classifier_intent": "request_medical_advice",
        },
    )
    msg = run_guard(nlp, msg)
    assert msg.get("intent")["name"] == "out_of_scope"
    assert msg.get("safety_guard") is None


def test_a_dose_question_about_another_subject_stays_off_topic(nlp: Language) -> None:
    text = "which needle size do i need for knitting a chunky scarf"
    msg = run_guard(nlp, scoped(nlp, text, "request_medical_advice", "unfamiliar_words"))
    assert msg.get("intent")["name"] == "out_of_scope"
    faq = run_guard(nlp, scoped(nlp, "I'm pregnant, is botox for migraines ok?", "faq", "x"))
    assert faq.get("intent")["name"] == "out_of_scope"
