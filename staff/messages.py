"""The assistant's own messages, as staff see them, and the check of a new text for one.

Besides its topic answers (:mod:`staff.data`, checked against the source text), the
assistant says things of its own: the greeting, the off-topic and not-covered replies, the
reply to a message in another language (one variation a language), the refusal of personal
advice, the emergency guidance. They live in domain.yml. Staff change them here, one
variation at a time (:meth:`staff.edits.Edits.save_message`); the rest of domain.yml
stays as it was.

These messages make no medical claim from the source text, so a sentence staff write in
one is not matched to source sentences: it is recorded in the claims review as written by
that staff member, once they confirm it states no medical fact (a medical fact belongs in a
topic answer, where it is checked). A variation that gives the emergency number keeps it:
it is what a visitor in trouble reads.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Tuple

from staff import data
from staff.checks.answers import answer_text_problems
from staff.claims import Review, review_answer
from staff.problems import Problem, quote
from staff.yaml_edit import who_of

#: Each message's short name and what it is for, in the order the Messages page lists
#: them. A response of domain.yml not named here is listed after them, under its own name.
PURPOSES: Dict[str, Tuple[str, str]] = {
    "utter_greet": ("Greeting", "The reply to hello, and what the assistant offers."),
    "utter_how_can_help": (
        "What it can help with",
        "What the assistant can help with (after a greeting or a thank-you).",
    ),
    "utter_out_of_scope": (
        "Off-topic reply",
        "The reply to a message that is not about Botox for acne scars.",
    ),
    "utter_not_covered": (
        "Not-covered reply",
        "The reply to a question about the treatment that the source text does not answer.",
    ),
    "utter_other_language": (
        "Other-language reply",
        "The reply to a message in another language: one text for each language, and one in "
        "English for the others. Each must keep the emergency number.",
    ),
    "utter_ask_rephrase": (
        "Please rephrase",
        "The reply when the assistant did not understand the message.",
    ),
    "utter_fallback_contact": (
        "Still not understood",
        "The reply when it still did not understand: the clinic's details.",
    ),
    "utter_refuse_medical_advice": (
        "Refusal of personal advice",
        "The reply to a question about the visitor's own case.",
    ),
    "utter_emergency_guidance": (
        "Emergency guidance",
        "What a visitor describing a serious reaction reads first.",
    ),
    "utter_emergency_follow_up": (
        "After the emergency guidance",
        "What follows the emergency guidance.",
    ),
    "utter_consultation_info": ("Booking a consultation", "How to book a consultation."),
    "utter_no_booking": ("No booking", "The reply when a visitor does not want to book."),
    "utter_human_handoff": (
        "Asking for a person",
        "The reply to a visitor who asks for a person.",
    ),
    "utter_iamabot": ("Are you a bot?", "The reply to 'are you a bot?'."),
    "utter_you_are_welcome": ("You're welcome", "The reply to a thank-you."),
    "utter_goodbye": ("Goodbye", "The reply to goodbye."),
    "utter_message_empty": ("Empty message", "The reply to an empty message."),
    "utter_message_too_long": (
        "Message too long",
        "The reply to a message longer than the assistant reads.",
    ),
    "utter_something_went_wrong": (
        "Something went wrong",
        "The reply when something failed on the assistant's side.",
    ),
    "utter_rate_limited": (
        "Too many messages",
        "The reply on the website to a visitor who sends messages faster than the "
        "assistant takes them.",
    ),
    # The live handoff and call backs (clinic.yml's handoff section).
    "utter_handoff_offer": (
        "Offer of a person",
        "The offer of a member of the team in the chat, while the team answers there.",
    ),
    "utter_still_not_understood": (
        "Still not understood, before the offer",
        "Said before the offer of a person when the assistant did not understand twice.",
    ),
    "utter_handoff_declined": (
        "No to a person or a call back",
        "The reply when a visitor does not want a person or a call back.",
    ),
    "utter_handoff_waiting": (
        "Waiting for a person",
        "After yes to a person: someone from the team will join.",
    ),
    "utter_handoff_joined": (
        "A person joined",
        "When a member of the team takes the conversation ({staff_name}: their name).",
    ),
    "utter_handoff_returned": (
        "Back to the assistant",
        "When the member of the team hands the conversation back.",
    ),
    "utter_handoff_idle_closed": (
        "Chat with a person closed",
        "When a conversation with a member of the team was quiet too long.",
    ),
    "utter_handoff_closed": (
        "Chat closed",
        "Outside the chat's hours, before the call-back offer ({next_opening}: when the "
        "team is back).",
    ),
    "utter_handoff_busy": (
        "Nobody free",
        "When nobody from the team took the conversation in time, before the call-back offer.",
    ),
    "utter_callback_offer": ("Call-back offer", "The offer of a call back."),
    "utter_callback_already": (
        "Call back already asked for",
        "When a visitor whose call back is confirmed asks for a person again.",
    ),
    "utter_ask_callback_consent": (
        "Call back: consent",
        "What the name and contact are for and how long they are kept, and the consent question.",
    ),
    "utter_ask_callback_name": ("Call back: name", "The question for the visitor's name."),
    "utter_ask_callback_contact": (
        "Call back: phone or e-mail",
        "The question for a phone number or e-mail address.",
    ),
    "utter_callback_name_invalid": (
        "Call back: name not read",
        "When the answer does not read as a name (it is asked again).",
    ),
    "utter_callback_contact_invalid": (
        "Call back: contact not read",
        "When the answer has no phone number or e-mail address (it is asked again).",
    ),
    "utter_callback_confirmed": ("Call back confirmed", "The call-back request, confirmed."),
    "utter_callback_not_kept": (
        "Call back: nothing kept",
        "When the visitor gives no consent or stops: nothing is kept.",
    ),
    "utter_callback_gave_up": (
        "Call back: given up",
        "When the name or contact could not be read three times: nothing is kept.",
    ),
}

#: The languages of the variations (domain.yml's condition on the ``language`` slot).
LANGUAGES = {
    "es": "Spanish",
    "fr": "French",
    "de": "German",
    "it": "Italian",
    "pt": "Portuguese",
    "pl": "Polish",
    "nl": "Dutch",
}

#: What a variation that has it must keep.
EMERGENCY = "{emergency_number}"


@dataclass(frozen=True)
class Variation:
    """One text of a message: its place in the message's list of variations in domain.yml,
    its text and how staff know it ("Spanish"; "" when the message has one text)."""

    index: int
    text: str
    label: str


@dataclass(frozen=True)
class Message:
    """One of the assistant's own messages."""

    name: str
    title: str
    purpose: str
    variations: Tuple[Variation, ...]
    buttons: Tuple[Tuple[str, str], ...]

    def variation(self, index: int) -> Variation:
        """The variation at ``index``.

        Raises:
            KeyError: the message has no such variation.
        """
        for variation in self.variations:
            if variation.index == index:
                return variation
        raise KeyError(f"{self.name}[{index}]")


def _label(variation: Dict[str, Any], index: int, count: int, conditioned: bool) -> str:
    """How staff know a variation: its language, the English default of a message with
    one text a language, its number, or "" when it is the message's only text."""
    languages = [
        str(c.get("value"))
        for c in variation.get("condition") or []
        if isinstance(c, dict) and c.get("name") == "language"
    ]
    if languages:
        return " / ".join(LANGUAGES.get(code, code) for code in languages)
    if conditioned:
        return "English (any other language)"
    return f"Text {index + 1}" if count > 1 else ""


def messages(root: Path = data.ROOT) -> List[Message]:
    """The assistant's own messages in domain.yml, those of ``PURPOSES`` first.

    Raises:
        ContentError: domain.yml is not valid YAML.
    """
    document = data.load(root / data.DOMAIN) or {}
    found: List[Message] = []
    for name, variations in (document.get("responses") or {}).items():
        name = str(name)
        # Each text keeps its place in domain.yml's list, which the edit writes to.
        kept = [
            (index, v)
            for index, v in enumerate(variations or [])
            if isinstance(v, dict) and "text" in v
        ]
        if not kept or name.startswith(data.FAQ_RESPONSE):
            continue
        conditioned = any(v.get("condition") for _, v in kept)
        texts = tuple(
            Variation(index, str(v.get("text") or ""), _label(v, index, len(kept), conditioned))
            for index, v in kept
        )
        buttons = tuple(
            (str(b.get("title", "")), str(b.get("payload", "")))
            for b in kept[0][1].get("buttons") or []
            if isinstance(b, dict)
        )
        title, purpose = PURPOSES.get(name, (name, ""))
        found.append(Message(name, title, purpose, texts, buttons))
    order = list(PURPOSES)
    found.sort(key=lambda m: (order.index(m.name) if m.name in order else len(order), m.name))
    return found


def message(name: str, root: Path = data.ROOT) -> Message:
    """The message ``name``.

    Raises:
        KeyError: domain.yml has no such message.
    """
    for found in messages(root):
        if found.name == name:
            return found
    raise KeyError(name)


def _new_review(
    name: str, texts: Sequence[str], confirmed: bool, who: str, root: Path
) -> Tuple[Review, List[Problem]]:
    """The claims review of the message with ``texts``: what was reviewed stays; a new
    sentence that only gives the clinic's details needs none; any other new sentence is
    recorded as written by ``who`` when ``confirmed``, else it is a blocking problem."""
    whole = "\n".join(texts)
    review = review_answer(whole, [], data.claims(root).get(name) or {}, root)
    problems: List[Problem] = []
    if review.unsupported and not confirmed:
        listed = "; ".join(quote(part) for part in review.unsupported[:3])
        problems.append(
            Problem(
                "confirm",
                f"Please confirm that the new text states no medical fact ({listed}): the "
                "assistant's own messages only say what it can do, how to reach the clinic "
                "or what to do in an emergency. A medical fact belongs in a topic's answer, "
                "where it is checked against the source text.",
            )
        )
    why = f"written in the staff app by {who_of(who)}; states no medical fact"
    review.no_claim += [{"answer": part, "why": why} for part in review.unsupported]
    review.no_claim.sort(key=lambda item: whole.find(item["answer"]))
    review.unsupported = []
    return review, problems


@dataclass
class CheckedText:
    """A new text for one variation, checked: the message, the text as it is saved, every
    variation's text with it, the problems, and the claims review to write (None when a
    problem blocks the save or nothing changed)."""

    found: Message
    cleaned: str
    texts: List[str]
    problems: List[Problem]
    review: Optional[Review]


def check_variation(
    name: str, index: int, text: str, confirmed: bool, who: str, root: Path
) -> CheckedText:
    """``text`` checked as the new variation ``index`` of message ``name``.

    Raises:
        KeyError: there is no such message or variation.
    """
    found = message(name, root)
    old = found.variation(index)
    subject = f"The {old.label} text" if old.label else "The message"
    cleaned = data.clean_answer(text)
    problems = answer_text_problems(cleaned, subject)
    if EMERGENCY in old.text and EMERGENCY not in cleaned:
        problems.append(
            Problem(
                "answer",
                f"{subject} must keep {EMERGENCY}: a visitor who reads it may be having a "
                "serious reaction and must be told to call the emergency number.",
            )
        )
    dropped = sorted(set(_placeholders(old.text)) - set(_placeholders(cleaned)) - {EMERGENCY})
    if dropped:
        problems.append(
            Problem(
                "answer",
                f"{subject} no longer gives {', '.join(dropped)}; visitors used to find it here.",
                blocking=False,
            )
        )
    texts = [cleaned if v.index == index else v.text for v in found.variations]
    review: Optional[Review] = None
    if not any(p.blocking for p in problems) and cleaned != old.text:
        review, review_problems = _new_review(name, texts, confirmed, who, root)
        problems += review_problems
    return CheckedText(found, cleaned, texts, problems, review)


def check_message(
    name: str, index: int, text: str, confirmed: bool, who: str = "", root: Path = data.ROOT
) -> List[Problem]:
    """What is wrong with ``text`` as variation ``index`` of message ``name``.

    Raises:
        KeyError: there is no such message or variation.
    """
    return check_variation(name, index, text, confirmed, who, root).problems


def _placeholders(text: str) -> List[str]:
    return re.findall(r"\{\w+\}", text)
