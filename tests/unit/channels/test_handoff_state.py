"""A conversation's place in the live handoff, read from its tracker
(channels/handoff_state.py)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ConversationPaused,
    ConversationResumed,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker

from channels.handoff_state import (
    DEFAULT_IDLE_MINUTES,
    DEFAULT_WAIT_MINUTES,
    HandoffTimes,
    handoff_times,
    state_of,
)
from clinic.config import Clinic, get_clinic
from tests.support.handoff import taken_events, visitor_message, waiting_events
from tests.support.project import TEST_CLINIC_YAML_WITHOUT_HANDOFF

NOW = 1_800_000_000.0


def tracker(*events: object, domain: Domain | None = None) -> DialogueStateTracker:
    slots = (domain or Domain.empty()).slots
    return DialogueStateTracker.from_events("v", list(events), slots)


class Closed(HandoffTimes):
    def is_open(self, at: datetime) -> bool:
        return False


def test_the_times_are_clinic_ymls(clinic: Clinic) -> None:
    times = handoff_times()
    assert times is clinic.handoff
    assert (times.wait_minutes, times.idle_minutes) == (2.0, 5.0)


def test_without_a_handoff_section_the_defaults_apply(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "clinic.yml"
    path.write_text(TEST_CLINIC_YAML_WITHOUT_HANDOFF, encoding="utf-8")
    monkeypatch.setenv("CLINIC_CONFIG", str(path))
    get_clinic.cache_clear()
    try:
        times = handoff_times()
    finally:
        get_clinic.cache_clear()
    assert (times.wait_minutes, times.idle_minutes) == (DEFAULT_WAIT_MINUTES, DEFAULT_IDLE_MINUTES)
    assert (DEFAULT_WAIT_MINUTES, DEFAULT_IDLE_MINUTES) == (3.0, 10.0)
    assert times.is_open(datetime.now().astimezone())


def test_the_state_is_read_from_the_events_even_without_the_slots_in_the_domain() -> None:
    state = state_of(tracker(*waiting_events(NOW)))  # Domain.empty(): no slot known

    assert state.waiting and not state.taken and state.paused
    assert (state.handoff, state.staff, state.requested_at) == ("waiting", None, NOW)
    assert state.paused_at == NOW


def test_a_taken_conversation_names_who_has_it() -> None:
    state = state_of(tracker(*waiting_events(NOW - 100), *taken_events("Ana", NOW - 50)))

    assert state.taken and state.taken_by("Ana") and not state.taken_by("Ben")
    assert state.last_message_at == NOW - 50


def test_a_resumed_or_never_paused_conversation_is_in_no_handoff() -> None:
    resumed = tracker(*waiting_events(NOW), ConversationResumed(), SlotSet("handoff", None))
    unpaused_slot = tracker(visitor_message("hi"), SlotSet("handoff", "waiting"))

    assert not state_of(resumed).waiting and not state_of(resumed).paused
    assert not state_of(unpaused_slot).waiting  # the slot alone is not a handoff


def test_the_wait_runs_from_the_request_else_from_the_pause() -> None:
    times = HandoffTimes()
    waiting = state_of(tracker(*waiting_events(NOW - 180)))
    no_time = state_of(
        tracker(visitor_message("x"), SlotSet("handoff", "waiting"), ConversationPaused(NOW - 60))
    )

    assert waiting.timed_out(times, NOW)
    assert not waiting.timed_out(times, NOW - 1)
    assert not no_time.timed_out(times, NOW)
    assert no_time.timed_out(times, NOW + 120)
    assert waiting.timed_out(Closed(), NOW - 170)  # staff away: at once


def test_idle_counts_messages_of_either_side_not_triggered_intents() -> None:
    times = HandoffTimes()
    events = [
        *waiting_events(NOW - 2000),
        *taken_events("Ana", NOW - 1000),
        visitor_message("still there?", at=NOW - 700),
        UserUttered.create_external("EXTERNAL_x", []),
    ]
    state = state_of(tracker(*events))

    assert state.last_message_at == NOW - 700
    assert state.idle(times, NOW - 100)
    assert not state.idle(times, NOW - 101)
    assert not state_of(tracker(*waiting_events(NOW - 2000))).idle(times, NOW)  # not taken
