"""The conversations of the live chat's tests (tests/unit/staff/web/): one visitor
waiting for a person, one taken by ben, one who asked for a callback (and an older request,
past the time callbacks are kept), stored by Rasa's SQLTrackerStore."""

from __future__ import annotations

from rasa.core.tracker_store import SQLTrackerStore

from tests.support.stored_conversations import (
    append_events,
    asks_for_a_person,
    bot,
    callback_given,
    staff_joined,
    started,
    user,
)

#: The token the staff app and the stand-in of the Rasa server share.
TOKEN = "a-test-token"
#: The visitors.
WAITING = "socketio:visitor-waiting"
TAKEN = "telegram:4242"
CALLED = "visitor-called"
DAY = 86400


async def fill(store: SQLTrackerStore, now: float) -> None:
    """Store the conversations, as they stand at ``now``."""
    await append_events(
        store,
        WAITING,
        [
            *started(now - 400),
            user("does it hurt", "faq", 0.97, at=now - 390, topic="pain", channel="socketio"),
            *bot("Most people feel only a small pinch.", "utter_faq/pain"),
            *asks_for_a_person(now - 330, channel="socketio"),
        ],
    )
    await append_events(
        store,
        TAKEN,
        [
            *started(now - 900),
            *asks_for_a_person(now - 800, channel="telegram"),
            *staff_joined("ben", now - 700),
        ],
    )
    await append_events(
        store,
        CALLED,
        [
            *started(now - 40 * DAY),
            user("how long does it last", "faq", at=now - 40 * DAY + 1),
            *callback_given("Old Request", "old@example.org", now - 40 * DAY + 10),
            user("what does it cost", "faq", at=now - 3000),
            *callback_given("Sam Lee", "+44 7700 900123", now - 2900),
        ],
    )
