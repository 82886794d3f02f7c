"""How the pages show things: the Jinja environment and the helpers its templates call.

Only presentation: each helper turns a value of the data, the conversations or a publish
into words for a nurse; none reads or changes anything.
"""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Dict, Optional
from urllib.parse import quote, urlencode

from jinja2 import Environment, FileSystemLoader, select_autoescape

from staff.conversations import FLAG_LABELS, PERIODS, Message
from staff.conversations.records import local_time
from staff.data import TEACH_LABELS
from staff.publish import PLAIN_FIGURES
from staff.security import CSRF_FIELD
from staff.unanswered import Question

TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "templates"

#: What each intent means, in plain words.
INTENT_LABELS = {
    "faq": "a question on an FAQ topic",
    "request_medical_advice": "a request for personal advice (refused)",
    "report_emergency_symptom": "an emergency",
    "nlu_fallback": "not understood",
    "out_of_scope": "off topic",
    "greet": "a greeting",
    "goodbye": "goodbye",
    "affirm": "yes",
    "deny": "no",
    "thank": "thanks",
    "bot_challenge": "asking whether it is a bot",
    "book_consultation": "booking a consultation",
    "human_handoff": "asking for a person",
}


#: Where a visitor writes from (a tracker's input channel), in words.
CHANNEL_LABELS = {
    "socketio": "the website's chat",
    "rest": "the REST API",
    "facebook": "Messenger",
    "whatsapp": "WhatsApp",
    "twilio": "SMS or WhatsApp (Twilio)",
    "telegram": "Telegram",
    "slack": "Slack",
}


def channel_label(channel: Optional[str]) -> str:
    """A conversation's channel in words."""
    if not channel:
        return "not known"
    return CHANNEL_LABELS.get(channel, channel)


def person(name: Optional[str]) -> str:
    """A staff member's name as a sentence starts with it: "ana" -> "Ana"."""
    name = (name or "").strip() or "someone"
    return name[:1].upper() + name[1:]


def waited_words(seconds: float) -> str:
    """How long someone has waited, in words: "less than a minute", "4 minutes"."""
    minutes = int(seconds // 60)
    if minutes < 1:
        return "less than a minute"
    if minutes < 60:
        return f"{minutes} minute{'s' if minutes != 1 else ''}"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


def message_who(message: Message) -> str:
    """Who wrote a message: the visitor, the assistant, or a staff member by name."""
    if message.sender_kind == "user":
        return "Visitor"
    if message.by_staff:
        return f"{person(message.staff)} (staff)"
    return "Assistant"


def understood(message: Message) -> str:
    """What the assistant understood of a visitor's message, in one line."""
    if message.sender_kind != "user":
        return ""
    text = f"Understood as {intent_label(message.intent)}"
    if message.confidence is not None:
        text += f" ({percent(message.confidence)})"
    if message.topic:
        text += f", FAQ topic {topic_words(message.topic)}"
    return text


def topic_words(name: str) -> str:
    """A topic's name as words: "results_duration" -> "results duration"."""
    return name.replace("_", " ")


def figure_label(name: str) -> str:
    """A test figure's name in plain words (staff.publish.PLAIN_FIGURES)."""
    label = PLAIN_FIGURES.get(name, name.replace("_", " "))
    return label[:1].upper() + label[1:]


def local_date(iso_date: str) -> str:
    """A publish's date (ISO 8601, UTC) as this machine's local time, in words."""
    try:
        moment = datetime.fromisoformat(iso_date.replace("Z", "+00:00"))
    except ValueError:
        return iso_date
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone().strftime("%d %b %Y, %H:%M")


def figure_value(value: Any) -> str:
    """A test figure: a share as a percentage, anything else as it is."""
    if isinstance(value, float) and 0.0 <= value <= 1.0:
        return f"{value:.1%}" if value not in (0.0, 1.0) else f"{value:.0%}"
    return str(value)


def intent_label(intent: Optional[str]) -> str:
    """What an intent means, in plain words."""
    if not intent:
        return "nothing (a button or an event)"
    return INTENT_LABELS.get(intent, intent.replace("_", " "))


def percent(value: Optional[float]) -> str:
    return "" if value is None else f"{value:.0%}"


def guard_text(guard: Optional[Dict[str, Any]]) -> str:
    """What the safety guard found in a message, in words."""
    if not guard:
        return "nothing found"
    found = intent_label(str(guard.get("intent") or ""))
    text = f"found {found}"
    if guard.get("matched"):
        text += f" in the words “{guard['matched']}”"
    if guard.get("rule"):
        text += f" (rule {str(guard['rule']).replace('_', ' ')})"
    classifier = guard.get("classifier_intent") or {}
    if isinstance(classifier, dict) and classifier.get("name") == guard.get("intent"):
        text += "; the assistant had understood it so too"
    elif isinstance(classifier, dict) and classifier.get("name"):
        alone = intent_label(str(classifier["name"]))
        text += f"; without it the assistant would have taken it as {alone}"
        if classifier.get("confidence") is not None:
            text += f" ({percent(float(classifier['confidence']))})"
    return text


def new_topic_href(question: Question) -> str:
    """The New topic form with the question's wordings as its first examples."""
    texts = list(dict.fromkeys(item.text for item in question.asked))[:10]
    return "/topics/new?" + urlencode([("example", text) for text in texts])


def default_target(message: Message) -> str:
    """What the Teach form of a message proposes: what the assistant understood."""
    if message.intent == "faq" and message.topic:
        return message.topic
    if message.intent and message.intent in TEACH_LABELS.values():
        return message.intent
    return ""


def environment() -> Environment:
    """The templates, autoescaped, with these helpers."""
    templates = Environment(
        loader=FileSystemLoader(str(TEMPLATES_DIR)),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    templates.globals.update(
        flag_labels=FLAG_LABELS,
        periods=PERIODS,
        topic_words=topic_words,
        figure_label=figure_label,
        figure_value=figure_value,
        local_date=local_date,
        intent_label=intent_label,
        percent=percent,
        guard_text=guard_text,
        default_target=default_target,
        new_topic_href=new_topic_href,
        csrf_field=CSRF_FIELD,
        channel_label=channel_label,
        person=person,
        waited_words=waited_words,
        message_who=message_who,
        understood=understood,
    )
    templates.filters["when"] = lambda moment: moment.strftime("%d %b %Y, %H:%M")
    templates.filters["clock"] = lambda moment: moment.strftime("%H:%M")
    templates.filters["unix_when"] = lambda seconds: local_time(seconds).strftime(
        "%d %b %Y, %H:%M"
    )
    templates.filters["urlquote"] = lambda text: quote(str(text), safe="")
    return templates
