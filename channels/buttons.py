"""Buttons on channels that cannot show them, or not that many: a numbered list.

The assistant's responses carry buttons (a title the visitor reads, a payload that is sent
back when it is pressed). SMS cannot show buttons and each platform limits how many, and
how long, it shows. There the buttons become a numbered list under the text::

    What would you like to know?

    1. What Botox does
    2. Scar types
    Reply with a number.

The visitor's reply "2" (also "2.", " 2 ", "#2", "option 2") or a button's title ("scar
types", any case) then picks that button: the connector passes its payload to Rasa instead
of the typed text. Which buttons were offered is read from the conversation itself, the
tracker of that sender: the buttons of the bot's latest message that had buttons, as long
as no user message came after it. A "2" when nothing was offered is passed on unchanged.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import Any, Iterable, List, Mapping, Optional, Sequence

from rasa.shared.core.events import BotUttered, Event, UserUttered

from stores.sender_tag import sender_tag

logger = logging.getLogger(__name__)

#: The line under a numbered list.
REPLY_HINT = "Reply with a number."

# "2", "2.", "2)", "#2", "# 2", "no. 2", "number 2", "option 2", "option #2".
_NUMBER = re.compile(r"^(?:(?:option|number|no\.)\s*)?#?\s*(\d{1,3})\s*[.)]?$", re.IGNORECASE)
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class Button:
    """A button of a response: what the visitor reads, and what is sent when chosen."""

    title: str
    payload: str

    @classmethod
    def from_rasa(cls, button: Mapping[str, Any]) -> Optional[Button]:
        """The button of a Rasa response (``{"title": ..., "payload": ...}``), if complete."""
        title, payload = button.get("title"), button.get("payload")
        if isinstance(title, str) and isinstance(payload, str) and title.strip():
            return cls(title.strip(), payload)
        return None


def parse_buttons(buttons: Optional[Iterable[Mapping[str, Any]]]) -> List[Button]:
    """The complete buttons among Rasa's button dictionaries; others are left out."""
    parsed = (Button.from_rasa(button) for button in buttons or [] if isinstance(button, dict))
    return [button for button in parsed if button is not None]


def numbered_list(text: str, buttons: Sequence[Button]) -> str:
    """``text`` followed by the buttons' titles as a numbered list and how to answer."""
    if not buttons:
        return text
    options = "\n".join(f"{number}. {button.title}" for number, button in enumerate(buttons, 1))
    return f"{text.rstrip()}\n\n{options}\n{REPLY_HINT}" if text.strip() else options


def _normalised(text: str) -> str:
    return _SPACES.sub(" ", text).strip().casefold()


def chosen(text: str, buttons: Sequence[Button]) -> Optional[Button]:
    """The button a reply picks, by its number in the list or its title; else None."""
    if not buttons:
        return None
    number = _NUMBER.match(text.strip())
    if number:
        index = int(number.group(1))
        return buttons[index - 1] if 1 <= index <= len(buttons) else None
    typed = _normalised(text)
    return next((button for button in buttons if _normalised(button.title) == typed), None)


def resolve(text: str, buttons: Sequence[Button]) -> str:
    """The payload of the button ``text`` picks, or ``text`` itself when it picks none."""
    button = chosen(text, buttons)
    return button.payload if button is not None else text


def offered_buttons(events: Iterable[Event]) -> List[Button]:
    """The buttons the visitor was offered last and has not answered yet.

    Those of the bot's latest message with buttons (or quick replies), provided no user
    message came after it. When a turn of the bot has several messages, a later message
    without buttons does not hide the buttons of an earlier one.
    """
    for event in reversed(list(events)):
        if isinstance(event, UserUttered):
            return []
        if isinstance(event, BotUttered):
            buttons = parse_buttons(event.data.get("buttons") or event.data.get("quick_replies"))
            if buttons:
                return buttons
    return []


async def buttons_offered_to(agent: Any, sender_id: str) -> List[Button]:
    """The buttons offered to ``sender_id``, read from the Rasa agent's tracker store.

    Read under the agent's lock for that conversation, so that a reply sent while the
    previous message is still being handled waits until its answer is stored.

    Args:
        agent: the Rasa agent of the server (``request.app.ctx.agent``), or None.
        sender_id: the conversation's sender id, as the channel passes it to Rasa.
    """
    tracker_store = getattr(agent, "tracker_store", None)
    if tracker_store is None:
        return []
    try:
        lock_store = getattr(agent, "lock_store", None)
        if lock_store is not None:
            async with lock_store.lock(sender_id):
                tracker = await tracker_store.retrieve(sender_id)
        else:
            tracker = await tracker_store.retrieve(sender_id)
    except Exception as error:
        # The error's text may hold the sender id (SQLAlchemy's holds the statement's
        # parameters): only at DEBUG.
        logger.error(
            "Could not read the conversation of sender %s to find the buttons it offered: %s",
            sender_tag(sender_id),
            type(error).__name__,
        )
        logger.debug("The error reading the conversation", exc_info=True)
        return []
    return offered_buttons(tracker.events) if tracker is not None else []
