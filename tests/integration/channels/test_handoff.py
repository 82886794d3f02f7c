"""The live handoff through a running Rasa server (channels/handoff.py and what it uses):
a staff member takes a conversation, writes in it and hands it back, on the website
(socket.io), every messaging channel (the platforms' stand-in records what reaches them)
and REST; an emergency while paused gets the guidance; the periodic task times out a
waiting conversation and closes a quiet one.

The model is the trained one (models/), with the handoff's slots, responses and rules
(Part 1 of issue 17). Here a conversation is put in the waiting state with Rasa's own
conversation API, as ``action_request_handoff`` leaves it, so that each route is tested on
its own; the whole exchange (the visitor asking, the staff app taking, replying and handing
back) is tested in tests/integration/handoff/.
"""

from __future__ import annotations

import asyncio
import secrets
import time
from pathlib import Path
from typing import Any, Dict, Iterator, List

import pytest
import requests
import yaml

from channels.slack import escape
from clinic.config import parse_clinic
from launcher import local_servers, processes
from tests.support.channel_clients import (
    FACEBOOK,
    SLACK,
    TELEGRAM,
    TWILIO,
    WHATSAPP,
    Platform,
    Visitor,
    web_conversation,
)
from tests.support.handoff import response_text
from tests.support.handoff_api import HandoffServer, paused
from tests.support.messaging import QUIET_SECONDS, RESULTS_ANSWER, RESULTS_QUESTION, sent
from tests.support.platform_stub import PlatformStub
from tests.support.project import OPEN_NOW, ROOT, TEST_CLINIC_YAML
from tests.support.servers import (
    API_URL_VARIABLES,
    CHANNEL_SECRETS,
    NO_RATE_LIMITS,
    SENDER_TAG_KEY,
    Servers,
    trained_model,
)
from tests.support.shared_stores import fresh_schema, rasa_servers, senders, stored

pytestmark = pytest.mark.integration

#: The test clinic (tests/support/project.py), whose details the responses are filled with.
CLINIC = parse_clinic(yaml.safe_load(TEST_CLINIC_YAML), base=ROOT)
JOINED = response_text("utter_handoff_joined", CLINIC, staff_name="Ana")
RETURNED = response_text("utter_handoff_returned", CLINIC)
IDLE_CLOSED = response_text("utter_handoff_idle_closed", CLINIC)
BUSY = response_text("utter_handoff_busy", CLINIC)
CALLBACK_OFFER = response_text("utter_callback_offer", CLINIC)
EMERGENCY = "my eyelid is drooping and I see double since my injections"
GUIDANCE = "This could be a serious reaction. Call 911"
FOLLOW_UP = "When you are safe, let Test Dermatology know on +1 555 0100."
STAFF_TEXT = 'Hi, I am Ana. <b>This stays as typed</b> & "so does this".'


@pytest.fixture(scope="module")
def handoff(
    tmp_path_factory: pytest.TempPathFactory, platform_stub: PlatformStub
) -> Iterator[HandoffServer]:
    """A Rasa server (with its action server) whose API and handoff routes take a token,
    its messaging channels replying to the platforms' stand-in."""
    folder: Path = tmp_path_factory.mktemp("handoff")
    clinic = folder / "clinic.yml"
    clinic.write_text(TEST_CLINIC_YAML, encoding="utf-8")
    token = secrets.token_hex(16)
    env = {
        **CHANNEL_SECRETS,
        **NO_RATE_LIMITS,
        **{name: platform_stub.url for name in API_URL_VARIABLES},
        "CLINIC_CONFIG": str(clinic),
        "CLINIC_NOW": OPEN_NOW,  # the chat open, whenever the tests run
        "SENDER_TAG_KEY": SENDER_TAG_KEY,
        # Taken by the Rasa server from its environment (launcher/rasa_run.py).
        "RASA_API_TOKEN": token,
    }
    try:
        with local_servers.running(trained_model(), folder, env, web=False) as run:
            servers = Servers(run.rasa_url, run.tracker_db, run.web_port, run.env, folder)
            yield HandoffServer(servers, token)
    except processes.ServerError as error:
        pytest.fail(str(error))


def replies(stub: PlatformStub, platform: Platform, visitor: str, count: int) -> List[str]:
    """The texts of the first ``count`` messages the platform got for the visitor."""
    return [platform.reply_text(r) for r in sent(stub, platform.is_reply_to(visitor), count)]


def no_more(stub: PlatformStub, platform: Platform, visitor: str, count: int) -> None:
    """The platform got no more than ``count`` messages for the visitor (after a while)."""
    time.sleep(QUIET_SECONDS)
    assert len([r for r in stub.requests() if platform.is_reply_to(visitor)(r)]) == count


def test_the_routes_need_the_token(handoff: HandoffServer) -> None:
    assert handoff.route("health", None, method="GET").json() == {"status": "ok"}
    for token in ("wrong", ""):
        refused = handoff.route("health", None, token=token, method="GET")
        assert refused.status_code == 401
    assert handoff.route("take", {"sender_id": "x", "staff": "Ana"}, "wrong").status_code == 401
    assert (
        requests.post(f"{handoff.rasa_url}/webhooks/handoff/take", timeout=10).status_code == 401
    )


def test_bad_input_gets_400_and_an_unknown_conversation_404(handoff: HandoffServer) -> None:
    bad = handoff.route("message", {"sender_id": "x", "staff": "Ana", "text": ""})
    assert (bad.status_code, bad.json()) == (400, {"error": "'text' is empty"})
    listed = handoff.route("take", ["x"])
    assert (listed.status_code, listed.json()) == (
        400,
        {"error": "the body must be a JSON object"},
    )
    missing = handoff.route("take", {"sender_id": "nobody-here", "staff": "Ana"})
    assert missing.status_code == 404


@pytest.mark.parametrize("platform", [TELEGRAM, WHATSAPP], ids=lambda p: p.name)
def test_a_messaging_visitor_talks_to_a_person_and_back_to_the_assistant(
    handoff: HandoffServer, platform_stub: PlatformStub, platform: Platform
) -> None:
    visitor = platform.new_id()
    sender = platform.stored_as(visitor)
    platform.deliver(handoff.servers, platform.text(visitor, RESULTS_QUESTION))
    assert RESULTS_ANSWER in replies(platform_stub, platform, visitor, 1)[0]
    handoff.wait_for_events(sender, lambda e: any(x["event"] == "bot" for x in e))
    handoff.ask_for_a_person(sender)

    taken = handoff.route("take", {"sender_id": sender, "staff": "Ana"})
    assert (taken.status_code, taken.json()) == (
        200,
        {"state": "taken", "staff": "Ana", "delivered": True},
    )
    assert replies(platform_stub, platform, visitor, 2)[1] == JOINED
    other = handoff.route("take", {"sender_id": sender, "staff": "Ben"})
    assert (other.status_code, other.json()["staff"]) == (409, "Ana")

    # The visitor writes: stored for the staff member, and the assistant stays quiet.
    platform.deliver(handoff.servers, platform.text(visitor, "are you still there?"))
    handoff.wait_for_events(sender, lambda e: e[-1].get("text") == "are you still there?")
    no_more(platform_stub, platform, visitor, 2)

    wrote = handoff.route("message", {"sender_id": sender, "staff": "Ana", "text": STAFF_TEXT})
    assert wrote.status_code == 200 and wrote.json()["delivered"] is True
    assert replies(platform_stub, platform, visitor, 3)[2] == STAFF_TEXT

    # An emergency while paused gets the guidance at once, marked for the staff member.
    platform.deliver(handoff.servers, platform.text(visitor, EMERGENCY))
    guidance = replies(platform_stub, platform, visitor, 5)[3:]
    assert guidance[0].startswith(GUIDANCE) and guidance[1] == FOLLOW_UP
    events = handoff.wait_for_events(
        sender, lambda e: any(x.get("name") == "emergency_reported" for x in e)
    )
    assert {"event": "slot", "name": "emergency_reported", "value": True} in [
        {k: x.get(k) for k in ("event", "name", "value")} for x in events
    ]
    assert paused(events)

    back = handoff.route("resume", {"sender_id": sender, "staff": "Ana"})
    assert (back.status_code, back.json()) == (200, {"state": "resumed", "delivered": True})
    assert replies(platform_stub, platform, visitor, 6)[5] == RETURNED
    assert not paused(handoff.events(sender))

    # The assistant answers the next question as usual.
    platform.deliver(handoff.servers, platform.text(visitor, RESULTS_QUESTION))
    assert RESULTS_ANSWER in replies(platform_stub, platform, visitor, 7)[6]

    stored = handoff.events(sender)
    staff = [e for e in stored if e["event"] == "bot" and e.get("metadata", {}).get("staff")]
    assert [(e["text"], e["metadata"].get("handoff")) for e in staff] == [
        (JOINED, "joined"),
        (STAFF_TEXT, None),
        (RETURNED, "returned"),
    ]


@pytest.mark.parametrize("platform", [FACEBOOK, SLACK, TWILIO], ids=lambda p: p.name)
def test_every_other_messaging_channel_delivers_the_staff_members_messages(
    handoff: HandoffServer, platform_stub: PlatformStub, platform: Platform
) -> None:
    visitor = platform.new_id()
    sender = platform.stored_as(visitor)
    platform.deliver(handoff.servers, platform.text(visitor, RESULTS_QUESTION))
    replies(platform_stub, platform, visitor, 1)
    handoff.wait_for_events(sender, lambda e: any(x["event"] == "bot" for x in e))
    handoff.ask_for_a_person(sender)

    assert handoff.route("take", {"sender_id": sender, "staff": "Ana"}).json()["delivered"]
    handoff.route("message", {"sender_id": sender, "staff": "Ana", "text": STAFF_TEXT})
    handoff.route("resume", {"sender_id": sender, "staff": "Ana"})

    # Slack is sent its markup's escapes, which it shows as the characters typed.
    typed = escape(STAFF_TEXT) if platform is SLACK else STAFF_TEXT
    assert replies(platform_stub, platform, visitor, 4)[1:] == [JOINED, typed, RETURNED]


def test_a_website_visitor_talks_to_a_person_and_back_to_the_assistant(
    handoff: HandoffServer,
) -> None:
    async def scenario() -> None:
        async with Visitor(handoff.servers) as visitor:
            key = await visitor.session(None)
            sender = web_conversation(key)
            first = await visitor.answer({"message": RESULTS_QUESTION, "session_id": key})
            assert first is not None and RESULTS_ANSWER in first["text"]
            await asyncio.sleep(1.0)  # the rest of the answer
            while not visitor.received.empty():
                visitor.received.get_nowait()
            handoff.ask_for_a_person(sender)

            async def staff(route: str, **body: Any) -> Dict[str, Any]:
                reply = await asyncio.to_thread(
                    handoff.route, route, {"sender_id": sender, "staff": "Ana", **body}
                )
                assert reply.status_code == 200, reply.text
                return dict(reply.json())

            async def next_text() -> str:
                return str((await asyncio.wait_for(visitor.received.get(), 30))["text"])

            assert (await staff("take"))["delivered"] is True
            assert await next_text() == JOINED
            assert await visitor.answer({"message": "hello?", "session_id": key}, 3) is None
            await staff("message", text="How can I help?")
            assert await next_text() == "How can I help?"
            emergency = await visitor.answer({"message": EMERGENCY, "session_id": key})
            assert emergency is not None and emergency["text"].startswith(GUIDANCE)
            assert await next_text() == FOLLOW_UP
            await staff("resume")
            assert await next_text() == RETURNED
            again = await visitor.answer({"message": RESULTS_QUESTION, "session_id": key})
            assert again is not None and RESULTS_ANSWER in again["text"]

    asyncio.run(scenario())


def test_a_rest_visitor_is_taken_with_nothing_pushed(handoff: HandoffServer) -> None:
    sender = f"rest-visitor-{secrets.token_hex(4)}"
    reply = requests.post(
        f"{handoff.rasa_url}/webhooks/rest/webhook",
        json={"sender": sender, "message": RESULTS_QUESTION},
        timeout=60,
    )
    assert RESULTS_ANSWER in reply.json()[0]["text"]
    handoff.ask_for_a_person(sender)

    taken = handoff.route("take", {"sender_id": sender, "staff": "Ana"})

    assert taken.json() == {"state": "taken", "staff": "Ana", "delivered": False}
    quiet = requests.post(
        f"{handoff.rasa_url}/webhooks/rest/webhook",
        json={"sender": sender, "message": "hello?"},
        timeout=60,
    )
    assert quiet.json() == []  # the assistant stays quiet; the staff member answers
    assert handoff.events(sender)[-1]["text"] == "hello?"


def test_a_conversation_nobody_takes_in_time_is_resumed_by_the_periodic_task(
    handoff: HandoffServer, platform_stub: PlatformStub
) -> None:
    visitor = TELEGRAM.new_id()
    sender = TELEGRAM.stored_as(visitor)
    TELEGRAM.deliver(handoff.servers, TELEGRAM.text(visitor, RESULTS_QUESTION))
    replies(platform_stub, TELEGRAM, visitor, 1)
    handoff.wait_for_events(sender, lambda e: any(x["event"] == "bot" for x in e))
    handoff.ask_for_a_person(sender, requested_at=time.time() - 181)  # 3 minutes ago

    events = handoff.wait_for_events(sender, lambda e: not paused(e))

    assert not paused(events)
    resumed = [(e["event"], e.get("name"), e.get("value")) for e in events]
    start = resumed.index(("slot", "handoff", None))
    assert resumed[start : start + 5] == [
        ("slot", "handoff", None),
        ("slot", "handoff_staff", None),
        ("slot", "handoff_requested_at", None),
        ("resume", None, None),
        ("action", "action_listen", None),
    ]
    # Then EXTERNAL_handoff_timeout's rule: nobody is free, would they like a call back?
    assert replies(platform_stub, TELEGRAM, visitor, 3)[1:] == [BUSY, CALLBACK_OFFER]
    TELEGRAM.deliver(handoff.servers, TELEGRAM.text(visitor, RESULTS_QUESTION))
    assert RESULTS_ANSWER in replies(platform_stub, TELEGRAM, visitor, 4)[3]


def test_a_taken_conversation_gone_quiet_is_closed_by_the_periodic_task(
    handoff: HandoffServer, platform_stub: PlatformStub
) -> None:
    visitor = TELEGRAM.new_id()
    sender = TELEGRAM.stored_as(visitor)
    # A conversation taken by Ana eleven minutes ago, quiet since (the quiet time is ten):
    # what the visitor's message, action_request_handoff and the route take leave.
    at = time.time() - 660
    intent = {"name": "human_handoff", "confidence": 0.99}
    handoff.append(
        sender,
        [
            {"event": "action", "name": "action_session_start", "timestamp": at},
            {"event": "session_started", "timestamp": at},
            {"event": "action", "name": "action_listen", "timestamp": at},
            {
                "event": "user",
                "text": "can I talk to someone",
                "input_channel": "telegram",
                "parse_data": {"text": "can I talk to someone", "intent": intent, "entities": []},
                "timestamp": at + 1,
            },
            {"event": "slot", "name": "handoff", "value": "waiting", "timestamp": at + 2},
            {
                "event": "slot",
                "name": "handoff_requested_at",
                "value": at + 2,
                "timestamp": at + 2,
            },
            {"event": "pause", "timestamp": at + 2},
            {"event": "slot", "name": "handoff", "value": "taken", "timestamp": at + 3},
            {"event": "slot", "name": "handoff_staff", "value": "Ana", "timestamp": at + 3},
            {
                "event": "bot",
                "text": JOINED,
                "metadata": {"handoff": "joined", "staff": "Ana"},
                "timestamp": at + 3,
            },
        ],
    )

    events = handoff.wait_for_events(sender, lambda e: not paused(e))

    assert not paused(events)
    assert replies(platform_stub, TELEGRAM, visitor, 1) == [IDLE_CLOSED]
    closing = [e for e in events if e.get("metadata", {}).get("handoff") == "idle_closed"]
    assert [(e["text"], e["metadata"]["staff"]) for e in closing] == [(IDLE_CLOSED, "Ana")]
    assert [e["event"] for e in events[-2:]] == ["resume", "action"]


# Two Rasa servers (PostgreSQL and Redis, as deploy/ runs them).


@pytest.mark.postgres
@pytest.mark.redis
def test_with_two_servers_the_staff_reach_a_website_visitor_held_by_the_other(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    token = secrets.token_hex(16)
    folder = tmp_path_factory.mktemp("handoff-scale")
    with fresh_schema("handoff") as schema:
        try:
            with rasa_servers(
                folder,
                schema,
                one_action_server=True,
                extra_env={"RASA_API_TOKEN": token},
                rasa_args=["--enable-api", "--auth-token", token],
            ) as (first, second):
                held = Servers(first.rasa_url, first.tracker_db, first.web_port, first.env, folder)
                other = HandoffServer(
                    Servers(
                        second.rasa_url, second.tracker_db, second.web_port, second.env, folder
                    ),
                    token,
                )
                asyncio.run(website_visitor_on_one_server_staff_on_the_other(held, other))
                sender = next(s for s in senders(schema) if s.startswith("socketio:"))
                bots = [e for e in stored(schema, sender) if e["event"] == "bot"]
                by_staff = [e["metadata"].get("handoff") for e in bots if "staff" in e["metadata"]]
                assert by_staff == ["joined", None, "returned"]
        except processes.ServerError as error:
            pytest.fail(str(error))


async def website_visitor_on_one_server_staff_on_the_other(
    held: Servers, other: HandoffServer
) -> None:
    async with Visitor(held) as visitor:
        key = await visitor.session(None)
        sender = web_conversation(key)
        first = await visitor.answer({"message": RESULTS_QUESTION, "session_id": key})
        assert first is not None and RESULTS_ANSWER in first["text"]
        await asyncio.sleep(1.0)
        while not visitor.received.empty():
            visitor.received.get_nowait()
        await asyncio.to_thread(other.ask_for_a_person, sender)

        async def staff(route: str, **body: Any) -> None:
            reply = await asyncio.to_thread(
                other.route, route, {"sender_id": sender, "staff": "Ana", **body}
            )
            assert reply.status_code == 200, reply.text

        async def next_text() -> str:
            return str((await asyncio.wait_for(visitor.received.get(), 30))["text"])

        await staff("take")
        assert await next_text() == JOINED
        await staff("message", text="How can I help?")
        assert await next_text() == "How can I help?"
        await staff("resume")
        assert await next_text() == RETURNED
        again = await visitor.answer({"message": RESULTS_QUESTION, "session_id": key})
        assert again is not None and RESULTS_ANSWER in again["text"]
