"""What every channel checks in a visitor's message before the assistant reads it.

- Control characters (other than line breaks and tabs) are removed.
- An empty or blank message gets ``utter_message_empty`` and goes no further.
- A message longer than ``MAX_MESSAGE_CHARS`` (1,000 by default) gets
  ``utter_message_too_long`` and goes no further: the assistant answers one question at a
  time, and a long text is more likely pasted records than a question.

And when the assistant fails to handle a message (its database is unreachable, say), the
visitor gets ``utter_something_went_wrong`` (try again; in an emergency, call the emergency
number) instead of silence, and the guarded ``on_new_message`` returns :data:`FAILED`, so
that a channel a platform redelivers to handles the redelivery (``channels/deliveries.py``).
A website visitor over the rate limits (``channels/rate_limits.py``) gets
``utter_rate_limited`` (wait a minute; in an emergency, call the emergency number).
Once the assistant has handled a message of a paused conversation (the live handoff), an
emergency in it still gets the emergency guidance (``channels/paused.py``).

The answers are responses of the domain (``domain.yml``), taken from the running Rasa
server's model, with the clinic's facts filled in. Wrap a channel's ``on_new_message``
with :func:`guarded`. The log names the conversation by its sender tag
(``stores/sender_tag.py``), never by its sender id (a phone number, an e-mail address),
and never holds the message's words.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import re
import unicodedata
from typing import Any, Awaitable, Callable, Final, Optional

from rasa.core.agent import Agent
from rasa.core.channels.channel import OutputChannel, UserMessage
from sanic import Sanic

from channels.paused import emergency_while_paused
from clinic.config import get_clinic
from stores.sender_tag import sender_tag
from stores.tracker import StoreUnavailable

logger = logging.getLogger(__name__)

OnNewMessage = Callable[[UserMessage], Awaitable[Any]]

DEFAULT_MAX_MESSAGE_CHARS = 1000
EMPTY_RESPONSE = "utter_message_empty"
TOO_LONG_RESPONSE = "utter_message_too_long"
FAILURE_RESPONSE = "utter_something_went_wrong"
RATE_LIMITED_RESPONSE = "utter_rate_limited"

#: What a guarded ``on_new_message`` returns when the assistant failed on the message (the
#: visitor was asked to try again).
FAILED: Final = object()
#: How long the "try again" answer to an interrupted message may take to send.
INTERRUPTED_ANSWER_SECONDS = 5.0

# Used only if the domain lacks the responses (a model trained before they existed).
_FALLBACK_TEXT = {
    EMPTY_RESPONSE: "Please type your question about Botox for acne scars.",
    TOO_LONG_RESPONSE: "Your message is too long for me. Please ask one question at a time.",
    FAILURE_RESPONSE: "Sorry, something went wrong on our side. Please try again in a moment.",
    # The domain's own words: the refusal must give the emergency number whatever the model.
    RATE_LIMITED_RESPONSE: (
        "You are sending messages faster than I can answer them. Please wait a minute, then "
        "ask again. If this is an emergency, call {emergency_number} now."
    ),
}
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def max_message_chars() -> int:
    """``$MAX_MESSAGE_CHARS``, at least 1."""
    try:
        return max(1, int(os.environ.get("MAX_MESSAGE_CHARS", "") or DEFAULT_MAX_MESSAGE_CHARS))
    except ValueError:
        return DEFAULT_MAX_MESSAGE_CHARS


def clean(text: Optional[str]) -> str:
    """The text without control characters (line breaks and tabs stay), NFC-normalised."""
    return unicodedata.normalize("NFC", _CONTROL.sub("", text or ""))


def refusal(text: str) -> Optional[str]:
    """The response to send instead of answering ``text`` (already cleaned), if any."""
    if not text.strip():
        return EMPTY_RESPONSE
    if len(text) > max_message_chars():
        return TOO_LONG_RESPONSE
    return None


def running_agent() -> Optional[Agent]:
    """The running Rasa server's agent; None without a server or before its model."""
    try:
        agent = Sanic.get_app().ctx.agent
    except Exception:  # no running server (or several apps: a test's)
        return None
    return agent if isinstance(agent, Agent) else None


def response_text(name: str) -> str:
    """The domain's text of response ``name`` (its first variation)."""
    try:
        agent = Sanic.get_app().ctx.agent
        variations = agent.domain.responses.get(name) or []
        text = variations[0].get("text") if variations else None
    except Exception:  # no running server or no model: the built-in wording
        text = None
    values = {"max_message_chars": f"{max_message_chars():,}"}
    with contextlib.suppress(Exception):  # a broken clinic.yml stopped the server already
        values.update(get_clinic().template_values())
    shown = str(text or _FALLBACK_TEXT[name])
    for key, value in values.items():
        shown = shown.replace("{" + key + "}", str(value))
    return shown


async def answer(output: OutputChannel, recipient_id: str, name: str) -> None:
    """Send ``recipient_id`` the domain's response ``name`` (:func:`response_text`)."""
    await output.send_text_message(recipient_id, response_text(name))


def guarded(
    on_new_message: OnNewMessage, agent_of: Callable[[], Optional[Agent]] = running_agent
) -> OnNewMessage:
    """``on_new_message`` that answers empty and over-long messages itself, and failures
    with the "try again" answer (then it returns :data:`FAILED`); after a message it
    handled, an emergency in a paused conversation gets the guidance.

    Args:
        agent_of: the running server's agent (tests pass their own).
    """

    async def handle(message: UserMessage) -> Any:
        text = clean(message.text)
        reason = refusal(text)
        if reason is None:
            message.text = text
            try:
                outcome = await on_new_message(message)
            except asyncio.CancelledError:
                # Given up (its client went away, or the server is stopping). Not passed on
                # to Rasa's handler, which logs the words of a cancelled REST message, and
                # a platform already answered 200 never sends it again: so "try again".
                logger.info(
                    "A message from sender %s on %s was interrupted",
                    sender_tag(message.sender_id),
                    message.input_channel,
                )
                with contextlib.suppress(Exception, asyncio.CancelledError):
                    await asyncio.wait_for(
                        answer(
                            message.output_channel,
                            message.sender_id or "default",
                            FAILURE_RESPONSE,
                        ),
                        INTERRUPTED_ANSWER_SECONDS,
                    )
                return FAILED
            except (Exception, StoreUnavailable) as error:
                # Logged without the traceback, whose values could hold the visitor's words.
                logger.error(
                    "Could not handle a message from sender %s on %s: %s",
                    sender_tag(message.sender_id),
                    message.input_channel,
                    type(error).__name__,
                )
                await answer(
                    message.output_channel, message.sender_id or "default", FAILURE_RESPONSE
                )
                return FAILED
            await guide_if_emergency(agent_of(), message)
            return outcome
        logger.info(
            "Message from sender %s on %s not passed on: %s",
            sender_tag(message.sender_id),
            message.input_channel,
            reason,
        )
        await answer(message.output_channel, message.sender_id or "default", reason)
        return None

    return handle


async def guide_if_emergency(agent: Optional[Agent], message: UserMessage) -> None:
    """The emergency guidance for an emergency in a paused conversation
    (``channels/paused.py``). The message is stored already: if the guidance fails, the
    visitor gets the "try again" answer, which gives the emergency number, and the message
    is not handled again."""
    try:
        await emergency_while_paused(agent, message)
    except (Exception, StoreUnavailable) as error:
        logger.error(
            "Could not check a message from sender %s on %s for an emergency: %s",
            sender_tag(message.sender_id),
            message.input_channel,
            type(error).__name__,
        )
        await answer(message.output_channel, message.sender_id or "default", FAILURE_RESPONSE)
