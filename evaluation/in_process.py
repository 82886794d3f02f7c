"""Conversations with a trained model loaded in this process, without servers.

Its NLU (classifier, language gate, safety guard) and its policies run; conversations stay
in memory. There is no action server: a custom action the model predicts is recorded, as
:func:`evaluation.outcome.outcome` needs, but not run. ``make test`` and the staff app's
Publish score a new model this way before it may go live.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import Any, Dict, List

from rasa.core.agent import Agent
from rasa.utils.common import configure_logging_and_warnings
from rasa.utils.endpoints import EndpointConfig
from rasa.utils.log_utils import configure_structlog

from evaluation.outcome import Conversation

#: The server's response generator (endpoints.yml).
NLG = "components.clinic_nlg.ClinicResponseGenerator"


def conversations(model: Path) -> Conversation:
    """A function that sends one message as ``sender`` and returns that visitor's events."""
    # Rasa's debug lines of every message would drown the figures; warnings stay.
    configure_logging_and_warnings(logging.WARNING)
    configure_structlog(logging.WARNING)
    # The custom actions cannot run here; their failure is expected and not news.
    for name in ("rasa.core.processor", "rasa.core.actions.action"):
        logging.getLogger(name).setLevel(logging.CRITICAL)
    # The responses filled in as the server fills them (the clinic's details, clinic.yml).
    agent = Agent.load(str(model), generator=EndpointConfig(type=NLG))
    loop = asyncio.new_event_loop()

    def conversation(sender: str, text: str) -> List[Dict[str, Any]]:
        async def turn() -> List[Dict[str, Any]]:
            await agent.handle_text(text, sender_id=sender)
            tracker = await agent.tracker_store.retrieve(sender)
            return [event.as_dict() for event in tracker.events] if tracker else []

        return loop.run_until_complete(turn())

    return conversation
