"""The live handoff's routes (channels/handoff.py, the steps of channels/handoff_steps.py)
without a server: Rasa's agent with the handoff's domain, its tracker and lock stores in
memory, and the platforms' APIs recorded. Through a running server:
tests/integration/channels/test_handoff.py."""

from __future__ import annotations

import asyncio
import json
from typing import Any, Dict, List, Sequence

import pytest
from rasa.core.agent import Agent
from rasa.core.channels.channel import InputChannel
from rasa.core.channels.rest import RestInput
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ConversationPaused
from sanic.response import HTTPResponse

from channels.handoff import HandoffInput
from channels.handoff_steps import NO_RESPONSES
from channels.socketio import ClinicSocketIOInput
from channels.telegram import TelegramInput
from channels.twilio import TwilioInput
from clinic.config import Clinic
from tests.support.channel_clients import TWILIO
from tests.support.channel_requests import RecordingAPI, webhook_of
from tests.support.handoff import (
    MODEL,
    RESUMED,
    TOKEN,
    handoff_agent,
    now,
    response_text,
    route_request,
    store,
    stored,
    taken_events,
    visitor_message,
    waiting_events,
)
from tests.support.project import ROOT

SENDER = "telegram:555"


def sent(channel: Any) -> List[Dict[str, Any]]:
    """What the channel posted to its platform (the recorder's JSON bodies)."""
    api = channel.api
    assert isinstance(api, RecordingAPI)
    return [post["json"] or post["data"] for post in api.posted]


def answer(reply: HTTPResponse) -> tuple[int, Dict[str, Any]]:
    assert reply.body is not None
    return reply.status, json.loads(reply.body)


async def call(
    route: str,
    body: Any,
    agent: Agent,
    channels: Sequence[InputChannel] = (),
    token: str | None = TOKEN,
    routes: HandoffInput | None = None,
) -> tuple[int, Dict[str, Any]]:
    """POST ``body`` to ``route``; the status and the JSON answer."""
    handoff = routes or HandoffInput(TOKEN)
    handler = {"take": handoff.take, "message": handoff.message, "resume": handoff.resume}[route]
    return answer(await handler(route_request(route, body, agent, channels, token)))


def new_events(before: List[Dict[str, Any]], after: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    assert after[: len(before)] == before
    return after[len(before) :]


# Authentication.


@pytest.mark.parametrize("route", ["take", "message", "resume"])
async def test_without_a_token_configured_every_route_is_off(route: str, agent: Agent) -> None:
    await store(agent, SENDER, waiting_events(now()))

    status, body = await call(
        route, {"sender_id": SENDER, "staff": "Ana"}, agent, routes=HandoffInput("")
    )

    assert status == 404
    assert "off" in body["error"]
    assert (await stored(agent, SENDER))[-1]["event"] == "pause"


@pytest.mark.parametrize(
    "token", [None, "wrong", TOKEN + "x", ""], ids=["none", "wrong", "longer", "empty"]
)
async def test_a_missing_or_wrong_token_gets_401_and_changes_nothing(
    token: str | None, agent: Agent, telegram: TelegramInput
) -> None:
    await store(agent, SENDER, waiting_events(now()))
    before = await stored(agent, SENDER)

    request = route_request(
        "take", {"sender_id": SENDER, "staff": "Ana"}, agent, [telegram], token
    )
    reply = await HandoffInput(TOKEN).take(request)

    assert reply.status == 401
    assert reply.headers["WWW-Authenticate"] == "Bearer"
    assert await stored(agent, SENDER) == before
    assert sent(telegram) == []


async def test_only_a_bearer_token_is_taken() -> None:
    routes = HandoffInput(TOKEN)
    basic = route_request("health", b"", None, token=None, method="GET")
    basic.headers["Authorization"] = f"Basic {TOKEN}"
    query = route_request("health", b"", None, token=None, method="GET")
    query.headers["Authorization"] = ""

    assert routes.refused(basic) is not None and routes.refused(basic).status == 401  # type: ignore[union-attr]
    assert routes.refused(query) is not None
    assert routes.refused(route_request("health", b"", None, method="GET")) is None


def test_credentials_yml_gives_the_routes_rasas_api_token(monkeypatch: pytest.MonkeyPatch) -> None:
    channel = HandoffInput.from_credentials({"token": " t0k "})
    assert isinstance(channel, HandoffInput) and channel.token == "t0k"
    text = (ROOT / "credentials.yml").read_text(encoding="utf-8")
    assert "channels.handoff.HandoffInput:\n  token: ${RASA_API_TOKEN}\n" in text


# Take.


async def test_take_joins_the_staff_member_and_tells_the_visitor(
    agent: Agent, telegram: TelegramInput, clinic: Clinic
) -> None:
    await store(agent, SENDER, waiting_events(now()))
    before = await stored(agent, SENDER)

    status, body = await call("take", {"sender_id": SENDER, "staff": "Ana"}, agent, [telegram])

    assert (status, body) == (200, {"state": "taken", "staff": "Ana", "delivered": True})
    text = response_text("utter_handoff_joined", clinic, staff_name="Ana")
    assert new_events(before, await stored(agent, SENDER)) == [
        {"event": "slot", "name": "handoff", "value": "taken", "metadata": MODEL},
        {"event": "slot", "name": "handoff_staff", "value": "Ana", "metadata": MODEL},
        {
            "event": "bot",
            "text": text,
            "data": {},
            "metadata": {"handoff": "joined", "staff": "Ana", **MODEL},
        },
    ]
    assert sent(telegram) == [{"chat_id": 555, "text": text}]
    # Made in their order: the SQL tracker store reads a conversation sorted by time.
    tracker = await agent.tracker_store.retrieve(SENDER)
    assert tracker is not None
    times = [event.timestamp for event in tracker.events]
    assert times == sorted(times)


@pytest.mark.parametrize("route", ["take", "resume"])
async def test_a_model_without_the_live_chats_responses_changes_nothing_and_says_why(
    route: str, domain: Domain, telegram: TelegramInput
) -> None:
    """A model trained before the responses existed: 503, and the conversation as it was
    (the visitor is not told of someone who did not join)."""
    responses = {
        name: value
        for name, value in domain.responses.items()
        if name not in ("utter_handoff_joined", "utter_handoff_returned")
    }
    old = handoff_agent(Domain.from_dict({**domain.as_dict(), "responses": responses}))
    events = (
        waiting_events(now())
        if route == "take"
        else [*waiting_events(now()), *taken_events("Ana", now())]
    )
    await store(old, SENDER, events)
    before = await stored(old, SENDER)

    status, body = await call(route, {"sender_id": SENDER, "staff": "Ana"}, old, [telegram])

    assert (status, body) == (503, {"error": NO_RESPONSES})
    assert await stored(old, SENDER) == before
    assert sent(telegram) == []


async def test_a_second_take_by_the_same_person_changes_nothing_another_gets_409(
    agent: Agent, telegram: TelegramInput
) -> None:
    await store(agent, SENDER, waiting_events(now()))
    await call("take", {"sender_id": SENDER, "staff": "Ana"}, agent, [telegram])
    before = await stored(agent, SENDER)

    again = await call("take", {"sender_id": SENDER, "staff": "Ana"}, agent, [telegram])
    other = await call("take", {"sender_id": SENDER, "staff": "Ben"}, agent, [telegram])

    assert again == (200, {"state": "taken", "staff": "Ana", "delivered": False})
    assert other == (
        409,
        {"error": "the conversation is taken by another staff member", "staff": "Ana"},
    )
    assert await stored(agent, SENDER) == before
    assert len(sent(telegram)) == 1


async def test_two_staff_taking_at_once_one_gets_it(agent: Agent, telegram: TelegramInput) -> None:
    await store(agent, SENDER, waiting_events(now()))

    results = await asyncio.gather(
        call("take", {"sender_id": SENDER, "staff": "Ana"}, agent, [telegram]),
        call("take", {"sender_id": SENDER, "staff": "Ben"}, agent, [telegram]),
    )

    statuses = sorted(status for status, _ in results)
    assert statuses == [200, 409]
    winner = next(body["staff"] for status, body in results if status == 200)
    loser = next(body for status, body in results if status == 409)
    assert loser["staff"] == winner
    events = await stored(agent, SENDER)
    assert [e for e in events if e.get("name") == "handoff_staff"] == [
        {"event": "slot", "name": "handoff_staff", "value": winner, "metadata": MODEL}
    ]
    assert len(sent(telegram)) == 1


async def test_take_of_a_conversation_not_waiting_is_404(agent: Agent) -> None:
    await store(agent, "telegram:1", [visitor_message("hello")])  # the assistant answers it
    await store(agent, "telegram:2", [visitor_message("hello"), ConversationPaused()])
    before = await stored(agent, "telegram:1")

    assert await call("take", {"sender_id": "nobody", "staff": "Ana"}, agent) == (
        404,
        {"error": "no conversation with this sender id"},
    )
    for sender in ("telegram:1", "telegram:2"):
        assert await call("take", {"sender_id": sender, "staff": "Ana"}, agent) == (
            404,
            {"error": "the conversation is not waiting for a person"},
        )
    assert await stored(agent, "telegram:1") == before
    assert await agent.tracker_store.retrieve("nobody") is None


async def test_a_rest_visitor_is_taken_but_nothing_is_pushed(agent: Agent) -> None:
    await store(agent, "visitor-1", waiting_events(now(), channel="rest"))

    status, body = await call(
        "take", {"sender_id": "visitor-1", "staff": "Ana"}, agent, [RestInput()]
    )

    assert (status, body) == (200, {"state": "taken", "staff": "Ana", "delivered": False})
    assert (await stored(agent, "visitor-1"))[-1]["metadata"]["handoff"] == "joined"


async def test_a_twilio_visitor_hears_from_the_number_they_wrote_to(
    agent: Agent, clinic: Clinic
) -> None:
    twilio = webhook_of(TWILIO)
    assert isinstance(twilio, TwilioInput)
    metadata = {"twilio_to": "whatsapp:+15557654321"}
    sender = "twilio:whatsapp:+15550001111"
    await store(agent, sender, waiting_events(now(), channel="twilio", metadata=metadata))

    status, _ = await call("take", {"sender_id": sender, "staff": "Ana"}, agent, [twilio])

    assert status == 200
    assert sent(twilio) == [
        {
            "From": "whatsapp:+15557654321",
            "To": "whatsapp:+15550001111",
            "Body": response_text("utter_handoff_joined", clinic, staff_name="Ana"),
        }
    ]


async def test_a_website_visitor_gets_it_in_the_room_of_their_conversation(
    agent: Agent, clinic: Clinic
) -> None:
    socketio = ClinicSocketIOInput(bot_message_evt="bot_uttered", session_persistence=True)

    async def on_new_message(_: Any) -> None:
        return None

    socketio.blueprint(on_new_message)
    emitted: List[tuple[Any, ...]] = []

    async def emit(event: str, data: Any, room: str | None = None, **_: Any) -> None:
        emitted.append((event, data, room))

    assert socketio.sio is not None
    socketio.sio.emit = emit
    sender = "socketio:" + "a" * 32
    await store(agent, sender, waiting_events(now(), channel="socketio"))

    status, body = await call("take", {"sender_id": sender, "staff": "Ana"}, agent, [socketio])

    assert (status, body["delivered"]) == (200, True)
    assert emitted == [
        (
            "bot_uttered",
            {"text": response_text("utter_handoff_joined", clinic, staff_name="Ana")},
            sender,
        )
    ]


# Message.


async def test_the_staff_members_message_is_stored_and_sent_as_written(
    agent: Agent, telegram: TelegramInput
) -> None:
    await store(agent, SENDER, [*waiting_events(now() - 60), *taken_events("Ana", now() - 30)])
    before = await stored(agent, SENDER)
    text = 'Hi! <b>Not bold</b> & "quoted" {staff_name}\nSecond line'

    status, body = await call(
        "message", {"sender_id": SENDER, "staff": "Ana", "text": text}, agent, [telegram]
    )

    assert (status, body) == (200, {"state": "taken", "staff": "Ana", "delivered": True})
    assert new_events(before, await stored(agent, SENDER)) == [
        {"event": "bot", "text": text, "data": {}, "metadata": {"staff": "Ana", **MODEL}}
    ]
    assert sent(telegram) == [{"chat_id": 555, "text": text}]


async def test_a_message_is_refused_unless_you_have_the_conversation(
    agent: Agent, telegram: TelegramInput
) -> None:
    await store(agent, SENDER, [*waiting_events(now() - 60), *taken_events("Ana", now() - 30)])
    await store(agent, "telegram:7", waiting_events(now()))
    before = [await stored(agent, SENDER), await stored(agent, "telegram:7")]

    by_other = await call(
        "message", {"sender_id": SENDER, "staff": "Ben", "text": "hi"}, agent, [telegram]
    )
    not_taken = await call(
        "message", {"sender_id": "telegram:7", "staff": "Ana", "text": "hi"}, agent, [telegram]
    )
    nobody = await call("message", {"sender_id": "x", "staff": "Ana", "text": "hi"}, agent)

    assert by_other == (409, {"error": "the conversation is not taken by you", "staff": "Ana"})
    assert not_taken == (409, {"error": "the conversation is not taken by you", "staff": None})
    assert nobody == (404, {"error": "no conversation with this sender id"})
    assert [await stored(agent, SENDER), await stored(agent, "telegram:7")] == before
    assert sent(telegram) == []


async def test_a_text_of_2000_characters_is_taken(agent: Agent, telegram: TelegramInput) -> None:
    await store(agent, SENDER, [*waiting_events(now() - 60), *taken_events("Ana", now() - 30)])

    status, _ = await call(
        "message", {"sender_id": SENDER, "staff": "Ana", "text": "a" * 2000}, agent, [telegram]
    )

    assert status == 200
    assert (await stored(agent, SENDER))[-1]["text"] == "a" * 2000


# Resume.


async def test_resume_says_goodbye_and_gives_the_conversation_back(
    agent: Agent, telegram: TelegramInput, clinic: Clinic
) -> None:
    await store(agent, SENDER, [*waiting_events(now() - 60), *taken_events("Ana", now() - 30)])
    before = await stored(agent, SENDER)

    status, body = await call("resume", {"sender_id": SENDER, "staff": "Ana"}, agent, [telegram])

    assert (status, body) == (200, {"state": "resumed", "delivered": True})
    text = response_text("utter_handoff_returned", clinic)
    assert new_events(before, await stored(agent, SENDER)) == [
        {
            "event": "bot",
            "text": text,
            "data": {},
            "metadata": {"handoff": "returned", "staff": "Ana", **MODEL},
        },
        *RESUMED,
    ]
    assert sent(telegram) == [{"chat_id": 555, "text": text}]
    tracker = await agent.tracker_store.retrieve(SENDER)
    assert tracker is not None and not tracker.is_paused()
    assert tracker.get_slot("handoff") is None and tracker.latest_action_name == "action_listen"


async def test_resume_by_another_or_of_a_waiting_conversation_is_409(agent: Agent) -> None:
    await store(agent, SENDER, [*waiting_events(now() - 60), *taken_events("Ana", now() - 30)])
    await store(agent, "telegram:7", waiting_events(now()))

    assert await call("resume", {"sender_id": SENDER, "staff": "Ben"}, agent) == (
        409,
        {"error": "the conversation is not taken by you", "staff": "Ana"},
    )
    assert (await call("resume", {"sender_id": "telegram:7", "staff": "Ana"}, agent))[0] == 409
    tracker = await agent.tracker_store.retrieve(SENDER)
    assert tracker is not None and tracker.is_paused()


# Bad input.

GOOD = {"sender_id": SENDER, "staff": "Ana", "text": "hello"}
BAD_BODIES = {
    "not JSON": (b'{"sender_id": ', "the body must be JSON"),
    "a list": (b"[1, 2]", "the body must be a JSON object"),
    "no sender_id": ({"staff": "Ana", "text": "hi"}, "'sender_id' must be a non-empty string"),
    "a number for sender_id": ({**GOOD, "sender_id": 555}, "'sender_id' must be a non-empty"),
    "a sender_id of 256": ({**GOOD, "sender_id": "x" * 256}, "at most 255 characters"),
    "no staff": ({"sender_id": SENDER, "text": "hi"}, "'staff' must be the staff member's name"),
    "a blank staff": ({**GOOD, "staff": "  "}, "'staff' must be the staff member's name"),
    "a staff name of 101": ({**GOOD, "staff": "A" * 101}, "at most 100 characters"),
    "a staff name with a line break": ({**GOOD, "staff": "Ana\nBen"}, "control characters"),
    "no text": ({"sender_id": SENDER, "staff": "Ana"}, "'text' must be a string"),
    "an empty text": ({**GOOD, "text": ""}, "'text' is empty"),
    "a blank text": ({**GOOD, "text": " \n\t "}, "'text' is empty"),
    "a text of 2001": ({**GOOD, "text": "a" * 2001}, "'text' is longer than 2,000 characters"),
    "a text with NUL": ({**GOOD, "text": "a\x00b"}, "'text' holds control characters"),
}


@pytest.mark.parametrize("case", list(BAD_BODIES), ids=list(BAD_BODIES))
async def test_bad_input_gets_400_with_the_reason_and_changes_nothing(
    case: str, agent: Agent, telegram: TelegramInput
) -> None:
    await store(agent, SENDER, [*waiting_events(now() - 60), *taken_events("Ana", now() - 30)])
    before = await stored(agent, SENDER)
    body, reason = BAD_BODIES[case]

    status, answered = await call("message", body, agent, [telegram])

    assert status == 400
    assert reason in answered["error"]
    assert await stored(agent, SENDER) == before
    assert sent(telegram) == []


@pytest.mark.parametrize("route", ["take", "resume"])
async def test_take_and_resume_check_their_fields_too(route: str, agent: Agent) -> None:
    for body in (b"null", {"sender_id": SENDER}, {"sender_id": "", "staff": "Ana"}):
        status, _ = await call(route, body, agent)
        assert status == 400


async def test_without_a_model_loaded_the_routes_answer_503() -> None:
    reply = await HandoffInput(TOKEN).take(
        route_request("take", {"sender_id": SENDER, "staff": "A"}, None)
    )
    assert answer(reply) == (503, {"error": "the assistant is not ready (no model loaded yet)"})


async def test_the_visitor_reads_the_staff_members_name_with_a_capital(
    agent: Agent, telegram: TelegramInput, clinic: Clinic
) -> None:
    """Staff accounts are lower case (``make staff-user NAME=ana``)."""
    await store(agent, SENDER, waiting_events(now()))

    status, _ = await call("take", {"sender_id": SENDER, "staff": "ana"}, agent, [telegram])

    assert status == 200
    [joined] = [post["text"] for post in sent(telegram)]
    assert joined == response_text("utter_handoff_joined", clinic, staff_name="Ana")


async def test_the_visitor_reads_the_name_the_staff_member_chose(
    agent: Agent, telegram: TelegramInput, clinic: Clinic
) -> None:
    await store(agent, SENDER, waiting_events(now()))
    before = await stored(agent, SENDER)

    status, body = await call(
        "take",
        {"sender_id": SENDER, "staff": "amartinez", "shown_as": "Ana M."},
        agent,
        [telegram],
    )

    assert (status, body) == (200, {"state": "taken", "staff": "amartinez", "delivered": True})
    text = response_text("utter_handoff_joined", clinic, staff_name="Ana M.")
    assert sent(telegram) == [{"chat_id": 555, "text": text}]
    # Who has the conversation stays the account: the messages and the History name it.
    slots = {
        event["name"]: event["value"]
        for event in new_events(before, await stored(agent, SENDER))
        if event["event"] == "slot"
    }
    assert slots == {"handoff": "taken", "handoff_staff": "amartinez"}


@pytest.mark.parametrize("shown_as", ["", "  ", "A" * 101, "Ana\nM.", 7])
async def test_a_shown_name_that_cannot_be_used_gets_400_and_changes_nothing(
    shown_as: object, agent: Agent, telegram: TelegramInput
) -> None:
    await store(agent, SENDER, waiting_events(now()))
    before = await stored(agent, SENDER)

    status, answered = await call(
        "take", {"sender_id": SENDER, "staff": "ana", "shown_as": shown_as}, agent, [telegram]
    )

    assert status == 400
    assert "'shown_as'" in answered["error"]
    assert await stored(agent, SENDER) == before
    assert sent(telegram) == []
