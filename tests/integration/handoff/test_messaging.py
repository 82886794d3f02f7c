"""The live handoff through messaging channels, with the platforms' stand-in
(tests/support/platform_stub.py) in place of Telegram's and WhatsApp's APIs and the real
servers and staff app (tests/support/handoff_site.py). The staff members work through the
staff app's own pages, as their browsers would (session, CSRF tokens, the live event
stream): the app calls the Rasa server's live-chat routes, which store each step and send
it to the visitor through their platform.
"""

from __future__ import annotations

from typing import List

import pytest
import yaml

from clinic.config import parse_clinic
from tests.support.channel_clients import TELEGRAM, WHATSAPP, Platform
from tests.support.handoff import response_text
from tests.support.handoff_api import paused
from tests.support.handoff_site import HandoffSite, next_event, slot_values, staff_messages
from tests.support.messaging import RESULTS_ANSWER, RESULTS_QUESTION, sent
from tests.support.platform_stub import PlatformStub
from tests.support.project import ROOT, TEST_CLINIC_YAML

pytestmark = pytest.mark.integration

CLINIC = parse_clinic(yaml.safe_load(TEST_CLINIC_YAML), base=ROOT)
OFFER = response_text("utter_handoff_offer", CLINIC)
WAITING = response_text("utter_handoff_waiting", CLINIC)
JOINED = response_text("utter_handoff_joined", CLINIC, staff_name="Ana")  # account "ana"
RETURNED = response_text("utter_handoff_returned", CLINIC)
STAFF_TEXT = 'Hi, I am Ana from the clinic. <b>This stays as typed</b> & "so does this".'
VISITOR_ANSWER = "thanks! and how soon can I wear make-up again?"


def replies(stub: PlatformStub, platform: Platform, visitor: str, count: int) -> List[str]:
    """The texts of the first ``count`` messages the platform was sent for the visitor."""
    return [platform.reply_text(r) for r in sent(stub, platform.is_reply_to(visitor), count)]


@pytest.mark.parametrize("platform", [TELEGRAM, WHATSAPP], ids=lambda p: p.name)
def test_a_messaging_visitor_talks_to_a_person_in_the_staff_app_and_then_to_the_assistant(
    live_site: HandoffSite, platform_stub: PlatformStub, platform: Platform
) -> None:
    assert platform.press is not None
    visitor = platform.new_id()
    sender = platform.stored_as(visitor)
    ana = live_site.staff("ana")
    queue = ana.stream(view="queue")
    chat = ana.stream(view="chat", sender=sender)
    try:
        # The visitor asks for a person and presses "Yes, connect me".
        platform.deliver(live_site.servers, platform.text(visitor, "can I talk to a person?"))
        assert replies(platform_stub, platform, visitor, 1) == [OFFER]
        platform.deliver(live_site.servers, platform.press(visitor, "/affirm"))
        assert replies(platform_stub, platform, visitor, 2)[1] == WAITING

        # The staff app's queue shows them, live.
        waiting = next_event(queue, "queue", lambda data: sender in data["waiting_ids"])
        [shown] = [c for c in waiting.data["conversations"] if c["sender"] == sender]
        assert (shown["state"], shown["staff"], shown["emergency"]) == ("waiting", "", False)
        assert "Live chat" in ana.page_text("/live") and sender in ana.page_text("/live")

        # Ana takes it; the visitor is told; Ben sees that Ana has it.
        taken = ana.take(sender)
        assert "You have this conversation: the visitor was told you joined." in taken
        assert replies(platform_stub, platform, visitor, 3)[2] == JOINED
        next_event(chat, "state", lambda data: data["state"] == "taken" and data["mine"])
        ben = live_site.staff("ben")
        assert "Ana has this conversation." in ben.take(sender)

        # Ana writes; the visitor gets it as typed, answers, and Ana sees it live.
        assert ana.reply(sender, STAFF_TEXT) == {"ok": True, "error": "", "status": 200}
        assert replies(platform_stub, platform, visitor, 4)[3] == STAFF_TEXT
        platform.deliver(live_site.servers, platform.text(visitor, VISITOR_ANSWER))
        answered = next_event(chat, "message", lambda data: data["text"] == VISITOR_ANSWER)
        assert (answered.data["kind"], answered.data["who"]) == ("visitor", "Visitor")

        # Ana hands back; the assistant answers the next question.
        back = ana.hand_back(sender)
        assert "Handed back: the assistant answers this visitor again." in back
        next_event(chat, "state", lambda data: data["state"] == "assistant")
        assert replies(platform_stub, platform, visitor, 5)[4] == RETURNED
        platform.deliver(live_site.servers, platform.text(visitor, RESULTS_QUESTION))
        texts = replies(platform_stub, platform, visitor, 6)
    finally:
        queue.close()
        chat.close()

    # The assistant said nothing while Ana had the conversation.
    assert texts[2:5] == [JOINED, STAFF_TEXT, RETURNED]
    assert RESULTS_ANSWER in texts[5]
    stored = live_site.events(sender)
    assert not paused(stored) and slot_values(stored, "handoff")[-1] is None
    assert staff_messages(stored, "ana") == [
        (JOINED, "joined"),
        (STAFF_TEXT, None),
        (RETURNED, "returned"),
    ]
    # The History says who took it and handed it back.
    history = ana.page_text("/history")
    for done in ("took the live chat with visitor", "handed the conversation with visitor"):
        assert f"{done} {sender}" in history
