"""Every messaging channel alike (Facebook Messenger, Slack, Telegram, Twilio, WhatsApp),
with the cases of every channel (``tests/support/bad_input.py``); each channel's own
tests, with the platform's particulars, are ``test_<channel>.py``.

- Through the real server: bad input gets a clear answer (the channel's reply, through the
  platform stand-in) or a 4xx, the server stays up, and a conversation going on meanwhile
  is unaffected; a conversation is kept under the channel's prefix
  (``channels/senders.py``: ``telegram:<chat id>``) and answered at the platform's id.
- A message delivered twice (a platform's retry) is answered once.
- The webhooks alone, without a server: a signed malformed or wrongly typed body gets 400,
  an unsigned one 401, and nothing reaches Rasa; a blank message reaches it blank (to be
  answered with ``utter_message_empty``), under the channel's namespace.
"""

from __future__ import annotations

import threading
import time
from typing import Dict, List, Tuple

import pytest

from tests.support.bad_input import (
    BYSTANDER_TURNS,
    EMPTY_ANSWER,
    EMPTY_MESSAGES,
    FORGED_PAYLOADS,
    LONG_MESSAGE,
    MALFORMED_BODIES,
    ODD_MESSAGES,
    TOO_LONG_ANSWER,
    server_is_up,
    steers_nothing,
)
from tests.support.channel_clients import JSON, PLATFORMS, Platform
from tests.support.channel_requests import Rasa, path_of, post, webhook_of
from tests.support.messaging import (
    QUIET_SECONDS,
    RESULTS_ANSWER,
    RESULTS_QUESTION,
    sent,
    user_texts,
)
from tests.support.platform_stub import PlatformStub
from tests.support.servers import Servers

pytestmark = pytest.mark.integration

TIMEOUT = 60


def by_name(platform: Platform) -> str:
    return platform.name


def with_buttons() -> List[Platform]:
    return [p for p in PLATFORMS if p.press is not None]


def replies(platform_stub: PlatformStub, platform: Platform, visitor: str) -> List[str]:
    """The texts of the first replies to ``visitor`` (waits for at least one)."""
    return [platform.reply_text(r) for r in sent(platform_stub, platform.is_reply_to(visitor))]


# Bad input through the real server.


@pytest.mark.parametrize("platform", PLATFORMS, ids=by_name)
@pytest.mark.parametrize("message", EMPTY_MESSAGES, ids=repr)
def test_an_empty_message_gets_the_polite_answer_on_its_platform(
    servers: Servers, platform_stub: PlatformStub, platform: Platform, message: str
) -> None:
    visitor = platform.new_id()

    assert platform.deliver(servers, platform.text(visitor, message)).status_code == 200

    assert replies(platform_stub, platform, visitor) == [EMPTY_ANSWER]
    assert servers.events(platform.stored_as(visitor)) == []


@pytest.mark.parametrize("platform", PLATFORMS, ids=by_name)
def test_a_100_kb_message_gets_the_polite_answer_and_is_not_stored(
    servers: Servers, platform_stub: PlatformStub, platform: Platform
) -> None:
    visitor = platform.new_id()

    assert platform.deliver(servers, platform.text(visitor, LONG_MESSAGE)).status_code == 200

    [answer] = replies(platform_stub, platform, visitor)
    assert TOO_LONG_ANSWER in answer
    assert servers.events(platform.stored_as(visitor)) == []


@pytest.mark.parametrize("platform", PLATFORMS, ids=by_name)
@pytest.mark.parametrize("message", ODD_MESSAGES, ids=lambda m: repr(m[:30]))
def test_odd_text_gets_an_answer_and_steers_nothing(
    servers: Servers, platform_stub: PlatformStub, platform: Platform, message: str
) -> None:
    visitor = platform.new_id()

    assert platform.deliver(servers, platform.text(visitor, message)).status_code == 200

    texts = replies(platform_stub, platform, visitor)
    assert texts and all(t.strip() for t in texts)
    assert len(user_texts(servers, platform.stored_as(visitor))) == 1
    steers_nothing(servers.events(platform.stored_as(visitor)))


@pytest.mark.parametrize("platform", with_buttons(), ids=by_name)
@pytest.mark.parametrize("payload", FORGED_PAYLOADS)
def test_a_forged_button_payload_gets_an_answer_and_steers_nothing(
    servers: Servers, platform_stub: PlatformStub, platform: Platform, payload: str
) -> None:
    assert platform.press is not None
    visitor = platform.new_id()

    assert platform.deliver(servers, platform.press(visitor, payload)).status_code == 200

    assert replies(platform_stub, platform, visitor)
    assert len(user_texts(servers, platform.stored_as(visitor))) == 1
    steers_nothing(servers.events(platform.stored_as(visitor)))


def refusals(servers: Servers, platform: Platform, visitor: str) -> Dict[str, Tuple[int, int]]:
    """Every malformed body and every payload of the wrong shape, posted signed and
    unsigned: the statuses they got, by case."""
    cases = {
        **{name: (body, dict(JSON)) for name, body in MALFORMED_BODIES.items()},
        **platform.wrong_types(visitor),
    }
    statuses = {}
    for name, (body, headers) in cases.items():
        content_type = {"Content-Type": headers["Content-Type"]}
        signed = {**headers, **platform.sign(body, platform.secret)}
        statuses[name] = (
            platform.deliver(servers, (body, signed)).status_code,
            platform.deliver(servers, (body, content_type)).status_code,
        )
    return statuses


@pytest.mark.parametrize("platform", PLATFORMS, ids=by_name)
def test_a_malformed_or_wrongly_typed_body_gets_400_signed_and_401_unsigned(
    servers: Servers, platform_stub: PlatformStub, platform: Platform
) -> None:
    visitor = platform.new_id()

    statuses = refusals(servers, platform, visitor)

    wrong = {name: got for name, got in statuses.items() if got != (400, 401)}
    assert wrong == {}, f"expected (400 signed, 401 unsigned): {wrong}"
    assert platform_stub.wait_for(platform.is_reply_to(visitor), timeout=QUIET_SECONDS) == []
    assert servers.events(platform.stored_as(visitor)) == []
    server_is_up(servers)


@pytest.mark.parametrize("platform", PLATFORMS, ids=by_name)
def test_a_conversation_meanwhile_is_unaffected(
    servers: Servers, platform_stub: PlatformStub, platform: Platform
) -> None:
    bystander = platform.new_id()
    errors: List[BaseException] = []

    def converse() -> None:
        try:
            for number, text in enumerate(BYSTANDER_TURNS, 1):
                assert platform.deliver(servers, platform.text(bystander, text)).ok
                user_texts(servers, platform.stored_as(bystander), count=number)
        except BaseException as error:  # reported by the test's thread
            errors.append(error)

    thread = threading.Thread(target=converse)
    thread.start()
    try:
        for message in [*EMPTY_MESSAGES, LONG_MESSAGE, *ODD_MESSAGES]:
            platform.deliver(servers, platform.text(platform.new_id(), message))
        refusals(servers, platform, platform.new_id())
    finally:
        thread.join(timeout=3 * TIMEOUT)
    assert not errors, errors

    assert user_texts(servers, platform.stored_as(bystander)) == BYSTANDER_TURNS
    to_bystander = platform.is_reply_to(bystander)
    answers = [platform.reply_text(r) for r in platform_stub.requests() if to_bystander(r)]
    assert len(answers) >= len(BYSTANDER_TURNS)
    assert any(a.startswith(RESULTS_ANSWER) for a in answers), answers
    assert EMPTY_ANSWER not in answers and not any(TOO_LONG_ANSWER in a for a in answers)


# Sender ids, through the real server.


@pytest.mark.parametrize("platform", PLATFORMS, ids=lambda p: p.name)
def test_a_messaging_conversation_is_kept_under_the_channels_prefix_and_answered_at_its_id(
    servers: Servers, platform_stub: PlatformStub, platform: Platform
) -> None:
    visitor = platform.new_id()

    assert platform.deliver(servers, platform.text(visitor, RESULTS_QUESTION)).ok

    [reply] = sent(platform_stub, platform.is_reply_to(visitor))
    assert platform.reply_text(reply).startswith(RESULTS_ANSWER)
    assert platform.stored_as(visitor).startswith(f"{platform.name}:")
    assert user_texts(servers, platform.stored_as(visitor)) == [RESULTS_QUESTION]
    assert servers.events(visitor) == []  # nothing under the bare platform id


# A delivery received twice, through the real server.


@pytest.mark.parametrize("platform", PLATFORMS, ids=lambda p: p.name)
def test_a_message_delivered_twice_is_answered_once(
    servers: Servers, platform_stub: PlatformStub, platform: Platform
) -> None:
    visitor = platform.new_id()
    to_visitor = platform.is_reply_to(visitor)
    request = platform.text(visitor, RESULTS_QUESTION)

    first = platform.deliver(servers, request)
    # The replies are sent before the turn is stored.
    assert user_texts(servers, platform.stored_as(visitor)) == [RESULTS_QUESTION]
    answered = [r for r in platform_stub.requests() if to_visitor(r)]
    again = platform.deliver(servers, request)
    time.sleep(QUIET_SECONDS)

    assert (first.status_code, again.status_code) == (200, 200)
    assert again.content == first.content  # the platform's usual acknowledgement
    assert platform.reply_text(answered[0]).startswith(RESULTS_ANSWER)
    assert [r for r in platform_stub.requests() if to_visitor(r)] == answered
    assert user_texts(servers, platform.stored_as(visitor)) == [RESULTS_QUESTION]


# The webhooks alone, without a server.


@pytest.mark.parametrize("platform", PLATFORMS, ids=lambda p: p.name)
async def test_bad_bodies_get_400_signed_and_401_unsigned_and_reach_nothing(
    platform: Platform,
) -> None:
    channel, rasa = webhook_of(platform), Rasa()
    cases = {
        **{name: (body, dict(JSON)) for name, body in MALFORMED_BODIES.items()},
        **platform.wrong_types(platform.new_id()),
    }

    statuses = {}
    for name, (body, headers) in cases.items():
        signed = {**headers, **platform.sign(body, platform.secret)}
        unsigned = {"Content-Type": headers["Content-Type"]}
        statuses[name] = (
            (await post(channel, body, signed, rasa, path=path_of(platform))).status,
            (await post(channel, body, unsigned, rasa, path=path_of(platform))).status,
        )

    assert {name: got for name, got in statuses.items() if got != (400, 401)} == {}
    assert rasa.messages == []


@pytest.mark.parametrize("platform", PLATFORMS, ids=lambda p: p.name)
@pytest.mark.parametrize("message", EMPTY_MESSAGES, ids=repr)
async def test_a_blank_message_reaches_rasa_blank_under_the_channels_namespace(
    platform: Platform, message: str
) -> None:
    channel, rasa = webhook_of(platform), Rasa()
    visitor = platform.new_id()
    body, headers = platform.text(visitor, message)

    answer = await post(channel, body, headers, rasa, path=path_of(platform))

    assert answer.status == 200
    assert [(m.sender_id, m.text.strip()) for m in rasa.messages] == [
        (platform.stored_as(visitor), "")
    ]
