"""A website visitor typing (channels/typing.py): one record per conversation every
MIN_SECONDS at most, only for a running server's tracker store, and never an error for the
visitor when the database is away."""

from __future__ import annotations

from typing import List, Tuple

import pytest
from rasa.core.agent import Agent

from channels import typing as channel_typing
from channels.typing import MIN_SECONDS, TypingRelay


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


class RecordingStore:
    """The project's tracker store's ``record_typing``, recorded (or failing)."""

    def __init__(self, fails: bool = False) -> None:
        self.recorded: List[Tuple[str, float]] = []
        self.fails = fails

    async def record_typing(self, sender_id: str, at: float) -> bool:
        if self.fails:
            raise ConnectionError("the database is away")
        self.recorded.append((sender_id, at))
        return True


@pytest.fixture
def store(monkeypatch: pytest.MonkeyPatch) -> RecordingStore:
    recording = RecordingStore()
    monkeypatch.setattr(channel_typing, "clinic_store", lambda _: recording)
    return recording


async def test_one_record_per_conversation_every_few_seconds(store: RecordingStore) -> None:
    clock = Clock()
    relay = TypingRelay(clock)
    agent = Agent()

    assert await relay.relay(agent, "socketio:a") is True
    assert await relay.relay(agent, "socketio:b") is True
    clock.now += MIN_SECONDS / 2
    assert await relay.relay(agent, "socketio:a") is False
    clock.now += MIN_SECONDS / 2
    assert await relay.relay(agent, "socketio:a") is True

    assert [sender for sender, _ in store.recorded] == ["socketio:a", "socketio:b", "socketio:a"]


async def test_without_a_server_or_its_store_nothing_is_recorded(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    relay = TypingRelay(Clock())
    assert await relay.relay(None, "socketio:a") is False
    monkeypatch.setattr(channel_typing, "clinic_store", lambda _: None)
    assert await relay.relay(Agent(), "socketio:a") is False


async def test_a_database_away_is_no_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(channel_typing, "clinic_store", lambda _: RecordingStore(fails=True))
    assert await TypingRelay(Clock()).relay(Agent(), "socketio:a") is False


def test_the_conversations_remembered_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(channel_typing, "REMEMBERED", 3)
    relay = TypingRelay(Clock())
    for number in range(5):
        assert relay.due(f"socketio:{number}")
    assert not relay.due("socketio:4")
    assert relay.due("socketio:0")  # forgotten, so due again
