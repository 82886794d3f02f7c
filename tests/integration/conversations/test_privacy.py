"""A visitor's words never reach the servers' logs at their INFO level."""

from __future__ import annotations

import pytest

from tests.support.servers import Servers

pytestmark = pytest.mark.integration

PHRASE = "quokka-zebra-4711"


def test_visitors_words_are_not_logged(servers: Servers) -> None:
    for text in (
        f"my neighbour {PHRASE} asked: does botox hurt?",
        f"I'm pregnant with {PHRASE}, can I have botox?",
        f"{PHRASE} " * 400,  # over-long: answered by the channel
        f"/faq{{'{PHRASE}': 1}}",
    ):
        assert servers.say("privacy-1", text)
    sent = [e["text"] for e in servers.events("privacy-1") if e["event"] == "user"]
    assert any(PHRASE in text for text in sent)  # the words are kept, in the tracker store
    for log in servers.folder.glob("*.log"):
        assert PHRASE not in log.read_text(errors="replace"), log.name
