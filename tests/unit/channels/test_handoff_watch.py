"""The live handoff's periodic task (channels/handoff_watch.py, the steps of
channels/handoff_steps.py): a clock of the test's, Rasa's agent with the handoff's domain."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any, Dict, List

import pytest
from rasa.core.agent import Agent
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ConversationPaused

from channels.handoff_state import HandoffTimes
from channels.handoff_watch import CLOSED_IDLE, TIMED_OUT, HandoffWatch
from channels.telegram import TelegramInput
from clinic.config import Clinic
from stores.tracker import ClinicTrackerStore
from tests.support.channel_requests import RecordingAPI
from tests.support.handoff import (
    MODEL,
    RESUMED,
    handoff_agent,
    processor_of,
    response_text,
    store,
    stored,
    taken_events,
    visitor_message,
    waiting_events,
)
from tests.support.project import ROOT

#: The test's "now": a fixed unix time.
NOW = 1_800_000_000.0


@dataclass(frozen=True)
class Closed:
    """Times whose staff are away."""

    wait_minutes: float = 3.0
    idle_minutes: float = 10.0

    def is_open(self, at: datetime) -> bool:
        assert at.tzinfo is not None
        return False


def posted(channel: TelegramInput) -> List[Dict[str, Any]]:
    api = channel.api
    assert isinstance(api, RecordingAPI)
    return [post["json"] for post in api.posted]


def watch_at(now: float, times: Any = None) -> HandoffWatch:
    return HandoffWatch(times=lambda: times or HandoffTimes(), clock=lambda: now)


async def test_a_conversation_nobody_took_in_time_is_resumed_and_offered_a_call_back(
    agent: Agent, telegram: TelegramInput
) -> None:
    await store(agent, "telegram:1", waiting_events(NOW - 181))  # 3 minutes and a second
    await store(agent, "telegram:2", waiting_events(NOW - 179))
    before = await stored(agent, "telegram:1")

    done = await watch_at(NOW).check(agent, [telegram])

    assert done == [("telegram:1", TIMED_OUT)]
    after = await stored(agent, "telegram:1")
    assert after[: len(before)] == before
    assert after[len(before) : len(before) + 5] == RESUMED
    assert after[-1]["event"] == "user"
    assert after[-1]["parse_data"]["intent"]["name"] == "EXTERNAL_handoff_timeout"
    [triggered] = processor_of(agent).triggered
    assert triggered["intent"] == "EXTERNAL_handoff_timeout"
    assert triggered["sender_id"] == "telegram:1"
    assert triggered["paused"] is False
    assert triggered["latest_action"] == "action_listen"
    assert isinstance(triggered["output"], type(telegram.output()))
    assert posted(telegram) == []  # the call-back offer is the rule's (Part 1's action)
    tracker = await agent.tracker_store.retrieve("telegram:2")
    assert tracker is not None and tracker.is_paused()


async def test_while_staff_are_away_a_waiting_conversation_is_offered_a_call_back_at_once(
    agent: Agent,
) -> None:
    await store(agent, "telegram:1", waiting_events(NOW - 5))

    done = await watch_at(NOW, Closed()).check(agent, [])

    assert done == [("telegram:1", TIMED_OUT)]
    assert processor_of(agent).triggered[0]["intent"] == "EXTERNAL_handoff_timeout"


async def test_a_taken_conversation_quiet_too_long_is_closed(
    agent: Agent, telegram: TelegramInput, clinic: Clinic
) -> None:
    await store(agent, "telegram:1", [*waiting_events(NOW - 900), *taken_events("Ana", NOW - 601)])
    await store(
        agent,
        "telegram:2",
        [
            *waiting_events(NOW - 900),
            *taken_events("Ana", NOW - 800),
            visitor_message("are you there?", at=NOW - 599),
        ],
    )
    before = await stored(agent, "telegram:1")

    done = await watch_at(NOW).check(agent, [telegram])

    assert done == [("telegram:1", CLOSED_IDLE)]
    text = response_text("utter_handoff_idle_closed", clinic)
    assert (await stored(agent, "telegram:1"))[len(before) :] == [
        {
            "event": "bot",
            "text": text,
            "data": {},
            "metadata": {"handoff": "idle_closed", "staff": "Ana", **MODEL},
        },
        *RESUMED,
    ]
    assert posted(telegram) == [{"chat_id": 1, "text": text}]
    assert processor_of(agent).triggered == []
    tracker = await agent.tracker_store.retrieve("telegram:2")
    assert tracker is not None and tracker.is_paused()


async def test_a_model_without_the_timeout_intent_resumes_without_a_call_back(
    clinic: Clinic, caplog: pytest.LogCaptureFixture
) -> None:
    trained = Domain.load(str(ROOT / "domain.yml")).as_dict()
    trained["intents"] = [i for i in trained["intents"] if "EXTERNAL_handoff_timeout" not in i]
    older = Domain.from_dict(trained)
    agent = handoff_agent(older)
    await store(agent, "telegram:1", waiting_events(NOW - 600))

    with caplog.at_level(logging.WARNING, logger="channels.handoff_steps"):
        done = await watch_at(NOW).check(agent, [])

    assert done == [("telegram:1", TIMED_OUT)]
    assert processor_of(agent).triggered == []
    assert (await stored(agent, "telegram:1"))[-5:] == RESUMED
    assert "no intent EXTERNAL_handoff_timeout" in caplog.text


async def test_two_servers_seeing_the_same_conversation_due_act_once(
    agent: Agent, telegram: TelegramInput
) -> None:
    await store(agent, "telegram:1", [*waiting_events(NOW - 900), *taken_events("Ana", NOW - 700)])

    first, second = await asyncio.gather(
        watch_at(NOW).check(agent, [telegram]), watch_at(NOW).check(agent, [telegram])
    )

    assert sorted([first, second]) == [[], [("telegram:1", CLOSED_IDLE)]]
    assert len(posted(telegram)) == 1
    events = await stored(agent, "telegram:1")
    assert [e["event"] for e in events].count("resume") == 1


async def test_conversations_paused_otherwise_or_not_at_all_are_left_alone(
    agent: Agent,
) -> None:
    await store(agent, "telegram:1", [visitor_message("hi", at=NOW - 3600)])
    await store(agent, "telegram:2", [visitor_message("hi", at=NOW - 3600), ConversationPaused()])
    before = [await stored(agent, "telegram:1"), await stored(agent, "telegram:2")]

    assert await watch_at(NOW).check(agent, []) == []
    assert [await stored(agent, "telegram:1"), await stored(agent, "telegram:2")] == before


# With the project's SQL tracker store: the paused conversations found by SQL.


async def test_with_the_sql_store_due_conversations_are_found_and_handled(
    domain: Domain, clinic: Clinic, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("TRACKER_DB", str(tmp_path / "tracker.db"))
    agent = handoff_agent(domain, ClinicTrackerStore(domain=domain))
    await store(agent, "telegram:1", waiting_events(NOW - 600))
    await store(agent, "telegram:2", [visitor_message("hi", at=NOW - 600)])
    watch = watch_at(NOW)

    assert await watch.check(agent, []) == [("telegram:1", TIMED_OUT)]
    assert await watch.check(agent, []) == []
    await store(agent, "telegram:3", waiting_events(NOW - 600))
    assert await watch.check(agent, []) == [("telegram:3", TIMED_OUT)]


# Started and stopped with the server.


async def test_it_runs_every_interval_once_started_and_stops_at_once(
    agent: Agent, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = SimpleNamespace(ctx=SimpleNamespace(agent=agent, input_channels=[]))
    watch = HandoffWatch(clock=lambda: NOW, interval=0.05)
    passes: List[float] = []
    check = watch.check

    async def counted(*args: Any) -> Any:
        passes.append(asyncio.get_running_loop().time())
        return await check(*args)

    monkeypatch.setattr(watch, "check", counted)
    await store(agent, "telegram:1", waiting_events(NOW - 600))

    watch.start(app)
    await asyncio.sleep(0.3)
    started = asyncio.get_running_loop().time()
    await watch.stop()

    assert asyncio.get_running_loop().time() - started < 0.5
    assert len(passes) >= 3
    assert processor_of(agent).triggered[0]["sender_id"] == "telegram:1"
    count = len(passes)
    await asyncio.sleep(0.2)
    assert len(passes) == count  # stopped


async def test_a_failing_pass_is_logged_and_the_next_one_runs(
    agent: Agent, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = SimpleNamespace(ctx=SimpleNamespace(agent=agent, input_channels=[]))
    watch = HandoffWatch(clock=lambda: NOW, interval=0.05)
    calls: List[int] = []

    async def failing(*_: Any) -> Any:
        calls.append(1)
        raise ConnectionError("database away")

    monkeypatch.setattr(watch, "check", failing)
    with caplog.at_level(logging.ERROR, logger="channels.handoff_watch"):
        watch.start(app)
        await asyncio.sleep(0.2)
        await watch.stop()

    assert len(calls) >= 2
    assert "the periodic check failed: ConnectionError" in caplog.text
