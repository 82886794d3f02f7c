"""Answers the visitor withdrew (stores/withdrawn.py) leave the stored conversation, on SQLite
and on PostgreSQL: what the database holds is read back row by row."""

from __future__ import annotations

import json
import time
from typing import Any, List

from rasa.shared.core.events import (
    ActionExecuted,
    ActiveLoop,
    BotUttered,
    Event,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker

from stores.tracker import ClinicTrackerStore
from stores.withdrawn import WITHDRAWN_TEXT, events_holding, withdrawn_slots

NOW = time.time()
WITHDRAW = SlotSet("withdrawn_answers", ["callback_name", "callback_contact"], timestamp=NOW + 20)


def user(text: str, intent: str, at: float) -> UserUttered:
    return UserUttered(
        text,
        {"name": intent, "confidence": 0.9},
        [{"entity": "person", "value": text, "start": 0, "end": len(text)}],
        timestamp=at,
    )


def up_to_the_name() -> List[Event]:
    """A call back asked for: consent given, then a name."""
    return [
        ActionExecuted("action_listen", timestamp=NOW),
        user("can someone ring me back", "human_handoff", NOW + 1),
        ActionExecuted("action_offer_callback", timestamp=NOW + 2),
        SlotSet("handoff_offer", "callback", timestamp=NOW + 2),
        user("yes", "affirm", NOW + 3),
        ActiveLoop("callback_form", timestamp=NOW + 4),
        SlotSet("requested_slot", "callback_consent", timestamp=NOW + 4),
        BotUttered("Is that all right?", timestamp=NOW + 4),
        user("yes fine", "affirm", NOW + 5),
        SlotSet("callback_consent", True, timestamp=NOW + 6),
        SlotSet("requested_slot", "callback_name", timestamp=NOW + 6),
        BotUttered("What name should the team ask for?", timestamp=NOW + 6),
        user("my name is Sam Jones", "out_of_scope", NOW + 7),
        SlotSet("callback_name", "Sam Jones", timestamp=NOW + 8),
        SlotSet("requested_slot", "callback_contact", timestamp=NOW + 8),
        BotUttered("What phone number or e-mail address should they use?", timestamp=NOW + 8),
    ]


def stopped() -> List[Event]:
    """The visitor stops at the contact question: action_stop_callback's events."""
    return [
        user("actually stop, 07700 900123 is my number but forget it", "deny", NOW + 10),
        BotUttered("That's fine: I haven't kept any contact details.", timestamp=NOW + 11),
        SlotSet("callback_consent", None, timestamp=NOW + 12),
        SlotSet("callback_name", None, timestamp=NOW + 12),
        SlotSet("callback_contact", None, timestamp=NOW + 12),
        WITHDRAW,
        SlotSet("requested_slot", None, timestamp=NOW + 12),
        ActiveLoop(None, timestamp=NOW + 12),
    ]


def stored_rows(store: ClinicTrackerStore, sender: str) -> List[Any]:
    with store.session_scope() as session:
        rows = (
            session.query(store.SQLEvent)
            .filter(store.SQLEvent.sender_id == sender)
            .order_by(store.SQLEvent.id)
            .all()
        )
        return [json.loads(row.data) for row in rows]


def user_texts(rows: List[Any]) -> List[str]:
    return [row["text"] for row in rows if row["event"] == "user"]


async def save_turns(store: ClinicTrackerStore, sender: str, *turns: List[Event]) -> None:
    """Each turn saved as the Rasa server does: read the conversation, add, save."""
    for events in turns:
        tracker = await store.retrieve(sender) or DialogueStateTracker(sender, slots=[])
        for event in events:
            tracker.update(event)
        await store.save(tracker)


async def test_a_name_given_then_withdrawn_is_nowhere_in_the_stored_conversation(
    clinic_store: ClinicTrackerStore,
) -> None:
    await save_turns(clinic_store, "visitor", up_to_the_name(), stopped())

    rows = stored_rows(clinic_store, "visitor")
    assert "Sam" not in json.dumps(rows)
    assert "07700" not in json.dumps(rows)
    assert user_texts(rows) == [
        "can someone ring me back",
        "yes",
        "yes fine",
        WITHDRAWN_TEXT,
        WITHDRAWN_TEXT,
    ]
    answers = [row for row in rows if row["event"] == "user" and row["text"] == WITHDRAWN_TEXT]
    assert [row["parse_data"]["intent"]["name"] for row in answers] == ["out_of_scope", "deny"]
    assert all(row["parse_data"]["text"] == WITHDRAWN_TEXT for row in answers)
    assert all(row["parse_data"]["entities"] == [] for row in answers)
    # The rest of the conversation is as it was: what was asked, the consent, its no.
    assert len(rows) == len(up_to_the_name()) + len(stopped())
    assert [row.get("value") for row in rows if row.get("name") == "callback_consent"] == [
        True,
        None,
    ]


async def test_answers_withdrawn_in_the_turn_that_gave_them_are_never_written(
    clinic_store: ClinicTrackerStore,
) -> None:
    """The third unreadable contact and action_submit_callback's "couldn't take your
    details" come in one turn: the answer is withdrawn before it is written."""
    await save_turns(clinic_store, "visitor", up_to_the_name() + stopped())

    rows = stored_rows(clinic_store, "visitor")
    assert "Sam" not in json.dumps(rows)
    assert user_texts(rows)[-2:] == [WITHDRAWN_TEXT, WITHDRAWN_TEXT]


async def test_without_a_withdrawal_the_answers_are_kept(
    clinic_store: ClinicTrackerStore,
) -> None:
    """A confirmed call back keeps its details (for the days clinic.yml says)."""
    await save_turns(clinic_store, "visitor", up_to_the_name())

    assert user_texts(stored_rows(clinic_store, "visitor"))[-1] == "my name is Sam Jones"


async def test_another_conversation_is_not_touched(clinic_store: ClinicTrackerStore) -> None:
    """Events of another conversation at the same moments keep their text."""
    await save_turns(clinic_store, "other", up_to_the_name())
    await save_turns(clinic_store, "visitor", up_to_the_name(), stopped())

    assert user_texts(stored_rows(clinic_store, "other"))[-1] == "my name is Sam Jones"


def test_the_answers_are_the_messages_written_while_a_withdrawn_slot_was_asked() -> None:
    events = up_to_the_name() + stopped()

    holding = events_holding(events, withdrawn_slots(events))

    assert [getattr(event, "text", None) or event.as_dict()["name"] for event in holding] == [
        "my name is Sam Jones",
        "callback_name",
        "actually stop, 07700 900123 is my number but forget it",
    ]


def test_nothing_is_withdrawn_without_the_slot_or_with_an_empty_one() -> None:
    assert withdrawn_slots(up_to_the_name()) == frozenset()
    assert withdrawn_slots([SlotSet("withdrawn_answers", None)]) == frozenset()
    assert withdrawn_slots([WITHDRAW]) == {"callback_name", "callback_contact"}
