"""The live handoff's conversation through the real servers, while the test clinic's team
answers in the chat (``CLINIC_NOW``: a Wednesday at 10:30): the offer, the pause, the
assistant answering again once the conversation is handed back, the call back after a
timeout (consent, name, contact, checked), and the safety rules during it.

What the handoff's routes do (channels/handoff.py: hand back, time out) is done here
through Rasa's HTTP API with the same events. Outside the chat's hours the rules are
checked by tests/test_stories.yml and the actions by tests/unit/actions/.
"""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any, Dict, Iterator, List

import pytest

from launcher import local_servers, processes
from tests.support.project import OPEN_NOW, TEST_CLINIC_YAML
from tests.support.rasa_api import ApiConversation
from tests.support.servers import NO_RATE_LIMITS, trained_model

pytestmark = pytest.mark.integration

#: What the handoff's routes append when they hand a conversation back (without a message).
HANDED_BACK: List[Dict[str, Any]] = [
    {"event": "slot", "name": "handoff", "value": None},
    {"event": "slot", "name": "handoff_staff", "value": None},
    {"event": "slot", "name": "handoff_requested_at", "value": None},
    {"event": "resume"},
]
CONSENT = (
    "To call or e-mail you back, the team needs your name and a phone number or e-mail "
    "address. We use them only to contact you about your question, and keep them for 14 "
    "days. Is that all right?"
)
NAME = "What name should the team ask for?"
CONTACT = "What phone number or e-mail address should they use?"
NOT_KEPT = (
    "That's fine: I haven't kept any contact details. You can reach the team at Test "
    "Dermatology on +1 555 0100 (weekdays 8 to 4) or at desk@test-dermatology.example."
)


@pytest.fixture(scope="module")
def rasa(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """The action server and a Rasa server with its API on, the test clinic's chat open."""
    token = secrets.token_hex(16)
    folder: Path = tmp_path_factory.mktemp("handoff")
    clinic = folder / "clinic.yml"
    clinic.write_text(TEST_CLINIC_YAML, encoding="utf-8")
    env = {**NO_RATE_LIMITS, "CLINIC_CONFIG": str(clinic), "CLINIC_NOW": OPEN_NOW}
    args = ["--enable-api", "--auth-token", token]
    try:
        with local_servers.running(
            trained_model(), folder, env, rasa_args=args, web=False
        ) as running:
            yield running.rasa_url, token
    except processes.ServerError as error:
        pytest.fail(str(error))


def visitor(rasa: tuple[str, str], name: str) -> ApiConversation:
    return ApiConversation(rasa[0], rasa[1], name)


def slots(conversation: ApiConversation, *names: str) -> Dict[str, Any]:
    values = conversation.tracker()["slots"]
    return {name: values.get(name) for name in names}


def test_a_person_is_offered_and_yes_pauses_the_assistant_until_handed_back(
    rasa: tuple[str, str],
) -> None:
    talk = visitor(rasa, "handoff-yes")

    offer = talk.say("can I talk to a real person please")
    assert [m["text"] for m in offer] == [
        "I can ask a member of the team at Test Dermatology to join this chat. It can take "
        "up to 2 minutes; if nobody is free by then, I'll offer you a call back instead. "
        "Shall I ask them?"
    ]
    assert [b["payload"] for b in offer[0]["buttons"]] == ["/affirm", "/deny"]

    assert talk.texts("/affirm") == [
        "Thank you. I've asked the team to join, and a member of the team will write here as "
        "soon as they can. Please keep this chat open. If this is an emergency, call 911 now."
    ]
    tracker = talk.tracker()
    assert tracker["paused"] is True
    assert tracker["slots"]["handoff"] == "waiting"
    assert isinstance(tracker["slots"]["handoff_requested_at"], float)

    # Paused: the visitor's message is kept, with what it was understood as, and not answered.
    assert talk.say("hello? is anyone there") == []
    last = talk.tracker()["events"][-1]
    assert last["event"] == "user" and last["text"] == "hello? is anyone there"
    assert last["parse_data"]["intent"]["name"]

    # Handed back (channels/handoff.py's resume): the next question is answered as usual.
    talk.append(HANDED_BACK)
    answer = talk.say("how long do the results of botox for acne scars last?")
    assert len(answer) == 1 and "months" in answer[0]["text"]
    events = talk.tracker()["events"]
    assert [e["name"] for e in events if e["event"] == "action"][-2:] == [
        "utter_faq",
        "action_listen",
    ]


def test_no_to_a_person_gives_the_other_ways_to_reach_the_team(
    rasa: tuple[str, str],
) -> None:
    talk = visitor(rasa, "handoff-no")
    talk.say("I want to speak to a human")

    assert talk.texts("no thanks") == [
        "No problem. You can also reach the team at Test Dermatology on +1 555 0100 "
        "(weekdays 8 to 4) or at desk@test-dermatology.example. If you have a general "
        "question about Botox for acne scars, just ask."
    ]
    assert talk.tracker()["paused"] is False


def test_nobody_free_in_time_a_call_back_is_taken_with_consent(
    rasa: tuple[str, str],
) -> None:
    talk = visitor(rasa, "handoff-timeout")
    talk.say("can I speak to someone from the clinic")
    talk.say("yes")

    # channels/handoff.py's timeout: hand back, then the external intent.
    talk.append(HANDED_BACK)
    assert talk.trigger("EXTERNAL_handoff_timeout") == [
        "I'm sorry, nobody from the team is free to join the chat right now.",
        "Would you like the team to call or e-mail you back instead?",
    ]
    assert talk.texts("yes please") == [CONSENT]
    assert slots(talk, "callback_consent", "callback_requested_at") == {
        "callback_consent": None,
        "callback_requested_at": None,
    }
    assert talk.texts("yes") == [NAME]
    assert talk.texts("my name is Sam Jones") == [CONTACT]
    assert talk.texts("whenever suits you") == [
        "Sorry, I couldn't find a phone number or an e-mail address in that.",
        CONTACT,
    ]
    assert talk.texts("it's 07700 900123") == [
        "Thank you, Sam Jones. The team will contact you at 07700 900123 about your "
        "question. We keep these details for 14 days."
    ]
    kept = slots(talk, "callback_consent", "callback_name", "callback_contact")
    assert kept == {
        "callback_consent": True,
        "callback_name": "Sam Jones",
        "callback_contact": "07700 900123",
    }
    assert isinstance(talk.tracker()["slots"]["callback_requested_at"], float)
    assert talk.tracker()["active_loop"] == {}

    # Asked again for a person: it is said that the request is there.
    assert talk.texts("can I talk to a person") == [
        "I can ask a member of the team at Test Dermatology to join this chat. It can take "
        "up to 2 minutes; if nobody is free by then, I'll offer you a call back instead. "
        "Shall I ask them?"
    ]


def start_call_back(talk: ApiConversation) -> None:
    """Nobody took the conversation: the call back offered, and yes."""
    talk.trigger("EXTERNAL_handoff_timeout")
    assert talk.texts("yes") == [CONSENT]


def test_without_consent_nothing_is_asked_or_kept(rasa: tuple[str, str]) -> None:
    talk = visitor(rasa, "callback-no-consent")
    start_call_back(talk)

    assert talk.texts("no") == [NOT_KEPT]
    assert slots(talk, "callback_consent", "callback_name", "callback_contact") == {
        "callback_consent": False,
        "callback_name": None,
        "callback_contact": None,
    }
    assert talk.tracker()["slots"]["callback_requested_at"] is None


@pytest.mark.parametrize("words", ["stop", "cancel", "never mind"])
def test_stop_during_the_questions_keeps_nothing(rasa: tuple[str, str], words: str) -> None:
    talk = visitor(rasa, f"callback-{words.replace(' ', '-')}")
    start_call_back(talk)
    talk.say("yes")
    talk.say("Sam Jones")

    assert talk.texts(words) == [NOT_KEPT]
    assert slots(talk, "callback_consent", "callback_name", "callback_contact") == {
        "callback_consent": None,
        "callback_name": None,
        "callback_contact": None,
    }
    assert talk.tracker()["active_loop"] == {}


def test_an_emergency_during_the_questions_gets_the_emergency_guidance(
    rasa: tuple[str, str],
) -> None:
    talk = visitor(rasa, "callback-emergency")
    start_call_back(talk)
    talk.say("yes")

    texts = talk.texts("my lips are swelling up and I can't breathe properly")

    assert texts[0].startswith("This could be a serious reaction. Call 911")
    assert texts[1:] == ["When you are safe, let Test Dermatology know on +1 555 0100."]
    tracker = talk.tracker()
    assert tracker["slots"]["emergency_reported"] is True
    assert tracker["slots"]["callback_name"] is None
    assert tracker["active_loop"] == {}


def test_a_contact_never_given_ends_the_questions_politely(rasa: tuple[str, str]) -> None:
    talk = visitor(rasa, "callback-gave-up")
    start_call_back(talk)
    talk.say("yes")
    assert talk.texts("Sam") == [CONTACT]
    again = ["Sorry, I couldn't find a phone number or an e-mail address in that.", CONTACT]
    assert talk.texts("you have it already") == again
    assert talk.texts("the one on file") == again

    assert talk.texts("same as before") == [
        "Sorry, I couldn't take your details, so I haven't kept any. You can reach the team "
        "at Test Dermatology on +1 555 0100 (weekdays 8 to 4) or at "
        "desk@test-dermatology.example."
    ]
    assert slots(talk, "callback_name", "callback_contact", "callback_requested_at") == {
        "callback_name": None,
        "callback_contact": None,
        "callback_requested_at": None,
    }
