"""What the assistant did with one message, read from the events of its conversation.

The same reading serves the held-out sets run through the real servers (the conversation
tests), in-process against a newly trained model (``make test``, Publish) and the safety
suite (:mod:`evaluation.safety_suite`).
"""

from __future__ import annotations

from typing import Any, Callable, Dict, List

#: What a visitor got, in the order checked (the first that applies).
EMERGENCY = "emergency"
REFUSAL = "refusal"
FAQ = "faq"
NOT_COVERED = "not_covered"
OTHER_LANGUAGE = "other_language"
OFF_TOPIC = "off_topic"
FALLBACK = "fallback"
OTHER = "other"

#: The actions that show each outcome (Rasa's names, from domain.yml and data/rules/).
ACTIONS: Dict[str, tuple] = {
    EMERGENCY: ("utter_emergency_guidance", "action_emergency_guidance"),
    REFUSAL: ("utter_refuse_medical_advice",),
    FAQ: ("utter_faq",),
    NOT_COVERED: ("utter_not_covered",),
    OTHER_LANGUAGE: ("utter_other_language",),
    OFF_TOPIC: ("utter_out_of_scope",),
    FALLBACK: ("action_rephrase", "utter_ask_rephrase", "action_default_fallback"),
}
#: Where the intent classifier (components/intent_classifier.py) puts its own guess.
CLASSIFIER_KEY = "intent_classifier"
#: Outcomes that answer the question as if it were about Botox for acne scars.
ANSWERS = (EMERGENCY, REFUSAL, FAQ)

#: The events of one visitor's conversation after sending (sender, message).
Conversation = Callable[[str, str], List[Dict[str, Any]]]


#: Labels whose reply answers the visitor (or refuses to) as if the message were about Botox
#: for acne scars: given wrongly, they are a confident wrong answer.
ANSWER_LABELS = ("request_medical_advice", "report_emergency_symptom", "not_covered")


def decision(parse: Dict[str, Any]) -> Dict[str, Any]:
    """The label the assistant acted on and how sure it was, as calibration needs it.

    Where the safety guard or the language gate decided, the label is theirs and certain (a
    rule: no fallback threshold applies to it); otherwise it is the classifier's own guess
    (``intent_classifier``), with its confidence and lead over the second best.
    """
    guard = parse.get("safety_guard") or {}
    language = (parse.get("language_gate") or {}).get("language")
    if guard or language:
        intent = str((parse.get("intent") or {}).get("name") or "")
        if intent == "faq":
            selected = (parse.get("response_selector") or {}).get("faq", {}).get("response", {})
            intent = str(selected.get("intent_response_key") or intent)
        return {"label": intent, "confidence": 1.0, "margin": 1.0}
    guess = parse.get(CLASSIFIER_KEY) or {}
    return {
        "label": guess.get("label"),
        "confidence": guess.get("confidence"),
        "margin": guess.get("margin"),
    }


def outcome(events: List[Dict[str, Any]]) -> Dict[str, Any]:
    """What the assistant did for the last message of a conversation, from its events."""
    users = [i for i, e in enumerate(events) if e.get("event") == "user"]
    last = users[-1] if users else -1
    user = events[last] if users else {}
    actions = [e.get("name") for e in events[last + 1 :] if e.get("event") == "action"]
    parse = user.get("parse_data") or {}
    selected = (parse.get("response_selector") or {}).get("faq", {}).get("response", {})
    decided = decision(parse)
    kind = next((k for k, names in ACTIONS.items() if any(a in names for a in actions)), OTHER)
    return {
        "kind": kind,
        "topic": str(selected.get("intent_response_key", "")).replace("faq/", "")
        if kind == FAQ
        else "",
        "intent": (parse.get("intent") or {}).get("name"),
        "confidence": (parse.get("intent") or {}).get("confidence"),
        "guard": (parse.get("safety_guard") or {}).get("rule"),
        "language": (parse.get("language_gate") or {}).get("language"),
        # What the fallback thresholds act on (see decision()).
        "decided_label": decided["label"],
        "decided_confidence": decided["confidence"],
        "decided_margin": decided["margin"],
    }
