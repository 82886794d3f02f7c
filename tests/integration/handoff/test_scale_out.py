"""The live handoff with the two-server scale-out (deploy/: PostgreSQL for the
conversations, Redis for the locks and socket.io's messages), through the staff app: a
website visitor's connection is held by one Rasa server while the staff app, reading the
shared tracker store, reaches the other (the first of its ``RASA_URL``). The visitor is
still told everything at once, and the staff member sees everything live: the staff app
hears of each stored turn by PostgreSQL's NOTIFY (its interval between looks is set to 10 s
here, so only the signal can bring the visitor's steps within :data:`LIVE_SECONDS`).
"""

from __future__ import annotations

import asyncio
import secrets
from typing import Any, Dict

import pytest
import yaml

from clinic.config import parse_clinic
from launcher import processes
from tests.support.channel_clients import Visitor, web_conversation
from tests.support.handoff import response_text
from tests.support.handoff_site import LiveStaff, next_event, staff_app, staff_messages
from tests.support.messaging import ANSWER_SECONDS, RESULTS_ANSWER, RESULTS_QUESTION
from tests.support.project import ROOT, TEST_CLINIC_YAML
from tests.support.servers import Servers
from tests.support.shared_stores import fresh_schema, rasa_servers, stored

pytestmark = [pytest.mark.integration, pytest.mark.postgres, pytest.mark.redis]

CLINIC = parse_clinic(yaml.safe_load(TEST_CLINIC_YAML), base=ROOT)
OFFER = response_text("utter_handoff_offer", CLINIC)
WAITING = response_text("utter_handoff_waiting", CLINIC)
JOINED = response_text("utter_handoff_joined", CLINIC, staff_name="Ana")  # account "ana"
RETURNED = response_text("utter_handoff_returned", CLINIC)
STAFF_TEXT = "Hello, I'm Ana from the clinic. How can I help?"
VISITOR_ANSWER = "thanks! and how soon can I wear make-up again?"
#: How soon the staff app's pages must show a visitor's step.
LIVE_SECONDS = 2.0


def test_with_two_servers_the_staff_app_reaches_a_website_visitor_held_by_the_other(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    folder = tmp_path_factory.mktemp("handoff-scale-out")
    env = {"RASA_API_TOKEN": secrets.token_hex(16)}
    with fresh_schema("handoff_e2e") as schema:
        try:
            with rasa_servers(folder, schema, one_action_server=True, extra_env=env) as (
                held,
                other,
            ):
                # The staff app calls the server that does not hold the visitor's connection.
                rasa_url = f"{other.rasa_url},{held.rasa_url}"
                slow_looks = {**held.env, "STAFF_LIVE_POLL_SECONDS": "10"}
                with staff_app(slow_looks, folder / "staff", rasa_url) as staff_url:
                    staff = LiveStaff(staff_url)
                    staff.log_in("ana")
                    servers = Servers(
                        held.rasa_url, held.tracker_db, held.web_port, held.env, folder
                    )
                    sender = asyncio.run(visitor_and_staff(servers, staff))
        except processes.ServerError as error:
            pytest.fail(str(error))
        assert staff_messages(stored(schema, sender), "ana") == [
            (JOINED, "joined"),
            (STAFF_TEXT, None),
            (RETURNED, "returned"),
        ]


async def visitor_and_staff(servers: Servers, staff: LiveStaff) -> str:
    """The whole exchange; the visitor's sender id."""
    async with Visitor(servers) as visitor:
        key = await visitor.session(None)
        sender = web_conversation(key)
        queue = await asyncio.to_thread(staff.stream, view="queue")
        chat = await asyncio.to_thread(staff.stream, view="chat", sender=sender)

        async def says(text: str) -> Dict[str, Any]:
            answer = await visitor.answer({"message": text, "session_id": key})
            assert answer is not None, f"no answer to {text!r}"
            return answer

        async def told() -> str:
            message = await asyncio.wait_for(visitor.received.get(), ANSWER_SECONDS)
            return str(message["text"])

        try:
            assert (await says("can I talk to a real person please"))["text"] == OFFER
            assert (await says("/affirm"))["text"] == WAITING
            await asyncio.to_thread(
                next_event,
                queue,
                "queue",
                lambda data: sender in data["waiting_ids"],
                LIVE_SECONDS,
            )

            taken = await asyncio.to_thread(staff.take, sender)
            assert "You have this conversation: the visitor was told you joined." in taken
            assert await told() == JOINED
            answer = await asyncio.to_thread(staff.reply, sender, STAFF_TEXT)
            assert answer == {"ok": True, "error": "", "status": 200}
            assert await told() == STAFF_TEXT
            # The assistant stays quiet (the next message the visitor gets is the hand-back).
            await visitor.client.emit(
                "user_uttered", {"message": VISITOR_ANSWER, "session_id": key}
            )
            seen = await asyncio.to_thread(
                next_event,
                chat,
                "message",
                lambda data: data["text"] == VISITOR_ANSWER,
                LIVE_SECONDS,
            )
            assert seen.data["kind"] == "visitor"

            back = await asyncio.to_thread(staff.hand_back, sender)
            assert "Handed back: the assistant answers this visitor again." in back
            assert await told() == RETURNED
            assert RESULTS_ANSWER in (await says(RESULTS_QUESTION))["text"]
        finally:
            queue.close()
            chat.close()
    return sender
