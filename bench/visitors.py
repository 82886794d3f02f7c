"""What the simulated visitors say: multi-turn conversations of six turns.

Each conversation is a greeting, a general (FAQ) question, a follow-up question on a
related topic, a question about the visitor's own case (which must be refused with the
booking offer), "yes" to that offer (which must give the booking details) and a goodbye.
The wordings are the benchmark's own, written apart from the training data and the tests.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import List, Optional, Tuple

#: The turn types, in the order of a conversation.
TURN_TYPES = ("greet", "faq", "follow_up", "advice", "booking", "goodbye")

GREETINGS = ("hi", "hello", "hey there")

#: (question, its FAQ topic, a follow-up question, the follow-up's topic).
FAQ_PAIRS: Tuple[Tuple[str, str, str, str], ...] = (
    (
        "What exactly is Botox?",
        "what_is_botox",
        "And how can it help with acne scars?",
        "botox_for_scars",
    ),
    (
        "Which kinds of acne scars are there?",
        "scar_types",
        "What do people mean by ice pick scars?",
        "ice_pick_scars",
    ),
    (
        "How is the Botox treatment for scars carried out?",
        "procedure",
        "How long does one treatment session take?",
        "procedure_duration",
    ),
    (
        "Do the Botox injections hurt a lot?",
        "pain",
        "Is there any recovery time afterwards?",
        "downtime",
    ),
    (
        "When do the results start to show?",
        "results_onset",
        "And how long does the effect last?",
        "results_duration",
    ),
    (
        "What side effects can Botox cause?",
        "side_effects",
        "Can there be serious complications too?",
        "serious_complications",
    ),
    (
        "Can Botox be combined with other scar treatments?",
        "combination_treatments",
        "What does laser resurfacing do for scars?",
        "laser_therapy",
    ),
    (
        "How do dermal fillers compare with Botox for scarring?",
        "dermal_fillers",
        "And what about chemical peels?",
        "chemical_peels",
    ),
    (
        "Roughly what would a course of sessions cost?",
        "cost",
        "What happens at the first consultation?",
        "consultation",
    ),
    (
        "Who carries out the injections at the clinic?",
        "who_administers",
        "Who is usually a good candidate for this treatment?",
        "candidacy",
    ),
    (
        "What is meant by an atrophic scar?",
        "atrophic_scars",
        "And what are hypertrophic scars?",
        "hypertrophic_scars",
    ),
    (
        "What results are realistic with Botox for scarring?",
        "results_expectations",
        "Is there downtime after the treatment?",
        "downtime",
    ),
)

#: Questions about the visitor's own case: the assistant must refuse and offer to book.
ADVICE = (
    "I am breastfeeding my son, would Botox be safe for me?",
    "I'm 17, am I old enough to get this done?",
    "I have rolling scars on my cheeks, which treatment would work best for me?",
    "I'm on a course of Accutane right now, is it OK for me to have Botox?",
    "What dose would suit the scars on my forehead?",
    "I have an autoimmune disease, should I avoid this treatment?",
    "My scars are quite deep, would Botox work for me?",
    "I take warfarin every day, can I still have the injections?",
)

#: Answers to the booking offer that follows a refusal.
YES = ("yes", "yes please", "yeah")

GOODBYES = ("bye", "goodbye", "bye for now")


@dataclass(frozen=True)
class Turn:
    """One message of a visitor and the answer it must get."""

    kind: str
    message: str
    #: The response the reply must contain, or its prefix ("utter_faq/" for any FAQ
    #: answer: the right kind of answer).
    expected: str
    #: For FAQ turns, the topic whose answer is wanted (a different topic's answer is a
    #: right kind of answer but counted apart, as "other topic").
    topic: Optional[str] = None


def conversation(rng: random.Random) -> List[Turn]:
    """A six-turn conversation drawn with ``rng``."""
    question, topic, follow_up, follow_topic = rng.choice(FAQ_PAIRS)
    return [
        Turn("greet", rng.choice(GREETINGS), "utter_greet"),
        Turn("faq", question, "utter_faq/", topic),
        Turn("follow_up", follow_up, "utter_faq/", follow_topic),
        Turn("advice", rng.choice(ADVICE), "utter_refuse_medical_advice"),
        Turn("booking", rng.choice(YES), "utter_consultation_info"),
        Turn("goodbye", rng.choice(GOODBYES), "utter_goodbye"),
    ]
