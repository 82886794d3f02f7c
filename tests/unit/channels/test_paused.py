"""Safety is never paused (channels/paused.py, called by channels/limits.py's guarded):
an emergency in a paused conversation gets the emergency guidance, anything else nothing.
Rasa's own processor runs the actions (the action server's by a stand-in); through a
running server: tests/integration/channels/test_handoff.py."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, List

import pytest
import yaml
from rasa.core.agent import Agent
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.lock_store import InMemoryLockStore
from rasa.shared.core.domain import Domain

from channels import limits
from channels.paused import EMERGENCY_STEPS, emergency_while_paused
from clinic.config import Clinic
from stores.tracker import ClinicTrackerStore
from tests.support.handoff import (
    handoff_agent,
    now,
    store,
    stored,
    taken_events,
    visitor_message,
    waiting_events,
)
from tests.support.project import ROOT

SENDER = "telegram:555"
GUIDANCE = (
    "This could be a serious reaction. Call 911 or go to the nearest emergency department "
    "now. Do not wait to see if it gets better."
)
FOLLOW_UP = "When you are safe, let Test Dermatology know on +1 555 0100."


class RasaStandIn:
    """Rasa's ``on_new_message`` for a paused conversation: the message is stored with
    what Rasa understood, and no action runs."""

    def __init__(self, agent: Agent, intent: str) -> None:
        self.agent = agent
        self.intent = intent

    async def __call__(self, message: UserMessage) -> None:
        async with self.agent.lock_store.lock(message.sender_id or ""):
            tracker = await self.agent.tracker_store.retrieve(message.sender_id or "")
            assert tracker is not None and tracker.is_paused()
            event = visitor_message(message.text or "", self.intent, "telegram")
            event.message_id = message.message_id
            tracker.update(event, self.agent.domain)
            await self.agent.tracker_store.save(tracker)


def texts(output: CollectingOutputChannel) -> List[str]:
    return [m["text"] for m in output.messages]


def after_message(events: List[Dict[str, Any]], text: str) -> List[Dict[str, Any]]:
    at = max(i for i, e in enumerate(events) if e["event"] == "user" and e["text"] == text)
    return events[at + 1 :]


async def send(agent: Agent, text: str, intent: str) -> CollectingOutputChannel:
    """The visitor's message through the guarded ``on_new_message``; what they got."""
    output = CollectingOutputChannel()
    handle = limits.guarded(RasaStandIn(agent, intent), agent_of=lambda: agent)
    await handle(UserMessage(text, output, SENDER, input_channel="telegram"))
    return output


@pytest.mark.parametrize(
    "events",
    [waiting_events(now()), [*waiting_events(now() - 60), *taken_events("Ana", now() - 30)]],
    ids=["waiting", "taken"],
)
async def test_an_emergency_while_paused_gets_the_guidance_and_it_is_stored(
    agent: Agent, events: List[Any]
) -> None:
    await store(agent, SENDER, events)
    text = "my eyelid is drooping and I see double"

    output = await send(agent, text, "report_emergency_symptom")

    assert texts(output) == [GUIDANCE, FOLLOW_UP]
    assert [m["recipient_id"] for m in output.messages] == [SENDER, SENDER]
    added = after_message(await stored(agent, SENDER), text)
    assert [(e["event"], e.get("name"), e.get("text"), e.get("value")) for e in added] == [
        ("action", "utter_emergency_guidance", None, None),
        ("bot", None, GUIDANCE, None),
        ("action", "action_emergency_guidance", None, None),
        ("bot", None, FOLLOW_UP, None),
        ("slot", "emergency_reported", None, True),
    ]
    tracker = await agent.tracker_store.retrieve(SENDER)
    assert tracker is not None and tracker.is_paused()  # the person still has it
    assert tracker.get_slot("emergency_reported") is True


async def test_an_ordinary_message_while_paused_gets_nothing(agent: Agent) -> None:
    await store(agent, SENDER, waiting_events(now()))

    output = await send(agent, "how long will it take?", "ask_faq")

    assert output.messages == []
    added = after_message(await stored(agent, SENDER), "how long will it take?")
    assert added == []


async def test_an_emergency_already_answered_is_not_answered_twice(agent: Agent) -> None:
    await store(agent, SENDER, waiting_events(now()))
    message = UserMessage("I can't breathe", CollectingOutputChannel(), SENDER)
    await RasaStandIn(agent, "report_emergency_symptom")(message)

    assert await emergency_while_paused(agent, message) is True
    assert await emergency_while_paused(agent, message) is False
    assert len(message.output_channel.messages) == 2


async def test_an_emergency_in_a_conversation_not_paused_is_left_to_the_rules(
    agent: Agent,
) -> None:
    await store(agent, SENDER, [visitor_message("I can't breathe", "report_emergency_symptom")])
    message = UserMessage("I can't breathe", CollectingOutputChannel(), SENDER)

    assert await emergency_while_paused(agent, message) is False
    assert message.output_channel.messages == []


async def test_without_a_running_agent_nothing_is_done() -> None:
    message = UserMessage("I can't breathe", CollectingOutputChannel(), SENDER)
    assert await emergency_while_paused(None, message) is False


def test_the_steps_are_those_of_the_emergency_rule() -> None:
    rules = yaml.safe_load((ROOT / "data/rules/safety.yml").read_text(encoding="utf-8"))["rules"]
    [rule] = [r for r in rules if r["rule"] == "emergency symptom gets emergency guidance"]
    assert rule["steps"] == [
        {"intent": "report_emergency_symptom"},
        *({"action": action} for action in EMERGENCY_STEPS),
    ]


async def test_a_failure_of_the_guidance_gets_the_try_again_answer_with_the_number(
    agent: Agent, domain: Domain, monkeypatch: pytest.MonkeyPatch
) -> None:
    await store(agent, SENDER, waiting_events(now()))
    answered: List[tuple[str, str]] = []

    async def broken(*_: Any, **__: Any) -> None:
        raise ConnectionError("the database went away")

    async def answer(output: Any, recipient_id: str, name: str) -> None:
        answered.append((recipient_id, name))

    monkeypatch.setattr(agent, "execute_action", broken)
    monkeypatch.setattr(limits, "answer", answer)
    output = await send(agent, "I can't breathe", "report_emergency_symptom")

    assert answered == [(SENDER, limits.FAILURE_RESPONSE)]
    assert output.messages == []
    # The running server's text of that answer (the domain's) gives the emergency number.
    assert "{emergency_number}" in domain.responses[limits.FAILURE_RESPONSE][0]["text"]


# With the project's SQL tracker store: one indexed query for the usual message.


@pytest.fixture
def sql_agent(
    domain: Domain, clinic: Clinic, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Agent:
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("TRACKER_DB", str(tmp_path / "tracker.db"))
    return handoff_agent(domain, ClinicTrackerStore(domain=domain))


async def test_with_the_sql_store_an_emergency_is_found_and_answered(sql_agent: Agent) -> None:
    await store(sql_agent, SENDER, waiting_events(now()))

    output = await send(sql_agent, "I can't swallow", "report_emergency_symptom")

    assert texts(output) == [GUIDANCE, FOLLOW_UP]
    events = await stored(sql_agent, SENDER)
    assert events[-1]["name"] == "emergency_reported" and events[-1]["value"] is True


async def test_with_the_sql_store_an_ordinary_message_takes_no_lock_and_reads_nothing(
    sql_agent: Agent, monkeypatch: pytest.MonkeyPatch
) -> None:
    await store(sql_agent, SENDER, waiting_events(now()))
    await RasaStandIn(sql_agent, "ask_faq")(UserMessage("ok", CollectingOutputChannel(), SENDER))
    locks = InMemoryLockStore()
    monkeypatch.setattr(sql_agent, "lock_store", locks)

    async def no_read(sender_id: str) -> None:
        raise AssertionError("the conversation was read")

    monkeypatch.setattr(sql_agent.tracker_store, "retrieve", no_read)
    message = UserMessage("ok", CollectingOutputChannel(), SENDER)

    assert await emergency_while_paused(sql_agent, message) is False
    assert locks.conversation_locks == {}
