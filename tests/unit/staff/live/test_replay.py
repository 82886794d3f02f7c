"""A conversation's events replayed as Rasa applies them (staff/live/replay.py): paused or
not, the live chat's slots, where the handoff starts, emergencies, callback requests.

The events are Rasa's own (rasa.shared.core.events), as the Rasa server stores them
(``as_dict``), with the steps of issue 17's contract (tests/support/stored_conversations.py).
"""

from __future__ import annotations

from typing import List

from rasa.shared.core.events import ConversationResumed, Event, SessionStarted, SlotSet

from staff.live.records import CallbackRequest
from staff.live.replay import StoredEvent, callback_requests, is_emergency, replay
from tests.support.stored_conversations import (
    asks_for_a_person,
    bot,
    callback_given,
    emergency_while_paused,
    handed_back,
    staff_joined,
    started,
    user,
)

T = 1_700_000_000.0


def stored(events: List[Event], sender: str = "v") -> List[StoredEvent]:
    """``events`` as rows of the tracker store (ids from 1)."""
    return [
        StoredEvent(number, sender, event.type_name, event.timestamp, event.as_dict())
        for number, event in enumerate(events, start=1)
    ]


def test_asking_for_a_person_pauses_the_conversation_with_handoff_waiting() -> None:
    events = stored(
        [*started(T), user("does it hurt", "faq", at=T + 1), *asks_for_a_person(T + 5)]
    )
    state = replay(events)
    assert state.paused is True
    assert state.slots["handoff"] == "waiting"
    assert state.slots["handoff_requested_at"] == T + 5.1
    assert events[state.handoff_start].data == {  # type: ignore[index]
        "event": "slot", "timestamp": T + 5.1, "name": "handoff", "value": "waiting",
    }  # fmt: skip
    assert state.channel == "rest"


def test_taken_then_handed_back_it_is_not_paused_and_its_slots_are_cleared() -> None:
    events = [*started(T), *asks_for_a_person(T + 1), *staff_joined("ana", T + 20)]
    taken = replay(stored(events))
    assert (taken.paused, taken.slots["handoff"], taken.slots["handoff_staff"]) == (
        True,
        "taken",
        "ana",
    )
    back = replay(stored([*events, *handed_back(T + 60)]))
    assert back.paused is False
    assert back.slots["handoff"] is None and back.slots["handoff_staff"] is None


def test_a_new_session_unpauses_as_rasa_does_even_when_slots_are_carried_over() -> None:
    events = [
        *started(T),
        *asks_for_a_person(T + 1),
        SessionStarted(timestamp=T + 4000),
        SlotSet("handoff", "waiting", timestamp=T + 4000),  # carried over
    ]
    state = replay(stored(events))
    assert state.paused is False
    assert state.slots == {"handoff": "waiting"}
    assert state.visit_start == len(events) - 2


def test_a_resume_alone_unpauses() -> None:
    state = replay(stored([*asks_for_a_person(T), ConversationResumed(timestamp=T + 9)]))
    assert state.paused is False and state.slots["handoff"] == "waiting"


def test_an_emergency_is_the_visitors_message_the_guidance_or_the_slot() -> None:
    flagged = [is_emergency(event) for event in stored(emergency_while_paused(T))]
    assert flagged == [True, True, True, True]
    plain = stored([user("does it hurt", "faq", at=T), *bot("A pinch.", "utter_faq/pain")])
    assert not any(is_emergency(event) for event in plain)
    assert not is_emergency(stored([SlotSet("emergency_reported", False)])[0])


def test_a_callback_request_has_the_name_contact_and_the_question_before_it() -> None:
    events = [
        *started(T),
        user("hi", "greet", at=T + 1),
        user("can I have it while breastfeeding", "request_medical_advice", at=T + 2),
        user("and how long is the recovery", "faq", at=T + 3, topic="downtime"),
        *asks_for_a_person(T + 4),
        user("hello? anyone there", "out_of_scope", at=T + 30),
        *handed_back(T + 184, returned=False),
        *callback_given("Sam Lee", "+44 7700 900123", T + 200),
    ]
    assert callback_requests("v", stored(events)) == [
        CallbackRequest(
            sender="v",
            requested_at=T + 200,
            name="Sam Lee",
            contact="+44 7700 900123",
            question=(
                "can I have it while breastfeeding",
                "and how long is the recovery",
                "hello? anyone there",
            ),
            channel="rest",
        )
    ]


def test_a_request_carried_into_a_new_session_is_one_request_and_a_second_one_counts() -> None:
    first = [
        *started(T),
        *asks_for_a_person(T + 1),
        *callback_given("Sam", "sam@x.example", T + 200),
    ]
    carried = [SessionStarted(timestamp=T + 9000), SlotSet("callback_requested_at", T + 200)]
    second = [
        user("is it painful", "faq", at=T + 9001, topic="pain"),
        *callback_given("Sam", "0207 946 0000", T + 9100),
    ]
    found = callback_requests("v", stored([*first, *carried, *second]))
    assert [(r.requested_at, r.contact, r.question) for r in found] == [
        (T + 200, "sam@x.example", ()),
        (T + 9100, "0207 946 0000", ("is it painful",)),
    ]


def test_no_consent_no_request() -> None:
    events = [
        *asks_for_a_person(T),
        SlotSet("callback_name", "Sam", timestamp=T + 5),
        SlotSet("callback_consent", False, timestamp=T + 6),
        SlotSet("callback_requested_at", None, timestamp=T + 6),
    ]
    assert callback_requests("v", stored(events)) == []
