"""The steps of the live handoff on a running Rasa server: take, write, hand back (the
staff app's routes, ``channels/handoff.py``), time out and close when idle (the periodic
task, ``channels/handoff_watch.py``).

Each step holds the conversation's lock (``agent.lock_store.lock``, in Redis when there are
several servers), reads the conversation there and checks its state (``channels/
handoff_state.py``) before it changes anything: two staff members, or two servers' periodic
tasks, can never both act on one conversation. It then appends its events to the tracker,
stores them (as Rasa's own ``/conversations/<id>/tracker/events`` does) and only then sends
the bot messages among them through the conversation's output channel: what the visitor is
told is always stored first.

The output channel is the one of the input channel the visitor last wrote on
(``tracker.get_latest_input_channel()``), found among the running server's channels:
socket.io emits to the room of the sender id (``socketio:<id>``), from whichever server
holds the visitor's websocket (``channels/socketio.py``); the messaging channels post to
the platform (``channels/webhook.py``, Twilio from the number the visitor wrote to). A
REST visitor has no channel to push to: their conversation is changed and stored, and
nothing is sent.

The texts are the domain's responses, through the model's response generator (the
clinic's facts filled in, ``components/clinic_nlg.py``), ``{staff_name}`` with the staff
member's name as they gave it. A model trained before the responses existed cannot take
or hand back a conversation (:data:`NO_RESPONSES`: publish a new one); a quiet conversation
is still closed, without the farewell.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Sequence

from rasa.core.agent import Agent
from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, OutputChannel
from rasa.shared.core.events import BotUttered, Event
from rasa.shared.core.trackers import DialogueStateTracker

from channels.handoff_state import (
    IDLE_CLOSED,
    IDLE_CLOSED_RESPONSE,
    JOINED_RESPONSE,
    RETURNED,
    RETURNED_RESPONSE,
    TIMEOUT_INTENT,
    Times,
    bot_message,
    resume_events,
    staff_message,
    state_of,
    take_events,
)
from channels.webhook import WebhookInput
from stores.sender_tag import sender_tag

logger = logging.getLogger(__name__)

#: What is wrong with a step asked for (the routes answer 404 or 409).
NOT_FOUND = "no conversation with this sender id"
NOT_WAITING = "the conversation is not waiting for a person"
TAKEN_BY_ANOTHER = "the conversation is taken by another staff member"
NOT_YOURS = "the conversation is not taken by you"
NO_RESPONSES = (
    "the assistant's model has no live chat responses (trained before them): publish a new one"
)


def spoken_name(staff: str) -> str:
    """A staff member's name as a visitor reads it: staff accounts are lower case ("ana"),
    a name starts with a capital ("Ana")."""
    return staff[:1].upper() + staff[1:]


@dataclass(frozen=True)
class Outcome:
    """What a step did.

    Attributes:
        problem: why it was not done (:data:`NOT_FOUND`, :data:`NOT_WAITING`,
            :data:`TAKEN_BY_ANOTHER`, :data:`NOT_YOURS`, :data:`NO_RESPONSES`), None when it
            was.
        staff: who has the conversation (after the step), if anyone.
        delivered: the bot messages of the step reached the conversation's output
            channel (False: the visitor has none to push to, or sending failed; the step
            is stored either way, and a second take by the one who has it sends nothing).
    """

    problem: Optional[str] = None
    staff: Optional[str] = None
    delivered: bool = False

    @property
    def done(self) -> bool:
        return self.problem is None


def output_for(
    input_channels: Sequence[InputChannel], tracker: DialogueStateTracker
) -> Optional[OutputChannel]:
    """The output channel of the conversation: the one of the input channel its visitor
    last wrote on, if that channel can send unasked (REST cannot)."""
    name = tracker.get_latest_input_channel()
    for channel in input_channels:
        if channel.name() != name:
            continue
        output = (
            channel.output_for(tracker)
            if isinstance(channel, WebhookInput)
            else channel.get_output_channel()
        )
        if output is not None:
            return output
    return None


class LiveHandoff:
    """The steps of the handoff on the running server's agent and channels.

    Args:
        agent: the Rasa server's agent (``app.ctx.agent``).
        input_channels: the server's input channels (``app.ctx.input_channels``).
    """

    def __init__(self, agent: Agent, input_channels: Sequence[InputChannel]) -> None:
        self.agent = agent
        self.input_channels = list(input_channels)

    # The staff app's steps.

    async def take(self, sender_id: str, staff: str, shown_as: Optional[str] = None) -> Outcome:
        """``staff`` takes the waiting conversation: ``utter_handoff_joined`` is sent, with
        ``shown_as`` as their name (:func:`spoken_name` of ``staff`` without it)."""
        async with self.agent.lock_store.lock(sender_id):
            tracker = await self._tracker(sender_id)
            if tracker is None:
                return Outcome(NOT_FOUND)
            state = state_of(tracker)
            if state.taken_by(staff):
                return Outcome(staff=staff)
            if state.taken:
                return Outcome(TAKEN_BY_ANOTHER, staff=state.staff)
            if not state.waiting:
                return Outcome(NOT_WAITING)
            output = output_for(self.input_channels, tracker)
            spoken = shown_as or spoken_name(staff)
            joined = await self._generate(JOINED_RESPONSE, tracker, output, spoken)
            if joined is None:
                return Outcome(NO_RESPONSES)
            delivered = await self._append(tracker, take_events(staff, joined), output)
        logger.info("Handoff: conversation %s taken", sender_tag(sender_id))
        return Outcome(staff=staff, delivered=delivered)

    async def write(self, sender_id: str, staff: str, text: str) -> Outcome:
        """``staff``'s message ``text``, as written, to the conversation they have."""
        async with self.agent.lock_store.lock(sender_id):
            tracker = await self._tracker(sender_id)
            if tracker is None:
                return Outcome(NOT_FOUND)
            state = state_of(tracker)
            if not state.taken_by(staff):
                return Outcome(NOT_YOURS, staff=state.staff if state.taken else None)
            output = output_for(self.input_channels, tracker)
            delivered = await self._append(tracker, [staff_message(staff, text)], output)
        return Outcome(staff=staff, delivered=delivered)

    async def hand_back(self, sender_id: str, staff: str) -> Outcome:
        """``staff`` hands the conversation back to the assistant:
        ``utter_handoff_returned`` is sent and the conversation resumed."""
        async with self.agent.lock_store.lock(sender_id):
            tracker = await self._tracker(sender_id)
            if tracker is None:
                return Outcome(NOT_FOUND)
            state = state_of(tracker)
            if not state.taken_by(staff):
                return Outcome(NOT_YOURS, staff=state.staff if state.taken else None)
            output = output_for(self.input_channels, tracker)
            farewell = await self._response(
                RETURNED_RESPONSE, tracker, output, {"handoff": RETURNED, "staff": staff}, staff
            )
            if farewell is None:
                return Outcome(NO_RESPONSES, staff=staff)
            delivered = await self._append(tracker, resume_events(farewell), output)
        logger.info("Handoff: conversation %s handed back", sender_tag(sender_id))
        return Outcome(delivered=delivered)

    # The periodic task's steps.

    async def time_out(self, sender_id: str, times: Times, now: float) -> bool:
        """Resume a conversation nobody took in time (or waiting while staff are away) and
        trigger ``EXTERNAL_handoff_timeout`` (its rule offers a call back); whether it was
        one."""
        async with self.agent.lock_store.lock(sender_id):
            tracker = await self._tracker(sender_id)
            if tracker is None or not state_of(tracker).timed_out(times, now):
                return False
            output = output_for(self.input_channels, tracker)
            await self._append(tracker, resume_events(), output)
            processor = self.agent.processor
            domain = self.agent.domain
            if processor is None or domain is None or TIMEOUT_INTENT not in domain.intents:
                logger.warning(
                    "Handoff: conversation %s resumed after its wait; the model has no "
                    "intent %s (trained before the handoff), so no call back is offered",
                    sender_tag(sender_id),
                    TIMEOUT_INTENT,
                )
            else:
                await processor.trigger_external_user_uttered(
                    TIMEOUT_INTENT, None, tracker, output or CollectingOutputChannel()
                )
        logger.info("Handoff: conversation %s not taken in time; resumed", sender_tag(sender_id))
        return True

    async def close_idle(self, sender_id: str, times: Times, now: float) -> bool:
        """Close a taken conversation quiet for ``times.idle_minutes``:
        ``utter_handoff_idle_closed`` is sent and it is resumed; whether it was one."""
        async with self.agent.lock_store.lock(sender_id):
            tracker = await self._tracker(sender_id)
            if tracker is None:
                return False
            state = state_of(tracker)
            if not state.idle(times, now):
                return False
            output = output_for(self.input_channels, tracker)
            farewell = await self._response(
                IDLE_CLOSED_RESPONSE,
                tracker,
                output,
                {"handoff": IDLE_CLOSED, "staff": state.staff},
                state.staff or "",
            )
            await self._append(tracker, resume_events(farewell), output)
        logger.info("Handoff: conversation %s closed after a quiet while", sender_tag(sender_id))
        return True

    # What the steps share.

    async def _tracker(self, sender_id: str) -> Optional[DialogueStateTracker]:
        """The conversation's tracker (its current session), None if there is none; as
        Rasa's processor reads it (the model's id on the events it adds)."""
        tracker = await self.agent.tracker_store.retrieve(sender_id)
        processor = self.agent.processor
        if tracker is not None and processor is not None:
            tracker.model_id = processor.model_metadata.model_id
            if tracker.assistant_id is None:
                tracker.assistant_id = processor.model_metadata.assistant_id
        return tracker

    async def _generate(
        self,
        name: str,
        tracker: DialogueStateTracker,
        output: Optional[OutputChannel],
        spoken: str,
    ) -> Optional[Dict[str, Any]]:
        """Response ``name`` generated with ``{staff_name}`` filled in (``spoken``: the
        name the visitor reads); None when the model's domain has no such response
        (trained before it existed)."""
        channel = output.name() if output is not None else ""
        response = await self.agent.nlg.generate(name, tracker, channel, staff_name=spoken)
        if response is None:
            logger.error("Handoff: the model has no response %s: publish a new model", name)
            return None
        return dict(response)

    async def _response(
        self,
        name: str,
        tracker: DialogueStateTracker,
        output: Optional[OutputChannel],
        metadata: Dict[str, Any],
        staff: str,
    ) -> Optional[BotUttered]:
        """The bot message of response ``name`` with ``{staff_name}`` filled in (None
        without the response)."""
        response = await self._generate(name, tracker, output, spoken_name(staff))
        return None if response is None else bot_message(response, metadata)

    async def _append(
        self,
        tracker: DialogueStateTracker,
        events: List[Event],
        output: Optional[OutputChannel],
    ) -> bool:
        """Append ``events``, store them, then send their bot messages; whether they were
        sent (the lock is held by the caller)."""
        for event in events:
            tracker.update(event, self.agent.domain)
        await self.agent.tracker_store.save(tracker)
        messages = [event for event in events if isinstance(event, BotUttered)]
        if not messages:
            return True
        if output is None:
            return False
        try:
            for message in messages:
                await output.send_response(tracker.sender_id, message.message())
        except Exception as error:
            logger.error(
                "Handoff: a message to conversation %s could not be sent on %s: %s",
                sender_tag(tracker.sender_id),
                output.name(),
                type(error).__name__,
            )
            logger.debug("Handoff: the error", exc_info=True)
            return False
        return True
