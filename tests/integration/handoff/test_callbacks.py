"""Call backs through the real servers and the staff app (tests/support/handoff_site.py),
in both situations the issue names, each on servers of its own:

- outside the chat's hours (``CLINIC_NOW`` = ``CLOSED_NOW``: a Wednesday after hours), a
  visitor asking for a person is told when the team is back and offered a call back;
- on timeout (the chat open, ``wait_minutes`` 0.05: three seconds), a visitor who accepted
  a person and whom nobody took is offered a call back by the Rasa server's periodic task.

With consent, the name and the phone number are taken and the request shows in the staff
app's Callbacks list; without consent nothing is asked, nothing is kept in the tracker
store and nothing is listed; details given and then withdrawn ("stop") leave the stored
conversation. The visitor writes from Telegram (the platforms' stand-in):
the timeout's offer is pushed, as only a channel with a way back can receive it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Dict, Iterator, List

import pytest
import yaml

from clinic.config import Clinic, parse_clinic
from launcher import processes
from tests.support.channel_clients import TELEGRAM
from tests.support.handoff import response_text
from tests.support.handoff_api import paused
from tests.support.handoff_site import HandoffSite, handoff_site, slot_values
from tests.support.messaging import RESULTS_ANSWER, sent
from tests.support.messaging import RESULTS_QUESTION as QUESTION
from tests.support.platform_stub import PlatformStub
from tests.support.project import CLOSED_NOW, OPEN_NOW, ROOT, TEST_CLINIC_YAML

pytestmark = pytest.mark.integration

OUTSIDE_HOURS = "outside hours"
ON_TIMEOUT = "on timeout"
#: The test clinic with a wait of three seconds before the call back is offered.
SHORT_WAIT_YAML = TEST_CLINIC_YAML.replace("wait_minutes: 2\n", "wait_minutes: 0.05\n")
assert SHORT_WAIT_YAML != TEST_CLINIC_YAML
CALLBACK_SLOTS = ("callback_name", "callback_contact", "callback_requested_at")


@dataclass(frozen=True)
class Situation:
    """Servers of one situation, and what their assistant says on the way to a call back."""

    name: str
    site: HandoffSite
    clinic: Clinic

    def says(self, response: str, **values: str) -> str:
        return response_text(response, self.clinic, **values)


@pytest.fixture(scope="module", params=[OUTSIDE_HOURS, ON_TIMEOUT])
def situation(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    platform_stub: PlatformStub,
) -> Iterator[Situation]:
    """The servers and the staff app, the chat closed or with a short wait."""
    clinic_yaml, now = {
        OUTSIDE_HOURS: (TEST_CLINIC_YAML, CLOSED_NOW),
        ON_TIMEOUT: (SHORT_WAIT_YAML, OPEN_NOW),
    }[request.param]
    folder = tmp_path_factory.mktemp("callbacks")
    try:
        with handoff_site(folder, platform_stub.url, clinic_yaml, now) as site:
            clinic = parse_clinic(yaml.safe_load(clinic_yaml), base=ROOT)
            yield Situation(request.param, site, clinic)
    except processes.ServerError as error:
        pytest.fail(str(error))


class TelegramVisitor:
    """A visitor writing from Telegram to the servers of a situation."""

    def __init__(self, situation: Situation, stub: PlatformStub) -> None:
        self.situation = situation
        self.stub = stub
        self.chat = TELEGRAM.new_id()
        self.sender = TELEGRAM.stored_as(self.chat)
        self.received = 0

    def _sent(self, count: int) -> List[str]:
        """The next ``count`` messages Telegram was asked to send the visitor."""
        found = sent(self.stub, TELEGRAM.is_reply_to(self.chat), self.received + count)
        self.received += count
        return [TELEGRAM.reply_text(r) for r in found[-count:]]

    def says(self, text: str, answers: int = 1) -> List[str]:
        """Write ``text``; the ``answers`` messages the assistant sends back."""
        TELEGRAM.deliver(self.situation.site.servers, TELEGRAM.text(self.chat, text))
        return self._sent(answers)

    def presses(self, payload: str, answers: int = 1) -> List[str]:
        """Press a button of the last message; the ``answers`` messages sent back."""
        assert TELEGRAM.press is not None
        TELEGRAM.deliver(self.situation.site.servers, TELEGRAM.press(self.chat, payload))
        return self._sent(answers)

    def offered_a_call_back(self) -> None:
        """Ask a question, then for a person, until the assistant offers a call back (at
        once outside hours; after the wait, without a staff member, on timeout)."""
        say = self.situation.says
        assert RESULTS_ANSWER in self.says(QUESTION)[0]
        if self.situation.name == OUTSIDE_HOURS:
            assert self.says("can I talk to a person?", answers=2) == [
                say("utter_handoff_closed", next_opening="tomorrow at 8:00 (EST)"),
                say("utter_callback_offer"),
            ]
            return
        assert self.says("can I talk to a person?") == [say("utter_handoff_offer")]
        assert self.presses("/affirm") == [say("utter_handoff_waiting")]
        assert paused(self.situation.site.wait_for_events(self.sender, paused))
        # Nobody takes it: the periodic task hands it back and offers the call back.
        assert self._sent(2) == [say("utter_handoff_busy"), say("utter_callback_offer")]
        events = self.situation.site.wait_for_events(self.sender, lambda e: not paused(e))
        assert not paused(events) and slot_values(events, "handoff")[-1] is None


def kept_details(site: HandoffSite, sender: str) -> Dict[str, List[object]]:
    """Every value other than none that the tracker store holds of the call back's
    details, for ``sender``."""
    events = site.events(sender)
    return {
        name: [value for value in slot_values(events, name) if value is not None]
        for name in CALLBACK_SLOTS
    }


def test_a_call_back_taken_with_consent_shows_in_the_staff_apps_list(
    situation: Situation, platform_stub: PlatformStub
) -> None:
    visitor = TelegramVisitor(situation, platform_stub)
    say = situation.says
    name, phone = "Sam Jones", "07700 900123"
    visitor.offered_a_call_back()

    assert visitor.presses("/affirm") == [say("utter_ask_callback_consent")]
    assert visitor.presses("/affirm") == [say("utter_ask_callback_name")]
    assert visitor.says(f"my name is {name}") == [say("utter_ask_callback_contact")]
    assert visitor.says(f"it's {phone}") == [
        say("utter_callback_confirmed", callback_name=name, callback_contact=phone)
    ]

    ben = situation.site.staff("ben")
    listed = ben.page_text("/live/callbacks")
    assert "To do (1)" in listed
    request = listed[listed.index(name) :].split(" Mark done")[0]
    assert request.startswith(f"{name} Call or write to {phone} Asked on")
    assert "Channel Telegram" in request
    assert f"What they asked before: “{QUESTION}”" in request

    # Ben calls them back and marks it done.
    page = ben.get("/live/callbacks").text
    [requested_at] = re.findall(
        f'data-callback="{visitor.sender}".*?name="requested_at" value="([^"]+)"', page, re.S
    )
    done = ben.post(
        "/live/callbacks/done", {"sender": visitor.sender, "requested_at": requested_at}
    )
    assert done.status_code == 303
    listed = ben.page_text("/live/callbacks")
    assert "To do (0)" in listed and "Done by Ben on" in listed


def test_without_consent_nothing_is_kept_or_listed(
    situation: Situation, platform_stub: PlatformStub
) -> None:
    visitor = TelegramVisitor(situation, platform_stub)
    say = situation.says
    visitor.offered_a_call_back()

    assert visitor.presses("/affirm") == [say("utter_ask_callback_consent")]
    assert visitor.presses("/deny") == [say("utter_callback_not_kept")]
    # What they write next is answered as usual, not taken as a name or a number.
    assert RESULTS_ANSWER in visitor.says(QUESTION)[0]

    events = situation.site.events(visitor.sender)
    consent = slot_values(events, "callback_consent")
    assert consent[-1] is False and True not in consent
    assert kept_details(situation.site, visitor.sender) == {name: [] for name in CALLBACK_SLOTS}
    listed = situation.site.staff("ana").get("/live/callbacks").text
    assert f'data-callback="{visitor.sender}"' not in listed


def test_details_given_then_withdrawn_are_not_kept_in_the_conversation(
    situation: Situation, platform_stub: PlatformStub
) -> None:
    """Consent, a name, then "stop": "I haven't kept any contact details" is true of the
    stored conversation too, not only of the slots (stores/withdrawn.py)."""
    visitor = TelegramVisitor(situation, platform_stub)
    say = situation.says
    visitor.offered_a_call_back()
    assert visitor.presses("/affirm") == [say("utter_ask_callback_consent")]
    assert visitor.presses("/affirm") == [say("utter_ask_callback_name")]
    assert visitor.says("my name is Robin Quill") == [say("utter_ask_callback_contact")]

    assert visitor.says("stop") == [say("utter_callback_not_kept")]

    events = situation.site.events(visitor.sender)
    assert "Robin" not in str(events)
    assert kept_details(situation.site, visitor.sender) == {name: [] for name in CALLBACK_SLOTS}
    assert [e["text"] for e in events if e["event"] == "user"][-2:] == [
        "(withdrawn by the visitor)",
        "(withdrawn by the visitor)",
    ]
    listed = situation.site.staff("ana").get("/live/callbacks").text
    assert f'data-callback="{visitor.sender}"' not in listed
