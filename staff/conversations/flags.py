"""The flags of a conversation: what happened in it, and which of Rasa's intents and
actions raise each one (names from domain.yml, data/rules/ and actions/)."""

from __future__ import annotations

from typing import Dict, Sequence, Tuple

EMERGENCY = "emergency"
REFUSAL = "refusal"
HANDOFF = "handoff"
FALLBACK = "fallback"
NOT_COVERED = "not_covered"
OTHER_LANGUAGE = "other_language"
OFF_TOPIC = "off_topic"
LOW_CONFIDENCE = "low_confidence"

#: The flags, in the order they are shown, with their words on the page.
FLAG_LABELS: Dict[str, str] = {
    EMERGENCY: "Emergency",
    REFUSAL: "Refused personal advice",
    HANDOFF: "Asked for a person",
    FALLBACK: "Not understood",
    NOT_COVERED: "Not covered",
    OTHER_LANGUAGE: "Other language",
    OFF_TOPIC: "Off topic",
    LOW_CONFIDENCE: "Low confidence",
}

#: What raises each flag (Rasa's names, from domain.yml, data/rules/ and actions/).
EMERGENCY_INTENTS = ("report_emergency_symptom",)
EMERGENCY_ACTIONS = ("utter_emergency_guidance", "action_emergency_guidance")
#: The responses of the emergency guidance (the second comes from action_emergency_guidance).
EMERGENCY_RESPONSES = ("utter_emergency_guidance", "utter_emergency_follow_up")
REFUSAL_ACTIONS = ("utter_refuse_medical_advice",)
HANDOFF_INTENTS = ("human_handoff",)
#: The old answer (the clinic's number), and the live chat's request (issue 17).
HANDOFF_ACTIONS = ("utter_human_handoff", "action_request_handoff")
FALLBACK_INTENTS = ("nlu_fallback",)
FALLBACK_ACTIONS = (
    "action_rephrase",
    "utter_ask_rephrase",
    "utter_fallback_contact",
    "action_default_fallback",
)
NOT_COVERED_INTENTS = ("not_covered",)
NOT_COVERED_ACTIONS = ("utter_not_covered",)
OTHER_LANGUAGE_INTENTS = ("other_language",)
OTHER_LANGUAGE_ACTIONS = ("utter_other_language",)
OFF_TOPIC_INTENTS = ("out_of_scope",)
OFF_TOPIC_ACTIONS = ("utter_out_of_scope",)
#: The flags raised by an intent or an action (the conversation list's SQL and one
#: conversation's messages read the same table).
EVENT_FLAGS: Dict[str, Tuple[Sequence[str], Sequence[str]]] = {
    EMERGENCY: (EMERGENCY_INTENTS, EMERGENCY_ACTIONS),
    REFUSAL: ((), REFUSAL_ACTIONS),
    HANDOFF: (HANDOFF_INTENTS, HANDOFF_ACTIONS),
    FALLBACK: (FALLBACK_INTENTS, FALLBACK_ACTIONS),
    NOT_COVERED: (NOT_COVERED_INTENTS, NOT_COVERED_ACTIONS),
    OTHER_LANGUAGE: (OTHER_LANGUAGE_INTENTS, OTHER_LANGUAGE_ACTIONS),
    OFF_TOPIC: (OFF_TOPIC_INTENTS, OFF_TOPIC_ACTIONS),
}
#: A bot message's response name -> the flag it shows beside that message.
RESPONSE_FLAGS: Dict[str, str] = {
    **{name: EMERGENCY for name in EMERGENCY_RESPONSES},
    **{name: REFUSAL for name in REFUSAL_ACTIONS},
    **{name: HANDOFF for name in ("utter_human_handoff", "utter_handoff_waiting")},
    **{name: FALLBACK for name in ("utter_ask_rephrase", "utter_fallback_contact")},
    **{name: NOT_COVERED for name in NOT_COVERED_ACTIONS},
    **{name: OTHER_LANGUAGE for name in OTHER_LANGUAGE_ACTIONS},
    **{name: OFF_TOPIC for name in OFF_TOPIC_ACTIONS},
}
