"""The live handoff without a server: the domain with the handoff's slots and responses
(what the issue's contract gives domain.yml), an agent whose processor is Rasa's own
without a trained model, conversations in each step, and requests to the routes.
"""

from __future__ import annotations

import json
import time
from types import SimpleNamespace
from typing import Any, Dict, List, Optional, Sequence

from rasa.core.actions.action import Action, create_bot_utterance
from rasa.core.agent import Agent
from rasa.core.channels.channel import InputChannel, OutputChannel
from rasa.core.lock_store import InMemoryLockStore, LockStore
from rasa.core.nlg import NaturalLanguageGenerator
from rasa.core.processor import MessageProcessor
from rasa.core.tracker_store import InMemoryTrackerStore, TrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    BotUttered,
    ConversationPaused,
    Event,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker
from sanic.request import Request

from clinic.config import Clinic
from components.clinic_nlg import ClinicResponseGenerator
from tests.support.channel_requests import make_request
from tests.support.project import ROOT

#: The API token of the tests' routes.
TOKEN = "test-handoff-token"

#: What the contract adds to domain.yml (Part 1 writes the real one).

#: What the action server's action_emergency_guidance sends (actions/safety.py).
FOLLOW_UP = "utter_emergency_follow_up"


#: What Rasa adds to the metadata of every event of the agent's model
#: (:func:`handoff_agent`).
MODEL = {"model_id": "test-model", "assistant_id": "test-bot"}
#: What ending a handoff stores after the farewell, as stored (``resume_events``).
RESUMED: List[Dict[str, Any]] = [
    {"event": "slot", "name": "handoff", "value": None, "metadata": MODEL},
    {"event": "slot", "name": "handoff_staff", "value": None, "metadata": MODEL},
    {"event": "slot", "name": "handoff_requested_at", "value": None, "metadata": MODEL},
    {"event": "resume", "metadata": MODEL},
    {
        "event": "action",
        "name": "action_listen",
        "policy": None,
        "confidence": None,
        "action_text": None,
        "hide_rule_turn": False,
        "metadata": MODEL,
    },
]


def handoff_domain() -> Domain:
    """domain.yml, with the handoff's slots, intent and responses."""
    return Domain.load(str(ROOT / "domain.yml"))


def response_text(name: str, clinic: Clinic, **values: str) -> str:
    """The text of the domain's response ``name`` (its first), with the clinic's details
    and ``values`` filled in, as the project's NLG fills them."""
    text = str(handoff_domain().responses[name][0]["text"])
    return text.format(**clinic.template_values(), **values)


class EmergencyGuidanceStandIn(Action):
    """The action server's ``action_emergency_guidance`` (actions/safety.py): the
    follow-up message, and ``emergency_reported``."""

    def name(self) -> str:
        return "action_emergency_guidance"

    async def run(
        self,
        output_channel: OutputChannel,
        nlg: NaturalLanguageGenerator,
        tracker: DialogueStateTracker,
        domain: Domain,
        metadata: Optional[Dict[str, Any]] = None,
    ) -> List[Event]:
        message = await nlg.generate(FOLLOW_UP, tracker, output_channel.name())
        assert message is not None
        message["utter_action"] = FOLLOW_UP
        return [create_bot_utterance(message), SlotSet("emergency_reported", True)]


class ProcessorWithoutModel(MessageProcessor):
    """Rasa's processor without a trained model: it runs actions as Rasa does (responses
    through the NLG, side effects sent, the tracker stored), the action server's
    ``action_emergency_guidance`` by :class:`EmergencyGuidanceStandIn`; no policy predicts,
    so an external intent is recorded in :attr:`triggered` and stored, not answered."""

    def __init__(
        self,
        domain: Domain,
        tracker_store: TrackerStore,
        lock_store: LockStore,
        nlg: NaturalLanguageGenerator,
    ) -> None:  # Rasa's __init__ loads a model
        self.domain = domain
        self.tracker_store = tracker_store
        self.lock_store = lock_store
        self.nlg = nlg
        self.action_endpoint = None
        self.http_interpreter = None
        self.max_number_of_predictions = 10
        self.on_circuit_break = None
        self.model_metadata = SimpleNamespace(model_id="test-model", assistant_id="test-bot")
        self.triggered: List[Dict[str, Any]] = []

    def _get_action(self, action_name: str) -> Action:
        if action_name == "action_emergency_guidance":
            return EmergencyGuidanceStandIn()
        return super()._get_action(action_name)

    async def trigger_external_user_uttered(
        self,
        intent_name: str,
        entities: Any,
        tracker: DialogueStateTracker,
        output_channel: OutputChannel,
    ) -> None:
        self.triggered.append(
            {
                "intent": intent_name,
                "sender_id": tracker.sender_id,
                "paused": tracker.is_paused(),
                "latest_action": tracker.latest_action_name,
                "output": output_channel,
            }
        )
        channel = tracker.get_latest_input_channel()
        tracker.update(UserUttered.create_external(intent_name, [], channel), self.domain)
        await self.save_tracker(tracker)


def handoff_agent(domain: Domain, tracker_store: Optional[TrackerStore] = None) -> Agent:
    """An agent with the domain, the project's NLG, locks in memory and
    :class:`ProcessorWithoutModel` (a tracker store in memory unless given)."""
    nlg = ClinicResponseGenerator(domain=domain)
    agent = Agent(
        domain=domain,
        generator=nlg,
        tracker_store=tracker_store or InMemoryTrackerStore(domain),
        lock_store=InMemoryLockStore(),
    )
    agent.processor = ProcessorWithoutModel(domain, agent.tracker_store, agent.lock_store, nlg)
    return agent


def processor_of(agent: Agent) -> ProcessorWithoutModel:
    assert isinstance(agent.processor, ProcessorWithoutModel)
    return agent.processor


def visitor_message(
    text: str,
    intent: str = "ask_faq",
    channel: str = "telegram",
    at: Optional[float] = None,
    metadata: Optional[Dict[str, Any]] = None,
) -> UserUttered:
    """A visitor's message as Rasa stores it."""
    parse = {"text": text, "intent": {"name": intent, "confidence": 0.95}, "entities": []}
    return UserUttered(
        text,
        parse["intent"],
        [],
        parse,
        timestamp=at,
        input_channel=channel,
        metadata=metadata,
    )


def waiting_events(
    requested_at: float,
    channel: str = "telegram",
    metadata: Optional[Dict[str, Any]] = None,
) -> List[Event]:
    """A conversation whose visitor asked for a person at ``requested_at`` (what the
    contract's ``action_request_handoff`` leaves), on ``channel``."""
    return [
        ActionExecuted("action_listen", timestamp=requested_at - 20),
        visitor_message(
            "can I talk to someone", "human_handoff", channel, requested_at - 10, metadata
        ),
        ActionExecuted("action_request_handoff", timestamp=requested_at),
        SlotSet("handoff", "waiting", timestamp=requested_at),
        SlotSet("handoff_requested_at", requested_at, timestamp=requested_at),
        BotUttered("A member of the team will join you in a few minutes.", timestamp=requested_at),
        ConversationPaused(timestamp=requested_at),
    ]


def taken_events(staff: str, at: float) -> List[Event]:
    """What taking a waiting conversation adds (the route ``take``), at ``at``."""
    return [
        SlotSet("handoff", "taken", timestamp=at),
        SlotSet("handoff_staff", staff, timestamp=at),
        BotUttered(
            f"Hello, this is {staff}.",
            metadata={"handoff": "joined", "staff": staff},
            timestamp=at,
        ),
    ]


async def store(agent: Agent, sender_id: str, events: Sequence[Event]) -> None:
    """Store a conversation of ``events``."""
    tracker = DialogueStateTracker.from_events(sender_id, list(events), agent.domain.slots)
    await agent.tracker_store.save(tracker)


async def stored(agent: Agent, sender_id: str) -> List[Dict[str, Any]]:
    """The conversation's stored events, as dicts without their timestamps."""
    tracker = await agent.tracker_store.retrieve(sender_id)
    assert tracker is not None
    return [
        {k: v for k, v in event.as_dict().items() if k != "timestamp"} for event in tracker.events
    ]


def route_request(
    route: str,
    body: Any,
    agent: Optional[Agent],
    channels: Sequence[InputChannel] = (),
    token: Optional[str] = TOKEN,
    method: str = "POST",
) -> Request:
    """A request to ``/webhooks/handoff/<route>`` on a server with ``agent`` and
    ``channels`` (``body``: bytes as they are, anything else as JSON)."""
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    headers = {"Content-Type": "application/json"}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    request = make_request(method, f"/webhooks/handoff/{route}", raw, headers, agent)
    request.app.ctx.input_channels = list(channels)
    return request


def now() -> float:
    return time.time()
